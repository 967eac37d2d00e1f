//! `Okta.User.MFA.Reset.Single`: a user reset one of their own MFA factors. Follows Panther's
//! `rules/okta_rules/okta_user_mfa_reset.{py,yml}`, whose match is the Okta data model's
//! `MFA_RESET`: a factor deactivated or suspended with a reason starting `User reset`.

use serde_json::Value;

use super::{first_target_or, or_placeholder};
use crate::detect::{deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.User.MFA.Reset.Single",
    name: "Okta User MFA Own Reset",
    severity: Severity::Info,
    runbook: "Confirm with the user that they reset the factor themselves; watch for a new \
              factor enrolled soon after from an unfamiliar device or place.",
    reference: "https://support.okta.com/help/s/article/How-to-avoid-lockouts-and-reset-your-Multifactor-Authentication-MFA-for-Okta-Admins?language=en_US",
    matches,
    title,
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
        first_target_or(event, "alternateId", "<id-not-found>"),
        or_placeholder(deep_str(event, &["actor", "alternateId"]), "<id-not-found>"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn factor_event(event_type: &str, reason: &str) -> Value {
        json!({
            "eventType": event_type,
            "outcome": {"result": "SUCCESS", "reason": reason},
            "actor": {"displayName": "Homer", "alternateId": "homer@example.com"},
            "target": [{"type": "User", "alternateId": "homer@example.com"}],
        })
    }

    #[test]
    fn own_reset_by_deactivate_or_suspend_matches() {
        let m = RULE
            .evaluate(&factor_event(
                "user.mfa.factor.deactivate",
                "User reset FIDO_WEBAUTHN factor",
            ))
            .expect("match");
        assert_eq!(
            m.title,
            "Okta: User reset their MFA factor [FIDO_WEBAUTHN] [homer@example.com] by \
             [homer@example.com]"
        );
        assert_eq!(m.severity, Severity::Info);
        let m = RULE
            .evaluate(&factor_event("user.mfa.factor.suspend", "User reset"))
            .expect("match");
        assert!(m.title.contains("[<FACTOR_NOT_FOUND>]"));
    }

    #[test]
    fn admin_deactivation_or_other_event_does_not_match() {
        assert!(RULE
            .evaluate(&factor_event(
                "user.mfa.factor.deactivate",
                "Admin reset factor"
            ))
            .is_none());
        assert!(RULE
            .evaluate(&factor_event(
                "application.integration.rate_limit_exceeded",
                "User reset SMS factor"
            ))
            .is_none());
    }
}
