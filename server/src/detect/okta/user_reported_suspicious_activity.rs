//! `Okta.User.Reported.Suspicious.Activity`: a user reported, from an Okta notification email,
//! activity they did not recognise. Follows Panther's
//! `rules/okta_rules/okta_user_reported_suspicious_activity.{py,yml}`.

use serde_json::Value;

use super::or_placeholder;
use crate::detect::{deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.User.Reported.Suspicious.Activity",
    name: "Okta User Reported Suspicious Activity",
    severity: Severity::High,
    runbook: "Find the reported event and the user's recent sessions; if the user did not do \
              it, end their sessions and reset their password and factors.",
    reference:
        "https://help.okta.com/en-us/Content/Topics/Security/suspicious-activity-reporting.htm",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "user.account.report_suspicious_activity_by_enduser"
}

fn title(event: &Value) -> String {
    format!(
        "Okta: [{}] reported suspicious account activity [{}].",
        or_placeholder(deep_str(event, &["actor", "alternateId"]), "<id-not-found>"),
        or_placeholder(
            deep_str(
                event,
                &["debugContext", "debugData", "suspiciousActivityEventType"]
            ),
            "<event-type-not-found>"
        ),
    )
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
        let m = RULE.evaluate(&event).expect("match");
        assert_eq!(
            m.title,
            "Okta: [bob@example.com] reported suspicious account activity \
             [system.email.new_device_notification.sent_message]."
        );
        assert_eq!(m.severity, Severity::High);
    }

    #[test]
    fn report_without_event_type_uses_placeholder() {
        let event = json!({
            "eventType": "user.account.report_suspicious_activity_by_enduser",
            "actor": {"alternateId": "bob@example.com"},
        });
        assert!(RULE
            .evaluate(&event)
            .expect("match")
            .title
            .contains("[<event-type-not-found>]"));
    }

    #[test]
    fn other_event_does_not_match() {
        assert!(RULE
            .evaluate(&json!({"eventType": "user.mfa.factor.reset_all"}))
            .is_none());
    }
}
