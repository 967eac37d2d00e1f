//! The fast path of normalization, for the common case: a well-formed event with none of the
//! known quirks. The event's own JSON text is kept byte for byte and the `p_` fields are
//! appended to it, so nothing is parsed into a tree, rebuilt and printed again. Anything
//! unusual returns `None` and takes the general path in `mod.rs`, which also produces the
//! precise classification error; the two paths yield equal rows (tested below).

use std::{borrow::Cow, fmt::Write as _};

use chrono::{DateTime, Utc};
use rand::Rng;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{
    canonical_ip, is_domain_name, looks_like_email, new_row_id, panther_time, NormalizedEvent,
    Stamp, LOG_TYPE, SCHEMA_VERSION, SEVERITIES,
};

/// Only the fields normalization reads; everything else is skipped by the parser.
#[derive(Deserialize)]
struct Peek<'a> {
    #[serde(borrow, default)]
    uuid: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    published: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "eventType")]
    event_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    version: Option<&'a RawValue>,
    #[serde(borrow, default)]
    severity: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    actor: Option<PeekActor<'a>>,
    #[serde(borrow, default)]
    client: Option<PeekClient<'a>>,
    #[serde(borrow, default)]
    outcome: Option<PeekOutcome<'a>>,
    #[serde(borrow, default)]
    request: Option<PeekRequest<'a>>,
    #[serde(borrow, default, rename = "securityContext")]
    security_context: Option<PeekSecurity<'a>>,
}

#[derive(Deserialize)]
struct PeekActor<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "alternateId")]
    alternate_id: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct PeekClient<'a> {
    #[serde(borrow, default, rename = "ipAddress")]
    ip_address: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct PeekOutcome<'a> {
    #[serde(borrow, default)]
    result: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct PeekRequest<'a> {
    #[serde(borrow, default, rename = "ipChain")]
    ip_chain: Option<Vec<PeekHop<'a>>>,
}

#[derive(Deserialize)]
struct PeekHop<'a> {
    #[serde(borrow, default)]
    ip: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct PeekSecurity<'a> {
    #[serde(borrow, default)]
    domain: Option<Cow<'a, str>>,
}

/// The row for `raw`, or `None` when the event needs the general path.
pub(super) fn normalize(
    stamp: &Stamp<'_>,
    raw: &str,
    rng: &mut impl Rng,
) -> Option<NormalizedEvent> {
    if !plain_enough(raw) {
        return None;
    }
    // Fails on anything off-shape (a number where a string belongs, a duplicate key, ...).
    let peek: Peek = serde_json::from_str(raw).ok()?;
    let uuid = peek.uuid.filter(|s| !s.trim().is_empty())?;
    let published: DateTime<Utc> = DateTime::parse_from_rfc3339(peek.published.as_deref()?)
        .ok()?
        .with_timezone(&Utc);
    let event_type = peek.event_type.filter(|s| !s.trim().is_empty())?;
    // A string version; numbers are a quirk the general path turns into strings.
    if !peek.version?.get().starts_with('"') {
        return None;
    }
    let severity = peek.severity.filter(|s| SEVERITIES.contains(&s.as_ref()))?;

    let client_ip = peek
        .client
        .as_ref()
        .and_then(|c| c.ip_address.as_deref())
        .and_then(canonical_ip);
    let mut ips: Vec<String> = client_ip.iter().cloned().collect();
    if let Some(chain) = peek.request.as_ref().and_then(|r| r.ip_chain.as_ref()) {
        ips.extend(
            chain
                .iter()
                .filter_map(|hop| hop.ip.as_deref())
                .filter_map(canonical_ip),
        );
    }
    ips.sort_unstable();
    ips.dedup();
    let (actor_id, actor_alternate_id) = match peek.actor {
        Some(actor) => (
            actor.id.map(Cow::into_owned),
            actor.alternate_id.map(Cow::into_owned),
        ),
        None => (None, None),
    };
    let email = actor_alternate_id
        .as_deref()
        .filter(|id| looks_like_email(id));
    let domain = peek
        .security_context
        .and_then(|s| s.domain)
        .filter(|d| is_domain_name(d));

    let row_id = new_row_id(rng);
    let mut json = String::with_capacity(raw.len() + 320);
    // `raw` is an object with members (the required fields): drop its `}` and go on with `,`.
    json.push_str(&raw[..raw.len() - 1]);
    let _ = write!(
        json,
        r#","p_log_type":"{LOG_TYPE}","p_row_id":"{row_id}","p_event_time":"{}","p_parse_time":"{}","p_schema_version":{SCHEMA_VERSION},"p_source_id":"{}","p_source_label":{}"#,
        panther_time(&published),
        stamp.parse_time,
        stamp.source_id,
        stamp.source_label_json,
    );
    if !ips.is_empty() {
        json.push_str(r#","p_any_ip_addresses":"#);
        push_string_array(&mut json, ips.iter().map(String::as_str));
    }
    if let Some(email) = email {
        json.push_str(r#","p_any_emails":"#);
        push_string_array(&mut json, std::iter::once(email));
    }
    if let Some(domain) = domain.as_deref() {
        json.push_str(r#","p_any_domain_names":"#);
        push_string_array(&mut json, std::iter::once(domain));
    }
    json.push('}');

    Some(NormalizedEvent {
        uuid: uuid.into_owned(),
        event_time: published,
        event_type: event_type.into_owned(),
        severity: severity.into_owned(),
        actor_id,
        actor_alternate_id,
        client_ip,
        outcome_result: peek.outcome.and_then(|o| o.result).map(Cow::into_owned),
        row_id,
        json,
    })
}

/// Cheap checks on the text that rule out every quirk the general path repairs.
fn plain_enough(raw: &str) -> bool {
    raw.starts_with('{')
        && raw.ends_with('}')
        // Rows are one line each (exports are NDJSON); JSON strings never hold raw newlines.
        && !raw.contains(['\n', '\r'])
        // "null" strings become nulls; a `p_` key of the event's own would be duplicated.
        && !raw.contains("\"null\"")
        && !raw.contains("\"p_")
        && !numeric_postal_code(raw)
}

/// `"postalCode": 12345` anywhere (the general path makes it a string).
fn numeric_postal_code(raw: &str) -> bool {
    raw.match_indices("\"postalCode\"").any(|(at, key)| {
        let rest = raw[at + key.len()..].trim_start();
        let value = rest.strip_prefix(':').map(str::trim_start).unwrap_or("");
        value.starts_with(|c: char| c.is_ascii_digit() || c == '-')
    })
}

fn push_string_array<'s>(json: &mut String, items: impl Iterator<Item = &'s str>) {
    json.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            json.push(',');
        }
        // Serializing a &str cannot fail.
        json.push_str(&serde_json::to_string(item).unwrap_or_default());
    }
    json.push(']');
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;
    use crate::ingest::normalize::{normalize_event, NormalizeContext};

    fn ctx() -> NormalizeContext {
        NormalizeContext {
            source_id: 3,
            source_label: "Prod \"EU\"".into(),
            parse_time: DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    fn without_row_id(json: &str) -> Value {
        let mut value: Value = serde_json::from_str(json).unwrap();
        value.as_object_mut().unwrap().remove("p_row_id");
        value
    }

    fn plain_event() -> Value {
        json!({
            "uuid": "9f0c2f0e-1111-4222-8333-444455556666",
            "published": "2026-02-28T23:59:59.123+01:00",
            "eventType": "user.session.start",
            "version": "0",
            "severity": "INFO",
            "displayMessage": "User login to Okta \u{e9}\\t",
            "actor": {"id": "00u1", "type": "User", "alternateId": "ana@example.com", "displayName": "Ana"},
            "client": {"ipAddress": "2001:DB8::1", "geographicalContext": {"postalCode": "10115"}},
            "request": {"ipChain": [{"ip": "198.51.100.4"}, {"ip": "2001:db8::1"}, {"ip": "bogus"}]},
            "securityContext": {"domain": "example.net", "isProxy": false},
            "outcome": {"result": "SUCCESS"},
            "transaction": {"detail": {"requestApiTokenId": "00T1"}},
            "aBrandNewField": {"nested": [1, 2, 3]}
        })
    }

    #[test]
    fn the_fast_path_row_equals_the_general_path_row() {
        let ctx = ctx();
        let stamp = Stamp::new(&ctx);
        let raw = plain_event();
        let text = serde_json::to_string(&raw).unwrap();
        let fast = normalize(&stamp, &text, &mut rand::thread_rng())
            .expect("plain events take the fast path");
        let general = normalize_event(raw, &ctx).unwrap();
        assert_eq!(without_row_id(&fast.json), without_row_id(&general.json));
        assert_eq!(fast.row_id.len(), 32);
        assert_eq!(
            (fast.uuid, fast.event_time, fast.event_type, fast.severity),
            (
                general.uuid,
                general.event_time,
                general.event_type,
                general.severity
            )
        );
        assert_eq!(
            (fast.actor_id, fast.actor_alternate_id),
            (general.actor_id, general.actor_alternate_id)
        );
        assert_eq!(
            (fast.client_ip, fast.outcome_result),
            (general.client_ip, general.outcome_result)
        );
        // The event's own text is kept as sent: only the p_ fields are appended.
        assert!(fast.json.starts_with(&text[..text.len() - 1]));
    }

    #[test]
    fn quirks_and_failures_go_to_the_general_path() {
        let ctx = ctx();
        let stamp = Stamp::new(&ctx);
        let mut cases = Vec::new();
        for (pointer, value) in [
            ("/version", json!(0)),
            ("/client/ipAddress", json!("null")),
            ("/client/geographicalContext/postalCode", json!(10115)),
            ("/severity", json!("info")),
            ("/published", json!("2017-09-31T10:00:00Z")),
            ("/uuid", json!("")),
            ("/actor", json!("not an object")),
        ] {
            let mut event = plain_event();
            *event.pointer_mut(pointer).unwrap() = value;
            cases.push(serde_json::to_string(&event).unwrap());
        }
        let mut own_p_field = plain_event();
        own_p_field["p_row_id"] = json!("forged");
        cases.push(serde_json::to_string(&own_p_field).unwrap());
        cases.push(serde_json::to_string_pretty(&plain_event()).unwrap());
        cases.push(r#"{"uuid":"a","uuid":"b","published":"2026-01-01T00:00:00Z","eventType":"x","version":"0","severity":"INFO"}"#.into());
        for case in cases {
            assert!(
                normalize(&stamp, &case, &mut rand::thread_rng()).is_none(),
                "{case}"
            );
        }
    }
}
