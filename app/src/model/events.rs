//! The event explorer: a search over every stored event (filters, keyset cursor), one page of
//! results, and one stored event in full. Times are RFC 3339 strings.

use serde::{Deserialize, Serialize};

use super::{
    alert::{AlertState, Severity},
    enrichment::EnrichmentMatch,
};

/// Rows per page of the explorer.
pub const EVENT_PAGE_SIZE: u32 = 50;

/// The longest free-text search accepted (characters).
pub const MAX_TEXT_CHARS: usize = 200;

/// The longest eventType, actor or IP filter accepted (characters).
pub const MAX_FILTER_CHARS: usize = 256;

/// Okta's `outcome.result` values, as the outcome filter offers them.
pub const OUTCOMES: [&str; 7] = [
    "SUCCESS",
    "FAILURE",
    "SKIPPED",
    "ALLOW",
    "DENY",
    "CHALLENGE",
    "UNKNOWN",
];

/// The time range presets, by their name in the address, with their length in minutes.
pub const RANGE_PRESETS: [(&str, u32); 4] = [
    ("1h", 60),
    ("24h", 24 * 60),
    ("7d", 7 * 24 * 60),
    ("30d", 30 * 24 * 60),
];

/// What to look for. Every filter is optional; all given ones must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EventQuery {
    /// A preset (`1h`, `24h`, `7d`, `30d`: the last hour, day...), `all`, or `custom` (or
    /// none): then `from` / `to` bound the range.
    pub range: Option<String>,
    /// Start of a custom range (inclusive): RFC 3339, or `YYYY-MM-DDTHH:MM[:SS]` in UTC.
    pub from: Option<String>,
    /// End of a custom range (inclusive), same forms.
    pub to: Option<String>,
    pub source_id: Option<i64>,
    /// Exact `eventType`.
    pub event_type: Option<String>,
    /// `actor.alternateId` or `actor.id`, exact; a trailing `*` makes it a prefix.
    pub actor: Option<String>,
    /// `client.ipAddress`, exact.
    pub ip: Option<String>,
    /// Also match the IP anywhere in the event (`p_any_ip_addresses`); slower, bounded by time.
    #[serde(default)]
    pub ip_anywhere: bool,
    /// `outcome.result`, one of [`OUTCOMES`].
    pub outcome: Option<String>,
    /// Text anywhere in the stored JSON (case-insensitive for ASCII); needs a time range.
    pub text: Option<String>,
    /// The events of one alert.
    pub alert_id: Option<i64>,
    /// Where the page starts: a cursor from a previous [`EventPage`] (none: the newest).
    pub cursor: Option<String>,
}

/// One stored event as the results table shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRow {
    /// `events.id`: the detail page's address.
    pub id: i64,
    pub uuid: String,
    pub event_time: String,
    pub source_id: i64,
    /// None when the source was deleted meanwhile.
    pub source_name: Option<String>,
    pub event_type: String,
    /// `actor.alternateId`, else `actor.id`.
    pub actor: Option<String>,
    pub actor_id: Option<String>,
    pub client_ip: Option<String>,
    pub outcome: Option<String>,
    pub display_message: Option<String>,
    pub severity: String,
}

/// One page of results, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventPage {
    pub events: Vec<EventRow>,
    /// The cursor of the next older page, when there is one.
    pub next_cursor: Option<String>,
    /// The cursor of the next newer page, when there is one.
    pub newer_cursor: Option<String>,
}

/// An alert that matched an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventAlert {
    pub id: i64,
    pub title: String,
    pub rule_id: String,
    pub severity: Severity,
    pub state: AlertState,
}

/// One stored event in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    pub summary: EventRow,
    /// `p_row_id`.
    pub row_id: String,
    /// The stored row (Okta.SystemLog with its `p_` fields), pretty-printed, keys in stored order.
    pub json: String,
    /// The `p_` fields (`p_enrichment` apart): name and value as compact JSON.
    pub p_fields: Vec<(String, String)>,
    pub matches: Vec<EnrichmentMatch>,
    pub alerts: Vec<EventAlert>,
}

impl EventQuery {
    /// The query read from an address's parameters (`get` answers one parameter): `range`,
    /// `from`, `to`, `source`, `type`, `actor`, `ip`, `ip_any=1`, `outcome`, `text`, `alert`,
    /// `cursor`. Empty values count as absent; the range defaults to `24h`, or `all` for an
    /// alert's events.
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let text = |key: &str| {
            get(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let alert_id = text("alert").and_then(|v| v.parse().ok());
        let from = text("from");
        let to = text("to");
        let range = text("range").or_else(|| {
            Some(if from.is_some() || to.is_some() {
                "custom".to_owned()
            } else if alert_id.is_some() {
                "all".to_owned()
            } else {
                "24h".to_owned()
            })
        });
        let custom = range.as_deref() == Some("custom");
        EventQuery {
            range,
            from: from.filter(|_| custom),
            to: to.filter(|_| custom),
            source_id: text("source").and_then(|v| v.parse().ok()),
            event_type: text("type"),
            actor: text("actor"),
            ip: text("ip"),
            ip_anywhere: text("ip_any").is_some_and(|v| v == "1" || v == "true"),
            outcome: text("outcome").map(|v| v.to_uppercase()),
            text: text("text"),
            alert_id,
            cursor: text("cursor"),
        }
    }

    /// The address of the explorer with this query (defaults left out), `/events?...`.
    pub fn href(&self) -> String {
        let mut params: Vec<(&str, String)> = Vec::new();
        let default_range = if self.alert_id.is_some() {
            "all"
        } else {
            "24h"
        };
        if let Some(range) = self.range.as_deref().filter(|r| *r != default_range) {
            if !(range == "custom" && (self.from.is_some() || self.to.is_some())) {
                params.push(("range", range.to_owned()));
            }
        }
        if self.range.as_deref() == Some("custom") {
            params.extend(self.from.clone().map(|v| ("from", v)));
            params.extend(self.to.clone().map(|v| ("to", v)));
        }
        params.extend(self.source_id.map(|v| ("source", v.to_string())));
        params.extend(self.event_type.clone().map(|v| ("type", v)));
        params.extend(self.actor.clone().map(|v| ("actor", v)));
        params.extend(self.ip.clone().map(|v| ("ip", v)));
        if self.ip_anywhere {
            params.push(("ip_any", "1".to_owned()));
        }
        params.extend(self.outcome.clone().map(|v| ("outcome", v)));
        params.extend(self.text.clone().map(|v| ("text", v)));
        params.extend(self.alert_id.map(|v| ("alert", v.to_string())));
        params.extend(self.cursor.clone().map(|v| ("cursor", v)));
        if params.is_empty() {
            return "/events".to_owned();
        }
        let query = params
            .into_iter()
            .map(|(k, v)| format!("{k}={}", encode(&v)))
            .collect::<Vec<_>>()
            .join("&");
        format!("/events?{query}")
    }
}

/// Percent-encodes what a query string value may not hold as is.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' | b'~' | b'*' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The direction of a page from its cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CursorDirection {
    /// Events older than the cursor's event.
    Older,
    /// Events newer than the cursor's event.
    Newer,
}

/// A page boundary: the (event time in ms, id) of an event and which side of it to read.
/// Written as `o<ms>_<id>` (older) or `n<ms>_<id>` (newer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventCursor {
    pub direction: CursorDirection,
    pub event_time_ms: i64,
    pub id: i64,
}

impl EventCursor {
    pub fn encode(&self) -> String {
        let d = match self.direction {
            CursorDirection::Older => 'o',
            CursorDirection::Newer => 'n',
        };
        format!("{d}{}_{}", self.event_time_ms, self.id)
    }

    pub fn parse(s: &str) -> Option<EventCursor> {
        let direction = match s.chars().next()? {
            'o' => CursorDirection::Older,
            'n' => CursorDirection::Newer,
            _ => return None,
        };
        let (time, id) = s[1..].split_once('_')?;
        Some(EventCursor {
            direction,
            event_time_ms: time.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(query: &[(&str, &str)]) -> EventQuery {
        EventQuery::from_params(|key| {
            query
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn the_address_defaults_to_the_last_day_or_all_of_an_alerts_events() {
        assert_eq!(from(&[]).range.as_deref(), Some("24h"));
        assert_eq!(from(&[]).href(), "/events");
        let alert = from(&[("alert", "42")]);
        assert_eq!(alert.range.as_deref(), Some("all"));
        assert_eq!(alert.alert_id, Some(42));
        assert_eq!(alert.href(), "/events?alert=42");
    }

    #[test]
    fn filters_survive_the_round_trip_through_the_address() {
        let q = from(&[
            ("from", "2026-01-01T00:00"),
            ("to", "2026-01-02T00:00"),
            ("source", "2"),
            ("type", "user.session.start"),
            ("actor", "ana@example.com"),
            ("ip", "203.0.113.9"),
            ("ip_any", "1"),
            ("outcome", "failure"),
            ("text", "Chrome 124"),
            ("cursor", "o1767225600000_12"),
        ]);
        assert_eq!(q.range.as_deref(), Some("custom"));
        assert_eq!(q.outcome.as_deref(), Some("FAILURE"));
        assert!(q.ip_anywhere);
        let href = q.href();
        assert_eq!(
            href,
            "/events?from=2026-01-01T00:00&to=2026-01-02T00:00&source=2&type=user.session.start&actor=ana%40example.com&ip=203.0.113.9&ip_any=1&outcome=FAILURE&text=Chrome%20124&cursor=o1767225600000_12"
        );
        assert_eq!(from(&[("range", "7d")]).href(), "/events?range=7d");
        // A preset drops a custom range's ends.
        assert_eq!(from(&[("range", "1h"), ("from", "x")]).from, None);
    }

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let c = EventCursor {
            direction: CursorDirection::Newer,
            event_time_ms: 1_767_225_600_000,
            id: 7,
        };
        assert_eq!(c.encode(), "n1767225600000_7");
        assert_eq!(EventCursor::parse(&c.encode()), Some(c));
        for bad in ["", "x1_2", "o1", "o_2", "oa_b", "o1_2_3"] {
            assert_eq!(EventCursor::parse(bad), None, "{bad}");
        }
    }
}
