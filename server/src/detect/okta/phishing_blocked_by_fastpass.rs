//! `Okta.Phishing.Attempt.Blocked.FastPass`: Okta FastPass refused to sign in to a phishing site.

use serde_json::Value;

use crate::detect::{actor_label, deep_str, event_type, outcome_result, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Phishing.Attempt.Blocked.FastPass",
    name: "Okta FastPass Phishing Detection",
    severity: Severity::High,
    runbook: "Find the phishing page the user reached and block it; warn the user.",
    reference: "https://sec.okta.com/fastpassphishingdetection",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "user.authentication.auth_via_mfa"
        && outcome_result(event) == "FAILURE"
        && deep_str(event, &["outcome", "reason"]) == "FastPass declined phishing attempt"
}

fn title(event: &Value) -> String {
    format!(
        "Okta FastPass blocked a phishing attempt against {}",
        actor_label(event)
    )
}

fn dedup(event: &Value) -> String {
    deep_str(event, &["actor", "alternateId"]).to_string()
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
        assert!(RULE
            .evaluate(&mfa("FAILURE", "FastPass declined phishing attempt"))
            .is_some());
    }

    #[test]
    fn ordinary_mfa_failure_does_not_match() {
        assert!(RULE
            .evaluate(&mfa("FAILURE", "INVALID_CREDENTIALS"))
            .is_none());
        assert!(RULE.evaluate(&mfa("SUCCESS", "")).is_none());
    }
}
