//! Trying rules out: [`PythonRuntime::test_rule`] (one event, for the browser's test panel) and
//! [`PythonRuntime::run_tests`] (the YAML's `Tests`, as `panther_analysis_tool test` runs them:
//! when a test expects a match, errors in `title()`, `dedup()`, `alert_context()` and the other
//! optional functions fail it too).

use serde::Serialize;
use serde_json::Value;

use super::{
    evaluate::{finish, RawOutcome},
    LoadedRuleHandle, PythonRuntime, RuleOutcome,
};
use crate::detect::{metadata::RuleMetadata, okta_alert_context, Severity};

/// What a rule made of one event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestVerdict {
    pub matched: bool,
    pub title: Option<String>,
    pub dedup: Option<String>,
    pub severity: Option<Severity>,
    pub description: Option<String>,
    pub alert_context: Option<Value>,
    /// A load error, an error in `rule()`, or the optional functions' errors joined by `; `.
    pub error: Option<String>,
}

/// One of the YAML's tests, run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestResult {
    pub name: String,
    pub passed: bool,
    /// Why it failed, in words.
    pub reason: Option<String>,
}

impl TestVerdict {
    fn failed(error: String) -> Self {
        TestVerdict {
            matched: false,
            title: None,
            dedup: None,
            severity: None,
            description: None,
            alert_context: None,
            error: Some(error),
        }
    }
}

impl PythonRuntime {
    /// Loads `source` and runs it on one event.
    pub fn test_rule(&self, source: &str, metadata: RuleMetadata, event: &Value) -> TestVerdict {
        match self.load_rule(metadata, source) {
            Ok(rule) => self.verdict(&rule, event),
            Err(e) => TestVerdict::failed(e.to_string()),
        }
    }

    /// A loaded rule on one event.
    pub fn verdict(&self, rule: &LoadedRuleHandle, event: &Value) -> TestVerdict {
        let raw = match self.evaluate_raw(std::slice::from_ref(rule), vec![event.to_string()]) {
            Ok((mut rows, _)) => rows.pop().and_then(|mut row| row.pop()),
            Err(e) => return TestVerdict::failed(e.to_string()),
        };
        let Some(raw) = raw else {
            return TestVerdict::failed("internal: no result".into());
        };
        let description = match &raw {
            RawOutcome::Matched(m) => m
                .description
                .clone()
                .or_else(|| Some(rule.metadata.description.clone())),
            _ => None,
        };
        match finish(raw, &rule.metadata, || okta_alert_context(event)) {
            RuleOutcome::NoMatch => TestVerdict {
                error: None,
                ..TestVerdict::failed(String::new())
            },
            RuleOutcome::Error(message) => TestVerdict::failed(message),
            RuleOutcome::Matched { alert, warnings } => TestVerdict {
                matched: true,
                title: Some(alert.title),
                dedup: Some(alert.dedup),
                severity: Some(alert.severity),
                description,
                alert_context: Some(alert.context),
                error: (!warnings.is_empty()).then(|| warnings.join("; ")),
            },
        }
    }

    /// Runs every test of the rule's YAML.
    pub fn run_tests(&self, rule: &LoadedRuleHandle) -> Vec<TestResult> {
        rule.metadata
            .tests
            .iter()
            .map(|test| {
                let verdict = self.verdict(rule, &test.log);
                let reason = match (&verdict.error, test.expected_result, verdict.matched) {
                    (Some(error), true, true) => Some(error.clone()),
                    (Some(error), _, false) => Some(error.clone()),
                    (_, true, false) => Some("expected a match, the rule did not match".into()),
                    (_, false, true) => Some("expected no match, the rule matched".into()),
                    _ => None,
                };
                TestResult {
                    name: test.name.clone(),
                    passed: reason.is_none(),
                    reason,
                }
            })
            .collect()
    }
}
