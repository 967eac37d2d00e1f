//! The engine's side of source health, alerts and webhook destinations: the `Console` methods
//! of the Health tab, the alerts pages and the destinations settings.

use app::model::{
    alert::{
        AlertDetail, AlertFilter, AlertState, AlertSummary, Delivery, DeliveryState, Destination,
        DestinationInput, DetectionFacts, Severity, TestDelivery,
    },
    health::{
        AlarmState, AlarmStatus, AlarmTransition, CheckState, HealthCheck, PollAttempt,
        SourceHealthDetail, CHECKS,
    },
    source::FieldProblem,
    AppError, FieldError,
};

use super::{internal, rfc3339_ms, store_error, Engine};
use crate::{
    alerts::{address, webhook, Resolution},
    config::Secret,
    secrets::Purpose,
    store::{
        now_ms, AlertQuery, AlertRow, AlertSelector, AttemptRow, DeliveryRow, DestinationWrite,
        SecretChange, StoreError,
    },
};

/// Rows in the Health tab's histories, and in the alerts list.
const HISTORY: i64 = 50;
const ALERTS_LISTED: i64 = 500;
/// Matching events shown on a detection alert (all are one click away in the explorer).
const ALERT_SAMPLES: i64 = 10;

impl Engine {
    /// The checks, the no-events alarm with its last transitions, the last poll attempts and the
    /// open alerts of one source.
    pub async fn source_health(&self, id: i64) -> Result<SourceHealthDetail, AppError> {
        let context = "source_health";
        let store = &self.store;
        let source = store
            .source(id)
            .await
            .map_err(store_error(context))?
            .ok_or_else(|| AppError::NotFound(format!("Source {id}")))?;
        let status = store.status(id).await.map_err(store_error(context))?;
        let stored = store.checks(id).await.map_err(store_error(context))?;
        let checks = CHECKS
            .iter()
            .map(|(key, label)| match stored.iter().find(|c| c.key == *key) {
                Some(check) => HealthCheck {
                    key: (*key).to_owned(),
                    label: (*label).to_owned(),
                    state: CheckState::parse(&check.state).unwrap_or(CheckState::Unknown),
                    since: Some(rfc3339_ms(check.since)),
                    detail: check.detail.clone(),
                },
                None => HealthCheck {
                    key: (*key).to_owned(),
                    label: (*label).to_owned(),
                    state: CheckState::Unknown,
                    since: None,
                    detail: "No poll has finished yet".to_owned(),
                },
            })
            .collect();
        let mut alarm = store.alarm(id).await.map_err(store_error(context))?;
        if alarm.is_none() {
            // Not evaluated yet (the monitor's next tick would): evaluate it now.
            self.monitor
                .evaluate(id)
                .await
                .map_err(store_error(context))?;
            alarm = store.alarm(id).await.map_err(store_error(context))?;
        }
        let history = store
            .alarm_history(id, HISTORY)
            .await
            .map_err(store_error(context))?
            .into_iter()
            .map(|t| AlarmTransition {
                state: AlarmState::parse(&t.state).unwrap_or(AlarmState::InsufficientData),
                at: rfc3339_ms(t.at),
                reason: t.reason,
            })
            .collect();
        let attempts = store
            .recent_attempts(id, HISTORY)
            .await
            .map_err(store_error(context))?
            .into_iter()
            .map(poll_attempt)
            .collect();
        let open_alerts = self
            .list_alerts(AlertFilter {
                state: Some(AlertState::Open),
                min_severity: None,
                source_id: Some(id),
                rule_id: None,
            })
            .await?;
        Ok(SourceHealthDetail {
            checks,
            alarm: AlarmStatus {
                state: alarm
                    .as_ref()
                    .and_then(|a| AlarmState::parse(&a.state))
                    .unwrap_or(AlarmState::InsufficientData),
                since: alarm.as_ref().map(|a| rfc3339_ms(a.since)),
                threshold_minutes: source.no_events_minutes.max(0) as u32,
                last_event_stored_at: status
                    .and_then(|s| s.last_event_received_at)
                    .map(rfc3339_ms),
                reason: alarm.map(|a| a.reason).unwrap_or_default(),
                history,
            },
            attempts,
            open_alerts,
        })
    }

    /// Alerts matching `filter`, most recent activity first (at most 500).
    pub async fn list_alerts(&self, filter: AlertFilter) -> Result<Vec<AlertSummary>, AppError> {
        let rows = self
            .store
            .alerts(&AlertQuery {
                state: filter.state.map(AlertState::as_str),
                min_severity: filter.min_severity,
                source_id: filter.source_id,
                rule_id: filter.rule_id,
                limit: ALERTS_LISTED,
            })
            .await
            .map_err(store_error("list_alerts"))?;
        Ok(rows.iter().map(alert_summary).collect())
    }

    pub async fn alert_detail(&self, id: i64) -> Result<AlertDetail, AppError> {
        let context = "alert_detail";
        let row = self
            .store
            .alert(id)
            .await
            .map_err(store_error(context))?
            .ok_or_else(|| AppError::NotFound(format!("Alert {id}")))?;
        let deliveries = self
            .store
            .deliveries_of(id)
            .await
            .map_err(store_error(context))?
            .into_iter()
            .map(delivery)
            .collect();
        let detection = match &row.dedup {
            None => None,
            Some(dedup) => Some(DetectionFacts {
                dedup: dedup.clone(),
                alert_context: row
                    .alert_context
                    .as_deref()
                    .and_then(|c| serde_json::from_str::<serde_json::Value>(c).ok())
                    .and_then(|c| serde_json::to_string_pretty(&c).ok())
                    .unwrap_or_default(),
                runbook: row.runbook.clone().unwrap_or_default(),
                reference: row.reference.clone().unwrap_or_default(),
                samples: self
                    .store
                    .alert_samples(id, ALERT_SAMPLES)
                    .await
                    .map_err(store_error(context))?
                    .into_iter()
                    .map(super::detections::match_row)
                    .collect(),
            }),
        };
        Ok(AlertDetail {
            summary: alert_summary(&row),
            description: row.description,
            context: serde_json::from_str(&row.context).unwrap_or_default(),
            resolved_at: row.resolved_at.map(rfc3339_ms),
            resolved_how: row.resolved_how,
            deliveries,
            detection,
        })
    }

    /// Resolves an open alert by hand (destinations are told); a resolved one stays as it is.
    pub async fn resolve_alert(&self, id: i64) -> Result<(), AppError> {
        let context = "resolve_alert";
        if self
            .store
            .alert(id)
            .await
            .map_err(store_error(context))?
            .is_none()
        {
            return Err(AppError::NotFound(format!("Alert {id}")));
        }
        self.alerts
            .resolve(AlertSelector::Id(id), Resolution::Manually)
            .await
            .map_err(store_error(context))?;
        Ok(())
    }

    pub async fn list_destinations(&self) -> Result<Vec<Destination>, AppError> {
        let rows = self
            .store
            .destinations()
            .await
            .map_err(store_error("list_destinations"))?;
        Ok(rows
            .into_iter()
            .map(|row| Destination {
                id: row.id,
                signed: row.secret_ciphertext.is_some(),
                min_severity: Severity::parse(&row.min_severity).unwrap_or(Severity::Info),
                enabled: row.enabled,
                delivered: row.delivered,
                failed: row.failed,
                pending: row.pending,
                last_delivery_at: row.last_delivery_at.map(rfc3339_ms),
                last_error: row.last_error,
                last_error_at: row.last_error_at.map(rfc3339_ms),
                name: row.name,
                url: row.url,
            })
            .collect())
    }

    /// Creates (`id` None) or updates a destination. An empty secret keeps the current one;
    /// `clear_secret` removes it. The secret is sealed and never returned.
    pub async fn save_destination(
        &self,
        id: Option<i64>,
        input: DestinationInput,
    ) -> Result<i64, AppError> {
        let context = "save_destination";
        let valid = input.validate().map_err(AppError::Fields)?;
        // The SSRF guard, in words on the form; the delivery checks again when it sends.
        if !self.config.allow_private_webhooks {
            if let Err(refused) = address::check_url(&valid.url).await {
                return Err(AppError::Fields(vec![FieldError {
                    field: "url".into(),
                    problem: FieldProblem::new(format!("{refused}.")),
                }]));
            }
        }
        let write = DestinationWrite {
            name: &valid.name,
            url: &valid.url,
            min_severity: valid.min_severity,
            enabled: valid.enabled,
        };
        let sealed = (!valid.secret.is_empty()).then(|| {
            self.secrets
                .seal(Purpose::WebhookSecret, &Secret::new(valid.secret.clone()))
        });
        let now = now_ms();
        let saved = match id {
            None => self.store.insert_destination(&write, sealed, now).await,
            Some(id) => {
                let secret = match (sealed, valid.clear_secret) {
                    (Some(sealed), _) => SecretChange::Set(sealed),
                    (None, true) => SecretChange::Clear,
                    (None, false) => SecretChange::Keep,
                };
                match self.store.update_destination(id, &write, secret, now).await {
                    Ok(true) => Ok(id),
                    Ok(false) => return Err(AppError::NotFound(format!("Destination {id}"))),
                    Err(e) => Err(e),
                }
            }
        };
        match saved {
            Ok(id) => {
                tracing::info!(destination.id = id, "destination saved");
                Ok(id)
            }
            Err(StoreError::Conflict(message)) => Err(AppError::Fields(vec![FieldError {
                field: "name".into(),
                problem: FieldProblem::new(format!("{message}; choose another name.")),
            }])),
            Err(e) => Err(internal(context, e)),
        }
    }

    /// Removes a destination; its past deliveries keep its name, pending ones fail.
    pub async fn delete_destination(&self, id: i64) -> Result<(), AppError> {
        if self
            .store
            .delete_destination(id, now_ms())
            .await
            .map_err(store_error("delete_destination"))?
        {
            tracing::info!(destination.id = id, "destination deleted");
            Ok(())
        } else {
            Err(AppError::NotFound(format!("Destination {id}")))
        }
    }

    /// Sends one test message now (no alert is created) and says what happened.
    pub async fn test_destination(&self, id: i64) -> Result<TestDelivery, AppError> {
        let row = self
            .store
            .destination(id)
            .await
            .map_err(store_error("test_destination"))?
            .ok_or_else(|| AppError::NotFound(format!("Destination {id}")))?;
        let secret = match &row.secret_ciphertext {
            Some(sealed) => match self.secrets.open(Purpose::WebhookSecret, sealed) {
                Ok(secret) => Some(secret),
                Err(_) => {
                    return Ok(TestDelivery {
                        ok: false,
                        message: "The stored secret cannot be decrypted (was the server's key replaced?); save a new secret.".into(),
                    })
                }
            },
            None => None,
        };
        let now = now_ms();
        let body = webhook::test_payload(&row.name, now);
        let answer = self
            .webhooks
            .post(&row.url, &body, &format!("test-{now}"), secret.as_ref())
            .await;
        Ok(match answer {
            Ok(sent) => TestDelivery {
                ok: true,
                message: format!(
                    "Delivered: {} answered HTTP {} in {} ms{}.",
                    sent.host,
                    sent.status,
                    sent.elapsed_ms,
                    if secret.is_some() { ", signed" } else { "" }
                ),
            },
            Err(e) => TestDelivery {
                ok: false,
                message: format!("Not delivered: {e}."),
            },
        })
    }
}

fn alert_summary(row: &AlertRow) -> AlertSummary {
    AlertSummary {
        id: row.id,
        rule_id: row.rule_id.clone(),
        severity: Severity::parse(&row.severity).unwrap_or(Severity::Critical),
        state: AlertState::parse(&row.state).unwrap_or(AlertState::Open),
        title: row.title.clone(),
        source_id: row.source_id,
        source_name: row.source_name.clone(),
        first_seen: rfc3339_ms(row.first_seen),
        last_seen: rfc3339_ms(row.last_seen),
        occurrences: row.occurrences,
        failed_deliveries: row.failed_deliveries,
    }
}

fn delivery(row: DeliveryRow) -> Delivery {
    let state = DeliveryState::parse(&row.state).unwrap_or(DeliveryState::Pending);
    Delivery {
        id: row.id,
        destination_id: row.destination_id,
        destination_name: row.destination_name,
        change: row.change,
        state,
        attempts: row.attempts,
        last_attempt_at: row.last_attempt_at.map(rfc3339_ms),
        next_attempt_at: row
            .next_attempt_at
            .filter(|_| state == DeliveryState::Pending)
            .map(rfc3339_ms),
        last_error: row.last_error,
    }
}

/// One poll attempt, its failure in words with Okta's code.
fn poll_attempt(row: AttemptRow) -> PollAttempt {
    let error = match (row.error_summary, row.error_code, row.error_class) {
        (Some(summary), Some(code), _) if !code.is_empty() && !summary.contains(&code) => {
            Some(format!("{summary} ({code})"))
        }
        (Some(summary), _, _) => Some(summary),
        (None, _, Some(class)) => Some(format!("The poll failed ({class} error)")),
        (None, _, None) => None,
    };
    PollAttempt {
        started_at: rfc3339_ms(row.started_at),
        duration_ms: row.duration_ms,
        outcome: row.outcome,
        requests: row.requests,
        pages: row.pages,
        events: row.events,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempt_errors_carry_okta_s_code_once() {
        let row = |summary: Option<&str>, code: Option<&str>| AttemptRow {
            started_at: 0,
            duration_ms: 5,
            outcome: "failed".into(),
            requests: 1,
            pages: 0,
            events: 0,
            error_class: Some("auth".into()),
            error_code: code.map(str::to_owned),
            error_summary: summary.map(str::to_owned),
        };
        assert_eq!(
            poll_attempt(row(
                Some("Okta rejected the token (E0000011: Invalid token provided)"),
                Some("E0000011")
            ))
            .error
            .as_deref(),
            Some("Okta rejected the token (E0000011: Invalid token provided)")
        );
        assert_eq!(
            poll_attempt(row(Some("Okta's rate limit was reached"), Some("E0000047")))
                .error
                .as_deref(),
            Some("Okta's rate limit was reached (E0000047)")
        );
        assert_eq!(
            poll_attempt(row(None, None)).error.as_deref(),
            Some("The poll failed (auth error)")
        );
    }
}
