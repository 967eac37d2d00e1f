//! Fault injection: misbehaviours queued per org, each affecting the next `count` matching API
//! requests, so clients can be tested against everything a real Okta (or the network) does.

use std::collections::VecDeque;

use axum::body::Body;
use serde::{Deserialize, Serialize};

/// One queued misbehaviour. JSON: `{"kind":"rate_limit","count":3,"headers":"normal","path":"/api/v1/logs"}`.
/// `count` defaults to 1; `path` (a path prefix) to every API path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// 429 E0000047, with the rate-limit headers as `headers` says.
    RateLimit {
        #[serde(default = "one")]
        count: u32,
        #[serde(default)]
        headers: RateLimitHeaders,
        #[serde(default)]
        path: Option<String>,
    },
    /// 500 E0000009.
    ServerError {
        #[serde(default = "one")]
        count: u32,
        #[serde(default)]
        path: Option<String>,
    },
    /// The connection drops without a response.
    Reset {
        #[serde(default = "one")]
        count: u32,
        #[serde(default)]
        path: Option<String>,
    },
    /// Waits `secs` before answering normally.
    Hang {
        #[serde(default = "one")]
        count: u32,
        secs: f64,
        #[serde(default)]
        path: Option<String>,
    },
    /// 200 with a truncated JSON body (and normal `Link` headers).
    Malformed {
        #[serde(default = "one")]
        count: u32,
        #[serde(default)]
        path: Option<String>,
    },
    /// The normal page, with the `next` link sent twice plus one combined `self, next` line.
    DuplicateLinks {
        #[serde(default = "one")]
        count: u32,
        #[serde(default)]
        path: Option<String>,
    },
    /// The normal page whose `next` link equals its `self` link.
    NextIsSelf {
        #[serde(default = "one")]
        count: u32,
        #[serde(default)]
        path: Option<String>,
    },
    /// 200 with a valid JSON array longer than `bytes`.
    Oversized {
        #[serde(default = "one")]
        count: u32,
        bytes: usize,
        #[serde(default)]
        path: Option<String>,
    },
}

/// The rate-limit headers sent with an injected 429.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateLimitHeaders {
    /// The org's real limit, `Remaining: 0`, the real window end.
    #[default]
    Normal,
    /// No `X-Rate-Limit-*` headers at all.
    #[serde(rename = "none")]
    Omitted,
    /// A concurrency 429: `Limit: 0`, `Remaining: 0`, `Reset` a few seconds out (an estimate).
    Zero,
}

fn one() -> u32 {
    1
}

impl Fault {
    pub fn count(&self) -> u32 {
        match self {
            Fault::RateLimit { count, .. }
            | Fault::ServerError { count, .. }
            | Fault::Reset { count, .. }
            | Fault::Hang { count, .. }
            | Fault::Malformed { count, .. }
            | Fault::DuplicateLinks { count, .. }
            | Fault::NextIsSelf { count, .. }
            | Fault::Oversized { count, .. } => *count,
        }
    }

    fn count_mut(&mut self) -> &mut u32 {
        match self {
            Fault::RateLimit { count, .. }
            | Fault::ServerError { count, .. }
            | Fault::Reset { count, .. }
            | Fault::Hang { count, .. }
            | Fault::Malformed { count, .. }
            | Fault::DuplicateLinks { count, .. }
            | Fault::NextIsSelf { count, .. }
            | Fault::Oversized { count, .. } => count,
        }
    }

    pub fn path(&self) -> Option<&str> {
        match self {
            Fault::RateLimit { path, .. }
            | Fault::ServerError { path, .. }
            | Fault::Reset { path, .. }
            | Fault::Hang { path, .. }
            | Fault::Malformed { path, .. }
            | Fault::DuplicateLinks { path, .. }
            | Fault::NextIsSelf { path, .. }
            | Fault::Oversized { path, .. } => path.as_deref(),
        }
    }

    fn applies_to(&self, path: &str) -> bool {
        self.path().is_none_or(|prefix| path.starts_with(prefix))
    }
}

/// An org's pending faults, oldest first.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue(VecDeque<Fault>);

impl FaultQueue {
    pub fn push(&mut self, fault: Fault) {
        if fault.count() > 0 {
            self.0.push_back(fault);
        }
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn pending(&self) -> Vec<Fault> {
        self.0.iter().cloned().collect()
    }

    /// The oldest fault that applies to `path`, using up one of its requests.
    pub fn take(&mut self, path: &str) -> Option<Fault> {
        let position = self.0.iter().position(|f| f.applies_to(path))?;
        let fault = &mut self.0[position];
        let taken = fault.clone();
        *fault.count_mut() -= 1;
        if fault.count() == 0 {
            self.0.remove(position);
        }
        Some(taken)
    }
}

/// A body whose first read fails: hyper abandons the connection before a status line is written,
/// so the client sees a transport error (connection closed), never a status.
pub(crate) fn reset_body() -> Body {
    let failing = futures_util::stream::once(async {
        Err::<bytes::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "simulated connection reset",
        ))
    });
    Body::from_stream(failing)
}

/// Cuts a JSON body so it no longer parses (always at least the opening bracket survives).
pub(crate) fn truncate(body: &mut Vec<u8>) {
    let keep = (body.len() / 2).max(1).min(body.len());
    body.truncate(keep);
    if body.len() > 1 && body.last() == Some(&b']') {
        body.pop();
    }
}

/// Pads a JSON array body past `bytes` while keeping it a valid array of the same events: a huge
/// string field goes into the first event, or whitespace into an empty array.
pub(crate) fn pad(body: &mut Vec<u8>, bytes: usize) {
    let missing = bytes.saturating_sub(body.len()) + 1;
    if body.starts_with(b"[{") {
        let field = b"\"simulatorPadding\":\"";
        let mut padded = Vec::with_capacity(body.len() + missing + field.len() + 3);
        padded.extend_from_slice(b"[{");
        padded.extend_from_slice(field);
        padded.resize(padded.len() + missing, b'x');
        padded.extend_from_slice(b"\",");
        padded.extend_from_slice(&body[2..]);
        *body = padded;
    } else {
        let tail = body.split_off(1.min(body.len()));
        body.resize(body.len() + missing, b' ');
        body.extend_from_slice(&tail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse_with_defaults() {
        let f: Fault = serde_json::from_str(r#"{"kind":"rate_limit"}"#).unwrap();
        assert_eq!(
            f,
            Fault::RateLimit {
                count: 1,
                headers: RateLimitHeaders::Normal,
                path: None
            }
        );
        let f: Fault = serde_json::from_str(
            r#"{"kind":"rate_limit","count":3,"headers":"none","path":"/api/v1/logs"}"#,
        )
        .unwrap();
        assert_eq!(
            f,
            Fault::RateLimit {
                count: 3,
                headers: RateLimitHeaders::Omitted,
                path: Some("/api/v1/logs".into())
            }
        );
        let f: Fault = serde_json::from_str(r#"{"kind":"hang","secs":2.5}"#).unwrap();
        assert_eq!(
            f,
            Fault::Hang {
                count: 1,
                secs: 2.5,
                path: None
            }
        );
        assert!(serde_json::from_str::<Fault>(r#"{"kind":"hang"}"#).is_err());
        assert!(serde_json::from_str::<Fault>(r#"{"kind":"explode"}"#).is_err());
        let back = serde_json::to_value(Fault::Oversized {
            count: 2,
            bytes: 10,
            path: None,
        })
        .unwrap();
        assert_eq!(back["kind"], "oversized");
    }

    #[test]
    fn the_queue_counts_down_per_matching_path() {
        let mut q = FaultQueue::default();
        q.push(Fault::ServerError {
            count: 2,
            path: Some("/api/v1/users".into()),
        });
        q.push(Fault::Reset {
            count: 1,
            path: None,
        });
        assert!(matches!(q.take("/api/v1/logs"), Some(Fault::Reset { .. })));
        assert_eq!(q.take("/api/v1/logs"), None);
        assert!(matches!(
            q.take("/api/v1/users"),
            Some(Fault::ServerError { .. })
        ));
        assert!(matches!(
            q.take("/api/v1/users"),
            Some(Fault::ServerError { .. })
        ));
        assert_eq!(q.take("/api/v1/users"), None);
    }

    #[test]
    fn truncation_breaks_and_padding_keeps_json() {
        for body in [&b"[]"[..], b"[{\"a\":1}]", b"[{\"a\":1},{\"b\":2}]"] {
            let mut cut = body.to_vec();
            truncate(&mut cut);
            assert!(
                serde_json::from_slice::<serde_json::Value>(&cut).is_err(),
                "{:?}",
                String::from_utf8_lossy(&cut)
            );
            let mut big = body.to_vec();
            pad(&mut big, 1000);
            assert!(big.len() > 1000);
            let v: serde_json::Value = serde_json::from_slice(&big).unwrap();
            let original: serde_json::Value = serde_json::from_slice(body).unwrap();
            assert_eq!(
                v.as_array().unwrap().len(),
                original.as_array().unwrap().len()
            );
        }
    }
}
