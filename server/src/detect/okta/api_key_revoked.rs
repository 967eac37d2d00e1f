//! `Okta.APIKeyRevoked`: an API token was revoked. Follows Panther's
//! `rules/okta_rules/okta_api_key_revoked.{py,yml}`.

use serde_json::Value;

use super::api_key_created::key_name;
use crate::detect::{actor_label, event_type, outcome_result, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.APIKeyRevoked",
    name: "Okta API Key Revoked",
    severity: Severity::Info,
    runbook: "Confirm the revocation was intended; integrations that used the token stop \
              working at once.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Security/API.htm",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "system.api_token.revoke" && outcome_result(event) == "SUCCESS"
}

fn title(event: &Value) -> String {
    // Panther's title runs `>` into `revoked`; we keep the space.
    format!(
        "{} revoked API key - <{}>",
        actor_label(event),
        key_name(event)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn revoke(result: &str) -> Value {
        json!({
            "eventType": "system.api_token.revoke",
            "outcome": {"result": result},
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
            "target": [{"displayName": "ci-token", "alternateId": "unknown", "type": "Token"}],
        })
    }

    #[test]
    fn successful_revocation_matches() {
        assert_eq!(
            RULE.evaluate(&revoke("SUCCESS")).expect("match").title,
            "Ann <ann@example.com> revoked API key - <ci-token>"
        );
    }

    #[test]
    fn failed_revocation_or_creation_does_not_match() {
        assert!(RULE.evaluate(&revoke("FAILURE")).is_none());
        let mut create = revoke("SUCCESS");
        create["eventType"] = json!("system.api_token.create");
        assert!(RULE.evaluate(&create).is_none());
    }
}
