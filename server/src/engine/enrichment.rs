//! The Enrichment tab: profile sync status, the stored profiles, and recent events with their
//! `p_enrichment` matches.

use app::model::{
    enrichment::{
        DeviceProfileRow, EnrichmentMatch, EnrichmentOverview, EventDetail, ProfileKind,
        ProfilePage, RecentEvent, SyncStatus, UserProfileRow, PROFILE_PAGE_SIZE,
    },
    source::EnrichmentSettings,
    AppError,
};
use serde_json::Value;

use super::{rfc3339_ms, store_error, Engine};
use crate::{
    enrich,
    store::{EventSummaryRow, SourceRow},
};

/// Events in the recent-events list.
const RECENT_EVENTS: i64 = 50;

impl Engine {
    async fn source_row(&self, id: i64, context: &'static str) -> Result<SourceRow, AppError> {
        self.store
            .source(id)
            .await
            .map_err(store_error(context))?
            .ok_or_else(|| AppError::NotFound(format!("Source {id}")))
    }

    /// After saving the toggles: a kind switched on again starts over with a full sync; tasks
    /// start or stop; running ones re-read their refresh period.
    pub(super) async fn apply_enrichment(
        &self,
        before: &SourceRow,
        settings: &EnrichmentSettings,
    ) -> Result<(), AppError> {
        let context = "save_enrichment";
        for (kind, on) in [
            (ProfileKind::Users, settings.user_profiles),
            (ProfileKind::Devices, settings.device_profiles),
        ] {
            if on && !enrich::enabled(before, kind) {
                self.store
                    .reset_profile_sync(before.id, kind)
                    .await
                    .map_err(store_error(context))?;
            }
        }
        self.enricher
            .reconcile()
            .await
            .map_err(store_error(context))?;
        for kind in [ProfileKind::Users, ProfileKind::Devices] {
            self.enricher.wake(before.id, kind, false).await;
        }
        Ok(())
    }

    async fn sync_status(
        &self,
        source: &SourceRow,
        kind: ProfileKind,
    ) -> Result<SyncStatus, AppError> {
        let context = "enrichment_overview";
        let enabled = enrich::enabled(source, kind);
        let sync = self
            .store
            .profile_sync(source.id, kind)
            .await
            .map_err(store_error(context))?;
        let rows = self
            .store
            .profile_count(source.id, kind)
            .await
            .map_err(store_error(context))?;
        let refresh_minutes = match kind {
            ProfileKind::Users => source.user_refresh_minutes,
            ProfileKind::Devices => source.device_refresh_minutes,
        } as u32;
        let state = match (&sync, enabled) {
            (_, false) => "off".to_owned(),
            (Some(s), true) => s.state.clone(),
            (None, true) => "waiting".to_owned(),
        };
        Ok(SyncStatus {
            kind,
            enabled,
            state,
            rows,
            refresh_minutes,
            last_full_sync: sync.as_ref().and_then(|s| s.last_full_at).map(rfc3339_ms),
            last_delta_sync: sync.as_ref().and_then(|s| s.last_delta_at).map(rfc3339_ms),
            next_due: sync
                .as_ref()
                .filter(|_| enabled && source.enabled)
                .and_then(|s| s.next_due_at)
                .map(rfc3339_ms),
            last_error: sync.as_ref().and_then(|s| s.last_error.clone()),
            last_error_at: sync.as_ref().and_then(|s| s.last_error_at).map(rfc3339_ms),
        })
    }

    pub async fn enrichment_overview(&self, id: i64) -> Result<EnrichmentOverview, AppError> {
        let source = self.source_row(id, "enrichment_overview").await?;
        Ok(EnrichmentOverview {
            users: self.sync_status(&source, ProfileKind::Users).await?,
            devices: self.sync_status(&source, ProfileKind::Devices).await?,
        })
    }

    pub async fn user_profiles(
        &self,
        id: i64,
        search: &str,
        page: u32,
    ) -> Result<ProfilePage<UserProfileRow>, AppError> {
        let context = "user_profiles";
        self.source_row(id, context).await?;
        let size = i64::from(PROFILE_PAGE_SIZE);
        let (rows, total) = self
            .store
            .user_page(id, search, i64::from(page) * size, size)
            .await
            .map_err(store_error(context))?;
        let rows = rows
            .into_iter()
            .map(|u| {
                let full_name = [u.first_name.as_deref(), u.last_name.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                let name = u
                    .display_name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .or(Some(full_name).filter(|n| !n.trim().is_empty()))
                    .unwrap_or_else(|| u.login.clone());
                UserProfileRow {
                    id: u.id,
                    status: u.status,
                    login: u.login,
                    email: u.email,
                    name,
                    title: u.title,
                    department: u.department,
                    manager: u.manager,
                    last_login: u.last_login.map(rfc3339_ms),
                    last_updated: u.last_updated.map(rfc3339_ms),
                }
            })
            .collect();
        Ok(ProfilePage { rows, total, page })
    }

    pub async fn device_profiles(
        &self,
        id: i64,
        search: &str,
        page: u32,
    ) -> Result<ProfilePage<DeviceProfileRow>, AppError> {
        let context = "device_profiles";
        self.source_row(id, context).await?;
        let size = i64::from(PROFILE_PAGE_SIZE);
        let (rows, total) = self
            .store
            .device_page(id, search, i64::from(page) * size, size)
            .await
            .map_err(store_error(context))?;
        let rows = rows
            .into_iter()
            .map(|d| DeviceProfileRow {
                id: d.id,
                status: d.status,
                display_name: d.display_name,
                platform: d.platform,
                model: d.model,
                manufacturer: d.manufacturer,
                os_version: d.os_version,
                managed: d.managed,
                registered: d.registered,
                owners: serde_json::from_str(&d.owners).unwrap_or_default(),
                last_updated: d.last_updated.map(rfc3339_ms),
            })
            .collect();
        Ok(ProfilePage { rows, total, page })
    }

    pub async fn delete_profiles(&self, id: i64, kind: ProfileKind) -> Result<(), AppError> {
        let context = "delete_profiles";
        let source = self.source_row(id, context).await?;
        if enrich::enabled(&source, kind) {
            return Err(AppError::Invalid(format!(
                "Switch off {} profiles before deleting them: while on, they are kept in sync with Okta.",
                noun(kind)
            )));
        }
        let removed = self
            .store
            .delete_profiles(id, kind)
            .await
            .map_err(store_error(context))?;
        tracing::info!(
            source.id = id,
            profiles = kind.as_str(),
            rows = removed,
            "profiles deleted"
        );
        Ok(())
    }

    pub async fn sync_profiles(&self, id: i64, kind: ProfileKind) -> Result<(), AppError> {
        let context = "sync_profiles";
        let source = self.source_row(id, context).await?;
        if !enrich::enabled(&source, kind) {
            return Err(AppError::Invalid(format!(
                "Switch on {} profiles to sync them.",
                noun(kind)
            )));
        }
        if !source.enabled {
            return Err(AppError::Invalid(
                "The source is paused; resume it to sync profiles.".into(),
            ));
        }
        if !self.enricher.wake(id, kind, true).await {
            // Not running yet (just switched on, or its task ended): start it; it syncs at once
            // when no full sync has finished, else asks again.
            self.enricher
                .reconcile()
                .await
                .map_err(store_error(context))?;
            if !self.enricher.wake(id, kind, true).await {
                return Err(AppError::Invalid(
                    "Profile syncs are not running in this process.".into(),
                ));
            }
        }
        Ok(())
    }

    pub async fn recent_events(&self, id: i64) -> Result<Vec<RecentEvent>, AppError> {
        let context = "recent_events";
        self.source_row(id, context).await?;
        let rows = self
            .store
            .recent_events(id, RECENT_EVENTS)
            .await
            .map_err(store_error(context))?;
        Ok(rows.into_iter().map(recent_event).collect())
    }

    pub async fn event_detail(&self, id: i64, row_id: &str) -> Result<EventDetail, AppError> {
        let context = "event_detail";
        self.source_row(id, context).await?;
        let (row, data) = self
            .store
            .event_by_row_id(id, row_id)
            .await
            .map_err(store_error(context))?
            .ok_or_else(|| AppError::NotFound(format!("Event {row_id}")))?;
        let value: Value = serde_json::from_str(&data).unwrap_or(Value::String(data));
        let matches = value
            .get("p_enrichment")
            .map(enrichment_matches)
            .unwrap_or_default();
        Ok(EventDetail {
            summary: recent_event(row),
            matches,
            json: serde_json::to_string_pretty(&value).unwrap_or_default(),
        })
    }
}

fn noun(kind: ProfileKind) -> &'static str {
    match kind {
        ProfileKind::Users => "user",
        ProfileKind::Devices => "device",
    }
}

fn recent_event(row: EventSummaryRow) -> RecentEvent {
    let matches = row
        .enrichment
        .as_deref()
        .and_then(|e| serde_json::from_str::<Value>(e).ok())
        .map_or(0, |e| enrichment_matches(&e).len() as u32);
    RecentEvent {
        row_id: row.row_id,
        uuid: row.uuid,
        event_time: chrono::DateTime::from_timestamp_millis(row.event_time)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        event_type: row.event_type,
        severity: row.severity,
        actor: row.actor_alternate_id,
        outcome: row.outcome_result,
        display_message: row.display_message,
        matches,
    }
}

/// Every match in a `p_enrichment` object, table by table, selector by selector.
pub(crate) fn enrichment_matches(enrichment: &Value) -> Vec<EnrichmentMatch> {
    let mut matches = Vec::new();
    let Some(tables) = enrichment.as_object() else {
        return matches;
    };
    for (table, selectors) in tables {
        let Some(selectors) = selectors.as_object() else {
            continue;
        };
        for (selector, found) in selectors {
            let rows: Vec<&Value> = match found {
                Value::Array(rows) => rows.iter().collect(),
                row => vec![row],
            };
            for row in rows {
                matches.push(EnrichmentMatch {
                    table: table.clone(),
                    selector: selector.clone(),
                    value: row
                        .get("p_match")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    summary: summary(table, row),
                });
            }
        }
    }
    matches
}

/// A matched profile in words: "Jane Doe · Security Engineer · Security · ACTIVE".
fn summary(table: &str, row: &Value) -> String {
    let field = |key: &str| {
        row.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned)
    };
    let parts: Vec<String> = if table == ProfileKind::Devices.table() {
        let owners: Vec<&str> = row
            .get("owners")
            .and_then(Value::as_array)
            .map(|o| o.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        [
            field("displayName"),
            field("platform"),
            field("model"),
            field("status"),
            (!owners.is_empty()).then(|| format!("owned by {}", owners.join(", "))),
        ]
        .into_iter()
        .flatten()
        .collect()
    } else {
        let name = field("displayName").or_else(|| {
            let full = [field("firstName"), field("lastName")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            (!full.is_empty()).then_some(full)
        });
        [
            name.or_else(|| field("login")),
            field("title"),
            field("department"),
            field("status"),
        ]
        .into_iter()
        .flatten()
        .collect()
    };
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_are_listed_with_a_summary_in_words() {
        let e = json!({
            "okta_users": {
                "actor.id": {"id": "00u1", "login": "jane@example.com", "firstName": "Jane", "lastName": "Doe",
                             "title": "Security Engineer", "department": "Security", "status": "ACTIVE", "p_match": "00u1"},
                "target[].id": [{"id": "00u2", "login": "bo@example.com", "status": "SUSPENDED", "p_match": "00u2"}]
            },
            "okta_devices": {"device.id": {"id": "guo1", "displayName": "Jane's Mac", "platform": "MACOS",
                             "status": "ACTIVE", "owners": ["jane@example.com"], "p_match": "guo1"}}
        });
        let m = enrichment_matches(&e);
        assert_eq!(m.len(), 3);
        let by = |sel: &str, table: &str| {
            m.iter()
                .find(|x| x.selector == sel && x.table == table)
                .unwrap()
        };
        assert_eq!(
            by("actor.id", "okta_users").summary,
            "Jane Doe · Security Engineer · Security · ACTIVE"
        );
        assert_eq!(
            by("target[].id", "okta_users").summary,
            "bo@example.com · SUSPENDED"
        );
        assert_eq!(by("target[].id", "okta_users").value, "00u2");
        assert_eq!(
            by("device.id", "okta_devices").summary,
            "Jane's Mac · MACOS · ACTIVE · owned by jane@example.com"
        );
    }
}
