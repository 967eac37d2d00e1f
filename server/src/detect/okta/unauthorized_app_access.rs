//! `Okta.AppUnauthorizedAccessAttempt`: repeated attempts to open an app the user is not
//! assigned to. Alerts from the fifth attempt by the same user within the dedup period.

use serde_json::Value;

use crate::detect::{deep_str, event_type, target_of_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.AppUnauthorizedAccessAttempt",
    name: "Okta App Unauthorized Access Attempt",
    severity: Severity::Medium,
    threshold: 5,
    dedup_period_minutes: 15,
    runbook: "Ask the user why they need the app; look for account compromise if they did not try.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Apps/Apps_App_Integration_Wizard.htm",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "app.generic.unauth_app_access_attempt"
}

fn title(event: &Value) -> String {
    format!(
        "{} attempted to access an unauthorized app [{}]",
        deep_str(event, &["actor", "alternateId"]),
        target_of_type(event, "AppInstance", "displayName"),
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
    fn attempt_matches_with_threshold_five() {
        let event = json!({
            "eventType": "app.generic.unauth_app_access_attempt",
            "actor": {"alternateId": "bob@example.com"},
            "target": [{"type": "AppInstance", "displayName": "Payroll"}],
        });
        let m = RULE.evaluate(&event).expect("match");
        assert_eq!(m.threshold, 5);
        assert!(m.title.contains("Payroll"));
    }

    #[test]
    fn sso_does_not_match() {
        assert!(RULE
            .evaluate(&json!({"eventType": "user.authentication.sso"}))
            .is_none());
    }
}
