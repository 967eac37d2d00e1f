//! Health checks, the no-events alarm, system alerts and webhook destinations, end to end: a
//! real simulator, real pollers, the alarm monitor and the delivery worker, observed through
//! the engine's `Console` methods; webhooks land on a small receiver on port 0.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use app::{
    backend::Console,
    model::{
        alert::{
            system_rules, AlertDetail, AlertFilter, AlertState, AlertSummary, DeliveryState,
            DestinationInput, Severity,
        },
        health::{AlarmState, CheckState, SourceHealthDetail},
        source::AlarmSettings,
        AppError,
    },
};
use gatehouse::engine::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::harness::{event, eventually, quiet_org, wait_for, Harness};

const WAIT: Duration = Duration::from_secs(15);
const SECRET: &str = "correct-horse-battery-staple";

/// A webhook receiver on 127.0.0.1:0 that records every request and answers with the scripted
/// statuses in turn, then 200.
struct Receiver {
    url: String,
    requests: Arc<Mutex<Vec<Received>>>,
}

#[derive(Debug, Clone)]
struct Received {
    headers: axum::http::HeaderMap,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

impl Receiver {
    async fn start(script: &[u16]) -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(
            script.iter().copied().collect::<VecDeque<u16>>(),
        ));
        let log = Arc::clone(&requests);
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
                let log = Arc::clone(&log);
                let script = Arc::clone(&script);
                async move {
                    log.lock().unwrap().push(Received { headers, body });
                    let status = script.lock().unwrap().pop_front().unwrap_or(200);
                    axum::http::StatusCode::from_u16(status).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url: format!("http://{addr}/hook"),
            requests,
        }
    }

    fn received(&self) -> Vec<Received> {
        self.requests.lock().unwrap().clone()
    }

    async fn wait_for_requests(&self, n: usize) -> Vec<Received> {
        eventually(&format!("{n} webhook requests"), WAIT, || async {
            let received = self.received();
            (received.len() >= n).then_some(received)
        })
        .await
    }
}

/// A URL nothing listens on.
fn closed_port_url() -> (String, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    (format!("http://{addr}/hook"), addr.to_string())
}

fn destination(name: &str, url: &str, secret: &str, min_severity: Severity) -> DestinationInput {
    DestinationInput {
        name: name.into(),
        url: url.into(),
        secret: secret.into(),
        clear_secret: false,
        min_severity,
        enabled: true,
    }
}

fn verify_signature(received: &Received, secret: &str) {
    let header = received.header("x-gatehouse-signature");
    let (t, v1) = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .unwrap_or_else(|| panic!("a signature header: {header:?}"));
    let age = chrono::Utc::now().timestamp() - t.parse::<i64>().unwrap();
    assert!((0..60).contains(&age), "a fresh timestamp: {t}");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", received.body).as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, expected, "HMAC-SHA256(secret, t.body)");
}

async fn alerts_of(engine: &Engine, rule: &str) -> Vec<AlertSummary> {
    engine
        .list_alerts(AlertFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.rule_id == rule)
        .collect()
}

async fn open_alert(engine: &Engine, rule: &str) -> Option<AlertSummary> {
    let open: Vec<_> = alerts_of(engine, rule)
        .await
        .into_iter()
        .filter(|a| a.state == AlertState::Open)
        .collect();
    assert!(open.len() <= 1, "one open alert per dedup key: {open:?}");
    open.into_iter().next()
}

async fn wait_open_alert(engine: &Engine, rule: &str) -> AlertSummary {
    eventually(&format!("an open {rule} alert"), WAIT, || async {
        open_alert(engine, rule).await
    })
    .await
}

async fn wait_resolved(engine: &Engine, id: i64) -> AlertDetail {
    eventually(&format!("alert {id} to be resolved"), WAIT, || async {
        let detail = engine.alert_detail(id).await.unwrap();
        (detail.summary.state == AlertState::Resolved).then_some(detail)
    })
    .await
}

fn check(health: &SourceHealthDetail, key: &str) -> (CheckState, String) {
    let check = health
        .checks
        .iter()
        .find(|c| c.key == key)
        .unwrap_or_else(|| panic!("check {key}"));
    (check.state, check.detail.clone())
}

async fn wait_check(engine: &Engine, source: i64, key: &str, state: CheckState) -> String {
    eventually(&format!("check {key} to be {state:?}"), WAIT, || async {
        let health = engine.source_health(source).await.unwrap();
        let (now, detail) = check(&health, key);
        (now == state).then_some(detail)
    })
    .await
}

async fn wait_alarm(engine: &Engine, source: i64, state: AlarmState) -> SourceHealthDetail {
    eventually(&format!("the alarm to be {state:?}"), WAIT, || async {
        let health = engine.source_health(source).await.unwrap();
        (health.alarm.state == state).then_some(health)
    })
    .await
}

/// A started source of org `acme` (token `t1`) with `backlog` events, polled at once.
async fn polling_source(h: &Harness, backlog: i64) -> i64 {
    let id = h.add_source("Acme", "acme", "t1").await;
    h.engine.supervisor.activate().await.unwrap();
    let store = h.engine.store.clone();
    wait_for("the first poll", WAIT, || {
        let store = store.clone();
        async move {
            store
                .status(id)
                .await
                .unwrap()
                .is_some_and(|s| s.last_poll_outcome.is_some())
                && store.event_count(id).await.unwrap() == backlog
        }
    })
    .await;
    id
}

/// Revokes the org's tokens and polls once: a credentials alert opens.
async fn fail_credentials(h: &Harness, id: i64) -> AlertSummary {
    h.org("acme").revoke_tokens();
    h.engine.supervisor.wake(id).await;
    wait_open_alert(&h.engine, system_rules::CREDENTIALS).await
}

#[tokio::test]
async fn a_revoked_token_raises_one_critical_alert_that_counts_failures_and_resolves_itself() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 5)]).await;
    let _alerting = h.engine.spawn_alerting();
    let id = polling_source(&h, 5).await;
    wait_check(&h.engine, id, "credentials", CheckState::Passing).await;

    let alert = fail_credentials(&h, id).await;
    assert_eq!(alert.severity, Severity::Critical);
    assert_eq!(alert.title, "Okta rejected the token for Acme");
    assert_eq!(
        (alert.source_id, alert.source_name.as_deref()),
        (Some(id), Some("Acme"))
    );
    assert_eq!(alert.occurrences, 1);
    let detail = wait_check(&h.engine, id, "credentials", CheckState::Failing).await;
    assert!(detail.contains("E0000011"), "{detail}");
    let health = h.engine.source_health(id).await.unwrap();
    assert_eq!(health.open_alerts.len(), 1);
    let failed = &health.attempts[0];
    assert_eq!(failed.outcome, "failed");
    assert!(
        failed.error.as_deref().unwrap().contains("E0000011"),
        "{failed:?}"
    );
    assert_eq!(
        h.engine.source_detail(id).await.unwrap().summary.state,
        "failing"
    );
    let context = h.engine.alert_detail(alert.id).await.unwrap().context;
    for fact in [
        ("Okta error code", "E0000011"),
        ("HTTP status", "401"),
        ("Okta error", "Invalid token provided"),
    ] {
        assert!(
            context.contains(&(fact.0.to_owned(), fact.1.to_owned())),
            "{fact:?} in {context:?}"
        );
    }

    // Each failing poll counts an occurrence of the same alert.
    for occurrences in [2, 3] {
        h.engine.supervisor.wake(id).await;
        eventually("one more occurrence", WAIT, || async {
            let open = open_alert(&h.engine, system_rules::CREDENTIALS).await?;
            (open.occurrences == occurrences).then_some(())
        })
        .await;
    }
    assert_eq!(
        alerts_of(&h.engine, system_rules::CREDENTIALS).await.len(),
        1,
        "deduplicated"
    );

    h.org("acme").restore_tokens();
    h.engine.supervisor.wake(id).await;
    let resolved = wait_resolved(&h.engine, alert.id).await;
    assert_eq!(resolved.resolved_how.as_deref(), Some("automatically"));
    assert!(resolved.resolved_at.is_some());
    wait_check(&h.engine, id, "credentials", CheckState::Passing).await;
    assert!(h
        .engine
        .source_health(id)
        .await
        .unwrap()
        .open_alerts
        .is_empty());
    h.engine.supervisor.shutdown().await;
}

#[tokio::test]
async fn deleting_a_source_resolves_its_alerts_and_they_keep_its_name() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 1)]).await;
    let _alerting = h.engine.spawn_alerting();
    let id = polling_source(&h, 1).await;
    let alert = fail_credentials(&h, id).await;
    h.engine.remove_source(id).await.unwrap();
    let resolved = h.engine.alert_detail(alert.id).await.unwrap();
    assert_eq!(resolved.summary.state, AlertState::Resolved);
    assert_eq!(resolved.resolved_how.as_deref(), Some("automatically"));
    assert_eq!(resolved.summary.source_id, None);
    assert_eq!(resolved.summary.source_name.as_deref(), Some("Acme"));
    assert!(matches!(
        h.engine.source_health(id).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn the_no_events_alarm_goes_from_insufficient_data_to_ok_to_alarm_and_back() {
    // One alarm minute = 200 ms: the 15-minute threshold lasts 3 s.
    let h = Harness::configured(vec![quiet_org("acme", "t1", 5)], |args| {
        args.alarm_minute_ms = Some(200)
    })
    .await;
    let _alerting = h.engine.spawn_alerting();
    let id = h.add_source("Acme", "acme", "t1").await;
    h.engine
        .save_alarm(
            id,
            AlarmSettings {
                no_events_alarm: true,
                no_events_minutes: 15,
            },
        )
        .await
        .unwrap();
    let waiting = h.engine.source_health(id).await.unwrap();
    assert_eq!(waiting.alarm.state, AlarmState::InsufficientData);
    assert_eq!(waiting.alarm.threshold_minutes, 15);
    assert!(
        waiting.alarm.reason.starts_with("No events yet"),
        "{}",
        waiting.alarm.reason
    );
    assert_eq!(check(&waiting, "receiving_data").0, CheckState::Unknown);

    // The first poll stores the backlog.
    h.engine.supervisor.activate().await.unwrap();
    let ok = wait_alarm(&h.engine, id, AlarmState::Ok).await;
    assert!(ok.alarm.last_event_stored_at.is_some());
    assert_eq!(check(&ok, "receiving_data").0, CheckState::Passing);

    // Nothing more for the threshold: ALARM, a critical alert, the dashboard counts it.
    let alarm = wait_alarm(&h.engine, id, AlarmState::Alarm).await;
    assert!(
        alarm
            .alarm
            .reason
            .starts_with("No events for 15 minutes (last at "),
        "{}",
        alarm.alarm.reason
    );
    let alert = wait_open_alert(&h.engine, system_rules::NO_EVENTS).await;
    assert_eq!(alert.severity, Severity::Critical);
    assert_eq!(alert.title, "No events from Acme for 15 minutes");
    let failing = wait_check(&h.engine, id, "receiving_data", CheckState::Failing).await;
    assert!(failing.starts_with("No events for 15 minutes"), "{failing}");
    let dashboard = h.engine.dashboard().await.unwrap();
    assert_eq!(
        (dashboard.totals.alarms, dashboard.totals.open_alerts),
        (1, 1)
    );
    assert_eq!(dashboard.sources[0].alarm, AlarmState::Alarm);
    assert_eq!(dashboard.sources[0].open_alerts, 1);

    // Events again: OK at once (the poll re-evaluates), the alert resolves itself.
    h.org("acme")
        .append_events(vec![event("fresh-1", "2026-03-01T00:00:00.000Z")]);
    h.engine.supervisor.wake(id).await;
    let recovered = wait_alarm(&h.engine, id, AlarmState::Ok).await;
    let resolved = wait_resolved(&h.engine, alert.id).await;
    assert_eq!(resolved.resolved_how.as_deref(), Some("automatically"));
    let history: Vec<AlarmState> = recovered.alarm.history.iter().map(|t| t.state).collect();
    assert_eq!(
        history,
        [
            AlarmState::Ok,
            AlarmState::Alarm,
            AlarmState::Ok,
            AlarmState::InsufficientData
        ],
        "newest first: {:?}",
        recovered.alarm.history
    );

    // In ALARM again, pausing resolves the alert: a paused source is not evaluated.
    wait_alarm(&h.engine, id, AlarmState::Alarm).await;
    let again = wait_open_alert(&h.engine, system_rules::NO_EVENTS).await;
    assert_ne!(again.id, alert.id, "a new alert for a new episode");
    h.engine.set_source_enabled(id, false).await.unwrap();
    let paused = h.engine.source_health(id).await.unwrap();
    assert_eq!(
        (paused.alarm.state, paused.alarm.reason.as_str()),
        (AlarmState::InsufficientData, "Paused: not evaluated")
    );
    assert_eq!(
        wait_resolved(&h.engine, again.id)
            .await
            .resolved_how
            .as_deref(),
        Some("automatically")
    );

    // Switched off: DISABLED, and stays so.
    h.engine
        .save_alarm(
            id,
            AlarmSettings {
                no_events_alarm: false,
                no_events_minutes: 15,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        h.engine.source_health(id).await.unwrap().alarm.state,
        AlarmState::Disabled
    );
    h.engine.supervisor.shutdown().await;
}

fn unclassifiable(n: usize) -> Vec<Value> {
    // No uuid: fails classification and is quarantined.
    (0..n)
        .map(|_| json!({"published": "2026-01-01T00:00:00.000Z", "eventType": "x", "version": "0", "severity": "INFO"}))
        .collect()
}

#[tokio::test]
async fn a_classification_burst_raises_a_high_alert_and_a_person_can_resolve_it() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 0)]).await;
    let _alerting = h.engine.spawn_alerting();
    h.org("acme").append_events(unclassifiable(12));
    let id = polling_source(&h, 0).await;
    let alert = wait_open_alert(&h.engine, system_rules::CLASSIFICATION).await;
    assert_eq!(alert.severity, Severity::High);
    assert_eq!(alert.title, "Events from Acme are failing classification");
    let detail = wait_check(&h.engine, id, "classification", CheckState::Failing).await;
    assert_eq!(
        detail,
        "12 events failed classification in the last hour (kept in quarantine)"
    );

    h.engine.resolve_alert(alert.id).await.unwrap();
    let resolved = h.engine.alert_detail(alert.id).await.unwrap();
    assert_eq!(resolved.resolved_how.as_deref(), Some("manually"));
    h.engine
        .resolve_alert(alert.id)
        .await
        .expect("resolving a resolved alert is a no-op");

    // A poll without new failures does not reopen it; new failures open a NEW alert.
    h.engine.supervisor.wake(id).await;
    wait_for("the empty poll", WAIT, || async {
        h.engine.source_health(id).await.unwrap().attempts.len() >= 2
    })
    .await;
    h.org("acme").append_events(unclassifiable(1));
    h.engine.supervisor.wake(id).await;
    let reopened = wait_open_alert(&h.engine, system_rules::CLASSIFICATION).await;
    assert_ne!(reopened.id, alert.id);
    assert_eq!(reopened.occurrences, 1);
    assert_eq!(
        alerts_of(&h.engine, system_rules::CLASSIFICATION)
            .await
            .len(),
        2
    );
    h.engine.supervisor.shutdown().await;
}

#[tokio::test]
async fn a_signed_destination_receives_the_opened_and_the_resolved_alert() {
    let h = Harness::configured(vec![quiet_org("acme", "t1", 1)], |args| {
        args.webhook_retry_ms = Some(20)
    })
    .await;
    let _alerting = h.engine.spawn_alerting();
    let receiver = Receiver::start(&[]).await;
    let dest = h
        .engine
        .save_destination(
            None,
            destination("Ops hook", &receiver.url, SECRET, Severity::High),
        )
        .await
        .unwrap();
    let id = polling_source(&h, 1).await;
    let alert = fail_credentials(&h, id).await;

    let opened = receiver.wait_for_requests(1).await;
    let request = &opened[0];
    verify_signature(request, SECRET);
    assert_eq!(request.header("content-type"), "application/json");
    assert!(
        request
            .header("user-agent")
            .starts_with(&format!("gatehouse/{}", env!("CARGO_PKG_VERSION"))),
        "{}",
        request.header("user-agent")
    );
    let body = request.json();
    assert_eq!(body["change"], "opened");
    assert_eq!(body["id"], alert.id);
    assert_eq!(body["rule_id"], system_rules::CREDENTIALS);
    assert_eq!(body["severity"], "CRITICAL");
    assert_eq!(body["state"], "open");
    assert_eq!(body["source"], json!({"id": id, "name": "Acme"}));
    assert_eq!(body["context"]["Okta error code"], "E0000011");
    assert!(chrono::DateTime::parse_from_rfc3339(body["first_seen"].as_str().unwrap()).is_ok());
    let deliveries = eventually("the delivery to be recorded", WAIT, || async {
        let detail = h.engine.alert_detail(alert.id).await.unwrap();
        let done = detail
            .deliveries
            .iter()
            .all(|d| d.state == DeliveryState::Delivered);
        done.then_some(detail.deliveries)
    })
    .await;
    assert_eq!(deliveries.len(), 1);
    assert_eq!(
        request.header("x-gatehouse-delivery"),
        deliveries[0].id.to_string()
    );
    assert_eq!(
        (
            deliveries[0].destination_id,
            deliveries[0].change.as_str(),
            deliveries[0].attempts
        ),
        (Some(dest), "opened", 1)
    );

    h.org("acme").restore_tokens();
    h.engine.supervisor.wake(id).await;
    let both = receiver.wait_for_requests(2).await;
    verify_signature(&both[1], SECRET);
    let body = both[1].json();
    assert_eq!(
        (body["change"].as_str(), body["state"].as_str()),
        (Some("resolved"), Some("resolved"))
    );
    let destinations = eventually("both deliveries counted", WAIT, || async {
        let list = h.engine.list_destinations().await.unwrap();
        (list[0].delivered == 2).then_some(list)
    })
    .await;
    let ops = &destinations[0];
    assert!(ops.signed);
    assert_eq!((ops.failed, ops.pending), (0, 0));
    assert!(ops.last_delivery_at.is_some() && ops.last_error.is_none());
    h.engine.supervisor.shutdown().await;
}

#[tokio::test]
async fn destinations_get_only_alerts_at_or_above_their_severity_and_only_when_enabled() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 0)]).await;
    let _alerting = h.engine.spawn_alerting();
    let high = Receiver::start(&[]).await;
    let critical = Receiver::start(&[]).await;
    let off = Receiver::start(&[]).await;
    h.engine
        .save_destination(None, destination("High", &high.url, "", Severity::High))
        .await
        .unwrap();
    h.engine
        .save_destination(
            None,
            destination("Critical", &critical.url, "", Severity::Critical),
        )
        .await
        .unwrap();
    h.engine
        .save_destination(
            None,
            DestinationInput {
                enabled: false,
                ..destination("Off", &off.url, "", Severity::Info)
            },
        )
        .await
        .unwrap();
    h.org("acme").append_events(unclassifiable(10));
    polling_source(&h, 0).await;
    let alert = wait_open_alert(&h.engine, system_rules::CLASSIFICATION).await;
    let received = high.wait_for_requests(1).await;
    assert!(
        received[0].header("x-gatehouse-signature").is_empty(),
        "unsigned without a secret"
    );
    assert_eq!(received[0].json()["severity"], "HIGH");
    let deliveries = h.engine.alert_detail(alert.id).await.unwrap().deliveries;
    assert_eq!(
        deliveries
            .iter()
            .map(|d| d.destination_name.as_str())
            .collect::<Vec<_>>(),
        ["High"],
        "a HIGH alert goes to neither the CRITICAL-only nor the switched-off destination"
    );
    assert!(critical.received().is_empty() && off.received().is_empty());
    h.engine.supervisor.shutdown().await;
}

#[tokio::test]
async fn a_receiver_failing_twice_gets_the_alert_on_the_third_attempt() {
    let h = Harness::configured(vec![quiet_org("acme", "t1", 1)], |args| {
        args.webhook_retry_ms = Some(20)
    })
    .await;
    let _alerting = h.engine.spawn_alerting();
    let receiver = Receiver::start(&[500, 500]).await;
    h.engine
        .save_destination(
            None,
            destination("Flaky", &receiver.url, "", Severity::Info),
        )
        .await
        .unwrap();
    let id = polling_source(&h, 1).await;
    let alert = fail_credentials(&h, id).await;
    let delivery = eventually("the delivery on the third attempt", WAIT, || async {
        let detail = h.engine.alert_detail(alert.id).await.unwrap();
        detail
            .deliveries
            .into_iter()
            .find(|d| d.state == DeliveryState::Delivered)
    })
    .await;
    assert_eq!(delivery.attempts, 3);
    let host = receiver
        .url
        .trim_start_matches("http://")
        .trim_end_matches("/hook");
    assert_eq!(
        delivery.last_error,
        Some(format!("HTTP 500 from {host}")),
        "the last failure is kept"
    );
    let received = receiver.received();
    assert_eq!(received.len(), 3);
    assert!(
        received
            .iter()
            .all(|r| r.header("x-gatehouse-delivery") == delivery.id.to_string()),
        "retries carry the same delivery id"
    );
    let flaky = &h.engine.list_destinations().await.unwrap()[0];
    assert_eq!((flaky.delivered, flaky.failed, flaky.pending), (1, 0, 0));
    h.engine.supervisor.shutdown().await;
}

#[tokio::test]
async fn an_unreachable_destination_fails_after_six_attempts() {
    let h = Harness::configured(vec![quiet_org("acme", "t1", 1)], |args| {
        args.webhook_retry_ms = Some(20)
    })
    .await;
    let _alerting = h.engine.spawn_alerting();
    let (url, addr) = closed_port_url();
    h.engine
        .save_destination(None, destination("Nowhere", &url, "", Severity::Info))
        .await
        .unwrap();
    let id = polling_source(&h, 1).await;
    let alert = fail_credentials(&h, id).await;
    let delivery = eventually("the delivery to fail for good", WAIT, || async {
        let detail = h.engine.alert_detail(alert.id).await.unwrap();
        detail
            .deliveries
            .into_iter()
            .find(|d| d.state == DeliveryState::Failed)
    })
    .await;
    assert_eq!(delivery.attempts, 6);
    assert_eq!(
        delivery.last_error,
        Some(format!("connection refused by {addr}"))
    );
    assert_eq!(delivery.next_attempt_at, None);
    let summary = open_alert(&h.engine, system_rules::CREDENTIALS)
        .await
        .unwrap();
    assert_eq!(summary.failed_deliveries, 1);
    let nowhere = &h.engine.list_destinations().await.unwrap()[0];
    assert_eq!(
        (nowhere.delivered, nowhere.failed, nowhere.pending),
        (0, 1, 0)
    );
    assert_eq!(
        nowhere.last_error,
        Some(format!("connection refused by {addr}"))
    );
    assert!(nowhere.last_error_at.is_some());
    h.engine.supervisor.shutdown().await;
}

#[tokio::test]
async fn testing_a_destination_sends_one_message_and_answers_in_words() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 0)]).await;
    let receiver = Receiver::start(&[]).await;
    let good = h
        .engine
        .save_destination(
            None,
            destination("Good", &receiver.url, SECRET, Severity::Info),
        )
        .await
        .unwrap();
    let answer = h.engine.test_destination(good).await.unwrap();
    assert!(answer.ok, "{answer:?}");
    assert!(
        answer.message.starts_with("Delivered: 127.0.0.1:") && answer.message.contains("HTTP 200"),
        "{}",
        answer.message
    );
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    verify_signature(&received[0], SECRET);
    assert_eq!(received[0].json()["change"], "test");
    assert!(
        h.engine
            .list_alerts(AlertFilter::default())
            .await
            .unwrap()
            .is_empty(),
        "a test creates no alert"
    );

    let failing = Receiver::start(&[500]).await;
    let bad = h
        .engine
        .save_destination(None, destination("Bad", &failing.url, "", Severity::Info))
        .await
        .unwrap();
    let answer = h.engine.test_destination(bad).await.unwrap();
    assert!(!answer.ok);
    assert!(
        answer
            .message
            .starts_with("Not delivered: HTTP 500 from 127.0.0.1:"),
        "{}",
        answer.message
    );
    let (url, addr) = closed_port_url();
    let closed = h
        .engine
        .save_destination(None, destination("Closed", &url, "", Severity::Info))
        .await
        .unwrap();
    assert_eq!(
        h.engine.test_destination(closed).await.unwrap().message,
        format!("Not delivered: connection refused by {addr}.")
    );
    assert!(matches!(
        h.engine.test_destination(9999).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn resolving_by_hand_tells_destinations_and_a_persisting_condition_opens_a_new_alert() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 1)]).await;
    let _alerting = h.engine.spawn_alerting();
    let receiver = Receiver::start(&[]).await;
    h.engine
        .save_destination(
            None,
            destination("Ops", &receiver.url, "", Severity::Critical),
        )
        .await
        .unwrap();
    let id = polling_source(&h, 1).await;
    let alert = fail_credentials(&h, id).await;
    receiver.wait_for_requests(1).await;

    h.engine.resolve_alert(alert.id).await.unwrap();
    let resolved = h.engine.alert_detail(alert.id).await.unwrap();
    assert_eq!(resolved.summary.state, AlertState::Resolved);
    assert_eq!(resolved.resolved_how.as_deref(), Some("manually"));
    let received = receiver.wait_for_requests(2).await;
    assert_eq!(received[1].json()["change"], "resolved");
    let changes: Vec<String> = h
        .engine
        .alert_detail(alert.id)
        .await
        .unwrap()
        .deliveries
        .into_iter()
        .map(|d| d.change)
        .collect();
    assert_eq!(changes, ["opened", "resolved"]);
    h.engine.resolve_alert(alert.id).await.unwrap();
    assert_eq!(
        h.engine
            .alert_detail(alert.id)
            .await
            .unwrap()
            .deliveries
            .len(),
        2,
        "resolving again changes nothing"
    );
    assert!(matches!(
        h.engine.resolve_alert(9999).await,
        Err(AppError::NotFound(_))
    ));

    // The token is still refused: the next poll opens a new alert.
    h.engine.supervisor.wake(id).await;
    let next = eventually("a new credentials alert", WAIT, || async {
        open_alert(&h.engine, system_rules::CREDENTIALS)
            .await
            .filter(|a| a.id != alert.id)
    })
    .await;
    assert_eq!(next.occurrences, 1);
    h.engine.supervisor.shutdown().await;
}

#[tokio::test]
async fn destination_forms_are_checked_field_by_field_and_secrets_are_kept_or_cleared() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 0)]).await;
    let fields = |err: AppError| match err {
        AppError::Fields(fields) => fields.into_iter().map(|f| f.field).collect::<Vec<_>>(),
        other => panic!("field errors expected, got {other:?}"),
    };
    let err = h
        .engine
        .save_destination(
            None,
            destination("Ops", "hooks.example.com/x", "short", Severity::High),
        )
        .await
        .unwrap_err();
    assert_eq!(fields(err), ["url", "secret"]);

    let id = h
        .engine
        .save_destination(
            None,
            destination("Ops", "https://hooks.example.com/x", SECRET, Severity::High),
        )
        .await
        .unwrap();
    let err = h
        .engine
        .save_destination(
            None,
            destination("OPS", "https://hooks.example.com/y", "", Severity::High),
        )
        .await
        .unwrap_err();
    assert!(
        err.field("name")
            .is_some_and(|p| p.message.contains("already exists")),
        "{err:?}"
    );

    // An empty secret on edit keeps the current one; clear_secret removes it.
    h.engine
        .save_destination(
            Some(id),
            destination("Ops", "https://hooks.example.com/z", "", Severity::Low),
        )
        .await
        .unwrap();
    let listed = &h.engine.list_destinations().await.unwrap()[0];
    assert!(listed.signed);
    assert_eq!(
        (listed.url.as_str(), listed.min_severity),
        ("https://hooks.example.com/z", Severity::Low)
    );
    let listed_json = serde_json::to_string(listed).unwrap();
    assert!(
        !listed_json.contains(SECRET),
        "the secret is never returned"
    );
    h.engine
        .save_destination(
            Some(id),
            DestinationInput {
                clear_secret: true,
                ..destination("Ops", "https://hooks.example.com/z", "", Severity::Low)
            },
        )
        .await
        .unwrap();
    assert!(!h.engine.list_destinations().await.unwrap()[0].signed);
    assert!(matches!(
        h.engine
            .save_destination(
                Some(9999),
                destination("Other", "https://hooks.example.com/", "", Severity::Low)
            )
            .await,
        Err(AppError::NotFound(_))
    ));

    h.engine.delete_destination(id).await.unwrap();
    assert!(h.engine.list_destinations().await.unwrap().is_empty());
    assert!(matches!(
        h.engine.delete_destination(id).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn detection_alerts_reach_destinations_with_their_panther_fields_and_destinations_routes_them(
) {
    let h = Harness::configured(vec![quiet_org("acme", "t1", 0)], |args| {
        args.webhook_retry_ms = Some(20)
    })
    .await;
    let _alerting = h.engine.spawn_alerting();
    let (all, routed) = (Receiver::start(&[]).await, Receiver::start(&[]).await);
    for (name, receiver) in [("Everything", &all), ("Routed", &routed)] {
        h.engine
            .save_destination(None, destination(name, &receiver.url, "", Severity::Info))
            .await
            .unwrap();
    }
    // A Python rule that names its destination, as Panther's destinations() does.
    let rule = app::model::detection::CustomRuleInput {
        rule_id: "Custom.Routed".into(),
        body: "def rule(event):\n    return event.get('eventType') == 'user.account.update_profile'\n\n\
               def destinations(event):\n    return ['routed']\n"
            .into(),
        ..app::model::detection::CustomRuleInput::template()
    };
    h.engine.save_custom_rule(None, rule).await.unwrap();
    let id = h.add_source("Acme", "acme", "t1").await;
    let mut token = event("det-1", &chrono::Utc::now().to_rfc3339());
    token["eventType"] = json!("system.api_token.create");
    let mut lock = event("det-2", &chrono::Utc::now().to_rfc3339());
    lock["eventType"] = json!("user.account.update_profile");
    h.org("acme").append_events(vec![token, lock]);
    h.drain(id).await;

    // The built-in rule's alert goes to both; the routed rule's only to "Routed".
    let to_all = all.wait_for_requests(1).await;
    let body = to_all[0].json();
    assert_eq!(body["rule_id"], "Okta.APIKeyCreated");
    assert_eq!(body["change"], "opened");
    assert!(body["detection"]["dedup"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));
    assert_eq!(
        body["detection"]["alert_context"]["actor"]["alternateId"],
        "ana@example.com"
    );
    let to_routed = routed.wait_for_requests(2).await;
    let rules: Vec<String> = to_routed
        .iter()
        .map(|r| r.json()["rule_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(rules.contains(&"Custom.Routed".to_owned()), "{rules:?}");
    assert!(
        rules.contains(&"Okta.APIKeyCreated".to_owned()),
        "{rules:?}"
    );
    // Deliveries are queued with the alert: the routed alert has exactly one, to "Routed".
    let routed_alert = alerts_of(&h.engine, "Custom.Routed").await;
    let deliveries = h
        .engine
        .alert_detail(routed_alert[0].id)
        .await
        .unwrap()
        .deliveries;
    let names: Vec<&str> = deliveries
        .iter()
        .map(|d| d.destination_name.as_str())
        .collect();
    assert_eq!(names, ["Routed"]);
    assert_eq!(all.received().len(), 1, "{:?}", all.received());
    h.engine.supervisor.shutdown().await;
}
