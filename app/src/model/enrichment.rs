//! Okta user and device profiles (enrichment): sync progress, the stored profiles, and the
//! events they enrich. Times are RFC 3339 strings.

use serde::{Deserialize, Serialize};

/// The two lookup tables, named as in `p_enrichment` (`okta_users`, `okta_devices`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    Users,
    Devices,
}

impl ProfileKind {
    /// The lookup table's name in `p_enrichment`.
    pub fn table(self) -> &'static str {
        match self {
            ProfileKind::Users => "okta_users",
            ProfileKind::Devices => "okta_devices",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ProfileKind::Users => "users",
            ProfileKind::Devices => "devices",
        }
    }

    pub fn parse(s: &str) -> Option<ProfileKind> {
        [ProfileKind::Users, ProfileKind::Devices]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// How one profile sync of one source is doing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub kind: ProfileKind,
    /// The source's toggle.
    pub enabled: bool,
    /// `off`, `waiting` (first full sync not done yet), `syncing`, `ready`, `failed`.
    pub state: String,
    /// Profiles stored for this source (kept after switching off until deleted).
    pub rows: i64,
    pub refresh_minutes: u32,
    pub last_full_sync: Option<String>,
    pub last_delta_sync: Option<String>,
    pub next_due: Option<String>,
    /// The last failure in words ("The token lacks permission to read devices (E0000006)",
    /// "Okta Devices is not enabled for this org").
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
}

/// The Enrichment tab's status part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrichmentOverview {
    pub users: SyncStatus,
    pub devices: SyncStatus,
}

/// One stored user profile, as the Users table shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserProfileRow {
    pub id: String,
    pub status: String,
    pub login: String,
    pub email: Option<String>,
    /// Display name, or first and last name.
    pub name: String,
    pub title: Option<String>,
    pub department: Option<String>,
    pub manager: Option<String>,
    pub last_login: Option<String>,
    pub last_updated: Option<String>,
}

/// One stored device profile, as the Devices table shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceProfileRow {
    pub id: String,
    pub status: String,
    pub display_name: String,
    pub platform: Option<String>,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub os_version: Option<String>,
    pub managed: Option<bool>,
    pub registered: Option<bool>,
    /// The owners' logins.
    pub owners: Vec<String>,
    pub last_updated: Option<String>,
}

/// Rows per page of the profile tables.
pub const PROFILE_PAGE_SIZE: u32 = 50;

/// One page of a profile table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfilePage<T> {
    pub rows: Vec<T>,
    /// Rows matching the search, over all pages.
    pub total: i64,
    /// 0-based.
    pub page: u32,
}

/// One stored event in the source's recent-events list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecentEvent {
    /// `p_row_id`.
    pub row_id: String,
    pub uuid: String,
    pub event_time: String,
    pub event_type: String,
    pub severity: String,
    pub actor: Option<String>,
    pub outcome: Option<String>,
    pub display_message: Option<String>,
    /// How many enrichment matches the event carries.
    pub matches: u32,
}

/// One `p_enrichment` match of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrichmentMatch {
    /// `okta_users` or `okta_devices`.
    pub table: String,
    /// The event field that matched, e.g. `actor.id`, `actor.alternateId`, `target[].id`.
    pub selector: String,
    /// The value that matched (`p_match`).
    pub value: String,
    /// The matched profile in words ("Jane Doe · Security Engineer · Security · ACTIVE").
    pub summary: String,
}

/// One stored event in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDetail {
    pub summary: RecentEvent,
    pub matches: Vec<EnrichmentMatch>,
    /// The stored row (Okta.SystemLog with the `p_` fields), pretty-printed JSON.
    pub json: String,
}
