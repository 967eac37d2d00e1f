//! `Okta.User.MFAResetSingle`: a user reset one of their own MFA factors. As in Panther's Okta
//! data model (`MFA_RESET`): a factor deactivated or suspended with reason `User reset ...`.

use serde_json::Value;

use crate::detect::{deep_str, event_type, first_target_str, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.User.MFAResetSingle",
    name: "Okta User MFA Own Reset",
    severity: Severity::Info,
    runbook: "Confirm the user changed their own factor; an attacker may be enrolling theirs.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Security/mfa/mfa-reset-users.htm",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

fn reason(event: &Value) -> &str {
    deep_str(event, &["outcome", "reason"])
}

/// `User reset SMS_FACTOR factor` -> `SMS_FACTOR`.
fn factor(event: &Value) -> &str {
    reason(event)
        .split_whitespace()
        .nth(2)
        .unwrap_or("<FACTOR_NOT_FOUND>")
}

fn matches(event: &Value) -> bool {
    matches!(
        event_type(event),
        "user.mfa.factor.deactivate" | "user.mfa.factor.suspend"
    ) && reason(event).starts_with("User reset")
}

fn title(event: &Value) -> String {
    format!(
        "Okta: User reset their MFA factor [{}] [{}] by [{}]",
        factor(event),
        first_target_str(event, "alternateId"),
        deep_str(event, &["actor", "alternateId"]),
    )
}

fn dedup(event: &Value) -> String {
    deep_str(event, &["actor", "alternateId"]).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deactivate(reason: &str) -> Value {
        json!({
            "eventType": "user.mfa.factor.deactivate",
            "outcome": {"result": "SUCCESS", "reason": reason},
            "actor": {"displayName": "Bob", "alternateId": "bob@example.com"},
        })
    }

    #[test]
    fn own_reset_matches() {
        let m = RULE
            .evaluate(&deactivate("User reset SMS_FACTOR factor"))
            .expect("match");
        assert!(m
            .title
            .starts_with("Okta: User reset their MFA factor [SMS_FACTOR]"));
    }

    #[test]
    fn admin_deactivation_does_not_match() {
        assert!(RULE.evaluate(&deactivate("Admin reset factor")).is_none());
    }
}
