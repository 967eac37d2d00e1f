//! The [`Monitor`]: evaluates every source's no-events alarm on a tick and right after each
//! poll, writes the health checks after each poll, and raises and resolves the system alerts
//! about sources (no events, credentials, classification bursts).

use std::{sync::Arc, time::Duration};

use app::model::{alert::system_rules, alert::Severity, health::AlarmState};
use tokio::{
    sync::{Mutex, MutexGuard},
    task::JoinHandle,
};

use super::{
    checks::{self, CycleFacts, CLASSIFICATION_BURST},
    no_events::{decide, rfc3339, threshold_words, Activity, AlarmDecision, AlarmFacts},
};
use crate::{
    alerts::{AlertRaise, Alerts, Resolution},
    ingest::poller::{CycleFailure, CycleReport},
    okta::OktaError,
    store::{now_ms, AlarmRow, AlarmWrite, AlertSelector, SourceRow, StatusRow, Store, StoreError},
};

/// The tick's bounds: at most 15 s late on a real clock, never busier than 20 times a second.
const TICK_MAX: Duration = Duration::from_secs(15);
const TICK_MIN: Duration = Duration::from_millis(50);

#[derive(Debug)]
pub struct Monitor {
    store: Store,
    alerts: Alerts,
    /// How long one threshold minute lasts (60 s; shorter in tests).
    minute_ms: i64,
    /// One evaluation at a time: the tick, the pollers' after-cycle updates and source removal
    /// never interleave (no duplicate transitions, no alert raised for a deleted source).
    lock: Mutex<()>,
}

impl Monitor {
    pub fn new(store: Store, alerts: Alerts, minute: Duration) -> Arc<Self> {
        Arc::new(Self {
            store,
            alerts,
            minute_ms: minute.as_millis().max(1) as i64,
            lock: Mutex::new(()),
        })
    }

    /// A quarter of an alarm minute, within [50 ms, 15 s]: independent of any threshold.
    pub fn tick(&self) -> Duration {
        (Duration::from_millis(self.minute_ms as u64) / 4).clamp(TICK_MIN, TICK_MAX)
    }

    /// Evaluates every source each tick until aborted (at shutdown).
    pub fn spawn(self: &Arc<Self>) -> JoinHandle<()> {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                if let Err(e) = this.sweep().await {
                    tracing::warn!(error = %e, "evaluating the no-events alarms failed");
                }
                tokio::time::sleep(this.tick()).await;
            }
        })
    }

    /// Holds off every evaluation while the guard lives (source removal).
    pub async fn exclusive(&self) -> MutexGuard<'_, ()> {
        self.lock.lock().await
    }

    /// Evaluates every source's alarm once.
    pub async fn sweep(&self) -> Result<(), StoreError> {
        let _guard = self.lock.lock().await;
        let sources = self.store.sources().await?;
        let statuses = self.store.statuses().await?;
        let alarms = self.store.alarms().await?;
        for source in &sources {
            let status = statuses.iter().find(|s| s.source_id == source.id);
            let alarm = alarms.iter().find(|a| a.source_id == source.id);
            self.apply(source, status, alarm, None).await?;
        }
        self.store.mark_alarms_evaluated(now_ms()).await
    }

    /// Restarts the source's threshold from now (it started polling, or its alarm settings
    /// changed), then evaluates it.
    pub async fn arm(&self, source_id: i64) -> Result<(), StoreError> {
        self.evaluate_with(source_id, Some(now_ms())).await
    }

    /// Evaluates one source's alarm now (after a pause, a settings change, a poll).
    pub async fn evaluate(&self, source_id: i64) -> Result<(), StoreError> {
        self.evaluate_with(source_id, None).await
    }

    async fn evaluate_with(&self, source_id: i64, armed_at: Option<i64>) -> Result<(), StoreError> {
        let _guard = self.lock.lock().await;
        self.evaluate_locked(source_id, armed_at).await
    }

    async fn evaluate_locked(
        &self,
        source_id: i64,
        armed_at: Option<i64>,
    ) -> Result<(), StoreError> {
        let Some(source) = self.store.source(source_id).await? else {
            return Ok(());
        };
        let status = self.store.status(source_id).await?;
        let alarm = self.store.alarm(source_id).await?;
        self.apply(&source, status.as_ref(), alarm.as_ref(), armed_at)
            .await
            .map(|_| ())
    }

    /// After a poll cycle: the checks, the credentials and classification alerts, then the
    /// alarm (so recovery shows at once, not at the next tick).
    pub async fn after_cycle(
        &self,
        source: &SourceRow,
        report: &CycleReport,
    ) -> Result<(), StoreError> {
        let _guard = self.lock.lock().await;
        let now = now_ms();
        let status = self.store.status(source.id).await?;
        let last_hour = self
            .store
            .health_totals(source.id, now / 60_000 - 59)
            .await?
            .classification_failures;
        let refusal = report.failure.as_ref().and_then(refusal);
        let facts = CycleFacts {
            auth_failure: refusal.as_ref().map(|r| r.words.clone()),
            failed: report.failure.is_some(),
            classification_failures_last_hour: last_hour,
            rate_limited: report.rate_limited,
            rate: status
                .as_ref()
                .and_then(|s| Some((s.rate_limit_limit?, s.rate_limit_remaining?))),
        };
        self.store
            .record_checks(source.id, &checks::after_cycle(&facts), now)
            .await?;

        let credentials = Alerts::system_key(system_rules::CREDENTIALS, source.id);
        match (&refusal, &report.failure) {
            (Some(refusal), _) => {
                self.alerts
                    .raise(&credentials_alert(source, refusal, credentials))
                    .await?;
            }
            (None, None) => {
                self.alerts
                    .resolve(
                        AlertSelector::DedupKey(&credentials),
                        Resolution::Automatically,
                    )
                    .await?;
            }
            (None, Some(_)) => {}
        }
        let classification = Alerts::system_key(system_rules::CLASSIFICATION, source.id);
        if last_hour >= CLASSIFICATION_BURST && report.quarantined > 0 {
            self.alerts
                .raise(&classification_alert(
                    source,
                    last_hour,
                    report.quarantined,
                    classification,
                ))
                .await?;
        } else if last_hour == 0 {
            self.alerts
                .resolve(
                    AlertSelector::DedupKey(&classification),
                    Resolution::Automatically,
                )
                .await?;
        }

        let alarm = self.store.alarm(source.id).await?;
        self.apply(source, status.as_ref(), alarm.as_ref(), None)
            .await
            .map(|_| ())
    }

    /// Decides the alarm's state and writes what changed: the state (with a transition), the
    /// `receiving_data` check, the no-events alert.
    async fn apply(
        &self,
        source: &SourceRow,
        status: Option<&StatusRow>,
        current: Option<&AlarmRow>,
        armed_at: Option<i64>,
    ) -> Result<AlarmDecision, StoreError> {
        let now = now_ms();
        let armed_at = armed_at
            .or(current.map(|c| c.armed_at))
            .unwrap_or(source.created_at);
        let last_stored_at = status.and_then(|s| s.last_event_received_at);
        let decision = decide(&AlarmFacts {
            now_ms: now,
            alarm_on: source.no_events_alarm,
            threshold_minutes: source.no_events_minutes.clamp(1, u32::MAX as i64) as u32,
            minute_ms: self.minute_ms,
            activity: activity(source),
            armed_at,
            last_stored_at,
        });
        let unchanged = current.is_some_and(|c| {
            c.state == decision.state.as_str()
                && c.reason == decision.reason
                && c.armed_at == armed_at
        });
        if !unchanged {
            let changed = self
                .store
                .record_alarm(&AlarmWrite {
                    source_id: source.id,
                    state: decision.state.as_str(),
                    reason: &decision.reason,
                    armed_at,
                    at: now,
                })
                .await?;
            if let Some(previous) = changed {
                tracing::info!(
                    source.id = source.id,
                    alarm.from = previous.as_deref().unwrap_or("-"),
                    alarm.to = decision.state.as_str(),
                    "no-events alarm: {}",
                    decision.reason
                );
                let key = Alerts::system_key(system_rules::NO_EVENTS, source.id);
                if decision.state == AlarmState::Alarm {
                    self.alerts
                        .raise(&no_events_alert(source, last_stored_at, armed_at, key))
                        .await?;
                } else {
                    self.alerts
                        .resolve(AlertSelector::DedupKey(&key), Resolution::Automatically)
                        .await?;
                }
            }
        }
        // With the alarm off, the check still follows whether events arrived in the last day.
        if !unchanged || decision.state == AlarmState::Disabled {
            let day_ago = now - 24 * 60 * self.minute_ms;
            let stored_last_day = last_stored_at.is_some_and(|at| at >= day_ago);
            self.store
                .record_checks(
                    source.id,
                    &[checks::receiving_data(
                        decision.state,
                        &decision.reason,
                        stored_last_day,
                    )],
                    now,
                )
                .await?;
        }
        Ok(decision)
    }
}

fn activity(source: &SourceRow) -> Activity {
    if !source.setup_complete {
        Activity::SetupUnfinished
    } else if !source.enabled {
        Activity::Paused
    } else {
        Activity::Polling
    }
}

/// Okta's refusal of the token, as the credentials check and alert tell it.
struct Refusal {
    status: u16,
    code: String,
    summary: String,
    words: String,
}

fn refusal(failure: &CycleFailure) -> Option<Refusal> {
    let CycleFailure::Okta(error) = failure else {
        return None;
    };
    let (status, code, summary) = match error {
        OktaError::Unauthorized { code, summary } => (401, code, summary),
        OktaError::Forbidden { code, summary } => (403, code, summary),
        _ => return None,
    };
    Some(Refusal {
        status,
        code: code.clone(),
        summary: summary.clone(),
        words: error.to_string(),
    })
}

fn host(source: &SourceRow) -> String {
    format!("{}.{}", source.subdomain, source.domain)
}

fn pairs(items: &[(&str, String)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(label, value)| ((*label).to_owned(), value.clone()))
        .collect()
}

fn credentials_alert(source: &SourceRow, refusal: &Refusal, key: String) -> AlertRaise {
    let title = if refusal.status == 403 {
        format!("The token for {} lacks permission", source.name)
    } else {
        format!("Okta rejected the token for {}", source.name)
    };
    AlertRaise {
        rule_id: system_rules::CREDENTIALS.into(),
        dedup_key: key,
        severity: Severity::Critical,
        title,
        description: format!(
            "{} answered HTTP {} ({}) to a System Log request, so no events are collected. \
             Replace the token on the source's Settings tab (a read-only administrator's token \
             is enough). This alert resolves itself with the next successful poll.",
            host(source),
            refusal.status,
            if refusal.code.is_empty() {
                refusal.summary.clone()
            } else {
                format!("{}: {}", refusal.code, refusal.summary)
            },
        ),
        context: pairs(&[
            ("Source", source.name.clone()),
            ("Org", host(source)),
            ("HTTP status", refusal.status.to_string()),
            ("Okta error code", refusal.code.clone()),
            ("Okta error", refusal.summary.clone()),
        ]),
        source: Some((source.id, source.name.clone())),
    }
}

fn classification_alert(
    source: &SourceRow,
    last_hour: i64,
    last_poll: u64,
    key: String,
) -> AlertRaise {
    AlertRaise {
        rule_id: system_rules::CLASSIFICATION.into(),
        dedup_key: key,
        severity: Severity::High,
        title: format!("Events from {} are failing classification", source.name),
        description: format!(
            "{last_hour} events from {} failed classification in the last hour. They are kept \
             in quarantine with the reason, not lost, but no detection sees them. This alert \
             resolves itself once an hour passes without failures.",
            source.name
        ),
        context: pairs(&[
            ("Source", source.name.clone()),
            ("Org", host(source)),
            ("Failed in the last hour", last_hour.to_string()),
            ("Failed in the last poll", last_poll.to_string()),
        ]),
        source: Some((source.id, source.name.clone())),
    }
}

fn no_events_alert(
    source: &SourceRow,
    last_stored_at: Option<i64>,
    armed_at: i64,
    key: String,
) -> AlertRaise {
    let threshold = threshold_words(source.no_events_minutes.max(1) as u32);
    AlertRaise {
        rule_id: system_rules::NO_EVENTS.into(),
        dedup_key: key,
        severity: Severity::Critical,
        title: format!("No events from {} for {threshold}", source.name),
        description: format!(
            "Gatehouse stored no events from {} ({}) for {threshold}. Check the source's Health \
             tab: a failing poll, a revoked token, or an org that logs nothing. This alert \
             resolves itself when events arrive again.",
            source.name,
            host(source)
        ),
        context: pairs(&[
            ("Source", source.name.clone()),
            ("Org", host(source)),
            ("Threshold", threshold.clone()),
            (
                "Last event stored",
                last_stored_at.map_or_else(|| "never".to_owned(), rfc3339),
            ),
            ("Alarm armed", rfc3339(armed_at)),
        ]),
        source: Some((source.id, source.name.clone())),
    }
}
