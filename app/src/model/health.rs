//! One source's health in detail (its Health tab): the checks, the no-events alarm with its
//! history, and the last poll attempts.

use serde::{Deserialize, Serialize};

use super::alert::AlertSummary;

/// The state of one health check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    Passing,
    Warning,
    Failing,
    /// Not known yet (no poll has told), or not applicable (paused).
    Unknown,
}

impl CheckState {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckState::Passing => "passing",
            CheckState::Warning => "warning",
            CheckState::Failing => "failing",
            CheckState::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<CheckState> {
        [
            CheckState::Passing,
            CheckState::Warning,
            CheckState::Failing,
            CheckState::Unknown,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// The checks, in the order the Health tab lists them: `(key, label)`.
pub const CHECKS: [(&str, &str); 4] = [
    ("credentials", "Credentials accepted"),
    ("receiving_data", "Receiving data"),
    ("classification", "Classification"),
    ("rate_limits", "Rate limits"),
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthCheck {
    /// One of [`CHECKS`]' keys.
    pub key: String,
    pub label: String,
    pub state: CheckState,
    /// RFC 3339: since when the check has had this state.
    pub since: Option<String>,
    /// Why, in words.
    pub detail: String,
}

/// The no-events alarm's state (CloudWatch's names, as Panther shows them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlarmState {
    Ok,
    Alarm,
    /// A new (or resumed) source before the threshold has elapsed, or a paused one.
    InsufficientData,
    /// The alarm is switched off for this source.
    Disabled,
}

impl AlarmState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
            AlarmState::Disabled => "DISABLED",
        }
    }

    pub fn parse(s: &str) -> Option<AlarmState> {
        [
            AlarmState::Ok,
            AlarmState::Alarm,
            AlarmState::InsufficientData,
            AlarmState::Disabled,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// One change of the alarm's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmTransition {
    pub state: AlarmState,
    /// RFC 3339.
    pub at: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlarmStatus {
    pub state: AlarmState,
    pub since: Option<String>,
    pub threshold_minutes: u32,
    /// When events were last stored for this source (RFC 3339).
    pub last_event_stored_at: Option<String>,
    /// Why, in words.
    pub reason: String,
    /// Newest first, at most 50.
    pub history: Vec<AlarmTransition>,
}

/// One poll cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PollAttempt {
    /// RFC 3339.
    pub started_at: String,
    pub duration_ms: i64,
    /// `ok` or `failed`.
    pub outcome: String,
    pub requests: i64,
    pub pages: i64,
    pub events: i64,
    /// The failure in words, with Okta's code when there was one.
    pub error: Option<String>,
}

/// Everything the Health tab shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceHealthDetail {
    pub checks: Vec<HealthCheck>,
    pub alarm: AlarmStatus,
    /// Newest first, at most 50.
    pub attempts: Vec<PollAttempt>,
    /// This source's open alerts.
    pub open_alerts: Vec<AlertSummary>,
}
