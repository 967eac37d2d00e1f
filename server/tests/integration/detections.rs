//! Detections on ingested events: the built-in pack run by the detection worker over what the
//! poller stored from the simulator; alert grouping by dedup string, period and threshold;
//! per-source pack and rule switches; signals; the cursor across restarts and source deletion.

use app::{
    backend::Console,
    model::{
        alert::{AlertFilter, AlertState, Severity},
        detection::{CustomRuleInput, CUSTOM_PACK, OKTA_PACK},
        AppError,
    },
};
use gatehouse::{
    alerts::webhook,
    store::{now_ms, MatchWrite},
};
use serde_json::{json, Value};

use crate::harness::{event, quiet_org, Harness};

/// An API token created by `actor`, named `token_name`.
fn token_created(uuid: &str, actor: &str, token_name: &str) -> Value {
    let mut e = event(uuid, &chrono::Utc::now().to_rfc3339());
    e["eventType"] = json!("system.api_token.create");
    e["displayMessage"] = json!("Create API token");
    e["actor"]["alternateId"] = json!(actor);
    e["target"] = json!([{"id": "tok1", "type": "Token", "alternateId": "unknown", "displayName": token_name}]);
    e
}

/// A source over a quiet org (no backlog), drained; the detection worker caught up.
async fn set_up() -> (Harness, i64) {
    let h = Harness::new(vec![quiet_org("acme", "t1", 0)]).await;
    let id = h.add_source("Acme", "acme", "t1").await;
    h.drain(id).await;
    h.engine.detections.run_until_caught_up().await.unwrap();
    (h, id)
}

/// Appends events to the org, polls them in and runs detection over them.
async fn ingest(h: &Harness, id: i64, events: Vec<Value>) {
    h.org("acme").append_events(events);
    h.drain(id).await;
    h.engine.detections.run_until_caught_up().await.unwrap();
}

async fn alerts_of(h: &Harness, rule: &str) -> Vec<app::model::alert::AlertSummary> {
    h.engine
        .list_alerts(AlertFilter {
            state: None,
            rule_id: Some(rule.to_owned()),
            ..AlertFilter::default()
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_stored_event_that_matches_opens_one_alert_with_its_context_and_event() {
    let (h, id) = set_up().await;
    ingest(
        &h,
        id,
        vec![token_created("tok-1", "ann@example.com", "ci-bot")],
    )
    .await;

    let alerts = alerts_of(&h, "Okta.APIKeyCreated").await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let alert = &alerts[0];
    assert_eq!(alert.state, AlertState::Open);
    assert_eq!(alert.occurrences, 1);
    assert_eq!(alert.source_id, Some(id));
    assert!(alert.title.contains("ann@example.com"), "{}", alert.title);

    let detail = h.engine.alert_detail(alert.id).await.unwrap();
    let facts = detail.detection.expect("a detection alert");
    assert!(!facts.dedup.is_empty());
    let context: Value = serde_json::from_str(&facts.alert_context).unwrap();
    assert_eq!(context["actor"]["alternateId"], "ann@example.com");
    assert_eq!(facts.samples.len(), 1);
    assert_eq!(facts.samples[0].event_type, "system.api_token.create");

    // Detection is done once per event: running again finds nothing new.
    let again = h.engine.detections.run_until_caught_up().await.unwrap();
    assert_eq!(again.matches, 0);
    assert_eq!(alerts_of(&h, "Okta.APIKeyCreated").await[0].occurrences, 1);
}

#[tokio::test]
async fn matches_with_one_dedup_string_group_into_one_alert_and_others_open_their_own() {
    let (h, id) = set_up().await;
    ingest(
        &h,
        id,
        vec![
            token_created("tok-a1", "ann@example.com", "bot"),
            token_created("tok-a2", "ann@example.com", "bot"),
        ],
    )
    .await;
    ingest(
        &h,
        id,
        vec![token_created("tok-b1", "bob@example.com", "other")],
    )
    .await;

    let mut alerts = alerts_of(&h, "Okta.APIKeyCreated").await;
    alerts.sort_by_key(|a| a.id);
    assert_eq!(alerts.len(), 2, "{alerts:?}");
    assert_eq!(alerts[0].occurrences, 2);
    assert!(alerts[0].title.contains("ann@example.com"));
    assert_eq!(alerts[1].occurrences, 1);
    let samples = h.engine.alert_detail(alerts[0].id).await.unwrap();
    assert_eq!(samples.detection.unwrap().samples.len(), 2);
}

#[tokio::test]
async fn a_threshold_opens_the_alert_only_when_reached_within_the_period() {
    let (h, id) = set_up().await;
    let store = &h.engine.store;
    let write = |event_id: i64, dedup: &str| MatchWrite {
        source_id: id,
        source_name: "Acme".into(),
        event_id,
        rule_id: "Test.Threshold".into(),
        title: format!("too many for {dedup}"),
        severity: Severity::Medium,
        dedup: dedup.into(),
        dedup_period_minutes: 10,
        threshold: 3,
        signal: false,
        description: String::new(),
        context: json!({}),
        runbook: String::new(),
        reference: String::new(),
        destinations: None,
    };
    let t0 = now_ms();
    let commit = |matches: Vec<MatchWrite>, now: i64| async move {
        let cursor = store.detection_cursor().await.unwrap();
        store
            .commit_detections(cursor, cursor, &matches, &[], now, &webhook::payload)
            .await
            .unwrap()
            .expect("the cursor was ours")
    };
    // Two within the period: no alert yet.
    assert_eq!(
        commit(vec![write(1, "x"), write(2, "x")], t0)
            .await
            .alerts_opened,
        0
    );
    assert!(alerts_of(&h, "Test.Threshold").await.is_empty());
    // The third, still within 10 minutes: the alert opens with all three events.
    assert_eq!(
        commit(vec![write(3, "x")], t0 + 9 * 60_000)
            .await
            .alerts_opened,
        1
    );
    let alerts = alerts_of(&h, "Test.Threshold").await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].occurrences, 3);
    // A fourth adds to it; after the period a new group starts counting from one again.
    assert_eq!(
        commit(vec![write(4, "x")], t0 + 9 * 60_000 + 1)
            .await
            .alerts_opened,
        0
    );
    assert_eq!(alerts_of(&h, "Test.Threshold").await[0].occurrences, 4);
    let later = t0 + 11 * 60_000;
    assert_eq!(
        commit(vec![write(5, "x"), write(6, "x")], later)
            .await
            .alerts_opened,
        0
    );
    assert_eq!(alerts_of(&h, "Test.Threshold").await.len(), 1);
}

#[tokio::test]
async fn packs_and_rules_switched_off_for_a_source_do_not_run_and_signals_never_alert() {
    let (h, id) = set_up().await;
    let overview = h.engine.detections(Some(id)).await.unwrap();
    let okta = overview.packs.iter().find(|p| p.id == OKTA_PACK).unwrap();
    assert!(okta.enabled, "new sources run the Okta pack");
    assert!(overview
        .packs
        .iter()
        .any(|p| p.id == CUSTOM_PACK && p.enabled));

    h.engine
        .set_rule_enabled(id, "Okta.APIKeyCreated", false)
        .await
        .unwrap();
    ingest(&h, id, vec![token_created("off-1", "ann@example.com", "x")]).await;
    assert!(alerts_of(&h, "Okta.APIKeyCreated").await.is_empty());

    h.engine
        .set_rule_enabled(id, "Okta.APIKeyCreated", true)
        .await
        .unwrap();
    h.engine
        .set_pack_enabled(id, OKTA_PACK, false)
        .await
        .unwrap();
    ingest(&h, id, vec![token_created("off-2", "ann@example.com", "x")]).await;
    assert!(alerts_of(&h, "Okta.APIKeyCreated").await.is_empty());

    h.engine
        .set_pack_enabled(id, OKTA_PACK, true)
        .await
        .unwrap();
    ingest(&h, id, vec![token_created("on-1", "ann@example.com", "x")]).await;
    assert_eq!(alerts_of(&h, "Okta.APIKeyCreated").await.len(), 1);

    // A successful sign-in is a signal: counted on the rule, never an alert.
    let login_signal = okta
        .rules
        .iter()
        .find(|r| r.signal && r.id.to_lowercase().contains("login"))
        .expect("a login signal")
        .id
        .clone();
    ingest(
        &h,
        id,
        vec![event("sign-in-1", &chrono::Utc::now().to_rfc3339())],
    )
    .await;
    assert!(alerts_of(&h, &login_signal).await.is_empty());
    let overview = h.engine.detections(Some(id)).await.unwrap();
    let rule = overview
        .packs
        .iter()
        .flat_map(|p| &p.rules)
        .find(|r| r.id == login_signal)
        .unwrap();
    assert_eq!(rule.matches_24h, 1, "{rule:?}");

    // Unknown packs, rules and sources are refused.
    assert!(h.engine.set_pack_enabled(id, "nope", true).await.is_err());
    assert!(h
        .engine
        .set_rule_enabled(id, "Nope.Rule", false)
        .await
        .is_err());
    assert!(h
        .engine
        .set_pack_enabled(999, OKTA_PACK, true)
        .await
        .is_err());
}

#[tokio::test]
async fn the_cursor_survives_a_restart_and_never_skips_ids_freed_by_a_deleted_source() {
    let h = Harness::new(vec![
        quiet_org("acme", "t1", 0),
        quiet_org("globex", "t2", 0),
    ])
    .await;
    let keep = h.add_source("Acme", "acme", "t1").await;
    let gone = h.add_source("Globex", "globex", "t2").await;
    h.drain(keep).await;
    h.org("acme")
        .append_events(vec![token_created("k-1", "ann@example.com", "a")]);
    h.drain(keep).await;
    // Globex's events take the highest ids, and detection reads past them.
    h.org("globex")
        .append_events(vec![token_created("g-1", "gil@example.com", "g")]);
    h.drain(gone).await;
    h.engine.detections.run_until_caught_up().await.unwrap();
    assert_eq!(alerts_of(&h, "Okta.APIKeyCreated").await.len(), 2);

    // Deleting Globex frees the top ids; Acme's next event reuses one and is still detected.
    let name = "Globex".to_owned();
    h.engine.delete_source(gone, name).await.unwrap();
    h.org("acme")
        .append_events(vec![token_created("k-2", "kim@example.com", "k")]);
    h.drain(keep).await;

    // A second engine over the same files (a restart) picks up exactly where the first stopped.
    let config = h.engine.config.clone();
    let restarted = gatehouse::cli::open_engine(config, Some(h.running.addr))
        .await
        .unwrap();
    let outcome = restarted.detections.run_until_caught_up().await.unwrap();
    assert_eq!(outcome.alerts_opened, 1, "{outcome:?}");
    let titles: Vec<String> = alerts_of(&h, "Okta.APIKeyCreated")
        .await
        .into_iter()
        .map(|a| a.title)
        .collect();
    assert!(
        titles.iter().any(|t| t.contains("kim@example.com")),
        "{titles:?}"
    );
    assert_eq!(
        restarted
            .detections
            .run_until_caught_up()
            .await
            .unwrap()
            .matches,
        0
    );
}

fn custom_rule(id: &str, body: &str) -> CustomRuleInput {
    CustomRuleInput {
        rule_id: id.to_owned(),
        display_name: "Password changes".into(),
        threshold: 1,
        body: body.to_owned(),
        ..CustomRuleInput::template()
    }
}

const PASSWORD_RULE: &str = r#"
from panther_base_helpers import deep_get

def rule(event):
    return event.get("eventtype") == "user.account.update_password"

def title(event):
    return f"{deep_get(event, 'actor', 'alternateId')} changed a password"

def severity(event):
    return "HIGH" if event.deep_get("actor", "alternateId", default="").startswith("root") else "DEFAULT"
"#;

fn password_change(uuid: &str, actor: &str) -> Value {
    let mut e = event(uuid, &chrono::Utc::now().to_rfc3339());
    e["eventType"] = json!("user.account.update_password");
    e["actor"]["alternateId"] = json!(actor);
    e
}

#[tokio::test]
async fn a_saved_python_rule_runs_on_new_events_with_its_functions_and_dynamic_severity() {
    let (h, id) = set_up().await;
    // A rule that does not compile is refused on the body field, with the line.
    let broken = custom_rule("Custom.Broken", "def rule(event):\n    return (\n");
    match h.engine.save_custom_rule(None, broken).await {
        Err(AppError::Fields(fields)) => {
            assert_eq!(fields[0].field, "body");
            assert!(fields[0].problem.message.contains("line"), "{fields:?}");
        }
        other => panic!("expected a body error, got {other:?}"),
    }
    let saved = h
        .engine
        .save_custom_rule(None, custom_rule("Custom.PasswordChange", PASSWORD_RULE))
        .await
        .unwrap();
    assert_eq!(saved, "Custom.PasswordChange");

    ingest(
        &h,
        id,
        vec![
            password_change("pw-1", "ann@example.com"),
            password_change("pw-2", "root@example.com"),
            token_created("pw-3", "ann@example.com", "x"),
        ],
    )
    .await;
    let mut alerts = alerts_of(&h, "Custom.PasswordChange").await;
    alerts.sort_by_key(|a| a.id);
    assert_eq!(alerts.len(), 2, "{alerts:?}");
    assert_eq!(alerts[0].title, "ann@example.com changed a password");
    // The template's severity (MEDIUM) unless severity() says otherwise.
    assert_eq!(alerts[0].severity, Severity::Medium);
    assert_eq!(alerts[1].severity, Severity::High);
    let detail = h.engine.rule_detail("Custom.PasswordChange").await.unwrap();
    assert_eq!(detail.view.matches_24h, 2);
    assert_eq!(detail.custom.unwrap().body, PASSWORD_RULE);
}

#[tokio::test]
async fn a_failing_or_runaway_python_rule_is_counted_alerted_and_never_stops_the_others() {
    let (h, id) = set_up().await;
    let raises = "def rule(event):\n    return event['no_such_field'] == 1\n";
    let spins = "def rule(event):\n    while True:\n        pass\n";
    for (rule_id, body) in [("Custom.Raises", raises), ("Custom.Spins", spins)] {
        h.engine
            .save_custom_rule(None, custom_rule(rule_id, body))
            .await
            .unwrap();
    }
    ingest(&h, id, vec![token_created("err-1", "ann@example.com", "x")]).await;

    // The built-in rule still alerted.
    assert_eq!(alerts_of(&h, "Okta.APIKeyCreated").await.len(), 1);
    let overview = h.engine.detections(Some(id)).await.unwrap();
    let rule = |rule_id: &str| {
        overview
            .packs
            .iter()
            .flat_map(|p| &p.rules)
            .find(|r| r.id == rule_id)
            .cloned()
            .unwrap()
    };
    let raised = rule("Custom.Raises");
    assert_eq!(raised.errors, 1, "{raised:?}");
    assert!(raised.last_error.unwrap().contains("KeyError"));
    let spun = rule("Custom.Spins");
    assert_eq!(spun.errors, 1, "{spun:?}");
    assert!(spun.last_error.unwrap().contains("timed out"));
    // One rule-error alert per failing rule.
    let errors = alerts_of(&h, app::model::alert::system_rules::RULE_ERROR).await;
    assert_eq!(errors.len(), 2, "{errors:?}");
}

#[tokio::test]
async fn the_test_panel_runs_an_unsaved_rule_on_a_pasted_event() {
    let (h, _) = set_up().await;
    let input = custom_rule("Custom.Panel", PASSWORD_RULE);
    let event = password_change("panel-1", "root@example.com").to_string();
    let verdict = h
        .engine
        .test_custom_rule(input.clone(), event)
        .await
        .unwrap();
    assert!(verdict.matched, "{verdict:?}");
    assert_eq!(
        verdict.title.as_deref(),
        Some("root@example.com changed a password")
    );
    assert_eq!(verdict.severity, Some(Severity::High));
    assert!(verdict.error.is_none());

    let miss = h
        .engine
        .test_custom_rule(input.clone(), token_created("p2", "a@b", "x").to_string())
        .await
        .unwrap();
    assert!(!miss.matched && miss.error.is_none(), "{miss:?}");

    match h.engine.test_custom_rule(input, "{not json".into()).await {
        Err(AppError::Fields(fields)) => assert_eq!(fields[0].field, "event"),
        other => panic!("expected an event error, got {other:?}"),
    }
    // Nothing was saved.
    assert!(h.engine.rule_detail("Custom.Panel").await.is_err());
}
