//! The event explorer: validates a search, reads one keyset page (plus whether pages lie on
//! either side), and shows one stored event with its `p_` fields, matches and alerts.

use app::model::{
    alert::{AlertState, Severity},
    events::{
        CursorDirection, EventAlert, EventCursor, EventPage, EventQuery, EventRow, StoredEvent,
        EVENT_PAGE_SIZE, MAX_FILTER_CHARS, MAX_TEXT_CHARS, OUTCOMES, RANGE_PRESETS,
    },
    source::FieldProblem,
    AppError, FieldError,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat};
use serde_json::Value;

use super::{enrichment::enrichment_matches, store_error, Engine};
use crate::store::{ActorFilter, Boundary, EventListRow, EventSearch};

/// Characters an actor prefix needs before its `*` (shorter ones match most of the table).
const MIN_PREFIX_CHARS: usize = 3;

impl Engine {
    /// The store's search for `query`, validated (presets count back from now).
    pub async fn event_search(&self, query: &EventQuery) -> Result<EventSearch, AppError> {
        resolve(query, crate::store::now_ms()).map_err(AppError::Fields)
    }

    pub async fn search_events(&self, query: &EventQuery) -> Result<EventPage, AppError> {
        let context = "search_events";
        let search = self.event_search(query).await?;
        let size = i64::from(EVENT_PAGE_SIZE);
        let mut rows = self
            .store
            .search_events(&search, size + 1)
            .await
            .map_err(store_error(context))?;
        let more = rows.len() as i64 > size;
        rows.truncate(size as usize);
        let newer = search.boundary.is_some_and(|b| b.newer);
        if newer {
            rows.reverse();
        }
        let cursor = |row: &EventListRow, direction| {
            EventCursor {
                direction,
                event_time_ms: row.event_time,
                id: row.id,
            }
            .encode()
        };
        // Pages on the far side of the one read: there are some when rows exist beyond its
        // edge row (one index probe each).
        let beyond = |row: &EventListRow, newer: bool| EventSearch {
            boundary: Some(Boundary {
                event_time: row.event_time,
                id: row.id,
                newer,
            }),
            ..search.clone()
        };
        let (next_cursor, newer_cursor) = match (rows.first(), rows.last()) {
            (Some(first), Some(last)) => {
                let older = if !newer {
                    more
                } else {
                    self.store
                        .events_exist(&beyond(last, false))
                        .await
                        .map_err(store_error(context))?
                };
                let newer_exist = if newer {
                    more
                } else if search.boundary.is_some() {
                    self.store
                        .events_exist(&beyond(first, true))
                        .await
                        .map_err(store_error(context))?
                } else {
                    false
                };
                (
                    older.then(|| cursor(last, CursorDirection::Older)),
                    newer_exist.then(|| cursor(first, CursorDirection::Newer)),
                )
            }
            _ => (None, None),
        };
        Ok(EventPage {
            events: rows.into_iter().map(event_row).collect(),
            next_cursor,
            newer_cursor,
        })
    }

    pub async fn stored_event(&self, id: i64) -> Result<StoredEvent, AppError> {
        let context = "stored_event";
        let (row, row_id, data) = self
            .store
            .stored_event(id)
            .await
            .map_err(store_error(context))?
            .ok_or_else(|| AppError::NotFound(format!("Event {id}")))?;
        let alerts = self
            .store
            .event_alerts(id)
            .await
            .map_err(store_error(context))?
            .into_iter()
            .map(|a| EventAlert {
                id: a.id,
                title: a.title,
                rule_id: a.rule_id,
                severity: Severity::parse(&a.severity).unwrap_or(Severity::Info),
                state: AlertState::parse(&a.state).unwrap_or(AlertState::Open),
            })
            .collect();
        let value: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
        let matches = value
            .get("p_enrichment")
            .map(enrichment_matches)
            .unwrap_or_default();
        let p_fields = value
            .as_object()
            .map(|o| {
                o.iter()
                    .filter(|(k, _)| k.starts_with("p_") && *k != "p_enrichment")
                    .map(|(k, v)| (k.clone(), v.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(StoredEvent {
            summary: event_row(row),
            row_id,
            json: pretty_json(&data),
            p_fields,
            matches,
            alerts,
        })
    }
}

fn event_row(row: EventListRow) -> EventRow {
    EventRow {
        id: row.id,
        uuid: row.uuid,
        event_time: DateTime::from_timestamp_millis(row.event_time)
            .unwrap_or_default()
            .to_rfc3339_opts(SecondsFormat::Millis, true),
        source_id: row.source_id,
        source_name: row.source_name,
        event_type: row.event_type,
        actor: row.actor_alternate_id.or_else(|| row.actor_id.clone()),
        actor_id: row.actor_id,
        client_ip: row.client_ip,
        outcome: row.outcome_result,
        display_message: row.display_message,
        severity: row.severity,
    }
}

fn refused(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        problem: FieldProblem::new(message),
    }
}

/// A moment typed by a person: RFC 3339, `YYYY-MM-DDTHH:MM[:SS]` or `YYYY-MM-DD` (UTC).
fn parse_moment(input: &str) -> Option<i64> {
    let input = input.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(input) {
        return Some(t.timestamp_millis());
    }
    for format in [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(input, format) {
            return Some(t.and_utc().timestamp_millis());
        }
    }
    NaiveDate::parse_from_str(input, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp_millis())
}

/// A trimmed optional filter, refused when longer than `max` characters.
fn bounded(
    value: &Option<String>,
    field: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        errors.push(refused(field, format!("At most {max} characters.")));
        return None;
    }
    Some(value.to_owned())
}

/// Checks `query` and turns it into the store's search (`now_ms` anchors the presets); every
/// refused field is reported at once.
pub(crate) fn resolve(query: &EventQuery, now_ms: i64) -> Result<EventSearch, Vec<FieldError>> {
    let mut errors = Vec::new();
    let (mut from_ms, mut to_ms) = (None, None);
    match query.range.as_deref().map(str::trim).unwrap_or("all") {
        "" | "all" | "custom" => {
            let mut moment = |field: &str, value: &Option<String>| {
                let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
                let parsed = parse_moment(value);
                if parsed.is_none() {
                    errors.push(refused(
                        field,
                        format!("\"{value}\" is not a date and time: write it as 2026-05-01T12:00 (UTC) or in RFC 3339."),
                    ));
                }
                parsed
            };
            from_ms = moment("from", &query.from);
            to_ms = moment("to", &query.to);
            if let (Some(from), Some(to)) = (from_ms, to_ms) {
                if from > to {
                    errors.push(refused("to", "The end of the range is before its start."));
                }
            }
        }
        preset => match RANGE_PRESETS.iter().find(|(name, _)| *name == preset) {
            Some((_, minutes)) => from_ms = Some(now_ms - i64::from(*minutes) * 60_000),
            None => errors.push(refused(
                "range",
                "Unknown time range: choose 1h, 24h, 7d, 30d, all or custom.",
            )),
        },
    }

    let event_type = bounded(
        &query.event_type,
        "event_type",
        MAX_FILTER_CHARS,
        &mut errors,
    );
    let actor = bounded(&query.actor, "actor", MAX_FILTER_CHARS, &mut errors).and_then(|a| match a
        .strip_suffix('*')
    {
        Some(prefix) if prefix.chars().count() < MIN_PREFIX_CHARS => {
            errors.push(refused(
                "actor",
                format!("A prefix needs at least {MIN_PREFIX_CHARS} characters before the *."),
            ));
            None
        }
        Some(prefix) => Some(ActorFilter {
            value: prefix.to_owned(),
            prefix: true,
        }),
        None => Some(ActorFilter {
            value: a,
            prefix: false,
        }),
    });
    let ip = bounded(&query.ip, "ip", MAX_FILTER_CHARS, &mut errors).and_then(|ip| {
        if ip.parse::<std::net::IpAddr>().is_ok() {
            Some(ip)
        } else {
            errors.push(refused(
                "ip",
                format!("\"{ip}\" is not an IP address (e.g. 203.0.113.9 or 2001:db8::1)."),
            ));
            None
        }
    });
    let outcome = bounded(&query.outcome, "outcome", MAX_FILTER_CHARS, &mut errors).and_then(|o| {
        let upper = o.to_uppercase();
        if OUTCOMES.contains(&upper.as_str()) {
            Some(upper)
        } else {
            errors.push(refused(
                "outcome",
                format!(
                    "Unknown outcome \"{o}\": choose one of {}.",
                    OUTCOMES.join(", ")
                ),
            ));
            None
        }
    });
    let text = bounded(&query.text, "text", MAX_TEXT_CHARS, &mut errors);
    if text.is_some() && from_ms.is_none() && query.alert_id.is_none() {
        errors.push(refused(
            "text",
            "Free text reads every event in the range: choose a time range (or a custom start) first.",
        ));
    }
    let boundary = query
        .cursor
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .and_then(|c| match EventCursor::parse(c) {
            Some(c) => Some(Boundary {
                event_time: c.event_time_ms,
                id: c.id,
                newer: c.direction == CursorDirection::Newer,
            }),
            None => {
                errors.push(refused(
                    "cursor",
                    "Not a page of this explorer: start again from the newest events.",
                ));
                None
            }
        });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(EventSearch {
        from_ms,
        to_ms,
        source_id: query.source_id,
        event_type,
        actor,
        ip_anywhere: query.ip_anywhere && ip.is_some(),
        ip,
        outcome,
        text,
        alert_id: query.alert_id,
        boundary,
    })
}

/// Indents JSON text two spaces a level, keeping its keys in their stored order (a round trip
/// through `serde_json::Value` would sort them).
pub(crate) fn pretty_json(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = raw.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n("  ", depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.push(chars.next().unwrap_or(' '));
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    fn fields(query: EventQuery) -> Vec<String> {
        resolve(&query, NOW)
            .unwrap_err()
            .into_iter()
            .map(|f| f.field)
            .collect()
    }

    #[test]
    fn presets_and_custom_ranges_become_milliseconds() {
        let q = EventQuery {
            range: Some("1h".into()),
            ..EventQuery::default()
        };
        assert_eq!(resolve(&q, NOW).unwrap().from_ms, Some(NOW - 3_600_000));
        let q = EventQuery {
            range: Some("custom".into()),
            from: Some("2026-01-01T00:00".into()),
            to: Some("2026-01-01T01:00:00Z".into()),
            ..EventQuery::default()
        };
        let s = resolve(&q, NOW).unwrap();
        assert_eq!((s.from_ms, s.to_ms), (Some(NOW), Some(NOW + 3_600_000)));
        assert_eq!(parse_moment("2026-01-01"), Some(NOW));
        assert_eq!(parse_moment("2026-01-01T01:00:00+01:00"), Some(NOW));
    }

    #[test]
    fn refused_filters_are_reported_field_by_field() {
        let q = EventQuery {
            range: Some("custom".into()),
            from: Some("2026-01-02".into()),
            to: Some("2026-01-01".into()),
            outcome: Some("maybe".into()),
            ip: Some("10.0.0".into()),
            actor: Some("an*".into()),
            text: Some("x".repeat(MAX_TEXT_CHARS + 1)),
            cursor: Some("garbage".into()),
            ..EventQuery::default()
        };
        assert_eq!(
            fields(q),
            ["to", "actor", "ip", "outcome", "text", "cursor"]
        );
        let q = EventQuery {
            range: Some("forever".into()),
            from: Some("yesterday".into()),
            ..EventQuery::default()
        };
        assert_eq!(fields(q), ["range"]);
        let q = EventQuery {
            range: Some("custom".into()),
            from: Some("yesterday".into()),
            ..EventQuery::default()
        };
        assert_eq!(fields(q), ["from"]);
        // Free text needs a start, unless it searches one alert's events.
        let q = EventQuery {
            text: Some("Chrome".into()),
            ..EventQuery::default()
        };
        assert_eq!(fields(q.clone()), ["text"]);
        assert!(resolve(
            &EventQuery {
                alert_id: Some(3),
                ..q
            },
            NOW
        )
        .is_ok());
    }

    #[test]
    fn actors_match_exactly_or_by_prefix() {
        let actor = |a: &str| {
            resolve(
                &EventQuery {
                    actor: Some(a.into()),
                    ..EventQuery::default()
                },
                NOW,
            )
            .unwrap()
            .actor
            .unwrap()
        };
        assert_eq!(
            actor(" ana@example.com "),
            ActorFilter {
                value: "ana@example.com".into(),
                prefix: false
            }
        );
        assert_eq!(
            actor("ana.*"),
            ActorFilter {
                value: "ana.".into(),
                prefix: true
            }
        );
    }

    #[test]
    fn pretty_json_keeps_the_stored_key_order() {
        let raw = r#"{"z":1,"a":{"s":"x,{\"y\":[]}"},"e":[],"l":[1,{}]}"#;
        let pretty = pretty_json(raw);
        assert_eq!(
            pretty,
            "{\n  \"z\": 1,\n  \"a\": {\n    \"s\": \"x,{\\\"y\\\":[]}\"\n  },\n  \"e\": [],\n  \"l\": [\n    1,\n    {}\n  ]\n}"
        );
        let a: Value = serde_json::from_str(raw).unwrap();
        let b: Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(a, b);
    }
}
