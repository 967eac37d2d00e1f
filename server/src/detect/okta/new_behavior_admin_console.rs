//! `Okta.New.Behavior.Accessing.Admin.Console`: the Admin Console was reached from a new
//! device AND a new location. Okta reports behaviours either in `debugData.behaviors`
//! (`"{New Geo-Location=POSITIVE, New Device=POSITIVE, ...}"`) or in `logOnlySecurityData`
//! (a JSON object, sometimes as a string).

use serde_json::Value;

use crate::detect::{actor_label, deep_get, deep_str, event_type, targets, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.New.Behavior.Accessing.Admin.Console",
    name: "Okta New Behaviors Accessing Admin Console",
    severity: Severity::High,
    runbook: "Confirm the admin's new device and location; end the session if it was not them.",
    reference:
        "https://help.okta.com/en/prod/Content/Topics/Security/proc-security-behavior-detection.htm",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    if event_type(event) != "policy.evaluate_sign_on" {
        return false;
    }
    let admin_console = targets(event)
        .iter()
        .any(|t| deep_str(t, &["displayName"]) == "Okta Admin Console");
    admin_console && is_new(event, "New Geo-Location") && is_new(event, "New Device")
}

fn is_new(event: &Value, behavior: &str) -> bool {
    let behaviors = deep_str(event, &["debugContext", "debugData", "behaviors"]);
    if !behaviors.is_empty() {
        return behaviors.contains(&format!("{behavior}=POSITIVE"));
    }
    let security = deep_get(event, &["debugContext", "debugData", "logOnlySecurityData"]);
    let parsed = match security {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
        Some(v) => v.clone(),
        None => Value::Null,
    };
    deep_str(&parsed, &["behaviors", behavior]) == "POSITIVE"
}

fn title(event: &Value) -> String {
    format!(
        "{} accessed the Okta Admin Console from a new device and location",
        actor_label(event)
    )
}

fn dedup(event: &Value) -> String {
    deep_str(event, &["actor", "alternateId"]).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sign_on(debug_data: Value) -> Value {
        json!({
            "eventType": "policy.evaluate_sign_on",
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
            "target": [{"displayName": "Okta Admin Console", "type": "AppInstance"}],
            "debugContext": {"debugData": debug_data},
        })
    }

    #[test]
    fn new_device_and_location_match_in_either_format() {
        let flat = sign_on(
            json!({"behaviors": "{New Geo-Location=POSITIVE, New Device=POSITIVE, New IP=NEGATIVE}"}),
        );
        assert!(RULE.evaluate(&flat).is_some());
        let nested = sign_on(json!({
            "logOnlySecurityData": "{\"behaviors\":{\"New Geo-Location\":\"POSITIVE\",\"New Device\":\"POSITIVE\"}}"
        }));
        assert!(RULE.evaluate(&nested).is_some());
    }

    #[test]
    fn known_device_does_not_match() {
        let event =
            sign_on(json!({"behaviors": "{New Geo-Location=POSITIVE, New Device=NEGATIVE}"}));
        assert!(RULE.evaluate(&event).is_none());
    }
}
