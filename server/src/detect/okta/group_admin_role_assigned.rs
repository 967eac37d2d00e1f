//! `Okta.Group.Admin.Role.Assigned`: an admin role was granted to a whole group. Follows
//! Panther's `rules/okta_rules/okta_group_admin_role_assigned.{py,yml}`: always High, because
//! every current and future member of the group becomes an admin.

use serde_json::Value;

use super::first_target_or;
use crate::detect::{event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.Group.Admin.Role.Assigned",
    name: "Okta Group Admin Role Assigned",
    severity: Severity::High,
    runbook: "Confirm the grant with the admin who made it and review who is in the group; \
              anyone added to it later becomes an admin too.",
    reference: "https://support.okta.com/help/s/article/How-to-assign-Administrator-roles-to-groups?language=en_US#:~:text=Log%20in%20to%20the%20Admin,user%20and%20click%20Save%20changes",
    matches,
    title,
    ..Rule::DEFAULT
};

fn matches(event: &Value) -> bool {
    event_type(event) == "group.privilege.grant"
}

fn title(event: &Value) -> String {
    format!(
        "Okta Admin Privileges Assigned to Group [{}]",
        first_target_or(event, "alternateId", "<id-not-found>")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn grant(event_type: &str, privilege: &str) -> Value {
        json!({
            "eventType": event_type,
            "actor": {"displayName": "Ann", "alternateId": "ann@example.com"},
            "target": [{"displayName": "IT Staff", "alternateId": "00g1itstaff", "type": "UserGroup"}],
            "debugContext": {"debugData": {"privilegeGranted": privilege}},
        })
    }

    #[test]
    fn any_group_grant_is_high() {
        for privilege in ["Super administrator", "Help Desk administrator"] {
            let m = RULE
                .evaluate(&grant("group.privilege.grant", privilege))
                .expect("match");
            assert_eq!(m.severity, Severity::High);
            assert_eq!(
                m.title,
                "Okta Admin Privileges Assigned to Group [00g1itstaff]"
            );
        }
    }

    #[test]
    fn user_grant_or_other_event_does_not_match() {
        for event_type in ["user.account.privilege.grant", "app.token.reuse"] {
            assert!(RULE
                .evaluate(&grant(event_type, "Super administrator"))
                .is_none());
        }
    }
}
