//! `Okta.Org2org.Creation.Modification`: an Org2Org app (which can push users into another
//! Okta org, or let one sign in here) was created or changed.

use serde_json::Value;

use crate::detect::{actor_label, deep_str, event_type, targets, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Org2org.Creation.Modification",
    name: "Okta Org2Org Application Created or Modified",
    severity: Severity::High,
    runbook: "Confirm the change; an unknown Org2Org app can be a persistence mechanism.",
    reference:
        "https://help.okta.com/en/prod/Content/Topics/Provisioning/org2org/org2org-integrate.htm",
    matches,
    title,
    dynamic_severity: Some(severity),
    ..Rule::DEFAULT
};

const EVENTS: [&str; 3] = [
    "application.lifecycle.create",
    "application.lifecycle.update",
    "application.lifecycle.activate",
];

fn org2org_app(event: &Value) -> Option<&str> {
    targets(event)
        .iter()
        .filter(|t| deep_str(t, &["type"]) == "AppInstance")
        .flat_map(|t| [deep_str(t, &["alternateId"]), deep_str(t, &["displayName"])])
        .find(|name| name.to_ascii_lowercase().contains("org2org"))
}

fn matches(event: &Value) -> bool {
    EVENTS.contains(&event_type(event)) && org2org_app(event).is_some()
}

fn title(event: &Value) -> String {
    let action = event_type(event).rsplit('.').next().unwrap_or_default();
    format!(
        "{} {action}d Org2Org app [{}]",
        actor_label(event),
        org2org_app(event).unwrap_or_default(),
    )
}

fn severity(event: &Value) -> Severity {
    if event_type(event) == "application.lifecycle.update" {
        Severity::Medium
    } else {
        Severity::High
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
            "target": [{"type": "AppInstance", "alternateId": app, "displayName": app}],
        })
    }

    #[test]
    fn org2org_create_is_high_and_update_medium() {
        let m = RULE
            .evaluate(&app_event("application.lifecycle.create", "Okta Org2Org"))
            .expect("match");
        assert_eq!(m.severity, Severity::High);
        assert!(m.title.contains("created Org2Org app"));
        let m = RULE
            .evaluate(&app_event("application.lifecycle.update", "Okta Org2Org"))
            .expect("match");
        assert_eq!(m.severity, Severity::Medium);
    }

    #[test]
    fn other_app_does_not_match() {
        assert!(RULE
            .evaluate(&app_event("application.lifecycle.create", "Slack"))
            .is_none());
    }
}
