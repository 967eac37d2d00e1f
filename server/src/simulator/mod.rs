//! The built-in Okta API simulator: one or more orgs served over real HTTP, with the System Log
//! (`/api/v1/logs`), users and devices endpoints, Okta's rate limits and error bodies, and
//! injectable faults. The console's demo mode and the integration tests run it in-process;
//! `okta-simulator` (and `gatehouse simulate`) run it standalone.
//!
//! | file | job |
//! |---|---|
//! | `api.rs` | org routing by `Host`, auth, faults, rate limits, `Link` headers |
//! | `logs.rs`, `users.rs`, `devices.rs` | the three list endpoints |
//! | `eventlog.rs` | an org's log in persistence order, lazy live production |
//! | `generator.rs`, `catalog.rs`, `rng.rs` | deterministic synthetic events and people |
//! | `directory.rs` | users and devices |
//! | `faults.rs`, `ratelimit.rs`, `error.rs`, `stats.rs` | misbehaviour, limits, error bodies, counters |
//! | `admin.rs` | the `/_sim` control endpoints |
//! | `cli.rs` | `SimulateArgs` and [`run`] |

mod admin;
mod api;
mod catalog;
mod cli;
mod devices;
mod directory;
mod error;
mod eventlog;
mod faults;
mod generator;
mod logs;
mod org;
mod ratelimit;
mod rng;
mod stats;
mod time;
mod users;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use cli::{run, SimulateArgs};
pub use faults::{Fault, RateLimitHeaders};
pub use ratelimit::RateLimits;
pub use stats::SimStats;

use org::OrgState;
use time::Clock;

/// The domain the console uses for simulated orgs (`acme.simulator.localhost`); one definition,
/// shared with the browser's domain list.
pub use app::model::source::SIMULATOR_DOMAIN;

/// How one simulated org behaves.
#[derive(Clone, Debug)]
pub struct OrgConfig {
    /// The subdomain (`acme` in `acme.simulator.localhost`).
    pub name: String,
    /// API tokens accepted as `Authorization: SSWS {token}`.
    pub tokens: Vec<String>,
    /// Requests per minute; `None` or `Some(0)` turns the limit (and its headers) off.
    pub logs_rate_limit: Option<u32>,
    pub users_rate_limit: Option<u32>,
    pub devices_rate_limit: Option<u32>,
    /// Live events persisted per second (fractional is fine; 0 = none).
    pub events_per_sec: f64,
    /// Events persisted evenly over `backlog_window` before start.
    pub backlog: u64,
    pub backlog_window: Duration,
    /// The share of live events published 30 s to 10 min before they are persisted.
    pub late_fraction: f64,
    /// Length of a rate-limit window (Okta: one minute). Shorter windows let tests exercise
    /// pacing without waiting minutes.
    pub rate_limit_window: Duration,
    pub users: usize,
    pub devices: usize,
    /// Without Okta Devices, `/api/v1/devices` answers 403 E0000006.
    pub devices_enabled: bool,
    /// Everything generated derives from this.
    pub seed: u64,
    /// Events served verbatim (valid or not), persisted at start after the backlog.
    pub events: Vec<Value>,
}

impl OrgConfig {
    /// A Workforce-like org: 120/600/100 requests per minute, 1 event/s, 500 backlog events over
    /// 24 h, 5% late, 200 users (some deprovisioned, suspended, locked out), 50 devices.
    pub fn new(name: &str, token: &str) -> Self {
        OrgConfig {
            name: name.to_string(),
            tokens: vec![token.to_string()],
            logs_rate_limit: Some(120),
            users_rate_limit: Some(600),
            devices_rate_limit: Some(100),
            events_per_sec: 1.0,
            backlog: 500,
            backlog_window: Duration::from_secs(24 * 3600),
            late_fraction: 0.05,
            rate_limit_window: Duration::from_secs(60),
            users: 200,
            devices: 50,
            devices_enabled: true,
            seed: rng::hash_str(name),
            events: Vec::new(),
        }
    }
}

/// State shared by every request and handle.
pub(crate) struct Shared {
    clock: Clock,
    orgs: Vec<Arc<OrgState>>,
}

impl Shared {
    fn org(&self, name: &str) -> Option<&Arc<OrgState>> {
        self.orgs.iter().find(|o| o.name.eq_ignore_ascii_case(name))
    }

    /// The org a request is for: the first label of its host, or the only org there is.
    fn route(&self, host: &str) -> Option<&Arc<OrgState>> {
        let hostname = if host.starts_with('[') {
            "" // an IPv6 literal names no org
        } else {
            host.rsplit_once(':').map_or(host, |(h, _)| h)
        };
        let label = hostname.split('.').next().unwrap_or_default();
        self.org(label).or(match self.orgs.as_slice() {
            [only] => Some(only),
            _ => None,
        })
    }
}

/// A set of simulated orgs. Cheap to clone.
#[derive(Clone)]
pub struct Simulator {
    shared: Arc<Shared>,
}

impl Simulator {
    /// Builds the orgs (names should be unique; for duplicates the first wins).
    pub fn new(orgs: Vec<OrgConfig>) -> Self {
        let clock = Clock::default();
        let now = clock.now_ms();
        let orgs = orgs
            .iter()
            .map(|config| Arc::new(OrgState::new(config, now)))
            .collect();
        Simulator {
            shared: Arc::new(Shared { clock, orgs }),
        }
    }

    /// The HTTP side: `/api/v1/*` for the orgs and `/_sim/*` to control them.
    pub fn router(&self) -> axum::Router {
        api::router(Arc::clone(&self.shared))
    }

    /// Serves on `addr` (port 0 picks a free port) in a background task until the returned
    /// value is dropped.
    pub async fn spawn(&self, addr: SocketAddr) -> std::io::Result<RunningSimulator> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let router = self.router();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = serve.await {
                tracing::warn!(%error, "okta simulator stopped");
            }
        });
        Ok(RunningSimulator {
            addr,
            shutdown: Some(shutdown),
            task,
        })
    }

    pub fn org(&self, name: &str) -> Option<OrgHandle> {
        self.shared.org(name).map(|org| OrgHandle {
            shared: Arc::clone(&self.shared),
            org: Arc::clone(org),
        })
    }

    /// The orgs' names, in configuration order.
    pub fn org_names(&self) -> Vec<String> {
        self.shared.orgs.iter().map(|o| o.name.clone()).collect()
    }

    /// Moves the simulated clock forward: live events due in that time appear, rate-limit
    /// windows end. (`X-Rate-Limit-Reset` is in simulated time.) For tests that must not sleep.
    pub fn advance_clock(&self, by: Duration) {
        self.shared
            .clock
            .advance(i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 4));
    }
}

/// A simulator serving in the background; dropping it shuts the server down.
pub struct RunningSimulator {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningSimulator {
    /// `http://{org}.simulator.localhost:{port}`: the base URL a client uses for `org`.
    pub fn org_url(&self, org: &str) -> String {
        format!("http://{org}.{SIMULATOR_DOMAIN}:{}", self.addr.port())
    }

    /// Stops accepting connections and waits for open ones to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Controls one org at run time (the same operations as the `/_sim` endpoints).
#[derive(Clone)]
pub struct OrgHandle {
    shared: Arc<Shared>,
    org: Arc<OrgState>,
}

impl OrgHandle {
    pub fn name(&self) -> &str {
        &self.org.name
    }

    fn now_ms(&self) -> i64 {
        self.shared.clock.now_ms()
    }

    /// The uuid of every event persisted by now, in persistence order: what a client that
    /// drained the log should hold.
    pub fn truth(&self) -> Vec<String> {
        self.org.log(self.now_ms()).uuids()
    }

    /// Queues a fault for the next `count` matching API requests.
    pub fn inject_fault(&self, fault: Fault) {
        self.org.faults().push(fault);
    }

    pub fn clear_faults(&self) {
        self.org.faults().clear();
    }

    /// Faults still waiting to happen.
    pub fn pending_faults(&self) -> Vec<Fault> {
        self.org.faults().pending()
    }

    /// Every token answers 401 E0000011 until [`OrgHandle::restore_tokens`].
    pub fn revoke_tokens(&self) {
        self.org.set_tokens_revoked(true);
    }

    pub fn restore_tokens(&self) {
        self.org.set_tokens_revoked(false);
    }

    /// Appends events, persisted now, served verbatim.
    pub fn append_events(&self, events: Vec<Value>) {
        let now = self.now_ms();
        self.org.log(now).append(events, now);
    }

    /// Changes the live production rate from now on (0 stops it).
    pub fn set_events_per_sec(&self, rate: f64) {
        let now = self.now_ms();
        self.org.log(now).set_rate(rate, now);
    }

    pub fn set_rate_limits(&self, limits: RateLimits) {
        self.org.limits().set(limits);
    }

    pub fn stats(&self) -> SimStats {
        self.org.stats().clone()
    }

    /// The org's user ids, in list order.
    pub fn user_ids(&self) -> Vec<String> {
        self.org
            .directory()
            .users
            .iter()
            .map(|u| u.id.clone())
            .collect()
    }

    /// The org's users as (id, login, status, title), in list order (deprovisioned included).
    pub fn users(&self) -> Vec<(String, String, String, String)> {
        self.org
            .directory()
            .users
            .iter()
            .map(|u| {
                (
                    u.id.clone(),
                    u.profile.login.clone(),
                    u.status.to_owned(),
                    u.profile.title.clone(),
                )
            })
            .collect()
    }

    /// The org's devices as (id, owners' user ids), in list order.
    pub fn devices(&self) -> Vec<(String, Vec<String>)> {
        let directory = self.org.directory();
        directory
            .devices
            .iter()
            .map(|d| {
                let owners = d
                    .owners
                    .iter()
                    .map(|o| directory.users[o.user].id.clone())
                    .collect();
                (d.id.clone(), owners)
            })
            .collect()
    }

    /// Changes a user's title and `lastUpdated` (for delta-sync tests). False if unknown.
    pub fn touch_user(&self, id: &str) -> bool {
        let now = self.now_ms();
        self.org.directory().touch_user(id, now)
    }

    /// Sets a user's status (`"DEPROVISIONED"`, ...); `Err` names an unknown user or status.
    pub fn set_user_status(&self, id: &str, status: &str) -> Result<(), String> {
        let now = self.now_ms();
        self.org.directory().set_user_status(id, status, now)
    }
}

/// A generated org for benchmarks, without a server: its users and devices as Okta serves them
/// (devices with `expand=user`), and pages of its events as `/api/v1/logs` bodies.
pub struct SampleOrg {
    pub users: Vec<Value>,
    pub devices: Vec<Value>,
    pub pages: Vec<Vec<u8>>,
}

impl SampleOrg {
    pub fn generate(seed: u64, users: usize, devices: usize, events: u64, page: u64) -> Self {
        let now = chrono::Utc::now().timestamp_millis();
        let directory = directory::Directory::generate("bench", seed, users, devices, now);
        let base = "https://bench.okta.com";
        let users_json = directory
            .users
            .iter()
            .map(|u| {
                serde_json::to_value(directory::UserJson::new(u, &directory.user_type_id, base))
                    .expect("a user serializes")
            })
            .collect();
        let devices_json = directory
            .devices
            .iter()
            .map(|d| {
                serde_json::to_value(directory::DeviceJson::new(
                    d,
                    Some(&directory.users),
                    &directory.user_type_id,
                    base,
                ))
                .expect("a device serializes")
            })
            .collect();
        let generator = generator::Generator::new(seed, &directory);
        let mut pages = Vec::new();
        let mut index = 0;
        while index < events {
            let mut body = b"[".to_vec();
            for i in index..(index + page).min(events) {
                if i > index {
                    body.push(b',');
                }
                generator.render(i, now - 3_600_000 + i as i64, &mut body);
            }
            body.push(b']');
            pages.push(body);
            index += page;
        }
        SampleOrg {
            users: users_json,
            devices: devices_json,
            pages,
        }
    }
}
