//! `Okta.New.Behavior.Accessing.Admin.Console`: the Admin Console was reached from a new
//! device AND a new IP. Follows Panther's
//! `rules/okta_rules/okta_new_behavior_accessing_admin_console.{py,yml}`.
//!
//! Okta reports behaviours either in `debugData.behaviors` (a string such as
//! `"{New IP=POSITIVE, New Device=POSITIVE, ...}"` or a list of `Name=VALUE` strings) or, when
//! that is absent, in `logOnlySecurityData` (a JSON object, sometimes held in a string).

use serde_json::Value;

use super::{actor_or_placeholders, or_placeholder, target_values_contain};
use crate::detect::{deep_get, deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.New.Behavior.Accessing.Admin.Console",
    name: "Okta New Behaviors Accessing Admin Console",
    severity: Severity::High,
    runbook: "Confirm with the admin that the new device and IP are theirs; if not, end the \
              session. Make the Admin Console ask for re-authentication at every sign-in.",
    reference:
        "https://sec.okta.com/articles/2023/08/cross-tenant-impersonation-prevention-and-detection",
    matches,
    title,
    ..Rule::DEFAULT
};

const NEW_DEVICE: &str = "New Device";
const NEW_IP: &str = "New IP";

fn matches(event: &Value) -> bool {
    if event_type(event) != "policy.evaluate_sign_on"
        || !target_values_contain(event, "displayName", "Okta Admin Console")
    {
        return false;
    }
    let debug_data = deep_get(event, &["debugContext", "debugData"]);
    let behaviors = debug_data.and_then(|d| deep_get(d, &["behaviors"]));
    if let Some(behaviors) = behaviors.filter(|b| is_truthy(b)) {
        return reports_positive(behaviors, NEW_DEVICE) && reports_positive(behaviors, NEW_IP);
    }
    let security = debug_data.and_then(|d| deep_get(d, &["logOnlySecurityData"]));
    let parsed = match security {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
        Some(v) => v.clone(),
        None => Value::Null,
    };
    deep_str(&parsed, &["behaviors", NEW_DEVICE]) == "POSITIVE"
        && deep_str(&parsed, &["behaviors", NEW_IP]) == "POSITIVE"
}

/// Python truthiness of the `behaviors` field: empty strings and lists count as absent.
fn is_truthy(value: &Value) -> bool {
    match value {
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Bool(b) => *b,
        Value::Number(_) => true,
        Value::Null => false,
    }
}

/// `Name=POSITIVE` as a substring of a string, or as one element of a list.
fn reports_positive(behaviors: &Value, behavior: &str) -> bool {
    let wanted = format!("{behavior}=POSITIVE");
    match behaviors {
        Value::String(s) => s.contains(&wanted),
        Value::Array(items) => items.iter().any(|i| i.as_str() == Some(wanted.as_str())),
        _ => false,
    }
}

fn title(event: &Value) -> String {
    format!(
        "{} accessed Okta Admin Console using new behaviors: New IP: {} New Device: {}",
        actor_or_placeholders(event),
        or_placeholder(
            deep_str(event, &["client", "ipAddress"]),
            "<ipAddress-not-found>"
        ),
        or_placeholder(
            deep_str(event, &["device", "name"]),
            "<deviceName-not-found>"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sign_on(debug_data: Value) -> Value {
        json!({
            "eventType": "policy.evaluate_sign_on",
            "outcome": {"result": "CHALLENGE"},
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
            "client": {"ipAddress": "203.0.113.5"},
            "device": {"name": "Evil Computer"},
            "target": [
                {"displayName": "Okta Admin Console", "alternateId": "Okta Admin Console", "type": "AppInstance"},
                {"displayName": "Peter", "alternateId": "peter@example.com", "type": "User"},
            ],
            "debugContext": {"debugData": debug_data},
        })
    }

    const NEW_BOTH: &str = r#"{"risk":{"level":"LOW"},"behaviors":{"New Geo-Location":"NEGATIVE","New Device":"POSITIVE","New IP":"POSITIVE"}}"#;

    #[test]
    fn new_device_and_ip_match_in_every_format() {
        let flat = sign_on(
            json!({"behaviors": "{New Geo-Location=NEGATIVE, New Device=POSITIVE, New IP=POSITIVE}"}),
        );
        let m = RULE.evaluate(&flat).expect("string behaviors");
        assert_eq!(
            m.title,
            "Ann <ann@example.com> accessed Okta Admin Console using new behaviors: New IP: \
             203.0.113.5 New Device: Evil Computer"
        );
        assert_eq!(m.severity, Severity::High);
        let list = sign_on(
            json!({"behaviors": ["New Geo-Location=NEGATIVE", "New Device=POSITIVE", "New IP=POSITIVE"]}),
        );
        assert!(RULE.evaluate(&list).is_some(), "list behaviors");
        let object: Value = serde_json::from_str(NEW_BOTH).expect("json");
        assert!(RULE
            .evaluate(&sign_on(json!({"logOnlySecurityData": object})))
            .is_some());
        assert!(RULE
            .evaluate(&sign_on(json!({"logOnlySecurityData": NEW_BOTH})))
            .is_some());
    }

    #[test]
    fn known_device_or_ip_does_not_match() {
        let new_geo_only = sign_on(
            json!({"behaviors": "{New Geo-Location=POSITIVE, New Device=POSITIVE, New IP=NEGATIVE}"}),
        );
        assert!(RULE.evaluate(&new_geo_only).is_none());
        let nothing_new = NEW_BOTH.replace("POSITIVE", "NEGATIVE");
        assert!(RULE
            .evaluate(&sign_on(json!({"logOnlySecurityData": nothing_new})))
            .is_none());
        assert!(RULE
            .evaluate(&sign_on(json!({"logOnlySecurityData": "not json"})))
            .is_none());
    }

    #[test]
    fn other_app_or_event_does_not_match() {
        let mut other_app = sign_on(json!({"logOnlySecurityData": NEW_BOTH}));
        other_app["target"][0]["displayName"] = json!("Slack");
        assert!(RULE.evaluate(&other_app).is_none());
        let mut other_event = sign_on(json!({"logOnlySecurityData": NEW_BOTH}));
        other_event["eventType"] = json!("user.session.start");
        assert!(RULE.evaluate(&other_event).is_none());
    }
}
