//! Pollers against the simulator: checkpoints, late events, restarts, faults, rate limits.
//! Every test ends by comparing the stored uuids with the simulator's ground truth.

use std::time::Duration;

use gatehouse::{okta::RateBudget, simulator::Fault};
use serde_json::json;

use crate::harness::{event, quiet_org, wait_for, Harness};

fn fault(spec: serde_json::Value) -> Fault {
    serde_json::from_value(spec).expect("a valid fault")
}

#[tokio::test]
async fn a_backlog_is_stored_exactly_once_and_the_checkpoint_follows_next() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 2_500)]).await;
    let id = h.add_source("Acme", "acme", "t1").await;
    let reports = h.drain(id).await;
    // 1000 + 1000 + 500 in the first cycle, then an empty page.
    assert_eq!(reports[0].inserted, 2_500);
    assert_eq!(reports[0].pages, 3);
    assert_eq!(reports[0].full_pages, 2);
    assert_eq!(
        reports[1].requests, 1,
        "a caught-up cycle costs one request"
    );
    h.assert_matches_truth(id, "acme").await;
    let checkpoint = h.engine.store.checkpoint(id).await.unwrap().unwrap();
    assert!(
        checkpoint.contains("after="),
        "checkpoint is Okta's next link: {checkpoint}"
    );

    let status = h.engine.store.status(id).await.unwrap().unwrap();
    assert_eq!(status.events_total, 2_500);
    let health = h.health(id).await;
    assert_eq!(health.events, 2_500);
    assert_eq!(health.pages, 4);
    assert!(
        health.bytes > 2_500 * 300,
        "bytes counted: {}",
        health.bytes
    );
}

#[tokio::test]
async fn an_empty_page_keeps_the_checkpoint_and_new_events_follow_it() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 10)]).await;
    let id = h.add_source("Acme", "acme", "t1").await;
    h.drain(id).await;
    let before = h.engine.store.checkpoint(id).await.unwrap();
    let mut budget = RateBudget::new(0.5);
    let empty = h.cycle(id, &mut budget).await;
    assert_eq!((empty.inserted, empty.pages), (0, 1));
    assert_eq!(
        h.engine.store.checkpoint(id).await.unwrap(),
        before,
        "empty page: same URL kept"
    );

    h.org("acme").append_events(vec![
        event("new-1", "2026-01-01T00:00:00.000Z"),
        event("new-2", "2026-01-01T00:00:01.000Z"),
    ]);
    let next = h.cycle(id, &mut budget).await;
    assert_eq!(next.inserted, 2);
    assert_ne!(
        h.engine.store.checkpoint(id).await.unwrap(),
        before,
        "partial page: its next saved"
    );
    h.assert_matches_truth(id, "acme").await;
}

#[tokio::test]
async fn late_and_out_of_order_events_are_not_missed() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 50)]).await;
    let id = h.add_source("Acme", "acme", "t1").await;
    h.drain(id).await;
    // Arrive now, published up to an hour ago and out of order: a since/until window poller
    // would skip them; following `next` in persistence order does not.
    let now = chrono::Utc::now();
    let late: Vec<_> = [50, 5, 30, 59]
        .iter()
        .enumerate()
        .map(|(i, minutes)| {
            let published = (now - chrono::Duration::minutes(*minutes))
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            event(&format!("late-{i}"), &published)
        })
        .collect();
    h.org("acme").append_events(late);
    h.drain(id).await;
    h.assert_matches_truth(id, "acme").await;
}

#[tokio::test]
async fn a_new_engine_on_the_same_database_resumes_from_the_checkpoint() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 1_200)]).await;
    let id = h.add_source("Acme", "acme", "t1").await;
    h.drain(id).await;
    let requests_before = h.org("acme").stats().total("logs");

    // A "restart": a second engine over the same files, the first one dropped.
    let config = h.engine.config.clone();
    let engine = gatehouse::cli::open_engine(config, Some(h.running.addr))
        .await
        .unwrap();
    h.org("acme")
        .append_events(vec![event("after-restart", "2026-02-01T00:00:00.000Z")]);
    let source = engine.store.source(id).await.unwrap().unwrap();
    let report = gatehouse::ingest::poller::poll_cycle(
        engine.supervisor.context(),
        &source,
        &mut RateBudget::new(0.5),
    )
    .await;
    assert!(report.failure.is_none(), "{:?}", report.failure);
    assert_eq!(
        (report.inserted, report.requests),
        (1, 1),
        "only the new event, in one request"
    );
    assert_eq!(h.org("acme").stats().total("logs"), requests_before + 1);
    h.assert_matches_truth(id, "acme").await;
}

#[tokio::test]
async fn a_poll_aborted_in_the_middle_of_a_page_loses_and_duplicates_nothing() {
    let h = Harness::with_timeout(vec![quiet_org("acme", "t1", 3_000)], 20).await;
    let id = h.add_source("Acme", "acme", "t1").await;
    // The first page is stored normally; then a page hangs and the poll is killed meanwhile.
    let mut budget = RateBudget::new(0.5);
    let source = h.engine.store.source(id).await.unwrap().unwrap();
    let ctx = h.engine.supervisor.context().clone();
    let org = h.org("acme");
    let task = tokio::spawn(async move {
        gatehouse::ingest::poller::poll_cycle(&ctx, &source, &mut budget).await
    });
    let store = h.engine.store.clone();
    wait_for(
        "the first page to be stored",
        Duration::from_secs(10),
        || {
            let store = store.clone();
            async move { store.event_count(id).await.unwrap() >= 1_000 }
        },
    )
    .await;
    org.inject_fault(fault(
        json!({"kind": "hang", "count": 1, "secs": 30.0, "path": "/api/v1/logs"}),
    ));
    // Whatever page is in flight now is cut off mid-request or mid-transaction.
    task.abort();
    let _ = task.await;
    org.clear_faults();
    let stored_after_kill = h.engine.store.event_count(id).await.unwrap();
    assert!(
        stored_after_kill % 1_000 == 0,
        "only whole pages are ever stored: {stored_after_kill}"
    );
    h.drain(id).await;
    h.assert_matches_truth(id, "acme").await;
}

#[tokio::test]
async fn two_sources_keep_separate_state_and_tokens() {
    let h = Harness::new(vec![
        quiet_org("acme", "token-a", 300),
        quiet_org("globex", "token-b", 700),
    ])
    .await;
    let a = h.add_source("Acme", "acme", "token-a").await;
    let b = h.add_source("Globex", "globex", "token-b").await;
    h.drain(a).await;
    h.drain(b).await;
    h.assert_matches_truth(a, "acme").await;
    h.assert_matches_truth(b, "globex").await;
    assert_ne!(
        h.engine.store.checkpoint(a).await.unwrap(),
        h.engine.store.checkpoint(b).await.unwrap()
    );

    // Revoking one org's token fails only that source.
    h.org("globex").revoke_tokens();
    let mut budget = RateBudget::new(0.5);
    let failed = h.cycle(b, &mut budget).await;
    let failure = failed.failure.expect("401");
    assert_eq!(failure.code(), Some("E0000011"));
    assert!(
        failure.to_string().contains("Okta rejected the token"),
        "{failure}"
    );
    assert!(h.cycle(a, &mut budget).await.failure.is_none());
}

/// Transient faults are retried within the cycle (up to three in a row per page); the result
/// still equals the truth, and each failure is counted by class.
#[tokio::test]
async fn transient_faults_are_retried_without_loss_or_duplicates() {
    let h = Harness::with_timeout(vec![quiet_org("acme", "t1", 1_500)], 2).await;
    let id = h.add_source("Acme", "acme", "t1").await;
    let org = h.org("acme");
    let groups = [
        vec![
            json!({"kind": "server_error", "count": 2}),
            json!({"kind": "reset", "count": 1}),
        ],
        vec![
            json!({"kind": "malformed", "count": 1}),
            json!({"kind": "hang", "count": 1, "secs": 4.0}),
        ],
        vec![json!({"kind": "duplicate_links", "count": 2})],
    ];
    let mut retries = 0;
    for (round, faults) in groups.into_iter().enumerate() {
        let fresh: Vec<_> = (0..1_200)
            .map(|i| event(&format!("r{round}-{i}"), "2026-01-01T00:00:00.000Z"))
            .collect();
        org.append_events(fresh);
        for spec in faults {
            org.inject_fault(fault(spec));
        }
        retries += h.drain(id).await.iter().map(|r| r.retries).sum::<u32>();
        assert!(
            org.pending_faults().is_empty(),
            "round {round}: every fault was hit"
        );
    }
    assert_eq!(
        retries, 5,
        "server errors, reset, malformed page and timeout each retried once"
    );
    h.assert_matches_truth(id, "acme").await;
    let health = h.health(id).await;
    assert_eq!(health.errors_server, 2);
    assert_eq!(health.errors_timeout, 1);
    assert_eq!(health.errors_decode, 1);
    assert_eq!(health.errors_transport, 1);
}

#[tokio::test]
async fn four_transient_failures_in_a_row_end_the_cycle_as_a_visible_failure() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 100)]).await;
    let id = h.add_source("Acme", "acme", "t1").await;
    h.org("acme")
        .inject_fault(fault(json!({"kind": "server_error", "count": 4})));
    let mut budget = RateBudget::new(0.5);
    let report = h.cycle(id, &mut budget).await;
    let failure = report.failure.expect("gave up after three retries");
    assert_eq!(failure.code(), Some("E0000009"));
    assert_eq!((report.requests, report.inserted), (4, 0));
    // The next cycle goes on from the same checkpoint.
    h.drain(id).await;
    h.assert_matches_truth(id, "acme").await;
}

#[tokio::test]
async fn a_429_with_headers_is_waited_out_until_the_window_resets() {
    let mut org = quiet_org("acme", "t1", 1_500);
    org.logs_rate_limit = Some(100);
    org.rate_limit_window = Duration::from_secs(2);
    let h = Harness::new(vec![org]).await;
    let id = h.add_source("Acme", "acme", "t1").await;
    h.org("acme").inject_fault(fault(
        json!({"kind": "rate_limit", "count": 1, "headers": "normal"}),
    ));
    let started = std::time::Instant::now();
    let reports = h.drain(id).await;
    assert_eq!(reports[0].rate_limited, 1);
    assert!(reports[0].failure.is_none());
    // The reset is at most one (2 s) window away, rounded to whole seconds.
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    h.assert_matches_truth(id, "acme").await;
}

#[tokio::test]
async fn rate_limited_answers_are_waited_out() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 1_500)]).await;
    let id = h.add_source("Acme", "acme", "t1").await;
    let org = h.org("acme");
    org.inject_fault(fault(
        json!({"kind": "rate_limit", "count": 1, "headers": "none"}),
    ));
    org.inject_fault(fault(
        json!({"kind": "rate_limit", "count": 1, "headers": "zero"}),
    ));
    let reports = h.drain(id).await;
    assert_eq!(reports[0].rate_limited, 2);
    assert!(reports[0].failure.is_none());
    assert_eq!(h.health(id).await.rate_limited, 2);
    h.assert_matches_truth(id, "acme").await;
}

#[tokio::test]
async fn a_next_link_equal_to_self_does_not_loop() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 2_500)]).await;
    let id = h.add_source("Acme", "acme", "t1").await;
    h.org("acme")
        .inject_fault(fault(json!({"kind": "next_is_self", "count": 1})));
    let mut budget = RateBudget::new(0.5);
    let first = h.cycle(id, &mut budget).await;
    assert_eq!(
        first.pages, 1,
        "stopped instead of re-requesting the same page"
    );
    h.drain(id).await;
    h.assert_matches_truth(id, "acme").await;
}

#[tokio::test]
async fn an_oversized_page_is_refused_and_fetched_again() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 200)]).await;
    let id = h.add_source("Acme", "acme", "t1").await;
    // Bigger than the client's 32 MiB cap.
    h.org("acme").inject_fault(fault(
        json!({"kind": "oversized", "count": 1, "bytes": 40 * 1024 * 1024}),
    ));
    let reports = h.drain(id).await;
    assert_eq!(reports[0].retries, 1);
    assert_eq!(h.health(id).await.errors_decode, 1);
    h.assert_matches_truth(id, "acme").await;
}

#[tokio::test]
async fn malformed_events_are_quarantined_with_reasons_and_do_not_block_the_rest() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 0)]).await;
    let id = h.add_source("Acme", "acme", "t1").await;
    let mut bad_date = event("bad-date", "2017-09-31T10:00:00.000Z");
    bad_date["eventType"] = json!("user.session.start");
    h.org("acme").append_events(vec![
        event("good-1", "2026-01-01T00:00:00.000Z"),
        json!({"published": "2026-01-01T00:00:00.000Z", "eventType": "x", "version": "0", "severity": "INFO"}),
        bad_date,
        json!("not even an object"),
        event("good-2", "2026-01-01T00:00:02.000Z"),
    ]);
    let mut budget = RateBudget::new(0.5);
    let report = h.cycle(id, &mut budget).await;
    assert!(report.failure.is_none());
    assert_eq!((report.inserted, report.quarantined), (2, 3));
    assert_eq!(
        h.engine.store.event_uuids(id).await.unwrap(),
        vec!["good-1", "good-2"]
    );
    assert_eq!(h.engine.store.quarantine_count(id).await.unwrap(), 3);
    assert_eq!(h.health(id).await.classification_failures, 3);
    // Quarantined events are not re-fetched: the checkpoint moved past the page.
    assert_eq!(h.cycle(id, &mut budget).await.quarantined, 0);
}

#[tokio::test]
async fn a_revoked_token_fails_the_source_with_okta_s_code_and_recovers_when_restored() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 20)]).await;
    let id = h.add_source("Acme", "acme", "t1").await;
    h.engine.supervisor.activate().await.unwrap();
    let store = h.engine.store.clone();
    wait_for("the first poll", Duration::from_secs(10), || {
        let store = store.clone();
        async move { store.event_count(id).await.unwrap() == 20 }
    })
    .await;
    h.org("acme").revoke_tokens();
    h.engine.supervisor.wake(id).await;
    wait_for("the source to fail", Duration::from_secs(10), || {
        let store = store.clone();
        async move { store.status(id).await.unwrap().unwrap().state == "failing" }
    })
    .await;
    let status = h.engine.store.status(id).await.unwrap().unwrap();
    assert_eq!(status.last_error_code.as_deref(), Some("E0000011"));
    assert!(status
        .reason
        .unwrap()
        .contains("Okta rejected the token (E0000011"));
    assert_eq!(h.health(id).await.errors_auth, 1, "no retry storm");

    h.org("acme").restore_tokens();
    h.engine.supervisor.wake(id).await;
    wait_for("the source to recover", Duration::from_secs(10), || {
        let store = store.clone();
        async move { store.status(id).await.unwrap().unwrap().state == "healthy" }
    })
    .await;
    h.engine.supervisor.shutdown().await;
}

#[tokio::test]
async fn a_source_uses_only_its_share_of_the_rate_limit_and_never_trips_a_429() {
    // 4 requests per 2-second window; a 50% share allows 2 per window. 5,000 events take six
    // requests (five full pages and an empty one): three windows.
    let mut org = quiet_org("acme", "t1", 5_000);
    org.logs_rate_limit = Some(4);
    org.rate_limit_window = Duration::from_secs(2);
    let h = Harness::new(vec![org]).await;
    let id = h.add_source("Acme", "acme", "t1").await;
    let mut budget = RateBudget::new(0.5);
    let started = std::time::Instant::now();
    let report = h.cycle(id, &mut budget).await;
    let elapsed = started.elapsed();
    assert!(report.failure.is_none(), "{:?}", report.failure);
    assert_eq!(
        (report.requests, report.inserted, report.rate_limited),
        (6, 5_000, 0)
    );
    assert_eq!(
        h.org("acme").stats().rate_limited,
        0,
        "the simulator never had to refuse a request"
    );
    assert!(
        elapsed >= Duration::from_millis(3_500),
        "waited for two window resets: {elapsed:?}"
    );
    assert_eq!(budget.last().map(|r| r.limit), Some(4));
    h.assert_matches_truth(id, "acme").await;
}

#[tokio::test]
async fn a_next_link_to_another_host_is_never_followed_nor_saved() {
    // A hostile "org": one event, and a next link pointing at another host.
    let app = axum::Router::new().route(
        "/api/v1/logs",
        axum::routing::get(|| async {
            (
                [(
                    "link",
                    r#"<http://169.254.169.254/latest/meta-data?after=x>; rel="next""#,
                )],
                axum::Json(json!([event("e1", "2026-01-01T00:00:00Z")])),
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let fake = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let h = Harness::new(vec![quiet_org("acme", "t1", 0)]).await;
    let engine = gatehouse::cli::open_engine(h.engine.config.clone(), Some(fake))
        .await
        .unwrap();
    let id = h.add_source("Hostile", "hostile", "t1").await;
    let source = engine.store.source(id).await.unwrap().unwrap();
    let report = gatehouse::ingest::poller::poll_cycle(
        engine.supervisor.context(),
        &source,
        &mut RateBudget::new(0.5),
    )
    .await;
    let failure = report.failure.expect("refused");
    assert!(
        failure
            .to_string()
            .contains("Refusing to follow a link off the org's host: http://169.254.169.254"),
        "{failure}"
    );
    assert_eq!(report.requests, 1, "the off-host URL was never requested");
    assert_eq!(
        engine.store.event_count(id).await.unwrap(),
        1,
        "the page's own event is kept"
    );
    assert_eq!(
        engine.store.checkpoint(id).await.unwrap(),
        None,
        "the hostile link is not the checkpoint"
    );
}
