//! Loading Python rules and evaluating batches of events through them.
//!
//! Each event is converted to a Python `PantherEvent` once per batch, then offered to every
//! rule. It travels as JSON text, serialized on the caller's thread and parsed by Python's C
//! decoder: the interpreter thread is the one that cannot scale, and `json.loads` costs it less
//! than building the objects through pyo3 (and far less than copying the `Value`s over):
//! `gatehouse bench python` measured both. The interpreter thread only runs Python;
//! building the [`Match`] (severity names, JSON context, defaults from the YAML) happens on the
//! caller's thread.
//!
//! Context: a rule's `alert_context()` result when it defines one; otherwise (or when it
//! fails) the native [`okta_alert_context`], so Python and native alerts look alike.

use std::sync::Arc;

use pyo3::prelude::*;
use serde_json::Value;

use super::{runtime::Interpreter, PythonError, PythonRuntime};
use crate::detect::{metadata::RuleMetadata, okta_alert_context, Match, Severity, DEDUP_MAX_CHARS};

/// A rule compiled inside the runtime. Cheap to clone; usable with any [`PythonRuntime`] of
/// the process (there is one interpreter).
pub type LoadedRuleHandle = Arc<LoadedRule>;

pub struct LoadedRule {
    pub metadata: RuleMetadata,
    /// The `gatehouse_rules.LoadedRule` object.
    object: Py<PyAny>,
}

impl std::fmt::Debug for LoadedRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedRule")
            .field("rule_id", &self.metadata.rule_id)
            .finish()
    }
}

/// One rule on one event.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleOutcome {
    NoMatch,
    /// `warnings`: errors in the optional functions (`title()`, `alert_context()`, ...), whose
    /// defaults were used instead; Panther keeps such alerts too.
    Matched {
        alert: Match,
        warnings: Vec<String>,
    },
    /// `rule()` raised, returned something other than a bool, or ran out of time.
    Error(String),
}

/// What a matching rule returned, as plain values (the tuple of `gatehouse_rules.evaluate`).
#[derive(Debug, Clone)]
pub(super) struct RawMatch {
    pub title: String,
    pub dedup: String,
    pub severity: Option<String>,
    pub context_json: Option<String>,
    pub runbook: Option<String>,
    pub reference: Option<String>,
    pub description: Option<String>,
    pub destinations: Option<Vec<String>>,
    pub errors: Vec<String>,
}

type RawTuple = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<Vec<String>>,
    Vec<String>,
);

#[derive(Debug, Clone)]
pub(super) enum RawOutcome {
    NoMatch,
    Matched(RawMatch),
    Error(String),
}

impl PythonRuntime {
    /// Compiles a rule file (`source`) and runs its top level. Errors name the line: a syntax
    /// error, an exception while importing, no `def rule(event)`, or the time limit.
    pub fn load_rule(
        &self,
        metadata: RuleMetadata,
        source: &str,
    ) -> Result<LoadedRuleHandle, PythonError> {
        let source = source.to_owned();
        let (id, file, title) = (
            metadata.rule_id.clone(),
            metadata.filename.clone(),
            metadata.default_title().to_owned(),
        );
        let rule_id = id.clone();
        let object = self.run(move |py, interp| {
            let generation = interp.watch.begin(py);
            let loaded = interp.load.bind(py).call1((&id, &file, source, &title));
            if interp.watch.end(py, generation) {
                return Err(format!(
                    "timed out after {} ms while loading",
                    interp.watch.limit().as_millis()
                ));
            }
            loaded
                .map(Bound::unbind)
                .map_err(|e| error_text(py, interp, &e))
        })?;
        let object = object.map_err(|message| PythonError::Load { rule_id, message })?;
        Ok(Arc::new(LoadedRule { metadata, object }))
    }

    /// Every rule on every event: `result[event][rule]`.
    pub fn evaluate(&self, rules: &[LoadedRuleHandle], events: &[Value]) -> Vec<Vec<RuleOutcome>> {
        let texts: Vec<String> = events.iter().map(Value::to_string).collect();
        let raw = match self.evaluate_raw(rules, texts) {
            Ok((raw, _)) => raw,
            Err(e) => return all_failed(&e, events.len(), rules.len()),
        };
        raw.into_iter()
            .zip(events)
            .map(|(row, event)| {
                row.into_iter()
                    .zip(rules)
                    .map(|(outcome, rule)| {
                        finish(outcome, &rule.metadata, || okta_alert_context(event))
                    })
                    .collect()
            })
            .collect()
    }

    /// [`PythonRuntime::evaluate`] for events that are JSON text already (stored rows): no
    /// serializing. A text is parsed in Rust only when a rule without `alert_context()`
    /// matches it (for the native Okta context); text that is not JSON is an error per rule.
    pub fn evaluate_json(
        &self,
        rules: &[LoadedRuleHandle],
        events: Vec<String>,
    ) -> Vec<Vec<RuleOutcome>> {
        let count = events.len();
        let (raw, texts) = match self.evaluate_raw(rules, events) {
            Ok(answer) => answer,
            Err(e) => return all_failed(&e, count, rules.len()),
        };
        raw.into_iter()
            .zip(&texts)
            .map(|(row, text)| {
                let parsed = std::cell::OnceCell::new();
                let event =
                    || parsed.get_or_init(|| serde_json::from_str(text).unwrap_or_default());
                row.into_iter()
                    .zip(rules)
                    .map(|(outcome, rule)| {
                        finish(outcome, &rule.metadata, || okta_alert_context(event()))
                    })
                    .collect()
            })
            .collect()
    }

    /// The interpreter-thread half of [`PythonRuntime::evaluate`]; the texts come back too.
    pub(super) fn evaluate_raw(
        &self,
        rules: &[LoadedRuleHandle],
        events: Vec<String>,
    ) -> Result<(Vec<Vec<RawOutcome>>, Vec<String>), PythonError> {
        let rules: Vec<LoadedRuleHandle> = rules.to_vec();
        self.run(move |py, interp| {
            let outcomes = events
                .iter()
                .map(|text| evaluate_event(py, interp, &rules, text))
                .collect();
            (outcomes, events)
        })
    }
}

/// The same error for every rule on every event (the runtime itself failed).
fn all_failed(error: &PythonError, events: usize, rules: usize) -> Vec<Vec<RuleOutcome>> {
    vec![vec![RuleOutcome::Error(error.to_string()); rules]; events]
}

fn evaluate_event(
    py: Python<'_>,
    interp: &Interpreter,
    rules: &[LoadedRuleHandle],
    text: &str,
) -> Vec<RawOutcome> {
    let event = match interp.make_event.bind(py).call1((text,)) {
        Ok(event) => event,
        Err(e) => {
            let message = format!("the event could not be read: {e}");
            return vec![RawOutcome::Error(message); rules.len()];
        }
    };
    let evaluate = interp.evaluate.bind(py);
    rules
        .iter()
        .map(|rule| {
            let generation = interp.watch.begin(py);
            let result = evaluate.call1((rule.object.bind(py), &event));
            if interp.watch.end(py, generation) {
                return RawOutcome::Error(format!(
                    "timed out after {} ms",
                    interp.watch.limit().as_millis()
                ));
            }
            match result {
                Ok(value) if value.is_none() => RawOutcome::NoMatch,
                Ok(value) => match value.extract::<RawTuple>() {
                    Ok(t) => RawOutcome::Matched(RawMatch {
                        title: t.0,
                        dedup: t.1,
                        severity: t.2,
                        context_json: t.3,
                        runbook: t.4,
                        reference: t.5,
                        description: t.6,
                        destinations: t.7,
                        errors: t.8,
                    }),
                    Err(e) => RawOutcome::Error(format!("internal: unexpected result: {e}")),
                },
                Err(e) => RawOutcome::Error(error_text(py, interp, &e)),
            }
        })
        .collect()
}

/// `RuleError`s carry their message in words; anything else is shown as Python prints it.
fn error_text(py: Python<'_>, interp: &Interpreter, error: &PyErr) -> String {
    let value = error.value(py);
    if error.is_instance(py, interp.rule_error.bind(py)) {
        if let Ok(text) = value.str() {
            return text.to_string();
        }
    }
    error.to_string()
}

/// Builds the outcome on the caller's thread: defaults from the YAML, the native Okta context
/// when the rule gave none, the dedup string cut at 1000 characters.
pub(super) fn finish(
    raw: RawOutcome,
    metadata: &RuleMetadata,
    okta_context: impl FnOnce() -> Value,
) -> RuleOutcome {
    let raw = match raw {
        RawOutcome::NoMatch => return RuleOutcome::NoMatch,
        RawOutcome::Error(message) => return RuleOutcome::Error(message),
        RawOutcome::Matched(raw) => raw,
    };
    let mut warnings = raw.errors;
    let severity = raw
        .severity
        .as_deref()
        .and_then(Severity::parse)
        .unwrap_or(metadata.severity);
    let context = match raw.context_json.as_deref().map(serde_json::from_str) {
        Some(Ok(context)) => context,
        Some(Err(e)) => {
            warnings.push(format!("alert_context() is not JSON: {e}"));
            okta_context()
        }
        None => okta_context(),
    };
    let alert = Match {
        rule_id: metadata.rule_id.clone(),
        title: raw.title,
        severity,
        dedup: raw.dedup.chars().take(DEDUP_MAX_CHARS).collect(),
        dedup_period_minutes: metadata.dedup_period_minutes,
        threshold: metadata.threshold,
        signal: false,
        context,
        runbook: raw.runbook.unwrap_or_else(|| metadata.runbook.clone()),
        reference: raw.reference.unwrap_or_else(|| metadata.reference.clone()),
        destinations: raw.destinations,
    };
    RuleOutcome::Matched { alert, warnings }
}
