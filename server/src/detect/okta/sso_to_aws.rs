//! `Okta.SSO.to.AWS` (signal): a user signed in to AWS IAM Identity Center through Okta SSO.
//! Follows Panther's `rules/okta_rules/okta_sso_to_aws.{py,yml}` (`CreateAlert: false`).

use serde_json::Value;

use super::target_values_contain;
use crate::detect::{event_type, outcome_result, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.SSO.to.AWS",
    name: "SIGNAL - Okta SSO to AWS",
    severity: Severity::Info,
    signal: true,
    runbook: "A signal for correlating Okta sign-ins with AWS activity; nothing to do on its own.",
    // Panther's YAML has no reference; this is Okta's AWS IAM Identity Center guide.
    reference:
        "https://help.okta.com/en/prod/Content/Topics/DeploymentGuides/AWS/aws-deployment.htm",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "user.authentication.sso"
        && outcome_result(event) == "SUCCESS"
        && target_values_contain(event, "displayName", "AWS IAM Identity Center")
}

/// Panther's rule has no title function, so its signals carry the rule's display name.
fn title(_event: &Value) -> String {
    RULE.name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sso(targets: Value) -> Value {
        json!({
            "eventType": "user.authentication.sso",
            "outcome": {"result": "SUCCESS"},
            "actor": {"displayName": "Bob", "alternateId": "bob@example.com"},
            "target": targets,
        })
    }

    #[test]
    fn sso_to_identity_center_is_a_signal() {
        let event = sso(json!([
            {"type": "AppInstance", "alternateId": "AWS Production", "displayName": "AWS IAM Identity Center"},
            {"type": "AppUser", "alternateId": "aardvark", "displayName": "aardvark"},
        ]));
        let m = RULE.evaluate(&event).expect("match");
        assert!(m.signal);
        assert_eq!(m.title, "SIGNAL - Okta SSO to AWS");
    }

    #[test]
    fn sso_without_the_app_or_to_another_app_does_not_match() {
        assert!(RULE
            .evaluate(&sso(
                json!([{"type": "AppUser", "alternateId": "aardvark"}])
            ))
            .is_none());
        assert!(RULE
            .evaluate(&sso(json!([
                {"type": "AppInstance", "displayName": "Slack"},
                {"type": "AppUser", "displayName": "aardvark"},
            ])))
            .is_none());
        let mut failed =
            sso(json!([{"type": "AppInstance", "displayName": "AWS IAM Identity Center"}]));
        failed["outcome"]["result"] = json!("FAILURE");
        assert!(RULE.evaluate(&failed).is_none());
    }
}
