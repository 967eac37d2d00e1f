//! `Okta.Refresh.Access.Token.Reuse`: an already-used refresh token was presented again,
//! a sign the token was stolen.

use serde_json::Value;

use crate::detect::{deep_str, event_type, outcome_result, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Refresh.Access.Token.Reuse",
    name: "Okta Refresh Access Token Reuse",
    severity: Severity::Medium,
    runbook: "Revoke the user's tokens and sessions; find where the refresh token leaked.",
    reference:
        "https://developer.okta.com/docs/guides/refresh-tokens/main/#refresh-token-reuse-detection",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "app.oauth2.as.token.detect_reuse" && outcome_result(event) == "FAILURE"
}

fn title(event: &Value) -> String {
    format!(
        "{} attempted to reuse a refresh token",
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

    #[test]
    fn detected_reuse_matches() {
        let event = json!({
            "eventType": "app.oauth2.as.token.detect_reuse",
            "outcome": {"result": "FAILURE"},
            "actor": {"alternateId": "bob@example.com"},
        });
        assert_eq!(
            RULE.evaluate(&event).expect("match").dedup,
            "bob@example.com"
        );
    }

    #[test]
    fn normal_token_grant_does_not_match() {
        let event = json!({"eventType": "app.oauth2.as.token.grant.refresh_token", "outcome": {"result": "SUCCESS"}});
        assert!(RULE.evaluate(&event).is_none());
    }
}
