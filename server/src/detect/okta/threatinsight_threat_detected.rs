//! `Okta.ThreatInsight.Security.Threat.Detected`: Okta ThreatInsight flagged a request from a
//! potentially malicious IP. Follows Panther's
//! `rules/okta_rules/okta_threatinsight_security_threat_detected.{py,yml}`: a request Okta
//! denied is Info; otherwise the highest severity named in `debugData.threatDetections`
//! (Medium when it names none).

use serde_json::Value;

use super::or_placeholder;
use crate::detect::{deep_get, deep_str, event_type, outcome_result, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.ThreatInsight.Security.Threat.Detected",
    name: "Okta ThreatInsight Security Threat Detected",
    severity: Severity::High,
    runbook: "Look at what else the source IP did in the org; if its requests were allowed, \
              block it in a network zone and check the accounts it targeted.",
    reference: "https://help.okta.com/en-us/Content/Topics/Security/threat-insight/configure-threatinsight-system-log.htm",
    matches,
    title,
    dynamic_severity: Some(severity),
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "security.threat.detected"
}

fn title(event: &Value) -> String {
    format!(
        "Okta: ThreatInsight identified potentially malicious behavior for [{}]",
        or_placeholder(
            deep_str(event, &["actor", "displayName"]),
            "<display-name-not-found>"
        ),
    )
}

/// `threatDetections` is a string holding JSON, possibly with several threats; the highest
/// severity it mentions wins.
fn severity_from_detections(detections: &str) -> Severity {
    [
        ("CRITICAL", Severity::Critical),
        ("HIGH", Severity::High),
        ("MEDIUM", Severity::Medium),
        ("LOW", Severity::Low),
        ("INFO", Severity::Info),
    ]
    .into_iter()
    .find(|(word, _)| detections.contains(word))
    .map_or(Severity::Medium, |(_, severity)| severity)
}

fn severity(event: &Value) -> Severity {
    if outcome_result(event) == "DENY" {
        return Severity::Info;
    }
    match deep_get(event, &["debugContext", "debugData", "threatDetections"]) {
        Some(Value::String(s)) => severity_from_detections(s),
        Some(other) => severity_from_detections(&other.to_string()),
        None => Severity::Medium,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn threat(result: &str, detections: Option<&str>) -> Value {
        let mut event = json!({
            "eventType": "security.threat.detected",
            "outcome": {"result": result, "reason": "Password Spray"},
            "actor": {"alternateId": "unknown", "displayName": "203.0.113.9", "type": "IP address"},
            "client": {"ipAddress": "203.0.113.9"},
            "debugContext": {"debugData": {}},
        });
        if let Some(d) = detections {
            event["debugContext"]["debugData"]["threatDetections"] = json!(d);
        }
        event
    }

    #[test]
    fn denied_threat_is_info() {
        let m = RULE
            .evaluate(&threat("DENY", Some(r#"{"x":"HIGH"}"#)))
            .expect("match");
        assert_eq!(m.severity, Severity::Info);
        assert_eq!(
            m.title,
            "Okta: ThreatInsight identified potentially malicious behavior for [203.0.113.9]"
        );
    }

    #[test]
    fn allowed_threat_takes_the_highest_detected_severity() {
        let cases = [
            (
                Some(r#"{"Login failures":"LOW","Password Spray":"HIGH"}"#),
                Severity::High,
            ),
            (
                Some(r#"{"Known bad":"CRITICAL","Spray":"MEDIUM"}"#),
                Severity::Critical,
            ),
            (Some(r#"{"Spray":"LOW"}"#), Severity::Low),
            (Some(r#"{"Spray":"INFO"}"#), Severity::Info),
            (Some("{}"), Severity::Medium),
            (None, Severity::Medium),
        ];
        for (detections, expected) in cases {
            let m = RULE
                .evaluate(&threat("SUCCESS", detections))
                .expect("match");
            assert_eq!(m.severity, expected, "{detections:?}");
        }
    }

    #[test]
    fn other_events_do_not_match() {
        let mut event = threat("SUCCESS", None);
        event["eventType"] = json!("application.integration.rate_limit_exceeded");
        assert!(RULE.evaluate(&event).is_none());
    }
}
