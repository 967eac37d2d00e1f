//! `Okta.AdminRoleAssigned`: a user was granted an administrator role. Follows Panther's
//! `rules/okta_rules/okta_admin_role_assigned.{py,yml}`: Info, High when the grant includes
//! Super administrator; one alert per Okta request.

use serde_json::Value;

use super::first_target_or;
use crate::detect::{deep_str, event_type, outcome_result, targets, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.AdminRoleAssigned",
    name: "Okta Admin Role Assigned",
    severity: Severity::Info,
    dedup_period_minutes: 15,
    runbook: "Check with the granting admin that the role change was requested and approved; \
              Super administrator grants need a named owner and a reason.",
    reference:
        "https://help.okta.com/en/prod/Content/Topics/Security/administrators-admin-comparison.htm",
    matches,
    title,
    dynamic_severity: Some(severity),
    dedup: Some(dedup),
    ..Rule::DEFAULT
};

fn privilege(event: &Value) -> &str {
    deep_str(event, &["debugContext", "debugData", "privilegeGranted"])
}

fn matches(event: &Value) -> bool {
    // Panther's pattern is `[aA]dministrator`: case-sensitive apart from the first letter.
    let privilege = privilege(event);
    event_type(event) == "user.account.privilege.grant"
        && outcome_result(event) == "SUCCESS"
        && (privilege.contains("administrator") || privilege.contains("Administrator"))
}

fn title(event: &Value) -> String {
    let privilege = match privilege(event) {
        "" => "<UNKNOWN_PRIVILEGE>",
        p => p,
    };
    let (name, id) = if targets(event).is_empty() {
        ("", "")
    } else {
        (
            first_target_or(event, "displayName", "MISSING DISPLAY NAME"),
            first_target_or(event, "alternateId", "MISSING ALTERNATE ID"),
        )
    };
    format!(
        "{} <{}> granted [{privilege}] privileges to {name} <{id}>",
        deep_str(event, &["actor", "displayName"]),
        deep_str(event, &["actor", "alternateId"]),
    )
}

fn severity(event: &Value) -> Severity {
    if privilege(event).contains("Super administrator") {
        Severity::High
    } else {
        Severity::Info
    }
}

/// One alert per admin-API request, however many roles it granted.
fn dedup(event: &Value) -> String {
    match deep_str(event, &["debugContext", "debugData", "requestId"]) {
        "" => "<UNKNOWN_REQUEST_ID>".to_string(),
        id => id.to_string(),
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
            "target": [{"displayName": "Bob Jones", "alternateId": "bob@example.com", "type": "User"}],
            "debugContext": {"debugData": {"privilegeGranted": privilege, "requestId": "req-42"}},
        })
    }

    #[test]
    fn org_admin_grant_is_info_and_deduped_by_request() {
        let m = RULE
            .evaluate(&grant(
                "Organization administrator, Application administrator (all)",
            ))
            .expect("match");
        assert_eq!(m.severity, Severity::Info);
        assert_eq!(m.dedup, "req-42");
        assert_eq!(m.dedup_period_minutes, 15);
        assert_eq!(
            m.title,
            "Ann Admin <ann@example.com> granted [Organization administrator, Application \
             administrator (all)] privileges to Bob Jones <bob@example.com>"
        );
    }

    #[test]
    fn super_admin_grant_is_high() {
        let m = RULE
            .evaluate(&grant("Super administrator, Read only admin"))
            .expect("match");
        assert_eq!(m.severity, Severity::High);
    }

    #[test]
    fn missing_request_id_uses_placeholder() {
        let mut event = grant("Application administrator");
        event["debugContext"]["debugData"]
            .as_object_mut()
            .expect("object")
            .remove("requestId");
        assert_eq!(
            RULE.evaluate(&event).expect("match").dedup,
            "<UNKNOWN_REQUEST_ID>"
        );
    }

    #[test]
    fn non_admin_privilege_failure_or_other_event_does_not_match() {
        assert!(RULE.evaluate(&grant("Help desk")).is_none());
        assert!(RULE.evaluate(&grant("SUPER ADMINISTRATOR")).is_none());
        let mut failed = grant("Super administrator");
        failed["outcome"]["result"] = json!("FAILURE");
        assert!(RULE.evaluate(&failed).is_none());
        let mut revoke = grant("Super administrator");
        revoke["eventType"] = json!("user.account.privilege.revoke");
        assert!(RULE.evaluate(&revoke).is_none());
    }
}
