//! The SSRF guard. Okta: the org's host is validated on the server, every followed link is
//! pinned to the org's origin, redirects are never followed, and plain http only reaches the
//! configured simulator. Webhooks: destinations that are, or resolve to, non-public addresses
//! are refused when saved and when sent, unless `allow_private_webhooks` is set.

use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
};

use app::{
    backend::Console,
    model::{
        alert::{DestinationInput, Severity},
        source::{SourceSetup, SIMULATOR_DOMAIN},
        AppError,
    },
};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use gatehouse::{
    config::{Config, ConfigArgs, Secret},
    engine::{AddSource, Engine},
    ingest::poller::poll_cycle,
    okta::RateBudget,
    store::{now_ms, DestinationWrite},
};

use crate::harness::{quiet_org, Harness};

/// A listener that only counts the connections made to it: nothing may reach it.
struct Trap {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
}

impl Trap {
    fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        std::thread::spawn(move || {
            for _ in listener.incoming() {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        Self { addr, hits }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// An HTTP server on 127.0.0.1:0 answering every request with `answer()`'s status and headers
/// and an empty JSON array.
async fn scripted(answer: Arc<Mutex<(StatusCode, HeaderMap)>>) -> SocketAddr {
    let app = axum::Router::new().fallback(move || {
        let answer = Arc::clone(&answer);
        async move {
            let (status, headers) = answer.lock().unwrap().clone();
            (status, headers, "[]")
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// An engine over a fresh database whose simulator domain resolves to `simulator`.
async fn engine(
    dir: &tempfile::TempDir,
    simulator: Option<SocketAddr>,
    allow_private_webhooks: bool,
) -> Arc<Engine> {
    let config = Config::load(&ConfigArgs {
        database_url: Some(dir.path().join("gatehouse.db").display().to_string()),
        secret_key_file: Some(dir.path().join("secret.key")),
        request_timeout_secs: Some(3),
        allow_private_webhooks: Some(allow_private_webhooks),
        ..ConfigArgs::default()
    })
    .unwrap();
    gatehouse::cli::open_engine(config, simulator)
        .await
        .unwrap()
}

fn field_errors(result: Result<i64, AppError>) -> Vec<(String, String)> {
    match result {
        Err(AppError::Fields(fields)) => fields
            .into_iter()
            .map(|f| (f.field, f.problem.message))
            .collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[tokio::test]
async fn the_server_refuses_org_hosts_the_browser_form_would_refuse() {
    let h = Harness::new(vec![quiet_org("acme", "t", 0)]).await;
    for (subdomain, domain, field) in [
        ("acme.evil.com", SIMULATOR_DOMAIN, "subdomain"),
        ("169.254.169.254", SIMULATOR_DOMAIN, "subdomain"),
        ("evil.com/", SIMULATOR_DOMAIN, "subdomain"),
        ("acme:8080", SIMULATOR_DOMAIN, "subdomain"),
        ("acme@evil", SIMULATOR_DOMAIN, "subdomain"),
        ("acme", "evil.com", "domain"),
        ("acme", "okta.com.evil.com", "domain"),
        ("acme", "127.0.0.1", "domain"),
    ] {
        let result = Console::setup_source(
            h.engine.as_ref(),
            SourceSetup {
                name: format!("{subdomain} {domain}"),
                subdomain: subdomain.into(),
                domain: domain.into(),
                token: "t".into(),
            },
        )
        .await;
        let fields = field_errors(result);
        assert_eq!(fields[0].0, field, "{subdomain}.{domain}: {fields:?}");
    }
    assert!(h.engine.store.sources().await.unwrap().is_empty());

    // Without a configured simulator its domain is refused as well, and plain http is never used.
    let dir = tempfile::tempdir().unwrap();
    let plain = engine(&dir, None, false).await;
    let err = plain
        .add_source(AddSource {
            name: "Sim".into(),
            subdomain: "acme".into(),
            domain: SIMULATOR_DOMAIN.into(),
            token: Secret::new("t"),
            skip_check: true,
            setup_complete: true,
        })
        .await
        .unwrap_err();
    assert!(err.to_string().starts_with("domain:"), "{err}");
    assert_eq!(
        plain.http.org_url("acme", "okta.com").unwrap().scheme(),
        "https"
    );
    assert!(plain.http.org_url("acme", SIMULATOR_DOMAIN).is_err());
    assert_eq!(
        h.engine.http.org_url("acme", "okta.com").unwrap().scheme(),
        "https",
        "only the simulator's domain is plain http"
    );
}

#[tokio::test]
async fn next_links_off_the_org_origin_and_redirects_are_never_followed() {
    let trap = Trap::start();
    let answer = Arc::new(Mutex::new((StatusCode::OK, HeaderMap::new())));
    let okta = scripted(Arc::clone(&answer)).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir, Some(okta), false).await;
    let id = engine
        .add_source(AddSource {
            name: "Fake".into(),
            subdomain: "acme".into(),
            domain: SIMULATOR_DOMAIN.into(),
            token: Secret::new("t"),
            skip_check: true,
            setup_complete: true,
        })
        .await
        .unwrap();
    let source = engine.store.source(id).await.unwrap().unwrap();
    let trap_port = trap.addr.port();
    let link = |url: String| {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::LINK,
            HeaderValue::from_str(&format!("<{url}>; rel=\"next\"")).unwrap(),
        );
        (StatusCode::OK, headers)
    };
    let redirect = |status: StatusCode, to: String| {
        let mut headers = HeaderMap::new();
        headers.insert(header::LOCATION, HeaderValue::from_str(&to).unwrap());
        (status, headers)
    };
    let cases = [
        (
            "a next link to another host",
            link(format!("http://127.0.0.1:{trap_port}/api/v1/logs?after=x")),
        ),
        (
            "a next link to the org's host on another port",
            link(format!(
                "http://acme.{SIMULATOR_DOMAIN}:{trap_port}/api/v1/logs?after=x"
            )),
        ),
        (
            "a next link to another org behind the same resolver",
            link(format!(
                "http://evil.{SIMULATOR_DOMAIN}:{}/api/v1/logs?after=x",
                okta.port()
            )),
        ),
        (
            "a next link to the metadata service",
            link("http://169.254.169.254/latest/meta-data".into()),
        ),
        (
            "a 302 to another host",
            redirect(
                StatusCode::FOUND,
                format!("http://127.0.0.1:{trap_port}/api/v1/logs"),
            ),
        ),
        (
            "a 307 to another host",
            redirect(
                StatusCode::TEMPORARY_REDIRECT,
                format!("http://127.0.0.1:{trap_port}/api/v1/logs"),
            ),
        ),
    ];
    for (what, response) in cases {
        *answer.lock().unwrap() = response;
        let mut budget = RateBudget::new(0.5);
        let report = poll_cycle(engine.supervisor.context(), &source, &mut budget).await;
        let failure = report
            .failure
            .unwrap_or_else(|| panic!("{what}: the cycle should fail"))
            .to_string();
        if what.starts_with("a next link") {
            assert!(
                failure.starts_with("Refusing to follow a link off the org's host"),
                "{what}: {failure}"
            );
        }
        assert_eq!(
            report.requests, 1,
            "{what}: only the first page was fetched"
        );
    }
    assert_eq!(trap.hits(), 0, "nothing ever reached another host");
    assert_eq!(
        engine.store.checkpoint(id).await.unwrap(),
        None,
        "an off-host link never becomes the checkpoint"
    );
}

fn destination(name: &str, url: &str) -> DestinationInput {
    DestinationInput {
        name: name.into(),
        url: url.into(),
        secret: String::new(),
        clear_secret: false,
        min_severity: Severity::Info,
        enabled: true,
    }
}

#[tokio::test]
async fn destinations_on_non_public_addresses_are_refused_when_saved() {
    let h = Harness::configured(vec![quiet_org("acme", "t", 0)], |args| {
        args.allow_private_webhooks = Some(false)
    })
    .await;
    let expected = [
        (
            "http://127.0.0.1:9/hook",
            "the URL's host is 127.0.0.1, a loopback address",
        ),
        (
            "http://10.1.2.3/hook",
            "the URL's host is 10.1.2.3, a private address",
        ),
        (
            "http://169.254.169.254/latest/meta-data",
            "the URL's host is 169.254.169.254, a link-local (cloud metadata) address",
        ),
        (
            "https://100.64.0.7/hook",
            "the URL's host is 100.64.0.7, a carrier-grade NAT",
        ),
        (
            "http://[::1]:9/hook",
            "the URL's host is ::1, a loopback address",
        ),
        (
            "http://[::ffff:127.0.0.1]:9/hook",
            "the URL's host is ::ffff:127.0.0.1, a loopback address",
        ),
        (
            "https://[fd00::5]/hook",
            "the URL's host is fd00::5, a private address",
        ),
        (
            "https://[fe80::1]/hook",
            "the URL's host is fe80::1, a link-local address",
        ),
        (
            "http://0.0.0.0:9/hook",
            "the URL's host is 0.0.0.0, an unspecified address",
        ),
        (
            "http://2130706433:9/hook",
            "the URL's host is 127.0.0.1, a loopback address",
        ),
        ("http://localhost:9/hook", "localhost resolves to "),
    ];
    for (i, (url, message)) in expected.into_iter().enumerate() {
        let fields = field_errors(
            h.engine
                .save_destination(None, destination(&format!("Hook {i}"), url))
                .await,
        );
        assert_eq!(fields.len(), 1, "{url}: {fields:?}");
        assert_eq!(fields[0].0, "url", "{url}");
        assert!(fields[0].1.starts_with(message), "{url}: {}", fields[0].1);
        assert!(
            fields[0].1.ends_with(
                "Gatehouse refuses private and loopback destinations unless allow_private_webhooks is set."
            ),
            "{url}: {}",
            fields[0].1
        );
    }
    assert!(h.engine.list_destinations().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_stored_private_destination_is_refused_again_when_sent() {
    let trap = Trap::start();
    let h = Harness::configured(vec![quiet_org("acme", "t", 0)], |args| {
        args.allow_private_webhooks = Some(false)
    })
    .await;
    // Saved before the guard existed (or while allow_private_webhooks was on).
    for (name, url) in [
        (
            "Loopback",
            format!("http://127.0.0.1:{}/hook", trap.addr.port()),
        ),
        (
            "By name",
            format!("http://localhost:{}/hook", trap.addr.port()),
        ),
        (
            "Mapped",
            format!("http://[::ffff:127.0.0.1]:{}/hook", trap.addr.port()),
        ),
    ] {
        let id = h
            .engine
            .store
            .insert_destination(
                &DestinationWrite {
                    name,
                    url: &url,
                    min_severity: Severity::Info,
                    enabled: true,
                },
                None,
                now_ms(),
            )
            .await
            .unwrap();
        let answer = h.engine.test_destination(id).await.unwrap();
        assert!(!answer.ok, "{url}");
        assert!(
            answer
                .message
                .contains("Gatehouse refuses private and loopback destinations unless allow_private_webhooks is set"),
            "{url}: {}",
            answer.message
        );
    }
    assert_eq!(trap.hits(), 0, "no connection was made");
}

#[tokio::test]
async fn allow_private_webhooks_lets_loopback_receivers_in_but_redirects_are_still_not_followed() {
    let trap = Trap::start();
    let answer = Arc::new(Mutex::new((StatusCode::OK, HeaderMap::new())));
    let receiver = scripted(Arc::clone(&answer)).await;
    // The harness sets allow_private_webhooks, as the other alert tests need.
    let h = Harness::new(vec![quiet_org("acme", "t", 0)]).await;
    let id = h
        .engine
        .save_destination(
            None,
            destination("Local", &format!("http://{receiver}/hook")),
        )
        .await
        .unwrap();
    assert!(h.engine.test_destination(id).await.unwrap().ok);

    let mut headers = HeaderMap::new();
    headers.insert(
        header::LOCATION,
        HeaderValue::from_str(&format!("http://{}/hook", trap.addr)).unwrap(),
    );
    *answer.lock().unwrap() = (StatusCode::TEMPORARY_REDIRECT, headers);
    let answer = h.engine.test_destination(id).await.unwrap();
    assert!(!answer.ok);
    assert!(answer.message.contains("HTTP 307"), "{}", answer.message);
    assert_eq!(trap.hits(), 0, "the redirect was not followed");
}
