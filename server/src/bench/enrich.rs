//! `gatehouse bench enrich`: the cost of profile enrichment on the poll path. Loads a generated
//! directory (100,000 users, 50,000 devices by default) into the lookup tables, then normalizes
//! the simulator's realistic events with and without them; reports ns per event, the tables'
//! memory and their build time.

use std::{sync::Arc, time::Instant};

use clap::Args;

use crate::{
    enrich::{sync, DeviceTable, SourceLookup, UserTable},
    ingest::normalize::{normalize_page, normalize_page_enriched, NormalizeContext},
    simulator::SampleOrg,
};

#[derive(Debug, Args)]
pub struct EnrichArgs {
    #[arg(long, default_value_t = 100_000)]
    pub users: usize,
    #[arg(long, default_value_t = 50_000)]
    pub devices: usize,
    /// Events normalized per run.
    #[arg(long, default_value_t = 200_000)]
    pub events: u64,
    /// Runs of each variant; the fastest counts.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
}

/// Current resident memory in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

pub fn run(args: EnrichArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let org = SampleOrg::generate(7, args.users, args.devices, args.events, 1000);
    println!(
        "enrich benchmark: {} users, {} devices, {} events in {} pages (generated in {:.1} s)",
        org.users.len(),
        org.devices.len(),
        args.events,
        org.pages.len(),
        started.elapsed().as_secs_f64()
    );
    // One user in ten is left out of the table: their events are misses.
    let users: Vec<_> = org
        .users
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 10 != 9)
        .filter_map(|(_, u)| sync::user_record(u))
        .map(|mut u| {
            u.okta = String::new();
            u
        })
        .collect();
    let devices: Vec<_> = org
        .devices
        .iter()
        .filter_map(sync::device_record)
        .map(|mut d| {
            d.okta = String::new();
            d
        })
        .collect();
    let pages = org.pages;

    let rss_before = rss_kib();
    let build = Instant::now();
    let user_table = UserTable::build(&users);
    let user_build = build.elapsed();
    let build = Instant::now();
    let device_table = DeviceTable::build(&devices);
    let device_build = build.elapsed();
    let rss_after = rss_kib();
    let estimated = user_table.estimated_bytes() + device_table.estimated_bytes();
    // Dropped only now: memory they free could otherwise hold the tables without RSS growing.
    drop((users, devices, org.users, org.devices));
    println!(
        "  tables:      {} users in {:.0} ms, {} devices in {:.0} ms; ~{:.1} MB estimated, RSS +{:.1} MB",
        user_table.len(),
        user_build.as_secs_f64() * 1e3,
        device_table.len(),
        device_build.as_secs_f64() * 1e3,
        estimated as f64 / 1e6,
        (rss_after.saturating_sub(rss_before)) as f64 / 1024.0
    );
    let lookup = SourceLookup {
        users: Some(Arc::new(user_table)),
        devices: Some(Arc::new(device_table)),
    };

    let ctx = NormalizeContext {
        source_id: 1,
        source_label: "bench".into(),
        parse_time: chrono::Utc::now(),
    };
    let runs = args.runs.max(1);
    let mut plain_best = f64::MAX;
    let mut enriched_best = f64::MAX;
    let (mut matched, mut rows, mut extra_bytes) = (0usize, 0usize, 0usize);
    for _ in 0..runs {
        let t = Instant::now();
        let mut plain_bytes = 0;
        for page in &pages {
            let outcome = normalize_page(page, &ctx)?;
            plain_bytes += outcome.events.iter().map(|e| e.json.len()).sum::<usize>();
            std::hint::black_box(&outcome);
        }
        plain_best = plain_best.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let (mut hits, mut n, mut bytes) = (0, 0, 0);
        for page in &pages {
            let outcome = normalize_page_enriched(page, &ctx, Some(&lookup))?;
            n += outcome.events.len();
            for event in &outcome.events {
                bytes += event.json.len();
                hits += usize::from(event.json.contains(r#""p_enrichment":"#));
            }
            std::hint::black_box(&outcome);
        }
        enriched_best = enriched_best.min(t.elapsed().as_secs_f64());
        (matched, rows, extra_bytes) = (hits, n, bytes.saturating_sub(plain_bytes));
    }
    let per_event = |secs: f64| secs * 1e9 / rows.max(1) as f64;
    println!(
        "  normalize:   plain {:.0} ns/event, enriched {:.0} ns/event (best of {runs} runs over {rows} events)",
        per_event(plain_best),
        per_event(enriched_best),
    );
    println!(
        "  enrichment:  {:.0} ns/event; {matched} of {rows} events matched ({:.0}%), +{:.0} bytes per event on average",
        per_event(enriched_best - plain_best),
        matched as f64 * 100.0 / rows.max(1) as f64,
        extra_bytes as f64 / rows.max(1) as f64
    );
    Ok(())
}
