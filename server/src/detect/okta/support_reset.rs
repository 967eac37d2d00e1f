//! `Okta.Support.Reset`: Okta Support reset a user's password or MFA.
//!
//! Such events come from `system@okta.com` with no transaction, user agent or location, which
//! is what sets them apart from the same reset done by an org admin.

use serde_json::Value;

use crate::detect::{deep_get, deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Support.Reset",
    name: "Okta Support Reset Credential",
    severity: Severity::High,
    runbook: "Contact the user and Okta Support to confirm the reset was requested.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Settings/settings-support-access.htm",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

const RESET_EVENTS: [&str; 4] = [
    "user.account.reset_password",
    "user.mfa.factor.update",
    "system.mfa.factor.deactivate",
    "user.mfa.attempt_bypass",
];

fn matches(event: &Value) -> bool {
    RESET_EVENTS.contains(&event_type(event))
        && deep_str(event, &["actor", "alternateId"]) == "system@okta.com"
        && deep_str(event, &["transaction", "id"]) == "unknown"
        && deep_get(event, &["client", "userAgent", "rawUserAgent"]).is_none()
        && deep_get(event, &["client", "geographicalContext", "country"]).is_none()
}

fn title(event: &Value) -> String {
    format!(
        "Okta Support Reset Password or MFA for user {}",
        deep_str(event, &["actor", "alternateId"])
    )
}

fn dedup(event: &Value) -> String {
    deep_str(event, &["actor", "alternateId"]).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reset(actor: &str, user_agent: Value) -> Value {
        json!({
            "eventType": "user.account.reset_password",
            "actor": {"alternateId": actor, "type": "SystemPrincipal"},
            "transaction": {"id": "unknown"},
            "client": {"userAgent": {"rawUserAgent": user_agent}, "geographicalContext": null},
        })
    }

    #[test]
    fn support_reset_matches() {
        assert!(RULE
            .evaluate(&reset("system@okta.com", Value::Null))
            .is_some());
    }

    #[test]
    fn admin_reset_does_not_match() {
        assert!(RULE
            .evaluate(&reset("ann@example.com", Value::Null))
            .is_none());
        assert!(RULE
            .evaluate(&reset("system@okta.com", json!("Mozilla/5.0")))
            .is_none());
    }
}
