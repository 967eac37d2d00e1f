//! `Okta.APIKeyRevoked`: an API token was revoked.

use serde_json::Value;

use crate::detect::{actor_label, event_type, first_target_str, outcome_result, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.APIKeyRevoked",
    name: "Okta API Key Revoked",
    severity: Severity::Info,
    runbook: "Validate the revocation; integrations using the token stop working.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Security/API.htm",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "system.api_token.revoke" && outcome_result(event) == "SUCCESS"
}

fn title(event: &Value) -> String {
    format!(
        "{} revoked API key - <{}>",
        actor_label(event),
        first_target_str(event, "displayName")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn successful_revocation_matches() {
        let event = json!({
            "eventType": "system.api_token.revoke",
            "outcome": {"result": "SUCCESS"},
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
            "target": [{"displayName": "ci-token", "type": "Token"}],
        });
        assert!(RULE
            .evaluate(&event)
            .expect("match")
            .title
            .contains("ci-token"));
    }

    #[test]
    fn creation_does_not_match() {
        let event =
            json!({"eventType": "system.api_token.create", "outcome": {"result": "SUCCESS"}});
        assert!(RULE.evaluate(&event).is_none());
    }
}
