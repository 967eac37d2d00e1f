//! Alerts (system alerts now, detection alerts later) and the destinations they are sent to.
//! Times are RFC 3339 strings, like the rest of the model.

use serde::{Deserialize, Serialize};

use super::{
    source::{validate_source_name, FieldProblem},
    FieldError,
};

/// Panther's severities, lowest first (so `>=` compares them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// `CRITICAL`, as stored and as sent to destinations.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }

    /// `Critical`, for people.
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "Info",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    Open,
    Resolved,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Open => "open",
            AlertState::Resolved => "resolved",
        }
    }

    pub fn parse(s: &str) -> Option<AlertState> {
        [AlertState::Open, AlertState::Resolved]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// The system alerts Gatehouse raises about its own sources. Detection alerts carry their rule's
/// id instead.
pub mod system_rules {
    /// The no-events alarm entered ALARM (critical; resolved when events flow again).
    pub const NO_EVENTS: &str = "system.no_events";
    /// Okta answered 401 or 403 (critical; resolved by the next successful poll).
    pub const CREDENTIALS: &str = "system.credentials";
    /// 10 or more events failed classification within an hour (high; resolved automatically
    /// once an hour passes without failures, or by a person).
    pub const CLASSIFICATION: &str = "system.classification";
    /// A detection rule failed (an exception or a time-out); one open alert per rule.
    pub const RULE_ERROR: &str = "system.rule_error";
}

/// One row of the alerts list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertSummary {
    pub id: i64,
    /// `system.*` (see [`system_rules`]) or a detection's rule id.
    pub rule_id: String,
    pub severity: Severity,
    pub state: AlertState,
    pub title: String,
    pub source_id: Option<i64>,
    /// The source's name when the alert was raised (kept after the source is deleted).
    pub source_name: Option<String>,
    pub first_seen: String,
    pub last_seen: String,
    /// How many times the condition was seen while the alert was open (dedup).
    pub occurrences: i64,
    /// Deliveries to destinations that finally failed.
    pub failed_deliveries: i64,
}

/// One alert with everything known about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertDetail {
    pub summary: AlertSummary,
    /// What happened and what to do, in words.
    pub description: String,
    /// Facts about the alert as (label, value), e.g. ("Okta error", "E0000011: Invalid token").
    pub context: Vec<(String, String)>,
    pub resolved_at: Option<String>,
    /// `automatically` (the condition cleared) or `manually`.
    pub resolved_how: Option<String>,
    pub deliveries: Vec<Delivery>,
    /// Detection alerts only: the rule's Panther fields and the first matching events.
    pub detection: Option<DetectionFacts>,
}

/// What a detection alert adds to an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectionFacts {
    /// The dedup string that grouped the events.
    pub dedup: String,
    /// `alert_context(event)` of the first event, pretty JSON.
    pub alert_context: String,
    pub runbook: String,
    pub reference: String,
    /// The first events that matched (at most 10); all of them are at `/events?alert=<id>`.
    pub samples: Vec<super::detection::RuleMatchRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its first or next attempt.
    Pending,
    Delivered,
    /// Every attempt failed; given up.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryState> {
        [
            DeliveryState::Pending,
            DeliveryState::Delivered,
            DeliveryState::Failed,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// One notification of one alert change (`opened` or `resolved`) to one destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: i64,
    pub destination_id: Option<i64>,
    pub destination_name: String,
    /// `opened` or `resolved`.
    pub change: String,
    pub state: DeliveryState,
    pub attempts: i64,
    pub last_attempt_at: Option<String>,
    pub next_attempt_at: Option<String>,
    /// The last failure in words (`HTTP 500 from hooks.example.com`, `connection refused`, …).
    pub last_error: Option<String>,
}

/// Which alerts to list. `None` means any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertFilter {
    pub state: Option<AlertState>,
    /// This severity or higher.
    pub min_severity: Option<Severity>,
    pub source_id: Option<i64>,
    /// One rule's alerts (exact id).
    pub rule_id: Option<String>,
}

/// A webhook destination as the console shows it (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Destination {
    pub id: i64,
    pub name: String,
    pub url: String,
    /// Whether deliveries carry an `X-Gatehouse-Signature` header.
    pub signed: bool,
    /// Alerts of this severity or higher are sent.
    pub min_severity: Severity,
    pub enabled: bool,
    pub delivered: i64,
    /// Deliveries that finally failed.
    pub failed: i64,
    pub pending: i64,
    pub last_delivery_at: Option<String>,
    /// The last failure in words, with when it happened.
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
}

/// The form to create or edit a webhook destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationInput {
    pub name: String,
    pub url: String,
    /// The shared secret for the signature header. Empty: keep the current one when editing
    /// (none when creating); see `clear_secret`.
    pub secret: String,
    /// Remove the secret (deliveries are no longer signed).
    pub clear_secret: bool,
    pub min_severity: Severity,
    pub enabled: bool,
}

/// Shortest accepted shared secret.
pub const MIN_SECRET_LEN: usize = 16;

impl DestinationInput {
    /// Checks every field; the trimmed input when all pass.
    pub fn validate(&self) -> Result<DestinationInput, Vec<FieldError>> {
        let mut problems = Vec::new();
        let name = validate_source_name(&self.name).unwrap_or_else(|mut p| {
            if self.name.trim().is_empty() {
                p = FieldProblem::new("Enter a name for this destination.");
            }
            problems.push(FieldError {
                field: "name".into(),
                problem: p,
            });
            String::new()
        });
        let url = validate_webhook_url(&self.url).unwrap_or_else(|p| {
            problems.push(FieldError {
                field: "url".into(),
                problem: p,
            });
            String::new()
        });
        let secret = self.secret.trim().to_owned();
        if !secret.is_empty() && secret.chars().count() < MIN_SECRET_LEN {
            problems.push(FieldError {
                field: "secret".into(),
                problem: FieldProblem::new(format!(
                    "Use at least {MIN_SECRET_LEN} characters, or leave it empty for unsigned deliveries."
                )),
            });
        }
        if problems.is_empty() {
            Ok(DestinationInput {
                name,
                url,
                secret,
                clear_secret: self.clear_secret,
                min_severity: self.min_severity,
                enabled: self.enabled,
            })
        } else {
            Err(problems)
        }
    }
}

/// An absolute `http://` or `https://` URL with a host, at most 2,000 characters.
pub fn validate_webhook_url(input: &str) -> Result<String, FieldProblem> {
    let url = input.trim();
    if url.is_empty() {
        return Err(FieldProblem::new("Enter the URL that receives the alerts."));
    }
    if url.len() > 2000 {
        return Err(FieldProblem::new("Use a URL of at most 2,000 characters."));
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| FieldProblem::new("Start the URL with https:// (or http://)."))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.contains(char::is_whitespace) || rest.contains(char::is_whitespace) {
        return Err(FieldProblem::new(
            "The URL needs a host, like https://hooks.example.com/gatehouse, and no spaces.",
        ));
    }
    Ok(url.to_owned())
}

/// What sending a test message to a destination did, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestDelivery {
    pub ok: bool,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Info < Severity::Low);
        assert_eq!(Severity::parse("critical"), Some(Severity::Critical));
        assert_eq!(Severity::parse("nope"), None);
        assert_eq!(
            serde_json::to_string(&Severity::Medium).unwrap(),
            "\"MEDIUM\""
        );
    }

    #[test]
    fn webhook_urls_need_a_scheme_and_host() {
        assert_eq!(
            validate_webhook_url(" https://hooks.example.com/x ").unwrap(),
            "https://hooks.example.com/x"
        );
        assert!(validate_webhook_url("hooks.example.com").is_err());
        assert!(validate_webhook_url("https:///path").is_err());
        assert!(validate_webhook_url("https://a b").is_err());
        assert!(validate_webhook_url("").is_err());
    }

    #[test]
    fn destination_forms_report_every_field() {
        let input = DestinationInput {
            name: " ".into(),
            url: "ftp://x".into(),
            secret: "short".into(),
            clear_secret: false,
            min_severity: Severity::High,
            enabled: true,
        };
        let fields: Vec<String> = input
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "url", "secret"]);
    }
}
