//! One simulated org: its tokens, log, directory, rate limits, faults and counters.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::directory::Directory;
use super::eventlog::{EventLog, LogSeed};
use super::faults::FaultQueue;
use super::generator::Generator;
use super::ratelimit::{RateLimiter, RateLimits};
use super::stats::SimStats;
use super::OrgConfig;

pub(crate) struct OrgState {
    pub name: String,
    tokens: Vec<String>,
    tokens_revoked: AtomicBool,
    pub devices_enabled: bool,
    pub generator: Arc<Generator>,
    log: Mutex<EventLog>,
    directory: Mutex<Directory>,
    limits: Mutex<RateLimiter>,
    faults: Mutex<FaultQueue>,
    stats: Mutex<SimStats>,
}

/// Locks a mutex, ignoring poisoning: every critical section here leaves consistent state.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl OrgState {
    pub fn new(config: &OrgConfig, now_ms: i64) -> Self {
        let directory = Directory::generate(
            &config.name,
            config.seed,
            config.users,
            config.devices,
            now_ms,
        );
        let generator = Arc::new(Generator::new(config.seed, &directory));
        let log = EventLog::new(
            Arc::clone(&generator),
            LogSeed {
                backlog: config.backlog,
                backlog_window_ms: i64::try_from(config.backlog_window.as_millis())
                    .unwrap_or(i64::MAX / 4),
                events_per_sec: config.events_per_sec,
                late_fraction: config.late_fraction,
                verbatim: config.events.clone(),
            },
            now_ms,
        );
        OrgState {
            name: config.name.clone(),
            tokens: config.tokens.clone(),
            tokens_revoked: AtomicBool::new(false),
            devices_enabled: config.devices_enabled,
            generator,
            log: Mutex::new(log),
            directory: Mutex::new(directory),
            limits: Mutex::new(RateLimiter::with_window(
                RateLimits {
                    logs: config.logs_rate_limit,
                    users: config.users_rate_limit,
                    devices: config.devices_rate_limit,
                },
                i64::try_from(config.rate_limit_window.as_millis()).unwrap_or(i64::MAX),
            )),
            faults: Mutex::new(FaultQueue::default()),
            stats: Mutex::new(SimStats::default()),
        }
    }

    /// Whether an `Authorization` header value carries one of this org's live tokens.
    pub fn authorized(&self, authorization: Option<&str>) -> bool {
        if self.tokens_revoked.load(Ordering::Relaxed) {
            return false;
        }
        let Some(value) = authorization else {
            return false;
        };
        let Some((scheme, token)) = value.trim().split_once(' ') else {
            return false;
        };
        scheme.eq_ignore_ascii_case("SSWS") && self.tokens.iter().any(|t| t == token.trim())
    }

    pub fn set_tokens_revoked(&self, revoked: bool) {
        self.tokens_revoked.store(revoked, Ordering::Relaxed);
    }

    pub fn tokens_revoked(&self) -> bool {
        self.tokens_revoked.load(Ordering::Relaxed)
    }

    /// The log, with live production caught up to `now_ms`.
    pub fn log(&self, now_ms: i64) -> MutexGuard<'_, EventLog> {
        let mut log = lock(&self.log);
        log.catch_up(now_ms);
        log
    }

    pub fn directory(&self) -> MutexGuard<'_, Directory> {
        lock(&self.directory)
    }

    pub fn limits(&self) -> MutexGuard<'_, RateLimiter> {
        lock(&self.limits)
    }

    pub fn faults(&self) -> MutexGuard<'_, FaultQueue> {
        lock(&self.faults)
    }

    pub fn stats(&self) -> MutexGuard<'_, SimStats> {
        lock(&self.stats)
    }
}
