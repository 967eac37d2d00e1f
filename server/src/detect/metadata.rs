//! Panther's rule YAML (the `*.yml` next to each Python rule): parsed and checked into
//! [`RuleMetadata`], with every problem reported in words. Never panics, whatever the input;
//! unknown keys are ignored, as panther_analysis_tool does with keys it does not use.
//!
//! ```yaml
//! AnalysisType: rule
//! Filename: okta_admin_role_assigned.py
//! RuleID: Custom.Okta.AdminRoleAssigned
//! Severity: High
//! Tests:
//!   - Name: Super admin granted
//!     ExpectedResult: true
//!     Log: {"eventType": "user.account.privilege.grant"}
//! ```

use serde::Deserialize;
use serde_json::Value;

use super::{Severity, DEFAULT_DEDUP_PERIOD_MINUTES, DEFAULT_THRESHOLD};

/// A rule's YAML, checked. Defaults are Panther's.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleMetadata {
    /// `rule`, `scheduled_rule`, `policy`, ... (lower case). Only `rule` is run here.
    pub analysis_type: String,
    /// The Python file, relative to the YAML file.
    pub filename: String,
    pub rule_id: String,
    pub display_name: Option<String>,
    pub enabled: bool,
    pub severity: Severity,
    pub dedup_period_minutes: u32,
    pub threshold: u32,
    pub log_types: Vec<String>,
    pub description: String,
    pub runbook: String,
    pub reference: String,
    pub tags: Vec<String>,
    pub tests: Vec<RuleTest>,
}

/// One of the YAML's `Tests`: an event and whether the rule should match it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleTest {
    pub name: String,
    pub expected_result: bool,
    /// The event, as JSON (YAML maps become JSON objects).
    pub log: Value,
}

/// What is wrong with a rule's YAML, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("not valid YAML: {0}")]
    Yaml(String),
    #[error("`{key}` is required")]
    Missing { key: &'static str },
    #[error("`{key}` {problem}")]
    Invalid { key: String, problem: String },
}

impl RuleMetadata {
    /// The title when the rule has no `title()`: Panther uses the DisplayName, else the RuleID.
    pub fn default_title(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.rule_id)
    }

    /// A rule's metadata with Panther's defaults, for rules written in the browser (no YAML).
    pub fn new(rule_id: &str, severity: Severity) -> Self {
        RuleMetadata {
            analysis_type: "rule".into(),
            filename: format!("{rule_id}.py"),
            rule_id: rule_id.into(),
            display_name: None,
            enabled: true,
            severity,
            dedup_period_minutes: DEFAULT_DEDUP_PERIOD_MINUTES,
            threshold: DEFAULT_THRESHOLD,
            log_types: vec!["Okta.SystemLog".into()],
            description: String::new(),
            runbook: String::new(),
            reference: String::new(),
            tags: Vec::new(),
            tests: Vec::new(),
        }
    }

    /// Parses and checks one YAML document.
    pub fn parse(yaml: &str) -> Result<Self, MetadataError> {
        let raw: RawMetadata =
            serde_yaml::from_str(yaml).map_err(|e| MetadataError::Yaml(e.to_string()))?;
        raw.check()
    }
}

/// The YAML as written: every field optional so that a missing one gets a message in words
/// rather than serde's.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawMetadata {
    analysis_type: Option<String>,
    filename: Option<String>,
    #[serde(rename = "RuleID")]
    rule_id: Option<String>,
    display_name: Option<String>,
    enabled: Option<bool>,
    severity: Option<String>,
    dedup_period_minutes: Option<i64>,
    threshold: Option<i64>,
    log_types: Option<Vec<String>>,
    description: Option<String>,
    runbook: Option<String>,
    reference: Option<String>,
    tags: Option<Vec<String>>,
    tests: Option<Vec<RawTest>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawTest {
    name: Option<String>,
    expected_result: Option<bool>,
    log: Option<serde_yaml::Value>,
}

/// Non-empty after trimming, or `None`.
fn present(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn invalid(key: impl Into<String>, problem: impl Into<String>) -> MetadataError {
    MetadataError::Invalid {
        key: key.into(),
        problem: problem.into(),
    }
}

/// A whole number of at least 1 that fits in `u32`.
fn positive(key: &str, value: Option<i64>, default: u32) -> Result<u32, MetadataError> {
    match value {
        None => Ok(default),
        Some(n) if n < 1 => Err(invalid(key, format!("must be at least 1, not {n}"))),
        Some(n) => u32::try_from(n).map_err(|_| invalid(key, format!("is too large ({n})"))),
    }
}

impl RawMetadata {
    fn check(self) -> Result<RuleMetadata, MetadataError> {
        let analysis_type = present(self.analysis_type)
            .ok_or(MetadataError::Missing {
                key: "AnalysisType",
            })?
            .to_ascii_lowercase();
        let rule_id = present(self.rule_id).ok_or(MetadataError::Missing { key: "RuleID" })?;
        if rule_id.chars().any(char::is_control) {
            return Err(invalid("RuleID", "must not contain control characters"));
        }
        let filename = present(self.filename).ok_or(MetadataError::Missing { key: "Filename" })?;
        if !filename.ends_with(".py") {
            return Err(invalid(
                "Filename",
                format!("must name a Python file (.py), not `{filename}`"),
            ));
        }
        if filename.contains("..") || filename.starts_with('/') {
            return Err(invalid(
                "Filename",
                "must be a file next to the YAML, not a path out of its directory",
            ));
        }
        let severity_text =
            present(self.severity).ok_or(MetadataError::Missing { key: "Severity" })?;
        let severity = Severity::parse(&severity_text).ok_or_else(|| {
            invalid(
                "Severity",
                format!("must be Info, Low, Medium, High or Critical, not `{severity_text}`"),
            )
        })?;
        let dedup_period_minutes = positive(
            "DedupPeriodMinutes",
            self.dedup_period_minutes,
            DEFAULT_DEDUP_PERIOD_MINUTES,
        )?;
        let threshold = positive("Threshold", self.threshold, DEFAULT_THRESHOLD)?;
        let tests = self
            .tests
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, t)| t.check(i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RuleMetadata {
            analysis_type,
            filename,
            rule_id,
            display_name: present(self.display_name),
            enabled: self.enabled.unwrap_or(true),
            severity,
            dedup_period_minutes,
            threshold,
            log_types: self.log_types.unwrap_or_default(),
            description: self.description.unwrap_or_default(),
            runbook: self.runbook.unwrap_or_default(),
            reference: self.reference.unwrap_or_default(),
            tags: self.tags.unwrap_or_default(),
            tests,
        })
    }
}

impl RawTest {
    fn check(self, index: usize) -> Result<RuleTest, MetadataError> {
        let key = |field: &str| format!("Tests[{index}].{field}");
        let name = present(self.name).ok_or_else(|| invalid(key("Name"), "is required"))?;
        let expected_result = self
            .expected_result
            .ok_or_else(|| invalid(key("ExpectedResult"), "is required (true or false)"))?;
        let log = self
            .log
            .ok_or_else(|| invalid(key("Log"), "is required (the event)"))?;
        let log = yaml_to_json(log).map_err(|problem| invalid(key("Log"), problem))?;
        if !log.is_object() {
            return Err(invalid(key("Log"), "must be a map (one event)"));
        }
        Ok(RuleTest {
            name,
            expected_result,
            log,
        })
    }
}

/// YAML to JSON: map keys must be strings (or scalars, turned into strings); YAML tags are
/// dropped, as Panther's loader does.
fn yaml_to_json(value: serde_yaml::Value) -> Result<Value, String> {
    use serde_yaml::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                // NaN and infinities have no JSON form.
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(|| format!("has a number JSON cannot hold ({n})"))?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Bool(b) => b.to_string(),
                    Y::Number(n) => n.to_string(),
                    Y::Null => "null".into(),
                    _ => return Err("has a map key that is not a string".into()),
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FULL: &str = r#"
AnalysisType: rule
Filename: okta_admin.py
RuleID: "Custom.Okta.Admin"
DisplayName: "Admin granted"
Enabled: true
Severity: high
DedupPeriodMinutes: 30
Threshold: 2
LogTypes: [Okta.SystemLog]
Description: Something happened.
Runbook: Look at it.
Reference: https://example.com
Tags: [Okta, Privilege]
Reports: {MITRE ATT&CK: ["TA0004:T1098"]}
Tests:
  - Name: positive
    ExpectedResult: true
    Log:
      eventType: user.account.privilege.grant
      actor: {alternateId: ann@example.com}
      target: [{type: User}]
  - Name: negative
    ExpectedResult: false
    Log: {"eventType": "user.session.start", "count": 3, "ratio": 0.5}
"#;

    #[test]
    fn parses_every_field_and_ignores_unknown_keys() {
        let m = RuleMetadata::parse(FULL).expect("valid");
        assert_eq!(m.rule_id, "Custom.Okta.Admin");
        assert_eq!(m.filename, "okta_admin.py");
        assert_eq!(m.default_title(), "Admin granted");
        assert_eq!(m.severity, Severity::High);
        assert_eq!((m.dedup_period_minutes, m.threshold), (30, 2));
        assert_eq!(m.tags, ["Okta", "Privilege"]);
        assert_eq!(m.tests.len(), 2);
        assert!(m.tests[0].expected_result);
        assert_eq!(m.tests[0].log["actor"]["alternateId"], "ann@example.com");
        assert_eq!(m.tests[1].log["count"], json!(3));
        assert_eq!(m.tests[1].log["ratio"], json!(0.5));
    }

    #[test]
    fn applies_panther_defaults() {
        let m = RuleMetadata::parse(
            "AnalysisType: rule\nFilename: a.py\nRuleID: A.B\nSeverity: INFO\n",
        )
        .expect("valid");
        assert_eq!(m.dedup_period_minutes, 60);
        assert_eq!(m.threshold, 1);
        assert!(m.enabled);
        assert_eq!(m.default_title(), "A.B");
        assert!(m.tests.is_empty());
    }

    fn error(yaml: &str) -> String {
        RuleMetadata::parse(yaml).expect_err("invalid").to_string()
    }

    #[test]
    fn problems_are_reported_in_words() {
        let base = "AnalysisType: rule\nFilename: a.py\nSeverity: Low\n";
        assert_eq!(error(base), "`RuleID` is required");
        assert_eq!(
            error("AnalysisType: rule\nRuleID: A\nSeverity: Low\n"),
            "`Filename` is required"
        );
        assert!(error(&format!("{base}RuleID: A\nThreshold: 0\n"))
            .contains("`Threshold` must be at least 1, not 0"));
        assert!(error(&format!("{base}RuleID: A\nDedupPeriodMinutes: -5\n"))
            .contains("DedupPeriodMinutes"));
        assert!(
            error("AnalysisType: rule\nFilename: a.py\nRuleID: A\nSeverity: Severe\n")
                .contains("must be Info, Low, Medium, High or Critical, not `Severe`")
        );
        assert!(error(&format!("{base}RuleID: A\nThreshold: many\n")).starts_with("not valid YAML"));
        assert!(error(&format!(
            "{base}RuleID: A\nTests:\n  - Name: t\n    Log: {{}}\n"
        ))
        .contains("Tests[0].ExpectedResult"));
        assert!(
            error("AnalysisType: rule\nFilename: ../x.py\nRuleID: A\nSeverity: Low\n")
                .contains("Filename")
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        for yaml in [
            "",
            "~",
            "[]",
            "- 1\n- 2",
            "AnalysisType: [1]",
            "RuleID: {a: b}",
            ":\n:\n",
            "AnalysisType: rule\nFilename: a.py\nRuleID: A\nSeverity: Low\nThreshold: 99999999999999999999\n",
            "AnalysisType: rule\nFilename: a.py\nRuleID: A\nSeverity: Low\nTests: [{Name: t, ExpectedResult: true, Log: {[1]: 2}}]\n",
            "AnalysisType: rule\nFilename: a.py\nRuleID: A\nSeverity: Low\nTests: [{Name: t, ExpectedResult: true, Log: {x: .nan}}]\n",
            "AnalysisType: rule\nFilename: a.py\nRuleID: A\nSeverity: Low\nTests: [{Name: t, ExpectedResult: true, Log: [1]}]\n",
            "\u{0}\u{1}",
            "&a [*a]",
        ] {
            assert!(RuleMetadata::parse(yaml).is_err(), "{yaml:?}");
        }
    }
}
