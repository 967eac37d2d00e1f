//! `Okta.App.Unauthorized.Access.Attempt`: a user was denied an app they are not assigned to.
//! Follows Panther's `rules/okta_rules/okta_app_unauthorized_access_attempt.{py,yml}`: alerts
//! on the fifth attempt by the same user on the same app within an hour.

use serde_json::Value;

use super::{first_target_or, or_placeholder};
use crate::detect::{deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.App.Unauthorized.Access.Attempt",
    name: "Okta App Unauthorized Access Attempt",
    severity: Severity::Low,
    threshold: 5,
    runbook: "Ask the user why they tried to open the app; if they did not, look for signs \
              that their account is being used by someone else.",
    reference: "https://support.okta.com/help/s/article/App-Sign-on-Error-403-User-attempted-unauthorized-access-to-app?language=en_US",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "app.generic.unauth_app_access_attempt"
}

/// Also the dedup string, so attempts are counted per user and app.
fn title(event: &Value) -> String {
    format!(
        "[{}] attempted unauthorized access to [{}]",
        or_placeholder(deep_str(event, &["actor", "alternateId"]), "<id-not-found>"),
        first_target_or(event, "alternateId", "<id-not-found>"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attempt(event_type: &str, app: &str) -> Value {
        json!({
            "eventType": event_type,
            "outcome": {"result": "FAILURE"},
            "actor": {"alternateId": "homer@example.com"},
            "target": [{"type": "AppInstance", "alternateId": app, "displayName": app}],
        })
    }

    #[test]
    fn attempt_matches_with_threshold_five_per_user_and_app() {
        let m = RULE
            .evaluate(&attempt("app.generic.unauth_app_access_attempt", "Payroll"))
            .expect("match");
        assert_eq!(
            m.title,
            "[homer@example.com] attempted unauthorized access to [Payroll]"
        );
        assert_eq!(m.dedup, m.title);
        assert_eq!(
            (m.severity, m.threshold, m.dedup_period_minutes),
            (Severity::Low, 5, 60)
        );
        let other_app = RULE
            .evaluate(&attempt("app.generic.unauth_app_access_attempt", "Wiki"))
            .expect("match");
        assert_ne!(other_app.dedup, m.dedup);
    }

    #[test]
    fn other_events_do_not_match() {
        for event_type in ["app.token.reuse", "user.authentication.sso"] {
            assert!(RULE.evaluate(&attempt(event_type, "Payroll")).is_none());
        }
    }
}
