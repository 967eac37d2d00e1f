//! The fast path of normalization, for the common case: a well-formed event. The event's own
//! JSON text is kept byte for byte, apart from Okta's known quirks, which are repaired in the
//! text itself (`"null"` strings become `null`, numeric `version` and `postalCode` become
//! strings), and the `p_` fields are appended to it, so nothing is parsed into a tree, rebuilt
//! and printed again. Anything unusual returns `None` and takes the general path in `mod.rs`,
//! which also produces the precise classification error; the two paths yield equal rows
//! (tested below, also on the simulator's realistic events).

use std::{borrow::Cow, fmt::Write as _};

use chrono::{DateTime, Utc};
use rand::Rng;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::enrich::{append_enrichment, EventKeys, TargetKey};

use super::{
    canonical_ip, is_domain_name, looks_like_email, new_row_id, panther_time, NormalizedEvent,
    Stamp, LOG_TYPE, SCHEMA_VERSION, SEVERITIES,
};

/// Only the fields normalization reads or repairs; everything else is skipped by the parser.
/// The objects stay raw text (positioned inside the event) and are peeked at one by one.
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
    actor: Option<&'a RawValue>,
    #[serde(borrow, default)]
    client: Option<&'a RawValue>,
    #[serde(borrow, default)]
    device: Option<&'a RawValue>,
    #[serde(borrow, default)]
    outcome: Option<&'a RawValue>,
    #[serde(borrow, default)]
    request: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "securityContext")]
    security_context: Option<&'a RawValue>,
    #[serde(borrow, default)]
    target: Option<&'a RawValue>,
}

/// `actor` and each `target[]` entry.
#[derive(Deserialize)]
struct PeekEntity<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "alternateId")]
    alternate_id: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "displayName")]
    display_name: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "type")]
    kind: Option<&'a RawValue>,
}

/// The top-level `device` (for enrichment).
#[derive(Deserialize)]
struct PeekDevice<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct PeekClient<'a> {
    #[serde(borrow, default, rename = "ipAddress")]
    ip_address: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "geographicalContext")]
    geographical_context: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct PeekGeo<'a> {
    #[serde(borrow, default, rename = "postalCode")]
    postal_code: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct PeekOutcome<'a> {
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct PeekRequest<'a> {
    #[serde(borrow, default, rename = "ipChain")]
    ip_chain: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct PeekHop<'a> {
    #[serde(borrow, default)]
    ip: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "geographicalContext")]
    geographical_context: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct PeekSecurity<'a> {
    #[serde(borrow, default)]
    domain: Option<&'a RawValue>,
}

/// One repair of the event text: the bytes `at..end` of the event are replaced.
struct Edit {
    at: usize,
    end: usize,
    fix: Fix,
}

enum Fix {
    /// A `"null"` string becomes `null`.
    Null,
    /// A number becomes its string form: the digits are quoted.
    Quote,
}

/// The repairs of one event, positioned in its text.
struct Edits<'a> {
    raw: &'a str,
    list: Vec<Edit>,
}

impl<'a> Edits<'a> {
    /// Where `part` (a slice borrowed from the event text) starts and ends in it.
    fn span(&self, part: &RawValue) -> Option<(usize, usize)> {
        let at = (part.get().as_ptr() as usize).checked_sub(self.raw.as_ptr() as usize)?;
        let end = at.checked_add(part.get().len())?;
        (end <= self.raw.len()).then_some((at, end))
    }

    fn push(&mut self, part: &RawValue, fix: Fix) -> Option<()> {
        let (at, end) = self.span(part)?;
        self.list.push(Edit { at, end, fix });
        Some(())
    }

    /// `null_strings_to_null` on `value`: every `"null"` string value in it, however deep
    /// (object keys are not values and stay as they are).
    fn null_strings(&mut self, value: &RawValue) -> Option<()> {
        let text = value.get();
        // A string that decodes to "null" is `"null"` itself or spelled with `\u` escapes.
        if !text.contains("\"null\"") && !text.contains("\\u") {
            return Some(());
        }
        let (base, _) = self.span(value)?;
        let bytes = text.as_bytes();
        let mut i = 0;
        // The text is valid JSON, so outside strings a `"` always opens one.
        while let Some(open) = bytes[i..].iter().position(|&b| b == b'"') {
            let start = i + open;
            let mut j = start + 1;
            let mut escaped = false;
            loop {
                match *bytes.get(j)? {
                    b'"' => break,
                    b'\\' => {
                        escaped = true;
                        j += 2;
                    }
                    _ => j += 1,
                }
            }
            let end = j + 1;
            let token = &text[start..end];
            let is_null = if escaped {
                // At most six bytes per character: longer strings cannot be "null".
                token.len() <= 2 + 4 * 6
                    && serde_json::from_str::<String>(token).is_ok_and(|s| s == "null")
            } else {
                token == "\"null\""
            };
            let is_key = bytes[end..]
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|&b| b == b':');
            if is_null && !is_key {
                self.list.push(Edit {
                    at: base + start,
                    end: base + end,
                    fix: Fix::Null,
                });
            }
            i = end;
        }
        Some(())
    }

    /// `number_to_string` on an optional field (`postalCode`): numbers become strings, other
    /// values stay. Only plain non-negative integers are repaired here; other numbers (whose
    /// string form is not their text) return `None`.
    fn number_to_string(&mut self, value: Option<&RawValue>) -> Option<()> {
        match value {
            Some(value)
                if value
                    .get()
                    .starts_with(|c: char| c == '-' || c.is_ascii_digit()) =>
            {
                self.quote_integer(value)
            }
            _ => Some(()),
        }
    }

    /// A plain integer literal that `serde_json::Number::to_string` prints back unchanged.
    fn quote_integer(&mut self, value: &RawValue) -> Option<()> {
        let text = value.get();
        let n: u64 = text.parse().ok()?;
        if !text.bytes().all(|b| b.is_ascii_digit()) || n.to_string() != text {
            return None;
        }
        self.push(value, Fix::Quote)
    }

    /// `clean_entity`: `"null"` in `alternateId` and `displayName` becomes `null`.
    fn clean_entity(&mut self, entity: &PeekEntity<'_>) -> Option<()> {
        for value in [entity.alternate_id, entity.display_name]
            .into_iter()
            .flatten()
        {
            if str_of(Some(value)).is_some_and(|s| s == "null") {
                self.push(value, Fix::Null)?;
            }
        }
        Some(())
    }

    /// The event text without its closing `}`, repaired.
    fn apply(mut self, capacity: usize) -> Option<String> {
        let body = &self.raw[..self.raw.len() - 1];
        let mut json = String::with_capacity(capacity);
        self.list.sort_unstable_by_key(|edit| edit.at);
        let mut copied = 0;
        for edit in &self.list {
            // Edits are in disjoint parts of the event; never trust that blindly.
            if edit.at < copied || edit.end > body.len() {
                return None;
            }
            json.push_str(&body[copied..edit.at]);
            match edit.fix {
                Fix::Null => json.push_str("null"),
                Fix::Quote => {
                    json.push('"');
                    json.push_str(&body[edit.at..edit.end]);
                    json.push('"');
                }
            }
            copied = edit.end;
        }
        json.push_str(&body[copied..]);
        Some(json)
    }
}

/// `value` parsed as `T` when it is a JSON object (serde would also take an array, field by
/// position). `Some(None)` when it is absent or not an object: the general path finds no
/// fields in it either. `None` when it does not fit `T` (a duplicate key, ...).
fn object<'a, T: Deserialize<'a>>(value: Option<&'a RawValue>) -> Option<Option<T>> {
    match value {
        Some(value) if value.get().starts_with('{') => {
            serde_json::from_str(value.get()).ok().map(Some)
        }
        _ => Some(None),
    }
}

/// The elements of `value` when it is a JSON array, else none.
fn array(value: Option<&RawValue>) -> Option<Vec<&RawValue>> {
    match value {
        Some(value) if value.get().starts_with('[') => serde_json::from_str(value.get()).ok(),
        _ => Some(Vec::new()),
    }
}

/// `Value::as_str` on raw JSON: the string, or `None` for anything else.
fn str_of(value: Option<&RawValue>) -> Option<Cow<'_, str>> {
    let text = value?.get();
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(text).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
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
    let severity = peek.severity.filter(|s| SEVERITIES.contains(&s.as_ref()))?;

    // `clean_quirks`, as edits of the text.
    let mut edits = Edits {
        raw,
        list: Vec::new(),
    };
    // A string version stays; a number becomes a string; anything else is a failure.
    let version = peek.version?;
    if !version.get().starts_with('"') {
        edits.quote_integer(version)?;
    }
    let client: Option<PeekClient> = object(peek.client)?;
    if let Some(value) = peek.client {
        edits.null_strings(value)?;
    }
    if let Some(client) = &client {
        let geo: Option<PeekGeo> = object(client.geographical_context)?;
        edits.number_to_string(geo.and_then(|g| g.postal_code))?;
    }
    for value in [peek.security_context, peek.device].into_iter().flatten() {
        edits.null_strings(value)?;
    }
    let request: Option<PeekRequest> = object(peek.request)?;
    let ip_chain = request
        .and_then(|r| r.ip_chain)
        .filter(|c| c.get().starts_with('['));
    let mut hops = Vec::new();
    if let Some(chain) = ip_chain {
        edits.null_strings(chain)?;
        for hop in array(Some(chain))? {
            let Some(hop) = object::<PeekHop>(Some(hop))? else {
                continue;
            };
            let geo: Option<PeekGeo> = object(hop.geographical_context)?;
            edits.number_to_string(geo.and_then(|g| g.postal_code))?;
            hops.push(hop);
        }
    }
    let actor: Option<PeekEntity> = object(peek.actor)?;
    if let Some(actor) = &actor {
        edits.clean_entity(actor)?;
    }
    let mut targets = Vec::new();
    for target in array(peek.target)? {
        if let Some(target) = object::<PeekEntity>(Some(target))? {
            edits.clean_entity(&target)?;
            if stamp.lookup.is_some() {
                targets.push(target);
            }
        }
    }

    let client_ip = client
        .as_ref()
        .and_then(|c| str_of(c.ip_address))
        .and_then(|ip| canonical_ip(&ip));
    let mut ips: Vec<String> = client_ip.iter().cloned().collect();
    ips.extend(
        hops.iter()
            .filter_map(|hop| str_of(hop.ip))
            .filter_map(|ip| canonical_ip(&ip)),
    );
    ips.sort_unstable();
    ips.dedup();
    let (actor_id, actor_alternate_id) = match &actor {
        Some(actor) => (
            str_of(actor.id).map(Cow::into_owned),
            str_of(actor.alternate_id)
                .filter(|id| id != "null")
                .map(Cow::into_owned),
        ),
        None => (None, None),
    };
    let email = actor_alternate_id
        .as_deref()
        .filter(|id| looks_like_email(id));
    let security: Option<PeekSecurity> = object(peek.security_context)?;
    let domain = security
        .and_then(|s| str_of(s.domain))
        .filter(|d| is_domain_name(d));
    let outcome: Option<PeekOutcome> = object(peek.outcome)?;
    let outcome_result = outcome.and_then(|o| str_of(o.result)).map(Cow::into_owned);

    let row_id = new_row_id(rng);
    // `raw` is an object with members (the required fields): its `}` is dropped, go on with `,`.
    // Room for the `p_` fields, and for enrichment rows when a lookup is on (~1 KB when matched).
    let extra = if stamp.lookup.is_some() { 1_400 } else { 320 };
    let mut json = edits.apply(raw.len() + extra)?;
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
    if let Some(lookup) = stamp.lookup {
        let device: Option<PeekDevice> = object(peek.device)?;
        let keys = EventKeys {
            actor_id: actor_id.as_deref().map(Cow::Borrowed),
            actor_alternate_id: actor_alternate_id.as_deref().map(Cow::Borrowed),
            targets: targets
                .iter()
                .map(|t| TargetKey {
                    kind: str_of(t.kind),
                    id: str_of(t.id),
                    alternate_id: str_of(t.alternate_id).filter(|id| id != "null"),
                })
                .collect(),
            device_id: device.and_then(|d| str_of(d.id)),
        };
        append_enrichment(lookup, &keys, &mut json);
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
        outcome_result,
        row_id,
        json,
    })
}

/// Cheap checks on the text that rule out what the fast path does not handle.
fn plain_enough(raw: &str) -> bool {
    raw.starts_with('{')
        && raw.ends_with('}')
        // Rows are one line each (exports are NDJSON); JSON strings never hold raw newlines.
        && !raw.contains(['\n', '\r'])
        // A `p_` key of the event's own would be duplicated.
        && !raw.contains("\"p_")
        && within_value_limits(raw)
}

/// `false` when `raw` may hold what the page's parse lets through but `serde_json::Value` (the
/// general path) refuses: a `\u` escape of a UTF-16 surrogate (a lone one is refused), a number
/// out of `f64` range, nesting 128 levels deep. The fast path would have stored such an event
/// as a row nothing can read back, where the general path quarantines it. Conservative: the
/// general path decides. Found by fuzzing (`fuzz/`, target `normalize`).
fn within_value_limits(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    let (mut i, mut depth) = (0, 0_u32);
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'"' => {
                i += 1;
                while let Some(&byte) = bytes.get(i).filter(|&&b| b != b'"') {
                    if byte == b'\\' {
                        if bytes.get(i + 1) == Some(&b'u')
                            && matches!(bytes.get(i + 2), Some(b'd' | b'D'))
                        {
                            return false;
                        }
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'{' | b'[' => {
                depth += 1;
                if depth >= 100 {
                    return false;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'-' | b'0'..=b'9' => {
                let len = bytes[i..]
                    .iter()
                    .position(|b| !matches!(b, b'0'..=b'9' | b'.' | b'-' | b'+' | b'e' | b'E'))
                    .unwrap_or(bytes.len() - i);
                let number = &raw[i..i + len];
                if (len > 20 || number.contains(['e', 'E']))
                    && !number.parse::<f64>().is_ok_and(|n| n.abs() < 1e300)
                {
                    return false;
                }
                i += len - 1;
            }
            _ => {}
        }
        i += 1;
    }
    true
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

    /// The fast path's row for `text`, if it takes it.
    fn fast(text: &str) -> Option<NormalizedEvent> {
        let ctx = ctx();
        normalize(&Stamp::new(&ctx), text, &mut rand::thread_rng())
    }

    /// Runs both paths on `text`; when the fast path takes it, its row must equal the general
    /// path's (JSON as values, minus `p_row_id`, and every column). Returns the fast row.
    fn check(text: &str) -> Option<NormalizedEvent> {
        let fast = fast(text)?;
        let raw: Value = serde_json::from_str(text).unwrap();
        let general = normalize_event(raw, &ctx())
            .unwrap_or_else(|(e, _)| panic!("the general path fails ({e}) on {text}"));
        assert_eq!(
            without_row_id(&fast.json),
            without_row_id(&general.json),
            "{text}"
        );
        assert!(!fast.json.contains(['\n', '\r']));
        assert_eq!(fast.row_id.len(), 32);
        let columns = |e: &NormalizedEvent| {
            (
                e.uuid.clone(),
                e.event_time,
                e.event_type.clone(),
                e.severity.clone(),
                e.actor_id.clone(),
                e.actor_alternate_id.clone(),
                e.client_ip.clone(),
                e.outcome_result.clone(),
            )
        };
        assert_eq!(columns(&fast), columns(&general), "{text}");
        Some(fast)
    }

    /// `check`, and the fast path must take `text`. Returns the row's JSON.
    fn fast_row(text: &str) -> Value {
        let row = check(text).unwrap_or_else(|| panic!("the general path took {text}"));
        serde_json::from_str(&row.json).unwrap()
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

    /// `plain_event` with `value` at each JSON pointer (the parents are created as objects).
    fn event_with(changes: &[(&str, Value)]) -> String {
        let mut event = plain_event();
        for (pointer, value) in changes {
            let mut at = &mut event;
            for key in pointer.split('/').skip(1) {
                at = match at {
                    Value::Array(items) => &mut items[key.parse::<usize>().unwrap()],
                    _ => {
                        if !at.is_object() {
                            *at = json!({});
                        }
                        at.as_object_mut()
                            .unwrap()
                            .entry(key)
                            .or_insert(Value::Null)
                    }
                };
            }
            *at = value.clone();
        }
        serde_json::to_string(&event).unwrap()
    }

    #[test]
    fn the_fast_path_row_equals_the_general_path_row() {
        let text = serde_json::to_string(&plain_event()).unwrap();
        let row = check(&text).expect("plain events take the fast path");
        // The event's own text is kept as sent: only the p_ fields are appended.
        assert!(row.json.starts_with(&text[..text.len() - 1]));
        assert_eq!(row.client_ip.as_deref(), Some("2001:db8::1"));
        assert_eq!(row.actor_alternate_id.as_deref(), Some("ana@example.com"));
    }

    #[test]
    fn quirks_take_the_fast_path_and_match_the_general_path() {
        let null = || json!("null");
        let cases: Vec<Vec<(&str, Value)>> = vec![
            vec![("/version", json!(0))],
            vec![("/version", json!(18446744073709551615u64))],
            vec![("/client/ipAddress", null())],
            vec![("/client/geographicalContext/postalCode", json!(10115))],
            vec![("/client/geographicalContext/postalCode", json!(0))],
            vec![("/client/geographicalContext/postalCode", null())],
            vec![("/client/geographicalContext", json!([10115]))],
            vec![("/client", null())],
            vec![("/client", json!(["null", {"a": "null"}]))],
            vec![
                ("/client/zone", null()),
                ("/client/device", null()),
                ("/client/id", null()),
            ],
            vec![
                ("/request/ipChain/0/ip", null()),
                (
                    "/request/ipChain/1/geographicalContext/postalCode",
                    json!(75001),
                ),
            ],
            vec![
                ("/request/ipChain/2", null()),
                ("/request/ipChain/1", json!([{"postalCode": 7}])),
            ],
            vec![(
                "/request/ipChain",
                json!({"ip": "203.0.113.9", "city": "null"}),
            )],
            vec![("/request", json!([{"ipChain": ["null"]}]))],
            vec![
                ("/securityContext/domain", null()),
                ("/securityContext/isp", null()),
            ],
            vec![("/securityContext", null())],
            vec![(
                "/device",
                json!({"name": "null", "os_version": "null", "id": "guo1"}),
            )],
            vec![
                ("/actor/alternateId", null()),
                ("/actor/displayName", null()),
            ],
            vec![("/actor/id", null()), ("/actor/type", null())],
            vec![("/actor", json!("not an object"))],
            vec![("/actor", json!(["00u1", "ana@example.com"]))],
            vec![("/outcome", json!(["SUCCESS"]))],
            vec![("/outcome/result", null()), ("/outcome/reason", null())],
            vec![("/client/ipAddress", json!(42))],
            vec![
                ("/actor/alternateId", json!(7)),
                ("/securityContext/domain", json!(true)),
            ],
            vec![(
                "/target",
                json!([
                    {"id": "0oa1", "alternateId": "null", "displayName": "null", "detailEntry": {"hash": "null"}},
                    {"id": "null", "alternateId": "app", "displayName": "null"},
                    "null",
                    ["null"]
                ]),
            )],
            vec![("/target", null())],
            vec![("/target", json!({"alternateId": "null"}))],
        ];
        for changes in cases {
            fast_row(&event_with(&changes));
        }
    }

    #[test]
    fn failures_and_unsure_cases_go_to_the_general_path() {
        let mut cases = Vec::new();
        for (pointer, value) in [
            ("/version", json!(1.5)),
            ("/version", json!(-1)),
            ("/version", json!(true)),
            ("/version", Value::Null),
            ("/client/geographicalContext/postalCode", json!(10115.5)),
            ("/client/geographicalContext/postalCode", json!(-10115)),
            (
                "/request/ipChain/0/geographicalContext/postalCode",
                json!(1e300),
            ),
            ("/severity", json!("info")),
            ("/published", json!("2017-09-31T10:00:00Z")),
            ("/uuid", json!("")),
            ("/eventType", json!(7)),
        ] {
            cases.push(event_with(&[(pointer, value)]));
        }
        let mut own_p_field = plain_event();
        own_p_field["p_row_id"] = json!("forged");
        cases.push(serde_json::to_string(&own_p_field).unwrap());
        cases.push(serde_json::to_string_pretty(&plain_event()).unwrap());
        let plain = serde_json::to_string(&plain_event()).unwrap();
        // Integers beyond u64 and exponents: serde_json's string form is not their text.
        cases.push(plain.replace(r#""version":"0""#, r#""version":18446744073709551616"#));
        cases.push(plain.replace(r#""version":"0""#, r#""version":1E3"#));
        // Duplicate keys, at the top and in a peeked object.
        cases.push(r#"{"uuid":"a","uuid":"b","published":"2026-01-01T00:00:00Z","eventType":"x","version":"0","severity":"INFO"}"#.into());
        cases.push(plain.replace(
            r#""postalCode":"10115""#,
            r#""postalCode":1,"postalCode":"2""#,
        ));
        cases.push(plain.replace(
            r#""alternateId":"ana@example.com""#,
            r#""alternateId":"null","alternateId":"x""#,
        ));
        for case in cases {
            assert!(fast(&case).is_none(), "{case}");
        }
    }

    #[test]
    fn null_strings_are_values_in_the_right_places_only() {
        // Deep in client.userAgent; a key named "null" (also before spaces) is not a value.
        let text = event_with(&[
            (
                "/client/userAgent",
                json!({"os": "null", "browser": {"name": "null", "versions": ["1", "null"]}}),
            ),
            ("/client/null", json!("null")),
            (
                "/debugContext/debugData",
                json!({"dpop": "null", "null": "null"}),
            ),
        ])
        .replace(r#""null":"null"}"#, r#""null" :	"null" }"#);
        assert!(text.contains(r#""null" :	"null" }"#), "{text}");
        let row = fast_row(&text);
        assert_eq!(row["client"]["userAgent"]["os"], Value::Null);
        assert_eq!(
            row["client"]["userAgent"]["browser"],
            json!({"name": null, "versions": ["1", null]})
        );
        assert_eq!(row["client"]["null"], Value::Null);
        assert_eq!(
            row["debugContext"]["debugData"],
            json!({"dpop": "null", "null": "null"})
        );

        // Quoted "null" inside a longer string, and as a whole string with its quotes.
        let row = fast_row(&event_with(&[
            (
                "/client/userAgent/rawUserAgent",
                json!("say \"null\" please"),
            ),
            ("/client/zone", json!("\"null\"")),
            ("/device/name", json!("\\\"null\\\"")),
            ("/securityContext/isp", json!("null\\")),
        ]));
        assert_eq!(
            row["client"]["userAgent"]["rawUserAgent"],
            "say \"null\" please"
        );
        assert_eq!(row["client"]["zone"], "\"null\"");
        assert_eq!(row["device"]["name"], "\\\"null\\\"");
        assert_eq!(row["securityContext"]["isp"], "null\\");

        // Spelled with escapes, it is still "null" (and a key spelled so is still a key).
        let plain = serde_json::to_string(&plain_event()).unwrap();
        let text = plain.replace(
            r#""isProxy":false"#,
            r#""isProxy":false,"isp":"\u006eull","\u006eull":"x","asOrg":"nu\u006cl\u00e9""#,
        );
        let row = fast_row(&text);
        assert_eq!(row["securityContext"]["isp"], Value::Null);
        assert_eq!(row["securityContext"]["null"], "x");
        assert_eq!(row["securityContext"]["asOrg"], "nullé");
        let text = plain.replace(
            r#""alternateId":"ana@example.com""#,
            r#""alternateId":"n\u0075ll""#,
        );
        let row = check(&text).unwrap();
        assert_eq!(row.actor_alternate_id, None);

        // Elsewhere "null" stays a string.
        let row = fast_row(&event_with(&[
            ("/outcome/reason", json!("null")),
            ("/actor/detailEntry", json!({"hash": "null"})),
            ("/transaction/id", json!("null")),
            ("/displayMessage", json!("null")),
        ]));
        assert_eq!(row["outcome"]["reason"], "null");
        assert_eq!(row["actor"]["detailEntry"]["hash"], "null");
        assert_eq!(row["transaction"]["id"], "null");
        assert_eq!(row["displayMessage"], "null");
    }

    #[test]
    fn numbers_become_strings_where_the_general_path_does_it() {
        let row = fast_row(&event_with(&[
            ("/version", json!(0)),
            ("/client/geographicalContext/postalCode", json!(10013)),
            (
                "/client/geographicalContext/geolocation",
                json!({"lat": 40.3157, "lon": -74.0}),
            ),
            (
                "/request/ipChain/0/geographicalContext",
                json!({"postalCode": 94107, "city": "null"}),
            ),
            (
                "/request/ipChain/1/geographicalContext/postalCode",
                json!("01234"),
            ),
            ("/securityContext/asNumber", json!(211680)),
            ("/debugContext/debugData/postalCode", json!(12345)),
        ]));
        assert_eq!(row["version"], "0");
        assert_eq!(row["client"]["geographicalContext"]["postalCode"], "10013");
        assert_eq!(
            row["client"]["geographicalContext"]["geolocation"]["lat"],
            40.3157
        );
        assert_eq!(
            row["request"]["ipChain"][0]["geographicalContext"],
            json!({"postalCode": "94107", "city": null})
        );
        assert_eq!(
            row["request"]["ipChain"][1]["geographicalContext"]["postalCode"],
            "01234"
        );
        assert_eq!(row["securityContext"]["asNumber"], 211680);
        assert_eq!(row["debugContext"]["debugData"]["postalCode"], 12345);
    }

    /// Found by fuzzing (`fuzz/`, target `normalize`): text that the page's parse lets through
    /// but `serde_json::Value` refuses took the fast path, and was stored as a row nothing can
    /// read back, while the general path quarantines it. Now it goes the general way.
    #[test]
    fn what_serde_json_values_refuse_takes_the_general_path() {
        let crash =
            include_str!("../../../tests/fixtures/fuzz/normalize/lone_surrogate_in_ip_chain.json");
        let plain = serde_json::to_string(&plain_event()).unwrap();
        let with =
            |field: &str| plain.replace(r#""version":"0""#, &format!(r#""version":"0",{field}"#));
        let cases = [
            crash.to_owned(),
            plain.replace("ana@", r"\ud800ana@"),
            plain.replace("ana@", r"\uDC00ana@"),
            with(r#""risk":1e400"#),
            with(&format!(r#""risk":-1{}"#, "0".repeat(400))),
            with(&format!(
                r#""deep":{}1{}"#,
                "[".repeat(130),
                "]".repeat(130)
            )),
        ];
        for case in &cases {
            assert!(fast(case).is_none(), "{case}");
            let outcome =
                super::super::normalize_page(format!("[{case}]").as_bytes(), &ctx()).unwrap();
            assert_eq!(
                (outcome.events.len(), outcome.failures.len()),
                (0, 1),
                "{case}"
            );
        }
        // What `Value` reads: a surrogate pair is stored (by the general path), small
        // exponents and 90 levels take the fast path.
        let pair = plain.replace("ana@", r"\ud83d\ude00ana@");
        let outcome = super::super::normalize_page(format!("[{pair}]").as_bytes(), &ctx()).unwrap();
        assert_eq!(outcome.events.len(), 1);
        fast_row(&with(r#""risk":1.5e-7,"big":12345678901234567890123"#));
        fast_row(&with(&format!(
            r#""deep":{}1{}"#,
            "[".repeat(90),
            "]".repeat(90)
        )));
    }

    #[test]
    fn the_quirk_fixtures_take_the_fast_path_once_on_one_line() {
        let fixtures = [
            include_str!("../../../tests/fixtures/system_log/page.json"),
            include_str!("../../../tests/fixtures/system_log/quirk_null_strings.json"),
            include_str!(
                "../../../tests/fixtures/system_log/quirk_numeric_version_and_postal_code.json"
            ),
            include_str!("../../../tests/fixtures/system_log/quirk_target_null.json"),
            include_str!("../../../tests/fixtures/system_log/quirk_system_event.json"),
            include_str!("../../../tests/fixtures/system_log/quirk_debug_data_strings.json"),
            include_str!("../../../tests/fixtures/system_log/quirk_unknown_fields.json"),
        ];
        let mut events = Vec::new();
        for fixture in fixtures {
            match serde_json::from_str::<Value>(fixture).unwrap() {
                Value::Array(items) => events.extend(items),
                event => events.push(event),
            }
        }
        assert_eq!(events.len(), 12);
        for event in &events {
            let pretty = serde_json::to_string_pretty(event).unwrap();
            assert!(fast(&pretty).is_none(), "rows are one line");
            // The same text with its line breaks as spaces: `"key": value` with blanks around.
            fast_row(&pretty.replace('\n', " "));
            fast_row(&serde_json::to_string(event).unwrap());
        }
    }

    /// Realistic events: the simulator's own, served over HTTP as Okta pages.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn simulated_events_take_the_fast_path_with_equal_rows() {
        use crate::simulator::{OrgConfig, Simulator, SIMULATOR_DOMAIN};

        const EVENTS: u64 = 3000;
        let mut org = OrgConfig::new("fastpath", "fast-token");
        org.backlog = EVENTS;
        org.events_per_sec = 0.0;
        org.logs_rate_limit = None;
        let simulator = Simulator::new(vec![org]);
        let running = simulator
            .spawn("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let http = reqwest::Client::builder()
            .resolve(&format!("fastpath.{SIMULATOR_DOMAIN}"), running.addr)
            .build()
            .unwrap();
        let since = (Utc::now() - chrono::Duration::hours(25))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut url = format!(
            "{}/api/v1/logs?since={since}&limit=1000",
            running.org_url("fastpath")
        );
        let mut events: Vec<String> = Vec::new();
        loop {
            let response = http
                .get(&url)
                .header("Authorization", "SSWS fast-token")
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success(), "{}", response.status());
            let next = crate::okta::link::from_headers(response.headers()).next;
            let page: Vec<Box<RawValue>> = response.json().await.unwrap();
            if page.is_empty() {
                break;
            }
            events.extend(page.iter().map(|raw| raw.get().to_owned()));
            url = next.expect("polling pages always link the next");
        }
        running.shutdown().await;
        assert_eq!(events.len() as u64, EVENTS);

        let mut taken = 0;
        // Events with "null" strings, a numeric version, a numeric postal code.
        let mut quirks = [0; 3];
        for text in &events {
            taken += usize::from(check(text).is_some());
            let event: Value = serde_json::from_str(text).unwrap();
            quirks[0] += usize::from(text.contains("\"null\""));
            quirks[1] += usize::from(event["version"].is_number());
            quirks[2] += usize::from(
                event["client"]["geographicalContext"]["postalCode"].is_number()
                    || event["request"]["ipChain"][0]["geographicalContext"]["postalCode"]
                        .is_number(),
            );
        }
        println!(
            "{taken} of {} simulated events took the fast path; quirks (null strings, numeric version, numeric postal code): {quirks:?}",
            events.len()
        );
        assert!(
            taken * 100 >= events.len() * 95,
            "{taken} of {}",
            events.len()
        );
        assert!(
            quirks[0] * 2 > events.len() && quirks[1] > 0 && quirks[2] > 0,
            "{quirks:?}"
        );
    }
}
