//! `Okta.Rate.Limits`: an org, client or integration hit an Okta rate or concurrency limit,
//! which can mean enumeration, brute force or a misbehaving integration.

use serde_json::Value;

use crate::detect::{actor_label, deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Rate.Limits",
    name: "Okta Rate Limits",
    severity: Severity::Info,
    runbook: "Find the client or token behind the requests and whether the volume is expected.",
    reference: "https://developer.okta.com/docs/reference/rl-system-log-events/",
    matches,
    title,
    ..Rule::DEFAULT
};

const EVENTS: [&str; 7] = [
    "app.oauth2.client_id_rate_limit_warning",
    "application.integration.rate_limit_exceeded",
    "system.client.rate_limit.violation",
    "system.client.concurrency_rate_limit.violation",
    "system.operation.rate_limit.violation",
    "system.org.rate_limit.violation",
    "core.concurrency.org.limit.violation",
];

fn matches(event: &Value) -> bool {
    EVENTS.contains(&event_type(event))
}

fn title(event: &Value) -> String {
    format!(
        "Okta rate limit event [{}] for {} from [{}]",
        event_type(event),
        actor_label(event),
        deep_str(event, &["client", "ipAddress"]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn org_violation_matches() {
        let event = json!({"eventType": "system.org.rate_limit.violation", "client": {"ipAddress": "192.0.2.4"}});
        assert!(RULE
            .evaluate(&event)
            .expect("match")
            .title
            .contains("192.0.2.4"));
    }

    #[test]
    fn burst_warning_does_not_match() {
        assert!(RULE
            .evaluate(&json!({"eventType": "system.org.rate_limit.burst"}))
            .is_none());
    }
}
