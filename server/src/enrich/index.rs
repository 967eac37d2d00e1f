//! The in-memory lookup tables consulted while events are normalized, and the splicing of
//! matches into a row's JSON as `p_enrichment`.
//!
//! Speed matters (this runs for every event on the poll path), so each profile is serialized to
//! its compact JSON once, when the table is built, without its closing `}`; a match appends that
//! text, `,"p_match":"<value>"}`, and nothing is parsed or built per event.

use std::{
    borrow::Cow,
    collections::HashMap,
    sync::{Arc, RwLock},
};

use serde::Serialize;

use crate::store::{DeviceRecord, UserRecord};

/// Profile keys → row index. FxHash rather than SipHash: the keys are Okta ids and logins from
/// the org itself (no flooding to resist), and the hashing is on every event's path.
type FastMap = HashMap<Box<str>, u32, rustc_hash::FxBuildHasher>;

/// Pre-serialized profile rows and their index by Okta id (what both tables share).
#[derive(Debug, Default)]
struct Rows {
    text: Vec<Box<str>>,
    by_id: FastMap,
}

impl Rows {
    fn with_capacity(n: usize) -> Self {
        Rows {
            text: Vec::with_capacity(n),
            by_id: FastMap::with_capacity_and_hasher(n, Default::default()),
        }
    }

    /// Adds a row; returns its index.
    fn push(&mut self, id: &str, row: Box<str>) -> u32 {
        let at = self.text.len() as u32;
        self.text.push(row);
        self.by_id.insert(id.into(), at);
        at
    }

    fn get(&self, at: u32) -> &str {
        &self.text[at as usize]
    }

    fn by_id(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(|&at| self.get(at))
    }
}

/// Users by id and by login (lowercased: Okta logins ignore case).
#[derive(Debug, Default)]
pub struct UserTable {
    rows: Rows,
    by_login: FastMap,
}

/// Devices by id.
#[derive(Debug, Default)]
pub struct DeviceTable {
    rows: Rows,
}

/// What one source's events are enriched with: only the kinds that are switched on and have
/// finished a full sync.
#[derive(Debug, Default, Clone)]
pub struct SourceLookup {
    pub users: Option<Arc<UserTable>>,
    pub devices: Option<Arc<DeviceTable>>,
}

impl SourceLookup {
    pub fn is_empty(&self) -> bool {
        self.users.is_none() && self.devices.is_none()
    }
}

/// The current lookup of every source, swapped whole when a sync finishes or a toggle changes:
/// a page being normalized keeps the snapshot it started with.
#[derive(Debug, Default)]
pub struct Lookups(RwLock<HashMap<i64, Arc<SourceLookup>>>);

impl Lookups {
    pub fn get(&self, source_id: i64) -> Option<Arc<SourceLookup>> {
        self.0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&source_id)
            .cloned()
    }

    /// Publishes the source's lookup (an empty one removes it).
    pub fn set(&self, source_id: i64, lookup: SourceLookup) {
        let mut map = self.0.write().unwrap_or_else(|e| e.into_inner());
        if lookup.is_empty() {
            map.remove(&source_id);
        } else {
            map.insert(source_id, Arc::new(lookup));
        }
    }
}

/// The compact user object written under `p_enrichment.okta_users`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserJson<'a> {
    id: &'a str,
    status: &'a str,
    login: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    department: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manager: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manager_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_login: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_updated: Option<String>,
}

/// The compact device object written under `p_enrichment.okta_devices`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeviceJson<'a> {
    id: &'a str,
    status: &'a str,
    display_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    manufacturer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    os_version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    serial_number: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    managed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    registered: Option<bool>,
    owners: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_updated: Option<String>,
}

fn time(ms: Option<i64>) -> Option<String> {
    ms.and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// `value` serialized, without its closing `}`.
fn open_object(value: &impl Serialize) -> Box<str> {
    let mut text = serde_json::to_string(value).expect("a profile always serializes");
    text.pop();
    text.into_boxed_str()
}

impl UserTable {
    pub fn build(users: &[UserRecord]) -> Self {
        let mut table = UserTable {
            rows: Rows::with_capacity(users.len()),
            by_login: FastMap::with_capacity_and_hasher(users.len(), Default::default()),
        };
        for u in users {
            let row = open_object(&UserJson {
                id: &u.id,
                status: &u.status,
                login: &u.login,
                email: u.email.as_deref(),
                first_name: u.first_name.as_deref(),
                last_name: u.last_name.as_deref(),
                display_name: u.display_name.as_deref(),
                title: u.title.as_deref(),
                department: u.department.as_deref(),
                manager: u.manager.as_deref(),
                manager_id: u.manager_id.as_deref(),
                last_login: time(u.last_login),
                last_updated: time(u.last_updated),
            });
            let at = table.rows.push(&u.id, row);
            table
                .by_login
                .insert(u.login.to_lowercase().into_boxed_str(), at);
        }
        table
    }

    pub fn len(&self) -> usize {
        self.rows.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.text.is_empty()
    }

    fn by_id(&self, id: &str) -> Option<&str> {
        self.rows.by_id(id)
    }

    fn by_login(&self, login: &str) -> Option<&str> {
        let key = if login
            .bytes()
            .any(|b| b.is_ascii_uppercase() || !b.is_ascii())
        {
            Cow::Owned(login.to_lowercase())
        } else {
            Cow::Borrowed(login)
        };
        self.by_login.get(key.as_ref()).map(|&at| self.rows.get(at))
    }

    /// Bytes held, roughly: row text, keys, and the maps' slots.
    pub fn estimated_bytes(&self) -> usize {
        estimated_bytes(&self.rows.text, &[&self.rows.by_id, &self.by_login])
    }
}

impl DeviceTable {
    pub fn build(devices: &[DeviceRecord]) -> Self {
        let mut table = DeviceTable {
            rows: Rows::with_capacity(devices.len()),
        };
        for d in devices {
            let row = open_object(&DeviceJson {
                id: &d.id,
                status: &d.status,
                display_name: &d.display_name,
                platform: d.platform.as_deref(),
                model: d.model.as_deref(),
                manufacturer: d.manufacturer.as_deref(),
                os_version: d.os_version.as_deref(),
                serial_number: d.serial_number.as_deref(),
                managed: d.managed,
                registered: d.registered,
                owners: serde_json::from_str(&d.owners).unwrap_or_default(),
                last_updated: time(d.last_updated),
            });
            table.rows.push(&d.id, row);
        }
        table
    }

    pub fn len(&self) -> usize {
        self.rows.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.text.is_empty()
    }

    fn by_id(&self, id: &str) -> Option<&str> {
        self.rows.by_id(id)
    }

    pub fn estimated_bytes(&self) -> usize {
        estimated_bytes(&self.rows.text, &[&self.rows.by_id])
    }
}

fn estimated_bytes(rows: &[Box<str>], maps: &[&FastMap]) -> usize {
    let slot = std::mem::size_of::<(Box<str>, u32)>() + 1;
    rows.iter().map(|r| r.len() + 16).sum::<usize>()
        + maps
            .iter()
            .map(|m| m.capacity() * slot + m.keys().map(|k| k.len()).sum::<usize>())
            .sum::<usize>()
}

/// The fields of one event that lookups match on, borrowed from the event where possible.
#[derive(Debug, Default)]
pub struct EventKeys<'a> {
    pub actor_id: Option<Cow<'a, str>>,
    pub actor_alternate_id: Option<Cow<'a, str>>,
    pub targets: Vec<TargetKey<'a>>,
    /// The top-level `device.id` (Okta Verify / FastPass sign-ins).
    pub device_id: Option<Cow<'a, str>>,
}

#[derive(Debug, Default)]
pub struct TargetKey<'a> {
    pub kind: Option<Cow<'a, str>>,
    pub id: Option<Cow<'a, str>>,
    pub alternate_id: Option<Cow<'a, str>>,
}

impl TargetKey<'_> {
    fn is(&self, kind: &str) -> bool {
        self.kind.as_deref() == Some(kind)
    }
}

/// Writes `,"p_enrichment":{…}` into `out` (a row's JSON without its closing `}`) when the
/// event matches anything; returns the number of matches.
pub fn append_enrichment(lookup: &SourceLookup, keys: &EventKeys<'_>, out: &mut String) -> usize {
    let start = out.len();
    out.push_str(r#","p_enrichment":{"#);
    let mut matches = 0;
    let mut tables = 0;
    if let Some(users) = &lookup.users {
        let mut w = TableWriter::new(out, "okta_users", &mut tables);
        if let Some(id) = keys.actor_id.as_deref() {
            w.single("actor.id", users.by_id(id), id);
        }
        if let Some(login) = keys.actor_alternate_id.as_deref() {
            w.single("actor.alternateId", users.by_login(login), login);
        }
        let user_targets = || keys.targets.iter().filter(|t| t.is("User"));
        w.array(
            "target[].id",
            user_targets().filter_map(|t| t.id.as_deref().map(|id| (users.by_id(id), id))),
        );
        w.array(
            "target[].alternateId",
            user_targets().filter_map(|t| {
                t.alternate_id
                    .as_deref()
                    .map(|login| (users.by_login(login), login))
            }),
        );
        matches += w.finish();
    }
    if let Some(devices) = &lookup.devices {
        let mut w = TableWriter::new(out, "okta_devices", &mut tables);
        if let Some(id) = keys.device_id.as_deref() {
            w.single("device.id", devices.by_id(id), id);
        }
        w.array(
            "target[].id",
            keys.targets
                .iter()
                .filter(|t| t.is("Device") || t.is("UDDevice"))
                .filter_map(|t| t.id.as_deref().map(|id| (devices.by_id(id), id))),
        );
        matches += w.finish();
    }
    if matches == 0 {
        out.truncate(start);
    } else {
        out.push('}');
    }
    matches
}

/// Writes one table's object (`"okta_users":{…}`) only once it has a match.
struct TableWriter<'o> {
    out: &'o mut String,
    name: &'static str,
    tables: &'o mut usize,
    matches: usize,
}

impl<'o> TableWriter<'o> {
    fn new(out: &'o mut String, name: &'static str, tables: &'o mut usize) -> Self {
        TableWriter {
            out,
            name,
            tables,
            matches: 0,
        }
    }

    /// Before a selector: opens the table on its first match, else separates selectors.
    fn selector(&mut self, selector: &str) {
        if self.matches == 0 {
            if *self.tables > 0 {
                self.out.push(',');
            }
            *self.tables += 1;
            self.out.push('"');
            self.out.push_str(self.name);
            self.out.push_str("\":{");
        } else {
            self.out.push(',');
        }
        self.out.push('"');
        self.out.push_str(selector);
        self.out.push_str("\":");
    }

    fn single(&mut self, selector: &str, row: Option<&str>, value: &str) {
        if let Some(row) = row {
            self.selector(selector);
            push_match(self.out, row, value);
            self.matches += 1;
        }
    }

    fn array<'v>(
        &mut self,
        selector: &str,
        hits: impl Iterator<Item = (Option<&'v str>, &'v str)>,
    ) {
        let mut n = 0;
        for (row, value) in hits {
            let Some(row) = row else { continue };
            if n == 0 {
                self.selector(selector);
                self.out.push('[');
            } else {
                self.out.push(',');
            }
            push_match(self.out, row, value);
            n += 1;
        }
        if n > 0 {
            self.out.push(']');
            self.matches += n;
        }
    }

    fn finish(self) -> usize {
        if self.matches > 0 {
            self.out.push('}');
        }
        self.matches
    }
}

/// The row's text, then `,"p_match":<value>}`.
fn push_match(out: &mut String, row: &str, value: &str) {
    out.push_str(row);
    out.push_str(r#","p_match":"#);
    push_json_string(out, value);
    out.push('}');
}

fn push_json_string(out: &mut String, value: &str) {
    if value.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(&serde_json::to_string(value).expect("a string always serializes"));
    } else {
        out.push('"');
        out.push_str(value);
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn user(id: &str, login: &str) -> UserRecord {
        UserRecord {
            id: id.into(),
            status: "ACTIVE".into(),
            login: login.into(),
            email: Some(login.into()),
            first_name: Some("Ana".into()),
            last_name: Some("Lopez".into()),
            title: Some("Engineer".into()),
            last_updated: Some(1_700_000_000_000),
            ..UserRecord::default()
        }
    }

    fn lookup() -> SourceLookup {
        SourceLookup {
            users: Some(Arc::new(UserTable::build(&[
                user("00u1", "Ana@Example.com"),
                user("00u2", "bo@example.com"),
            ]))),
            devices: Some(Arc::new(DeviceTable::build(&[DeviceRecord {
                id: "guo1".into(),
                status: "ACTIVE".into(),
                display_name: "Ana's \"Mac\"".into(),
                platform: Some("MACOS".into()),
                owners: r#"["ana@example.com"]"#.into(),
                ..DeviceRecord::default()
            }]))),
        }
    }

    fn enrich(keys: &EventKeys<'_>) -> (usize, Value) {
        let mut out = r#"{"uuid":"x""#.to_owned();
        let n = append_enrichment(&lookup(), keys, &mut out);
        out.push('}');
        (n, serde_json::from_str(&out).expect("valid JSON"))
    }

    fn cow(s: &str) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(s))
    }

    #[test]
    fn actor_and_target_matches_are_spliced_panther_style() {
        let keys = EventKeys {
            actor_id: cow("00u1"),
            actor_alternate_id: cow("ANA@example.COM"),
            targets: vec![
                TargetKey {
                    kind: cow("User"),
                    id: cow("00u2"),
                    alternate_id: cow("bo@example.com"),
                },
                TargetKey {
                    kind: cow("User"),
                    id: cow("00u-unknown"),
                    alternate_id: None,
                },
                TargetKey {
                    kind: cow("AppInstance"),
                    id: cow("00u1"),
                    alternate_id: None,
                },
                TargetKey {
                    kind: cow("Device"),
                    id: cow("guo1"),
                    alternate_id: None,
                },
            ],
            device_id: cow("guo1"),
        };
        let (n, v) = enrich(&keys);
        assert_eq!(n, 6);
        let users = &v["p_enrichment"]["okta_users"];
        assert_eq!(users["actor.id"]["login"], "Ana@Example.com");
        assert_eq!(users["actor.id"]["p_match"], "00u1");
        assert_eq!(users["actor.id"]["lastUpdated"], "2023-11-14T22:13:20.000Z");
        assert_eq!(users["actor.alternateId"]["id"], "00u1");
        assert_eq!(users["actor.alternateId"]["p_match"], "ANA@example.COM");
        assert_eq!(
            users["target[].id"],
            json!([users["target[].id"][0].clone()])
        );
        assert_eq!(users["target[].id"][0]["p_match"], "00u2");
        assert_eq!(users["target[].alternateId"][0]["id"], "00u2");
        let devices = &v["p_enrichment"]["okta_devices"];
        assert_eq!(devices["device.id"]["displayName"], "Ana's \"Mac\"");
        assert_eq!(devices["device.id"]["owners"], json!(["ana@example.com"]));
        assert_eq!(devices["target[].id"][0]["p_match"], "guo1");
    }

    #[test]
    fn no_match_leaves_the_row_untouched() {
        let keys = EventKeys {
            actor_id: cow("00u9"),
            actor_alternate_id: cow("nobody@example.com"),
            ..EventKeys::default()
        };
        let mut out = r#"{"uuid":"x""#.to_owned();
        assert_eq!(append_enrichment(&lookup(), &keys, &mut out), 0);
        assert_eq!(out, r#"{"uuid":"x""#);
    }

    #[test]
    fn only_the_tables_present_are_consulted_and_values_are_escaped() {
        let only_devices = SourceLookup {
            users: None,
            devices: lookup().devices,
        };
        let keys = EventKeys {
            actor_id: cow("00u1"),
            device_id: cow("guo1"),
            ..EventKeys::default()
        };
        let mut out = "{\"a\":1".to_owned();
        assert_eq!(append_enrichment(&only_devices, &keys, &mut out), 1);
        out.push('}');
        let v: Value = serde_json::from_str(&out).unwrap();
        assert!(v["p_enrichment"].get("okta_users").is_none());
        let mut s = String::new();
        push_json_string(&mut s, "a\"b\\c\n");
        assert_eq!(s, r#""a\"b\\c\n""#);
    }
}
