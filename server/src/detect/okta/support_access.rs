//! `Okta.Support.Access`: an admin granted Okta Support access to the org, or Support started
//! impersonating. Follows Panther's `rules/okta_rules/okta_account_support_access.{py,yml}`.

use serde_json::Value;

use super::actor_user;
use crate::detect::{event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Support.Access",
    name: "Okta Support Access Granted",
    severity: Severity::Medium,
    dedup_period_minutes: 15,
    runbook: "Ask the granting admin for the open support case that needs the access, and \
              revoke the grant once the case is closed.",
    reference: "https://help.okta.com/en/prod/Content/Topics/Settings/settings-support-access.htm",
    matches,
    title,
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
    format!("Okta Support Access Granted by {}", actor_user(event))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(event_type: &str, actor_id: &str) -> Value {
        json!({
            "eventType": event_type,
            "actor": {"alternateId": actor_id, "displayName": "Ann Admin"},
        })
    }

    #[test]
    fn grant_and_initiate_match() {
        let m = RULE
            .evaluate(&event(
                "user.session.impersonation.grant",
                "ann@example.com",
            ))
            .expect("match");
        assert_eq!(m.title, "Okta Support Access Granted by ann@example.com");
        assert_eq!(m.dedup, m.title);
        assert_eq!((m.severity, m.dedup_period_minutes), (Severity::Medium, 15));
        assert!(RULE
            .evaluate(&event(
                "user.session.impersonation.initiate",
                "ann@example.com"
            ))
            .is_some());
    }

    #[test]
    fn unknown_actor_falls_back_to_display_name() {
        let m = RULE
            .evaluate(&event("user.session.impersonation.grant", "unknown"))
            .expect("match");
        assert_eq!(m.title, "Okta Support Access Granted by Ann Admin");
    }

    #[test]
    fn sign_in_or_impersonation_end_does_not_match() {
        assert!(RULE
            .evaluate(&event("user.session.start", "ann@example.com"))
            .is_none());
        assert!(RULE
            .evaluate(&event("user.session.impersonation.end", "ann@example.com"))
            .is_none());
    }
}
