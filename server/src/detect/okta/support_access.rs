//! `Okta.Support.Access`: Okta Support was granted access to (or started impersonating in) the org.

use serde_json::Value;

use crate::detect::{deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Support.Access",
    name: "Okta Support Access Granted",
    severity: Severity::Medium,
    runbook: "Confirm an open support case requires access; revoke it when the case closes.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Settings/settings-support-access.htm",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

const EVENTS: [&str; 2] = [
    "user.session.impersonation.grant",
    "user.session.impersonation.initiate",
];

fn matches(event: &Value) -> bool {
    EVENTS.contains(&event_type(event))
}

fn title(event: &Value) -> String {
    format!(
        "Okta Support Access Granted by {}",
        deep_str(event, &["actor", "alternateId"])
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
    fn impersonation_grant_matches() {
        let event = json!({
            "eventType": "user.session.impersonation.grant",
            "actor": {"alternateId": "ann@example.com"},
        });
        let m = RULE.evaluate(&event).expect("match");
        assert_eq!(m.dedup, "ann@example.com");
        assert_eq!(m.severity, Severity::Medium);
    }

    #[test]
    fn impersonation_end_does_not_match() {
        let event = json!({"eventType": "user.session.impersonation.end"});
        assert!(RULE.evaluate(&event).is_none());
    }
}
