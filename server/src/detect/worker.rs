//! The detection worker: reads stored events after its cursor (so every event is seen once,
//! after enrichment, whatever the poller was doing), runs the rules enabled for each event's
//! source, and commits matches, alert grouping, rule errors and the new cursor in one
//! transaction. A failing rule is recorded and alerted on; it never stops the worker.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::Duration,
};

use app::model::detection::{CUSTOM_PACK, OKTA_PACK};
use serde_json::Value;
use tokio::{sync::Notify, task::JoinHandle};

use super::{
    builtin_packs,
    metadata::RuleMetadata,
    python::{LoadedRuleHandle, PythonRuntime, RuleOutcome},
    Detector, Match, Pack, Severity,
};
use crate::{
    alerts::webhook,
    store::{
        now_ms, BatchOutcome, CustomRuleRow, MatchWrite, RuleFailure, Store, StoreError,
        StoredEvent,
    },
    telemetry::metrics::Metrics,
};

/// Events read per batch.
pub const BATCH: i64 = 1000;
/// How often the worker looks for new events when nothing woke it.
const IDLE: Duration = Duration::from_millis(500);

/// Runs the enabled rules over newly stored events.
#[derive(Debug)]
pub struct DetectionWorker {
    store: Store,
    /// Notified when deliveries were queued (the delivery worker waits on it).
    deliveries: Arc<Notify>,
    metrics: Arc<Metrics>,
    wake: Notify,
    /// The embedded interpreter, or why it could not start (custom rules then fail visibly).
    python: Result<PythonRuntime, String>,
    /// Custom rules compiled in `python`, by id, with the `updated_at` they were compiled from.
    loaded: Mutex<HashMap<String, (i64, LoadedRuleHandle)>>,
}

/// The rules of one source for one batch.
struct SourceRules {
    name: String,
    native: Detector,
    /// Custom rules enabled for this source: compiled, or why not.
    custom: Vec<Custom>,
}

#[derive(Clone)]
enum Custom {
    Loaded(LoadedRuleHandle),
    /// The rule could not be compiled (or Python did not start): every event it should have
    /// seen counts as one failure of the rule.
    Broken {
        rule_id: String,
        error: String,
    },
}

impl Custom {
    fn rule_id(&self) -> &str {
        match self {
            Custom::Loaded(rule) => &rule.metadata.rule_id,
            Custom::Broken { rule_id, .. } => rule_id,
        }
    }
}

impl DetectionWorker {
    pub fn new(
        store: Store,
        deliveries: Arc<Notify>,
        metrics: Arc<Metrics>,
        python: Result<PythonRuntime, String>,
    ) -> Arc<Self> {
        Arc::new(Self {
            store,
            deliveries,
            metrics,
            wake: Notify::new(),
            python,
            loaded: Mutex::default(),
        })
    }

    /// The interpreter custom rules run in, or why there is none.
    pub fn python(&self) -> Result<&PythonRuntime, &str> {
        self.python.as_ref().map_err(String::as_str)
    }

    /// Look for new events now (events were stored, or switches changed).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs batches until caught up, then waits for a wake or the idle tick; forever.
    pub fn spawn(self: &Arc<Self>) -> JoinHandle<()> {
        let worker = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                match worker.run_batch().await {
                    Ok(Some(_)) => continue,
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "detection batch failed; retrying"),
                }
                tokio::select! {
                    () = worker.wake.notified() => {}
                    () = tokio::time::sleep(IDLE) => {}
                }
            }
        })
    }

    /// Runs until no event is left after the cursor (tests and the command line use this).
    pub async fn run_until_caught_up(&self) -> Result<BatchOutcome, StoreError> {
        let mut total = BatchOutcome::default();
        while let Some(outcome) = self.run_batch().await? {
            total.matches += outcome.matches;
            total.alerts_opened += outcome.alerts_opened;
            total.deliveries_queued += outcome.deliveries_queued;
            total.errors += outcome.errors;
        }
        Ok(total)
    }

    /// One batch; `None` when there was nothing to read.
    pub async fn run_batch(&self) -> Result<Option<BatchOutcome>, StoreError> {
        let cursor = self.store.detection_cursor().await?;
        let events = self.store.events_after(cursor, BATCH).await?;
        let Some(last) = events.last().map(|e| e.id) else {
            return Ok(None);
        };
        let rules = self.rules_by_source().await?;
        let python = self.python.as_ref().ok().cloned();
        let (matches, failures) =
            tokio::task::spawn_blocking(move || evaluate(&rules, &events, python.as_ref()))
                .await
                .expect("rule evaluation does not panic");
        let Some(outcome) = self
            .store
            .commit_detections(
                cursor,
                last,
                &matches,
                &failures,
                now_ms(),
                &webhook::payload,
            )
            .await?
        else {
            // Another worker (a second engine on the same file) took this batch first.
            return Ok(Some(BatchOutcome::default()));
        };
        self.record(&matches, &failures);
        if outcome.deliveries_queued > 0 {
            self.deliveries.notify_one();
        }
        if outcome.alerts_opened > 0 {
            tracing::info!(
                matches = outcome.matches,
                alerts = outcome.alerts_opened,
                "detection alerts opened"
            );
        }
        Ok(Some(outcome))
    }

    /// Each source's enabled rules: its packs, minus the rules switched off for it.
    async fn rules_by_source(&self) -> Result<HashMap<i64, SourceRules>, StoreError> {
        let switches = self.store.detection_switches().await?;
        let rows: Vec<CustomRuleRow> = self
            .store
            .custom_rules()
            .await?
            .into_iter()
            .filter(|r| r.enabled)
            .collect();
        let custom = self.compile(rows).await;
        let mut rules = HashMap::new();
        for (id, name) in switches.sources {
            let packs: HashSet<&str> = switches
                .packs
                .iter()
                .filter(|(s, _)| *s == id)
                .map(|(_, p)| p.as_str())
                .collect();
            let disabled: HashSet<String> = switches
                .disabled
                .iter()
                .filter(|(s, _)| *s == id)
                .map(|(_, r)| r.clone())
                .collect();
            let native: Vec<&'static Pack> = builtin_packs()
                .iter()
                .copied()
                .filter(|p| packs.contains(p.id))
                .collect();
            let custom = if packs.contains(CUSTOM_PACK) {
                custom
                    .iter()
                    .filter(|r| !disabled.contains(r.rule_id()))
                    .cloned()
                    .collect()
            } else {
                Vec::new()
            };
            debug_assert!(native.iter().all(|p| p.id == OKTA_PACK));
            rules.insert(
                id,
                SourceRules {
                    name,
                    native: Detector::new(&native, &disabled),
                    custom,
                },
            );
        }
        Ok(rules)
    }

    /// The enabled custom rules, compiled (from the cache when unchanged since).
    async fn compile(&self, rows: Vec<CustomRuleRow>) -> Vec<Custom> {
        let runtime = match &self.python {
            Ok(runtime) => runtime.clone(),
            Err(why) => {
                return rows
                    .into_iter()
                    .map(|r| Custom::Broken {
                        rule_id: r.rule_id,
                        error: why.clone(),
                    })
                    .collect()
            }
        };
        let mut out = Vec::with_capacity(rows.len());
        let mut fresh = Vec::new();
        {
            let loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
            for row in rows {
                match loaded.get(&row.rule_id) {
                    Some((at, rule)) if *at == row.updated_at => {
                        out.push(Custom::Loaded(Arc::clone(rule)))
                    }
                    _ => fresh.push(row),
                }
            }
        }
        if fresh.is_empty() {
            return out;
        }
        let compiled = tokio::task::spawn_blocking(move || {
            fresh
                .into_iter()
                .map(|row| {
                    let result = runtime.load_rule(rule_metadata(&row), &row.body);
                    (row, result)
                })
                .collect::<Vec<_>>()
        })
        .await
        .expect("compiling rules does not panic");
        let mut loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner());
        for (row, result) in compiled {
            match result {
                Ok(rule) => {
                    loaded.insert(row.rule_id.clone(), (row.updated_at, Arc::clone(&rule)));
                    out.push(Custom::Loaded(rule));
                }
                Err(e) => out.push(Custom::Broken {
                    rule_id: row.rule_id,
                    error: e.to_string(),
                }),
            }
        }
        out
    }

    fn record(&self, matches: &[MatchWrite], failures: &[RuleFailure]) {
        let mut counts: HashMap<&str, (u64, u64)> = HashMap::new();
        for m in matches {
            counts.entry(&m.rule_id).or_default().0 += 1;
        }
        for f in failures {
            counts.entry(&f.rule_id).or_default().1 += 1;
        }
        for (rule, (matched, failed)) in counts {
            self.metrics.record_rule(rule, matched, failed);
        }
    }
}

/// Runs every source's rules over the batch (on a blocking thread: parsing and rules are CPU).
fn evaluate(
    rules: &HashMap<i64, SourceRules>,
    events: &[StoredEvent],
    python: Option<&PythonRuntime>,
) -> (Vec<MatchWrite>, Vec<RuleFailure>) {
    let mut matches = Vec::new();
    let mut failures = Vec::new();
    // Python runs once per source over that source's events (one trip to the interpreter).
    let mut for_python: HashMap<i64, Vec<&StoredEvent>> = HashMap::new();
    for stored in events {
        // A deleted source's last events, or a source with no rule enabled: nothing to run.
        let Some(source) = rules.get(&stored.source_id) else {
            continue;
        };
        // Python reads the stored text itself; only native rules need it parsed here.
        if !source.custom.is_empty() {
            for_python.entry(stored.source_id).or_default().push(stored);
        }
        if source.native.rules().is_empty() {
            continue;
        }
        let Ok(event) = serde_json::from_str::<Value>(&stored.data) else {
            // Stored rows are written by normalization; an unreadable one is a bug, not a rule
            // failure. Skip it visibly.
            tracing::warn!(event.id = stored.id, "stored event is not JSON; skipped");
            continue;
        };
        for m in source.native.evaluate(&event) {
            matches.push(native_write(stored, &source.name, m));
        }
    }
    for (source_id, batch) in for_python {
        let source = &rules[&source_id];
        let loaded: Vec<LoadedRuleHandle> = source
            .custom
            .iter()
            .filter_map(|c| match c {
                Custom::Loaded(rule) => Some(Arc::clone(rule)),
                Custom::Broken { .. } => None,
            })
            .collect();
        let failure = |stored: &StoredEvent, rule_id: &str, message: String| RuleFailure {
            rule_id: rule_id.to_owned(),
            source_id,
            source_name: source.name.clone(),
            event_id: stored.id,
            message,
        };
        for custom in &source.custom {
            if let Custom::Broken { rule_id, error } = custom {
                failures.push(failure(batch[0], rule_id, error.clone()));
            }
        }
        let (Some(python), false) = (python, loaded.is_empty()) else {
            continue;
        };
        // The stored JSON text goes to Python as is (its parser is faster than re-serializing).
        let texts: Vec<String> = batch.iter().map(|e| e.data.clone()).collect();
        let outcomes = python.evaluate_json(&loaded, texts);
        for (stored, row) in batch.iter().zip(outcomes) {
            for (rule, outcome) in loaded.iter().zip(row) {
                match outcome {
                    RuleOutcome::NoMatch => {}
                    RuleOutcome::Matched { alert, warnings } => {
                        for warning in warnings {
                            failures.push(failure(stored, &rule.metadata.rule_id, warning));
                        }
                        matches.push(match_write(
                            stored,
                            &source.name,
                            rule.metadata.description.clone(),
                            alert,
                        ));
                    }
                    RuleOutcome::Error(message) => {
                        failures.push(failure(stored, &rule.metadata.rule_id, message));
                    }
                }
            }
        }
    }
    (matches, failures)
}

/// A custom rule's metadata as Panther's YAML would give it.
pub fn rule_metadata(row: &CustomRuleRow) -> RuleMetadata {
    let mut metadata = RuleMetadata::new(
        &row.rule_id,
        Severity::parse(&row.severity).unwrap_or(Severity::Medium),
    );
    metadata.display_name = (!row.display_name.is_empty()).then(|| row.display_name.clone());
    metadata.enabled = row.enabled;
    metadata.dedup_period_minutes = row.dedup_period_minutes.clamp(1, 1440) as u32;
    metadata.threshold = row.threshold.clamp(1, i64::from(u32::MAX)) as u32;
    metadata.description = row.description.clone();
    metadata.runbook = row.runbook.clone();
    metadata.reference = row.reference.clone();
    metadata
}

/// A match with the stored event it came from and the rule's description.
fn match_write(
    stored: &StoredEvent,
    source_name: &str,
    description: String,
    m: Match,
) -> MatchWrite {
    MatchWrite {
        source_id: stored.source_id,
        source_name: source_name.to_owned(),
        event_id: stored.id,
        description,
        runbook: m.runbook,
        reference: m.reference,
        destinations: m.destinations,
        rule_id: m.rule_id,
        title: m.title,
        severity: m.severity,
        dedup: m.dedup,
        dedup_period_minutes: m.dedup_period_minutes,
        threshold: m.threshold,
        signal: m.signal,
        context: m.context,
    }
}

/// A native rule's match; its description is the rule's name.
fn native_write(stored: &StoredEvent, source_name: &str, m: Match) -> MatchWrite {
    let name = builtin_packs()
        .iter()
        .find_map(|p| p.rule(&m.rule_id))
        .map_or("", |r| r.name);
    match_write(stored, source_name, name.to_owned(), m)
}
