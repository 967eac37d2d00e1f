//! Detections: the native rule model, Panther's helpers (`deep_get`, `okta_alert_context`) and
//! the built-in packs. One file per rule under [`okta`].
//!
//! A rule is a plain struct of function pointers so a pack is a `static` list that a newcomer
//! can read top to bottom. Defaults follow Panther: threshold 1, dedup period 60 minutes, dedup
//! string = title, cut at 1000 characters.
//!
//! Not wired into ingestion yet: [`Detector::evaluate`] is the entry point the engine will call
//! for every stored event.

use std::collections::HashSet;

use serde::Serialize;
use serde_json::{json, Map, Value};

pub use app::model::alert::Severity;

pub mod cli;
pub mod metadata;
pub mod okta;
pub mod python;
pub mod worker;

/// Panther's defaults.
pub const DEFAULT_DEDUP_PERIOD_MINUTES: u32 = 60;
pub const DEFAULT_THRESHOLD: u32 = 1;
pub const DEDUP_MAX_CHARS: usize = 1000;

/// One native detection. Fields mirror Panther's rule YAML and the optional Python functions.
#[derive(Debug)]
pub struct Rule {
    /// Panther's RuleID, e.g. `Okta.AdminRoleAssigned`.
    pub id: &'static str,
    /// Panther's DisplayName.
    pub name: &'static str,
    /// Severity when `dynamic_severity` is absent (Panther's YAML `Severity`).
    pub severity: Severity,
    pub dedup_period_minutes: u32,
    pub threshold: u32,
    /// Signals record matches but never raise alerts.
    pub signal: bool,
    pub runbook: &'static str,
    pub reference: &'static str,
    /// Panther's `rule(event)`.
    pub matches: fn(&Value) -> bool,
    /// Panther's `title(event)`.
    pub title: fn(&Value) -> String,
    /// Panther's `severity(event)`, where the rule has one.
    pub dynamic_severity: Option<fn(&Value) -> Severity>,
    /// Panther's `dedup(event)`; the title when absent.
    pub dedup: Option<fn(&Value) -> String>,
}

/// Field defaults for a rule literal: `Rule { id, name, matches, title, ..Rule::DEFAULT }`.
impl Rule {
    pub const DEFAULT: Rule = Rule {
        id: "",
        name: "",
        severity: Severity::Info,
        dedup_period_minutes: DEFAULT_DEDUP_PERIOD_MINUTES,
        threshold: DEFAULT_THRESHOLD,
        signal: false,
        runbook: "",
        reference: "",
        matches: |_| false,
        title: |_| String::new(),
        dynamic_severity: None,
        dedup: None,
    };

    pub fn severity_for(&self, event: &Value) -> Severity {
        self.dynamic_severity.map_or(self.severity, |f| f(event))
    }

    /// The dedup string, Panther-style: the rule's own or the title, at most 1000 characters.
    pub fn dedup_for(&self, event: &Value) -> String {
        let dedup = match self.dedup {
            Some(f) => f(event),
            None => (self.title)(event),
        };
        dedup.chars().take(DEDUP_MAX_CHARS).collect()
    }

    /// Evaluates one event; `None` when the rule does not match.
    pub fn evaluate(&self, event: &Value) -> Option<Match> {
        if !(self.matches)(event) {
            return None;
        }
        Some(Match {
            rule_id: self.id.to_owned(),
            title: (self.title)(event),
            severity: self.severity_for(event),
            dedup: self.dedup_for(event),
            dedup_period_minutes: self.dedup_period_minutes,
            threshold: self.threshold,
            signal: self.signal,
            context: okta_alert_context(event),
            runbook: self.runbook.to_owned(),
            reference: self.reference.to_owned(),
            destinations: None,
        })
    }
}

/// A rule that matched an event: everything the alert grouping needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    pub rule_id: String,
    pub title: String,
    pub severity: Severity,
    pub dedup: String,
    pub dedup_period_minutes: u32,
    pub threshold: u32,
    pub signal: bool,
    pub context: Value,
    /// The rule's runbook (Python rules: `runbook()` or the YAML's `Runbook`).
    pub runbook: String,
    /// The rule's reference link (Python rules: `reference()` or the YAML's `Reference`).
    pub reference: String,
    /// Python rules' `destinations()`: the destinations to notify instead of the defaults.
    pub destinations: Option<Vec<String>>,
}

/// A named group of rules that is enabled as a whole (per source, later).
#[derive(Debug)]
pub struct Pack {
    pub id: &'static str,
    pub name: &'static str,
    pub rules: &'static [&'static Rule],
}

impl Pack {
    pub fn rule(&self, id: &str) -> Option<&'static Rule> {
        self.rules.iter().copied().find(|r| r.id == id)
    }
}

/// Every built-in pack.
pub fn builtin_packs() -> &'static [&'static Pack] {
    static PACKS: [&Pack; 1] = [&okta::PACK];
    &PACKS
}

/// The rules enabled for one source: whole packs, minus rules switched off one by one.
#[derive(Debug, Default)]
pub struct Detector {
    rules: Vec<&'static Rule>,
}

impl Detector {
    pub fn new(packs: &[&'static Pack], disabled_rules: &HashSet<String>) -> Self {
        let rules = packs
            .iter()
            .flat_map(|p| p.rules.iter().copied())
            .filter(|r| !disabled_rules.contains(r.id))
            .collect();
        Detector { rules }
    }

    pub fn rules(&self) -> &[&'static Rule] {
        &self.rules
    }

    /// Every enabled rule that matches `event`, in pack order.
    pub fn evaluate(&self, event: &Value) -> Vec<Match> {
        self.rules
            .iter()
            .filter_map(|r| r.evaluate(event))
            .collect()
    }
}

/// Looks up a key, exact spelling first, then case-insensitively (Panther's events allow
/// `event.get("eventtype")`). JSON `null` counts as absent.
pub fn get_ci<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    let map = value.as_object()?;
    let found = map.get(key).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })?;
    (!found.is_null()).then_some(found)
}

/// Panther's `deep_get(event, "actor", "alternateId")`, case-insensitive at every level.
pub fn deep_get<'a>(event: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(event, |v, k| get_ci(v, k))
}

/// `deep_get` as a string; `""` when absent or not a string.
pub fn deep_str<'a>(event: &'a Value, keys: &[&str]) -> &'a str {
    deep_get(event, keys).and_then(Value::as_str).unwrap_or("")
}

/// The event's `eventType`.
pub fn event_type(event: &Value) -> &str {
    deep_str(event, &["eventType"])
}

/// `outcome.result`, e.g. `SUCCESS`.
pub fn outcome_result(event: &Value) -> &str {
    deep_str(event, &["outcome", "result"])
}

/// The `target` list (Okta sometimes sends `"target": null`).
pub fn targets(event: &Value) -> &[Value] {
    deep_get(event, &["target"])
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// A field of the first target, e.g. `target[0].alternateId`.
pub fn first_target_str<'a>(event: &'a Value, key: &str) -> &'a str {
    targets(event)
        .first()
        .and_then(|t| get_ci(t, key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// A field of the first target of type `kind` (`User`, `AppInstance`, ...).
pub fn target_of_type<'a>(event: &'a Value, kind: &str, key: &str) -> &'a str {
    targets(event)
        .iter()
        .find(|t| deep_str(t, &["type"]).eq_ignore_ascii_case(kind))
        .map_or("", |t| deep_str(t, &[key]))
}

/// `Display Name <alternateId>` for the actor, as Panther's titles show it.
pub fn actor_label(event: &Value) -> String {
    format!(
        "{} <{}>",
        deep_str(event, &["actor", "displayName"]),
        deep_str(event, &["actor", "alternateId"])
    )
}

/// Panther's `okta_alert_context(event)`: the fields an investigator needs first.
pub fn okta_alert_context(event: &Value) -> Value {
    let field = |key: &str, empty: Value| get_ci(event, key).cloned().unwrap_or(empty);
    let ips = deep_get(event, &["p_any_ip_addresses"])
        .cloned()
        .unwrap_or_else(|| {
            // Before normalization has filled the indicator array, fall back to the raw fields.
            let mut ips: Vec<&str> = Vec::new();
            let client_ip = deep_str(event, &["client", "ipAddress"]);
            let chain = deep_get(event, &["request", "ipChain"]).and_then(Value::as_array);
            let chain_ips = chain
                .into_iter()
                .flatten()
                .map(|hop| deep_str(hop, &["ip"]));
            for ip in std::iter::once(client_ip).chain(chain_ips) {
                if !ip.is_empty() && ip != "null" && !ips.contains(&ip) {
                    ips.push(ip);
                }
            }
            json!(ips)
        });
    let empty = || Value::Object(Map::new());
    json!({
        "event_type": event_type(event),
        "severity": deep_str(event, &["severity"]),
        "actor": field("actor", empty()),
        "client": field("client", empty()),
        "request": field("request", empty()),
        "outcome": field("outcome", empty()),
        "target": field("target", json!([])),
        "debug_context": field("debugContext", empty()),
        "authentication_context": field("authenticationContext", empty()),
        "security_context": field("securityContext", empty()),
        "ips": ips,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_get_ignores_key_case_and_treats_null_as_absent() {
        let event = json!({"Actor": {"AlternateID": "ann@example.com"}, "target": null});
        assert_eq!(
            deep_str(&event, &["actor", "alternateId"]),
            "ann@example.com"
        );
        assert!(deep_get(&event, &["target"]).is_none());
        assert!(targets(&event).is_empty());
        assert!(deep_get(&event, &["actor", "missing"]).is_none());
    }

    #[test]
    fn exact_key_wins_over_case_insensitive_match() {
        let event = json!({"eventtype": "wrong", "eventType": "right"});
        assert_eq!(event_type(&event), "right");
    }

    #[test]
    fn alert_context_has_panther_fields_and_falls_back_to_raw_ips() {
        let event = json!({
            "eventType": "user.session.start",
            "actor": {"alternateId": "ann@example.com"},
            "client": {"ipAddress": "203.0.113.7"},
            "request": {"ipChain": [{"ip": "203.0.113.7"}, {"ip": "198.51.100.1"}]},
        });
        let ctx = okta_alert_context(&event);
        assert_eq!(ctx["event_type"], "user.session.start");
        assert_eq!(ctx["actor"]["alternateId"], "ann@example.com");
        assert_eq!(ctx["ips"], json!(["203.0.113.7", "198.51.100.1"]));
        assert_eq!(ctx["target"], json!([]));

        let normalized = json!({"p_any_ip_addresses": ["192.0.2.1"]});
        assert_eq!(okta_alert_context(&normalized)["ips"], json!(["192.0.2.1"]));
    }

    #[test]
    fn dedup_defaults_to_title_and_is_capped() {
        let rule = Rule {
            id: "Test.Long",
            matches: |_| true,
            title: |_| "x".repeat(1500),
            ..Rule::DEFAULT
        };
        let m = rule.evaluate(&json!({})).expect("matches");
        assert_eq!(m.dedup.chars().count(), DEDUP_MAX_CHARS);
        assert_eq!(m.threshold, 1);
        assert_eq!(m.dedup_period_minutes, 60);
    }

    #[test]
    fn detector_skips_disabled_rules() {
        let event = json!({
            "eventType": "system.api_token.create",
            "outcome": {"result": "SUCCESS"},
        });
        let all = Detector::new(builtin_packs(), &HashSet::new());
        assert!(all
            .evaluate(&event)
            .iter()
            .any(|m| m.rule_id == "Okta.APIKeyCreated"));

        let disabled = HashSet::from(["Okta.APIKeyCreated".to_string()]);
        let some = Detector::new(builtin_packs(), &disabled);
        assert!(some.evaluate(&event).is_empty());
        assert_eq!(some.rules().len() + 1, all.rules().len());
    }

    #[test]
    fn rule_ids_are_unique_and_documented() {
        let mut seen = HashSet::new();
        for pack in builtin_packs() {
            for rule in pack.rules {
                assert!(seen.insert(rule.id), "duplicate rule id {}", rule.id);
                assert!(
                    !rule.name.is_empty() && !rule.runbook.is_empty(),
                    "{}",
                    rule.id
                );
                assert!(rule.threshold >= 1, "{}", rule.id);
            }
        }
    }
}
