//! `gatehouse bench python`: events per second through ten Panther-style Python rules
//! (`python_rules/`, embedded) on the embedded interpreter, next to the native Okta pack on the
//! same events. The events are the simulator's realistic ones, normalized as ingestion does.

use std::time::Instant;

use clap::Args;
use serde_json::Value;

use crate::{
    detect::{
        builtin_packs, metadata::RuleMetadata, python::PythonRuntime, python::RuleOutcome,
        Detector, Severity,
    },
    ingest::normalize::{normalize_page, NormalizeContext},
    simulator::SampleOrg,
};

/// The ten rules: (file name, source).
const RULES: [(&str, &str); 10] = [
    (
        "admin_role_assigned",
        include_str!("python_rules/admin_role_assigned.py"),
    ),
    (
        "api_key_created",
        include_str!("python_rules/api_key_created.py"),
    ),
    (
        "api_key_revoked",
        include_str!("python_rules/api_key_revoked.py"),
    ),
    (
        "account_locked",
        include_str!("python_rules/account_locked.py"),
    ),
    (
        "mfa_factor_suspend",
        include_str!("python_rules/mfa_factor_suspend.py"),
    ),
    (
        "user_reported_suspicious_activity",
        include_str!("python_rules/user_reported_suspicious_activity.py"),
    ),
    (
        "threatinsight_threat_detected",
        include_str!("python_rules/threatinsight_threat_detected.py"),
    ),
    ("sso_to_aws", include_str!("python_rules/sso_to_aws.py")),
    ("rate_limits", include_str!("python_rules/rate_limits.py")),
    (
        "sign_in_outside_corp_network",
        include_str!("python_rules/sign_in_outside_corp_network.py"),
    ),
];

#[derive(Debug, Args)]
pub struct PythonArgs {
    /// Events generated (and evaluated by each side).
    #[arg(long, default_value_t = 100_000)]
    pub events: u64,
    /// Events handed to Python at a time.
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Runs of each variant; the fastest counts.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
}

pub fn run(args: PythonArgs) -> anyhow::Result<()> {
    let org = SampleOrg::generate(11, 2_000, 500, args.events, 1000);
    let ctx = NormalizeContext {
        source_id: 1,
        source_label: "bench".into(),
        parse_time: chrono::Utc::now(),
    };
    let mut events: Vec<Value> = Vec::with_capacity(args.events as usize);
    for page in &org.pages {
        for row in normalize_page(page, &ctx)?.events {
            events.push(serde_json::from_str(&row.json)?);
        }
    }
    let runtime = PythonRuntime::with_helpers(Vec::new())?;
    let rules = RULES
        .iter()
        .map(|(name, source)| {
            let mut metadata = RuleMetadata::new(&format!("Bench.Okta.{name}"), Severity::Medium);
            metadata.filename = format!("{name}.py");
            runtime.load_rule(metadata, source)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let bytes: usize = events.iter().map(|e| e.to_string().len()).sum();
    println!(
        "python rules benchmark: {} normalized events ({} bytes of JSON on average), {} Python rules, {} native rules, batches of {}",
        events.len(),
        bytes / events.len().max(1),
        rules.len(),
        Detector::new(builtin_packs(), &Default::default()).rules().len(),
        args.batch
    );

    let runs = args.runs.max(1);
    let batch = args.batch.max(1);
    let best = |f: &mut dyn FnMut() -> usize| {
        let (mut best, mut count) = (f64::MAX, 0);
        for _ in 0..runs {
            let t = Instant::now();
            count = f();
            best = best.min(t.elapsed().as_secs_f64());
        }
        (best, count)
    };
    let rate = |secs: f64| events.len() as f64 / secs.max(1e-9);

    let detector = Detector::new(builtin_packs(), &Default::default());
    let (native_secs, native_matches) =
        best(&mut || events.iter().map(|e| detector.evaluate(e).len()).sum());

    // Only handing events over (JSON text, parsed into a PantherEvent), no rule.
    let (convert_secs, _) = best(&mut || {
        events
            .chunks(batch)
            .map(|chunk| runtime.evaluate(&[], chunk).len())
            .sum()
    });

    let mut errors = 0usize;
    let tally = |outcomes: Vec<Vec<RuleOutcome>>, errors: &mut usize| {
        let mut matched = 0;
        for outcome in outcomes.iter().flatten() {
            match outcome {
                RuleOutcome::Matched { .. } => matched += 1,
                RuleOutcome::Error(_) => *errors += 1,
                RuleOutcome::NoMatch => {}
            }
        }
        matched
    };
    let (python_secs, python_matches) = best(&mut || {
        errors = 0;
        events
            .chunks(batch)
            .map(|chunk| tally(runtime.evaluate(&rules, chunk), &mut errors))
            .sum()
    });
    // As the engine can call it with stored rows: the JSON text is there already.
    let texts: Vec<Vec<String>> = events
        .chunks(batch)
        .map(|chunk| chunk.iter().map(Value::to_string).collect())
        .collect();
    let (json_secs, json_matches) = best(&mut || {
        texts
            .iter()
            .map(|chunk| tally(runtime.evaluate_json(&rules, chunk.clone()), &mut 0))
            .sum()
    });

    let per_event = |secs: f64| secs * 1e6 / events.len().max(1) as f64;
    println!(
        "  native pack:               {:>8.0} events/s  ({native_matches} matches, best of {runs})",
        rate(native_secs)
    );
    println!(
        "  python rules, from Values: {:>8.0} events/s  ({python_matches} matches, {errors} errors, {:.1} µs/event)",
        rate(python_secs),
        per_event(python_secs),
    );
    println!(
        "  python rules, from JSON:   {:>8.0} events/s  ({json_matches} matches, {:.1} µs/event, {:.2} µs per rule per event)",
        rate(json_secs),
        per_event(json_secs),
        per_event(json_secs) / rules.len() as f64,
    );
    println!(
        "  handing Values to Python with no rule: {:.1} µs/event (serialize, json.loads, PantherEvent)",
        per_event(convert_secs),
    );
    Ok(())
}
