//! `GET /api/v1/logs`: polling requests (no `until`) walk the log in persistence order and always
//! link a `next` page; bounded requests (`since` + `until`) walk it in published order and stop.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::api::{json_array, ApiRequest, Page};
use super::error::ApiError;
use super::eventlog::{PublishedKey, TypeFilter};
use super::org::OrgState;
use super::time::parse_rfc3339_ms;

const DAY_MS: i64 = 86_400_000;
/// Where a polling request without `since` or `after` starts.
const DEFAULT_LOOKBACK_MS: i64 = 15 * 60_000;
/// A bounded request without `since` starts this long before `until`.
const DEFAULT_BOUNDED_SPAN_MS: i64 = 7 * DAY_MS;
const MAX_SINCE_AGE_MS: i64 = 180 * DAY_MS;
/// Rendered events run 1.5-3 KB.
const EVENT_SIZE_HINT: usize = 2048;

/// An `after` cursor. Opaque to clients: base64url of `v1:…`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cursor {
    /// A polling request continues at this sequence position.
    Poll(u64),
    /// A bounded request continues past this (published, sequence) key; `since` rides along
    /// because descending pages need their lower bound.
    Bounded { since_ms: i64, key: PublishedKey },
}

impl Cursor {
    fn encode(self) -> String {
        let text = match self {
            Cursor::Poll(position) => format!("v1:{position}"),
            Cursor::Bounded { since_ms, key } => {
                format!("v1:b:{since_ms}:{}:{}", key.published_ms, key.seq)
            }
        };
        URL_SAFE_NO_PAD.encode(text)
    }

    fn decode(s: &str) -> Option<Cursor> {
        let bytes = URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let rest = text.strip_prefix("v1:")?;
        if let Some(bounded) = rest.strip_prefix("b:") {
            let mut parts = bounded.split(':');
            let since_ms = parts.next()?.parse().ok()?;
            let published_ms = parts.next()?.parse().ok()?;
            let seq = parts.next()?.parse().ok()?;
            parts.next().is_none().then_some(Cursor::Bounded {
                since_ms,
                key: PublishedKey { published_ms, seq },
            })
        } else {
            rest.parse().ok().map(Cursor::Poll)
        }
    }
}

/// A validated query.
struct LogQuery {
    limit: usize,
    descending: bool,
    filter: Option<TypeFilter>,
    mode: Mode,
}

enum Mode {
    Poll {
        start: Start,
    },
    Bounded {
        since_ms: i64,
        until_ms: i64,
        after: Option<PublishedKey>,
    },
}

enum Start {
    Position(u64),
    PersistedSince(i64),
}

impl LogQuery {
    fn parse(req: &ApiRequest) -> Result<LogQuery, ApiError> {
        let limit = match req.param("limit") {
            None => 100,
            Some(raw) => match raw.trim().parse::<i64>() {
                Ok(n) if (1..=1000).contains(&n) => n as usize,
                Ok(_) => {
                    return Err(ApiError::validation(
                        "limit",
                        "limit must be between 1 and 1000",
                    ))
                }
                Err(_) => {
                    return Err(ApiError::validation(
                        "limit",
                        "limit must be a number between 1 and 1000",
                    ))
                }
            },
        };
        let descending = match req.param("sortOrder") {
            None => false,
            Some(s) if s.eq_ignore_ascii_case("ASCENDING") => false,
            Some(s) if s.eq_ignore_ascii_case("DESCENDING") => true,
            Some(_) => {
                return Err(ApiError::validation(
                    "sortOrder",
                    "sortOrder must be ASCENDING or DESCENDING",
                ))
            }
        };
        let since = match req.param("since") {
            None => None,
            Some(s) => {
                let since =
                    parse_rfc3339_ms(s).ok_or_else(|| ApiError::invalid_parameter("since"))?;
                if since < req.now_ms - MAX_SINCE_AGE_MS {
                    return Err(ApiError::invalid_parameter("since"));
                }
                Some(since)
            }
        };
        let until = match req.param("until") {
            None => None,
            Some(s) => {
                Some(parse_rfc3339_ms(s).ok_or_else(|| ApiError::invalid_parameter("until"))?)
            }
        };
        let after = match req.param("after") {
            None => None,
            Some(s) => Some(
                Cursor::decode(s)
                    .ok_or_else(|| ApiError::validation("after", "after is not a valid cursor"))?,
            ),
        };
        if since.is_some() && after.is_some() {
            return Err(ApiError::validation(
                "after",
                "since and after cannot be used together",
            ));
        }
        let filter = req.param("filter").map(parse_filter).transpose()?;
        let mode = match (until, after) {
            (Some(until_ms), None) => Mode::Bounded {
                since_ms: since.unwrap_or(until_ms - DEFAULT_BOUNDED_SPAN_MS),
                until_ms,
                after: None,
            },
            (Some(until_ms), Some(Cursor::Bounded { since_ms, key })) => Mode::Bounded {
                since_ms,
                until_ms,
                after: Some(key),
            },
            (None, _) if descending => {
                return Err(ApiError::validation(
                    "sortOrder",
                    "DESCENDING requires until",
                ));
            }
            (None, Some(Cursor::Poll(position))) => Mode::Poll {
                start: Start::Position(position),
            },
            (None, None) => Mode::Poll {
                start: Start::PersistedSince(since.unwrap_or(req.now_ms - DEFAULT_LOOKBACK_MS)),
            },
            _ => {
                return Err(ApiError::validation(
                    "after",
                    "after is not a valid cursor for this request",
                ))
            }
        };
        Ok(LogQuery {
            limit,
            descending,
            filter,
            mode,
        })
    }
}

/// `eventType eq "…"` or `eventType sw "…"` clauses joined by `or`.
fn parse_filter(raw: &str) -> Result<TypeFilter, ApiError> {
    let invalid = || ApiError::invalid_parameter("filter");
    let mut filter = TypeFilter::default();
    for clause in split_keyword(raw, "or") {
        let mut words = clause.trim().splitn(3, ' ');
        let (attr, op, value) = (
            words.next().unwrap_or(""),
            words.next().unwrap_or(""),
            words.next().unwrap_or(""),
        );
        let value = value
            .trim()
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(invalid)?;
        if attr != "eventType" {
            return Err(invalid());
        }
        match op.to_ascii_lowercase().as_str() {
            "eq" => filter.exact.push(value.to_string()),
            "sw" => filter.prefixes.push(value.to_string()),
            _ => return Err(invalid()),
        }
    }
    Ok(filter)
}

/// Splits on ` {keyword} ` (case-insensitive), outside quotes.
pub(crate) fn split_keyword<'a>(raw: &'a str, keyword: &str) -> Vec<&'a str> {
    let needle = format!(" {keyword} ");
    let lower = raw.to_ascii_lowercase();
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes && lower.as_bytes()[i..].starts_with(needle.as_bytes()) {
            parts.push(&raw[start..i]);
            i += needle.len();
            start = i;
            continue;
        }
        i += 1;
    }
    parts.push(&raw[start..]);
    parts
}

pub(crate) fn list(org: &OrgState, req: &ApiRequest) -> Result<Page, ApiError> {
    let query = LogQuery::parse(req)?;
    // Take the page's records under the lock; render after releasing it.
    let (items, next) = match query.mode {
        Mode::Poll { start } => {
            let log = org.log(req.now_ms);
            let start = match start {
                Start::Position(p) if p > log.len() as u64 => {
                    return Err(ApiError::validation("after", "after is not a valid cursor"));
                }
                Start::Position(p) => p,
                Start::PersistedSince(since) => log.position_since(since),
            };
            let page = log.poll_page(start, query.limit, query.filter.as_ref());
            // Polling pages always link onwards, even when empty: new events will arrive there.
            (page.items, Some(Cursor::Poll(page.next_position)))
        }
        Mode::Bounded {
            since_ms,
            until_ms,
            after,
        } => {
            let page = org.log(req.now_ms).bounded_page(
                since_ms,
                until_ms,
                after,
                query.limit,
                query.descending,
                query.filter.as_ref(),
            );
            (
                page.items,
                page.next.map(|key| Cursor::Bounded { since_ms, key }),
            )
        }
    };
    let next_link = next.map(|cursor| {
        let limit = query.limit.to_string();
        let after = cursor.encode();
        let mut params: Vec<(&str, &str)> = Vec::with_capacity(5);
        if let (Cursor::Bounded { .. }, Some(until)) = (cursor, req.param("until")) {
            params.push(("until", until));
        }
        params.push(("limit", &limit));
        params.push(("after", &after));
        for kept in ["sortOrder", "filter"] {
            if let Some(value) = req.param(kept) {
                params.push((kept, value));
            }
        }
        req.link_with(&params)
    });
    let body = json_array(&items, EVENT_SIZE_HINT, |item, out| {
        item.render(&org.generator, out)
    });
    Ok(Page {
        body,
        self_link: req.self_link(),
        next_link,
        events: items.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_junk() {
        for c in [
            Cursor::Poll(0),
            Cursor::Poll(1_000_000),
            Cursor::Bounded {
                since_ms: -5,
                key: PublishedKey {
                    published_ms: 1_700_000_000_000,
                    seq: 42,
                },
            },
        ] {
            let encoded = c.encode();
            assert!(encoded
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            assert_eq!(Cursor::decode(&encoded), Some(c));
        }
        for junk in ["", "abc", "djE6eA", "!!!", "djE6Yjox"] {
            assert_eq!(Cursor::decode(junk), None, "{junk}");
        }
    }

    #[test]
    fn filters_parse() {
        let f =
            parse_filter(r#"eventType eq "user.session.start" or eventType sw "system.""#).unwrap();
        assert_eq!(f.exact, vec!["user.session.start"]);
        assert_eq!(f.prefixes, vec!["system."]);
        assert!(parse_filter(r#"actor.id eq "x""#).is_err());
        assert!(parse_filter("eventType eq unquoted").is_err());
        assert_eq!(split_keyword(r#"a eq "x or y" OR b eq "z""#, "or").len(), 2);
    }
}
