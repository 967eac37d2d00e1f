//! `Okta.AdminRoleAssigned`: a user was granted an administrator role.

use serde_json::Value;

use crate::detect::{
    actor_label, deep_str, event_type, first_target_str, outcome_result, Rule, Severity,
};

pub static RULE: Rule = Rule {
    id: "Okta.AdminRoleAssigned",
    name: "Okta Admin Role Assigned",
    severity: Severity::Info,
    runbook: "Confirm the grant was approved; Super administrator grants need a named owner.",
    reference:
        "https://help.okta.com/en/prod/Content/Topics/Security/administrators-admin-comparison.htm",
    matches,
    title,
    dynamic_severity: Some(severity),
    ..Rule::DEFAULT
};

fn privilege(event: &Value) -> &str {
    deep_str(event, &["debugContext", "debugData", "privilegeGranted"])
}

fn matches(event: &Value) -> bool {
    event_type(event) == "user.account.privilege.grant"
        && outcome_result(event) == "SUCCESS"
        && privilege(event)
            .to_ascii_lowercase()
            .contains("administrator")
}

fn title(event: &Value) -> String {
    format!(
        "{} granted [{}] privileges to {} <{}>",
        actor_label(event),
        privilege(event),
        first_target_str(event, "displayName"),
        first_target_str(event, "alternateId"),
    )
}

fn severity(event: &Value) -> Severity {
    if privilege(event).contains("Super administrator") {
        Severity::High
    } else {
        Severity::Info
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn grant(privilege: &str) -> Value {
        json!({
            "eventType": "user.account.privilege.grant",
            "outcome": {"result": "SUCCESS"},
            "actor": {"displayName": "Ann Admin", "alternateId": "ann@example.com"},
            "target": [{"displayName": "Bob", "alternateId": "bob@example.com", "type": "User"}],
            "debugContext": {"debugData": {"privilegeGranted": privilege}},
        })
    }

    #[test]
    fn super_admin_grant_is_high() {
        let m = RULE
            .evaluate(&grant("Super administrator, Read only admin"))
            .expect("match");
        assert_eq!(m.severity, Severity::High);
        assert!(m.title.contains("bob@example.com"));
    }

    #[test]
    fn other_admin_grant_is_info() {
        let m = RULE
            .evaluate(&grant("Application administrator"))
            .expect("match");
        assert_eq!(m.severity, Severity::Info);
    }

    #[test]
    fn non_admin_privilege_or_failure_does_not_match() {
        assert!(RULE.evaluate(&grant("Help desk")).is_none());
        let mut failed = grant("Super administrator");
        failed["outcome"]["result"] = json!("FAILURE");
        assert!(RULE.evaluate(&failed).is_none());
    }
}
