//! `Okta.User.MFAResetAll`: all of a user's MFA factors were reset.

use serde_json::Value;

use crate::detect::{actor_label, deep_str, event_type, first_target_str, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.User.MFAResetAll",
    name: "Okta User MFA Reset All",
    severity: Severity::Low,
    runbook: "Confirm the reset with the user; watch for a new factor enrolled from an odd place.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Security/mfa/mfa-reset-users.htm",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "user.mfa.factor.reset_all"
}

fn title(event: &Value) -> String {
    let user = first_target_str(event, "alternateId");
    format!(
        "Okta: all MFA factors of {user} were reset by {}",
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

    #[test]
    fn reset_all_matches() {
        let event = json!({
            "eventType": "user.mfa.factor.reset_all",
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
            "target": [{"alternateId": "bob@example.com", "type": "User"}],
        });
        assert!(RULE
            .evaluate(&event)
            .expect("match")
            .title
            .contains("bob@example.com"));
    }

    #[test]
    fn single_factor_event_does_not_match() {
        assert!(RULE
            .evaluate(&json!({"eventType": "user.mfa.factor.deactivate"}))
            .is_none());
    }
}
