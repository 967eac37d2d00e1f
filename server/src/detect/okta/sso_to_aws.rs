//! `Okta.SSO.to.AWS` (signal): a user signed in to an AWS app through Okta SSO.

use serde_json::Value;

use crate::detect::{actor_label, deep_str, event_type, outcome_result, targets, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.SSO.to.AWS",
    name: "Signal - Okta SSO to AWS",
    severity: Severity::Info,
    signal: true,
    runbook: "A signal: used to correlate Okta sign-ins with AWS activity, no action needed.",
    reference:
        "https://help.okta.com/en/prod/Content/Topics/DeploymentGuides/AWS/aws-deployment.htm",
    matches,
    title,
    ..Rule::DEFAULT
};

fn aws_app(event: &Value) -> Option<&str> {
    targets(event)
        .iter()
        .filter(|t| deep_str(t, &["type"]) == "AppInstance")
        .map(|t| deep_str(t, &["displayName"]))
        .find(|name| name.contains("AWS") || name.contains("Amazon Web Services"))
}

fn matches(event: &Value) -> bool {
    event_type(event) == "user.authentication.sso"
        && outcome_result(event) == "SUCCESS"
        && aws_app(event).is_some()
}

fn title(event: &Value) -> String {
    format!(
        "{} signed in to [{}] via Okta SSO",
        actor_label(event),
        aws_app(event).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sso(app: &str) -> Value {
        json!({
            "eventType": "user.authentication.sso",
            "outcome": {"result": "SUCCESS"},
            "actor": {"displayName": "Bob", "alternateId": "bob@example.com"},
            "target": [{"type": "AppInstance", "displayName": app}],
        })
    }

    #[test]
    fn sso_to_aws_is_a_signal() {
        assert!(
            RULE.evaluate(&sso("AWS IAM Identity Center"))
                .expect("match")
                .signal
        );
    }

    #[test]
    fn sso_to_other_app_does_not_match() {
        assert!(RULE.evaluate(&sso("Slack")).is_none());
    }
}
