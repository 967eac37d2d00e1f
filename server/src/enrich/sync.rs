//! One profile sync of one source and kind: pages of `/api/v1/users` or `/api/v1/devices`
//! (following `next` on the org's host only), each page stored as it arrives.
//!
//! Full: every user (a `filter` is what makes Okta include DEPROVISIONED users) or device.
//! Delta: only what changed since the greatest `lastUpdated` seen (`filter` for users, `search`
//! for devices). Rows are upserted, so a sync repeated after a failure is harmless.

use app::model::enrichment::ProfileKind;
use serde_json::Value;
use url::Url;

use crate::{
    config::Secret,
    ingest::poller::{backoff, rate_limit_wait},
    okta::{OktaError, OktaHttp, RateBudget},
    secrets::SecretBox,
    store::{now_ms, DeviceRecord, SourceRow, Store, StoreError, UserRecord},
};

/// Okta's largest page for both endpoints.
pub const PROFILE_PAGE_LIMIT: u32 = 200;
/// Transient failures (5xx, timeouts, resets) retried within one sync.
const MAX_TRANSIENT_RETRIES: u32 = 3;
/// 429 answers waited out within one sync.
const MAX_RATE_LIMITED: u32 = 5;
/// The lower bound of a full users sync's filter: every user was updated after it.
const EPOCH: &str = "1970-01-01T00:00:00.000Z";

/// What syncs share.
#[derive(Clone, Debug)]
pub struct SyncContext {
    pub store: Store,
    pub http: OktaHttp,
    pub secrets: SecretBox,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("{0}")]
    Okta(String),
    #[error("The stored API token cannot be decrypted: {0}")]
    Secret(#[from] crate::secrets::SecretsError),
    #[error("Storing profiles failed: {0}")]
    Store(#[from] StoreError),
    #[error("Okta returned a {0} page that is not a JSON array of objects")]
    Decode(&'static str),
}

/// What a finished sync did.
#[derive(Debug, Default)]
pub struct SyncOutcome {
    pub requests: u32,
    pub rows: u64,
    /// The greatest `lastUpdated` seen (RFC 3339), if any row had one.
    pub cursor: Option<String>,
}

/// Okta's answer in words, naming what was being read.
pub fn describe(kind: ProfileKind, err: &OktaError) -> String {
    match err {
        OktaError::Forbidden { code, summary }
            if kind == ProfileKind::Devices && code == "E0000006" =>
        {
            format!("Okta Devices is not enabled for this org, or the token cannot read devices ({code}: {summary})")
        }
        OktaError::Forbidden { code, summary } => format!(
            "The token lacks permission to read {} ({code}: {summary})",
            kind.as_str()
        ),
        other => other.to_string(),
    }
}

/// The first page's URL: everything (full) or what changed after `since` (delta).
pub fn first_url(origin: &Url, kind: ProfileKind, since: Option<&str>) -> Url {
    let limit = PROFILE_PAGE_LIMIT.to_string();
    match kind {
        ProfileKind::Users => {
            let mut url = origin.join("/api/v1/users").expect("a fixed path joins");
            url.query_pairs_mut()
                .append_pair("limit", &limit)
                .append_pair(
                    "filter",
                    &format!("lastUpdated gt \"{}\"", since.unwrap_or(EPOCH)),
                );
            url
        }
        ProfileKind::Devices => {
            let mut url = origin.join("/api/v1/devices").expect("a fixed path joins");
            url.query_pairs_mut()
                .append_pair("limit", &limit)
                .append_pair("expand", "user");
            if let Some(since) = since {
                url.query_pairs_mut()
                    .append_pair("search", &format!("lastUpdated gt \"{since}\""));
            }
            url
        }
    }
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn time_ms(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis())
}

/// A user object from Okta as stored (`None` without an id).
pub fn user_record(v: &Value) -> Option<UserRecord> {
    Some(UserRecord {
        id: text(v, "/id")?,
        status: text(v, "/status").unwrap_or_default(),
        login: text(v, "/profile/login").unwrap_or_default(),
        email: text(v, "/profile/email"),
        first_name: text(v, "/profile/firstName"),
        last_name: text(v, "/profile/lastName"),
        display_name: text(v, "/profile/displayName"),
        title: text(v, "/profile/title"),
        department: text(v, "/profile/department"),
        manager: text(v, "/profile/manager"),
        manager_id: text(v, "/profile/managerId"),
        last_login: time_ms(v, "/lastLogin"),
        last_updated: time_ms(v, "/lastUpdated"),
        okta: v.to_string(),
    })
}

/// A device object from Okta (with `expand=user`) as stored (`None` without an id).
pub fn device_record(v: &Value) -> Option<DeviceRecord> {
    let owners: Vec<String> = v
        .pointer("/_embedded/users")
        .and_then(Value::as_array)
        .map(|users| {
            users
                .iter()
                .filter_map(|u| text(u, "/user/profile/login"))
                .collect()
        })
        .unwrap_or_default();
    Some(DeviceRecord {
        id: text(v, "/id")?,
        status: text(v, "/status").unwrap_or_default(),
        display_name: text(v, "/profile/displayName").unwrap_or_default(),
        platform: text(v, "/profile/platform"),
        model: text(v, "/profile/model"),
        manufacturer: text(v, "/profile/manufacturer"),
        os_version: text(v, "/profile/osVersion"),
        serial_number: text(v, "/profile/serialNumber"),
        managed: v.pointer("/profile/managed").and_then(Value::as_bool),
        registered: v.pointer("/profile/registered").and_then(Value::as_bool),
        owners: serde_json::to_string(&owners).expect("strings serialize"),
        last_updated: time_ms(v, "/lastUpdated"),
        okta: v.to_string(),
    })
}

fn format_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Runs one sync of `kind` for `source`, storing each page with `seen_at = started_at`.
pub async fn run_sync(
    ctx: &SyncContext,
    source: &SourceRow,
    kind: ProfileKind,
    since: Option<&str>,
    started_at: i64,
    budget: &mut RateBudget,
) -> Result<SyncOutcome, SyncError> {
    let token: Secret = ctx.secrets.open_token(&source.token_ciphertext)?;
    let origin = ctx
        .http
        .org_url(&source.subdomain, &source.domain)
        .map_err(|e| SyncError::Okta(describe(kind, &e)))?;
    let mut url = first_url(&origin, kind, since);
    let mut outcome = SyncOutcome::default();
    let mut max_updated: Option<i64> = None;
    let (mut transient, mut limited) = (0, 0);
    loop {
        if let Some(wait) = budget.wait_before_next(now_ms()) {
            tokio::time::sleep(wait).await;
        }
        outcome.requests += 1;
        let response = match ctx.http.get(&origin, &url, &token).await {
            Ok(response) => response,
            Err(err) => {
                let wait = match &err {
                    OktaError::RateLimited { rate, .. } if limited < MAX_RATE_LIMITED => {
                        if let Some(rate) = rate {
                            budget.observe(*rate);
                        }
                        limited += 1;
                        rate_limit_wait(rate.as_ref(), limited)
                    }
                    e if e.is_transient() && transient < MAX_TRANSIENT_RETRIES => {
                        transient += 1;
                        backoff(transient)
                    }
                    _ => return Err(SyncError::Okta(describe(kind, &err))),
                };
                tracing::info!(error = %err, wait_ms = wait.as_millis() as u64, "profile request failed; retrying");
                tokio::time::sleep(wait).await;
                continue;
            }
        };
        transient = 0;
        if let Some(rate) = response.rate {
            budget.observe(rate);
        }
        let items: Vec<Value> =
            serde_json::from_slice(&response.body).map_err(|_| SyncError::Decode(kind.as_str()))?;
        let seen = items.len() as u64;
        match kind {
            ProfileKind::Users => {
                let rows: Vec<UserRecord> = items.iter().filter_map(user_record).collect();
                max_updated = rows
                    .iter()
                    .filter_map(|r| r.last_updated)
                    .chain(max_updated)
                    .max();
                ctx.store.upsert_users(source.id, &rows, started_at).await?;
            }
            ProfileKind::Devices => {
                let rows: Vec<DeviceRecord> = items.iter().filter_map(device_record).collect();
                max_updated = rows
                    .iter()
                    .filter_map(|r| r.last_updated)
                    .chain(max_updated)
                    .max();
                ctx.store
                    .upsert_devices(source.id, &rows, started_at)
                    .await?;
            }
        }
        outcome.rows += seen;
        let next = response
            .links
            .next
            .as_deref()
            .map(|n| url.join(n))
            .transpose()
            .map_err(|e| SyncError::Okta(format!("Okta's next link is not a URL: {e}")))?;
        match next {
            // `get` refuses a next link off the org's host before sending anything.
            Some(next) if next != url && seen > 0 => url = next,
            _ => break,
        }
    }
    outcome.cursor = max_updated.map(format_ms);
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn full_and_delta_urls() {
        let origin = Url::parse("https://acme.okta.com/").unwrap();
        let full = first_url(&origin, ProfileKind::Users, None);
        let pairs: Vec<(String, String)> = full.query_pairs().into_owned().collect();
        assert_eq!(full.path(), "/api/v1/users");
        assert!(pairs.contains(&("limit".into(), "200".into())));
        assert!(pairs.contains(&(
            "filter".into(),
            "lastUpdated gt \"1970-01-01T00:00:00.000Z\"".into()
        )));
        let delta = first_url(
            &origin,
            ProfileKind::Users,
            Some("2026-01-02T03:04:05.678Z"),
        );
        assert!(delta
            .query_pairs()
            .any(|(k, v)| k == "filter" && v == "lastUpdated gt \"2026-01-02T03:04:05.678Z\""));
        let devices = first_url(&origin, ProfileKind::Devices, None);
        assert_eq!(devices.path(), "/api/v1/devices");
        assert!(devices
            .query_pairs()
            .any(|(k, v)| k == "expand" && v == "user"));
        assert!(!devices.query_pairs().any(|(k, _)| k == "search"));
        let delta = first_url(
            &origin,
            ProfileKind::Devices,
            Some("2026-01-02T00:00:00.000Z"),
        );
        assert!(delta
            .query_pairs()
            .any(|(k, v)| k == "search" && v == "lastUpdated gt \"2026-01-02T00:00:00.000Z\""));
    }

    #[test]
    fn okta_objects_become_records() {
        let user = json!({"id": "00u1", "status": "DEPROVISIONED", "lastUpdated": "2026-01-01T00:00:00.000Z",
            "profile": {"login": "ana@example.com", "firstName": "Ana", "managerId": "00u9"}});
        let r = user_record(&user).unwrap();
        assert_eq!(
            (r.status.as_str(), r.login.as_str()),
            ("DEPROVISIONED", "ana@example.com")
        );
        assert_eq!(r.manager_id.as_deref(), Some("00u9"));
        assert_eq!(r.last_updated, Some(1_767_225_600_000));
        assert!(user_record(&json!({"status": "ACTIVE"})).is_none());
        let device = json!({"id": "guo1", "status": "ACTIVE", "profile": {"displayName": "Mac", "managed": true},
            "_embedded": {"users": [{"user": {"profile": {"login": "ana@example.com"}}}]}});
        let d = device_record(&device).unwrap();
        assert_eq!(d.owners, r#"["ana@example.com"]"#);
        assert_eq!(d.managed, Some(true));
    }

    #[test]
    fn forbidden_answers_are_explained_per_kind() {
        let forbidden = OktaError::Forbidden {
            code: "E0000006".into(),
            summary: "You do not have permission to perform the requested action".into(),
        };
        assert!(describe(ProfileKind::Devices, &forbidden).starts_with(
            "Okta Devices is not enabled for this org, or the token cannot read devices (E0000006"
        ));
        assert!(describe(ProfileKind::Users, &forbidden)
            .starts_with("The token lacks permission to read users (E0000006: You do not"));
        let down = OktaError::Connect {
            host: "acme.okta.com".into(),
            detail: "refused".into(),
        };
        assert!(describe(ProfileKind::Users, &down).contains("acme.okta.com"));
    }
}
