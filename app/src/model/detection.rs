//! Detections as the browser sees them: packs and rules with their per-source switches and
//! recent activity, custom Python rules and the rule test panel.

use serde::{Deserialize, Serialize};

use super::{alert::Severity, source::FieldProblem, FieldError};

/// The pack of the built-in native Okta rules.
pub const OKTA_PACK: &str = "okta";
/// The pack formed by every custom Python rule.
pub const CUSTOM_PACK: &str = "custom";
/// Packs a new source starts with.
pub const DEFAULT_PACKS: [&str; 2] = [OKTA_PACK, CUSTOM_PACK];

/// Panther's defaults for a rule's metadata.
pub const DEFAULT_DEDUP_PERIOD_MINUTES: u32 = 60;
pub const DEFAULT_THRESHOLD: u32 = 1;
/// A day: the longest dedup period offered.
pub const MAX_DEDUP_PERIOD_MINUTES: u32 = 1440;
pub const MAX_THRESHOLD: u32 = 10_000;
/// The largest rule body accepted (bytes).
pub const MAX_RULE_BODY: usize = 64 * 1024;

/// The Detections page for one source (or for none, when no source exists yet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectionsOverview {
    /// Every source, `(id, name)`, for the source picker.
    pub sources: Vec<(i64, String)>,
    /// The source the switches are about.
    pub source_id: Option<i64>,
    pub packs: Vec<PackView>,
    /// Whether custom Python rules can run (the embedded interpreter started).
    pub python: Result<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackView {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Enabled for the selected source.
    pub enabled: bool,
    pub rules: Vec<RuleView>,
}

/// One rule or signal in a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleView {
    pub id: String,
    pub name: String,
    pub severity: Severity,
    /// The severity depends on the event (`severity(event)`).
    pub dynamic_severity: bool,
    pub dedup_period_minutes: u32,
    pub threshold: u32,
    /// Signals record matches and never alert.
    pub signal: bool,
    /// Custom (Python) rule.
    pub custom: bool,
    /// Enabled for the selected source (inside its pack).
    pub enabled: bool,
    /// For custom rules: Panther's `Enabled` (off means off for every source).
    pub globally_enabled: bool,
    /// Matches over the last 24 hours, every source.
    pub matches_24h: i64,
    pub errors: i64,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
}

/// Everything shown about one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleDetail {
    pub view: RuleView,
    pub pack_id: String,
    pub description: String,
    pub runbook: String,
    pub reference: String,
    /// Custom rules only: what the editor loads.
    pub custom: Option<CustomRuleInput>,
    /// The latest matches, newest first.
    pub recent_matches: Vec<RuleMatchRow>,
}

/// One recorded match of a rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleMatchRow {
    pub event_id: i64,
    pub matched_at: String,
    pub source_name: String,
    pub event_type: String,
    pub actor: Option<String>,
    pub alert_id: Option<i64>,
}

/// A custom rule as written in the editor: Panther's metadata fields and the Python body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomRuleInput {
    /// Panther's `RuleID`, e.g. `Custom.Okta.AdminFromNewCountry`.
    pub rule_id: String,
    pub display_name: String,
    pub description: String,
    pub severity: Severity,
    pub dedup_period_minutes: u32,
    pub threshold: u32,
    pub runbook: String,
    pub reference: String,
    pub enabled: bool,
    /// Python defining `rule(event)` and optionally `title`, `dedup`, `severity`,
    /// `alert_context`, `runbook`, `reference`, `destinations`.
    pub body: String,
}

impl CustomRuleInput {
    /// A new rule's starting point.
    pub fn template() -> Self {
        CustomRuleInput {
            rule_id: String::new(),
            display_name: String::new(),
            description: String::new(),
            severity: Severity::Medium,
            dedup_period_minutes: DEFAULT_DEDUP_PERIOD_MINUTES,
            threshold: DEFAULT_THRESHOLD,
            runbook: String::new(),
            reference: String::new(),
            enabled: true,
            body: RULE_TEMPLATE.to_owned(),
        }
    }

    /// The field checks both sides run (the server also compiles the Python).
    pub fn validate(&self) -> Result<CustomRuleInput, Vec<FieldError>> {
        let mut problems = Vec::new();
        let mut refuse = |field: &str, problem: String| {
            problems.push(FieldError {
                field: field.into(),
                problem: FieldProblem::new(problem),
            })
        };
        let rule_id = self.rule_id.trim().to_owned();
        if let Err(problem) = validate_rule_id(&rule_id) {
            refuse("rule_id", problem);
        }
        if self.display_name.chars().count() > 200 {
            refuse("display_name", "Use at most 200 characters.".into());
        }
        if !(1..=MAX_DEDUP_PERIOD_MINUTES).contains(&self.dedup_period_minutes) {
            refuse(
                "dedup_period_minutes",
                format!("Choose between 1 and {MAX_DEDUP_PERIOD_MINUTES} minutes."),
            );
        }
        if !(1..=MAX_THRESHOLD).contains(&self.threshold) {
            refuse(
                "threshold",
                format!("Choose between 1 and {MAX_THRESHOLD} events."),
            );
        }
        if self.body.len() > MAX_RULE_BODY {
            refuse(
                "body",
                format!("The rule is larger than {} KiB.", MAX_RULE_BODY / 1024),
            );
        } else if !self.body.contains("def rule(") {
            refuse("body", "Define the rule function: def rule(event):".into());
        }
        if problems.is_empty() {
            Ok(CustomRuleInput {
                rule_id,
                display_name: self.display_name.trim().to_owned(),
                ..self.clone()
            })
        } else {
            Err(problems)
        }
    }
}

/// Panther-style ids: letters, digits, `.`, `_`, `-`; must not take a built-in or system id.
pub fn validate_rule_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("Enter a rule id, such as Custom.Okta.NewAdmin.".into());
    }
    if id.len() > 100 {
        return Err("Use at most 100 characters.".into());
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "'{c}' is not allowed: use letters, digits, '.', '_' and '-'."
        ));
    }
    if id.starts_with("Okta.") || id.starts_with("system.") {
        return Err("Ids starting with Okta. or system. belong to built-in rules.".into());
    }
    Ok(())
}

/// What the test panel shows for one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleTestVerdict {
    pub matched: bool,
    pub title: Option<String>,
    pub dedup: Option<String>,
    pub severity: Option<Severity>,
    /// `alert_context(event)` as pretty JSON.
    pub alert_context: Option<String>,
    /// The rule's exception or time-out, or why the event or the rule could not be read.
    pub error: Option<String>,
}

/// The editor's starting body: a Panther-style Okta rule.
pub const RULE_TEMPLATE: &str = r#"from panther_base_helpers import deep_get
from panther_okta_helpers import okta_alert_context


def rule(event):
    return (
        event.get("eventType") == "user.session.start"
        and deep_get(event, "outcome", "result") == "FAILURE"
    )


def title(event):
    return f"Failed sign-in by {deep_get(event, 'actor', 'alternateId', default='<unknown>')}"


def alert_context(event):
    return okta_alert_context(event)
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_follow_panther_and_keep_builtins() {
        assert!(validate_rule_id("Custom.Okta.NewAdmin").is_ok());
        assert!(validate_rule_id("").is_err());
        assert!(validate_rule_id("Okta.APIKeyCreated").is_err());
        assert!(validate_rule_id("has space").is_err());
    }

    #[test]
    fn template_validates_and_limits_are_enforced() {
        let mut input = CustomRuleInput::template();
        input.rule_id = "Custom.Test".into();
        assert!(input.validate().is_ok());
        input.threshold = 0;
        input.dedup_period_minutes = 0;
        input.body = "print(1)".into();
        let fields: Vec<_> = input
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["dedup_period_minutes", "threshold", "body"]);
    }
}
