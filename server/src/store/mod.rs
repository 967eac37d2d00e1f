//! All SQL lives under this module. Row structs here are separate from the `app::model` types.

mod accounts;
mod alerts;
mod detections;
mod events;
mod health;
mod ingest;
mod lock;
mod profiles;
mod sealed;
mod sources;

use std::{str::FromStr, time::Duration};

pub use accounts::{SessionRow, UserRow};
pub use alerts::{
    AlertChange, AlertQuery, AlertRow, AlertSelector, AttemptResult, DeliveryRow, DestinationRow,
    DestinationWrite, DueDelivery, NewAlert, PayloadFn, SecretChange,
};
pub use detections::{
    BatchOutcome, CustomRuleRow, DetectionSwitches, MatchRow, MatchWrite, RuleErrorRow,
    RuleFailure, StoredEvent,
};
pub use events::{search_sql, ActorFilter, Boundary, EventAlertRow, EventListRow, EventSearch};
pub use health::{AlarmRow, AlarmWrite, AttemptRow, CheckRow, CheckWrite, TransitionRow};
pub use ingest::{
    AttemptRecord, CommitOutcome, ErrorDetail, HealthDayRow, HealthTotals, PageCommit,
    RequestFailure, StatusRow, StatusUpdate,
};
pub use lock::{LockError, ServerLock};
pub use profiles::{DeviceRecord, EventSummaryRow, ProfileSyncRow, UserRecord};
pub use sealed::SealedColumn;
pub use sources::{NewSource, SourceRow};

use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    SqlitePool,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the database directory {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    /// A uniqueness rule refused the write; the message says which, in words.
    #[error("{0}")]
    Conflict(String),
    #[error("cannot write the output: {0}")]
    Output(std::io::Error),
}

impl StoreError {
    /// Turns a UNIQUE violation into [`StoreError::Conflict`] with `message`; other errors pass.
    pub(crate) fn conflict_on_unique(err: sqlx::Error, message: String) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(message),
            _ => StoreError::Sql(err),
        }
    }
}

/// Now, in Unix milliseconds (the unit of every time column).
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The migrations in `migrations/`, embedded at build time and applied on every start.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// The SQLite database: one pool, WAL mode, migrated on open.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

/// One row of sqlx's migration bookkeeping.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppliedMigrationRow {
    pub version: i64,
    pub description: String,
    pub installed_on: String,
}

impl Store {
    /// Opens (creating if missing) and migrates the database at `url` (a path or `sqlite:` URL).
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let url = if url.starts_with("sqlite:") {
            url.to_owned()
        } else {
            format!("sqlite://{url}")
        };
        let options = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            // Rows are ~2 KB of JSON: 16 KB pages hold several per page (4 KB pages hold one).
            // Takes effect when the file is created.
            .page_size(16384)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL: durable across process crashes; a power cut may lose the last commits,
            // which the checkpoint-with-events transaction makes safe to re-fetch.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-65536")
            // The WAL is checkpointed by a background task (`spawn_wal_checkpointer`), off the
            // committing path; this threshold (256 MB) is only the backstop if that task is
            // not running.
            .pragma("wal_autocheckpoint", "16384")
            .pragma("journal_size_limit", "67108864");
        if let Some(dir) = options
            .get_filename()
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    /// Housekeeping every `every`: health minutes older than `keep` are deleted.
    pub fn spawn_retention(&self, every: Duration, keep: Duration) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            loop {
                let before = (now_ms() - keep.as_millis() as i64) / 60_000;
                match store.prune_health_minutes(before).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(rows = n, "pruned old health minutes"),
                    Err(e) => tracing::warn!(error = %e, "pruning health minutes failed"),
                }
                tokio::time::sleep(every).await;
            }
        })
    }

    /// Copies the WAL into the database file every `every`, on its own connection, so the
    /// pollers' commits never pay for it. PASSIVE: it never blocks a writer.
    pub fn spawn_wal_checkpointer(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let pool = self.pool.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&pool)
                    .await
                {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
            }
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A transaction that takes SQLite's write lock at its start (`BEGIN IMMEDIATE`). A
    /// deferred transaction that reads and then writes fails at once with "database is locked"
    /// when another writer committed in between (the busy timeout does not apply to that
    /// upgrade); an immediate one waits for the lock like any other write.
    pub async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    pub async fn applied_migrations(&self) -> Result<Vec<AppliedMigrationRow>, StoreError> {
        Ok(sqlx::query_as::<_, AppliedMigrationRow>(
            "SELECT version, description, strftime('%Y-%m-%dT%H:%M:%SZ', installed_on) AS installed_on
             FROM _sqlx_migrations WHERE success ORDER BY version",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn open_creates_file_in_wal_mode_and_applies_every_migration() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/gatehouse.db");
        let store = Store::open(path.to_str().unwrap()).await.unwrap();
        assert!(path.exists());
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let applied = store.applied_migrations().await.unwrap();
        assert_eq!(applied.len(), MIGRATOR.iter().count());
        assert_eq!(applied[0].version, 1);
        // Re-opening is a no-op for migrations.
        drop(store);
        let again = Store::open(path.to_str().unwrap()).await.unwrap();
        assert_eq!(
            again.applied_migrations().await.unwrap().len(),
            applied.len()
        );
    }
}
