//! `Okta.PotentiallyStolenSession`: Okta saw a session move to a different client (device,
//! network or browser) mid-session, the sign of a stolen session cookie.
//!
//! Panther's rule keeps a cache of fingerprints per session to detect this itself; Okta now
//! emits `security.session.detect_client_roaming` for the same case, so this native rule needs
//! no state.

use serde_json::Value;

use crate::detect::{actor_label, deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.PotentiallyStolenSession",
    name: "Okta Potentially Stolen Session",
    severity: Severity::High,
    runbook: "Clear the user's sessions and check what the roaming client did.",
    reference: "https://help.okta.com/oie/en-us/content/topics/security/detect-session-roaming.htm",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "security.session.detect_client_roaming"
}

fn title(event: &Value) -> String {
    format!(
        "Potentially stolen Okta session for {} from [{}]",
        actor_label(event),
        deep_str(event, &["client", "ipAddress"]),
    )
}

fn dedup(event: &Value) -> String {
    let session = deep_str(event, &["authenticationContext", "externalSessionId"]);
    format!("{}:{session}", deep_str(event, &["actor", "alternateId"]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn roaming_matches() {
        let event = json!({
            "eventType": "security.session.detect_client_roaming",
            "actor": {"displayName": "Bob", "alternateId": "bob@example.com"},
            "authenticationContext": {"externalSessionId": "idx123"},
            "client": {"ipAddress": "198.51.100.20"},
        });
        assert_eq!(
            RULE.evaluate(&event).expect("match").dedup,
            "bob@example.com:idx123"
        );
    }

    #[test]
    fn session_start_does_not_match() {
        assert!(RULE
            .evaluate(&json!({"eventType": "user.session.start"}))
            .is_none());
    }
}
