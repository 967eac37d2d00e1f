//! `Okta.User.AccountLocked`: a user's account was locked out.

use serde_json::Value;

use crate::detect::{actor_label, deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.User.AccountLocked",
    name: "Okta User Account Locked",
    severity: Severity::Medium,
    runbook: "Check the failed sign-ins before the lockout for password guessing.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Security/policies/configure-lockout-settings.htm",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "user.account.lock"
}

fn title(event: &Value) -> String {
    format!("Okta: {} account locked", actor_label(event))
}

fn dedup(event: &Value) -> String {
    deep_str(event, &["actor", "alternateId"]).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lockout_matches() {
        let event = json!({
            "eventType": "user.account.lock",
            "actor": {"displayName": "Bob", "alternateId": "bob@example.com"},
        });
        assert_eq!(
            RULE.evaluate(&event).expect("match").dedup,
            "bob@example.com"
        );
    }

    #[test]
    fn unlock_does_not_match() {
        assert!(RULE
            .evaluate(&json!({"eventType": "user.account.unlock"}))
            .is_none());
    }
}
