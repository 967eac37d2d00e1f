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
        setup_complete: true,
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
    assert_eq!(
        err.to_string(),
        "name: a source named \"Acme\" already exists; choose another name."
    );

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
            setup_complete: true,
        })
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("domain: Choose one of: okta.com"),
        "{err}"
    );
}

mod wizard {
    use std::time::Duration;

    use app::{
        backend::Console,
        model::{
            source::{AlarmSettings, EnrichmentSettings, SourceSetup, SIMULATOR_DOMAIN},
            AppError,
        },
    };

    use crate::harness::{quiet_org, wait_for, Harness};

    fn setup(token: &str, subdomain: &str) -> SourceSetup {
        SourceSetup {
            name: "Acme prod".into(),
            subdomain: subdomain.into(),
            domain: SIMULATOR_DOMAIN.into(),
            token: token.into(),
        }
    }

    #[tokio::test]
    async fn setup_checks_okta_then_the_source_waits_for_finish_before_polling() {
        let h = Harness::new(vec![quiet_org("acme", "good-token", 40)]).await;
        h.engine.supervisor.activate().await.unwrap();
        let console: &dyn Console = h.engine.as_ref();

        let err = console
            .setup_source(setup("bad-token", "acme"))
            .await
            .unwrap_err();
        assert_eq!(
            err,
            AppError::Okta("Okta rejected the token (E0000011: Invalid token provided)".into())
        );
        let err = console
            .setup_source(setup("good-token", "https://acme-admin.okta.com"))
            .await
            .unwrap_err();
        let problem = err.field("subdomain").expect("a subdomain problem");
        assert_eq!(problem.suggestion.as_deref(), Some("acme"));
        let err = console
            .setup_source(SourceSetup {
                name: " ".into(),
                token: "".into(),
                ..setup("x", "acme")
            })
            .await
            .unwrap_err();
        assert!(
            err.field("name").is_some() && err.field("token").is_some(),
            "every field at once: {err}"
        );
        assert!(
            console.list_sources().await.unwrap().is_empty(),
            "nothing saved"
        );

        let id = console
            .setup_source(setup("good-token", "acme"))
            .await
            .unwrap();
        let listed = console.list_sources().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (
                listed[0].state.as_str(),
                listed[0].setup_complete,
                listed[0].enabled
            ),
            ("setup", false, false)
        );
        assert_eq!(listed[0].token_hint, "oken");
        assert!(
            h.engine.supervisor.running().await.is_empty(),
            "no polling before Finish"
        );

        let enrichment = EnrichmentSettings {
            user_profiles: true,
            user_refresh_minutes: 30,
            device_profiles: true,
            device_refresh_minutes: 120,
        };
        assert_eq!(
            console.save_enrichment(id, enrichment).await.unwrap(),
            enrichment
        );
        let too_often = EnrichmentSettings {
            user_refresh_minutes: 5,
            ..enrichment
        };
        assert!(console
            .save_enrichment(id, too_often)
            .await
            .unwrap_err()
            .field("user_refresh_minutes")
            .is_some());

        console
            .finish_setup(
                id,
                AlarmSettings {
                    no_events_alarm: true,
                    no_events_minutes: 60,
                },
            )
            .await
            .unwrap();
        let store = h.engine.store.clone();
        wait_for(
            "the first events after Finish",
            Duration::from_secs(10),
            || {
                let store = store.clone();
                async move { store.event_count(id).await.unwrap() == 40 }
            },
        )
        .await;
        let detail = console.source_detail(id).await.unwrap();
        assert_eq!(detail.enrichment, enrichment);
        assert_eq!(
            detail.alarm,
            AlarmSettings {
                no_events_alarm: true,
                no_events_minutes: 60
            }
        );
        assert!(detail.summary.setup_complete && detail.summary.enabled);
        assert!(!detail.backfill_editable, "polled already");
        h.engine.supervisor.shutdown().await;
    }

    #[tokio::test]
    async fn settings_rename_replace_token_poll_interval_and_delete() {
        let h = Harness::new(vec![quiet_org("acme", "token-one", 5)]).await;
        let console: &dyn Console = h.engine.as_ref();
        let a = console
            .setup_source(setup("token-one", "acme"))
            .await
            .unwrap();
        let b = console
            .setup_source(SourceSetup {
                name: "Other".into(),
                ..setup("token-one", "acme")
            })
            .await
            .unwrap();

        let err = console
            .rename_source(b, "ACME PROD".into())
            .await
            .unwrap_err();
        assert!(
            err.field("name")
                .unwrap()
                .message
                .contains("already exists"),
            "{err}"
        );
        console.rename_source(b, "Staging".into()).await.unwrap();
        assert_eq!(
            console.source_detail(b).await.unwrap().summary.name,
            "Staging"
        );

        let err = console.replace_token(a, "wrong".into()).await.unwrap_err();
        assert!(
            matches!(err, AppError::Okta(ref m) if m.contains("E0000011")),
            "{err}"
        );
        assert_eq!(
            console.source_detail(a).await.unwrap().summary.token_hint,
            "-one",
            "unchanged"
        );

        assert!(console
            .save_poll_settings(a, 30, 24)
            .await
            .unwrap_err()
            .field("poll_interval_secs")
            .is_some());
        assert!(console
            .save_poll_settings(a, 60, 5000)
            .await
            .unwrap_err()
            .field("backfill_hours")
            .is_some());
        console.save_poll_settings(a, 120, 72).await.unwrap();
        let detail = console.source_detail(a).await.unwrap();
        assert_eq!(
            (detail.poll_interval_secs, detail.backfill_hours),
            (120, 72)
        );

        let err = console.delete_source(a, "acme".into()).await.unwrap_err();
        assert!(err.field("confirm_name").is_some());
        console.delete_source(a, "Acme prod".into()).await.unwrap();
        assert_eq!(
            console.source_detail(a).await.unwrap_err(),
            AppError::NotFound(format!("Source {a}"))
        );
        assert_eq!(console.list_sources().await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn an_unresponsive_org_is_reported_in_words_naming_the_host() {
        let h = Harness::with_timeout(vec![quiet_org("acme", "good-token", 0)], 1).await;
        let fault = serde_json::json!({"kind": "hang", "count": 1, "secs": 5.0});
        h.org("acme")
            .inject_fault(serde_json::from_value(fault).unwrap());
        let console: &dyn Console = h.engine.as_ref();
        let err = console
            .setup_source(setup("good-token", "acme"))
            .await
            .unwrap_err();
        assert_eq!(
            err,
            AppError::Okta("No answer from acme.simulator.localhost within 1 s".into())
        );
        assert_eq!(err.http_status(), 502);
        assert!(
            console.list_sources().await.unwrap().is_empty(),
            "nothing saved"
        );
    }
}
