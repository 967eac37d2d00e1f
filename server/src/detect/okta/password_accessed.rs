//! `Okta.PasswordAccess`: someone revealed another user's stored app password.

use serde_json::Value;

use crate::detect::{deep_str, event_type, target_of_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.PasswordAccess",
    name: "Okta Password Accessed",
    severity: Severity::Medium,
    runbook:
        "Ask the actor why they needed the password; rotate it if the access was not approved.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Apps/Apps_Revealing_a_Password.htm",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

fn target_user(event: &Value) -> &str {
    target_of_type(event, "User", "alternateId")
}

fn target_app(event: &Value) -> &str {
    target_of_type(event, "AppInstance", "alternateId")
}

fn matches(event: &Value) -> bool {
    // Revealing your own password is routine; only someone else's is interesting.
    event_type(event) == "application.user_membership.show_password"
        && !target_user(event).contains(deep_str(event, &["actor", "alternateId"]))
}

fn title(event: &Value) -> String {
    format!(
        "{} accessed {}'s password for [{}]",
        deep_str(event, &["actor", "alternateId"]),
        target_user(event),
        target_app(event),
    )
}

fn dedup(event: &Value) -> String {
    format!(
        "{}:{}:{}",
        deep_str(event, &["actor", "alternateId"]),
        target_user(event),
        target_app(event)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn show(actor: &str) -> Value {
        json!({
            "eventType": "application.user_membership.show_password",
            "actor": {"alternateId": actor},
            "target": [
                {"type": "AppInstance", "alternateId": "Payroll"},
                {"type": "User", "alternateId": "bob@example.com"},
            ],
        })
    }

    #[test]
    fn someone_elses_password_matches() {
        let m = RULE.evaluate(&show("ann@example.com")).expect("match");
        assert_eq!(m.dedup, "ann@example.com:bob@example.com:Payroll");
    }

    #[test]
    fn own_password_does_not_match() {
        assert!(RULE.evaluate(&show("bob@example.com")).is_none());
    }
}
