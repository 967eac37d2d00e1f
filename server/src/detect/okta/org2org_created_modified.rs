//! `Okta.Org2org.Creation.Modification`: an Org2Org app (which pushes users into another Okta
//! org, or lets one sign in here) was created, updated or activated. Follows Panther's
//! `rules/okta_rules/okta_org2org_creation_modification.{py,yml}`: High for a creation,
//! Medium otherwise.

use serde_json::Value;

use super::{actor_or_placeholders, target_values};
use crate::detect::{event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Org2org.Creation.Modification",
    name: "Okta Org2Org application created of modified",
    severity: Severity::High,
    runbook: "Confirm the change with the admin and find out which org the app connects to; \
              an unknown Org2Org app can be an attacker's way back in.",
    reference: "https://www.authomize.com/blog/authomize-discovers-password-stealing-and-impersonation-risks-to-in-okta/",
    matches,
    title,
    dynamic_severity: Some(severity),
    ..Rule::DEFAULT
};

const EVENTS: [&str; 3] = [
    "application.lifecycle.update",
    "application.lifecycle.create",
    "application.lifecycle.activate",
];

/// The first target's value for `key` (Panther's `deep_walk(..., return_val="first")`).
fn first_value<'a>(event: &'a Value, key: &str) -> Option<&'a str> {
    target_values(event, key).first().copied()
}

fn matches(event: &Value) -> bool {
    EVENTS.contains(&event_type(event))
        && first_value(event, "displayName").is_some_and(|name| name.contains("Org2Org"))
}

fn title(event: &Value) -> String {
    let action = event_type(event).rsplit('.').next().unwrap_or_default();
    format!(
        "{} {action}d Org2Org app [{}]",
        actor_or_placeholders(event),
        first_value(event, "alternateId").unwrap_or("<alternateId-not-found>"),
    )
}

fn severity(event: &Value) -> Severity {
    if event_type(event).contains("create") {
        Severity::High
    } else {
        Severity::Medium
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app_event(event_type: &str, app: &str) -> Value {
        json!({
            "eventType": event_type,
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
            "target": [
                {"type": "AppInstance", "alternateId": app, "displayName": app},
                {"type": "User", "alternateId": "peter@example.com", "displayName": "Peter"},
            ],
        })
    }

    #[test]
    fn org2org_creation_is_high() {
        let m = RULE
            .evaluate(&app_event("application.lifecycle.create", "Random Org2Org"))
            .expect("match");
        assert_eq!(m.severity, Severity::High);
        assert_eq!(
            m.title,
            "Ann <ann@example.com> created Org2Org app [Random Org2Org]"
        );
    }

    #[test]
    fn org2org_update_and_activation_are_medium() {
        for event_type in [
            "application.lifecycle.update",
            "application.lifecycle.activate",
        ] {
            let m = RULE
                .evaluate(&app_event(event_type, "Okta Org2Org"))
                .expect(event_type);
            assert_eq!(m.severity, Severity::Medium);
        }
    }

    #[test]
    fn other_app_or_event_does_not_match() {
        assert!(RULE
            .evaluate(&app_event("application.lifecycle.create", "Slack"))
            .is_none());
        // Panther's test is case-sensitive on the app name.
        assert!(RULE
            .evaluate(&app_event("application.lifecycle.create", "okta org2org"))
            .is_none());
        assert!(RULE
            .evaluate(&app_event("policy.evaluate_sign_on", "Okta Org2Org"))
            .is_none());
        assert!(RULE
            .evaluate(&app_event("application.lifecycle.delete", "Okta Org2Org"))
            .is_none());
    }
}
