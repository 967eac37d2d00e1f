//! `Okta.Anonymizing.VPN.Login`: a sign-in attempt (successful or not) through an anonymizing
//! proxy or VPN. Follows Panther's `rules/okta_rules/okta_anonymizing_vpn_login.{py,yml}`:
//! Medium, Info when IP enrichment says the relay is Apple Private Relay.

use serde_json::Value;

use super::actor_or_placeholders;
use crate::detect::{deep_get, deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Anonymizing.VPN.Login",
    name: "Okta Sign-In from VPN Anonymizer",
    severity: Severity::Medium,
    dedup_period_minutes: 360,
    runbook: "Ask the user whether they use a VPN or proxy; if anonymizers are not needed, \
              deny them in sign-on policy with a dynamic network zone.",
    reference:
        "https://sec.okta.com/articles/2023/08/cross-tenant-impersonation-prevention-and-detection",
    matches,
    title,
    dynamic_severity: Some(severity),
    ..Rule::DEFAULT
};

fn is_proxy(event: &Value) -> bool {
    match deep_get(event, &["securityContext", "isProxy"]) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn matches(event: &Value) -> bool {
    event_type(event) == "user.session.start" && is_proxy(event)
}

/// The relay service named by the `ipinfo_privacy` enrichment of `client.ipAddress`.
fn privacy_service(event: &Value) -> &str {
    deep_str(
        event,
        &[
            "p_enrichment",
            "ipinfo_privacy",
            "client.ipAddress",
            "service",
        ],
    )
}

/// Panther shows the network facts as a Python dict; we keep that look, in a fixed order.
fn ip_context(event: &Value) -> String {
    let facts = [
        ("IP", deep_str(event, &["client", "ipAddress"])),
        ("ASO", deep_str(event, &["securityContext", "asOrg"])),
        ("ISP", deep_str(event, &["securityContext", "isp"])),
        ("Domain", deep_str(event, &["securityContext", "domain"])),
        ("Service", privacy_service(event)),
    ];
    let shown: Vec<String> = facts
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("'{key}': '{value}'"))
        .collect();
    format!("{{{}}}", shown.join(", "))
}

fn title(event: &Value) -> String {
    format!(
        "{} attempted to sign-in from anonymizing VPN - {}",
        actor_or_placeholders(event),
        ip_context(event)
    )
}

fn severity(event: &Value) -> Severity {
    if privacy_service(event) == "Apple Private Relay" {
        Severity::Info
    } else {
        Severity::Medium
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn login(is_proxy: bool, result: &str) -> Value {
        json!({
            "eventType": "user.session.start",
            "outcome": {"result": result},
            "actor": {"displayName": "Bob", "alternateId": "bob@example.com"},
            "client": {"ipAddress": "198.51.100.4"},
            "securityContext": {"isProxy": is_proxy, "asOrg": "m247", "isp": "m247 ltd", "domain": "anon.example"},
        })
    }

    #[test]
    fn proxied_login_attempt_is_medium_whatever_the_outcome() {
        let m = RULE.evaluate(&login(true, "FAILURE")).expect("match");
        assert_eq!(
            m.title,
            "Bob <bob@example.com> attempted to sign-in from anonymizing VPN - {'IP': \
             '198.51.100.4', 'ASO': 'm247', 'ISP': 'm247 ltd', 'Domain': 'anon.example'}"
        );
        assert_eq!(
            (m.severity, m.dedup_period_minutes),
            (Severity::Medium, 360)
        );
        assert!(RULE.evaluate(&login(true, "SUCCESS")).is_some());
    }

    #[test]
    fn apple_private_relay_is_info() {
        let mut event = login(true, "SUCCESS");
        event["p_enrichment"] = json!({"ipinfo_privacy": {"client.ipAddress": {
            "service": "Apple Private Relay", "relay": true, "p_match": "198.51.100.4"}}});
        let m = RULE.evaluate(&event).expect("match");
        assert_eq!(m.severity, Severity::Info);
        assert!(m.title.contains("'Service': 'Apple Private Relay'"));
    }

    #[test]
    fn direct_login_or_other_event_does_not_match() {
        assert!(RULE.evaluate(&login(false, "SUCCESS")).is_none());
        let mut mfa = login(true, "SUCCESS");
        mfa["eventType"] = json!("user.authentication.auth_via_mfa");
        assert!(RULE.evaluate(&mfa).is_none());
    }
}
