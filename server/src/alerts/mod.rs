//! Alerts: raised with dedup, resolved automatically or by a person, and sent to webhook
//! destinations.
//!
//! | file | job |
//! |---|---|
//! | `mod.rs` | [`Alerts`]: raise (one open alert per dedup key), resolve, wake the worker |
//! | `webhook.rs` | an alert change's JSON payload, its signature, one POST with its failure in words |
//! | `address.rs` | the SSRF guard: which addresses a webhook may reach, checked on save and on send |
//! | `delivery.rs` | the delivery worker: due deliveries, retries with exponential backoff |

pub mod address;
pub mod delivery;
pub mod webhook;

use std::sync::Arc;

use app::model::alert::Severity;
use tokio::sync::Notify;

use crate::store::{now_ms, AlertChange, AlertSelector, NewAlert, Store, StoreError};

/// How an alert was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// The condition cleared (or its source was deleted).
    Automatically,
    /// A person resolved it.
    Manually,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Automatically => "automatically",
            Resolution::Manually => "manually",
        }
    }
}

/// An alert to raise.
#[derive(Debug, Clone)]
pub struct AlertRaise {
    /// `system.*` or, later, a detection's rule id.
    pub rule_id: String,
    /// At most one alert per key is open at a time: raising it again counts an occurrence.
    pub dedup_key: String,
    pub severity: Severity,
    pub title: String,
    pub description: String,
    /// Facts as (label, value), in display order.
    pub context: Vec<(String, String)>,
    /// The source's id and name.
    pub source: Option<(i64, String)>,
}

/// Raises and resolves alerts; every change queues its deliveries in the same transaction and
/// wakes the delivery worker.
#[derive(Debug, Clone)]
pub struct Alerts {
    store: Store,
    queued: Arc<Notify>,
}

impl Alerts {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            queued: Arc::new(Notify::new()),
        }
    }

    /// Notified whenever deliveries were queued (the delivery worker waits on it).
    pub fn queued(&self) -> Arc<Notify> {
        Arc::clone(&self.queued)
    }

    /// The dedup key of a system rule's alerts about one source.
    pub fn system_key(rule_id: &str, source_id: i64) -> String {
        format!("{rule_id}:{source_id}")
    }

    /// Opens an alert, or counts one more occurrence of the open one with the same dedup key
    /// (which notifies nobody).
    pub async fn raise(&self, alert: &AlertRaise) -> Result<AlertChange, StoreError> {
        let context = serde_json::to_string(&alert.context).expect("string pairs always serialize");
        let change = self
            .store
            .raise_alert(
                &NewAlert {
                    rule_id: &alert.rule_id,
                    dedup_key: &alert.dedup_key,
                    severity: alert.severity,
                    title: &alert.title,
                    description: &alert.description,
                    context: &context,
                    source_id: alert.source.as_ref().map(|(id, _)| *id),
                    source_name: alert.source.as_ref().map(|(_, name)| name.as_str()),
                },
                now_ms(),
                &webhook::payload,
            )
            .await?;
        if change.opened {
            tracing::info!(
                alert.id = change.alert.id,
                alert.rule = %alert.rule_id,
                alert.severity = alert.severity.as_str(),
                deliveries = change.queued,
                "alert opened: {}",
                alert.title
            );
        }
        self.wake(change.queued);
        Ok(change)
    }

    /// Resolves the selected open alerts; returns those it resolved (none when none was open).
    pub async fn resolve(
        &self,
        which: AlertSelector<'_>,
        how: Resolution,
    ) -> Result<Vec<AlertChange>, StoreError> {
        let changes = self
            .store
            .resolve_alerts(which, how.as_str(), now_ms(), &webhook::payload)
            .await?;
        for change in &changes {
            tracing::info!(
                alert.id = change.alert.id,
                alert.rule = %change.alert.rule_id,
                deliveries = change.queued,
                "alert resolved {}",
                how.as_str()
            );
        }
        self.wake(changes.iter().map(|c| c.queued).sum());
        Ok(changes)
    }

    fn wake(&self, queued: usize) {
        if queued > 0 {
            self.queued.notify_one();
        }
    }
}
