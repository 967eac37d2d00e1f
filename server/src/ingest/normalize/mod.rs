//! Normalization of raw Okta LogEvents into `Okta.SystemLog` rows.
//!
//! One raw event becomes one row: every field Okta sent is kept (unknown new fields included),
//! the known real-world quirks are cleaned in place, and Panther's standard `p_` fields are
//! added. An event that cannot be classified comes back with the reason and the raw event, so
//! the caller can quarantine it; it never stops the rest of its page.
//!
//! Speed matters (a page is normalized on the poll path), so a page is parsed once, each event
//! is mutated in place and serialized once.

mod fast;

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::IpAddr;
use std::ops::ControlFlow;

use chrono::{DateTime, Datelike, Timelike, Utc};
use rand::Rng;
use serde::de::{self, DeserializeSeed, SeqAccess, Visitor};
use serde_json::{value::RawValue, Map, Value};

use crate::enrich::{append_enrichment, EventKeys, SourceLookup, TargetKey};

pub const LOG_TYPE: &str = "Okta.SystemLog";
pub const SCHEMA_VERSION: i64 = 0;

/// Okta's `severity` values.
const SEVERITIES: [&str; 4] = ["DEBUG", "INFO", "WARN", "ERROR"];

/// Longest excerpt of a bad value quoted in a reason (the raw event is kept anyway).
const EXCERPT_CHARS: usize = 64;

/// Who the rows belong to, and when they were parsed (same for a whole page).
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizeContext {
    pub source_id: i64,
    pub source_label: String,
    pub parse_time: DateTime<Utc>,
}

/// A row ready to store: the full normalized JSON plus the columns the store indexes.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizedEvent {
    pub uuid: String,
    pub event_time: DateTime<Utc>,
    pub event_type: String,
    pub severity: String,
    pub actor_id: Option<String>,
    pub actor_alternate_id: Option<String>,
    pub client_ip: Option<String>,
    pub outcome_result: Option<String>,
    pub row_id: String,
    pub json: String,
}

/// Why an event could not be classified as `Okta.SystemLog`.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ClassificationError {
    #[error("event is not a JSON object (found {found})")]
    NotAnObject { found: &'static str },
    #[error("missing required field `{field}`")]
    MissingField { field: &'static str },
    #[error("required field `{field}` is empty")]
    EmptyField { field: &'static str },
    #[error("required field `{field}` must be {expected}, found {found}")]
    WrongType {
        field: &'static str,
        expected: &'static str,
        found: &'static str,
    },
    /// `value` is an excerpt (at most 64 characters).
    #[error("`published` is not a valid RFC 3339 time: {value:?}")]
    InvalidPublished { value: String },
    /// `value` is an excerpt (at most 64 characters).
    #[error("`severity` must be one of DEBUG, INFO, WARN, ERROR, found {value:?}")]
    InvalidSeverity { value: String },
}

/// The outcome of one page: rows in page order, failures in page order.
#[derive(Debug, Default)]
pub struct PageOutcome {
    pub events: Vec<NormalizedEvent>,
    pub failures: Vec<Quarantined>,
    /// How many elements the page held (`events.len() + failures.len()`).
    pub raw_count: usize,
}

/// An event that could not be classified, kept verbatim for the quarantine.
#[derive(Debug, Clone, PartialEq)]
pub struct Quarantined {
    /// The event's `uuid` when it has a usable one.
    pub uuid: Option<String>,
    pub reason: String,
    /// The raw event as JSON.
    pub raw: String,
}

impl Quarantined {
    fn new(error: &ClassificationError, raw: &Value) -> Self {
        Quarantined {
            uuid: usable_uuid(raw).map(str::to_owned),
            reason: error.to_string(),
            raw: raw.to_string(),
        }
    }
}

/// What `normalize_stream` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct StreamStats {
    pub rows: u64,
    pub failures: u64,
}

/// Normalizes one raw event. On failure the raw event comes back untouched, for quarantine.
pub fn normalize_event(
    raw: Value,
    ctx: &NormalizeContext,
) -> Result<NormalizedEvent, (ClassificationError, Value)> {
    Stamp::new(ctx).normalize(raw, &mut rand::thread_rng())
}

/// Parses a whole page body (a JSON array as Okta returns it) and normalizes each element.
///
/// A body that is not a JSON array is an `Err` (a page-level decode error). Per-event failures
/// are returned alongside the successes, in order, and never stop the rest of the page.
pub fn normalize_page(
    body: &[u8],
    ctx: &NormalizeContext,
) -> Result<PageOutcome, serde_json::Error> {
    normalize_page_enriched(body, ctx, None)
}

/// [`normalize_page`], adding `p_enrichment` from `lookup` (the source's profiles) to the rows
/// that match it.
pub fn normalize_page_enriched(
    body: &[u8],
    ctx: &NormalizeContext,
    lookup: Option<&SourceLookup>,
) -> Result<PageOutcome, serde_json::Error> {
    let mut stamp = Stamp::new(ctx);
    stamp.lookup = lookup.filter(|l| !l.is_empty());
    let mut rng = rand::thread_rng();
    let mut outcome = PageOutcome {
        // Okta events are 1-3 KB: a rough guess saves most regrowth of the vector.
        events: Vec::with_capacity(body.len() / 2048),
        ..PageOutcome::default()
    };
    outcome.raw_count = for_each_element(body, |raw| {
        match stamp.normalize_raw(raw, &mut rng) {
            Ok(event) => outcome.events.push(event),
            Err((error, raw)) => outcome.failures.push(Quarantined::new(&error, &raw)),
        }
        ControlFlow::Continue(())
    })?;
    Ok(outcome)
}

/// For the `normalize` fuzz target (`fuzz/`) only: both paths on one event's JSON text. The
/// fast path's row, when it takes `raw`, and the general path's outcome on the same text as
/// `normalize_raw` gives it (`None` when `raw` is not one JSON value, as a page element always
/// is). A caller must find them equal whenever the fast path takes the event.
#[doc(hidden)]
pub fn fast_and_general_paths(
    raw: &str,
    ctx: &NormalizeContext,
    lookup: Option<&SourceLookup>,
) -> Option<(
    Option<NormalizedEvent>,
    Result<NormalizedEvent, ClassificationError>,
)> {
    let raw = serde_json::from_str::<&RawValue>(raw).ok()?.get();
    let value = serde_json::from_str(raw).unwrap_or(Value::Null);
    let mut stamp = Stamp::new(ctx);
    stamp.lookup = lookup.filter(|l| !l.is_empty());
    let mut rng = rand::thread_rng();
    let fast = fast::normalize(&stamp, raw, &mut rng);
    Some((fast, stamp.normalize(value, &mut rng).map_err(|(e, _)| e)))
}

/// The `gatehouse normalize` command.
///
/// Reads raw events from `input`: NDJSON (one event per line, blank lines ignored) or a single
/// JSON array as Okta returns a page, told apart by the first non-whitespace byte (`[`). Writes
/// one normalized row per line to `out`, and one line per failure to `err`, such as
/// ``event 17 (uuid abc): missing required field `severity` ``; NDJSON failures also name the
/// line, and lines that are not JSON at all are failures too. An array input that is not valid
/// JSON is an `InvalidData` error (rows before the broken spot are already written).
pub fn normalize_stream(
    input: impl Read,
    out: impl Write,
    err: impl Write,
    ctx: &NormalizeContext,
) -> io::Result<StreamStats> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let mut sink = StreamSink {
        stamp: Stamp::new(ctx),
        rng: rand::thread_rng(),
        out: BufWriter::with_capacity(1 << 16, out),
        err: BufWriter::new(err),
        stats: StreamStats::default(),
    };
    let (first_byte, skipped_lines) = skip_leading_whitespace(&mut input)?;
    let result = if first_byte == Some(b'[') {
        stream_array(input, &mut sink)
    } else {
        stream_ndjson(input, skipped_lines, &mut sink)
    };
    sink.out.flush()?;
    sink.err.flush()?;
    result.map(|()| sink.stats)
}

/// One JSON array: read whole, then normalized element by element as it is parsed.
fn stream_array(
    mut input: impl Read,
    sink: &mut StreamSink<impl Rng, impl Write, impl Write>,
) -> io::Result<()> {
    let mut body = Vec::new();
    input.read_to_end(&mut body)?;
    let mut index = 0;
    let mut io_error = None;
    let parsed = for_each_element(&body, |raw| {
        index += 1;
        // Already validated as JSON by the array parse.
        let raw: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
        match sink.emit(raw, index, None) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                io_error = Some(e);
                ControlFlow::Break(())
            }
        }
    });
    match (io_error, parsed) {
        (Some(e), _) => Err(e),
        (None, Err(e)) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the input starts with `[` but is not a JSON array of events: {e}"),
        )),
        (None, Ok(_)) => Ok(()),
    }
}

/// NDJSON, line by line; a line that is not JSON is one failure, not the end.
fn stream_ndjson(
    mut input: impl BufRead,
    skipped_lines: u64,
    sink: &mut StreamSink<impl Rng, impl Write, impl Write>,
) -> io::Result<()> {
    let mut line = Vec::new();
    let mut line_number = skipped_lines;
    let mut index = 0;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        line_number += 1;
        let text = line.trim_ascii();
        if text.is_empty() {
            continue;
        }
        index += 1;
        match serde_json::from_slice::<Value>(text) {
            Ok(raw) => sink.emit(raw, index, Some(line_number))?,
            Err(e) => {
                sink.stats.failures += 1;
                writeln!(
                    sink.err,
                    "event {index} (line {line_number}): not valid JSON: {}",
                    json_error_without_position(&e)
                )?;
            }
        }
    }
}

/// Everything every row of one page shares, formatted once per page.
struct Stamp<'a> {
    ctx: &'a NormalizeContext,
    parse_time: String,
    source_id: String,
    /// The label as a JSON string literal (quoted and escaped), for the fast path.
    source_label_json: String,
    /// The source's profiles, when enrichment is on.
    lookup: Option<&'a SourceLookup>,
}

/// The required fields, checked before anything is changed.
struct Required {
    uuid: String,
    published: DateTime<Utc>,
    event_type: String,
    severity: String,
}

impl<'a> Stamp<'a> {
    fn new(ctx: &'a NormalizeContext) -> Self {
        Stamp {
            ctx,
            parse_time: panther_time(&ctx.parse_time),
            source_id: ctx.source_id.to_string(),
            source_label_json: serde_json::to_string(&ctx.source_label).unwrap_or_default(),
            lookup: None,
        }
    }

    /// One element of a page: the fast path when the event is plain, else the general one.
    fn normalize_raw(
        &self,
        raw: &RawValue,
        rng: &mut impl Rng,
    ) -> Result<NormalizedEvent, (ClassificationError, Value)> {
        if let Some(event) = fast::normalize(self, raw.get(), rng) {
            return Ok(event);
        }
        // The page parse already validated this text as JSON.
        let value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
        self.normalize(value, rng)
    }

    fn normalize(
        &self,
        raw: Value,
        rng: &mut impl Rng,
    ) -> Result<NormalizedEvent, (ClassificationError, Value)> {
        let mut map = match raw {
            Value::Object(map) => map,
            other => {
                let found = json_kind(&other);
                return Err((ClassificationError::NotAnObject { found }, other));
            }
        };
        // Validate first so a failure hands back the event exactly as Okta sent it.
        let required = match check_required(&map) {
            Ok(required) => required,
            Err(error) => return Err((error, Value::Object(map))),
        };
        clean_quirks(&mut map);

        let client_ip = map
            .get("client")
            .and_then(|client| client.get("ipAddress"))
            .and_then(Value::as_str)
            .and_then(canonical_ip);
        let indicators = [
            ("p_any_ip_addresses", any_ip_addresses(&map)),
            ("p_any_emails", any_emails(&map)),
            ("p_any_domain_names", any_domain_names(&map)),
        ];
        let row_id = new_row_id(rng);
        let standard = [
            ("p_log_type", Value::from(LOG_TYPE)),
            ("p_row_id", Value::from(row_id.clone())),
            (
                "p_event_time",
                Value::from(panther_time(&required.published)),
            ),
            ("p_parse_time", Value::from(self.parse_time.clone())),
            ("p_schema_version", Value::from(SCHEMA_VERSION)),
            ("p_source_id", Value::from(self.source_id.clone())),
            ("p_source_label", Value::from(self.ctx.source_label.clone())),
        ];
        for (key, value) in standard {
            map.insert(key.to_owned(), value);
        }
        // Panther omits empty indicator arrays; removing also drops stale ones from a re-run.
        for (key, values) in indicators {
            if values.is_empty() {
                map.remove(key);
            } else {
                map.insert(key.to_owned(), Value::from(values));
            }
        }

        let mut json = serde_json::to_string(&map).expect("a JSON object always serializes");
        if let Some(lookup) = self.lookup {
            // The object's closing `}` comes off, `p_enrichment` goes on, then the `}` again.
            json.pop();
            append_enrichment(lookup, &event_keys(&map), &mut json);
            json.push('}');
        }
        Ok(NormalizedEvent {
            uuid: required.uuid,
            event_time: required.published,
            event_type: required.event_type,
            severity: required.severity,
            actor_id: nested_str(&map, "actor", "id").map(str::to_owned),
            actor_alternate_id: nested_str(&map, "actor", "alternateId").map(str::to_owned),
            client_ip,
            outcome_result: nested_str(&map, "outcome", "result").map(str::to_owned),
            row_id,
            json,
        })
    }
}

fn check_required(map: &Map<String, Value>) -> Result<Required, ClassificationError> {
    let uuid = required_str(map, "uuid")?;
    let published_text = required_str(map, "published")?;
    // chrono rejects impossible dates such as 2017-09-31, which Okta's own docs contain.
    let published = DateTime::parse_from_rfc3339(published_text)
        .map_err(|_| ClassificationError::InvalidPublished {
            value: excerpt(published_text),
        })?
        .with_timezone(&Utc);
    let event_type = required_str(map, "eventType")?;
    match map.get("version") {
        None | Some(Value::Null) => {
            return Err(ClassificationError::MissingField { field: "version" })
        }
        Some(Value::String(_) | Value::Number(_)) => {}
        Some(other) => {
            return Err(ClassificationError::WrongType {
                field: "version",
                expected: "a string or a number",
                found: json_kind(other),
            })
        }
    }
    let severity = required_str(map, "severity")?;
    if !SEVERITIES.contains(&severity) {
        return Err(ClassificationError::InvalidSeverity {
            value: excerpt(severity),
        });
    }
    Ok(Required {
        uuid: uuid.to_owned(),
        published,
        event_type: event_type.to_owned(),
        severity: severity.to_owned(),
    })
}

fn required_str<'m>(
    map: &'m Map<String, Value>,
    field: &'static str,
) -> Result<&'m str, ClassificationError> {
    match map.get(field) {
        None | Some(Value::Null) => Err(ClassificationError::MissingField { field }),
        Some(Value::String(s)) if s.trim().is_empty() => {
            Err(ClassificationError::EmptyField { field })
        }
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(ClassificationError::WrongType {
            field,
            expected: "a string",
            found: json_kind(other),
        }),
    }
}

/// Cleans Okta's known quirks in place. Everything else, `debugData` included, stays verbatim.
fn clean_quirks(map: &mut Map<String, Value>) {
    if let Some(version) = map.get_mut("version") {
        number_to_string(version);
    }
    if let Some(client) = map.get_mut("client") {
        null_strings_to_null(client);
        if let Some(postal_code) = client.pointer_mut("/geographicalContext/postalCode") {
            number_to_string(postal_code);
        }
    }
    for key in ["securityContext", "device"] {
        if let Some(value) = map.get_mut(key) {
            null_strings_to_null(value);
        }
    }
    if let Some(Value::Array(chain)) = map.get_mut("request").and_then(|r| r.get_mut("ipChain")) {
        for hop in chain {
            null_strings_to_null(hop);
            if let Some(postal_code) = hop.pointer_mut("/geographicalContext/postalCode") {
                number_to_string(postal_code);
            }
        }
    }
    if let Some(actor) = map.get_mut("actor") {
        clean_entity(actor);
    }
    if let Some(Value::Array(targets)) = map.get_mut("target") {
        targets.iter_mut().for_each(clean_entity);
    }
}

/// `actor` and `target[]`: only the optional display fields (`id`, `type` and the free-form
/// `detailEntry` are left alone).
fn clean_entity(entity: &mut Value) {
    for key in ["alternateId", "displayName"] {
        if let Some(value) = entity.get_mut(key) {
            if value.as_str() == Some("null") {
                *value = Value::Null;
            }
        }
    }
}

/// Okta writes a missing value as the string `"null"` in some fields.
fn null_strings_to_null(value: &mut Value) {
    match value {
        Value::String(s) if s == "null" => *value = Value::Null,
        Value::Object(map) => map.values_mut().for_each(null_strings_to_null),
        Value::Array(items) => items.iter_mut().for_each(null_strings_to_null),
        _ => {}
    }
}

fn number_to_string(value: &mut Value) {
    if let Value::Number(n) = value {
        *value = Value::String(n.to_string());
    }
}

/// `client.ipAddress` and `request.ipChain[].ip`: valid addresses only, sorted, deduplicated.
fn any_ip_addresses(map: &Map<String, Value>) -> Vec<String> {
    let client = map.get("client").and_then(|client| client.get("ipAddress"));
    let hops = match map.get("request").and_then(|r| r.get("ipChain")) {
        Some(Value::Array(chain)) => chain.as_slice(),
        _ => &[],
    };
    let mut ips: Vec<String> = client
        .into_iter()
        .chain(hops.iter().filter_map(|hop| hop.get("ip")))
        .filter_map(Value::as_str)
        .filter_map(canonical_ip)
        .collect();
    ips.sort_unstable();
    ips.dedup();
    ips
}

fn any_emails(map: &Map<String, Value>) -> Vec<String> {
    nested_str(map, "actor", "alternateId")
        .filter(|id| looks_like_email(id))
        .map(str::to_owned)
        .into_iter()
        .collect()
}

fn any_domain_names(map: &Map<String, Value>) -> Vec<String> {
    nested_str(map, "securityContext", "domain")
        .filter(|domain| is_domain_name(domain))
        .map(str::to_owned)
        .into_iter()
        .collect()
}

/// The fields enrichment matches on, from a normalized event.
fn event_keys(map: &Map<String, Value>) -> EventKeys<'_> {
    fn text(v: Option<&Value>) -> Option<std::borrow::Cow<'_, str>> {
        v.and_then(Value::as_str).map(std::borrow::Cow::Borrowed)
    }
    let actor = map.get("actor");
    EventKeys {
        actor_id: text(actor.and_then(|a| a.get("id"))),
        actor_alternate_id: text(actor.and_then(|a| a.get("alternateId"))),
        targets: map
            .get("target")
            .and_then(Value::as_array)
            .map(|targets| {
                targets
                    .iter()
                    .map(|t| TargetKey {
                        kind: text(t.get("type")),
                        id: text(t.get("id")),
                        alternate_id: text(t.get("alternateId")),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        device_id: text(map.get("device").and_then(|d| d.get("id"))),
    }
}

fn nested_str<'m>(map: &'m Map<String, Value>, outer: &str, inner: &str) -> Option<&'m str> {
    map.get(outer)?.get(inner)?.as_str()
}

fn usable_uuid(raw: &Value) -> Option<&str> {
    raw.get("uuid")
        .and_then(Value::as_str)
        .filter(|uuid| !uuid.trim().is_empty())
}

/// The canonical text of a valid IPv4/IPv6 address (so `2001:DB8::1` and `2001:db8::1` dedup).
fn canonical_ip(text: &str) -> Option<String> {
    text.parse::<IpAddr>().ok().map(|ip| ip.to_string())
}

/// `x@y.z`: a non-empty local part, one `@`, a dotted domain with no empty labels, no spaces.
fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Okta writes `"."` (and sometimes `"null"`) when it knows no domain.
fn is_domain_name(text: &str) -> bool {
    !text.is_empty() && text != "." && text != "null"
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Panther's timestamp format: `YYYY-MM-DD HH:MM:SS.fffffffff`, always 9 fractional digits.
fn panther_time(time: &DateTime<Utc>) -> String {
    let (mut second, mut nanos) = (time.second(), time.nanosecond());
    // chrono keeps a leap second as :59 plus an extra second in the nanoseconds.
    if nanos >= 1_000_000_000 {
        second += 1;
        nanos -= 1_000_000_000;
    }
    let year = time.year();
    if !(0..=9999).contains(&year) {
        return time.format("%Y-%m-%d %H:%M:%S%.9f").to_string();
    }
    // Hand-rolled: chrono's `format` re-parses its pattern for every call, on the hot path.
    let mut text = String::with_capacity(29);
    push_digits(&mut text, year as u32, 4);
    text.push('-');
    push_digits(&mut text, time.month(), 2);
    text.push('-');
    push_digits(&mut text, time.day(), 2);
    text.push(' ');
    push_digits(&mut text, time.hour(), 2);
    text.push(':');
    push_digits(&mut text, time.minute(), 2);
    text.push(':');
    push_digits(&mut text, second, 2);
    text.push('.');
    push_digits(&mut text, nanos, 9);
    text
}

fn push_digits(text: &mut String, value: u32, width: u32) {
    for power in (0..width).rev() {
        let digit = (value / 10u32.pow(power)) % 10;
        text.push(char::from(b'0' + digit as u8));
    }
}

/// 128 random bits as 32 lowercase hex digits.
fn new_row_id(rng: &mut impl Rng) -> String {
    let mut id = String::with_capacity(32);
    let _ = write!(id, "{:032x}", rng.gen::<u128>());
    id
}

/// Calls `each` with every element of the JSON array in `body`, as it is parsed, so only one
/// event's tree is alive at a time. Returns how many elements there were.
fn for_each_element<'de>(
    body: &'de [u8],
    each: impl FnMut(&'de RawValue) -> ControlFlow<()>,
) -> Result<usize, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let count = EachElement(each).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(count)
}

struct EachElement<F>(F);

impl<'de, F: FnMut(&'de RawValue) -> ControlFlow<()>> DeserializeSeed<'de> for EachElement<F> {
    type Value = usize;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(&'de RawValue) -> ControlFlow<()>> Visitor<'de> for EachElement<F> {
    type Value = usize;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array of Okta LogEvents")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<usize, A::Error> {
        let mut count = 0;
        // Elements stay borrowed text: most take the fast path and are never parsed into a tree.
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            count += 1;
            if (self.0)(raw).is_break() {
                return Err(de::Error::custom("stopped by the consumer"));
            }
        }
        Ok(count)
    }
}

/// The writing side of `normalize_stream`.
struct StreamSink<'a, R, O, E> {
    stamp: Stamp<'a>,
    rng: R,
    out: O,
    err: E,
    stats: StreamStats,
}

impl<R: Rng, O: Write, E: Write> StreamSink<'_, R, O, E> {
    /// Normalizes event number `index` (1-based) and writes its row or its failure line.
    fn emit(&mut self, raw: Value, index: u64, line: Option<u64>) -> io::Result<()> {
        let (error, raw) = match self.stamp.normalize(raw, &mut self.rng) {
            Ok(event) => {
                self.stats.rows += 1;
                self.out.write_all(event.json.as_bytes())?;
                return self.out.write_all(b"\n");
            }
            Err(failure) => failure,
        };
        self.stats.failures += 1;
        let err = &mut self.err;
        write!(err, "event {index}")?;
        // The uuid is input: escaped, so it cannot forge or break lines.
        match (line, usable_uuid(&raw)) {
            (Some(line), Some(uuid)) => {
                write!(err, " (line {line}, uuid {})", uuid.escape_debug())?
            }
            (Some(line), None) => write!(err, " (line {line})")?,
            (None, Some(uuid)) => write!(err, " (uuid {})", uuid.escape_debug())?,
            (None, None) => {}
        }
        writeln!(err, ": {error}")
    }
}

/// Skips leading whitespace (and a UTF-8 byte-order mark); returns the first other byte, if
/// any, and how many newlines were skipped (so NDJSON line numbers stay right).
fn skip_leading_whitespace(input: &mut impl BufRead) -> io::Result<(Option<u8>, u64)> {
    let mut newlines = 0;
    let mut at_start = true;
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Ok((None, newlines));
        }
        if at_start && buffer.starts_with(b"\xEF\xBB\xBF") {
            input.consume(3);
            at_start = false;
            continue;
        }
        at_start = false;
        let skip = buffer
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(buffer.len());
        newlines += buffer[..skip].iter().filter(|&&b| b == b'\n').count() as u64;
        let first = buffer.get(skip).copied();
        input.consume(skip);
        if first.is_some() {
            return Ok((first, newlines));
        }
    }
}

/// serde_json's message without its " at line 1 column 7" (always line 1 for one NDJSON line).
fn json_error_without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    match message.strip_suffix(&position) {
        Some(bare) => format!("{bare} at column {}", error.column()),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = include_str!("../../../tests/fixtures/system_log/page.json");
    const PAGE_WITH_BAD_EVENT: &str =
        include_str!("../../../tests/fixtures/system_log/page_with_bad_event.json");
    const MALFORMED: &str =
        include_str!("../../../tests/fixtures/system_log/malformed_events.json");
    const NUMERIC: &str = include_str!(
        "../../../tests/fixtures/system_log/quirk_numeric_version_and_postal_code.json"
    );
    const NULL_STRINGS: &str =
        include_str!("../../../tests/fixtures/system_log/quirk_null_strings.json");
    const TARGET_NULL: &str =
        include_str!("../../../tests/fixtures/system_log/quirk_target_null.json");
    const SYSTEM_EVENT: &str =
        include_str!("../../../tests/fixtures/system_log/quirk_system_event.json");
    const DEBUG_DATA: &str =
        include_str!("../../../tests/fixtures/system_log/quirk_debug_data_strings.json");
    const UNKNOWN_FIELDS: &str =
        include_str!("../../../tests/fixtures/system_log/quirk_unknown_fields.json");
    const NDJSON: &str = include_str!("../../../tests/fixtures/system_log/events.ndjson");

    fn ctx() -> NormalizeContext {
        NormalizeContext {
            source_id: 7,
            source_label: "Acme Okta".to_owned(),
            parse_time: "2024-03-01T12:05:00.5Z".parse().unwrap(),
        }
    }

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    fn page_event(index: usize) -> Value {
        parse(PAGE)[index].take()
    }

    /// Normalizes and also returns the output JSON parsed back.
    fn normalized(raw: Value) -> (NormalizedEvent, Value) {
        let event = normalize_event(raw, &ctx()).unwrap_or_else(|(e, _)| panic!("failed: {e}"));
        let json = parse(&event.json);
        (event, json)
    }

    /// Every field of `raw` is in `out` with the same value, apart from the documented quirk
    /// fixes (`"null"` → null, a number → its string form). Returns how many fixes it saw.
    fn assert_kept(raw: &Value, out: &Value, path: &str) -> usize {
        match (raw, out) {
            (Value::Object(r), Value::Object(o)) => r
                .iter()
                .map(|(key, value)| {
                    let path = format!("{path}.{key}");
                    let kept = o.get(key).unwrap_or_else(|| panic!("{path} was dropped"));
                    assert_kept(value, kept, &path)
                })
                .sum(),
            (Value::Array(r), Value::Array(o)) => {
                assert_eq!(r.len(), o.len(), "{path} changed length");
                r.iter()
                    .zip(o)
                    .enumerate()
                    .map(|(i, (r, o))| assert_kept(r, o, &format!("{path}[{i}]")))
                    .sum()
            }
            (Value::String(s), Value::Null) if s == "null" => 1,
            (Value::Number(n), Value::String(s)) if n.to_string() == *s => 1,
            _ => {
                assert_eq!(raw, out, "{path} changed");
                0
            }
        }
    }

    fn strings(value: &Value) -> Vec<&str> {
        value
            .as_array()
            .unwrap_or_else(|| panic!("not an array: {value}"))
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect()
    }

    #[test]
    fn a_realistic_page_normalizes_completely() {
        let outcome = normalize_page(PAGE.as_bytes(), &ctx()).unwrap();
        assert_eq!(outcome.raw_count, 6);
        assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
        let raw = parse(PAGE);
        let uuids: Vec<&str> = outcome.events.iter().map(|e| e.uuid.as_str()).collect();
        let expected: Vec<&str> = raw
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["uuid"].as_str().unwrap())
            .collect();
        assert_eq!(uuids, expected, "rows keep page order");
        for (event, raw) in outcome.events.iter().zip(raw.as_array().unwrap()) {
            let out = parse(&event.json);
            assert_kept(raw, &out, "");
            assert_eq!(out["p_log_type"], "Okta.SystemLog");
            assert_eq!(out["p_row_id"], event.row_id.as_str());
        }
    }

    #[test]
    fn p_fields_have_exact_values() {
        let (event, out) = normalized(page_event(3));
        assert_eq!(out["p_log_type"], "Okta.SystemLog");
        assert_eq!(out["p_event_time"], "2024-03-01 12:01:15.004000000");
        assert_eq!(out["p_parse_time"], "2024-03-01 12:05:00.500000000");
        assert_eq!(out["p_schema_version"], 0);
        assert!(out["p_schema_version"].is_i64());
        assert_eq!(out["p_source_id"], "7");
        assert_eq!(out["p_source_label"], "Acme Okta");
        // client.ipAddress plus both hops, deduplicated and sorted.
        assert_eq!(
            strings(&out["p_any_ip_addresses"]),
            ["10.20.30.40", "203.0.113.10"]
        );
        assert_eq!(strings(&out["p_any_emails"]), ["it-admin@acme.com"]);
        assert_eq!(strings(&out["p_any_domain_names"]), ["acme.com"]);
        let row_id = out["p_row_id"].as_str().unwrap();
        assert_eq!(row_id.len(), 32);
        assert!(
            row_id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{row_id}"
        );

        assert_eq!(event.uuid, "4a7be2f0-d7c4-11ee-8d1a-5b9c0e3f4a21");
        assert_eq!(
            event.event_time,
            "2024-03-01T12:01:15.004Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(event.event_type, "system.api_token.create");
        assert_eq!(event.severity, "INFO");
        assert_eq!(event.actor_id.as_deref(), Some("00u1k9p4rT2sW6yZ8d7"));
        assert_eq!(
            event.actor_alternate_id.as_deref(),
            Some("it-admin@acme.com")
        );
        assert_eq!(event.client_ip.as_deref(), Some("203.0.113.10"));
        assert_eq!(event.outcome_result.as_deref(), Some("SUCCESS"));
        assert_eq!(event.row_id, row_id);
        // The token id that other connectors drop.
        assert_eq!(
            out["transaction"]["detail"]["requestApiTokenId"],
            "00T1a2b3c4d5e6f7g8h9"
        );
    }

    #[test]
    fn row_ids_are_unique() {
        let outcome = normalize_page(PAGE.as_bytes(), &ctx()).unwrap();
        let again = normalize_page(PAGE.as_bytes(), &ctx()).unwrap();
        let mut ids: Vec<&str> = outcome
            .events
            .iter()
            .chain(&again.events)
            .map(|e| e.row_id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 12);
    }

    #[test]
    fn event_time_is_published_in_utc_with_nine_digits() {
        // The fixture's `published` carries a +02:00 offset.
        let (event, out) = normalized(parse(DEBUG_DATA));
        assert_eq!(
            out["published"], "2024-03-01T12:20:00.5+02:00",
            "published itself is kept"
        );
        assert_eq!(out["p_event_time"], "2024-03-01 10:20:00.500000000");
        assert_eq!(
            event.event_time.to_rfc3339(),
            "2024-03-01T10:20:00.500+00:00"
        );

        let (_, out) = normalized(parse(UNKNOWN_FIELDS));
        assert_eq!(out["p_event_time"], "2024-03-01 12:30:45.123456789");

        let mut raw = page_event(0);
        raw["published"] = "2024-03-01T01:00:00-05:00".into();
        assert_eq!(
            normalized(raw).1["p_event_time"],
            "2024-03-01 06:00:00.000000000"
        );
        let mut raw = page_event(0);
        raw["published"] = "2024-02-29T23:59:59.999999999-00:30".into();
        assert_eq!(
            normalized(raw).1["p_event_time"],
            "2024-03-01 00:29:59.999999999"
        );
    }

    #[test]
    fn panther_time_formats() {
        let time = |s: &str| panther_time(&s.parse::<DateTime<Utc>>().unwrap());
        assert_eq!(
            time("0999-01-02T03:04:05Z"),
            "0999-01-02 03:04:05.000000000"
        );
        assert_eq!(
            time("2016-12-31T23:59:60.25Z"),
            "2016-12-31 23:59:60.250000000"
        );
        assert_eq!(
            time("9999-12-31T23:59:59.000000001Z"),
            "9999-12-31 23:59:59.000000001"
        );
    }

    #[test]
    fn numeric_version_and_postal_code_become_strings() {
        let raw = parse(NUMERIC);
        let (_, out) = normalized(raw.clone());
        assert_eq!(out["version"], "0");
        assert_eq!(out["client"]["geographicalContext"]["postalCode"], "10013");
        assert_eq!(
            out["request"]["ipChain"][0]["geographicalContext"]["postalCode"],
            "10013"
        );
        // Other numbers are numbers still.
        assert_eq!(out["securityContext"]["asNumber"], 211680);
        assert_eq!(
            out["client"]["geographicalContext"]["geolocation"]["lat"],
            40.3157
        );
        assert_eq!(out["device"]["name"], "Mac15,6");
        // version, two postal codes, client.zone.
        assert_eq!(assert_kept(&raw, &out, ""), 4);
    }

    #[test]
    fn null_strings_become_null_in_known_optional_fields() {
        let raw = parse(NULL_STRINGS);
        let (event, out) = normalized(raw.clone());
        let client = &out["client"];
        for field in ["zone", "device", "id", "ipAddress"] {
            assert_eq!(client[field], Value::Null, "client.{field}");
        }
        assert_eq!(client["userAgent"]["os"], Value::Null);
        assert_eq!(client["geographicalContext"]["city"], Value::Null);
        assert_eq!(client["geographicalContext"]["postalCode"], Value::Null);
        assert_eq!(client["geographicalContext"]["country"], "United States");
        assert_eq!(out["device"]["name"], Value::Null);
        assert_eq!(out["device"]["os_version"], Value::Null);
        assert_eq!(out["securityContext"]["isp"], Value::Null);
        assert_eq!(out["securityContext"]["domain"], Value::Null);
        let hops = &out["request"]["ipChain"];
        assert_eq!(hops[0]["ip"], Value::Null);
        assert_eq!(hops[0]["version"], Value::Null);
        assert_eq!(hops[0]["source"], Value::Null);
        assert_eq!(hops[1]["geographicalContext"]["city"], Value::Null);
        assert_eq!(out["actor"]["alternateId"], Value::Null);
        assert_eq!(out["actor"]["displayName"], Value::Null);
        assert_eq!(out["target"][0]["alternateId"], Value::Null);
        assert_eq!(out["target"][0]["displayName"], "default");
        assert_eq!(out["target"][1]["displayName"], Value::Null);

        // Free-form places are not ours to rewrite.
        assert_eq!(out["debugContext"]["debugData"]["dpop"], "null");
        assert_eq!(out["target"][1]["detailEntry"]["hash"], "null");
        assert_eq!(out["outcome"]["reason"], "null");

        assert_eq!(event.client_ip, None);
        assert_eq!(event.actor_alternate_id, None);
        assert_eq!(strings(&out["p_any_ip_addresses"]), ["198.51.100.99"]);
        assert!(out.get("p_any_emails").is_none());
        assert!(out.get("p_any_domain_names").is_none());
        assert_eq!(assert_kept(&raw, &out, ""), 24);
    }

    #[test]
    fn target_null_is_kept() {
        let raw = parse(TARGET_NULL);
        let (_, out) = normalized(raw.clone());
        assert!(out.as_object().unwrap().contains_key("target"));
        assert_eq!(out["target"], Value::Null);
        assert_kept(&raw, &out, "");
    }

    #[test]
    fn system_event_with_null_client_and_empty_ip_chain() {
        let raw = parse(SYSTEM_EVENT);
        let (event, out) = normalized(raw.clone());
        assert_eq!(assert_kept(&raw, &out, ""), 0, "nothing to fix");
        assert_eq!(out["request"]["ipChain"], serde_json::json!([]));
        assert!(out.get("p_any_ip_addresses").is_none());
        assert!(out.get("p_any_domain_names").is_none());
        assert_eq!(strings(&out["p_any_emails"]), ["system@okta.com"]);
        assert_eq!(event.client_ip, None);
        assert_eq!(event.severity, "WARN");
        assert_eq!(event.actor_id.as_deref(), Some("0oa1systemprincipal7"));
    }

    #[test]
    fn debug_data_strings_are_kept_verbatim() {
        let raw = parse(DEBUG_DATA);
        let (_, out) = normalized(raw.clone());
        let debug_data = &out["debugContext"]["debugData"];
        assert_eq!(*debug_data, raw["debugContext"]["debugData"]);
        assert_eq!(
            debug_data["behaviors"].as_str().unwrap(),
            raw["debugContext"]["debugData"]["behaviors"]
                .as_str()
                .unwrap()
        );
        assert_eq!(debug_data["risk"], "{level=LOW}");
        assert!(debug_data["logOnlySecurityData"]
            .as_str()
            .unwrap()
            .starts_with("{\"risk\":{\"level\":\"MEDIUM\""));
        assert!(debug_data["tunnels"].is_string());
        assert_kept(&raw, &out, "");
    }

    #[test]
    fn unknown_fields_are_preserved() {
        let raw = parse(UNKNOWN_FIELDS);
        let (_, out) = normalized(raw.clone());
        assert_eq!(assert_kept(&raw, &out, ""), 1, "only client.zone is fixed");
        assert_eq!(out["newTopLevelField"], raw["newTopLevelField"]);
        assert_eq!(out["riskContext"], Value::Null);
        assert!(out.as_object().unwrap().contains_key("riskContext"));
        assert_eq!(
            out["transaction"]["detail"]["requestApiTokenId"],
            "00T1a2b3c4d5e6f7g8h9"
        );
        assert_eq!(
            out["transaction"]["detail"]["rootApiTokenId"],
            "00T0z9y8x7w6v4u3t2s1"
        );
        assert_eq!(out["client"]["clientFingerprint"]["stable"], true);
        assert_eq!(out["securityContext"]["botProtection"]["score"], 0.02);
        assert_eq!(out["request"]["ipChain"][0]["asn"], 64496);
        assert_eq!(out["authenticationContext"]["assuranceLevel"], "AAL2");
        assert_eq!(out["target"][1]["changeDetails"]["to"]["members"], 42);
    }

    #[test]
    fn ip_addresses_are_validated_deduplicated_and_sorted() {
        let mut raw = page_event(0);
        raw["client"]["ipAddress"] = "2001:DB8::1".into();
        raw["request"]["ipChain"] = serde_json::json!([
            {"ip": "2001:db8:0:0:0:0:0:1"}, {"ip": "192.0.2.1"}, {"ip": "10.0.0.1"}, {"ip": "192.0.2.1"},
            {"ip": ""}, {"ip": "null"}, {"ip": "999.1.1.1"}, {"ip": "10.0.0.1:443"}, {"ip": " 10.0.0.2"},
            {"ip": 42}, {"version": "V4"}, "not-a-hop", null
        ]);
        let (event, out) = normalized(raw);
        assert_eq!(
            strings(&out["p_any_ip_addresses"]),
            ["10.0.0.1", "192.0.2.1", "2001:db8::1"]
        );
        assert_eq!(event.client_ip.as_deref(), Some("2001:db8::1"));
        assert_eq!(
            out["client"]["ipAddress"], "2001:DB8::1",
            "the raw field is kept as sent"
        );

        let mut raw = page_event(0);
        raw["client"]["ipAddress"] = "not an ip".into();
        raw["request"] = Value::Null;
        let (event, out) = normalized(raw);
        assert_eq!(event.client_ip, None);
        assert!(out.get("p_any_ip_addresses").is_none());
    }

    #[test]
    fn emails_and_domains_only_when_they_look_right() {
        for (alternate_id, is_email) in [
            ("maria@acme.com", true),
            ("first.last+tag@sub.acme.co.uk", true),
            ("unknown", false),
            ("0oa1b2c3d4e5f6g7h8i9", false),
            ("user@localhost", false),
            ("@acme.com", false),
            ("user@.acme.com", false),
            ("user@acme.com.", false),
            ("user@acme..com", false),
            ("a@b@acme.com", false),
            ("john doe@acme.com", false),
            ("", false),
        ] {
            assert_eq!(looks_like_email(alternate_id), is_email, "{alternate_id:?}");
        }
        for (domain, kept) in [
            ("acme.com", true),
            (".", false),
            ("", false),
            ("null", false),
        ] {
            let mut raw = page_event(0);
            raw["securityContext"]["domain"] = domain.into();
            let out = normalized(raw).1;
            assert_eq!(out.get("p_any_domain_names").is_some(), kept, "{domain:?}");
        }
        let mut raw = page_event(0);
        raw["actor"]["alternateId"] = "unknown".into();
        raw["securityContext"] = Value::Null;
        let (event, out) = normalized(raw);
        assert!(out.get("p_any_emails").is_none());
        assert!(out.get("p_any_domain_names").is_none());
        assert_eq!(event.actor_alternate_id.as_deref(), Some("unknown"));
    }

    #[test]
    fn normalizing_a_row_again_changes_only_the_row_id() {
        let (first, first_json) = normalized(parse(NULL_STRINGS));
        let (second, mut second_json) = normalized(first_json.clone());
        assert_ne!(first.row_id, second.row_id);
        second_json["p_row_id"] = first_json["p_row_id"].clone();
        assert_eq!(second_json, first_json);

        // Stale indicators from an earlier run do not survive.
        let mut raw = page_event(0);
        raw["p_any_emails"] = serde_json::json!(["stale@example.com"]);
        raw["actor"]["alternateId"] = "unknown".into();
        assert!(normalized(raw).1.get("p_any_emails").is_none());
    }

    #[test]
    fn required_field_failures_give_clear_reasons_and_the_raw_event_back() {
        use ClassificationError::*;
        let raw_events = parse(MALFORMED);
        let expected: Vec<(ClassificationError, &str)> = vec![
            (
                NotAnObject { found: "a string" },
                "event is not a JSON object (found a string)",
            ),
            (
                NotAnObject { found: "an array" },
                "event is not a JSON object (found an array)",
            ),
            (
                MissingField { field: "uuid" },
                "missing required field `uuid`",
            ),
            (
                EmptyField { field: "uuid" },
                "required field `uuid` is empty",
            ),
            (
                WrongType {
                    field: "uuid",
                    expected: "a string",
                    found: "a number",
                },
                "required field `uuid` must be a string, found a number",
            ),
            (
                MissingField { field: "published" },
                "missing required field `published`",
            ),
            (
                InvalidPublished {
                    value: "2017-09-31T22:23:07.777Z".into(),
                },
                "`published` is not a valid RFC 3339 time: \"2017-09-31T22:23:07.777Z\"",
            ),
            (
                InvalidPublished {
                    value: "yesterday".into(),
                },
                "`published` is not a valid RFC 3339 time: \"yesterday\"",
            ),
            (
                InvalidPublished {
                    value: "2024-03-01T12:00:00".into(),
                },
                "`published` is not a valid RFC 3339 time: \"2024-03-01T12:00:00\"",
            ),
            (
                WrongType {
                    field: "published",
                    expected: "a string",
                    found: "a number",
                },
                "required field `published` must be a string, found a number",
            ),
            (
                MissingField { field: "eventType" },
                "missing required field `eventType`",
            ),
            (
                EmptyField { field: "eventType" },
                "required field `eventType` is empty",
            ),
            (
                MissingField { field: "version" },
                "missing required field `version`",
            ),
            (
                WrongType {
                    field: "version",
                    expected: "a string or a number",
                    found: "a boolean",
                },
                "required field `version` must be a string or a number, found a boolean",
            ),
            (
                MissingField { field: "version" },
                "missing required field `version`",
            ),
            (
                MissingField { field: "severity" },
                "missing required field `severity`",
            ),
            (
                InvalidSeverity {
                    value: "CRITICAL".into(),
                },
                "`severity` must be one of DEBUG, INFO, WARN, ERROR, found \"CRITICAL\"",
            ),
            (
                InvalidSeverity {
                    value: "info".into(),
                },
                "`severity` must be one of DEBUG, INFO, WARN, ERROR, found \"info\"",
            ),
            (
                WrongType {
                    field: "severity",
                    expected: "a string",
                    found: "an object",
                },
                "required field `severity` must be a string, found an object",
            ),
        ];
        let raw_events = raw_events.as_array().unwrap();
        assert_eq!(raw_events.len(), expected.len());
        for (i, (raw, (error, reason))) in raw_events.iter().zip(expected).enumerate() {
            let (got, back) =
                normalize_event(raw.clone(), &ctx()).expect_err(&format!("event {i} passed"));
            assert_eq!(got, error, "event {i}: {}", raw["displayMessage"]);
            assert_eq!(got.to_string(), reason, "event {i}");
            assert_eq!(&back, raw, "event {i} comes back untouched");
        }
    }

    #[test]
    fn long_bad_values_are_cut_in_the_reason() {
        let mut raw = page_event(0);
        raw["published"] = "x".repeat(10_000).into();
        let (error, _) = normalize_event(raw, &ctx()).unwrap_err();
        let ClassificationError::InvalidPublished { value } = &error else {
            panic!("{error}")
        };
        assert_eq!(value.chars().count(), EXCERPT_CHARS + 1);
        assert!(value.ends_with('…'));
    }

    #[test]
    fn one_bad_event_does_not_stop_the_page() {
        let outcome = normalize_page(PAGE_WITH_BAD_EVENT.as_bytes(), &ctx()).unwrap();
        assert_eq!(outcome.raw_count, 5);
        let uuids: Vec<&str> = outcome.events.iter().map(|e| e.uuid.as_str()).collect();
        assert_eq!(
            uuids,
            [
                "3f2c9a1e-d7c4-11ee-9c4b-0b6f2d9a7e11",
                "41a07f3b-d7c4-11ee-9c4b-3d1b5e8f2a90",
                "44d912c6-d7c4-11ee-9c4b-7f4e3a2b1c05",
                "4a7be2f0-d7c4-11ee-8d1a-5b9c0e3f4a21",
            ]
        );
        let [failure] = outcome.failures.as_slice() else {
            panic!("{:?}", outcome.failures)
        };
        assert_eq!(
            failure.uuid.as_deref(),
            Some("dd0e4a11-d7c4-11ee-9c4b-000000000bad")
        );
        assert_eq!(
            failure.reason,
            "`published` is not a valid RFC 3339 time: \"2017-09-31T22:23:07.777Z\""
        );
        assert_eq!(
            parse(&failure.raw),
            parse(PAGE_WITH_BAD_EVENT)[2],
            "the raw event, unchanged"
        );
    }

    #[test]
    fn page_level_decode_errors() {
        assert!(normalize_page(b"{\"errorCode\":\"E0000047\"}", &ctx()).is_err());
        assert!(normalize_page(b"", &ctx()).is_err());
        assert!(normalize_page(b"[{\"uuid\":\"a\"}, ", &ctx()).is_err());
        assert!(normalize_page(b"[] []", &ctx()).is_err());
        let empty = normalize_page(b" [ ]\n", &ctx()).unwrap();
        assert_eq!(
            (empty.events.len(), empty.failures.len(), empty.raw_count),
            (0, 0, 0)
        );
    }

    #[test]
    fn elements_that_are_not_objects_are_quarantined() {
        let body = format!(
            "[1, null, {}, \"x\"]",
            serde_json::to_string(&page_event(0)).unwrap()
        );
        let outcome = normalize_page(body.as_bytes(), &ctx()).unwrap();
        assert_eq!(outcome.raw_count, 4);
        assert_eq!(outcome.events.len(), 1);
        let reasons: Vec<&str> = outcome.failures.iter().map(|f| f.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "event is not a JSON object (found a number)",
                "event is not a JSON object (found null)",
                "event is not a JSON object (found a string)",
            ]
        );
        let raws: Vec<&str> = outcome.failures.iter().map(|f| f.raw.as_str()).collect();
        assert_eq!(raws, ["1", "null", "\"x\""]);
        assert!(outcome.failures.iter().all(|f| f.uuid.is_none()));
    }

    fn run_stream(input: &[u8]) -> (io::Result<StreamStats>, Vec<String>, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let stats = normalize_stream(input, &mut out, &mut err, &ctx());
        let rows = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        (stats, rows, String::from_utf8(err).unwrap())
    }

    #[test]
    fn stream_of_ndjson_with_a_line_that_is_not_json() {
        let (stats, rows, err) = run_stream(NDJSON.as_bytes());
        assert_eq!(
            stats.unwrap(),
            StreamStats {
                rows: 3,
                failures: 2
            }
        );
        let uuids: Vec<String> = rows
            .iter()
            .map(|row| parse(row)["uuid"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            uuids,
            [
                "3f2c9a1e-d7c4-11ee-9c4b-0b6f2d9a7e11",
                "41a07f3b-d7c4-11ee-9c4b-3d1b5e8f2a90",
                "c8e0f5a2-d7ee-11ee-8b3c-4d5e6f7a8b9c",
            ]
        );
        assert!(rows
            .iter()
            .all(|row| parse(row)["p_log_type"] == "Okta.SystemLog"));
        assert_eq!(
            err,
            "event 3 (line 4): not valid JSON: EOF while parsing a string at column 62\n\
             event 4 (line 5, uuid ee1f5b22-d7c4-11ee-9c4b-000000000bad): missing required field `severity`\n"
        );
    }

    #[test]
    fn stream_of_one_json_array() {
        let (stats, rows, err) = run_stream(PAGE_WITH_BAD_EVENT.as_bytes());
        assert_eq!(
            stats.unwrap(),
            StreamStats {
                rows: 4,
                failures: 1
            }
        );
        assert_eq!(rows.len(), 4);
        assert_eq!(
            err,
            "event 3 (uuid dd0e4a11-d7c4-11ee-9c4b-000000000bad): `published` is not a valid RFC 3339 time: \"2017-09-31T22:23:07.777Z\"\n"
        );
        // Leading whitespace and a byte-order mark are fine.
        let input = format!("\u{feff}\n  \r\n{PAGE}");
        let (stats, rows, err) = run_stream(input.as_bytes());
        assert_eq!(
            stats.unwrap(),
            StreamStats {
                rows: 6,
                failures: 0
            }
        );
        assert_eq!((rows.len(), err.as_str()), (6, ""));
    }

    #[test]
    fn stream_edge_cases() {
        let (stats, rows, err) = run_stream(b"");
        assert_eq!(
            (stats.unwrap(), rows.len(), err.as_str()),
            (StreamStats::default(), 0, "")
        );
        let (stats, rows, _) = run_stream(b" \n\n\t\n");
        assert_eq!((stats.unwrap(), rows.len()), (StreamStats::default(), 0));

        // Leading blank lines count for NDJSON line numbers; a hostile uuid is escaped.
        let input = b"\n\n{\"uuid\":\"a\\nevent 9: forged\",\"published\":\"2024-03-01T00:00:00Z\"}\r\n[1,2]\n";
        let (stats, _, err) = run_stream(input);
        assert_eq!(
            stats.unwrap(),
            StreamStats {
                rows: 0,
                failures: 2
            }
        );
        assert_eq!(
            err,
            "event 1 (line 3, uuid a\\nevent 9: forged): missing required field `eventType`\n\
             event 2 (line 4): event is not a JSON object (found an array)\n"
        );

        // A broken array is an error, after the rows before the break.
        let broken = format!(
            "[{}, {{\"uuid\": ",
            serde_json::to_string(&page_event(0)).unwrap()
        );
        let (stats, rows, _) = run_stream(broken.as_bytes());
        let error = stats.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(
            error.to_string().contains("not a JSON array of events"),
            "{error}"
        );
        assert_eq!(rows.len(), 1);
    }

    /// A page of `n` realistic, distinct events (about 2 KB each), as Okta would send it.
    fn generated_page(n: usize) -> Vec<u8> {
        let templates = parse(PAGE);
        let templates = templates.as_array().unwrap();
        let events: Vec<Value> = (0..n)
            .map(|i| {
                let mut event = templates[i % templates.len()].clone();
                event["uuid"] = format!("{:08x}-d7c4-11ee-9c4b-{:012x}", i, i * 7919).into();
                event["published"] = format!(
                    "2024-03-01T12:{:02}:{:02}.{:03}Z",
                    i / 60 % 60,
                    i % 60,
                    i % 1000
                )
                .into();
                let ip = format!("198.51.{}.{}", i / 256 % 256, i % 256);
                event["client"]["ipAddress"] = ip.clone().into();
                event["request"]["ipChain"][0]["ip"] = ip.into();
                event
            })
            .collect();
        serde_json::to_vec(&events).unwrap()
    }

    /// `cargo test -p server --release normalize_speed -- --ignored --nocapture`
    #[test]
    #[ignore = "measurement, not a check"]
    fn normalize_speed() {
        let page = generated_page(1000);
        let rounds = 200;
        let report = |name: &str, seconds: f64| {
            let events = (rounds * 1000) as f64;
            let mb = (rounds * page.len()) as f64 / 1e6;
            println!(
                "{name:>13}: {:>9.0} events/s {:>7.1} MB/s",
                events / seconds,
                mb / seconds
            );
            events / seconds
        };
        println!(
            "page: 1000 events, {} bytes ({} bytes/event)",
            page.len(),
            page.len() / 1000
        );

        // Warm up both paths once.
        let _ = serde_json::from_slice::<Vec<Value>>(&page).unwrap();
        let _ = normalize_page(&page, &ctx()).unwrap();

        let start = std::time::Instant::now();
        for _ in 0..rounds {
            let events = serde_json::from_slice::<Vec<Value>>(&page).unwrap();
            assert_eq!(events.len(), 1000);
        }
        let parse_rate = report("parse only", start.elapsed().as_secs_f64());

        let start = std::time::Instant::now();
        let mut out_bytes = 0;
        for _ in 0..rounds {
            let outcome = normalize_page(&page, &ctx()).unwrap();
            assert_eq!(outcome.events.len(), 1000);
            out_bytes += outcome.events.iter().map(|e| e.json.len()).sum::<usize>();
        }
        let normalize_rate = report("normalize_page", start.elapsed().as_secs_f64());
        println!("output: {} bytes/event", out_bytes / rounds / 1000);
        println!(
            "normalize_page / parse only = {:.0}%",
            100.0 * normalize_rate / parse_rate
        );
    }
}
