//! Alerts, webhook destinations and the delivery queue. An alert's change and the deliveries it
//! queues are written in ONE transaction, so no notification is lost or sent for a change that
//! did not happen.

use app::model::alert::Severity;
use sqlx::SqliteConnection;

use super::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AlertRow {
    pub id: i64,
    pub rule_id: String,
    pub dedup_key: String,
    pub severity: String,
    pub state: String,
    pub title: String,
    pub description: String,
    /// JSON array of `[label, value]`.
    pub context: String,
    pub source_id: Option<i64>,
    pub source_name: Option<String>,
    pub first_seen: i64,
    pub last_seen: i64,
    pub occurrences: i64,
    pub resolved_at: Option<i64>,
    pub resolved_how: Option<String>,
    /// Detection alerts: the dedup string, `alert_context()` JSON, runbook and reference.
    pub dedup: Option<String>,
    pub alert_context: Option<String>,
    pub runbook: Option<String>,
    pub reference: Option<String>,
    /// Deliveries that finally failed (filled by the listing queries only).
    #[sqlx(default)]
    pub failed_deliveries: i64,
}

pub(super) const ALERT_COLUMNS: &str =
    "id, rule_id, dedup_key, severity, state, title, description, context,
    source_id, source_name, first_seen, last_seen, occurrences, resolved_at, resolved_how, dedup,
    alert_context, runbook, reference";

/// `severity` as a number, lowest first (the order of [`Severity`]).
const SEVERITY_RANK: &str = "CASE severity WHEN 'INFO' THEN 0 WHEN 'LOW' THEN 1
    WHEN 'MEDIUM' THEN 2 WHEN 'HIGH' THEN 3 ELSE 4 END";

fn rank(severity: Severity) -> i64 {
    Severity::ALL
        .iter()
        .position(|s| *s == severity)
        .unwrap_or_default() as i64
}

/// An alert to raise.
#[derive(Debug, Clone)]
pub struct NewAlert<'a> {
    pub rule_id: &'a str,
    pub dedup_key: &'a str,
    pub severity: Severity,
    pub title: &'a str,
    pub description: &'a str,
    /// JSON array of `[label, value]`.
    pub context: &'a str,
    pub source_id: Option<i64>,
    pub source_name: Option<&'a str>,
}

/// Builds a delivery's JSON payload from the alert as changed and the change's name.
pub type PayloadFn<'a> = &'a (dyn Fn(&AlertRow, &str) -> String + Sync);

/// What raising or resolving did.
#[derive(Debug, Clone)]
pub struct AlertChange {
    pub alert: AlertRow,
    /// A new alert (not a repeat of an open one).
    pub opened: bool,
    /// Deliveries queued by this change.
    pub queued: usize,
}

/// Which open alerts to resolve.
#[derive(Debug, Clone, Copy)]
pub enum AlertSelector<'a> {
    DedupKey(&'a str),
    Id(i64),
    Source(i64),
}

/// Which alerts to list; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct AlertQuery {
    pub state: Option<&'static str>,
    pub min_severity: Option<Severity>,
    pub source_id: Option<i64>,
    pub rule_id: Option<String>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub alert_id: i64,
    pub destination_id: Option<i64>,
    pub destination_name: String,
    pub change: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub last_attempt_at: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DestinationRow {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub secret_ciphertext: Option<Vec<u8>>,
    pub min_severity: String,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    #[sqlx(default)]
    pub delivered: i64,
    #[sqlx(default)]
    pub failed: i64,
    #[sqlx(default)]
    pub pending: i64,
    #[sqlx(default)]
    pub last_delivery_at: Option<i64>,
    #[sqlx(default)]
    pub last_error: Option<String>,
    #[sqlx(default)]
    pub last_error_at: Option<i64>,
}

const DESTINATION_COLUMNS: &str =
    "id, name, url, secret_ciphertext, min_severity, enabled, created_at, updated_at";

/// A destination's settings as saved.
#[derive(Debug, Clone)]
pub struct DestinationWrite<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub min_severity: Severity,
    pub enabled: bool,
}

/// What to do with a destination's sealed secret on update.
#[derive(Debug, Clone)]
pub enum SecretChange {
    Keep,
    Set(Vec<u8>),
    Clear,
}

/// A pending delivery that is due, with where it goes (`url` is None once the destination was
/// deleted).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueDelivery {
    pub id: i64,
    pub alert_id: i64,
    pub payload: String,
    pub attempts: i64,
    pub destination_id: Option<i64>,
    pub url: Option<String>,
    pub secret_ciphertext: Option<Vec<u8>>,
    pub enabled: Option<bool>,
}

/// The result of one delivery attempt.
#[derive(Debug, Clone, Copy)]
pub enum AttemptResult<'a> {
    Delivered,
    /// Failed; try again at `next_at`.
    Retry {
        error: &'a str,
        next_at: i64,
    },
    /// Failed for the last time.
    Failed {
        error: &'a str,
    },
    /// Given up without an attempt (the destination is gone or switched off).
    GaveUp {
        error: &'a str,
    },
}

impl Store {
    /// Opens an alert, or, when one is open for the same dedup key, counts one more occurrence
    /// (no new notification). A new alert queues an `opened` delivery per matching destination.
    pub async fn raise_alert(
        &self,
        new: &NewAlert<'_>,
        now: i64,
        payload: PayloadFn<'_>,
    ) -> Result<AlertChange, StoreError> {
        let mut tx = self.write_tx().await?;
        let change = raise_alert_in(&mut tx, new, now, payload).await?;
        tx.commit().await?;
        Ok(change)
    }

    /// Resolves the selected open alerts (`how`: automatically or manually), queueing a
    /// `resolved` delivery for each; resolved alerts are left as they are.
    pub async fn resolve_alerts(
        &self,
        which: AlertSelector<'_>,
        how: &str,
        now: i64,
        payload: PayloadFn<'_>,
    ) -> Result<Vec<AlertChange>, StoreError> {
        let column = match which {
            AlertSelector::DedupKey(_) => "dedup_key",
            AlertSelector::Id(_) => "id",
            AlertSelector::Source(_) => "source_id",
        };
        // Most calls (a successful poll clearing a condition that never was) find nothing open:
        // answer them with a read, without taking SQLite's write lock from the pollers.
        let probe =
            format!("SELECT EXISTS (SELECT 1 FROM alerts WHERE state = 'open' AND {column} = ?)");
        let probe = sqlx::query_scalar::<_, bool>(&probe);
        let probe = match which {
            AlertSelector::DedupKey(key) => probe.bind(key),
            AlertSelector::Id(id) | AlertSelector::Source(id) => probe.bind(id),
        };
        if !probe.fetch_one(self.pool()).await? {
            return Ok(Vec::new());
        }
        let sql = format!(
            "UPDATE alerts SET state = 'resolved', resolved_at = ?, resolved_how = ?
             WHERE state = 'open' AND {column} = ? RETURNING {ALERT_COLUMNS}"
        );
        let query = sqlx::query_as::<_, AlertRow>(&sql).bind(now).bind(how);
        let query = match which {
            AlertSelector::DedupKey(key) => query.bind(key),
            AlertSelector::Id(id) | AlertSelector::Source(id) => query.bind(id),
        };
        let mut tx = self.write_tx().await?;
        let resolved = query.fetch_all(&mut *tx).await?;
        let mut changes = Vec::with_capacity(resolved.len());
        for alert in resolved {
            let queued = queue_deliveries(&mut tx, &alert, "resolved", now, payload, None).await?;
            changes.push(AlertChange {
                alert,
                opened: false,
                queued,
            });
        }
        tx.commit().await?;
        Ok(changes)
    }

    /// Alerts matching `query`, most recent activity first, with their failed deliveries.
    pub async fn alerts(&self, query: &AlertQuery) -> Result<Vec<AlertRow>, StoreError> {
        Ok(sqlx::query_as::<_, AlertRow>(&format!(
            "SELECT {ALERT_COLUMNS},
                    (SELECT COUNT(*) FROM deliveries d WHERE d.alert_id = alerts.id AND d.state = 'failed') AS failed_deliveries
             FROM alerts
             WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR source_id = ?2) AND ({SEVERITY_RANK}) >= ?3
               AND (?5 IS NULL OR rule_id = ?5)
             ORDER BY last_seen DESC, id DESC LIMIT ?4"
        ))
        .bind(query.state)
        .bind(query.source_id)
        .bind(query.min_severity.map_or(0, rank))
        .bind(query.limit)
        .bind(query.rule_id.as_deref())
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn alert(&self, id: i64) -> Result<Option<AlertRow>, StoreError> {
        Ok(sqlx::query_as::<_, AlertRow>(&format!(
            "SELECT {ALERT_COLUMNS},
                    (SELECT COUNT(*) FROM deliveries d WHERE d.alert_id = alerts.id AND d.state = 'failed') AS failed_deliveries
             FROM alerts WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// An alert's deliveries, oldest first.
    pub async fn deliveries_of(&self, alert_id: i64) -> Result<Vec<DeliveryRow>, StoreError> {
        Ok(sqlx::query_as::<_, DeliveryRow>(
            "SELECT id, alert_id, destination_id, destination_name, change, state, attempts,
                    next_attempt_at, last_attempt_at, last_error, last_error_at, delivered_at, created_at
             FROM deliveries WHERE alert_id = ? ORDER BY id",
        )
        .bind(alert_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Open alerts per source (`None`: alerts about no source), for the dashboard.
    pub async fn open_alert_counts(&self) -> Result<Vec<(Option<i64>, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT source_id, COUNT(*) FROM alerts WHERE state = 'open' GROUP BY source_id",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Open alerts per severity, for metrics.
    pub async fn open_alerts_by_severity(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT severity, COUNT(*) FROM alerts WHERE state = 'open' GROUP BY severity",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// Every destination with its delivery counts and last failure, by name.
    pub async fn destinations(&self) -> Result<Vec<DestinationRow>, StoreError> {
        Ok(sqlx::query_as::<_, DestinationRow>(&format!(
            "SELECT {DESTINATION_COLUMNS},
                 (SELECT COUNT(*) FROM deliveries WHERE destination_id = t.id AND state = 'delivered') AS delivered,
                 (SELECT COUNT(*) FROM deliveries WHERE destination_id = t.id AND state = 'failed') AS failed,
                 (SELECT COUNT(*) FROM deliveries WHERE destination_id = t.id AND state = 'pending') AS pending,
                 (SELECT MAX(delivered_at) FROM deliveries WHERE destination_id = t.id) AS last_delivery_at,
                 (SELECT last_error FROM deliveries WHERE destination_id = t.id AND last_error_at IS NOT NULL
                  ORDER BY last_error_at DESC, id DESC LIMIT 1) AS last_error,
                 (SELECT MAX(last_error_at) FROM deliveries WHERE destination_id = t.id) AS last_error_at
             FROM destinations t ORDER BY name"
        ))
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn destination(&self, id: i64) -> Result<Option<DestinationRow>, StoreError> {
        Ok(sqlx::query_as::<_, DestinationRow>(&format!(
            "SELECT {DESTINATION_COLUMNS} FROM destinations WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Adds a destination; a name in use (case-insensitively) is [`StoreError::Conflict`].
    pub async fn insert_destination(
        &self,
        write: &DestinationWrite<'_>,
        secret_ciphertext: Option<Vec<u8>>,
        now: i64,
    ) -> Result<i64, StoreError> {
        sqlx::query_scalar(
            "INSERT INTO destinations (name, url, secret_ciphertext, min_severity, enabled, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(write.name)
        .bind(write.url)
        .bind(secret_ciphertext)
        .bind(write.min_severity.as_str())
        .bind(write.enabled)
        .bind(now)
        .bind(now)
        .fetch_one(self.pool())
        .await
        .map_err(|e| destination_conflict(e, write.name))
    }

    /// Updates a destination; false when there is no such destination.
    pub async fn update_destination(
        &self,
        id: i64,
        write: &DestinationWrite<'_>,
        secret: SecretChange,
        now: i64,
    ) -> Result<bool, StoreError> {
        let (set_secret, ciphertext) = match secret {
            SecretChange::Keep => (false, None),
            SecretChange::Set(c) => (true, Some(c)),
            SecretChange::Clear => (true, None),
        };
        let done = sqlx::query(
            "UPDATE destinations SET name = ?, url = ?, min_severity = ?, enabled = ?,
                 secret_ciphertext = CASE WHEN ? THEN ? ELSE secret_ciphertext END, updated_at = ?
             WHERE id = ?",
        )
        .bind(write.name)
        .bind(write.url)
        .bind(write.min_severity.as_str())
        .bind(write.enabled)
        .bind(set_secret)
        .bind(ciphertext)
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await
        .map_err(|e| destination_conflict(e, write.name))?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a destination. Its pending deliveries fail (they have nowhere to go); its
    /// deliveries keep the destination's name.
    pub async fn delete_destination(&self, id: i64, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE deliveries SET state = 'failed', next_attempt_at = NULL,
                 last_error = 'The destination was deleted', last_error_at = ?
             WHERE destination_id = ? AND state = 'pending'",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query("DELETE FROM destinations WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Up to `limit` pending deliveries due by `now`, the most overdue first.
    pub async fn due_deliveries(
        &self,
        now: i64,
        limit: i64,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        Ok(sqlx::query_as::<_, DueDelivery>(
            "SELECT d.id, d.alert_id, d.payload, d.attempts, d.destination_id, t.url,
                    t.secret_ciphertext, t.enabled
             FROM deliveries d LEFT JOIN destinations t ON t.id = d.destination_id
             WHERE d.state = 'pending' AND d.next_attempt_at <= ?
             ORDER BY d.next_attempt_at, d.id LIMIT ?",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// When the next pending delivery is due, if any is pending.
    pub async fn next_delivery_due(&self) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE state = 'pending'",
        )
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn record_delivery_attempt(
        &self,
        id: i64,
        result: AttemptResult<'_>,
        now: i64,
    ) -> Result<(), StoreError> {
        let query = match result {
            AttemptResult::Delivered => sqlx::query(
                "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1,
                     last_attempt_at = ?1, delivered_at = ?1, next_attempt_at = NULL WHERE id = ?2",
            )
            .bind(now)
            .bind(id),
            AttemptResult::Retry { error, next_at } => sqlx::query(
                "UPDATE deliveries SET attempts = attempts + 1, last_attempt_at = ?1,
                     last_error = ?3, last_error_at = ?1, next_attempt_at = ?4 WHERE id = ?2",
            )
            .bind(now)
            .bind(id)
            .bind(error)
            .bind(next_at),
            AttemptResult::Failed { error } => sqlx::query(
                "UPDATE deliveries SET state = 'failed', attempts = attempts + 1, last_attempt_at = ?1,
                     last_error = ?3, last_error_at = ?1, next_attempt_at = NULL WHERE id = ?2",
            )
            .bind(now)
            .bind(id)
            .bind(error),
            AttemptResult::GaveUp { error } => sqlx::query(
                "UPDATE deliveries SET state = 'failed', last_error = ?3, last_error_at = ?1,
                     next_attempt_at = NULL WHERE id = ?2",
            )
            .bind(now)
            .bind(id)
            .bind(error),
        };
        query.execute(self.pool()).await?;
        Ok(())
    }
}

fn destination_conflict(err: sqlx::Error, name: &str) -> StoreError {
    StoreError::conflict_on_unique(
        err,
        format!("a destination named \"{name}\" already exists"),
    )
}

/// [`Store::raise_alert`] inside a caller's transaction (detection batches raise rule-error
/// alerts together with their matches).
pub(super) async fn raise_alert_in(
    tx: &mut SqliteConnection,
    new: &NewAlert<'_>,
    now: i64,
    payload: PayloadFn<'_>,
) -> Result<AlertChange, StoreError> {
    let repeated = sqlx::query_as::<_, AlertRow>(&format!(
        "UPDATE alerts SET occurrences = occurrences + 1, last_seen = ?, description = ?, context = ?
         WHERE dedup_key = ? AND state = 'open' RETURNING {ALERT_COLUMNS}"
    ))
    .bind(now)
    .bind(new.description)
    .bind(new.context)
    .bind(new.dedup_key)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(alert) = repeated {
        return Ok(AlertChange {
            alert,
            opened: false,
            queued: 0,
        });
    }
    let alert = sqlx::query_as::<_, AlertRow>(&format!(
        "INSERT INTO alerts (rule_id, dedup_key, severity, state, title, description, context,
             source_id, source_name, first_seen, last_seen, occurrences)
         VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, 1) RETURNING {ALERT_COLUMNS}"
    ))
    .bind(new.rule_id)
    .bind(new.dedup_key)
    .bind(new.severity.as_str())
    .bind(new.title)
    .bind(new.description)
    .bind(new.context)
    .bind(new.source_id)
    .bind(new.source_name)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let queued = queue_deliveries(tx, &alert, "opened", now, payload, None).await?;
    Ok(AlertChange {
        alert,
        opened: true,
        queued,
    })
}

/// Queues one delivery of `alert`'s `change` per enabled destination that takes its severity.
pub(super) async fn queue_deliveries(
    tx: &mut SqliteConnection,
    alert: &AlertRow,
    change: &str,
    now: i64,
    payload: PayloadFn<'_>,
    // A rule's `destinations()`: only these destination names (case-insensitive); none when
    // empty.
    only: Option<&[String]>,
) -> Result<usize, StoreError> {
    let severity = Severity::parse(&alert.severity).unwrap_or(Severity::Critical);
    let targets: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, name, min_severity FROM destinations WHERE enabled = 1 ORDER BY id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let targets: Vec<_> = targets
        .into_iter()
        .filter(|(_, _, min)| Severity::parse(min).is_some_and(|min| min <= severity))
        .filter(|(_, name, _)| {
            only.is_none_or(|names| names.iter().any(|n| n.eq_ignore_ascii_case(name)))
        })
        .collect();
    if targets.is_empty() {
        return Ok(0);
    }
    let body = payload(alert, change);
    for (id, name, _) in &targets {
        sqlx::query(
            "INSERT INTO deliveries (alert_id, destination_id, destination_name, change, payload,
                 state, attempts, next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
        )
        .bind(alert.id)
        .bind(id)
        .bind(name)
        .bind(change)
        .bind(&body)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    Ok(targets.len())
}
