//! `Okta.User.Account.Locked`: a user's account was locked out (or hit the lockout limit).
//! Follows Panther's `rules/okta_rules/okta_user_account_locked.{py,yml}`.

use serde_json::Value;

use super::or_placeholder;
use crate::detect::{deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.User.Account.Locked",
    name: "Okta User Account Locked",
    severity: Severity::Low,
    runbook: "Look at the failed sign-ins before the lockout: many passwords from one source \
              suggest guessing, a single stale device suggests a saved old password.",
    reference: "https://support.okta.com/help/s/article/How-to-Configure-the-Number-of-Failed-Login-Attempts-Before-User-Lockout?language=en_US",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    matches!(
        event_type(event),
        "user.account.lock" | "user.account.lock.limit"
    )
}

fn title(event: &Value) -> String {
    format!(
        "Okta: [{}] [{}]",
        or_placeholder(deep_str(event, &["actor", "alternateId"]), "<id-not-found>"),
        or_placeholder(
            deep_str(event, &["displayMessage"]),
            "account has been locked."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lock(event_type: &str) -> Value {
        json!({
            "eventType": event_type,
            "outcome": {"result": "FAILURE", "reason": "LOCKED_OUT"},
            "actor": {"displayName": "Bob", "alternateId": "bob@example.com"},
        })
    }

    #[test]
    fn lockout_and_lock_limit_match() {
        let m = RULE.evaluate(&lock("user.account.lock")).expect("match");
        assert_eq!(
            m.title,
            "Okta: [bob@example.com] [account has been locked.]"
        );
        assert_eq!(m.severity, Severity::Low);
        let mut limit = lock("user.account.lock.limit");
        limit["displayMessage"] = json!("Max sign in attempts exceeded");
        assert_eq!(
            RULE.evaluate(&limit).expect("match").title,
            "Okta: [bob@example.com] [Max sign in attempts exceeded]"
        );
    }

    #[test]
    fn unlock_or_other_event_does_not_match() {
        assert!(RULE.evaluate(&lock("user.account.unlock")).is_none());
        assert!(RULE.evaluate(&lock("group.privilege.grant")).is_none());
    }
}
