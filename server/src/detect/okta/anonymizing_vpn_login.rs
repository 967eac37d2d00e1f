//! `Okta.Anonymizing.VPN.Login`: a sign-in attempt through an anonymizing proxy or VPN.

use serde_json::Value;

use crate::detect::{actor_label, deep_get, deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Anonymizing.VPN.Login",
    name: "Okta Sign-In from VPN Anonymizer",
    severity: Severity::Medium,
    runbook: "Ask the user whether they use a VPN; block anonymizers in a network zone if not.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Security/network/network-zones.htm",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "user.session.start"
        && deep_get(event, &["securityContext", "isProxy"]).and_then(Value::as_bool) == Some(true)
}

fn title(event: &Value) -> String {
    format!(
        "{} attempted to sign-in from anonymizing VPN with domain [{}]",
        actor_label(event),
        deep_str(event, &["securityContext", "domain"]),
    )
}

fn dedup(event: &Value) -> String {
    deep_str(event, &["actor", "alternateId"]).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn login(is_proxy: bool) -> Value {
        json!({
            "eventType": "user.session.start",
            "actor": {"displayName": "Bob", "alternateId": "bob@example.com"},
            "securityContext": {"isProxy": is_proxy, "domain": "anon.example"},
        })
    }

    #[test]
    fn proxied_login_matches() {
        assert!(RULE
            .evaluate(&login(true))
            .expect("match")
            .title
            .contains("anon.example"));
    }

    #[test]
    fn direct_login_does_not_match() {
        assert!(RULE.evaluate(&login(false)).is_none());
    }
}
