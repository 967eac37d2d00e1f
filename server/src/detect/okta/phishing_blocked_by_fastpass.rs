//! `Okta.Phishing.Attempt.Blocked.FastPass`: Okta FastPass refused to authenticate to an
//! adversary-in-the-middle phishing site. Follows Panther's
//! `rules/okta_rules/okta_phishing_attempt_blocked_by_fastpass.{py,yml}`.

use serde_json::Value;

use super::actor_or_placeholders;
use crate::detect::{deep_str, event_type, outcome_result, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Phishing.Attempt.Blocked.FastPass",
    name: "Okta AiTM Phishing Attempt Blocked by FastPass",
    severity: Severity::High,
    dedup_period_minutes: 30,
    runbook: "Find the phishing page the user reached and block it, and warn the user; \
              phishing-resistant factors (FastPass, FIDO2) are what stopped this one.",
    reference: "https://sec.okta.com/fastpassphishingdetection",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "user.authentication.auth_via_mfa"
        && outcome_result(event) == "FAILURE"
        && deep_str(event, &["outcome", "reason"]) == "FastPass declined phishing attempt"
}

fn title(event: &Value) -> String {
    format!(
        "{} FastPass declined phishing attempt",
        actor_or_placeholders(event)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mfa(result: &str, reason: &str) -> Value {
        json!({
            "eventType": "user.authentication.auth_via_mfa",
            "outcome": {"result": result, "reason": reason},
            "actor": {"displayName": "Bob", "alternateId": "bob@example.com"},
        })
    }

    #[test]
    fn declined_phishing_matches() {
        let m = RULE
            .evaluate(&mfa("FAILURE", "FastPass declined phishing attempt"))
            .expect("match");
        assert_eq!(
            m.title,
            "Bob <bob@example.com> FastPass declined phishing attempt"
        );
        assert_eq!((m.severity, m.dedup_period_minutes), (Severity::High, 30));
    }

    #[test]
    fn ordinary_mfa_failure_or_success_does_not_match() {
        assert!(RULE
            .evaluate(&mfa("FAILURE", "INVALID_CREDENTIALS"))
            .is_none());
        assert!(RULE
            .evaluate(&mfa("SUCCESS", "FastPass declined phishing attempt"))
            .is_none());
    }
}
