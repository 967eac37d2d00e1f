//! `Okta.Global.MFA.Disabled`: an MFA factor was deactivated for the whole org.

use serde_json::Value;

use crate::detect::{actor_label, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Global.MFA.Disabled",
    name: "Okta MFA Globally Disabled",
    severity: Severity::High,
    runbook: "Contact the admin to confirm the change; re-enable the factor if it was not planned.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Security/mfa/mfa-factors.htm",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "system.mfa.factor.deactivate"
}

fn title(event: &Value) -> String {
    format!("Okta System-wide MFA Disabled by {}", actor_label(event))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn org_factor_deactivation_matches() {
        let event = json!({
            "eventType": "system.mfa.factor.deactivate",
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
        });
        assert_eq!(
            RULE.evaluate(&event).expect("match").severity,
            Severity::High
        );
    }

    #[test]
    fn user_factor_deactivation_does_not_match() {
        let event = json!({"eventType": "user.mfa.factor.deactivate"});
        assert!(RULE.evaluate(&event).is_none());
    }
}
