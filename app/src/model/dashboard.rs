//! What the ingestion-health dashboard shows. Built from the per-minute health counters and the
//! sources' status rows, never from the events table, so it stays fast at any event count.

use serde::{Deserialize, Serialize};

/// The whole dashboard: totals across sources, then one entry per source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// RFC 3339; the minute buckets below end at this time.
    pub generated_at: String,
    pub totals: DashboardTotals,
    pub sources: Vec<SourceHealth>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardTotals {
    pub sources: u32,
    pub healthy: u32,
    /// Degraded or failing.
    pub attention: u32,
    pub events_last_hour: i64,
    pub events_last_day: i64,
    /// Open alerts of any kind, over all sources.
    pub open_alerts: u32,
    /// Sources whose no-events alarm is in ALARM.
    pub alarms: u32,
}

/// Minutes in the events-per-minute chart (24 hours).
pub const CHART_MINUTES: usize = 24 * 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceHealth {
    pub id: i64,
    pub name: String,
    pub org_host: String,
    /// pending, backfilling, healthy, degraded, failing, paused, setup
    pub state: String,
    /// Why, in words.
    pub reason: Option<String>,
    pub events_last_hour: i64,
    pub events_last_day: i64,
    /// Events stored per minute over the last 24 hours, oldest first ([`CHART_MINUTES`] entries;
    /// the last is the current, partial minute).
    pub per_minute: Vec<u32>,
    /// RFC 3339 `published` of the newest stored event.
    pub last_event_time: Option<String>,
    /// Stored time minus published time of the newest event, in milliseconds.
    pub lag_ms: Option<i64>,
    /// RFC 3339 end of the last poll.
    pub last_poll_at: Option<String>,
    pub last_poll_duration_ms: Option<i64>,
    /// `ok` or `failed`.
    pub last_poll_outcome: Option<String>,
    /// Okta's rate-limit headers, last seen.
    pub rate_limit: Option<RateHeadroom>,
    pub classification_failures_last_day: i64,
    /// Failed requests in the last 24 hours by class (auth, rate_limited, server, timeout,
    /// transport, decode, other); only classes with failures, largest first.
    pub errors_last_day: Vec<ErrorCount>,
    /// The last error, in words, with Okta's code when there was one.
    pub last_error: Option<String>,
    /// The no-events alarm's state.
    pub alarm: crate::model::health::AlarmState,
    /// Open alerts about this source.
    pub open_alerts: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateHeadroom {
    pub limit: u32,
    pub remaining: u32,
    /// RFC 3339 is not needed here: Unix seconds of the window's reset.
    pub reset_epoch_secs: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorCount {
    pub class: String,
    pub count: i64,
}
