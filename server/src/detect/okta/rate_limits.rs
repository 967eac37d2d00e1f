//! `Okta.Rate.Limits`: a client, operation or the whole org violated an Okta rate or
//! concurrency limit, which can mean enumeration, brute force or a misbehaving integration.
//! Follows Panther's `rules/okta_rules/okta_rate_limits.{py,yml}`: only `violation` events,
//! never the warnings; one alert per actor a day.

use serde_json::Value;

use super::or_placeholder;
use crate::detect::{deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Rate.Limits",
    name: "Okta Rate Limits",
    severity: Severity::Low,
    dedup_period_minutes: 1440,
    runbook: "Find the client, token or user behind the requests and whether the volume is \
              expected; unexpected volume from one source can be enumeration or brute force.",
    reference: "https://developer.okta.com/docs/reference/rl-system-log-events/",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

/// Panther's shell patterns; a trailing `*` matches any rest. An event must also contain
/// `violation`, so the first two (warnings) never fire: kept as Panther lists them.
const PATTERNS: [&str; 7] = [
    "app.oauth2.client_id_rate_limit_warning",
    "application.integration.rate_limit_exceeded",
    "system.client.rate_limit.*",
    "system.client.concurrency_rate_limit.*",
    "system.operation.rate_limit.*",
    "system.org.rate_limit.*",
    "core.concurrency.org.limit.violation",
];

fn matches_pattern(event_type: &str, pattern: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => event_type.starts_with(prefix),
        None => event_type == pattern,
    }
}

fn matches(event: &Value) -> bool {
    let event_type = event_type(event);
    event_type.contains("violation") && PATTERNS.iter().any(|p| matches_pattern(event_type, p))
}

fn title(event: &Value) -> String {
    let actor = match deep_str(event, &["actor", "alternateId"]) {
        "unknown" => or_placeholder(deep_str(event, &["actor", "displayName"]), "<id-not-found>"),
        id => id,
    };
    format!(
        "Okta Rate Limit Event: [{}] by [{actor}/{}]",
        event_type(event),
        or_placeholder(deep_str(event, &["actor", "type"]), "<type-not-found>"),
    )
}

fn dedup(event: &Value) -> String {
    deep_str(event, &["actor", "id"]).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn limit(event_type: &str, alternate_id: &str) -> Value {
        json!({
            "eventType": event_type,
            "outcome": {"result": "DENY", "reason": "Too many requests attempted by an individual user"},
            "actor": {"id": "00abc456", "type": "User", "alternateId": alternate_id, "displayName": "Homer"},
            "client": {"ipAddress": "192.0.2.4"},
        })
    }

    #[test]
    fn violations_match_deduped_by_actor_for_a_day() {
        for event_type in [
            "system.operation.rate_limit.violation",
            "system.org.rate_limit.violation",
            "system.client.rate_limit.violation",
            "system.client.concurrency_rate_limit.violation",
            "core.concurrency.org.limit.violation",
        ] {
            let m = RULE
                .evaluate(&limit(event_type, "homer@example.com"))
                .expect(event_type);
            assert_eq!(m.dedup, "00abc456");
            assert_eq!((m.severity, m.dedup_period_minutes), (Severity::Low, 1440));
        }
        assert_eq!(
            RULE.evaluate(&limit(
                "system.operation.rate_limit.violation",
                "homer@example.com"
            ))
            .expect("match")
            .title,
            "Okta Rate Limit Event: [system.operation.rate_limit.violation] by \
             [homer@example.com/User]"
        );
    }

    #[test]
    fn unknown_actor_id_falls_back_to_display_name() {
        let m = RULE
            .evaluate(&limit("system.operation.rate_limit.violation", "unknown"))
            .expect("match");
        assert!(m.title.ends_with("by [Homer/User]"), "{}", m.title);
    }

    #[test]
    fn warnings_and_other_events_do_not_match() {
        for event_type in [
            "system.org.rate_limit.warning",
            "system.org.rate_limit.burst",
            "application.integration.rate_limit_exceeded",
            "app.oauth2.client_id_rate_limit_warning",
            "group.privilege.grant",
        ] {
            assert!(
                RULE.evaluate(&limit(event_type, "homer@example.com"))
                    .is_none(),
                "{event_type}"
            );
        }
    }
}
