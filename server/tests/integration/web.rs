//! The console's router on port 0: pages render on the server, server functions answer.

use std::sync::Arc;

use app::api::system::GetSystemInfo;
use leptos::server_fn::ServerFn;

use crate::harness::{quiet_org, Harness};

async fn serve(h: &Harness) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = gatehouse::web::router(Arc::clone(&h.engine), addr);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn pages_render_with_hydration_scripts_and_unknown_paths_are_404() {
    let h = Harness::new(vec![quiet_org("acme", "t", 0)]).await;
    let base = serve(&h).await;
    let client = crate::harness::signed_in_client(&h, &base).await;
    for (path, heading) in [
        ("/", "Dashboard"),
        ("/sources", "Sources"),
        ("/settings", "Settings"),
    ] {
        let response = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let html = response.text().await.unwrap();
        assert!(
            html.contains(&format!(">{heading}</h1>")),
            "{path}: {heading}"
        );
        assert!(
            html.contains("/pkg/gatehouse.js"),
            "{path}: hydration script"
        );
        assert!(html.contains("/pkg/gatehouse.css"), "{path}: stylesheet");
    }
    let settings = client
        .get(format!("{base}/settings"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        settings.contains("gatehouse.db"),
        "server data rendered into the page"
    );
    let missing = client.get(format!("{base}/nope")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn the_system_info_server_function_answers_json() {
    let h = Harness::new(vec![quiet_org("acme", "t", 0)]).await;
    let base = serve(&h).await;
    let response = crate::harness::signed_in_client(&h, &base)
        .await
        .post(format!("{base}{}", GetSystemInfo::PATH))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let info: serde_json::Value = response.json().await.unwrap();
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert!(info["database_path"]
        .as_str()
        .unwrap()
        .ends_with("gatehouse.db"));
    let versions: Vec<i64> = info["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["version"].as_i64().unwrap())
        .collect();
    // Every migration file, in order.
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations"))
        .unwrap()
        .filter(|f| {
            f.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|e| e == "sql")
        })
        .count() as i64;
    assert!(files >= 7);
    assert_eq!(versions, (1..=files).collect::<Vec<_>>());
}

#[tokio::test]
async fn no_server_function_ever_returns_the_token() {
    use app::api::sources::{GetSource, ListSources};

    // Stable, hash-free URLs (scripts and end-to-end tests rely on them).
    assert_eq!(ListSources::PATH, "/api/list_sources");
    let h = Harness::new(vec![quiet_org("acme", "tok-SECRET-123", 3)]).await;
    let id = h.add_source("Acme", "acme", "tok-SECRET-123").await;
    let base = serve(&h).await;
    let client = crate::harness::signed_in_client(&h, &base).await;
    for (path, body) in [
        (ListSources::PATH, String::new()),
        (GetSource::PATH, format!("id={id}")),
    ] {
        let response = client
            .post(format!("{base}{path}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let text = response.text().await.unwrap();
        assert!(text.contains("\"token_hint\":\"-123\""), "{path}: {text}");
        assert!(!text.contains("SECRET"), "{path} leaked the token: {text}");
    }
}

#[tokio::test]
async fn health_readiness_and_prometheus_metrics() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 1_500)]).await;
    h.engine.supervisor.activate().await.unwrap();
    let id = h.add_source("Acme \"EU\"", "acme", "t1").await;
    let store = h.engine.store.clone();
    crate::harness::wait_for("the first poll", std::time::Duration::from_secs(10), || {
        let store = store.clone();
        async move { store.event_count(id).await.unwrap() == 1_500 }
    })
    .await;
    let base = serve(&h).await;
    let client = crate::harness::signed_in_client(&h, &base).await;
    for (path, body) in [("/healthz", "ok\n"), ("/readyz", "ready\n")] {
        let response = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.text().await.unwrap(), body);
    }
    // The cycle's metrics are recorded right after its status; wait for the scrape to show them.
    let labels = format!(r#"source_id="{id}",source="Acme \"EU\"""#);
    let mut text = String::new();
    for _ in 0..200 {
        let response = client.get(format!("{base}/metrics")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4"));
        text = response.text().await.unwrap();
        if text.contains("gatehouse_polls_total")
            && text.contains(&format!("{labels},outcome=\"ok\""))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    for line in [
        format!("gatehouse_events_stored_total{{{labels}}} 1500"),
        format!("gatehouse_okta_requests_total{{{labels},outcome=\"ok\"}} 2"),
        format!("gatehouse_polls_total{{{labels},outcome=\"ok\"}} 1"),
        format!("gatehouse_poll_duration_seconds_count{{{labels}}} 1"),
        format!("gatehouse_rate_limit_limit{{{labels}}} 120"),
        format!("gatehouse_source_state{{{labels},state=\"healthy\"}} 1"),
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing `{line}` in\n{text}"
        );
    }
    assert!(text
        .lines()
        .any(|l| l.starts_with(&format!("gatehouse_ingestion_lag_seconds{{{labels}}} "))));
    assert!(text
        .lines()
        .any(|l| l.starts_with(&format!("gatehouse_rate_limit_remaining{{{labels}}} "))));
    h.engine.supervisor.shutdown().await;
}

#[tokio::test]
async fn the_dashboard_counts_events_per_minute_from_health_counters() {
    use app::{api::dashboard::GetDashboard, model::dashboard::Dashboard};

    let h = Harness::new(vec![
        quiet_org("acme", "t1", 1_200),
        quiet_org("globex", "t2", 0),
    ])
    .await;
    let busy = h.add_source("Busy", "acme", "t1").await;
    let quiet = h.add_source("Quiet", "globex", "t2").await;
    h.drain(busy).await;
    h.drain(quiet).await;
    let base = serve(&h).await;
    let response = crate::harness::signed_in_client(&h, &base)
        .await
        .post(format!("{base}{}", GetDashboard::PATH))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let dashboard: Dashboard = response.json().await.unwrap();
    assert_eq!(dashboard.totals.sources, 2);
    assert_eq!(dashboard.totals.events_last_day, 1_200);
    let busy = dashboard.sources.iter().find(|s| s.id == busy).unwrap();
    assert_eq!(
        busy.per_minute.iter().map(|n| i64::from(*n)).sum::<i64>(),
        1_200
    );
    assert_eq!(
        (busy.events_last_hour, busy.events_last_day),
        (1_200, 1_200)
    );
    assert!(busy.last_event_time.is_some() && busy.lag_ms.is_some());
    let quiet = dashboard.sources.iter().find(|s| s.id == quiet).unwrap();
    assert_eq!(quiet.events_last_day, 0);

    // Retention: minutes older than the cut-off go, recent ones stay.
    let now_minute = gatehouse::store::now_ms() / 60_000;
    assert_eq!(
        h.engine
            .store
            .prune_health_minutes(now_minute - 60)
            .await
            .unwrap(),
        0
    );
    assert!(
        h.engine
            .store
            .prune_health_minutes(now_minute + 1)
            .await
            .unwrap()
            > 0
    );
}
