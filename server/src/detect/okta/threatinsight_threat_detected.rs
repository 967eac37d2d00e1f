//! `Okta.ThreatInsight.SecurityThreatDetected`: Okta ThreatInsight flagged a request.
//! A blocked request (outcome DENY) is Info; one that went through is High.

use serde_json::Value;

use crate::detect::{deep_str, event_type, outcome_result, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.ThreatInsight.SecurityThreatDetected",
    name: "Okta ThreatInsight Security Threat Detected",
    severity: Severity::High,
    runbook: "Review the source IP's other activity; block it if requests were allowed.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Security/threat-insight/ti-index.htm",
    matches,
    title,
    dynamic_severity: Some(severity),
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "security.threat.detected"
}

fn title(event: &Value) -> String {
    format!(
        "Okta ThreatInsight detected a threat from [{}]: {}",
        deep_str(event, &["client", "ipAddress"]),
        deep_str(event, &["outcome", "reason"]),
    )
}

fn severity(event: &Value) -> Severity {
    if outcome_result(event) == "DENY" {
        Severity::Info
    } else {
        Severity::High
    }
}

fn dedup(event: &Value) -> String {
    deep_str(event, &["client", "ipAddress"]).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn threat(result: &str) -> Value {
        json!({
            "eventType": "security.threat.detected",
            "outcome": {"result": result, "reason": "Password Spray"},
            "client": {"ipAddress": "203.0.113.9"},
        })
    }

    #[test]
    fn allowed_threat_is_high_and_denied_is_info() {
        let m = RULE.evaluate(&threat("ALLOW")).expect("match");
        assert_eq!(
            (m.severity, m.dedup.as_str()),
            (Severity::High, "203.0.113.9")
        );
        assert_eq!(
            RULE.evaluate(&threat("DENY")).expect("match").severity,
            Severity::Info
        );
    }

    #[test]
    fn other_events_do_not_match() {
        assert!(RULE
            .evaluate(&json!({"eventType": "user.session.start"}))
            .is_none());
    }
}
