//! `Okta.User.MFA.Reset.All`: all of a user's MFA factors were reset. Follows Panther's
//! `rules/okta_rules/okta_user_mfa_reset_all.{py,yml}`.

use serde_json::Value;

use super::{first_target_or, or_placeholder};
use crate::detect::{deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.User.MFA.Reset.All",
    name: "Okta User MFA Reset All",
    severity: Severity::Low,
    runbook: "Confirm the reset with the user and the admin who did it; watch for new factors \
              enrolled from an unfamiliar device or place.",
    reference: "https://help.okta.com/en-us/content/topics/security/mfa/mfa-reset-users.htm#:~:text=the%20Admin%20Console%3A-,In%20the%20Admin%20Console%2C%20go%20to%20DirectoryPeople.,Selected%20Factors%20or%20Reset%20All",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "user.mfa.factor.reset_all"
}

fn title(event: &Value) -> String {
    format!(
        "Okta: All MFA factors were reset for [{}] by [{}]",
        first_target_or(event, "alternateId", "<id-not-found>"),
        or_placeholder(deep_str(event, &["actor", "alternateId"]), "<id-not-found>"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reset_all_matches() {
        let event = json!({
            "eventType": "user.mfa.factor.reset_all",
            "outcome": {"result": "SUCCESS"},
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
            "target": [{"alternateId": "bob@example.com", "type": "User"}],
        });
        let m = RULE.evaluate(&event).expect("match");
        assert_eq!(
            m.title,
            "Okta: All MFA factors were reset for [bob@example.com] by [ann@example.com]"
        );
        assert_eq!(m.severity, Severity::Low);
    }

    #[test]
    fn single_factor_or_other_event_does_not_match() {
        for event_type in [
            "user.mfa.factor.deactivate",
            "application.integration.rate_limit_exceeded",
        ] {
            assert!(RULE.evaluate(&json!({"eventType": event_type})).is_none());
        }
    }
}
