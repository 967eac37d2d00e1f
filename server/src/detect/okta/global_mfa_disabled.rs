//! `Okta.Global.MFA.Disabled`: an admin deactivated an MFA factor for the whole org. Follows
//! Panther's `rules/okta_rules/okta_admin_disabled_mfa.{py,yml}` (the data model's
//! `ADMIN_MFA_DISABLED` is `system.mfa.factor.deactivate`).

use serde_json::Value;

use super::actor_user;
use crate::detect::{event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Global.MFA.Disabled",
    name: "Okta MFA Globally Disabled",
    severity: Severity::High,
    dedup_period_minutes: 15,
    runbook: "Ask the admin why the factor was switched off for everyone; turn it back on at \
              once if the change was not planned.",
    reference: "https://help.okta.com/oie/en-us/content/topics/identity-engine/authenticators/about-authenticators.htm",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "system.mfa.factor.deactivate"
}

fn title(event: &Value) -> String {
    format!(
        "Okta System-wide MFA Disabled by Admin User {}",
        actor_user(event)
    )
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
        let m = RULE.evaluate(&event).expect("match");
        assert_eq!(
            m.title,
            "Okta System-wide MFA Disabled by Admin User ann@example.com"
        );
        assert_eq!((m.severity, m.dedup_period_minutes), (Severity::High, 15));
    }

    #[test]
    fn user_factor_deactivation_or_login_does_not_match() {
        for event_type in ["user.mfa.factor.deactivate", "user.session.start"] {
            assert!(RULE.evaluate(&json!({"eventType": event_type})).is_none());
        }
    }
}
