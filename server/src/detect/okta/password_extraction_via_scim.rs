//! `Okta.Password.Extraction.via.SCIM`: an app update started pushing users' cleartext
//! passwords over SCIM, which lets whoever controls the SCIM endpoint collect them. Follows
//! Panther's `rules/okta_rules/okta_password_extraction_via_scim.{py,yml}`.

use serde_json::Value;

use super::{actor_or_placeholders, target_values};
use crate::detect::{deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Password.Extraction.via.SCIM",
    name: "Okta Cleartext Passwords Extracted via SCIM Application",
    severity: Severity::High,
    dedup_period_minutes: 30,
    runbook: "Find who turned on password push and where the app's SCIM endpoint points; if \
              it is not a known system, turn push off and rotate the assigned users' passwords.",
    reference: "https://www.authomize.com/blog/authomize-discovers-password-stealing-and-impersonation-risks-to-in-okta/",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "application.lifecycle.update"
        && deep_str(event, &["outcome", "reason"]).contains("Pushing user passwords")
}

fn title(event: &Value) -> String {
    let target = target_values(event, "alternateId")
        .first()
        .copied()
        .unwrap_or("<alternateId-not-found>");
    format!(
        "{} extracted cleartext user passwords via SCIM app [{target}]",
        actor_or_placeholders(event),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(event_type: &str, reason: &str) -> Value {
        json!({
            "eventType": event_type,
            "outcome": {"result": "SUCCESS", "reason": reason},
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
            "target": [{"type": "AppInstance", "alternateId": "evil_scim", "displayName": "Evil SCIM"}],
        })
    }

    #[test]
    fn password_push_matches() {
        let m = RULE
            .evaluate(&event(
                "application.lifecycle.update",
                "Pushing user passwords",
            ))
            .expect("match");
        assert_eq!(
            m.title,
            "Ann <ann@example.com> extracted cleartext user passwords via SCIM app [evil_scim]"
        );
        assert_eq!((m.severity, m.dedup_period_minutes), (Severity::High, 30));
    }

    #[test]
    fn ordinary_update_or_other_event_does_not_match() {
        assert!(RULE
            .evaluate(&event("application.lifecycle.update", ""))
            .is_none());
        assert!(RULE
            .evaluate(&event(
                "user.authentication.auth_via_mfa",
                "Pushing user passwords"
            ))
            .is_none());
    }
}
