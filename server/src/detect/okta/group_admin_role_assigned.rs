//! `Okta.Group.AdminRoleAssigned`: an admin role was granted to a whole group.

use serde_json::Value;

use crate::detect::{actor_label, deep_str, event_type, first_target_str, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Group.AdminRoleAssigned",
    name: "Okta Group Admin Role Assigned",
    severity: Severity::Medium,
    runbook: "Confirm the grant; every current and future member of the group becomes an admin.",
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
    event_type(event) == "group.privilege.grant"
}

fn title(event: &Value) -> String {
    format!(
        "{} granted [{}] privileges to group [{}]",
        actor_label(event),
        privilege(event),
        first_target_str(event, "displayName"),
    )
}

fn severity(event: &Value) -> Severity {
    if privilege(event).contains("Super administrator") {
        Severity::High
    } else {
        Severity::Medium
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn grant(privilege: &str) -> Value {
        json!({
            "eventType": "group.privilege.grant",
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
            "target": [{"displayName": "IT Staff", "type": "UserGroup"}],
            "debugContext": {"debugData": {"privilegeGranted": privilege}},
        })
    }

    #[test]
    fn super_admin_to_group_is_high() {
        assert_eq!(
            RULE.evaluate(&grant("Super administrator"))
                .expect("match")
                .severity,
            Severity::High
        );
        assert_eq!(
            RULE.evaluate(&grant("Help Desk administrator"))
                .expect("match")
                .severity,
            Severity::Medium
        );
    }

    #[test]
    fn user_grant_does_not_match() {
        let mut event = grant("Super administrator");
        event["eventType"] = json!("user.account.privilege.grant");
        assert!(RULE.evaluate(&event).is_none());
    }
}
