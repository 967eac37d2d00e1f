//! The delivery worker: one task sending due deliveries to their webhooks, retrying failures
//! with exponential backoff (base x 3^(attempt-1), [`MAX_ATTEMPTS`] in all). It sleeps until
//! the next delivery is due, or until woken because new ones were queued. Deliveries are rows,
//! so pending ones survive a restart; a delivery cut off by shutdown is sent again later, and
//! receivers deduplicate on its id.

use std::{sync::Arc, time::Duration};

use futures_util::StreamExt;
use tokio::{sync::Notify, task::JoinHandle};

use super::webhook::WebhookClient;
use crate::{
    secrets::{Purpose, SecretBox},
    store::{now_ms, AttemptResult, DueDelivery, Store},
    telemetry::metrics::Metrics,
};

/// Attempts per delivery, the first included.
pub const MAX_ATTEMPTS: i64 = 6;
/// Deliveries read per pass, and sent at once.
const BATCH: i64 = 32;
const CONCURRENCY: usize = 8;
/// Longest sleep: also picks up deliveries queued by another process (the command line).
const IDLE: Duration = Duration::from_secs(30);

/// The wait after failed attempt number `attempt` (1-based): base, 3 x base, 9 x base, ...
pub fn retry_delay(base: Duration, attempt: u32) -> Duration {
    base.saturating_mul(3u32.saturating_pow(attempt.saturating_sub(1)))
}

pub struct DeliveryWorker {
    pub store: Store,
    pub secrets: SecretBox,
    pub client: WebhookClient,
    /// Notified when deliveries are queued.
    pub queued: Arc<Notify>,
    pub retry_base: Duration,
    pub metrics: Arc<Metrics>,
}

impl DeliveryWorker {
    pub fn spawn(self) -> JoinHandle<()> {
        tokio::spawn(async move { self.run().await })
    }

    async fn run(self) {
        loop {
            match self.store.due_deliveries(now_ms(), BATCH).await {
                Ok(due) => {
                    let full = due.len() as i64 == BATCH;
                    futures_util::stream::iter(due)
                        .for_each_concurrent(CONCURRENCY, |delivery| self.deliver(delivery))
                        .await;
                    if full {
                        continue;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "reading due deliveries failed"),
            }
            let wait = match self.store.next_delivery_due().await {
                Ok(Some(at)) => Duration::from_millis((at - now_ms()).max(1) as u64).min(IDLE),
                Ok(None) => IDLE,
                Err(e) => {
                    tracing::warn!(error = %e, "reading the delivery queue failed");
                    Duration::from_secs(5)
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.queued.notified() => {}
            }
        }
    }

    /// One attempt of one delivery, recorded.
    async fn deliver(&self, delivery: DueDelivery) {
        let attempt = delivery.attempts + 1;
        let outcome = self.attempt(&delivery).await;
        let now = now_ms();
        let (result, metric) = match &outcome {
            Outcome::Delivered => (AttemptResult::Delivered, "delivered"),
            Outcome::Hopeless(error) => (AttemptResult::GaveUp { error }, "failed"),
            Outcome::Failed(error) if attempt >= MAX_ATTEMPTS => {
                (AttemptResult::Failed { error }, "failed")
            }
            Outcome::Failed(error) => {
                let delay = retry_delay(self.retry_base, attempt as u32);
                let next_at = now.saturating_add(delay.as_millis().min(i64::MAX as u128) as i64);
                (AttemptResult::Retry { error, next_at }, "retried")
            }
        };
        match &outcome {
            Outcome::Delivered => tracing::info!(
                delivery.id = delivery.id,
                alert.id = delivery.alert_id,
                destination.id = delivery.destination_id,
                attempt,
                "webhook delivered"
            ),
            Outcome::Failed(error) | Outcome::Hopeless(error) => tracing::warn!(
                delivery.id = delivery.id,
                alert.id = delivery.alert_id,
                destination.id = delivery.destination_id,
                attempt,
                outcome = metric,
                "webhook not delivered: {error}"
            ),
        }
        if let Err(e) = self
            .store
            .record_delivery_attempt(delivery.id, result, now)
            .await
        {
            tracing::warn!(delivery.id = delivery.id, error = %e, "recording a delivery attempt failed");
        }
        self.metrics.record_delivery(metric);
    }

    async fn attempt(&self, delivery: &DueDelivery) -> Outcome {
        let url = match (&delivery.url, delivery.enabled) {
            (None, _) => return Outcome::Hopeless("The destination was deleted".into()),
            (Some(_), Some(false)) => {
                return Outcome::Hopeless("The destination was switched off".into())
            }
            (Some(url), _) => url,
        };
        let secret = match &delivery.secret_ciphertext {
            Some(sealed) => match self.secrets.open(Purpose::WebhookSecret, sealed) {
                Ok(secret) => Some(secret),
                Err(_) => {
                    return Outcome::Hopeless("The destination's secret cannot be decrypted".into())
                }
            },
            None => None,
        };
        match self
            .client
            .post(
                url,
                &delivery.payload,
                &delivery.id.to_string(),
                secret.as_ref(),
            )
            .await
        {
            Ok(_) => Outcome::Delivered,
            Err(e) => Outcome::Failed(e.to_string()),
        }
    }
}

/// One attempt's result.
enum Outcome {
    Delivered,
    /// This attempt failed; another may succeed.
    Failed(String),
    /// No attempt can succeed (the destination is gone, off, or its secret unreadable).
    Hopeless(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_three_times_longer_each_time() {
        let base = Duration::from_secs(10);
        let delays: Vec<u64> = (1..MAX_ATTEMPTS as u32)
            .map(|attempt| retry_delay(base, attempt).as_secs())
            .collect();
        assert_eq!(delays, [10, 30, 90, 270, 810]);
        assert_eq!(
            retry_delay(Duration::from_millis(20), 3),
            Duration::from_millis(180)
        );
        assert!(
            retry_delay(base, 100) > Duration::from_secs(365 * 24 * 3600),
            "saturates instead of overflowing"
        );
    }
}
