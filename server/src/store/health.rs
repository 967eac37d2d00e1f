//! A source's health as the Health tab reads it: the no-events alarm's state and history, the
//! health checks, and the poll attempts.

use super::{Store, StoreError};

/// Transitions kept per source.
const TRANSITIONS_KEPT: i64 = 200;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AlarmRow {
    pub source_id: i64,
    pub state: String,
    pub since: i64,
    pub armed_at: i64,
    pub evaluated_at: i64,
    pub reason: String,
}

/// The alarm's state after an evaluation.
#[derive(Debug, Clone)]
pub struct AlarmWrite<'a> {
    pub source_id: i64,
    pub state: &'a str,
    pub reason: &'a str,
    pub armed_at: i64,
    pub at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TransitionRow {
    pub state: String,
    pub at: i64,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CheckRow {
    pub key: String,
    pub state: String,
    pub since: i64,
    pub detail: String,
}

/// One check's new state and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckWrite {
    pub key: &'static str,
    pub state: &'static str,
    pub detail: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub started_at: i64,
    pub duration_ms: i64,
    pub outcome: String,
    pub requests: i64,
    pub pages: i64,
    pub events: i64,
    pub error_class: Option<String>,
    pub error_code: Option<String>,
    pub error_summary: Option<String>,
}

const ALARM_COLUMNS: &str = "source_id, state, since, armed_at, evaluated_at, reason";

impl Store {
    pub async fn alarm(&self, source_id: i64) -> Result<Option<AlarmRow>, StoreError> {
        Ok(sqlx::query_as::<_, AlarmRow>(&format!(
            "SELECT {ALARM_COLUMNS} FROM alarm_status WHERE source_id = ?"
        ))
        .bind(source_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Every source's alarm row (one query: the monitor's sweep, the dashboard, metrics).
    pub async fn alarms(&self) -> Result<Vec<AlarmRow>, StoreError> {
        Ok(
            sqlx::query_as::<_, AlarmRow>(&format!("SELECT {ALARM_COLUMNS} FROM alarm_status"))
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Writes the alarm's state. A new state (or the first row) keeps `since` = `at` and adds a
    /// transition (newest 200 kept); returns the previous state when the state changed.
    pub async fn record_alarm(
        &self,
        write: &AlarmWrite<'_>,
    ) -> Result<Option<Option<String>>, StoreError> {
        let mut tx = self.write_tx().await?;
        let previous: Option<String> =
            sqlx::query_scalar("SELECT state FROM alarm_status WHERE source_id = ?")
                .bind(write.source_id)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO alarm_status (source_id, state, since, armed_at, evaluated_at, reason)
             VALUES (?1, ?2, ?3, ?4, ?3, ?5)
             ON CONFLICT (source_id) DO UPDATE SET
                 since = CASE WHEN alarm_status.state = excluded.state THEN alarm_status.since ELSE excluded.since END,
                 state = excluded.state, armed_at = excluded.armed_at,
                 evaluated_at = excluded.evaluated_at, reason = excluded.reason",
        )
        .bind(write.source_id)
        .bind(write.state)
        .bind(write.at)
        .bind(write.armed_at)
        .bind(write.reason)
        .execute(&mut *tx)
        .await?;
        let changed = previous.as_deref() != Some(write.state);
        if changed {
            sqlx::query(
                "INSERT INTO alarm_transitions (source_id, state, at, reason) VALUES (?, ?, ?, ?)",
            )
            .bind(write.source_id)
            .bind(write.state)
            .bind(write.at)
            .bind(write.reason)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "DELETE FROM alarm_transitions WHERE source_id = ?1 AND id <= (
                     SELECT id FROM alarm_transitions WHERE source_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
            )
            .bind(write.source_id)
            .bind(TRANSITIONS_KEPT)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(changed.then_some(previous))
    }

    /// Stamps every alarm as evaluated at `at` (one statement per sweep of the monitor).
    pub async fn mark_alarms_evaluated(&self, at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE alarm_status SET evaluated_at = ?")
            .bind(at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The alarm's last `limit` transitions, newest first.
    pub async fn alarm_history(
        &self,
        source_id: i64,
        limit: i64,
    ) -> Result<Vec<TransitionRow>, StoreError> {
        Ok(sqlx::query_as::<_, TransitionRow>(
            "SELECT state, at, reason FROM alarm_transitions WHERE source_id = ?
             ORDER BY id DESC LIMIT ?",
        )
        .bind(source_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Writes checks in one transaction; a check's `since` moves only when its state changes.
    pub async fn record_checks(
        &self,
        source_id: i64,
        checks: &[CheckWrite],
        at: i64,
    ) -> Result<(), StoreError> {
        if checks.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        for check in checks {
            sqlx::query(
                "INSERT INTO source_checks (source_id, key, state, since, detail) VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (source_id, key) DO UPDATE SET
                     since = CASE WHEN source_checks.state = excluded.state THEN source_checks.since ELSE excluded.since END,
                     state = excluded.state, detail = excluded.detail",
            )
            .bind(source_id)
            .bind(check.key)
            .bind(check.state)
            .bind(at)
            .bind(&check.detail)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn checks(&self, source_id: i64) -> Result<Vec<CheckRow>, StoreError> {
        Ok(sqlx::query_as::<_, CheckRow>(
            "SELECT key, state, since, detail FROM source_checks WHERE source_id = ?",
        )
        .bind(source_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The source's last `limit` poll attempts, newest first.
    pub async fn recent_attempts(
        &self,
        source_id: i64,
        limit: i64,
    ) -> Result<Vec<AttemptRow>, StoreError> {
        Ok(sqlx::query_as::<_, AttemptRow>(
            "SELECT started_at, duration_ms, outcome, requests, pages, events, error_class,
                    error_code, error_summary
             FROM poll_attempts WHERE source_id = ? ORDER BY id DESC LIMIT ?",
        )
        .bind(source_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}
