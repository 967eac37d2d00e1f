//! `Okta.APIKeyCreated`: a new API token was created. Follows Panther's
//! `rules/okta_rules/okta_api_key_created.{py,yml}`.

use serde_json::Value;

use super::first_target_or;
use crate::detect::{actor_label, event_type, outcome_result, targets, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.APIKeyCreated",
    name: "Okta API Key Created",
    severity: Severity::Info,
    runbook: "Ask the creator what the token is for and who owns it; a token nobody claims \
              should be revoked.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Security/API.htm",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "system.api_token.create" && outcome_result(event) == "SUCCESS"
}

/// The token's name: the first target's display name, or Panther's placeholders.
pub(super) fn key_name(event: &Value) -> &str {
    if targets(event).is_empty() {
        "MISSING TARGET"
    } else {
        first_target_or(event, "displayName", "MISSING DISPLAY NAME")
    }
}

fn title(event: &Value) -> String {
    // Panther's title runs `>` into `created`; we keep the space.
    format!(
        "{} created a new API key - <{}>",
        actor_label(event),
        key_name(event)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create(result: &str) -> Value {
        json!({
            "eventType": "system.api_token.create",
            "outcome": {"result": result},
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
            "target": [{"displayName": "ci-token", "alternateId": "unknown", "type": "Token"}],
        })
    }

    #[test]
    fn successful_creation_matches() {
        let m = RULE.evaluate(&create("SUCCESS")).expect("match");
        assert_eq!(
            m.title,
            "Ann <ann@example.com> created a new API key - <ci-token>"
        );
        assert_eq!((m.severity, m.dedup_period_minutes), (Severity::Info, 60));
    }

    #[test]
    fn missing_target_uses_placeholder() {
        let mut event = create("SUCCESS");
        event["target"] = Value::Null;
        assert!(RULE
            .evaluate(&event)
            .expect("match")
            .title
            .ends_with("<MISSING TARGET>"));
    }

    #[test]
    fn failed_creation_or_other_event_does_not_match() {
        assert!(RULE.evaluate(&create("FAILURE")).is_none());
        let mut revoke = create("SUCCESS");
        revoke["eventType"] = json!("system.api_token.revoke");
        assert!(RULE.evaluate(&revoke).is_none());
    }
}
