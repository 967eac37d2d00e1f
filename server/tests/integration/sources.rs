//! Sources at run time: added, paused, resumed, removed without a restart; tokens sealed.

use std::time::Duration;

use app::model::source::SIMULATOR_DOMAIN;
use gatehouse::{
    config::Secret,
    engine::{AddSource, EngineError},
};

use crate::harness::{quiet_org, wait_for, Harness};

#[tokio::test]
async fn a_source_polls_at_once_and_stops_when_paused_or_removed() {
    let h = Harness::new(vec![quiet_org("acme", "t1", 30)]).await;
    h.engine.supervisor.activate().await.unwrap();
    let id = h.add_source("Acme", "acme", "t1").await;
    let store = h.engine.store.clone();
    wait_for(
        "the first poll right after adding",
        Duration::from_secs(10),
        || {
            let store = store.clone();
            async move { store.event_count(id).await.unwrap() == 30 }
        },
    )
    .await;
    assert_eq!(h.engine.supervisor.running().await, vec![id]);

    h.engine.set_source_enabled(id, false).await.unwrap();
    assert!(h.engine.supervisor.running().await.is_empty());
    assert_eq!(
        h.engine.store.status(id).await.unwrap().unwrap().state,
        "paused"
    );
    let requests = h.org("acme").stats().total("logs");
    h.org("acme").append_events(vec![crate::harness::event(
        "while-paused",
        "2026-01-01T00:00:00Z",
    )]);

    h.engine.set_source_enabled(id, true).await.unwrap();
    wait_for("polling to resume", Duration::from_secs(10), || {
        let store = store.clone();
        async move { store.event_count(id).await.unwrap() == 31 }
    })
    .await;
    assert!(h.org("acme").stats().total("logs") > requests);

    h.engine.remove_source(id).await.unwrap();
    assert!(h.engine.supervisor.running().await.is_empty());
    assert!(h.engine.store.source(id).await.unwrap().is_none());
    assert_eq!(
        h.engine.store.event_count(id).await.unwrap(),
        0,
        "its events went with it"
    );
    assert!(h.engine.store.checkpoint(id).await.unwrap().is_none());
    assert!(matches!(
        h.engine.remove_source(id).await,
        Err(EngineError::NoSuchSource(_))
    ));
    h.engine.supervisor.shutdown().await;
}

#[tokio::test]
async fn adding_checks_the_token_against_okta_and_saves_nothing_on_failure() {
    let h = Harness::new(vec![quiet_org("acme", "right-token", 0)]).await;
    let add = |token: &str, subdomain: &str| AddSource {
        name: "Acme".into(),
        subdomain: subdomain.into(),
        domain: SIMULATOR_DOMAIN.into(),
        token: Secret::new(token),
        skip_check: false,
    };
    let err = h
        .engine
        .add_source(add("wrong-token", "acme"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Okta rejected the token (E0000011: Invalid token provided)"
    );
    let err = h
        .engine
        .add_source(add("right-token", "https://acme.okta.com"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Did you mean \"acme\""), "{err}");
    assert!(
        h.engine.store.sources().await.unwrap().is_empty(),
        "nothing saved"
    );

    let id = h
        .engine
        .add_source(add("right-token", "acme"))
        .await
        .unwrap();
    let err = h
        .engine
        .add_source(add("right-token", "acme"))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "a source named \"Acme\" already exists");

    // At rest the token is sealed: neither the row nor the database file holds it.
    let row = h.engine.store.source(id).await.unwrap().unwrap();
    assert_eq!(row.token_hint, "oken");
    assert!(!String::from_utf8_lossy(&row.token_ciphertext).contains("right-token"));
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(h.engine.store.pool())
        .await
        .unwrap();
    let file = std::fs::read(h.dir.path().join("gatehouse.db")).unwrap();
    assert!(!file.windows(11).any(|w| w == b"right-token"));
    assert_eq!(
        h.engine
            .secrets
            .open_token(&row.token_ciphertext)
            .unwrap()
            .expose(),
        "right-token"
    );
}

#[tokio::test]
async fn unknown_domains_and_unreachable_orgs_are_refused_in_words() {
    let h = Harness::new(vec![quiet_org("acme", "t", 0)]).await;
    let err = h
        .engine
        .add_source(AddSource {
            name: "Evil".into(),
            subdomain: "acme".into(),
            domain: "evil.example".into(),
            token: Secret::new("t"),
            skip_check: false,
        })
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("domain: Choose one of: okta.com"),
        "{err}"
    );
}
