//! `Okta.Support.Reset`: Okta Support reset a user's password or MFA. Follows Panther's
//! `rules/okta_rules/okta_support_reset.{py,yml}`.
//!
//! Such events come from `system@okta.com` with transaction id `unknown` and no user agent or
//! country, which is what sets them apart from the same reset done by an org admin.

use serde_json::Value;

use crate::detect::{deep_get, deep_str, event_type, targets, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Support.Reset",
    name: "Okta Support Reset Credential",
    severity: Severity::High,
    dedup_period_minutes: 15,
    runbook: "Ask the org admins and the affected user whether a support case asked Okta to \
              reset this credential; if nobody did, treat the account as compromised.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Directory/get-support.htm#:~:text=Visit%20the%20Okta%20Help%20Center,1%2D800%2D219%2D0964",
    matches,
    title,
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

/// The user whose credential was reset: the first target of type `User`.
fn impacted_user(event: &Value) -> &str {
    let user = targets(event)
        .iter()
        .find(|t| deep_str(t, &["type"]) == "User");
    let Some(user) = user else {
        return "<unknown-user>";
    };
    [
        deep_str(user, &["alternateId"]),
        deep_str(user, &["displayName"]),
    ]
    .into_iter()
    .find(|s| !s.is_empty())
    .unwrap_or("<unknown-user>")
}

fn title(event: &Value) -> String {
    format!(
        "Okta Support Reset Password or MFA for user {}",
        impacted_user(event)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reset(actor: &str, transaction: &str, user_agent: Value) -> Value {
        json!({
            "eventType": "user.account.reset_password",
            "actor": {"alternateId": actor, "displayName": actor, "type": "User"},
            "transaction": {"id": transaction, "type": "WEB"},
            "client": {
                "ipAddress": "192.0.2.1",
                "userAgent": {"rawUserAgent": user_agent},
                "geographicalContext": null,
            },
            "target": [{"type": "User", "alternateId": "bob@example.com", "displayName": "Bob"}],
        })
    }

    #[test]
    fn support_reset_matches_and_names_the_target() {
        let m = RULE
            .evaluate(&reset("system@okta.com", "unknown", Value::Null))
            .expect("match");
        assert_eq!(
            m.title,
            "Okta Support Reset Password or MFA for user bob@example.com"
        );
        assert_eq!((m.severity, m.dedup_period_minutes), (Severity::High, 15));
    }

    #[test]
    fn missing_user_target_uses_placeholder() {
        let mut event = reset("system@okta.com", "unknown", Value::Null);
        event["target"] = json!([{"type": "AppInstance", "alternateId": "Okta"}]);
        assert!(RULE
            .evaluate(&event)
            .expect("match")
            .title
            .ends_with("<unknown-user>"));
    }

    #[test]
    fn admin_reset_does_not_match() {
        let admin = reset("marge@example.com", "tx-1111", json!("Mozilla/5.0"));
        assert!(RULE.evaluate(&admin).is_none());
        // Each of Okta Support's tell-tales is needed.
        assert!(RULE
            .evaluate(&reset("system@okta.com", "unknown", json!("Mozilla/5.0")))
            .is_none());
        assert!(RULE
            .evaluate(&reset("system@okta.com", "tx-1111", Value::Null))
            .is_none());
        let mut located = reset("system@okta.com", "unknown", Value::Null);
        located["client"]["geographicalContext"] = json!({"country": "United States"});
        assert!(RULE.evaluate(&located).is_none());
    }
}
