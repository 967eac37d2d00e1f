//! The `sources` table: Okta orgs and their settings.

use super::{now_ms, Store, StoreError};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SourceRow {
    pub id: i64,
    pub name: String,
    pub subdomain: String,
    pub domain: String,
    pub token_ciphertext: Vec<u8>,
    pub token_hint: String,
    pub enabled: bool,
    pub poll_interval_secs: i64,
    pub backfill_hours: i64,
    pub rate_limit_share: f64,
    pub user_profiles: bool,
    pub user_refresh_minutes: i64,
    pub device_profiles: bool,
    pub device_refresh_minutes: i64,
    pub no_events_alarm: bool,
    pub no_events_minutes: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What it takes to add a source; the token arrives already sealed.
#[derive(Debug, Clone)]
pub struct NewSource {
    pub name: String,
    pub subdomain: String,
    pub domain: String,
    pub token_ciphertext: Vec<u8>,
    pub token_hint: String,
    pub poll_interval_secs: i64,
    pub backfill_hours: i64,
    pub rate_limit_share: f64,
}

const COLUMNS: &str =
    "id, name, subdomain, domain, token_ciphertext, token_hint, enabled, poll_interval_secs,
    backfill_hours, rate_limit_share, user_profiles, user_refresh_minutes, device_profiles,
    device_refresh_minutes, no_events_alarm, no_events_minutes, created_at, updated_at";

impl Store {
    /// Adds a source; a name already in use (case-insensitively) is [`StoreError::Conflict`].
    pub async fn insert_source(&self, new: &NewSource) -> Result<i64, StoreError> {
        let now = now_ms();
        let mut tx = self.pool().begin().await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO sources (name, subdomain, domain, token_ciphertext, token_hint,
                 poll_interval_secs, backfill_hours, rate_limit_share, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&new.name)
        .bind(&new.subdomain)
        .bind(&new.domain)
        .bind(&new.token_ciphertext)
        .bind(&new.token_hint)
        .bind(new.poll_interval_secs)
        .bind(new.backfill_hours)
        .bind(new.rate_limit_share)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::conflict_on_unique(
                e,
                format!("a source named \"{}\" already exists", new.name),
            )
        })?;
        sqlx::query("INSERT INTO source_status (source_id, state, reason, updated_at) VALUES (?, 'pending', 'Waiting for the first poll', ?)")
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn source(&self, id: i64) -> Result<Option<SourceRow>, StoreError> {
        Ok(
            sqlx::query_as::<_, SourceRow>(&format!("SELECT {COLUMNS} FROM sources WHERE id = ?"))
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    pub async fn sources(&self) -> Result<Vec<SourceRow>, StoreError> {
        Ok(
            sqlx::query_as::<_, SourceRow>(&format!("SELECT {COLUMNS} FROM sources ORDER BY id"))
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Pause (false) or resume (true). Returns false when there is no such source.
    pub async fn set_source_enabled(&self, id: i64, enabled: bool) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE sources SET enabled = ?, updated_at = ? WHERE id = ?")
            .bind(enabled)
            .bind(now_ms())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn replace_source_token(
        &self,
        id: i64,
        ciphertext: &[u8],
        hint: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE sources SET token_ciphertext = ?, token_hint = ?, updated_at = ? WHERE id = ?",
        )
        .bind(ciphertext)
        .bind(hint)
        .bind(now_ms())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes the source and, by cascade, its events, checkpoint, health and quarantine.
    pub async fn delete_source(&self, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM sources WHERE id = ?")
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
