//! `Okta.Identity.Provider.Created.Modified`: an identity provider was added or changed. A
//! rogue IdP lets an attacker sign in as any user it routes.

use serde_json::Value;

use crate::detect::{actor_label, event_type, first_target_str, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Identity.Provider.Created.Modified",
    name: "Okta Identity Provider Created or Modified",
    severity: Severity::High,
    runbook: "Confirm the change with the admin and check the IdP's routing rules.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Security/idp.htm",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    matches!(
        event_type(event),
        "system.idp.lifecycle.create" | "system.idp.lifecycle.update"
    )
}

fn title(event: &Value) -> String {
    let action = if event_type(event).ends_with("create") {
        "created"
    } else {
        "modified"
    };
    format!(
        "{} {action} identity provider [{}]",
        actor_label(event),
        first_target_str(event, "displayName"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn create_and_update_match() {
        let mut event = json!({
            "eventType": "system.idp.lifecycle.create",
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
            "target": [{"displayName": "Partner SAML", "type": "IdentityProvider"}],
        });
        assert!(RULE
            .evaluate(&event)
            .expect("match")
            .title
            .contains("created identity provider [Partner SAML]"));
        event["eventType"] = json!("system.idp.lifecycle.update");
        assert!(RULE
            .evaluate(&event)
            .expect("match")
            .title
            .contains("modified"));
    }

    #[test]
    fn idp_deactivation_does_not_match() {
        assert!(RULE
            .evaluate(&json!({"eventType": "system.idp.lifecycle.deactivate"}))
            .is_none());
    }
}
