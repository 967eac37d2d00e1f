//! `Okta.Login.Success` (signal): a successful sign-in. Recorded for correlation, never alerts.

use serde_json::Value;

use crate::detect::{actor_label, deep_str, event_type, outcome_result, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Login.Success",
    name: "Signal - Okta Login Success",
    severity: Severity::Info,
    signal: true,
    runbook: "A signal: used to correlate with other detections, no action needed.",
    reference: "https://developer.okta.com/docs/reference/api/event-types/",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "user.session.start" && outcome_result(event) == "SUCCESS"
}

fn title(event: &Value) -> String {
    format!(
        "{} logged in successfully from [{}]",
        actor_label(event),
        deep_str(event, &["client", "ipAddress"])
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn successful_login_is_a_signal() {
        let event = json!({"eventType": "user.session.start", "outcome": {"result": "SUCCESS"}});
        assert!(RULE.evaluate(&event).expect("match").signal);
    }

    #[test]
    fn failed_login_does_not_match() {
        let event = json!({"eventType": "user.session.start", "outcome": {"result": "FAILURE"}});
        assert!(RULE.evaluate(&event).is_none());
    }
}
