//! Arbitrary bytes as a System Log page, an NDJSON stream or one event: normalization never
//! panics, and whenever the fast path takes an event, the general path accepts it too and
//! yields the same row (JSON compared as values minus `p_row_id`, and every column), as the
//! equivalence tests in `server/src/ingest/normalize/fast.rs` check; with and without
//! enrichment.
#![no_main]

use std::sync::{Arc, OnceLock};

use gatehouse::enrich::{DeviceTable, SourceLookup, UserTable};
use gatehouse::ingest::normalize::{
    fast_and_general_paths, normalize_page, normalize_page_enriched, normalize_stream,
    NormalizeContext, NormalizedEvent,
};
use gatehouse::store::{DeviceRecord, UserRecord};
use libfuzzer_sys::fuzz_target;
use serde_json::{value::RawValue, Value};

fn ctx() -> &'static NormalizeContext {
    static CTX: OnceLock<NormalizeContext> = OnceLock::new();
    CTX.get_or_init(|| NormalizeContext {
        source_id: 3,
        source_label: "Prod \"EU\" \u{e9}".into(),
        parse_time: "2026-03-01T10:00:00Z".parse().unwrap(),
    })
}

/// Profiles that match the fixtures' actors and targets, and the fast-path tests' `00u1`/`guo1`.
fn lookup() -> &'static SourceLookup {
    static LOOKUP: OnceLock<SourceLookup> = OnceLock::new();
    LOOKUP.get_or_init(|| {
        let user = |id: &str, login: &str| UserRecord {
            id: id.into(),
            status: "ACTIVE".into(),
            login: login.into(),
            email: Some(login.into()),
            display_name: Some("A \"user\"".into()),
            okta: "{}".into(),
            ..UserRecord::default()
        };
        SourceLookup {
            users: Some(Arc::new(UserTable::build(&[
                user("00u1", "ana@example.com"),
                user("00u8xk2d1fQ7mLp3R5d7", "j.smith@acme.com"),
                user("00u1k9p4rT2sW6yZ8d7", "IT-Admin@acme.com"),
                user("null", "null"),
            ]))),
            devices: Some(Arc::new(DeviceTable::build(&[DeviceRecord {
                id: "guo1".into(),
                status: "ACTIVE".into(),
                display_name: "Ana's \"Mac\"".into(),
                owners: r#"["ana@example.com"]"#.into(),
                okta: "{}".into(),
                ..DeviceRecord::default()
            }]))),
        }
    })
}

fn without_row_id(json: &str, path: &str, raw: &str) -> Value {
    let mut value: Value = serde_json::from_str(json)
        .unwrap_or_else(|e| panic!("the {path} path's row is not JSON ({e}): {json}\nraw: {raw}"));
    value
        .as_object_mut()
        .unwrap_or_else(|| panic!("the {path} path's row is not an object: {json}"))
        .remove("p_row_id");
    value
}

fn columns(e: &NormalizedEvent) -> impl PartialEq + std::fmt::Debug + '_ {
    (
        &e.uuid,
        e.event_time,
        &e.event_type,
        &e.severity,
        &e.actor_id,
        &e.actor_alternate_id,
        &e.client_ip,
        &e.outcome_result,
    )
}

/// Each top-level `p_` key of a row exactly once (a duplicate would let an event forge one for
/// readers that take the first of two equal keys, such as SQLite's JSON functions).
fn assert_p_fields_once(json: &str) {
    struct Keys(Vec<String>);
    impl<'de> serde::de::Visitor<'de> for Keys {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            mut self,
            mut map: A,
        ) -> Result<Vec<String>, A::Error> {
            while let Some((key, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                self.0.push(key);
            }
            Ok(self.0)
        }
    }
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let mut keys = serde::Deserializer::deserialize_map(&mut deserializer, Keys(Vec::new()))
        .expect("a row is a JSON object");
    keys.retain(|k| k.starts_with("p_"));
    keys.sort();
    for pair in keys.windows(2) {
        assert_ne!(pair[0], pair[1], "a `p_` field twice in the row: {json}");
    }
}

fn check_paths(raw: &str, lookup: Option<&SourceLookup>) {
    let Some((fast, general)) = fast_and_general_paths(raw, ctx(), lookup) else {
        return;
    };
    if let Ok(general) = &general {
        assert_p_fields_once(&general.json);
    }
    let Some(fast) = fast else {
        return;
    };
    let general = general.unwrap_or_else(|e| {
        panic!("the fast path took an event the general path rejects ({e}): {raw}")
    });
    assert!(!fast.json.contains(['\n', '\r']), "{}", fast.json);
    assert_eq!(fast.row_id.len(), 32);
    assert_p_fields_once(&fast.json);
    assert_eq!(
        without_row_id(&fast.json, "fast", raw),
        without_row_id(&general.json, "general", raw),
        "rows differ for {raw}"
    );
    assert_eq!(
        columns(&fast),
        columns(&general),
        "columns differ for {raw}"
    );
}

fuzz_target!(|data: &[u8]| {
    // Never panics, whatever the body.
    let _ = normalize_page(data, ctx());
    let _ = normalize_page_enriched(data, ctx(), Some(lookup()));
    let _ = normalize_stream(data, std::io::sink(), std::io::sink(), ctx());

    // The two paths agree, on the input as one event and on each element of a page.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let elements = serde_json::from_str::<Vec<&RawValue>>(text).unwrap_or_default();
    for raw in std::iter::once(text).chain(elements.iter().map(|e| e.get())) {
        check_paths(raw, None);
        check_paths(raw, Some(lookup()));
    }
});
