//! Shared set-up: a simulator, an engine over a fresh database, and helpers to drive and
//! observe pollers without sleeping.

use std::{collections::HashSet, future::Future, sync::Arc, time::Duration};

use app::model::source::SIMULATOR_DOMAIN;
use gatehouse::{
    config::{Config, ConfigArgs, Secret},
    engine::{AddSource, Engine},
    ingest::poller::{poll_cycle, CycleReport},
    okta::RateBudget,
    simulator::{OrgConfig, OrgHandle, RunningSimulator, Simulator},
    store::HealthTotals,
};
use tempfile::TempDir;

pub struct Harness {
    pub dir: TempDir,
    pub simulator: Simulator,
    pub running: RunningSimulator,
    pub engine: Arc<Engine>,
}

/// An org with no live traffic (tests append what they need) and `backlog` past events.
pub fn quiet_org(name: &str, token: &str, backlog: u64) -> OrgConfig {
    let mut org = OrgConfig::new(name, token);
    org.backlog = backlog;
    org.backlog_window = Duration::from_secs(3600);
    org.events_per_sec = 0.0;
    org
}

impl Harness {
    pub async fn new(orgs: Vec<OrgConfig>) -> Self {
        Self::with_timeout(orgs, 3).await
    }

    /// `timeout_secs`: the Okta request timeout (short, so hang faults are quick to test).
    pub async fn with_timeout(orgs: Vec<OrgConfig>, timeout_secs: u64) -> Self {
        Self::configured(orgs, |args| args.request_timeout_secs = Some(timeout_secs)).await
    }

    /// The defaults below, changed by `configure` (e.g. a fast alarm clock, quick retries).
    pub async fn configured(orgs: Vec<OrgConfig>, configure: impl FnOnce(&mut ConfigArgs)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let simulator = Simulator::new(orgs);
        let running = simulator
            .spawn("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let mut args = ConfigArgs {
            database_url: Some(dir.path().join("gatehouse.db").display().to_string()),
            secret_key_file: Some(dir.path().join("secret.key")),
            // Long: supervisor tests move pollers on with `wake`, never by waiting for the interval.
            poll_interval_secs: Some(60),
            request_timeout_secs: Some(3),
            // Webhook receivers in these tests listen on loopback; `ssrf.rs` turns this off.
            allow_private_webhooks: Some(true),
            ..ConfigArgs::default()
        };
        configure(&mut args);
        let config = Config::load(&args).unwrap();
        let engine = gatehouse::cli::open_engine(config, Some(running.addr))
            .await
            .unwrap();
        Self {
            dir,
            simulator,
            running,
            engine,
        }
    }

    pub fn org(&self, name: &str) -> OrgHandle {
        self.simulator.org(name).expect("org configured")
    }

    pub async fn add_source(&self, name: &str, org: &str, token: &str) -> i64 {
        self.engine
            .add_source(AddSource {
                name: name.into(),
                subdomain: org.into(),
                domain: SIMULATOR_DOMAIN.into(),
                token: Secret::new(token),
                skip_check: true,
                setup_complete: true,
            })
            .await
            .unwrap()
    }

    /// Health counters of `source_id` summed over all time.
    pub async fn health(&self, source_id: i64) -> HealthTotals {
        self.engine.store.health_totals(source_id, 0).await.unwrap()
    }

    /// One poll cycle of `source_id`, as the supervisor would run it.
    pub async fn cycle(&self, source_id: i64, budget: &mut RateBudget) -> CycleReport {
        let source = self.engine.store.source(source_id).await.unwrap().unwrap();
        poll_cycle(self.engine.supervisor.context(), &source, budget).await
    }

    /// Cycles until one stores nothing new; fails the test on a failed cycle.
    pub async fn drain(&self, source_id: i64) -> Vec<CycleReport> {
        let mut budget = RateBudget::new(0.5);
        let mut reports = Vec::new();
        for _ in 0..20 {
            let report = self.cycle(source_id, &mut budget).await;
            assert!(
                report.failure.is_none(),
                "cycle failed: {:?}",
                report.failure
            );
            let done = report.inserted == 0;
            reports.push(report);
            if done {
                return reports;
            }
        }
        panic!("source {source_id} did not drain in 20 cycles");
    }

    /// The stored uuids equal the simulator's ground truth, with no duplicates.
    pub async fn assert_matches_truth(&self, source_id: i64, org: &str) {
        let stored = self.engine.store.event_uuids(source_id).await.unwrap();
        let unique: HashSet<&String> = stored.iter().collect();
        assert_eq!(unique.len(), stored.len(), "duplicates stored");
        let truth: HashSet<String> = self.org(org).truth().into_iter().collect();
        let stored: HashSet<String> = stored.into_iter().collect();
        let missing: Vec<_> = truth.difference(&stored).take(5).collect();
        let extra: Vec<_> = stored.difference(&truth).take(5).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "missing {missing:?}, extra {extra:?} (stored {}, truth {})",
            stored.len(),
            truth.len()
        );
    }
}

/// Polls `check` every 25 ms until it returns true or `timeout` passes (then panics with `what`).
pub async fn wait_for<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if check().await {
            return;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Polls `probe` every 25 ms until it gives a value or `timeout` passes (then panics with `what`).
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        if tokio::time::Instant::now() >= deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A LogEvent with the given uuid and published time, otherwise plain.
pub fn event(uuid: &str, published: &str) -> serde_json::Value {
    serde_json::json!({
        "uuid": uuid,
        "published": published,
        "eventType": "user.session.start",
        "version": "0",
        "severity": "INFO",
        "displayMessage": "User login to Okta",
        "actor": {"id": "00u1", "type": "User", "alternateId": "ana@example.com", "displayName": "Ana"},
        "client": {"ipAddress": "203.0.113.9"},
        "outcome": {"result": "SUCCESS"}
    })
}

/// The console's router on port 0, with client addresses as `gatehouse serve` has them; its
/// base URL.
pub async fn serve_console(h: &Harness) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = gatehouse::web::router(Arc::clone(&h.engine), addr);
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    format!("http://{addr}")
}

/// The password of the admin [`signed_in_client`] creates.
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

/// A client signed in as `admin` (created if missing): the session cookie and a same-origin
/// `Origin` on every request, as a browser on the console's pages sends them.
pub async fn signed_in_client(h: &Harness, base: &str) -> reqwest::Client {
    let accounts = &h.engine.accounts;
    if h.engine
        .store
        .user_by_name("admin")
        .await
        .unwrap()
        .is_none()
    {
        accounts.add_user("admin", ADMIN_PASSWORD).await.unwrap();
    }
    let session = accounts.login("admin", ADMIN_PASSWORD, None).await.unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::COOKIE,
        format!("gatehouse_session={}", session.token.expose())
            .parse()
            .unwrap(),
    );
    headers.insert(reqwest::header::ORIGIN, base.parse().unwrap());
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}
