//! `Okta.User.MFA.Factor.Suspend`: one of a user's MFA factors was suspended. Follows Panther's
//! `rules/okta_rules/okta_user_mfa_factor_suspend.{py,yml}`.

use serde_json::Value;

use super::first_target_or;
use crate::detect::{event_type, outcome_result, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.User.MFA.Factor.Suspend",
    name: "Okta User MFA Factor Suspend",
    severity: Severity::High,
    runbook: "Ask the user (and the admin, if one acted) why the factor was suspended; an \
              attacker may be clearing the way for a factor of their own.",
    reference: "https://help.okta.com/en-us/content/topics/security/mfa/mfa-factors.htm",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "user.mfa.factor.suspend" && outcome_result(event) == "SUCCESS"
}

fn title(event: &Value) -> String {
    format!(
        "Okta: Authentication Factor for [{}] has been suspended.",
        first_target_or(event, "alternateId", "<id-not-found>")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn suspend(event_type: &str, result: &str) -> Value {
        json!({
            "eventType": event_type,
            "outcome": {"result": result, "reason": "User suspended SIGNED_NONCE factor"},
            "actor": {"displayName": "Bob", "alternateId": "bob@example.com"},
            "target": [{"type": "User", "alternateId": "peter@example.com"}],
        })
    }

    #[test]
    fn suspension_matches() {
        let m = RULE
            .evaluate(&suspend("user.mfa.factor.suspend", "SUCCESS"))
            .expect("match");
        assert_eq!(
            m.title,
            "Okta: Authentication Factor for [peter@example.com] has been suspended."
        );
        assert_eq!(m.severity, Severity::High);
    }

    #[test]
    fn failed_suspension_or_other_event_does_not_match() {
        assert!(RULE
            .evaluate(&suspend("user.mfa.factor.suspend", "FAILURE"))
            .is_none());
        assert!(RULE
            .evaluate(&suspend("user.mfa.factor.reset_all", "SUCCESS"))
            .is_none());
    }
}
