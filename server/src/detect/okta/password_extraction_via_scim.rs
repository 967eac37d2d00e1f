//! `Okta.Password.Extraction.via.SCIM`: an app was set to push users' cleartext passwords over
//! SCIM, which an attacker can use to collect every assigned user's password.

use serde_json::Value;

use crate::detect::{actor_label, deep_str, event_type, target_of_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Password.Extraction.via.SCIM",
    name: "Okta Cleartext Passwords Extracted via SCIM Application",
    severity: Severity::High,
    runbook: "Check who enabled password push and where the SCIM endpoint points; rotate passwords.",
    reference: "https://www.authomize.com/blog/authomize-discovers-password-stealing-and-impersonation-risks-to-in-okta/",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "application.lifecycle.update"
        && deep_str(event, &["outcome", "reason"]).contains("Pushing user passwords")
}

fn title(event: &Value) -> String {
    format!(
        "{} enabled cleartext password push via SCIM for app [{}]",
        actor_label(event),
        target_of_type(event, "AppInstance", "displayName"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn update(reason: &str) -> Value {
        json!({
            "eventType": "application.lifecycle.update",
            "outcome": {"result": "SUCCESS", "reason": reason},
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
            "target": [{"type": "AppInstance", "displayName": "Evil SCIM"}],
        })
    }

    #[test]
    fn password_push_matches() {
        assert!(RULE.evaluate(&update("Pushing user passwords")).is_some());
    }

    #[test]
    fn ordinary_app_update_does_not_match() {
        assert!(RULE.evaluate(&update("")).is_none());
    }
}
