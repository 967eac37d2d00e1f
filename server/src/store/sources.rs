//! The `sources` table: Okta orgs and their settings.

use super::{now_ms, Store, StoreError};

/// A value bound into a settings update.
enum SettingValue {
    Int(i64),
    Text(String),
}

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
    pub setup_complete: bool,
}

#[cfg(test)]
impl SourceRow {
    /// A plain, enabled, finished source for unit tests.
    pub fn sample(id: i64, name: &str) -> Self {
        Self {
            id,
            name: name.into(),
            subdomain: "acme".into(),
            domain: "okta.com".into(),
            token_ciphertext: Vec::new(),
            token_hint: "abcd".into(),
            enabled: true,
            poll_interval_secs: 60,
            backfill_hours: 24,
            rate_limit_share: 0.5,
            user_profiles: false,
            user_refresh_minutes: 60,
            device_profiles: false,
            device_refresh_minutes: 60,
            no_events_alarm: true,
            no_events_minutes: 1440,
            created_at: 0,
            updated_at: 0,
            setup_complete: true,
        }
    }
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
    /// False for a wizard-made source: it stays disabled until the wizard is finished.
    pub setup_complete: bool,
}

const COLUMNS: &str =
    "id, name, subdomain, domain, token_ciphertext, token_hint, enabled, poll_interval_secs,
    backfill_hours, rate_limit_share, user_profiles, user_refresh_minutes, device_profiles,
    device_refresh_minutes, no_events_alarm, no_events_minutes, created_at, updated_at, setup_complete";

impl Store {
    /// Adds a source; a name already in use (case-insensitively) is [`StoreError::Conflict`].
    pub async fn insert_source(&self, new: &NewSource) -> Result<i64, StoreError> {
        let now = now_ms();
        let mut tx = self.write_tx().await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO sources (name, subdomain, domain, token_ciphertext, token_hint,
                 poll_interval_secs, backfill_hours, rate_limit_share, created_at, updated_at,
                 setup_complete, enabled)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
        .bind(new.setup_complete)
        .bind(new.setup_complete)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::conflict_on_unique(
                e,
                format!("a source named \"{}\" already exists", new.name),
            )
        })?;
        let (state, reason) = if new.setup_complete {
            ("pending", "Waiting for the first poll")
        } else {
            ("setup", "Setup is not finished")
        };
        sqlx::query(
            "INSERT INTO source_status (source_id, state, reason, updated_at) VALUES (?, ?, ?, ?)",
        )
        .bind(id)
        .bind(state)
        .bind(reason)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for pack in app::model::detection::DEFAULT_PACKS {
            sqlx::query("INSERT INTO source_packs (source_id, pack_id) VALUES (?, ?)")
                .bind(id)
                .bind(pack)
                .execute(&mut *tx)
                .await?;
        }
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

    /// Runs `UPDATE sources SET {assignments}, updated_at = now WHERE id = ?` with `binds`
    /// applied in order; false when there is no such source.
    async fn update_source(
        &self,
        id: i64,
        assignments: &str,
        binds: Vec<SettingValue>,
    ) -> Result<bool, StoreError> {
        let sql = format!("UPDATE sources SET {assignments}, updated_at = ? WHERE id = ?");
        let mut query = sqlx::query(&sql);
        for value in binds {
            query = match value {
                SettingValue::Int(v) => query.bind(v),
                SettingValue::Text(v) => query.bind(v),
            };
        }
        let done = query.bind(now_ms()).bind(id).execute(self.pool()).await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn rename_source(&self, id: i64, name: &str) -> Result<bool, StoreError> {
        self.update_source(id, "name = ?", vec![SettingValue::Text(name.to_owned())])
            .await
            .map_err(|e| match e {
                StoreError::Sql(sql) => StoreError::conflict_on_unique(
                    sql,
                    format!("a source named \"{name}\" already exists"),
                ),
                other => other,
            })
    }

    pub async fn update_enrichment(
        &self,
        id: i64,
        user_profiles: bool,
        user_refresh_minutes: i64,
        device_profiles: bool,
        device_refresh_minutes: i64,
    ) -> Result<bool, StoreError> {
        self.update_source(
            id,
            "user_profiles = ?, user_refresh_minutes = ?, device_profiles = ?, device_refresh_minutes = ?",
            vec![
                SettingValue::Int(i64::from(user_profiles)),
                SettingValue::Int(user_refresh_minutes),
                SettingValue::Int(i64::from(device_profiles)),
                SettingValue::Int(device_refresh_minutes),
            ],
        )
        .await
    }

    pub async fn update_alarm(
        &self,
        id: i64,
        enabled: bool,
        minutes: i64,
    ) -> Result<bool, StoreError> {
        self.update_source(
            id,
            "no_events_alarm = ?, no_events_minutes = ?",
            vec![
                SettingValue::Int(i64::from(enabled)),
                SettingValue::Int(minutes),
            ],
        )
        .await
    }

    pub async fn update_poll_settings(
        &self,
        id: i64,
        interval_secs: i64,
        backfill_hours: i64,
    ) -> Result<bool, StoreError> {
        self.update_source(
            id,
            "poll_interval_secs = ?, backfill_hours = ?",
            vec![
                SettingValue::Int(interval_secs),
                SettingValue::Int(backfill_hours),
            ],
        )
        .await
    }

    /// The wizard's end: the source is complete and starts polling.
    pub async fn complete_setup(&self, id: i64) -> Result<bool, StoreError> {
        let done = self
            .update_source(id, "setup_complete = 1, enabled = 1", Vec::new())
            .await?;
        if done {
            self.set_status_state(id, "pending", "Waiting for the first poll")
                .await?;
        }
        Ok(done)
    }

    /// Removes the source and, by cascade, its events, checkpoint, health and quarantine.
    pub async fn delete_source(&self, id: i64) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("DELETE FROM sources WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // The deleted events may have held the highest ids, which the next insert reuses:
        // detection must not have read past them.
        sqlx::query(
            "UPDATE detection_state
             SET last_event_id = min(last_event_id, (SELECT coalesce(max(id), 0) FROM events))",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}
