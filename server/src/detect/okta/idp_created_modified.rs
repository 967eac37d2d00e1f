//! `Okta.Identity.Provider.Created.Modified`: an identity provider was created or changed in
//! any way (`system.idp.lifecycle.*`). A rogue IdP lets an attacker sign in as users it
//! routes. Follows Panther's `rules/okta_rules/okta_idp_create_modify.{py,yml}`: High for a
//! creation, Medium for any other lifecycle change.

use serde_json::Value;

use super::{actor_or_placeholders, target_values};
use crate::detect::{event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Identity.Provider.Created.Modified",
    name: "Okta Identity Provider Created or Modified",
    severity: Severity::High,
    dedup_period_minutes: 30,
    runbook: "Confirm the change with the admin and review the IdP's routing rules. Give \
              this right only to a custom admin role scoped away from highly privileged admins.",
    reference:
        "https://sec.okta.com/articles/2023/08/cross-tenant-impersonation-prevention-and-detection",
    matches,
    title,
    dynamic_severity: Some(severity),
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event).contains("system.idp.lifecycle")
}

fn title(event: &Value) -> String {
    let action = event_type(event).rsplit('.').next().unwrap_or_default();
    let target = target_values(event, "displayName")
        .first()
        .copied()
        .unwrap_or("<displayName-not-found>");
    format!(
        "{} {action}d Identity Provider [{target}]",
        actor_or_placeholders(event)
    )
}

fn severity(event: &Value) -> Severity {
    if event_type(event).contains("create") {
        Severity::High
    } else {
        Severity::Medium
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn idp(event_type: &str) -> Value {
        json!({
            "eventType": event_type,
            "outcome": {"result": "SUCCESS"},
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
            "target": [{"displayName": "Partner SAML", "type": "IdentityProvider"}],
        })
    }

    #[test]
    fn creation_is_high() {
        let m = RULE
            .evaluate(&idp("system.idp.lifecycle.create"))
            .expect("match");
        assert_eq!(
            m.title,
            "Ann <ann@example.com> created Identity Provider [Partner SAML]"
        );
        assert_eq!((m.severity, m.dedup_period_minutes), (Severity::High, 30));
    }

    #[test]
    fn other_lifecycle_changes_are_medium() {
        for (event_type, verb) in [
            ("system.idp.lifecycle.update", "updated"),
            ("system.idp.lifecycle.deactivate", "deactivated"),
            ("system.idp.lifecycle.activate", "activated"),
        ] {
            let m = RULE.evaluate(&idp(event_type)).expect(event_type);
            assert_eq!(m.severity, Severity::Medium);
            assert!(m.title.contains(verb), "{}", m.title);
        }
    }

    #[test]
    fn other_events_do_not_match() {
        for event_type in [
            "user.authentication.auth_via_mfa",
            "user.authentication.auth_via_IDP",
        ] {
            assert!(RULE.evaluate(&idp(event_type)).is_none());
        }
    }
}
