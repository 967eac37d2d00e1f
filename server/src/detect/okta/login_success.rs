//! `Okta.Login.Success` (signal): a successful sign-in to Okta. Recorded for correlation, never
//! alerts. Follows Panther's `rules/okta_rules/okta_login_signal.{py,yml}` (`CreateAlert: false`).

use serde_json::Value;

use crate::detect::{deep_str, event_type, outcome_result, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Login.Success",
    name: "Okta Login Signal",
    severity: Severity::Info,
    signal: true,
    runbook: "A signal for correlation rules; nothing to do on its own.",
    // Panther's YAML has no reference; this is Okta's event-type catalogue.
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
        "{} logged in to Okta",
        deep_str(event, &["actor", "displayName"])
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn login(event_type: &str, result: &str) -> Value {
        json!({
            "eventType": event_type,
            "outcome": {"result": result},
            "actor": {"displayName": "Casey Hill", "alternateId": "casey@example.com"},
        })
    }

    #[test]
    fn successful_login_is_a_signal() {
        let m = RULE
            .evaluate(&login("user.session.start", "SUCCESS"))
            .expect("match");
        assert!(m.signal);
        assert_eq!(m.title, "Casey Hill logged in to Okta");
    }

    #[test]
    fn failed_login_or_other_event_does_not_match() {
        assert!(RULE
            .evaluate(&login("user.session.start", "FAILURE"))
            .is_none());
        assert!(RULE
            .evaluate(&login("system.org.rate_limit.warning", "SUCCESS"))
            .is_none());
    }
}
