//! The detection subcommands: `gatehouse test-rules DIR` (a rules directory's YAML `Tests`, as
//! `panther_analysis_tool test` runs them) and `gatehouse detect` (Okta events on stdin through
//! the built-in pack and Python rules, matches on stdout). `cli.rs` only dispatches here.

use std::{
    collections::HashSet,
    io::{BufRead, BufWriter, Write},
    path::PathBuf,
};

use anyhow::Context;
use clap::Args;
use serde_json::{json, Value};

use super::{
    builtin_packs,
    python::{dir::read_rules_dir, LoadedRuleHandle, PythonError, PythonRuntime, RuleOutcome},
    Detector, Match,
};
use crate::ingest::normalize::{normalize_event, NormalizeContext};

#[derive(Debug, Args)]
pub struct TestRulesArgs {
    /// Directory of Panther-style rules: `*.yml` / `*.yaml` next to their Python files.
    pub dir: PathBuf,
    /// Directory of helper modules the rules import (repeatable).
    #[arg(long)]
    pub helpers: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Directory of Panther-style Python rules to run besides the built-in pack.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Directory of helper modules the rules import (repeatable).
    #[arg(long)]
    pub helpers: Vec<PathBuf>,
    /// Leave the built-in Okta pack out.
    #[arg(long)]
    pub no_builtin: bool,
    /// Events handed to Python at a time.
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
}

/// Loads every rule of `dir`; problems go to `problems` as `FAIL` lines.
fn load_dir(
    runtime: &PythonRuntime,
    dir: &std::path::Path,
    problems: &mut Vec<String>,
) -> anyhow::Result<Vec<LoadedRuleHandle>> {
    let (files, errors) = read_rules_dir(dir)
        .with_context(|| format!("reading the rules directory {}", dir.display()))?;
    problems.extend(errors.iter().map(|e| format!("FAIL {e}")));
    let mut seen = HashSet::new();
    let mut rules = Vec::new();
    for file in files {
        let id = file.metadata.rule_id.clone();
        if !seen.insert(id.clone()) {
            problems.push(format!(
                "FAIL {id}: RuleID used twice ({})",
                file.yaml_path.display()
            ));
            continue;
        }
        match runtime.load_rule(file.metadata, &file.source) {
            Ok(rule) => rules.push(rule),
            Err(PythonError::Load { message, .. }) => {
                problems.push(format!("FAIL {id}: could not be loaded: {message}"))
            }
            Err(e) => problems.push(format!("FAIL {id}: {e}")),
        }
    }
    Ok(rules)
}

/// `gatehouse test-rules`: one line per test, a total; exit code 1 when anything failed.
pub fn test_rules(args: TestRulesArgs) -> anyhow::Result<i32> {
    let runtime = PythonRuntime::with_helpers(args.helpers)?;
    let mut problems = Vec::new();
    let rules = load_dir(&runtime, &args.dir, &mut problems)?;
    let mut out = std::io::stdout().lock();
    for line in &problems {
        writeln!(out, "{line}")?;
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    for rule in &rules {
        let id = &rule.metadata.rule_id;
        for result in runtime.run_tests(rule) {
            match result.reason {
                None => {
                    passed += 1;
                    writeln!(out, "PASS {id}: {}", result.name)?;
                }
                Some(reason) => {
                    failed += 1;
                    writeln!(out, "FAIL {id}: {} ({reason})", result.name)?;
                }
            }
        }
    }
    writeln!(
        out,
        "{} tests: {passed} passed, {failed} failed; {} rules loaded, {} failed to load",
        passed + failed,
        rules.len(),
        problems.len()
    )?;
    Ok(if failed > 0 || !problems.is_empty() {
        1
    } else {
        0
    })
}

/// One match as `gatehouse detect` writes it.
fn match_line(m: &Match, event: &Value) -> Value {
    json!({
        "rule_id": m.rule_id,
        "title": m.title,
        "severity": m.severity,
        "dedup": m.dedup,
        "signal": m.signal,
        "context": m.context,
        "uuid": super::deep_get(event, &["uuid"]).cloned().unwrap_or(Value::Null),
    })
}

/// Normalized rows pass as they are; raw Okta events are normalized first, so that rules see
/// the `p_` fields (an event normalization refuses is evaluated raw).
fn prepare(event: Value, ctx: &NormalizeContext) -> Value {
    if super::get_ci(&event, "p_log_type").is_some() {
        return event;
    }
    match normalize_event(event, ctx) {
        Ok(row) => serde_json::from_str(&row.json).unwrap_or(Value::Null),
        Err((_, raw)) => raw,
    }
}

/// `gatehouse detect`: exit code 2 when any input line was not an event or any rule failed on
/// one (details on stderr), 1 when the rules could not be loaded.
pub fn detect(args: DetectArgs) -> anyhow::Result<i32> {
    let detector = if args.no_builtin {
        Detector::default()
    } else {
        Detector::new(builtin_packs(), &HashSet::new())
    };
    let (runtime, rules) = match &args.rules {
        Some(dir) => {
            let runtime = PythonRuntime::with_helpers(args.helpers.clone())?;
            let mut problems = Vec::new();
            let rules = load_dir(&runtime, dir, &mut problems)?;
            if !problems.is_empty() {
                for line in problems {
                    eprintln!("{line}");
                }
                return Ok(1);
            }
            let enabled = rules.into_iter().filter(|r| r.metadata.enabled).collect();
            (Some(runtime), enabled)
        }
        None => (None, Vec::new()),
    };
    let ctx = NormalizeContext {
        source_id: 0,
        source_label: "cli".into(),
        parse_time: chrono::Utc::now(),
    };
    let mut run = DetectRun {
        detector,
        runtime,
        rules,
        out: BufWriter::new(std::io::stdout().lock()),
        matches: 0,
        failures: 0,
    };
    let mut batch: Vec<Value> = Vec::with_capacity(args.batch.max(1));
    for (n, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.context("reading standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(&line) {
            Ok(event) if event.is_object() => batch.push(prepare(event, &ctx)),
            Ok(_) => {
                run.failures += 1;
                eprintln!("line {}: not an event (a JSON object)", n + 1);
            }
            Err(e) => {
                run.failures += 1;
                eprintln!("line {}: not JSON: {e}", n + 1);
            }
        }
        if batch.len() >= args.batch.max(1) {
            run.batch(&mut batch)?;
        }
    }
    run.batch(&mut batch)?;
    run.out.flush()?;
    let failures = run.failures;
    eprintln!("{} matches, {failures} failures", run.matches);
    Ok(if failures > 0 { 2 } else { 0 })
}

/// `gatehouse detect` under way: the rules, stdout, and the counts so far.
struct DetectRun<W: Write> {
    detector: Detector,
    runtime: Option<PythonRuntime>,
    rules: Vec<LoadedRuleHandle>,
    out: W,
    matches: usize,
    failures: usize,
}

impl<W: Write> DetectRun<W> {
    /// Evaluates and empties `batch`: native matches first, then Python ones, per event.
    fn batch(&mut self, batch: &mut Vec<Value>) -> anyhow::Result<()> {
        let python = match &self.runtime {
            Some(runtime) if !self.rules.is_empty() => runtime.evaluate(&self.rules, batch),
            _ => Vec::new(),
        };
        for (i, event) in batch.iter().enumerate() {
            for m in self.detector.evaluate(event) {
                self.matches += 1;
                writeln!(self.out, "{}", match_line(&m, event))?;
            }
            let uuid = super::deep_str(event, &["uuid"]);
            for (outcome, rule) in python.get(i).into_iter().flatten().zip(&self.rules) {
                match outcome {
                    RuleOutcome::NoMatch => {}
                    RuleOutcome::Matched { alert, warnings } => {
                        for warning in warnings {
                            eprintln!("event {uuid}: {}: {warning}", alert.rule_id);
                        }
                        self.matches += 1;
                        writeln!(self.out, "{}", match_line(alert, event))?;
                    }
                    RuleOutcome::Error(message) => {
                        self.failures += 1;
                        eprintln!("event {uuid}: {}: {message}", rule.metadata.rule_id);
                    }
                }
            }
        }
        batch.clear();
        Ok(())
    }
}
