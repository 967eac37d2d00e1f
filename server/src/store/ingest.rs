//! Writes of the pollers: a page of events with its checkpoint (one transaction), health
//! counters per minute, the source's status row and its poll attempts.

use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use super::{now_ms, Store, StoreError};
use crate::ingest::normalize::{NormalizedEvent, Quarantined};

/// Rows per multi-row INSERT: 12 columns x 200 rows stays far below SQLite's parameter limit,
/// and few statements per page keeps the per-statement overhead off the hot path.
const INSERT_BATCH: usize = 200;

/// One fetched page, ready to store.
#[derive(Debug)]
pub struct PageCommit<'a> {
    pub source_id: i64,
    pub events: &'a [NormalizedEvent],
    pub failures: &'a [Quarantined],
    /// The checkpoint after this page: `Some(next)` to advance, `None` to keep the current one.
    pub next_checkpoint: Option<&'a str>,
    pub received_at_ms: i64,
    pub body_bytes: usize,
}

/// What a commit stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommitOutcome {
    /// Rows new to the store (re-fetched duplicates are not counted).
    pub inserted: u64,
    pub quarantined: u64,
}

/// Counters of one failed request, for `health_minutes`.
#[derive(Debug, Clone, Copy)]
pub enum RequestFailure {
    RateLimited,
    Auth,
    Server,
    Timeout,
    Transport,
    Decode,
    Other,
}

impl RequestFailure {
    fn column(self) -> &'static str {
        match self {
            RequestFailure::RateLimited => "rate_limited",
            RequestFailure::Auth => "errors_auth",
            RequestFailure::Server => "errors_server",
            RequestFailure::Timeout => "errors_timeout",
            RequestFailure::Transport => "errors_transport",
            RequestFailure::Decode => "errors_decode",
            RequestFailure::Other => "errors_other",
        }
    }
}

/// The state shown for a source, with its reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    pub state: &'static str,
    pub reason: String,
    pub started_at_ms: i64,
    pub duration_ms: i64,
    pub outcome: &'static str,
    pub error: Option<ErrorDetail>,
    pub rate: Option<(u32, u32, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDetail {
    pub class: &'static str,
    pub code: Option<String>,
    pub summary: String,
}

/// One poll cycle, for the attempts history.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub source_id: i64,
    pub started_at_ms: i64,
    pub duration_ms: i64,
    pub outcome: &'static str,
    pub requests: i64,
    pub pages: i64,
    pub events: i64,
    pub error: Option<ErrorDetail>,
}

const STATUS_COLUMNS: &str =
    "source_id, state, reason, last_poll_finished_at, last_poll_duration_ms,
    last_poll_outcome, last_success_at, last_error_class, last_error_code, last_error_summary,
    consecutive_failures, last_event_time, last_event_received_at, lag_ms, rate_limit_limit,
    rate_limit_remaining, rate_limit_reset, events_total";

/// One source's health over a window (the dashboard's raw material); see `health_since`.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct HealthDayRow {
    pub source_id: i64,
    pub events_day: i64,
    pub events_hour: i64,
    pub classification_failures: i64,
    pub errors_auth: i64,
    pub rate_limited: i64,
    pub errors_server: i64,
    pub errors_timeout: i64,
    pub errors_transport: i64,
    pub errors_decode: i64,
    pub errors_other: i64,
    /// `offset:events` pairs, comma-separated, for minutes with events.
    pub series: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatusRow {
    pub source_id: i64,
    pub state: String,
    pub reason: Option<String>,
    pub last_poll_finished_at: Option<i64>,
    pub last_poll_duration_ms: Option<i64>,
    pub last_poll_outcome: Option<String>,
    pub last_success_at: Option<i64>,
    pub last_error_class: Option<String>,
    pub last_error_code: Option<String>,
    pub last_error_summary: Option<String>,
    pub consecutive_failures: i64,
    pub last_event_time: Option<i64>,
    /// When events were last stored (the no-events alarm's input).
    pub last_event_received_at: Option<i64>,
    pub lag_ms: Option<i64>,
    pub rate_limit_limit: Option<i64>,
    pub rate_limit_remaining: Option<i64>,
    pub rate_limit_reset: Option<i64>,
    pub events_total: i64,
}

impl Store {
    pub async fn checkpoint(&self, source_id: i64) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT next_url FROM poll_checkpoints WHERE source_id = ?")
                .bind(source_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Stores a page's events and quarantined failures, advances the checkpoint, and counts the
    /// request in the health minute: all in ONE transaction, so a crash at any point either
    /// keeps everything or nothing (and the page is simply fetched again).
    pub async fn commit_page(&self, page: &PageCommit<'_>) -> Result<CommitOutcome, StoreError> {
        let mut tx = self.write_tx().await?;
        let mut inserted = 0;
        for batch in page.events.chunks(INSERT_BATCH) {
            inserted += insert_events(&mut tx, page.source_id, batch).await?;
        }
        for failure in page.failures {
            sqlx::query("INSERT INTO quarantine (source_id, received_at, uuid, reason, raw) VALUES (?, ?, ?, ?, ?)")
                .bind(page.source_id)
                .bind(page.received_at_ms)
                .bind(&failure.uuid)
                .bind(&failure.reason)
                .bind(&failure.raw)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(next) = page.next_checkpoint {
            sqlx::query(
                "INSERT INTO poll_checkpoints (source_id, next_url, updated_at) VALUES (?, ?, ?)
                 ON CONFLICT (source_id) DO UPDATE SET next_url = excluded.next_url, updated_at = excluded.updated_at",
            )
            .bind(page.source_id)
            .bind(next)
            .bind(page.received_at_ms)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO health_minutes (source_id, minute, events, bytes, requests, pages, classification_failures)
             VALUES (?, ?, ?, ?, 1, 1, ?)
             ON CONFLICT (source_id, minute) DO UPDATE SET
                 events = events + excluded.events, bytes = bytes + excluded.bytes,
                 requests = requests + 1, pages = pages + 1,
                 classification_failures = classification_failures + excluded.classification_failures",
        )
        .bind(page.source_id)
        .bind(page.received_at_ms / 60_000)
        .bind(inserted as i64)
        .bind(page.body_bytes as i64)
        .bind(page.failures.len() as i64)
        .execute(&mut *tx)
        .await?;
        if let Some(newest) = page
            .events
            .iter()
            .map(|e| e.event_time.timestamp_millis())
            .max()
        {
            sqlx::query(
                "UPDATE source_status SET
                     last_event_time = MAX(COALESCE(last_event_time, 0), ?1),
                     last_event_received_at = ?2,
                     lag_ms = MAX(?2 - ?1, 0),
                     events_total = events_total + ?3,
                     updated_at = ?2
                 WHERE source_id = ?4",
            )
            .bind(newest)
            .bind(page.received_at_ms)
            .bind(inserted as i64)
            .bind(page.source_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(CommitOutcome {
            inserted,
            quarantined: page.failures.len() as u64,
        })
    }

    /// Counts a failed request in the source's health minute.
    pub async fn record_request_failure(
        &self,
        source_id: i64,
        failure: RequestFailure,
    ) -> Result<(), StoreError> {
        let column = failure.column();
        sqlx::query(&format!(
            "INSERT INTO health_minutes (source_id, minute, requests, {column}) VALUES (?, ?, 1, 1)
             ON CONFLICT (source_id, minute) DO UPDATE SET requests = requests + 1, {column} = {column} + 1"
        ))
        .bind(source_id)
        .bind(now_ms() / 60_000)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Records the end of a poll cycle: the status row and the attempts history (last 200 kept).
    pub async fn record_cycle(
        &self,
        source_id: i64,
        status: &StatusUpdate,
        attempt: &AttemptRecord,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let failed = status.error.is_some();
        let (rate_limit, rate_remaining, rate_reset) = match status.rate {
            Some((l, r, reset)) => (Some(i64::from(l)), Some(i64::from(r)), Some(reset)),
            None => (None, None, None),
        };
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE source_status SET
                 state = ?, reason = ?, last_poll_started_at = ?, last_poll_finished_at = ?,
                 last_poll_duration_ms = ?, last_poll_outcome = ?,
                 last_success_at = CASE WHEN ? THEN last_success_at ELSE ? END,
                 last_error_at = CASE WHEN ? THEN ? ELSE last_error_at END,
                 last_error_class = CASE WHEN ? THEN ? ELSE last_error_class END,
                 last_error_code = CASE WHEN ? THEN ? ELSE last_error_code END,
                 last_error_summary = CASE WHEN ? THEN ? ELSE last_error_summary END,
                 consecutive_failures = CASE WHEN ? THEN consecutive_failures + 1 ELSE 0 END,
                 rate_limit_limit = COALESCE(?, rate_limit_limit),
                 rate_limit_remaining = COALESCE(?, rate_limit_remaining),
                 rate_limit_reset = COALESCE(?, rate_limit_reset),
                 updated_at = ?
             WHERE source_id = ?",
        )
        .bind(status.state)
        .bind(&status.reason)
        .bind(status.started_at_ms)
        .bind(now)
        .bind(status.duration_ms)
        .bind(status.outcome)
        .bind(failed)
        .bind(now)
        .bind(failed)
        .bind(now)
        .bind(failed)
        .bind(status.error.as_ref().map(|e| e.class))
        .bind(failed)
        .bind(status.error.as_ref().and_then(|e| e.code.clone()))
        .bind(failed)
        .bind(status.error.as_ref().map(|e| e.summary.clone()))
        .bind(failed)
        .bind(rate_limit)
        .bind(rate_remaining)
        .bind(rate_reset)
        .bind(now)
        .bind(source_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO poll_attempts (source_id, started_at, duration_ms, outcome, requests, pages, events,
                 error_class, error_code, error_summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(attempt.source_id)
        .bind(attempt.started_at_ms)
        .bind(attempt.duration_ms)
        .bind(attempt.outcome)
        .bind(attempt.requests)
        .bind(attempt.pages)
        .bind(attempt.events)
        .bind(attempt.error.as_ref().map(|e| e.class))
        .bind(attempt.error.as_ref().and_then(|e| e.code.clone()))
        .bind(attempt.error.as_ref().map(|e| e.summary.clone()))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM poll_attempts WHERE source_id = ?1 AND id <= (
                 SELECT id FROM poll_attempts WHERE source_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET 200)",
        )
        .bind(source_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks a source's state without a poll (paused, resumed).
    pub async fn set_status_state(
        &self,
        source_id: i64,
        state: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE source_status SET state = ?, reason = ?, updated_at = ? WHERE source_id = ?",
        )
        .bind(state)
        .bind(reason)
        .bind(now_ms())
        .bind(source_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Deletes health minutes before `before_minute` (retention); returns how many.
    pub async fn prune_health_minutes(&self, before_minute: i64) -> Result<u64, StoreError> {
        Ok(sqlx::query("DELETE FROM health_minutes WHERE minute < ?")
            .bind(before_minute)
            .execute(self.pool())
            .await?
            .rows_affected())
    }

    /// Every source's status row (one query, for the dashboard and metrics).
    pub async fn statuses(&self) -> Result<Vec<StatusRow>, StoreError> {
        Ok(
            sqlx::query_as::<_, StatusRow>(&format!("SELECT {STATUS_COLUMNS} FROM source_status"))
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Every source's health from `since_minute` on (Unix minutes), summed in SQLite: one row per
    /// source, with its non-empty minutes packed as `offset:events,...` (offset from
    /// `since_minute`), so the dashboard never moves one row per minute out of the database.
    pub async fn health_since(
        &self,
        since_minute: i64,
        hour_from_minute: i64,
    ) -> Result<Vec<HealthDayRow>, StoreError> {
        Ok(sqlx::query_as::<_, HealthDayRow>(
            "SELECT source_id,
                    SUM(events) AS events_day,
                    SUM(CASE WHEN minute >= ?2 THEN events ELSE 0 END) AS events_hour,
                    SUM(classification_failures) AS classification_failures,
                    SUM(errors_auth) AS errors_auth, SUM(rate_limited) AS rate_limited,
                    SUM(errors_server) AS errors_server, SUM(errors_timeout) AS errors_timeout,
                    SUM(errors_transport) AS errors_transport, SUM(errors_decode) AS errors_decode,
                    SUM(errors_other) AS errors_other,
                    COALESCE(group_concat(CASE WHEN events > 0 THEN (minute - ?1) || ':' || events END), '') AS series
             FROM health_minutes WHERE minute >= ?1 GROUP BY source_id",
        )
        .bind(since_minute)
        .bind(hour_from_minute)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn status(&self, source_id: i64) -> Result<Option<StatusRow>, StoreError> {
        Ok(sqlx::query_as::<_, StatusRow>(&format!(
            "SELECT {STATUS_COLUMNS} FROM source_status WHERE source_id = ?"
        ))
        .bind(source_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Stored Okta uuids of a source (tests compare them with the simulator's ground truth).
    pub async fn event_uuids(&self, source_id: i64) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT uuid FROM events WHERE source_id = ? ORDER BY id")
                .bind(source_id)
                .fetch_all(self.pool())
                .await?,
        )
    }

    pub async fn event_count(&self, source_id: i64) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE source_id = ?")
                .bind(source_id)
                .fetch_one(self.pool())
                .await?,
        )
    }

    pub async fn quarantine_count(&self, source_id: i64) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM quarantine WHERE source_id = ?")
                .bind(source_id)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Sums of the health counters of a source since `since_minute` (Unix minutes).
    pub async fn health_totals(
        &self,
        source_id: i64,
        since_minute: i64,
    ) -> Result<HealthTotals, StoreError> {
        Ok(sqlx::query_as::<_, HealthTotals>(
            "SELECT COALESCE(SUM(events), 0) AS events, COALESCE(SUM(bytes), 0) AS bytes,
                    COALESCE(SUM(requests), 0) AS requests, COALESCE(SUM(pages), 0) AS pages,
                    COALESCE(SUM(rate_limited), 0) AS rate_limited, COALESCE(SUM(errors_auth), 0) AS errors_auth,
                    COALESCE(SUM(errors_server), 0) AS errors_server, COALESCE(SUM(errors_timeout), 0) AS errors_timeout,
                    COALESCE(SUM(errors_transport), 0) AS errors_transport, COALESCE(SUM(errors_decode), 0) AS errors_decode,
                    COALESCE(SUM(errors_other), 0) AS errors_other,
                    COALESCE(SUM(classification_failures), 0) AS classification_failures
             FROM health_minutes WHERE source_id = ? AND minute >= ?",
        )
        .bind(source_id)
        .bind(since_minute)
        .fetch_one(self.pool())
        .await?)
    }

    /// Stored rows of a source as NDJSON lines, oldest event first, from `since_ms` on.
    pub async fn export_rows(
        &self,
        source_id: i64,
        since_ms: Option<i64>,
        mut emit: impl FnMut(&str) -> std::io::Result<()>,
    ) -> Result<u64, StoreError> {
        use futures_util::TryStreamExt;
        let mut rows = sqlx::query_scalar::<_, String>(
            "SELECT data FROM events WHERE source_id = ? AND event_time >= ? ORDER BY event_time, id",
        )
        .bind(source_id)
        .bind(since_ms.unwrap_or(i64::MIN))
        .fetch(self.pool());
        let mut count = 0;
        while let Some(data) = rows.try_next().await? {
            emit(&data).map_err(StoreError::Output)?;
            count += 1;
        }
        Ok(count)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct HealthTotals {
    pub events: i64,
    pub bytes: i64,
    pub requests: i64,
    pub pages: i64,
    pub rate_limited: i64,
    pub errors_auth: i64,
    pub errors_server: i64,
    pub errors_timeout: i64,
    pub errors_transport: i64,
    pub errors_decode: i64,
    pub errors_other: i64,
    pub classification_failures: i64,
}

async fn insert_events(
    tx: &mut SqliteConnection,
    source_id: i64,
    batch: &[NormalizedEvent],
) -> Result<u64, StoreError> {
    let mut insert: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO events (source_id, uuid, event_time, parse_time, event_type, severity, actor_id,
             actor_alternate_id, client_ip, outcome_result, row_id, data) ",
    );
    let parse_time = now_ms();
    insert.push_values(batch, |mut row, event| {
        row.push_bind(source_id)
            .push_bind(&event.uuid)
            .push_bind(event.event_time.timestamp_millis())
            .push_bind(parse_time)
            .push_bind(&event.event_type)
            .push_bind(&event.severity)
            .push_bind(&event.actor_id)
            .push_bind(&event.actor_alternate_id)
            .push_bind(&event.client_ip)
            .push_bind(&event.outcome_result)
            .push_bind(&event.row_id)
            .push_bind(&event.json);
    });
    insert.push(" ON CONFLICT (source_id, event_time, uuid) DO NOTHING");
    Ok(insert
        .build()
        .persistent(true)
        .execute(&mut *tx)
        .await?
        .rows_affected())
}
