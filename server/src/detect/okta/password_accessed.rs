//! `Okta.PasswordAccess`: someone revealed another user's stored app password. Follows
//! Panther's `rules/okta_rules/okta_password_accessed.{py,yml}`.

use serde_json::Value;

use crate::detect::{deep_str, event_type, targets, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.PasswordAccess",
    name: "Okta Password Accessed",
    severity: Severity::Medium,
    runbook: "Ask the actor why they needed another user's app password; rotate the password \
              if the access was not approved.",
    reference: "https://help.okta.com/en-us/content/topics/apps/apps_revealing_the_password.htm",
    matches,
    title,
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

/// The distinct alternateIds of the targets of type `kind` (exact, as Panther compares).
fn target_ids<'a>(event: &'a Value, kind: &str) -> Vec<&'a str> {
    let mut ids: Vec<&str> = Vec::new();
    for target in targets(event) {
        if deep_str(target, &["type"]) == kind {
            let id = deep_str(target, &["alternateId"]);
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// Shown as Panther shows a Python set: `{'a', 'b'}`.
fn as_set(ids: &[&str]) -> String {
    let quoted: Vec<String> = ids.iter().map(|id| format!("'{id}'")).collect();
    format!("{{{}}}", quoted.join(", "))
}

fn matches(event: &Value) -> bool {
    // Revealing your own password is routine; only someone else's is interesting.
    event_type(event) == "application.user_membership.show_password"
        && !target_ids(event, "User").contains(&deep_str(event, &["actor", "alternateId"]))
}

fn title(event: &Value) -> String {
    format!(
        "A user {} accessed another user's {} {} password",
        deep_str(event, &["actor", "alternateId"]),
        as_set(&target_ids(event, "User")),
        as_set(&target_ids(event, "AppInstance")),
    )
}

/// Actor, then the users and apps, each part only when present.
fn dedup(event: &Value) -> String {
    let mut dedup = deep_str(event, &["actor", "alternateId"]).to_string();
    for ids in [target_ids(event, "User"), target_ids(event, "AppInstance")] {
        if !ids.is_empty() {
            dedup.push(':');
            dedup.push_str(&as_set(&ids));
        }
    }
    dedup
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn show(actor: &str, user: &str, app_user: &str) -> Value {
        json!({
            "eventType": "application.user_membership.show_password",
            "outcome": {"result": "SUCCESS"},
            "actor": {"alternateId": actor, "type": "User"},
            "target": [
                {"type": "AppUser", "alternateId": app_user},
                {"type": "AppInstance", "alternateId": "Payroll"},
                {"type": "User", "alternateId": user},
            ],
        })
    }

    #[test]
    fn someone_elses_password_matches() {
        let m = RULE
            .evaluate(&show(
                "ann@example.com",
                "bob@example.com",
                "bob@example.com",
            ))
            .expect("match");
        assert_eq!(m.dedup, "ann@example.com:{'bob@example.com'}:{'Payroll'}");
        assert_eq!(
            m.title,
            "A user ann@example.com accessed another user's {'bob@example.com'} {'Payroll'} \
             password"
        );
        assert_eq!(m.severity, Severity::Medium);
    }

    #[test]
    fn own_password_does_not_match_even_with_a_differently_named_app_user() {
        assert!(RULE
            .evaluate(&show(
                "bob@example.com",
                "bob@example.com",
                "bob@example.com"
            ))
            .is_none());
        assert!(RULE
            .evaluate(&show("bob@example.com", "bob@example.com", "Bob Jones"))
            .is_none());
    }

    #[test]
    fn user_id_is_compared_exactly_not_as_a_substring() {
        assert!(RULE
            .evaluate(&show(
                "bob@example.co",
                "bob@example.com",
                "bob@example.com"
            ))
            .is_some());
    }

    #[test]
    fn other_event_does_not_match() {
        let mut event = show("ann@example.com", "bob@example.com", "bob@example.com");
        event["eventType"] = json!("application.user_membership.add");
        assert!(RULE.evaluate(&event).is_none());
    }
}
