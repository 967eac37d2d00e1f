//! The built-in Okta pack: Panther's Okta rules and signals, natively. One file per rule,
//! named after what it detects; the rule id is Panther's. Each rule follows the file named
//! below in `panther-labs/panther-analysis` `rules/okta_rules/` (`.py` for the logic, `.yml`
//! for the settings); runbooks are our own words.
//!
//! | rule id | severity | dedup minutes | threshold | Panther file |
//! |---|---|---|---|---|
//! | `Okta.AdminRoleAssigned` | Info, High for Super administrator | 15 | 1 | `okta_admin_role_assigned` |
//! | `Okta.APIKeyCreated` | Info | 60 | 1 | `okta_api_key_created` |
//! | `Okta.APIKeyRevoked` | Info | 60 | 1 | `okta_api_key_revoked` |
//! | `Okta.Support.Access` | Medium | 15 | 1 | `okta_account_support_access` |
//! | `Okta.Support.Reset` | High | 15 | 1 | `okta_support_reset` |
//! | `Okta.Global.MFA.Disabled` | High | 15 | 1 | `okta_admin_disabled_mfa` |
//! | `Okta.ThreatInsight.Security.Threat.Detected` | High; Info if denied, else from `threatDetections` (Medium if none) | 60 | 1 | `okta_threatinsight_security_threat_detected` |
//! | `Okta.User.Account.Locked` | Low | 60 | 1 | `okta_user_account_locked` |
//! | `Okta.User.MFA.Factor.Suspend` | High | 60 | 1 | `okta_user_mfa_factor_suspend` |
//! | `Okta.User.MFA.Reset.Single` | Info | 60 | 1 | `okta_user_mfa_reset` |
//! | `Okta.User.MFA.Reset.All` | Low | 60 | 1 | `okta_user_mfa_reset_all` |
//! | `Okta.User.Reported.Suspicious.Activity` | High | 60 | 1 | `okta_user_reported_suspicious_activity` |
//! | `Okta.Refresh.Access.Token.Reuse` | Medium | 60 | 1 | `okta_app_refresh_access_token_reuse` |
//! | `Okta.App.Unauthorized.Access.Attempt` | Low | 60 | 5 | `okta_app_unauthorized_access_attempt` |
//! | `Okta.Group.Admin.Role.Assigned` | High | 60 | 1 | `okta_group_admin_role_assigned` |
//! | `Okta.Rate.Limits` | Low | 1440 | 1 | `okta_rate_limits` |
//! | `Okta.Anonymizing.VPN.Login` | Medium, Info for Apple Private Relay | 360 | 1 | `okta_anonymizing_vpn_login` |
//! | `Okta.Identity.Provider.Created.Modified` | High for create, else Medium | 30 | 1 | `okta_idp_create_modify` |
//! | `Okta.New.Behavior.Accessing.Admin.Console` | High | 60 | 1 | `okta_new_behavior_accessing_admin_console` |
//! | `Okta.Org2org.Creation.Modification` | High for create, else Medium | 60 | 1 | `okta_org2org_creation_modification` |
//! | `Okta.Password.Extraction.via.SCIM` | High | 30 | 1 | `okta_password_extraction_via_scim` |
//! | `Okta.Phishing.Attempt.Blocked.FastPass` | High | 30 | 1 | `okta_phishing_attempt_blocked_by_fastpass` |
//! | `Okta.PasswordAccess` | Medium | 60 | 1 | `okta_password_accessed` |
//! | `Okta.PotentiallyStolenSession` | High | 60 | 1 | `okta_potentially_stolen_session` (stateful) |
//! | `Okta.Login.Success` (signal) | Info | 60 | 1 | `okta_login_signal` |
//! | `Okta.SSO.to.AWS` (signal) | Info | 60 | 1 | `okta_sso_to_aws` |

use serde_json::Value;

use super::{deep_str, first_target_str, targets, Pack, Rule};

pub mod account_locked;
pub mod admin_role_assigned;
pub mod anonymizing_vpn_login;
pub mod api_key_created;
pub mod api_key_revoked;
pub mod global_mfa_disabled;
pub mod group_admin_role_assigned;
pub mod idp_created_modified;
pub mod login_success;
pub mod mfa_factor_suspend;
pub mod mfa_reset_all;
pub mod mfa_reset_single;
pub mod new_behavior_admin_console;
pub mod org2org_created_modified;
pub mod password_accessed;
pub mod password_extraction_via_scim;
pub mod phishing_blocked_by_fastpass;
pub mod potentially_stolen_session;
pub mod rate_limits;
pub mod refresh_token_reuse;
pub mod sso_to_aws;
pub mod support_access;
pub mod support_reset;
pub mod threatinsight_threat_detected;
pub mod unauthorized_app_access;
pub mod user_reported_suspicious_activity;

/// Rules first, then signals.
static RULES: [&Rule; 26] = [
    &admin_role_assigned::RULE,
    &api_key_created::RULE,
    &api_key_revoked::RULE,
    &support_access::RULE,
    &support_reset::RULE,
    &global_mfa_disabled::RULE,
    &threatinsight_threat_detected::RULE,
    &account_locked::RULE,
    &mfa_factor_suspend::RULE,
    &mfa_reset_single::RULE,
    &mfa_reset_all::RULE,
    &user_reported_suspicious_activity::RULE,
    &refresh_token_reuse::RULE,
    &unauthorized_app_access::RULE,
    &group_admin_role_assigned::RULE,
    &rate_limits::RULE,
    &anonymizing_vpn_login::RULE,
    &idp_created_modified::RULE,
    &new_behavior_admin_console::RULE,
    &org2org_created_modified::RULE,
    &password_extraction_via_scim::RULE,
    &phishing_blocked_by_fastpass::RULE,
    &password_accessed::RULE,
    &potentially_stolen_session::RULE,
    &login_success::RULE,
    &sso_to_aws::RULE,
];

pub static PACK: Pack = Pack {
    id: "okta",
    name: "Okta",
    rules: &RULES,
};

/// `value`, or Panther's placeholder (e.g. `<id-not-found>`) when the field is missing or empty.
pub(crate) fn or_placeholder<'a>(value: &'a str, placeholder: &'a str) -> &'a str {
    if value.is_empty() {
        placeholder
    } else {
        value
    }
}

/// Panther's data-model `actor_user`: the actor's alternateId, or its display name when Okta
/// logged the id as `unknown`.
pub(crate) fn actor_user(event: &Value) -> &str {
    let id = deep_str(event, &["actor", "alternateId"]);
    if !id.is_empty() && id != "unknown" {
        return id;
    }
    or_placeholder(deep_str(event, &["actor", "displayName"]), "Unknown User")
}

/// `Display Name <alternateId>` with Panther's not-found placeholders, the start of many titles.
pub(crate) fn actor_or_placeholders(event: &Value) -> String {
    format!(
        "{} <{}>",
        or_placeholder(
            deep_str(event, &["actor", "displayName"]),
            "<displayName-not-found>"
        ),
        or_placeholder(
            deep_str(event, &["actor", "alternateId"]),
            "alternateId-not-found"
        ),
    )
}

/// A field of the first target, or `placeholder` (Panther's `event.get("target", [{}])[0]`).
pub(crate) fn first_target_or<'a>(event: &'a Value, key: &str, placeholder: &'a str) -> &'a str {
    or_placeholder(first_target_str(event, key), placeholder)
}

/// Panther's `deep_walk(event, "target", key)`: the distinct string values of `key` across all
/// targets, in target order.
pub(crate) fn target_values<'a>(event: &'a Value, key: &str) -> Vec<&'a str> {
    let mut values: Vec<&str> = Vec::new();
    for value in targets(event).iter().map(|t| deep_str(t, &[key])) {
        if !value.is_empty() && !values.contains(&value) {
            values.push(value);
        }
    }
    values
}

/// Panther's `needle in deep_walk(event, "target", key)`: `deep_walk` returns a bare string when
/// exactly one target has the field (so `in` is a substring test) and a list otherwise (so `in`
/// is an exact match on one element).
pub(crate) fn target_values_contain(event: &Value, key: &str, needle: &str) -> bool {
    match target_values(event, key).as_slice() {
        [only] => only.contains(needle),
        several => several.contains(&needle),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use serde_json::Value;

    use crate::detect::Detector;

    fn detector() -> Detector {
        Detector::new(&[&super::PACK], &HashSet::new())
    }

    /// Full Okta-shaped events, one per line: `{"expected_rules": [...], "event": {...}}`.
    #[test]
    fn the_pack_fires_exactly_the_expected_rules_on_realistic_events() {
        let cases = include_str!("../../../tests/fixtures/detect/okta_pack_cases.ndjson");
        for line in cases.lines().filter(|l| !l.trim().is_empty()) {
            let case: Value = serde_json::from_str(line).expect("valid case");
            let mut expected: Vec<&str> = case["expected_rules"]
                .as_array()
                .expect("expected_rules")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let fired = detector().evaluate(&case["event"]);
            let mut fired: Vec<&str> = fired.iter().map(|m| m.rule_id.as_str()).collect();
            expected.sort_unstable();
            fired.sort_unstable();
            assert_eq!(fired, expected, "event {}", case["event"]["uuid"]);
        }
    }

    /// The System Log quirks (`"target": null`, `"null"` strings, numbers where strings are
    /// expected) must never panic a rule.
    #[test]
    fn the_pack_survives_the_system_log_quirk_fixtures() {
        let fixtures = [
            include_str!("../../../tests/fixtures/system_log/quirk_null_strings.json"),
            include_str!(
                "../../../tests/fixtures/system_log/quirk_numeric_version_and_postal_code.json"
            ),
            include_str!("../../../tests/fixtures/system_log/quirk_system_event.json"),
            include_str!("../../../tests/fixtures/system_log/quirk_target_null.json"),
            include_str!("../../../tests/fixtures/system_log/quirk_debug_data_strings.json"),
            include_str!("../../../tests/fixtures/system_log/quirk_unknown_fields.json"),
        ];
        for fixture in fixtures {
            let event: Value = serde_json::from_str(fixture).expect("fixture is JSON");
            for m in detector().evaluate(&event) {
                assert!(!m.title.is_empty(), "{}", m.rule_id);
            }
        }
    }
}
