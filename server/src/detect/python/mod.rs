//! Panther-compatible Python detection rules, run by an embedded CPython (pyo3).
//!
//! - [`runtime`]: [`PythonRuntime`], the one thread that owns the interpreter; jobs go to it
//!   over a channel.
//! - [`watchdog`]: the per-invocation time limit (an exception injected into a runaway rule).
//! - [`evaluate`]: loading a rule file, evaluating batches of events into [`RuleOutcome`]s.
//! - [`testing`]: one event through a rule (test panel) and the YAML's `Tests`.
//! - [`dir`]: reading a directory of `*.yml` + `*.py` rules.
//! - `py/`: the Python side, embedded in the binary: `gatehouse_event` (the read-only,
//!   case-insensitive event), `panther_base_helpers`, `panther_okta_helpers`,
//!   `gatehouse_rules` (load and evaluate one rule).
//!
//! Rules are trusted code, as in Panther: the time limit stops runaway loops, it is no sandbox.

pub mod dir;
pub mod evaluate;
pub mod runtime;
pub mod testing;
mod watchdog;

pub use evaluate::{LoadedRule, LoadedRuleHandle, RuleOutcome};
pub use runtime::{PythonRuntime, DEFAULT_TIME_LIMIT};
pub use testing::{TestResult, TestVerdict};

/// What went wrong around Python itself (a rule's own errors are [`RuleOutcome::Error`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PythonError {
    #[error("the Python runtime could not start: {0}")]
    Start(String),
    #[error("the Python runtime has stopped")]
    Stopped,
    #[error("rule {rule_id} could not be loaded: {message}")]
    Load { rule_id: String, message: String },
}

#[cfg(test)]
mod tests;
