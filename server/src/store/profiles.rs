//! Enrichment storage: the `okta_users` and `okta_devices` lookup tables, `profile_syncs`, and
//! the reads of stored events the Enrichment tab shows.

use app::model::enrichment::ProfileKind;
use sqlx::QueryBuilder;

use super::{Store, StoreError};

/// One Okta user as stored (the columns; `okta` is the full object as JSON).
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct UserRecord {
    pub id: String,
    pub status: String,
    pub login: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
    pub title: Option<String>,
    pub department: Option<String>,
    pub manager: Option<String>,
    pub manager_id: Option<String>,
    pub last_login: Option<i64>,
    pub last_updated: Option<i64>,
    pub okta: String,
}

/// One Okta device as stored; `owners` is a JSON array of logins.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct DeviceRecord {
    pub id: String,
    pub status: String,
    pub display_name: String,
    pub platform: Option<String>,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub os_version: Option<String>,
    pub serial_number: Option<String>,
    pub managed: Option<bool>,
    pub registered: Option<bool>,
    pub owners: String,
    pub last_updated: Option<i64>,
    pub okta: String,
}

/// A `profile_syncs` row.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ProfileSyncRow {
    pub state: String,
    pub last_full_at: Option<i64>,
    pub last_delta_at: Option<i64>,
    pub next_due_at: Option<i64>,
    pub cursor: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
}

/// A stored event's summary columns and the parts of its JSON the recent-events list shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventSummaryRow {
    pub row_id: String,
    pub uuid: String,
    pub event_time: i64,
    pub event_type: String,
    pub severity: String,
    pub actor_alternate_id: Option<String>,
    pub outcome_result: Option<String>,
    pub display_message: Option<String>,
    pub enrichment: Option<String>,
}

const USER_COLUMNS: &str = "id, status, login, email, first_name, last_name, display_name, title,
    department, manager, manager_id, last_login, last_updated";
const DEVICE_COLUMNS: &str = "id, status, display_name, platform, model, manufacturer,
    os_version, serial_number, managed, registered, owners, last_updated";

/// `%text%` for LIKE, with LIKE's wildcards in the text escaped (`\`).
/// What differs between the two profile tables' searchable pages.
struct ProfilePageQuery<'a> {
    table: &'static str,
    columns: &'static str,
    /// SQL expressions `search` is matched against (any case, substring).
    searched: &'a [&'static str],
    order: &'static str,
}

fn like_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for c in search.trim().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

impl Store {
    /// Inserts or replaces `users` of `source_id`, marking them seen by the sync at `seen_at`.
    pub async fn upsert_users(
        &self,
        source_id: i64,
        users: &[UserRecord],
        seen_at: i64,
    ) -> Result<(), StoreError> {
        if users.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        // 17 binds per row: 50 rows stay far below SQLite's variable limit.
        for chunk in users.chunks(50) {
            let mut q = QueryBuilder::new(
                "INSERT OR REPLACE INTO okta_users (source_id, id, status, login, email, first_name,
                 last_name, display_name, title, department, manager, manager_id, last_login,
                 last_updated, seen_at, okta) ",
            );
            q.push_values(chunk, |mut b, u| {
                b.push_bind(source_id)
                    .push_bind(&u.id)
                    .push_bind(&u.status)
                    .push_bind(&u.login)
                    .push_bind(&u.email)
                    .push_bind(&u.first_name)
                    .push_bind(&u.last_name)
                    .push_bind(&u.display_name)
                    .push_bind(&u.title)
                    .push_bind(&u.department)
                    .push_bind(&u.manager)
                    .push_bind(&u.manager_id)
                    .push_bind(u.last_login)
                    .push_bind(u.last_updated)
                    .push_bind(seen_at)
                    .push_bind(&u.okta);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Inserts or replaces `devices` of `source_id`, marking them seen by the sync at `seen_at`.
    pub async fn upsert_devices(
        &self,
        source_id: i64,
        devices: &[DeviceRecord],
        seen_at: i64,
    ) -> Result<(), StoreError> {
        if devices.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        for chunk in devices.chunks(50) {
            let mut q = QueryBuilder::new(
                "INSERT OR REPLACE INTO okta_devices (source_id, id, status, display_name, platform,
                 model, manufacturer, os_version, serial_number, managed, registered, owners,
                 last_updated, seen_at, okta) ",
            );
            q.push_values(chunk, |mut b, d| {
                b.push_bind(source_id)
                    .push_bind(&d.id)
                    .push_bind(&d.status)
                    .push_bind(&d.display_name)
                    .push_bind(&d.platform)
                    .push_bind(&d.model)
                    .push_bind(&d.manufacturer)
                    .push_bind(&d.os_version)
                    .push_bind(&d.serial_number)
                    .push_bind(d.managed)
                    .push_bind(d.registered)
                    .push_bind(&d.owners)
                    .push_bind(d.last_updated)
                    .push_bind(seen_at)
                    .push_bind(&d.okta);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn profile_sync(
        &self,
        source_id: i64,
        kind: ProfileKind,
    ) -> Result<Option<ProfileSyncRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT state, last_full_at, last_delta_at, next_due_at, cursor, last_error, last_error_at
             FROM profile_syncs WHERE source_id = ? AND kind = ?",
        )
        .bind(source_id)
        .bind(kind.as_str())
        .fetch_optional(self.pool())
        .await?)
    }

    /// Sets the sync's state (creating its row as `waiting` if there is none).
    pub async fn set_profile_sync_state(
        &self,
        source_id: i64,
        kind: ProfileKind,
        state: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO profile_syncs (source_id, kind, state) VALUES (?, ?, ?)
             ON CONFLICT (source_id, kind) DO UPDATE SET state = excluded.state",
        )
        .bind(source_id)
        .bind(kind.as_str())
        .bind(state)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets the sync's progress (the kind was switched on again): the next sync is a full one.
    pub async fn reset_profile_sync(
        &self,
        source_id: i64,
        kind: ProfileKind,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO profile_syncs (source_id, kind, state) VALUES (?, ?, 'waiting')
             ON CONFLICT (source_id, kind) DO UPDATE SET state = 'waiting', last_full_at = NULL,
                 next_due_at = NULL, cursor = NULL",
        )
        .bind(source_id)
        .bind(kind.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes the rows a full sync that started at `started_at` did not see (deleted in Okta).
    pub async fn remove_unseen_profiles(
        &self,
        source_id: i64,
        kind: ProfileKind,
        started_at: i64,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let removed = sqlx::query(&format!(
            "DELETE FROM {} WHERE source_id = ? AND seen_at < ?",
            kind.table()
        ))
        .bind(source_id)
        .bind(started_at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(removed)
    }

    /// Records a finished sync: state `ready`, when, the cursor, the next due time.
    pub async fn finish_profile_sync(
        &self,
        source_id: i64,
        kind: ProfileKind,
        full: bool,
        started_at: i64,
        cursor: Option<&str>,
        next_due_at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        let done_column = if full {
            "last_full_at"
        } else {
            "last_delta_at"
        };
        sqlx::query(&format!(
            "INSERT INTO profile_syncs (source_id, kind, state, {done_column}, next_due_at, cursor)
             VALUES (?, ?, 'ready', ?, ?, ?)
             ON CONFLICT (source_id, kind) DO UPDATE SET state = 'ready',
                 {done_column} = excluded.{done_column}, next_due_at = excluded.next_due_at,
                 cursor = COALESCE(excluded.cursor, profile_syncs.cursor),
                 last_error = NULL, last_error_at = NULL"
        ))
        .bind(source_id)
        .bind(kind.as_str())
        .bind(started_at)
        .bind(next_due_at)
        .bind(cursor)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a failed sync, its reason in words, and when to try again.
    pub async fn fail_profile_sync(
        &self,
        source_id: i64,
        kind: ProfileKind,
        error: &str,
        at: i64,
        next_due_at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO profile_syncs (source_id, kind, state, last_error, last_error_at, next_due_at)
             VALUES (?, ?, 'failed', ?, ?, ?)
             ON CONFLICT (source_id, kind) DO UPDATE SET state = 'failed',
                 last_error = excluded.last_error, last_error_at = excluded.last_error_at,
                 next_due_at = excluded.next_due_at",
        )
        .bind(source_id)
        .bind(kind.as_str())
        .bind(error)
        .bind(at)
        .bind(next_due_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_profile_sync_due(
        &self,
        source_id: i64,
        kind: ProfileKind,
        next_due_at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE profile_syncs SET next_due_at = ? WHERE source_id = ? AND kind = ?")
            .bind(next_due_at)
            .bind(source_id)
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes the stored profiles of one kind and the sync's progress.
    pub async fn delete_profiles(
        &self,
        source_id: i64,
        kind: ProfileKind,
    ) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let removed = sqlx::query(&format!("DELETE FROM {} WHERE source_id = ?", kind.table()))
            .bind(source_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query("DELETE FROM profile_syncs WHERE source_id = ? AND kind = ?")
            .bind(source_id)
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(removed)
    }

    pub async fn profile_count(
        &self,
        source_id: i64,
        kind: ProfileKind,
    ) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {} WHERE source_id = ?",
            kind.table()
        ))
        .bind(source_id)
        .fetch_one(self.pool())
        .await?)
    }

    /// Every stored user of the source, without the full object (the index's input).
    pub async fn all_users(&self, source_id: i64) -> Result<Vec<UserRecord>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS}, '' AS okta FROM okta_users WHERE source_id = ?"
        ))
        .bind(source_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn all_devices(&self, source_id: i64) -> Result<Vec<DeviceRecord>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DEVICE_COLUMNS}, '' AS okta FROM okta_devices WHERE source_id = ?"
        ))
        .bind(source_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// One page of users whose login, name, email, title or department contains `search`
    /// (any case), by login; and how many match in all.
    pub async fn user_page(
        &self,
        source_id: i64,
        search: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<UserRecord>, i64), StoreError> {
        let page = ProfilePageQuery {
            table: "okta_users",
            columns: USER_COLUMNS,
            searched: &[
                "login",
                "first_name || ' ' || last_name",
                "display_name",
                "email",
                "title",
                "department",
            ],
            order: "login",
        };
        self.profile_page(&page, source_id, search, offset, limit)
            .await
    }

    /// One page of devices whose name, platform, model or owners contain `search`, by name.
    pub async fn device_page(
        &self,
        source_id: i64,
        search: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<DeviceRecord>, i64), StoreError> {
        let page = ProfilePageQuery {
            table: "okta_devices",
            columns: DEVICE_COLUMNS,
            searched: &["display_name", "platform", "model", "owners"],
            order: "display_name",
        };
        self.profile_page(&page, source_id, search, offset, limit)
            .await
    }

    /// The rows of one page (and the count of all matching rows) of a profile table.
    async fn profile_page<R>(
        &self,
        page: &ProfilePageQuery<'_>,
        source_id: i64,
        search: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<R>, i64), StoreError>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    {
        let ProfilePageQuery {
            table,
            columns,
            searched,
            order,
        } = page;
        let matches: Vec<String> = searched
            .iter()
            .map(|column| format!("{column} LIKE ?2 ESCAPE '\\'"))
            .collect();
        let filter = format!("source_id = ?1 AND (?2 = '%%' OR {})", matches.join(" OR "));
        let pattern = like_pattern(search);
        let total = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE {filter}"))
            .bind(source_id)
            .bind(&pattern)
            .fetch_one(self.pool())
            .await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {columns}, '' AS okta FROM {table} WHERE {filter}
             ORDER BY {order} COLLATE NOCASE, id LIMIT ?3 OFFSET ?4"
        ))
        .bind(source_id)
        .bind(&pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        Ok((rows, total))
    }

    /// The newest `limit` stored events of the source.
    pub async fn recent_events(
        &self,
        source_id: i64,
        limit: i64,
    ) -> Result<Vec<EventSummaryRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT row_id, uuid, event_time, event_type, severity, actor_alternate_id,
                    outcome_result, json_extract(data, '$.displayMessage') AS display_message,
                    json_extract(data, '$.p_enrichment') AS enrichment
             FROM events WHERE source_id = ? ORDER BY event_time DESC, id DESC LIMIT ?",
        )
        .bind(source_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// One stored event by `p_row_id`: its summary and its full JSON. (No index on `row_id`:
    /// it is random, and one would slow every insert; this reads the source's rows.)
    pub async fn event_by_row_id(
        &self,
        source_id: i64,
        row_id: &str,
    ) -> Result<Option<(EventSummaryRow, String)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            summary: EventSummaryRow,
            data: String,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT row_id, uuid, event_time, event_type, severity, actor_alternate_id,
                    outcome_result, json_extract(data, '$.displayMessage') AS display_message,
                    json_extract(data, '$.p_enrichment') AS enrichment, data
             FROM events WHERE source_id = ? AND row_id = ? ORDER BY event_time DESC LIMIT 1",
        )
        .bind(source_id)
        .bind(row_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| (r.summary, r.data)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern(" ana "), "%ana%");
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(like_pattern(""), "%%");
    }
}
