//! The simulator's clock (real time plus an adjustable offset, so tests can move time forward
//! without sleeping) and Okta's timestamp format.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, SecondsFormat, Utc};

#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// Milliseconds since the Unix epoch, as the simulated orgs see it.
    pub fn now_ms(&self) -> i64 {
        Utc::now().timestamp_millis() + self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn advance(&self, by_ms: i64) {
        self.offset_ms.fetch_add(by_ms, Ordering::Relaxed);
    }
}

/// `2024-05-01T12:34:56.789Z`, the way Okta prints times.
pub(crate) fn format_ms(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// An RFC 3339 timestamp as epoch milliseconds.
pub(crate) fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let s = format_ms(1_714_566_896_789);
        assert_eq!(s, "2024-05-01T12:34:56.789Z");
        assert_eq!(parse_rfc3339_ms(&s), Some(1_714_566_896_789));
        assert_eq!(
            parse_rfc3339_ms("2024-05-01T14:34:56+02:00"),
            Some(1_714_566_896_000)
        );
        assert_eq!(parse_rfc3339_ms("yesterday"), None);
    }
}
