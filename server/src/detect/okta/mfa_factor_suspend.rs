//! `Okta.User.MFAFactorSuspend`: one of a user's MFA factors was suspended.

use serde_json::Value;

use crate::detect::{actor_label, deep_str, event_type, outcome_result, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.User.MFAFactorSuspend",
    name: "Okta MFA Factor Suspended",
    severity: Severity::Medium,
    runbook: "Confirm with the user why the factor was suspended.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Security/mfa/mfa-reset-users.htm",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "user.mfa.factor.suspend" && outcome_result(event) == "SUCCESS"
}

fn title(event: &Value) -> String {
    format!("Okta: MFA factor suspended for {}", actor_label(event))
}

fn dedup(event: &Value) -> String {
    deep_str(event, &["actor", "alternateId"]).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn suspension_matches() {
        let event = json!({
            "eventType": "user.mfa.factor.suspend",
            "outcome": {"result": "SUCCESS"},
            "actor": {"displayName": "Bob", "alternateId": "bob@example.com"},
        });
        assert!(RULE.evaluate(&event).is_some());
    }

    #[test]
    fn failed_suspension_does_not_match() {
        let event =
            json!({"eventType": "user.mfa.factor.suspend", "outcome": {"result": "FAILURE"}});
        assert!(RULE.evaluate(&event).is_none());
    }
}
