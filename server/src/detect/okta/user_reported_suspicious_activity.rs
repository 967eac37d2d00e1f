//! `Okta.User.ReportedSuspiciousActivity`: a user reported a sign-in or change they did not make.

use serde_json::Value;

use crate::detect::{actor_label, deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.User.ReportedSuspiciousActivity",
    name: "Okta User Reported Suspicious Activity",
    severity: Severity::Medium,
    runbook:
        "Review the reported event and the user's recent sessions; reset credentials if needed.",
    reference:
        "https://help.okta.com/en/prod/Content/Topics/Security/suspicious-activity-reporting.htm",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "user.account.report_suspicious_activity_by_enduser"
}

fn title(event: &Value) -> String {
    format!(
        "Okta: {} reported suspicious activity [{}]",
        actor_label(event),
        deep_str(
            event,
            &["debugContext", "debugData", "suspiciousActivityEventType"]
        ),
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
    fn report_matches() {
        let event = json!({
            "eventType": "user.account.report_suspicious_activity_by_enduser",
            "actor": {"displayName": "Bob", "alternateId": "bob@example.com"},
            "debugContext": {"debugData": {"suspiciousActivityEventType": "system.email.new_device_notification.sent_message"}},
        });
        assert!(RULE.evaluate(&event).is_some());
    }

    #[test]
    fn other_event_does_not_match() {
        assert!(RULE
            .evaluate(&json!({"eventType": "user.account.lock"}))
            .is_none());
    }
}
