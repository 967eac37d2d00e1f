//! `Okta.APIKeyCreated`: a new API token was created.

use serde_json::Value;

use crate::detect::{actor_label, event_type, first_target_str, outcome_result, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.APIKeyCreated",
    name: "Okta API Key Created",
    severity: Severity::Info,
    runbook: "Reach out to the user if needed to validate the activity.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Security/API.htm",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "system.api_token.create" && outcome_result(event) == "SUCCESS"
}

fn title(event: &Value) -> String {
    format!(
        "{} created a new API key - <{}>",
        actor_label(event),
        first_target_str(event, "displayName")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn successful_creation_matches() {
        let event = json!({
            "eventType": "system.api_token.create",
            "outcome": {"result": "SUCCESS"},
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
            "target": [{"displayName": "ci-token", "type": "Token"}],
        });
        let m = RULE.evaluate(&event).expect("match");
        assert_eq!(
            m.title,
            "Ann <ann@example.com> created a new API key - <ci-token>"
        );
    }

    #[test]
    fn failed_creation_or_other_event_does_not_match() {
        let failed =
            json!({"eventType": "system.api_token.create", "outcome": {"result": "FAILURE"}});
        assert!(RULE.evaluate(&failed).is_none());
        let other =
            json!({"eventType": "system.api_token.revoke", "outcome": {"result": "SUCCESS"}});
        assert!(RULE.evaluate(&other).is_none());
    }
}
