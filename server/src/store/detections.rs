//! Detections' SQL: per-source pack and rule switches, custom rules, the detection cursor, and
//! one detection batch (matches, grouping, alerts, rule errors, cursor) committed in ONE
//! transaction, so a crash never raises an alert twice or loses a match.

use app::model::alert::{system_rules, Severity};
use serde_json::Value;
use sqlx::SqliteConnection;

use super::{
    alerts::{queue_deliveries, raise_alert_in, AlertRow, NewAlert, PayloadFn},
    Store, StoreError,
};

/// The switches the detection worker reads before each batch.
#[derive(Debug, Clone, Default)]
pub struct DetectionSwitches {
    /// `(source id, pack id)` enabled.
    pub packs: Vec<(i64, String)>,
    /// `(source id, rule id)` switched off.
    pub disabled: Vec<(i64, String)>,
    /// `(id, name)` of every source.
    pub sources: Vec<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CustomRuleRow {
    pub rule_id: String,
    pub display_name: String,
    pub description: String,
    pub body: String,
    pub severity: String,
    pub dedup_period_minutes: i64,
    pub threshold: i64,
    pub runbook: String,
    pub reference: String,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

const CUSTOM_COLUMNS: &str = "rule_id, display_name, description, body, severity,
    dedup_period_minutes, threshold, runbook, reference, enabled, created_at, updated_at";

/// One stored event to run the rules on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredEvent {
    pub id: i64,
    pub source_id: i64,
    pub data: String,
}

/// A rule's match on one event, with what the alert needs.
#[derive(Debug, Clone)]
pub struct MatchWrite {
    pub source_id: i64,
    pub source_name: String,
    pub event_id: i64,
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub dedup: String,
    pub dedup_period_minutes: u32,
    pub threshold: u32,
    /// Signals are recorded, never grouped into alerts.
    pub signal: bool,
    pub description: String,
    /// `alert_context(event)`.
    pub context: Value,
    pub runbook: String,
    pub reference: String,
    /// The rule's `destinations(event)`, when it has one.
    pub destinations: Option<Vec<String>>,
}

/// A rule that failed on one event.
#[derive(Debug, Clone)]
pub struct RuleFailure {
    pub rule_id: String,
    pub source_id: i64,
    pub source_name: String,
    pub event_id: i64,
    pub message: String,
}

/// What one batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub matches: usize,
    pub alerts_opened: usize,
    pub deliveries_queued: usize,
    pub errors: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RuleErrorRow {
    pub rule_id: String,
    pub errors: i64,
    pub last_error: String,
    pub last_error_at: i64,
}

/// A recorded match with the event's facts, for a rule's page and an alert's samples.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MatchRow {
    pub event_id: i64,
    pub matched_at: i64,
    pub source_name: Option<String>,
    pub event_type: Option<String>,
    pub actor: Option<String>,
    pub alert_id: Option<i64>,
}

impl Store {
    pub async fn detection_switches(&self) -> Result<DetectionSwitches, StoreError> {
        let pool = self.pool();
        Ok(DetectionSwitches {
            packs: sqlx::query_as("SELECT source_id, pack_id FROM source_packs")
                .fetch_all(pool)
                .await?,
            disabled: sqlx::query_as("SELECT source_id, rule_id FROM source_disabled_rules")
                .fetch_all(pool)
                .await?,
            sources: sqlx::query_as("SELECT id, name FROM sources ORDER BY name COLLATE NOCASE")
                .fetch_all(pool)
                .await?,
        })
    }

    pub async fn set_pack_enabled(
        &self,
        source_id: i64,
        pack_id: &str,
        enabled: bool,
    ) -> Result<(), StoreError> {
        let sql = if enabled {
            "INSERT OR IGNORE INTO source_packs (source_id, pack_id) VALUES (?, ?)"
        } else {
            "DELETE FROM source_packs WHERE source_id = ? AND pack_id = ?"
        };
        sqlx::query(sql)
            .bind(source_id)
            .bind(pack_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn set_rule_enabled(
        &self,
        source_id: i64,
        rule_id: &str,
        enabled: bool,
    ) -> Result<(), StoreError> {
        let sql = if enabled {
            "DELETE FROM source_disabled_rules WHERE source_id = ? AND rule_id = ?"
        } else {
            "INSERT OR IGNORE INTO source_disabled_rules (source_id, rule_id) VALUES (?, ?)"
        };
        sqlx::query(sql)
            .bind(source_id)
            .bind(rule_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    pub async fn custom_rules(&self) -> Result<Vec<CustomRuleRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CUSTOM_COLUMNS} FROM custom_rules ORDER BY rule_id"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn custom_rule(&self, rule_id: &str) -> Result<Option<CustomRuleRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CUSTOM_COLUMNS} FROM custom_rules WHERE rule_id = ?"
        ))
        .bind(rule_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Creates a rule (`original` None) or replaces `original` (which may rename it: its
    /// per-source switches follow the new id). `Ok(false)` when `original` does not exist.
    pub async fn save_custom_rule(
        &self,
        original: Option<&str>,
        rule: &CustomRuleRow,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let conflict = |e| {
            StoreError::conflict_on_unique(e, format!("a rule with id {} exists", rule.rule_id))
        };
        let bind = |sql: &'static str| {
            sqlx::query(sql)
                .bind(&rule.rule_id)
                .bind(&rule.display_name)
                .bind(&rule.description)
                .bind(&rule.body)
                .bind(&rule.severity)
                .bind(rule.dedup_period_minutes)
                .bind(rule.threshold)
                .bind(&rule.runbook)
                .bind(&rule.reference)
                .bind(rule.enabled)
                .bind(rule.updated_at)
        };
        match original {
            None => {
                bind(
                    "INSERT INTO custom_rules (rule_id, display_name, description, body, severity,
                         dedup_period_minutes, threshold, runbook, reference, enabled, updated_at,
                         created_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(rule.created_at)
                .execute(&mut *tx)
                .await
                .map_err(conflict)?;
            }
            Some(original) => {
                let done = bind(
                    "UPDATE custom_rules SET rule_id = ?, display_name = ?, description = ?,
                         body = ?, severity = ?, dedup_period_minutes = ?, threshold = ?,
                         runbook = ?, reference = ?, enabled = ?, updated_at = ?
                     WHERE rule_id = ?",
                )
                .bind(original)
                .execute(&mut *tx)
                .await
                .map_err(conflict)?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                if original != rule.rule_id {
                    sqlx::query("UPDATE source_disabled_rules SET rule_id = ? WHERE rule_id = ?")
                        .bind(&rule.rule_id)
                        .bind(original)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    pub async fn delete_custom_rule(&self, rule_id: &str) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM custom_rules WHERE rule_id = ?")
            .bind(rule_id)
            .execute(&mut *tx)
            .await?;
        for sql in [
            "DELETE FROM source_disabled_rules WHERE rule_id = ?",
            "DELETE FROM rule_errors WHERE rule_id = ?",
        ] {
            sqlx::query(sql).bind(rule_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn detection_cursor(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT last_event_id FROM detection_state WHERE id = 1")
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// The next stored events after the cursor, oldest first.
    pub async fn events_after(
        &self,
        cursor: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, source_id, data FROM events WHERE id > ? ORDER BY id LIMIT ?",
        )
        .bind(cursor)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Records a batch's matches and failures, groups matches into alerts (dedup period and
    /// threshold), queues their deliveries and moves the cursor to `last_event_id`, all in one
    /// transaction. `now` is the processing time: dedup periods count from it, as Panther's do.
    ///
    /// `from` is the cursor the batch was read after: when another worker moved it meanwhile,
    /// nothing is written and `Ok(None)` says so (the batch was someone else's).
    pub async fn commit_detections(
        &self,
        from: i64,
        last_event_id: i64,
        matches: &[MatchWrite],
        failures: &[RuleFailure],
        now: i64,
        payload: PayloadFn<'_>,
    ) -> Result<Option<BatchOutcome>, StoreError> {
        let mut tx = self.write_tx().await?;
        let claimed = sqlx::query(
            "UPDATE detection_state SET last_event_id = ? WHERE id = 1 AND last_event_id = ?",
        )
        .bind(last_event_id)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            return Ok(None);
        }
        let mut outcome = BatchOutcome {
            matches: matches.len(),
            errors: failures.len(),
            ..BatchOutcome::default()
        };
        for m in matches {
            let (opened, queued) = record_match(&mut tx, m, now, payload).await?;
            outcome.alerts_opened += usize::from(opened);
            outcome.deliveries_queued += queued;
        }
        for f in failures {
            outcome.deliveries_queued += record_failure(&mut tx, f, now, payload).await?;
        }
        tx.commit().await?;
        Ok(Some(outcome))
    }

    /// Matches per rule since `since` (ms), every source.
    pub async fn match_counts_since(&self, since: i64) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT rule_id, COUNT(*) FROM detection_matches WHERE matched_at >= ? GROUP BY rule_id",
        )
        .bind(since)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn rule_errors(&self) -> Result<Vec<RuleErrorRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT rule_id, errors, last_error, last_error_at FROM rule_errors ORDER BY rule_id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// A rule's latest matches, newest first.
    pub async fn rule_matches(
        &self,
        rule_id: &str,
        limit: i64,
    ) -> Result<Vec<MatchRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "{MATCH_SELECT} WHERE m.rule_id = ? ORDER BY m.matched_at DESC, m.id DESC LIMIT ?"
        ))
        .bind(rule_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// An alert's first matching events.
    pub async fn alert_samples(
        &self,
        alert_id: i64,
        limit: i64,
    ) -> Result<Vec<MatchRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "{MATCH_SELECT} WHERE m.alert_id = ? ORDER BY m.event_id LIMIT ?"
        ))
        .bind(alert_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}

const MATCH_SELECT: &str = "SELECT m.event_id, m.matched_at, s.name AS source_name,
        e.event_type, e.actor_alternate_id AS actor, m.alert_id
    FROM detection_matches m
    LEFT JOIN sources s ON s.id = m.source_id
    LEFT JOIN events e ON e.id = m.event_id";

/// One match: into its group (opening a group when none is current), then into the group's
/// alert, opening the alert when the group reaches the threshold. Returns (alert opened,
/// deliveries queued).
async fn record_match(
    tx: &mut SqliteConnection,
    m: &MatchWrite,
    now: i64,
    payload: PayloadFn<'_>,
) -> Result<(bool, usize), StoreError> {
    if m.signal {
        sqlx::query(
            "INSERT INTO detection_matches (source_id, rule_id, event_id, matched_at)
             VALUES (?, ?, ?, ?)",
        )
        .bind(m.source_id)
        .bind(&m.rule_id)
        .bind(m.event_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        return Ok((false, 0));
    }
    let current: Option<(i64, i64, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, window_start, events, threshold, alert_id FROM detection_groups
         WHERE source_id = ? AND rule_id = ? AND dedup = ? AND window_end > ?
         ORDER BY window_end DESC LIMIT 1",
    )
    .bind(m.source_id)
    .bind(&m.rule_id)
    .bind(&m.dedup)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let (group_id, first_seen, events, threshold, alert_id) = match current {
        Some((id, start, events, threshold, alert_id)) => {
            (id, start, events + 1, threshold, alert_id)
        }
        None => {
            let id = sqlx::query_scalar(
                "INSERT INTO detection_groups (source_id, rule_id, dedup, window_start, window_end,
                     threshold, events)
                 VALUES (?, ?, ?, ?, ?, ?, 0) RETURNING id",
            )
            .bind(m.source_id)
            .bind(&m.rule_id)
            .bind(&m.dedup)
            .bind(now)
            .bind(now + i64::from(m.dedup_period_minutes) * 60_000)
            .bind(i64::from(m.threshold.max(1)))
            .fetch_one(&mut *tx)
            .await?;
            (id, now, 1, i64::from(m.threshold.max(1)), None)
        }
    };
    sqlx::query("UPDATE detection_groups SET events = ? WHERE id = ?")
        .bind(events)
        .bind(group_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO detection_matches (source_id, rule_id, event_id, matched_at, group_id, alert_id)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(m.source_id)
    .bind(&m.rule_id)
    .bind(m.event_id)
    .bind(now)
    .bind(group_id)
    .bind(alert_id)
    .execute(&mut *tx)
    .await?;

    if let Some(alert_id) = alert_id {
        // The group's alert is open or was resolved: either way the event belongs to it.
        sqlx::query("UPDATE alerts SET occurrences = ?, last_seen = ? WHERE id = ?")
            .bind(events)
            .bind(now)
            .bind(alert_id)
            .execute(&mut *tx)
            .await?;
        return Ok((false, 0));
    }
    if events < threshold {
        return Ok((false, 0));
    }
    let alert = sqlx::query_as::<_, AlertRow>(&format!(
        "INSERT INTO alerts (rule_id, dedup_key, severity, state, title, description, context,
             source_id, source_name, first_seen, last_seen, occurrences, dedup, alert_context,
             runbook, reference)
         VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {}",
        super::alerts::ALERT_COLUMNS
    ))
    .bind(&m.rule_id)
    .bind(format!("{}:{}:{group_id}", m.rule_id, m.source_id))
    .bind(m.severity.as_str())
    .bind(&m.title)
    .bind(&m.description)
    .bind(
        serde_json::to_string(&[
            ("Rule", m.rule_id.clone()),
            (
                "Dedup period",
                format!("{} minutes", m.dedup_period_minutes),
            ),
            ("Threshold", format!("{} events", threshold)),
        ])
        .expect("string pairs serialize"),
    )
    .bind(m.source_id)
    .bind(&m.source_name)
    .bind(first_seen)
    .bind(now)
    .bind(events)
    .bind(&m.dedup)
    .bind(m.context.to_string())
    .bind(&m.runbook)
    .bind(&m.reference)
    .fetch_one(&mut *tx)
    .await?;
    for sql in [
        "UPDATE detection_groups SET alert_id = ? WHERE id = ?",
        "UPDATE detection_matches SET alert_id = ? WHERE group_id = ?",
    ] {
        sqlx::query(sql)
            .bind(alert.id)
            .bind(group_id)
            .execute(&mut *tx)
            .await?;
    }
    let only = m.destinations.as_deref();
    let queued = queue_deliveries(tx, &alert, "opened", now, payload, only).await?;
    Ok((true, queued))
}

/// One rule failure: counted on the rule, and raised as (or counted on) the rule's open
/// rule-error alert. Returns deliveries queued.
async fn record_failure(
    tx: &mut SqliteConnection,
    f: &RuleFailure,
    now: i64,
    payload: PayloadFn<'_>,
) -> Result<usize, StoreError> {
    sqlx::query(
        "INSERT INTO rule_errors (rule_id, errors, last_error, last_error_at, last_event_id)
         VALUES (?1, 1, ?2, ?3, ?4)
         ON CONFLICT (rule_id) DO UPDATE SET errors = errors + 1, last_error = ?2,
             last_error_at = ?3, last_event_id = ?4",
    )
    .bind(&f.rule_id)
    .bind(&f.message)
    .bind(now)
    .bind(f.event_id)
    .execute(&mut *tx)
    .await?;
    let context = serde_json::to_string(&[
        ("Rule", f.rule_id.clone()),
        ("Error", f.message.clone()),
        ("Event", f.event_id.to_string()),
    ])
    .expect("string pairs serialize");
    let change = raise_alert_in(
        tx,
        &NewAlert {
            rule_id: system_rules::RULE_ERROR,
            dedup_key: &format!("{}:{}", system_rules::RULE_ERROR, f.rule_id),
            severity: Severity::High,
            title: &format!("Rule {} failed", f.rule_id),
            description: &format!(
                "The rule raised an error instead of answering, so events it should have seen were not checked by it. Fix the rule (Detections), then resolve this alert. Last error: {}",
                f.message
            ),
            context: &context,
            source_id: Some(f.source_id),
            source_name: Some(&f.source_name),
        },
        now,
        payload,
    )
    .await?;
    Ok(change.queued)
}
