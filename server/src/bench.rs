//! `gatehouse bench ingest`: drains generated events from the built-in simulator (rate limits
//! off) through the real poller into a fresh SQLite file, and reports events/s, MB/s and peak
//! memory next to the parse-only rate of the same bytes with serde_json. `bench explore`
//! (`bench/explore.rs`): the event explorer's first page at 10 million events.

mod enrich;
mod explore;
mod python;

use std::time::{Duration, Instant};

use app::model::source::SIMULATOR_DOMAIN;
use clap::{Args, Subcommand};

use crate::{
    config::{Config, ConfigArgs, Secret},
    engine::AddSource,
    ingest::normalize::{normalize_page, NormalizeContext},
    ingest::poller::{initial_logs_url, poll_cycle, PAGE_LIMIT},
    okta::RateBudget,
    simulator::{OrgConfig, Simulator},
};

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// End-to-end ingestion: simulator → HTTP → normalize → SQLite.
    Ingest(IngestArgs),
    /// Dashboard latency over a seeded database (sources, 24 h of health minutes, events).
    Dashboard(DashboardArgs),
    /// Profile enrichment: ns per event, the lookup tables' memory and build time.
    Enrich(enrich::EnrichArgs),
    /// Event explorer: first-page latency of each filter over N synthetic events.
    Explore(explore::ExploreArgs),
    /// Python detection rules: events/s through ten Panther-style rules vs the native pack.
    Python(python::PythonArgs),
}

#[derive(Debug, Args)]
pub struct DashboardArgs {
    #[arg(long, default_value_t = 100)]
    pub sources: u32,
    /// Event rows seeded (small rows: the dashboard never reads them, but they make the file big).
    #[arg(long, default_value_t = 10_000_000)]
    pub events: u64,
    /// Dashboard builds timed.
    #[arg(long, default_value_t = 200)]
    pub runs: usize,
    /// Keep the database in this directory instead of a temporary one.
    #[arg(long)]
    pub dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Events in the simulator's backlog, all drained.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Pages re-fetched into memory for the parse-only comparison.
    #[arg(long, default_value_t = 100)]
    pub parse_pages: usize,
    /// Keep the database in this directory instead of a temporary one.
    #[arg(long)]
    pub dir: Option<std::path::PathBuf>,
}

pub async fn run(command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Ingest(args) => ingest(args).await,
        BenchCommand::Dashboard(args) => dashboard(args).await,
        BenchCommand::Enrich(args) => enrich::run(args),
        BenchCommand::Explore(args) => explore::run(args).await,
        BenchCommand::Python(args) => python::run(args),
    }
}

async fn ingest(args: IngestArgs) -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = args.dir.clone().unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir)?;

    let mut org = OrgConfig::new("bench", "bench-token");
    org.backlog = args.events;
    org.backlog_window = Duration::from_secs(20 * 3600);
    org.events_per_sec = 0.0;
    org.logs_rate_limit = None;
    let simulator = Simulator::new(vec![org])
        .spawn("127.0.0.1:0".parse()?)
        .await?;

    let config = Config::load(&ConfigArgs {
        database_url: Some(dir.join("bench.db").display().to_string()),
        secret_key_file: Some(dir.join("secret.key")),
        request_timeout_secs: Some(30),
        ..ConfigArgs::default()
    })?;
    let engine = crate::cli::open_engine(config, Some(simulator.addr)).await?;
    let source_id = engine
        .add_source(AddSource {
            name: "bench".into(),
            subdomain: "bench".into(),
            domain: SIMULATOR_DOMAIN.into(),
            token: Secret::new("bench-token"),
            skip_check: false,
            setup_complete: true,
        })
        .await?;
    let source = engine.store.source(source_id).await?.expect("just added");
    let rss_before = peak_rss_kib();

    let _checkpointer = engine.store.spawn_wal_checkpointer(Duration::from_secs(1));
    let ctx = engine.supervisor.context().clone();
    let mut budget = RateBudget::new(1.0);
    let started = Instant::now();
    let mut stored = 0u64;
    // One cycle drains everything (it follows full pages); loop in case a cycle stops early.
    while stored < args.events {
        let report = poll_cycle(&ctx, &source, &mut budget).await;
        if let Some(failure) = report.failure {
            anyhow::bail!("poll failed after {stored} events: {failure}");
        }
        if report.inserted == 0 {
            break;
        }
        stored += report.inserted;
    }
    let elapsed = started.elapsed();
    let totals = engine.store.health_totals(source_id, 0).await?;
    let rss_after = peak_rss_kib();
    let truth = engine.store.event_count(source_id).await? as u64;

    // Parse-only: the same kind of pages, fetched into memory first, then parsed by serde_json.
    let origin = engine.http.org_url("bench", SIMULATOR_DOMAIN)?;
    let token = Secret::new("bench-token");
    let mut url = initial_logs_url(&origin, Duration::from_secs(24 * 3600), chrono::Utc::now());
    let mut bodies = Vec::with_capacity(args.parse_pages);
    let fetch_started = Instant::now();
    for _ in 0..args.parse_pages {
        let page = engine.http.get(&origin, &url, &token).await?;
        let Some(next) = page.links.next.as_deref() else {
            break;
        };
        url = url.join(next)?;
        bodies.push(page.body);
    }
    let fetch_elapsed = fetch_started.elapsed();
    let parse_bytes: usize = bodies.iter().map(|b| b.len()).sum();
    let parse_started = Instant::now();
    let mut parsed = 0usize;
    for body in &bodies {
        parsed += serde_json::from_slice::<Vec<serde_json::Value>>(body)?.len();
    }
    let parse_elapsed = parse_started.elapsed();

    // Stage by stage, on the same pages: normalize, then commit into a second source.
    let normalize_ctx = NormalizeContext {
        source_id,
        source_label: "bench".into(),
        parse_time: chrono::Utc::now(),
    };
    let normalize_started = Instant::now();
    let pages: Vec<_> = bodies
        .iter()
        .map(|b| normalize_page(b, &normalize_ctx))
        .collect::<Result<_, _>>()?;
    let normalize_elapsed = normalize_started.elapsed();
    let scratch = engine
        .store
        .insert_source(&crate::store::NewSource {
            name: "bench-commit".into(),
            subdomain: "bench".into(),
            domain: SIMULATOR_DOMAIN.into(),
            token_ciphertext: source.token_ciphertext.clone(),
            token_hint: source.token_hint.clone(),
            poll_interval_secs: 60,
            backfill_hours: 24,
            rate_limit_share: 0.5,
            setup_complete: true,
        })
        .await?;
    let commit_started = Instant::now();
    for (i, page) in pages.iter().enumerate() {
        let checkpoint = format!("bench-{i}");
        engine
            .store
            .commit_page(&crate::store::PageCommit {
                source_id: scratch,
                events: &page.events,
                failures: &page.failures,
                next_checkpoint: Some(&checkpoint),
                received_at_ms: crate::store::now_ms(),
                body_bytes: bodies[i].len(),
            })
            .await?;
    }
    let commit_elapsed = commit_started.elapsed();
    let stage = |elapsed: Duration| parsed as f64 / elapsed.as_secs_f64();

    let secs = elapsed.as_secs_f64();
    let e2e_rate = stored as f64 / secs;
    let parse_rate = parsed as f64 / parse_elapsed.as_secs_f64();
    println!(
        "ingest benchmark: {} events requested, {stored} stored ({truth} rows in SQLite)",
        args.events
    );
    println!("  end to end:  {secs:.2} s, {e2e_rate:.0} events/s, {:.1} MB/s of Okta JSON, {} pages of {PAGE_LIMIT}", totals.bytes as f64 / 1e6 / secs, totals.pages);
    println!(
        "  parse only:  {parsed} events ({:.1} MB) in {:.3} s, {parse_rate:.0} events/s, {:.1} MB/s (serde_json -> Vec<Value>)",
        parse_bytes as f64 / 1e6,
        parse_elapsed.as_secs_f64(),
        parse_bytes as f64 / 1e6 / parse_elapsed.as_secs_f64()
    );
    println!(
        "  stages:      fetch {:.0} events/s (simulator + HTTP), normalize {:.0} events/s, commit {:.0} events/s (SQLite)",
        stage(fetch_elapsed),
        stage(normalize_elapsed),
        stage(commit_elapsed)
    );
    println!(
        "  ratio:       end to end = {:.0}% of parse-only",
        100.0 * e2e_rate / parse_rate
    );
    println!(
        "  peak RSS:    {:.1} MiB before draining, {:.1} MiB after (process total, simulator included)",
        rss_before as f64 / 1024.0,
        rss_after as f64 / 1024.0
    );
    println!(
        "  database:    {:.1} MiB",
        dir_size(&dir) as f64 / 1024.0 / 1024.0
    );
    drop(simulator);
    Ok(())
}

/// An engine over the database `file` in `dir` (a temporary directory when `None`, kept alive
/// by the returned guard); also returns the directory.
pub(crate) async fn bench_engine(
    dir: Option<&std::path::Path>,
    file: &str,
) -> anyhow::Result<(
    tempfile::TempDir,
    std::path::PathBuf,
    std::sync::Arc<crate::engine::Engine>,
)> {
    let temp = tempfile::tempdir()?;
    let dir = dir.map_or_else(|| temp.path().to_owned(), ToOwned::to_owned);
    std::fs::create_dir_all(&dir)?;
    let config = Config::load(&ConfigArgs {
        database_url: Some(dir.join(file).display().to_string()),
        secret_key_file: Some(dir.join("secret.key")),
        ..ConfigArgs::default()
    })?;
    let engine = crate::cli::open_engine(config, None).await?;
    Ok((temp, dir, engine))
}

async fn dashboard(args: DashboardArgs) -> anyhow::Result<()> {
    use app::backend::Console;

    let (_temp, dir, engine) = bench_engine(args.dir.as_deref(), "dashboard.db").await?;
    let pool = engine.store.pool();
    let seeding = Instant::now();
    let now_minute = crate::store::now_ms() / 60_000;
    for i in 0..args.sources {
        let id = engine
            .store
            .insert_source(&crate::store::NewSource {
                name: format!("Org {i}"),
                subdomain: format!("org{i}"),
                domain: "okta.com".into(),
                token_ciphertext: engine.secrets.seal_token(&Secret::new("bench")),
                token_hint: "ench".into(),
                poll_interval_secs: 60,
                backfill_hours: 24,
                rate_limit_share: 0.5,
                setup_complete: true,
            })
            .await?;
        sqlx::query(
            "UPDATE source_status SET state = 'healthy', reason = 'Receiving events', last_poll_finished_at = ?1 * 60000,
                 last_poll_duration_ms = 40, last_poll_outcome = 'ok', last_event_time = ?1 * 60000 - 5000, lag_ms = 5000,
                 rate_limit_limit = 120, rate_limit_remaining = 60, rate_limit_reset = ?1 * 60 + 30
             WHERE source_id = ?2",
        )
        .bind(now_minute)
        .bind(id)
        .execute(pool)
        .await?;
        // A full day of minutes, each with events and the odd error.
        sqlx::query(
            "WITH RECURSIVE m(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM m WHERE x < 1439)
             INSERT INTO health_minutes (source_id, minute, events, bytes, requests, pages, errors_server)
             SELECT ?1, ?2 - x, 50 + (x % 17), 100000, 1, 1, (x % 97 = 0) FROM m",
        )
        .bind(id)
        .bind(now_minute)
        .execute(pool)
        .await?;
        // The alarm and 21 alerts per source, all resolved but the newest of every fifth source.
        sqlx::query(
            "INSERT INTO alarm_status (source_id, state, since, armed_at, evaluated_at, reason)
             VALUES (?1, CASE WHEN ?1 % 5 = 0 THEN 'ALARM' ELSE 'OK' END, ?2 * 60000, ?2 * 60000, ?2 * 60000, 'bench')",
        )
        .bind(id)
        .bind(now_minute)
        .execute(pool)
        .await?;
        sqlx::query(
            "WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 20)
             INSERT INTO alerts (rule_id, dedup_key, severity, state, title, source_id, source_name,
                 first_seen, last_seen, resolved_at, resolved_how)
             SELECT 'system.no_events', 'system.no_events:' || ?1, 'CRITICAL',
                    CASE WHEN x = 0 AND ?1 % 5 = 0 THEN 'open' ELSE 'resolved' END, 'bench', ?1, 'bench',
                    (?2 - x * 60) * 60000, (?2 - x * 60) * 60000,
                    CASE WHEN x = 0 AND ?1 % 5 = 0 THEN NULL ELSE (?2 - x * 60) * 60000 END, 'automatically'
             FROM n",
        )
        .bind(id)
        .bind(now_minute)
        .execute(pool)
        .await?;
    }
    // Event rows, spread over the sources, generated inside SQLite.
    let per_source = args.events / u64::from(args.sources.max(1));
    for id in 1..=i64::from(args.sources) {
        sqlx::query(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?2)
             INSERT INTO events (source_id, uuid, event_time, parse_time, event_type, severity, row_id, data)
             SELECT ?1, printf('%08x-bench-%d', x, ?1), ?3 - x * 8000, ?3, 'user.session.start', 'INFO', printf('%032x', x),
                    '{\"eventType\":\"user.session.start\"}' FROM n",
        )
        .bind(id)
        .bind(per_source as i64)
        .bind(now_minute * 60_000)
        .execute(pool)
        .await?;
    }
    let seeded = seeding.elapsed();
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(pool)
        .await?;

    let mut times = Vec::with_capacity(args.runs);
    let mut bytes = 0;
    for _ in 0..args.runs {
        let started = Instant::now();
        let dashboard = engine
            .dashboard()
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        times.push(started.elapsed());
        bytes = serde_json::to_vec(&dashboard)?.len();
    }
    times.sort_unstable();
    let at = |q: f64| {
        times[((times.len() as f64 * q) as usize).min(times.len() - 1)].as_secs_f64() * 1000.0
    };
    println!(
        "dashboard benchmark: {} sources, {events} events, {} health minutes (seeded in {:.0} s; database {:.0} MiB)",
        args.sources,
        args.sources * 1440,
        seeded.as_secs_f64(),
        dir_size(&dir) as f64 / 1024.0 / 1024.0
    );
    println!(
        "  get_dashboard over {} runs: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; answer {:.0} KiB of JSON",
        args.runs,
        at(0.5),
        at(0.95),
        at(1.0),
        bytes as f64 / 1024.0
    );
    Ok(())
}

/// VmHWM: the process's peak resident set, in KiB (Linux).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
