//! Profile enrichment: Okta users and devices synced per source, and matched against events as
//! they are normalized (`p_enrichment`, Panther's lookup-table shape).
//!
//! | file | job |
//! |---|---|
//! | `mod.rs` | [`Enricher`]: one sync task per source and switched-on kind, the published lookups |
//! | `sync.rs` | one full or delta sync (pages, errors in words) |
//! | `index.rs` | the in-memory tables and the splicing of matches into a row |
//!
//! A kind's table is consulted only while its toggle is on and after its first full sync.

mod index;
pub mod sync;

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use app::model::enrichment::ProfileKind;
use tokio::{sync::Notify, task::JoinHandle};
use tracing::Instrument;

pub use index::{
    append_enrichment, DeviceTable, EventKeys, Lookups, SourceLookup, TargetKey, UserTable,
};
pub use sync::SyncContext;

use crate::{
    okta::RateBudget,
    store::{now_ms, SourceRow, StoreError},
};

/// A failed sync is retried after this, or after the refresh period if that is shorter.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(300);

const KINDS: [ProfileKind; 2] = [ProfileKind::Users, ProfileKind::Devices];

/// Whether `kind` is switched on for `source`.
pub fn enabled(source: &SourceRow, kind: ProfileKind) -> bool {
    match kind {
        ProfileKind::Users => source.user_profiles,
        ProfileKind::Devices => source.device_profiles,
    }
}

fn refresh(source: &SourceRow, kind: ProfileKind) -> i64 {
    let minutes = match kind {
        ProfileKind::Users => source.user_refresh_minutes,
        ProfileKind::Devices => source.device_refresh_minutes,
    };
    minutes.max(1) * 60_000
}

/// Starts, stops and wakes the sync tasks, and publishes each source's lookup.
pub struct Enricher {
    ctx: SyncContext,
    lookups: Arc<Lookups>,
    /// Tables built after a full sync, per source (published while their kind is on).
    tables: Mutex<HashMap<i64, SourceLookup>>,
    tasks: tokio::sync::Mutex<HashMap<(i64, ProfileKind), SyncTask>>,
    /// Off in short-lived command-line processes.
    active: AtomicBool,
}

struct SyncTask {
    handle: JoinHandle<()>,
    wake: Arc<Notify>,
    /// Sync now, whatever the schedule says (`sync_profiles`).
    now: Arc<AtomicBool>,
}

impl Enricher {
    pub fn new(ctx: SyncContext, lookups: Arc<Lookups>) -> Arc<Self> {
        Arc::new(Self {
            ctx,
            lookups,
            tables: Mutex::new(HashMap::new()),
            tasks: tokio::sync::Mutex::new(HashMap::new()),
            active: AtomicBool::new(false),
        })
    }

    pub fn lookups(&self) -> &Arc<Lookups> {
        &self.lookups
    }

    /// Lets [`Enricher::reconcile`] start sync tasks (the server does this once it serves).
    pub async fn activate(self: &Arc<Self>) -> Result<(), StoreError> {
        self.active.store(true, Ordering::SeqCst);
        self.reconcile().await
    }

    /// Makes the running tasks match the sources' toggles: starts switched-on kinds of enabled
    /// sources, stops the rest (dropping their tables at once, so no new event is enriched).
    pub async fn reconcile(self: &Arc<Self>) -> Result<(), StoreError> {
        let sources = self.ctx.store.sources().await?;
        let wanted = |id: i64, kind: ProfileKind| {
            sources
                .iter()
                .any(|s| s.id == id && s.enabled && enabled(s, kind))
        };
        let mut tasks = self.tasks.lock().await;
        let stopped: Vec<(i64, ProfileKind)> = tasks
            .keys()
            .filter(|&&(id, kind)| !wanted(id, kind) || tasks[&(id, kind)].handle.is_finished())
            .copied()
            .collect();
        for key in &stopped {
            if let Some(task) = tasks.remove(key) {
                task.handle.abort();
                // Ended before its table is dropped below: it cannot publish one afterwards.
                let _ = task.handle.await;
            }
        }
        // Tables of kinds switched off (or of sources gone) go, whether a task ran or not.
        let known: Vec<i64> = self
            .tables
            .lock()
            .expect("tables")
            .keys()
            .copied()
            .collect();
        for id in known {
            for kind in KINDS {
                if !wanted(id, kind) {
                    self.set_table(id, kind, None);
                }
            }
        }
        for (id, kind) in stopped {
            tracing::info!(
                source.id = id,
                profiles = kind.as_str(),
                "profile sync stopped"
            );
        }
        if !self.active.load(Ordering::SeqCst) {
            return Ok(());
        }
        for source in &sources {
            for kind in KINDS {
                if wanted(source.id, kind) {
                    tasks
                        .entry((source.id, kind))
                        .or_insert_with(|| self.spawn(source, kind));
                }
            }
        }
        Ok(())
    }

    /// Wakes a kind's task: it re-reads its settings, and syncs at once when `now`.
    pub async fn wake(&self, source_id: i64, kind: ProfileKind, now: bool) -> bool {
        match self.tasks.lock().await.get(&(source_id, kind)) {
            Some(task) => {
                if now {
                    task.now.store(true, Ordering::SeqCst);
                }
                task.wake.notify_one();
                true
            }
            None => false,
        }
    }

    /// The running tasks, by source and kind.
    pub async fn running(&self) -> Vec<(i64, ProfileKind)> {
        let mut keys: Vec<(i64, ProfileKind)> = self.tasks.lock().await.keys().copied().collect();
        keys.sort_by_key(|(id, kind)| (*id, kind.as_str()));
        keys
    }

    /// Reconciles every `every` (picks up changes made by the command line).
    pub fn spawn_reconciler(self: &Arc<Self>, every: Duration) -> JoinHandle<()> {
        let this = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                if let Err(e) = this.reconcile().await {
                    tracing::warn!(error = %e, "reconciling profile syncs failed");
                }
                tokio::time::sleep(every).await;
            }
        })
    }

    /// Aborts every sync task (process shutdown); a page in flight rolls back.
    pub async fn shutdown(&self) {
        for (_, task) in self.tasks.lock().await.drain() {
            task.handle.abort();
        }
    }

    fn spawn(self: &Arc<Self>, source: &SourceRow, kind: ProfileKind) -> SyncTask {
        let wake = Arc::new(Notify::new());
        let now = Arc::new(AtomicBool::new(false));
        let span = tracing::info_span!("profile_sync", source.id = source.id, profiles = kind.as_str(), okta.host = %format!("{}.{}", source.subdomain, source.domain));
        let handle = tokio::spawn(
            run_task(
                Arc::clone(self),
                source.id,
                kind,
                Arc::clone(&wake),
                Arc::clone(&now),
            )
            .instrument(span),
        );
        tracing::info!(
            source.id = source.id,
            profiles = kind.as_str(),
            "profile sync started"
        );
        SyncTask { handle, wake, now }
    }

    /// Replaces (or with `None` removes) one kind's table and publishes the source's lookup.
    fn set_table(&self, source_id: i64, kind: ProfileKind, table: Option<Table>) {
        let mut tables = self.tables.lock().expect("tables");
        let entry = tables.entry(source_id).or_default();
        match (kind, table) {
            (ProfileKind::Users, Some(Table::Users(t))) => entry.users = Some(t),
            (ProfileKind::Devices, Some(Table::Devices(t))) => entry.devices = Some(t),
            (ProfileKind::Users, _) => entry.users = None,
            (ProfileKind::Devices, _) => entry.devices = None,
        }
        let lookup = entry.clone();
        if lookup.is_empty() {
            tables.remove(&source_id);
        }
        self.lookups.set(source_id, lookup);
    }

    /// Builds a kind's table from the stored profiles (off the async workers).
    async fn build_table(&self, source_id: i64, kind: ProfileKind) -> Result<Table, StoreError> {
        let started = std::time::Instant::now();
        let table = match kind {
            ProfileKind::Users => {
                let rows = self.ctx.store.all_users(source_id).await?;
                let table = tokio::task::spawn_blocking(move || UserTable::build(&rows))
                    .await
                    .expect("building a table does not panic");
                Table::Users(Arc::new(table))
            }
            ProfileKind::Devices => {
                let rows = self.ctx.store.all_devices(source_id).await?;
                let table = tokio::task::spawn_blocking(move || DeviceTable::build(&rows))
                    .await
                    .expect("building a table does not panic");
                Table::Devices(Arc::new(table))
            }
        };
        tracing::debug!(
            duration_ms = started.elapsed().as_millis() as u64,
            "lookup table built"
        );
        Ok(table)
    }
}

enum Table {
    Users(Arc<UserTable>),
    Devices(Arc<DeviceTable>),
}

/// The life of one kind's sync for one source: load the table a previous full sync left, then
/// sync when due (full until one has finished, delta after), sleep until the next due time or a
/// wake-up, again. Ends when the kind is switched off or the source paused or removed.
async fn run_task(
    this: Arc<Enricher>,
    source_id: i64,
    kind: ProfileKind,
    wake: Arc<Notify>,
    now_flag: Arc<AtomicBool>,
) {
    let store = &this.ctx.store;
    let mut budget: Option<RateBudget> = None;
    let mut loaded = false;
    loop {
        let source = match store.source(source_id).await {
            Ok(Some(s)) if s.enabled && enabled(&s, kind) => s,
            Ok(_) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the source; retrying");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        let state = match store.profile_sync(source_id, kind).await {
            Ok(state) => state,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the sync state; retrying");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        let full_done = state.as_ref().is_some_and(|s| s.last_full_at.is_some());
        if full_done && !loaded {
            match this.build_table(source_id, kind).await {
                Ok(table) => {
                    this.set_table(source_id, kind, Some(table));
                    loaded = true;
                }
                Err(e) => tracing::warn!(error = %e, "loading stored profiles failed"),
            }
        }
        let period = refresh(&source, kind);
        let now = now_ms();
        let due = match &state {
            Some(s) if s.state == "failed" => s.next_due_at.unwrap_or(now),
            Some(s) if full_done => s.last_full_at.max(s.last_delta_at).unwrap_or(now) + period,
            _ => now,
        };
        if now_flag.swap(false, Ordering::SeqCst) || now >= due {
            let budget = budget.get_or_insert_with(|| RateBudget::new(source.rate_limit_share));
            budget.set_share(source.rate_limit_share);
            let cursor = state.as_ref().and_then(|s| s.cursor.clone());
            let since = if full_done { cursor.as_deref() } else { None };
            if sync_once(&this, &source, kind, since, period, budget).await {
                loaded = true;
            }
            continue;
        }
        if state.as_ref().and_then(|s| s.next_due_at) != Some(due) {
            let _ = store.set_profile_sync_due(source_id, kind, due).await;
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis((due - now).max(0) as u64)) => {}
            _ = wake.notified() => {}
        }
    }
}

/// One sync with its bookkeeping; true when it succeeded and the table was (re)published.
async fn sync_once(
    this: &Enricher,
    source: &SourceRow,
    kind: ProfileKind,
    since: Option<&str>,
    period: i64,
    budget: &mut RateBudget,
) -> bool {
    let store = &this.ctx.store;
    let full = since.is_none();
    let started_at = now_ms();
    if let Err(e) = store
        .set_profile_sync_state(source.id, kind, "syncing")
        .await
    {
        tracing::warn!(error = %e, "recording the sync state failed");
    }
    let result = sync::run_sync(&this.ctx, source, kind, since, started_at, budget).await;
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(e) => {
            tracing::warn!(error = %e, full, "profile sync failed");
            let retry = period.min(RETRY_AFTER_FAILURE.as_millis() as i64);
            if let Err(e) = store
                .fail_profile_sync(source.id, kind, &e.to_string(), now_ms(), now_ms() + retry)
                .await
            {
                tracing::warn!(error = %e, "recording the failed sync failed");
            }
            return false;
        }
    };
    let removed = if full {
        match store
            .remove_unseen_profiles(source.id, kind, started_at)
            .await
        {
            Ok(removed) => removed,
            Err(e) => {
                tracing::warn!(error = %e, "removing profiles deleted in Okta failed");
                return false;
            }
        }
    } else {
        0
    };
    // The table is published before the sync is recorded as done: whoever sees `ready` (the
    // tab, a test) knows new events are matched against it.
    if full || outcome.rows > 0 || removed > 0 {
        match this.build_table(source.id, kind).await {
            Ok(table) => this.set_table(source.id, kind, Some(table)),
            Err(e) => {
                tracing::warn!(error = %e, "rebuilding the lookup table failed");
                return false;
            }
        }
    }
    if let Err(e) = store
        .finish_profile_sync(
            source.id,
            kind,
            full,
            started_at,
            outcome.cursor.as_deref(),
            started_at + period,
        )
        .await
    {
        tracing::warn!(error = %e, "recording the finished sync failed");
        return false;
    }
    tracing::info!(
        full,
        requests = outcome.requests,
        rows = outcome.rows,
        removed,
        duration_ms = (now_ms() - started_at),
        "profile sync done"
    );
    true
}
