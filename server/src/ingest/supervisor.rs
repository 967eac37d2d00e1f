//! One poller task per enabled source, one poll in flight per source. The supervisor starts,
//! stops and wakes them as sources are added, paused, resumed, changed or removed, with no
//! restart, and a periodic reconcile picks up changes made by the command line.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use tokio::{sync::Notify, task::JoinHandle};
use tracing::Instrument;

use super::poller::{poll_cycle, CycleReport, PollContext};
use crate::{
    okta::{ErrorClass, RateBudget},
    store::{AttemptRecord, ErrorDetail, SourceRow, StatusUpdate},
};

/// After 401/403 the token will not fix itself: retry slowly instead of storming Okta.
const AUTH_RETRY: Duration = Duration::from_secs(300);
/// Consecutive failed cycles after which a source shows as Failing rather than Degraded.
const FAILING_AFTER: i64 = 3;

pub struct Supervisor {
    ctx: PollContext,
    tasks: tokio::sync::Mutex<HashMap<i64, Poller>>,
    /// Off in short-lived command-line processes: they change sources but never poll.
    active: AtomicBool,
}

struct Poller {
    handle: JoinHandle<()>,
    wake: Arc<Notify>,
}

impl Supervisor {
    pub fn new(ctx: PollContext) -> Arc<Self> {
        Arc::new(Self {
            ctx,
            tasks: tokio::sync::Mutex::new(HashMap::new()),
            active: AtomicBool::new(false),
        })
    }

    /// Lets [`Supervisor::reconcile`] start pollers (the server does this once it serves).
    pub async fn activate(&self) -> Result<(), crate::store::StoreError> {
        self.active.store(true, Ordering::SeqCst);
        self.reconcile().await
    }

    pub fn context(&self) -> &PollContext {
        &self.ctx
    }

    /// Makes the running pollers match the database: starts enabled sources, stops paused or
    /// removed ones, and restarts a poller whose task ended unexpectedly.
    pub async fn reconcile(&self) -> Result<(), crate::store::StoreError> {
        if !self.active.load(Ordering::SeqCst) {
            return Ok(());
        }
        let sources = self.ctx.store.sources().await?;
        let mut tasks = self.tasks.lock().await;
        tasks.retain(|id, poller| {
            let keep =
                sources.iter().any(|s| s.id == *id && s.enabled) && !poller.handle.is_finished();
            if !keep {
                poller.handle.abort();
            }
            keep
        });
        for source in sources.iter().filter(|s| s.enabled) {
            tasks.entry(source.id).or_insert_with(|| self.spawn(source));
        }
        Ok(())
    }

    /// Polls `source_id` now instead of at its next turn (e.g. after its token was replaced).
    pub async fn wake(&self, source_id: i64) {
        if let Some(poller) = self.tasks.lock().await.get(&source_id) {
            poller.wake.notify_one();
        }
    }

    /// Stops a source's poller at once (pause or delete), then reconciles the rest.
    pub async fn stop(&self, source_id: i64) {
        if let Some(poller) = self.tasks.lock().await.remove(&source_id) {
            poller.handle.abort();
            let _ = poller.handle.await;
        }
    }

    pub async fn running(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.tasks.lock().await.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    /// Reconciles every `every` until the process ends.
    pub fn spawn_reconciler(self: &Arc<Self>, every: Duration) -> JoinHandle<()> {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                if let Err(e) = this.reconcile().await {
                    tracing::warn!(error = %e, "reconciling pollers failed");
                }
                tokio::time::sleep(every).await;
            }
        })
    }

    /// Aborts every poller (process shutdown). Work in flight rolls back, by design.
    pub async fn shutdown(&self) {
        for (_, poller) in self.tasks.lock().await.drain() {
            poller.handle.abort();
        }
    }

    fn spawn(&self, source: &SourceRow) -> Poller {
        let wake = Arc::new(Notify::new());
        let span = tracing::info_span!("poller", source.id = source.id, okta.host = %format!("{}.{}", source.subdomain, source.domain));
        let handle = tokio::spawn(
            run_source(self.ctx.clone(), source.id, Arc::clone(&wake)).instrument(span),
        );
        tracing::info!(source.id = source.id, "poller started");
        Poller { handle, wake }
    }
}

/// The life of one source's poller: a cycle, its bookkeeping, a sleep (or a wake-up), again.
async fn run_source(ctx: PollContext, source_id: i64, wake: Arc<Notify>) {
    let mut budget: Option<RateBudget> = None;
    loop {
        let source = match ctx.store.source(source_id).await {
            Ok(Some(source)) if source.enabled => source,
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the source; retrying");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        let budget = budget.get_or_insert_with(|| RateBudget::new(source.rate_limit_share));
        budget.set_share(source.rate_limit_share);
        let report = poll_cycle(&ctx, &source, budget).await;
        let delay = match record(&ctx, &source, budget, &report).await {
            Ok(delay) => delay,
            Err(e) => {
                tracing::warn!(error = %e, "recording the poll cycle failed");
                Duration::from_secs(source.poll_interval_secs.max(1) as u64)
            }
        };
        // Checks, system alerts and the alarm follow the status row they are derived from.
        if let Err(e) = ctx.monitor.after_cycle(&source, &report).await {
            tracing::warn!(error = %e, "updating health checks and alerts failed");
        }
        // After the status row, so a scrape that sees this cycle's counters also sees its status.
        ctx.metrics.record_cycle(source.id, &report);
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = wake.notified() => {}
        }
    }
}

/// Writes the cycle's status and attempt; returns how long to wait before the next one.
async fn record(
    ctx: &PollContext,
    source: &SourceRow,
    budget: &RateBudget,
    report: &CycleReport,
) -> Result<Duration, crate::store::StoreError> {
    let interval = Duration::from_secs(source.poll_interval_secs.max(1) as u64);
    let previous_failures = ctx
        .store
        .status(source.id)
        .await?
        .map_or(0, |s| s.consecutive_failures);
    let error = report.failure.as_ref().map(|f| ErrorDetail {
        class: f.class().as_str(),
        code: f.code().map(str::to_owned),
        summary: f.to_string(),
    });
    let (state, reason, outcome, delay) = match &report.failure {
        Some(f) if f.class() == ErrorClass::Auth => {
            ("failing", f.to_string(), "failed", AUTH_RETRY.max(interval))
        }
        Some(f) if previous_failures + 1 >= FAILING_AFTER => (
            "failing",
            format!("{f} ({} polls in a row failed)", previous_failures + 1),
            "failed",
            interval,
        ),
        Some(f) => ("degraded", f.to_string(), "failed", interval),
        None if report.quarantined > 0 => (
            "degraded",
            format!(
                "{} events failed classification in the last poll (kept in quarantine)",
                report.quarantined
            ),
            "ok",
            interval,
        ),
        None if report.rate_limited > 0 => (
            "degraded",
            format!(
                "Okta's rate limit was reached {} times in the last poll",
                report.rate_limited
            ),
            "ok",
            interval,
        ),
        None if report.inserted > 0 => (
            "healthy",
            format!("Received {} new events in the last poll", report.inserted),
            "ok",
            interval,
        ),
        None => (
            "healthy",
            "Polling; no new events in the last poll".to_owned(),
            "ok",
            interval,
        ),
    };
    match &report.failure {
        Some(f) => {
            tracing::warn!(error = %f, duration_ms = report.duration_ms, requests = report.requests, "poll failed")
        }
        None => tracing::info!(
            duration_ms = report.duration_ms,
            requests = report.requests,
            pages = report.pages,
            events = report.inserted,
            "poll done"
        ),
    }
    let rate = budget.last().map(|r| (r.limit, r.remaining, r.reset));
    ctx.store
        .record_cycle(
            source.id,
            &StatusUpdate {
                state,
                reason,
                started_at_ms: report.started_at_ms,
                duration_ms: report.duration_ms,
                outcome,
                error: error.clone(),
                rate,
            },
            &AttemptRecord {
                source_id: source.id,
                started_at_ms: report.started_at_ms,
                duration_ms: report.duration_ms,
                outcome,
                requests: i64::from(report.requests),
                pages: i64::from(report.pages),
                events: report.inserted as i64,
                error,
            },
        )
        .await?;
    Ok(delay)
}
