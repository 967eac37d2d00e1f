//! `Okta.Refresh.Access.Token.Reuse`: an already-used refresh token was presented again, a
//! sign the token was stolen. Follows Panther's
//! `rules/okta_rules/okta_app_refresh_access_token_reuse.{py,yml}`.

use serde_json::Value;

use super::or_placeholder;
use crate::detect::{deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Refresh.Access.Token.Reuse",
    name: "Okta App Refresh Access Token Reuse",
    severity: Severity::Medium,
    runbook: "Check whether the client IP is one the app normally uses; if not, revoke the \
              app's tokens for this user and find where the refresh token leaked.",
    reference:
        "https://developer.okta.com/docs/guides/refresh-tokens/main/#refresh-token-reuse-detection",
    matches,
    title,
    ..Rule::DEFAULT
};

/// Custom authorization servers log the first, the org authorization server the second.
const EVENTS: [&str; 2] = [
    "app.oauth2.as.token.detect_reuse",
    "app.oauth2.token.detect_reuse",
];

fn matches(event: &Value) -> bool {
    EVENTS.contains(&event_type(event))
}

fn title(event: &Value) -> String {
    format!(
        "Okta Access Token Reuse Attempted by [{}] [{}]",
        deep_str(event, &["client", "ipAddress"]),
        or_placeholder(
            deep_str(event, &["actor", "displayName"]),
            "<no-displayname-found>"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(event_type: &str, result: &str) -> Value {
        json!({
            "eventType": event_type,
            "outcome": {"result": result},
            "actor": {"alternateId": "123456", "displayName": "Okta User", "type": "PublicClientApp"},
            "client": {"ipAddress": "192.0.2.3"},
        })
    }

    #[test]
    fn reuse_on_either_authorization_server_matches_whatever_the_outcome() {
        for event_type in [
            "app.oauth2.token.detect_reuse",
            "app.oauth2.as.token.detect_reuse",
        ] {
            for result in ["SUCCESS", "FAILURE"] {
                let m = RULE.evaluate(&event(event_type, result)).expect("match");
                assert_eq!(
                    m.title,
                    "Okta Access Token Reuse Attempted by [192.0.2.3] [Okta User]"
                );
            }
        }
    }

    #[test]
    fn normal_token_flow_does_not_match() {
        for event_type in [
            "app.oauth2.authorize.code",
            "app.oauth2.as.token.grant.refresh_token",
        ] {
            assert!(RULE.evaluate(&event(event_type, "SUCCESS")).is_none());
        }
    }
}
