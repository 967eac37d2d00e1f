//! The event explorer against stored events: every filter, keyset paging both ways without
//! duplicates or gaps, refused filters (also as HTTP 422), an alert's events, one stored event
//! in full, and the query plans the indexes of migration 0008 give.

use std::{collections::HashSet, sync::Arc};

use app::{
    api::events::SearchEvents,
    model::{
        events::{EventPage, EventQuery, EventRow},
        AppError,
    },
};
use leptos::server_fn::ServerFn;
use serde_json::{json, Value};

use crate::harness::{quiet_org, Harness};

/// Minutes from 2026-01-01T00:00:00Z, RFC 3339.
fn at(minute: i64, ms: i64) -> String {
    let t =
        chrono::DateTime::from_timestamp_millis(1_767_225_600_000 + minute * 60_000 + ms).unwrap();
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

const TYPES: [&str; 3] = [
    "user.session.start",
    "user.authentication.sso",
    "user.account.lock",
];

/// What event `i` was made with (the ground truth the searches are checked against).
#[derive(Debug, Clone)]
struct Spec {
    uuid: String,
    source: usize,
    minute: i64,
    event_type: &'static str,
    actor_login: String,
    actor_id: String,
    ip: String,
    chain_ip: Option<String>,
    outcome: &'static str,
    needle: bool,
}

fn spec(i: usize, source: usize) -> Spec {
    Spec {
        uuid: format!("evt-{source}-{i:04}"),
        source,
        // Every 10th event shares its minute (and millisecond) with the one before: ties on
        // event_time are broken by id.
        minute: if i % 10 == 9 { i as i64 - 1 } else { i as i64 },
        event_type: TYPES[i % 3],
        actor_login: format!("user{}@example.com", i % 5),
        actor_id: format!("00u{}", i % 5),
        ip: format!("203.0.113.{}", i % 7),
        chain_ip: i.is_multiple_of(11).then(|| "198.51.100.77".to_owned()),
        outcome: if i.is_multiple_of(4) {
            "FAILURE"
        } else {
            "SUCCESS"
        },
        needle: i.is_multiple_of(13),
    }
}

fn event(s: &Spec) -> Value {
    let minute = s.minute;
    let mut hops = vec![json!({"ip": s.ip})];
    if let Some(chain) = &s.chain_ip {
        hops.push(json!({"ip": chain}));
    }
    json!({
        "uuid": s.uuid,
        "published": at(minute, 0),
        "eventType": s.event_type,
        "version": "0",
        "severity": "INFO",
        "displayMessage": format!("Event {}", s.uuid),
        "actor": {"id": s.actor_id, "type": "User", "alternateId": s.actor_login, "displayName": "Someone"},
        "client": {"ipAddress": s.ip},
        "request": {"ipChain": hops},
        "outcome": {"result": s.outcome},
        "debugContext": {"debugData": {"note": if s.needle { "Haystack NEEDLE_50%" } else { "plain" }}}
    })
}

/// Two sources (130 and 40 events) stored through the real poller.
async fn set_up() -> (Harness, [i64; 2], Vec<Spec>) {
    let h = Harness::new(vec![
        quiet_org("acme", "t1", 0),
        quiet_org("globex", "t2", 0),
    ])
    .await;
    let acme = h.add_source("Acme", "acme", "t1").await;
    let globex = h.add_source("Globex", "globex", "t2").await;
    let mut specs = Vec::new();
    for (source, org, n) in [(0, "acme", 130), (1, "globex", 40)] {
        let batch: Vec<Spec> = (0..n).map(|i| spec(i, source)).collect();
        h.org(org).append_events(batch.iter().map(event).collect());
        specs.extend(batch);
    }
    h.drain(acme).await;
    h.drain(globex).await;
    (h, [acme, globex], specs)
}

fn all_time(f: impl FnOnce(&mut EventQuery)) -> EventQuery {
    let mut q = EventQuery {
        range: Some("all".into()),
        ..EventQuery::default()
    };
    f(&mut q);
    q
}

/// Every page of `query`, oldest-ward through `next_cursor`; then back newest-ward through
/// `newer_cursor`, which must give the same pages.
async fn every_page(h: &Harness, query: &EventQuery) -> Vec<EventRow> {
    let mut pages: Vec<EventPage> = Vec::new();
    let mut cursor = None;
    loop {
        let page = h
            .engine
            .search_events(&EventQuery {
                cursor: cursor.clone(),
                ..query.clone()
            })
            .await
            .unwrap();
        assert!(page.events.len() <= 50);
        assert_eq!(
            page.newer_cursor.is_some(),
            !pages.is_empty(),
            "only the first page has nothing newer"
        );
        cursor = page.next_cursor.clone();
        let last = cursor.is_none();
        if !last {
            assert_eq!(page.events.len(), 50, "only the last page is short");
        }
        pages.push(page);
        if last {
            break;
        }
        assert!(pages.len() < 20, "paging does not end");
    }
    // Back again: each newer page equals the one read before it.
    for i in (1..pages.len()).rev() {
        let back = h
            .engine
            .search_events(&EventQuery {
                cursor: pages[i].newer_cursor.clone(),
                ..query.clone()
            })
            .await
            .unwrap();
        assert_eq!(back.events, pages[i - 1].events, "newer page {i}");
        assert!(back.next_cursor.is_some());
        assert_eq!(back.newer_cursor.is_some(), i > 1);
    }
    pages.into_iter().flat_map(|p| p.events).collect()
}

/// The uuids the store holds matching `keep`, newest first (event_time, then id).
async fn expected(h: &Harness, specs: &[Spec], keep: impl Fn(&Spec) -> bool) -> Vec<String> {
    let rows: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT uuid, event_time, id FROM events ORDER BY event_time DESC, id DESC")
            .fetch_all(h.engine.store.pool())
            .await
            .unwrap();
    let wanted: HashSet<&str> = specs
        .iter()
        .filter(|s| keep(s))
        .map(|s| s.uuid.as_str())
        .collect();
    rows.into_iter()
        .filter(|r| wanted.contains(r.0.as_str()))
        .map(|r| r.0)
        .collect()
}

async fn check(h: &Harness, specs: &[Spec], query: EventQuery, keep: impl Fn(&Spec) -> bool) {
    let found = every_page(h, &query).await;
    let uuids: Vec<String> = found.iter().map(|e| e.uuid.clone()).collect();
    let unique: HashSet<&String> = uuids.iter().collect();
    assert_eq!(unique.len(), uuids.len(), "duplicates for {query:?}");
    let want = expected(h, specs, keep).await;
    assert!(!want.is_empty(), "the case finds something: {query:?}");
    assert_eq!(uuids, want, "{query:?}");
}

#[tokio::test]
async fn each_filter_finds_exactly_its_events_page_by_page() {
    let (h, [acme, globex], specs) = set_up().await;
    // Nothing but a time range: all 170, in four pages.
    check(&h, &specs, all_time(|_| {}), |_| true).await;
    check(&h, &specs, all_time(|q| q.source_id = Some(globex)), |s| {
        s.source == 1
    })
    .await;
    check(
        &h,
        &specs,
        all_time(|q| q.event_type = Some("user.account.lock".into())),
        |s| s.event_type == "user.account.lock",
    )
    .await;
    check(
        &h,
        &specs,
        all_time(|q| q.actor = Some("user3@example.com".into())),
        |s| s.actor_login == "user3@example.com",
    )
    .await;
    check(
        &h,
        &specs,
        all_time(|q| q.actor = Some("00u2".into())),
        |s| s.actor_id == "00u2",
    )
    .await;
    // A prefix matches logins (user1@, and no id starts with "user").
    check(
        &h,
        &specs,
        all_time(|q| q.actor = Some("user1@*".into())),
        |s| s.actor_login.starts_with("user1@"),
    )
    .await;
    check(
        &h,
        &specs,
        all_time(|q| q.ip = Some("203.0.113.4".into())),
        |s| s.ip == "203.0.113.4",
    )
    .await;
    // The chain's address is only in p_any_ip_addresses.
    let chain = all_time(|q| q.ip = Some("198.51.100.77".into()));
    assert!(h
        .engine
        .search_events(&chain)
        .await
        .unwrap()
        .events
        .is_empty());
    check(
        &h,
        &specs,
        all_time(|q| {
            q.ip = Some("198.51.100.77".into());
            q.ip_anywhere = true;
        }),
        |s| s.chain_ip.is_some(),
    )
    .await;
    check(
        &h,
        &specs,
        all_time(|q| q.outcome = Some("failure".into())),
        |s| s.outcome == "FAILURE",
    )
    .await;
    // SUCCESS is not in the (partial) outcome index: read in time order.
    check(
        &h,
        &specs,
        all_time(|q| q.outcome = Some("SUCCESS".into())),
        |s| s.outcome == "SUCCESS",
    )
    .await;
    // Free text: case-insensitive, `%` is no wildcard.
    check(
        &h,
        &specs,
        all_time(|q| {
            q.range = Some("custom".into());
            q.from = Some("2025-12-31T00:00".into());
            q.text = Some("needle_50%".into());
        }),
        |s| s.needle,
    )
    .await;
    // A custom range, inclusive at both ends, combined with other filters.
    check(
        &h,
        &specs,
        all_time(|q| {
            q.range = Some("custom".into());
            q.from = Some(at(20, 0));
            q.to = Some(at(100, 0));
            q.source_id = Some(acme);
            q.outcome = Some("SUCCESS".into());
            q.event_type = Some("user.session.start".into());
        }),
        |s| {
            s.source == 0
                && (20..=100).contains(&s.minute)
                && s.outcome == "SUCCESS"
                && s.event_type == "user.session.start"
        },
    )
    .await;
    // The preset ranges count back from now: these events are from January.
    let day = EventQuery {
        range: Some("24h".into()),
        ..EventQuery::default()
    };
    assert!(h
        .engine
        .search_events(&day)
        .await
        .unwrap()
        .events
        .is_empty());

    // The rows carry what the table shows.
    let page = h
        .engine
        .search_events(&all_time(|q| q.source_id = Some(acme)))
        .await
        .unwrap();
    let newest = &page.events[0];
    assert_eq!(newest.uuid, "evt-0-0129");
    assert_eq!(newest.source_name.as_deref(), Some("Acme"));
    // Event 129 shares minute 128 with event 128, and was stored after it.
    assert_eq!(newest.event_time, at(128, 0));
    assert_eq!(newest.actor.as_deref(), Some("user4@example.com"));
    assert_eq!(newest.actor_id.as_deref(), Some("00u4"));
    assert_eq!(newest.client_ip.as_deref(), Some("203.0.113.3"));
    assert_eq!(newest.outcome.as_deref(), Some("SUCCESS"));
    assert_eq!(newest.display_message.as_deref(), Some("Event evt-0-0129"));
}

#[tokio::test]
async fn refused_filters_answer_field_by_field_also_over_http() {
    let (h, _, _) = set_up().await;
    let fields = |e: AppError| match e {
        AppError::Fields(f) => f.into_iter().map(|f| f.field).collect::<Vec<_>>(),
        other => panic!("expected field errors, got {other:?}"),
    };
    let bad = EventQuery {
        range: Some("custom".into()),
        from: Some("2026-02-01T00:00".into()),
        to: Some("2026-01-01T00:00".into()),
        outcome: Some("MAYBE".into()),
        text: Some("x".repeat(201)),
        ip: Some("not an ip".into()),
        cursor: Some("o12".into()),
        ..EventQuery::default()
    };
    let err = h.engine.search_events(&bad).await.unwrap_err();
    assert_eq!(err.http_status(), 422);
    assert_eq!(fields(err), ["to", "ip", "outcome", "text", "cursor"]);
    let err = h
        .engine
        .search_events(&EventQuery {
            range: Some("custom".into()),
            from: Some("last tuesday".into()),
            ..EventQuery::default()
        })
        .await
        .unwrap_err();
    assert_eq!(fields(err), ["from"]);
    let err = h
        .engine
        .search_events(&EventQuery {
            range: Some("all".into()),
            text: Some("needle".into()),
            ..EventQuery::default()
        })
        .await
        .unwrap_err();
    assert_eq!(fields(err), ["text"]);

    // The server function answers 422 with the same problems.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = gatehouse::web::router(Arc::clone(&h.engine), addr);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    assert_eq!(SearchEvents::PATH, "/api/search_events");
    let client = crate::harness::signed_in_client(&h, &format!("http://{addr}")).await;
    let response = client
        .post(format!("http://{addr}{}", SearchEvents::PATH))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("query[range]=all&query[outcome]=MAYBE")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let text = response.text().await.unwrap();
    assert!(text.contains("outcome") && text.contains("MAYBE"), "{text}");
    let response = client
        .post(format!("http://{addr}{}", SearchEvents::PATH))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("query[range]=all&query[event_type]=user.account.lock")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    assert_eq!(page["events"].as_array().unwrap().len(), 50);
}

#[tokio::test]
async fn an_alerts_events_and_one_event_in_full() {
    let (h, [acme, _], specs) = set_up().await;
    let pool = h.engine.store.pool();
    let id_of = |uuid: &'static str| async move {
        sqlx::query_scalar::<_, i64>("SELECT id FROM events WHERE uuid = ?")
            .bind(uuid)
            .fetch_one(pool)
            .await
            .unwrap()
    };
    let alert: i64 = sqlx::query_scalar(
        "INSERT INTO alerts (rule_id, dedup_key, severity, state, title, source_id, source_name, first_seen, last_seen)
         VALUES ('Okta.Test', 'k', 'HIGH', 'open', 'Brute force', ?, 'Acme', 0, 0) RETURNING id",
    )
    .bind(acme)
    .fetch_one(pool)
    .await
    .unwrap();
    let chosen = ["evt-0-0003", "evt-0-0042", "evt-0-0099"];
    for uuid in chosen {
        let event_id = id_of(uuid).await;
        sqlx::query(
            "INSERT INTO detection_matches (source_id, rule_id, event_id, matched_at, alert_id)
             VALUES (?, 'Okta.Test', ?, 0, ?)",
        )
        .bind(acme)
        .bind(event_id)
        .bind(alert)
        .execute(pool)
        .await
        .unwrap();
    }
    // A match without an alert (a signal) is not an alert's event.
    sqlx::query(
        "INSERT INTO detection_matches (source_id, rule_id, event_id, matched_at) VALUES (?, 'Okta.Signal', ?, 0)",
    )
    .bind(acme)
    .bind(id_of("evt-0-0005").await)
    .execute(pool)
    .await
    .unwrap();

    // `/events?alert=N` means all time.
    let query = EventQuery::from_params(|k| (k == "alert").then(|| alert.to_string()));
    check(&h, &specs, query.clone(), |s| {
        chosen.contains(&s.uuid.as_str())
    })
    .await;
    // Combined with another filter, and with free text (bounded by the alert).
    let both = EventQuery {
        event_type: Some(TYPES[0].into()),
        text: Some("evt-0-0099".into()),
        ..query
    };
    let found = h.engine.search_events(&both).await.unwrap().events;
    assert_eq!(
        found.iter().map(|e| e.uuid.as_str()).collect::<Vec<_>>(),
        ["evt-0-0099"]
    );

    let id = id_of("evt-0-0042").await;
    let event = h.engine.stored_event(id).await.unwrap();
    assert_eq!(event.summary.uuid, "evt-0-0042");
    assert_eq!(event.summary.event_type, TYPES[0]);
    assert_eq!(event.alerts.len(), 1);
    assert_eq!(event.alerts[0].id, alert);
    assert_eq!(event.alerts[0].title, "Brute force");
    assert!(event.matches.is_empty());
    let p: Vec<&str> = event.p_fields.iter().map(|f| f.0.as_str()).collect();
    for field in [
        "p_log_type",
        "p_row_id",
        "p_event_time",
        "p_source_id",
        "p_any_ip_addresses",
    ] {
        assert!(p.contains(&field), "{field} in {p:?}");
    }
    assert!(event
        .p_fields
        .contains(&("p_log_type".to_owned(), "\"Okta.SystemLog\"".to_owned())));
    assert_eq!(
        event.row_id,
        event
            .p_fields
            .iter()
            .find(|f| f.0 == "p_row_id")
            .unwrap()
            .1
            .trim_matches('"')
    );
    // The stored JSON, pretty-printed, keys as stored (the event's own first).
    assert!(event.json.starts_with("{\n  \""), "{}", event.json);
    assert!(event.json.contains("\"uuid\": \"evt-0-0042\""));
    let parsed: Value = serde_json::from_str(&event.json).unwrap();
    assert_eq!(parsed["p_source_id"], acme.to_string());
    assert!(event.json.find("\"eventType\"").unwrap() < event.json.find("\"p_log_type\"").unwrap());

    let other = h
        .engine
        .stored_event(id_of("evt-0-0005").await)
        .await
        .unwrap();
    assert!(other.alerts.is_empty());
    assert!(matches!(
        h.engine.stored_event(999_999).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn each_indexed_filter_reads_its_index_without_sorting() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 0)]).await;
    let plan = |query: EventQuery| {
        let engine = Arc::clone(&h.engine);
        async move {
            let search = engine.event_search(&query).await.unwrap();
            engine.store.search_plan(&search).await.unwrap().join(" | ")
        }
    };
    for (query, index) in [
        (all_time(|_| {}), "events_time"),
        (
            EventQuery {
                range: Some("24h".into()),
                ..EventQuery::default()
            },
            "events_time (event_time>?)",
        ),
        (
            all_time(|q| q.event_type = Some("user.session.start".into())),
            "events_type_time (event_type=?)",
        ),
        (
            all_time(|q| q.ip = Some("203.0.113.9".into())),
            "events_ip_time (client_ip=?)",
        ),
        (
            all_time(|q| q.outcome = Some("FAILURE".into())),
            "events_outcome_time (outcome_result=?)",
        ),
        (
            all_time(|q| q.outcome = Some("SUCCESS".into())),
            "events_time",
        ),
        (
            all_time(|q| {
                q.source_id = Some(1);
                q.outcome = Some("FAILURE".into());
                q.event_type = Some("user.session.start".into());
            }),
            "events_type_time (event_type=?)",
        ),
    ] {
        let plan = plan(query).await;
        assert!(plan.contains(index), "{index}: {plan}");
        // The one sort is the page's own 51 rows, read by id after the index gave them.
        assert_eq!(
            plan.matches("TEMP B-TREE").count(),
            1,
            "{index} sorts: {plan}"
        );
        assert!(
            plan.contains("SCAN page | SEARCH e USING INTEGER PRIMARY KEY"),
            "{index}: {plan}"
        );
    }
    // By source: the (source, time, uuid) key; only ties on the same millisecond are sorted.
    let source = plan(all_time(|q| q.source_id = Some(1))).await;
    assert!(
        source.contains("events_source_time_uuid (source_id=?)"),
        "{source}"
    );
    assert_eq!(
        source.matches("TEMP B-TREE FOR ORDER BY").count(),
        1,
        "{source}"
    );
    // An actor: both actor indexes, each read in order; only the two short lists are merged.
    let actor = plan(all_time(|q| q.actor = Some("ana@example.com".into()))).await;
    assert!(
        actor.contains("events_actor_time (actor_alternate_id=?)")
            && actor.contains("events_actor_id_time (actor_id=?)"),
        "{actor}"
    );
    // An alert: its matches by the alert index, then the events by id.
    let alert = plan(all_time(|q| q.alert_id = Some(1))).await;
    assert!(
        alert.contains("detection_matches_alert (alert_id=?)")
            && alert.contains("INTEGER PRIMARY KEY"),
        "{alert}"
    );
}
