//! The built-in Okta pack: Panther's Okta rules and signals, natively. One file per rule,
//! named after what it detects; the rule id is Panther's.

use super::{Pack, Rule};

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
            let mut fired: Vec<&str> = detector()
                .evaluate(&case["event"])
                .iter()
                .map(|m| m.rule_id)
                .collect();
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
