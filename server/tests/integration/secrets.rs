//! `gatehouse secrets rotate`: every sealed value re-encrypted under a new key, the key file
//! replaced (0600), refused beside a running server, and finished by a second run when cut off.

use std::{os::unix::fs::PermissionsExt, sync::Arc};

use app::model::alert::{DestinationInput, Severity};
use gatehouse::{
    config::{Config, Secret},
    engine::Engine,
    ingest::poller::poll_cycle,
    key_rotation::rotate,
    okta::RateBudget,
    secrets::{next_key_path, Purpose, SecretBox},
    store::{SealedColumn, ServerLock},
};

use crate::harness::{quiet_org, Harness};

const TOKEN: &str = "acme-token";
const WEBHOOK_SECRET: &str = "correct-horse-battery-staple";

/// A source with a backlog of 7 events and a signed destination, both sealed under the old key.
async fn sealed_setup(h: &Harness) -> i64 {
    let id = h.add_source("Acme", "acme", TOKEN).await;
    h.engine
        .save_destination(
            None,
            DestinationInput {
                name: "Signed".into(),
                url: "https://hooks.example.com/gatehouse".into(),
                secret: WEBHOOK_SECRET.into(),
                clear_secret: false,
                min_severity: Severity::Info,
                enabled: true,
            },
        )
        .await
        .unwrap();
    id
}

/// An engine opened afresh from `config`, as a restarted server would.
async fn restarted(h: &Harness, config: Config) -> Arc<Engine> {
    gatehouse::cli::open_engine(config, Some(h.running.addr))
        .await
        .unwrap()
}

/// One poll of `source_id` stores the org's 7 events.
async fn polls_successfully(engine: &Engine, source_id: i64) {
    let source = engine.store.source(source_id).await.unwrap().unwrap();
    let report = poll_cycle(
        engine.supervisor.context(),
        &source,
        &mut RateBudget::new(0.5),
    )
    .await;
    assert!(report.failure.is_none(), "{:?}", report.failure);
    assert_eq!(report.inserted, 7);
}

fn purpose(column: SealedColumn) -> Purpose {
    match column {
        SealedColumn::SourceToken => Purpose::OktaToken,
        SealedColumn::DestinationSecret => Purpose::WebhookSecret,
    }
}

/// Every stored value opens with `key` to the plaintext it was saved with.
async fn all_open_with(engine: &Engine, key: &SecretBox) {
    let values = engine.store.sealed_values().await.unwrap();
    assert_eq!(values.len(), 2);
    for (column, _, sealed) in values {
        let plain = key.open(purpose(column), &sealed).unwrap();
        let expected = match column {
            SealedColumn::SourceToken => TOKEN,
            SealedColumn::DestinationSecret => WEBHOOK_SECRET,
        };
        assert_eq!(plain.expose(), expected);
    }
}

#[tokio::test]
async fn rotation_reseals_every_secret_and_replaces_the_key_file() {
    let h = Harness::new(vec![quiet_org("acme", TOKEN, 7)]).await;
    let source = sealed_setup(&h).await;
    let key_file = h.engine.config.secret_key_file.clone();
    let old_text = std::fs::read_to_string(&key_file).unwrap();
    let old = SecretBox::from_base64(&old_text).unwrap();
    let before = h.engine.store.sealed_values().await.unwrap();

    let mut out = Vec::new();
    let rotation = rotate(&h.engine.config, &mut out).await.unwrap();
    assert_eq!(rotation.resealed, 2);
    assert!(rotation.printed_key.is_none());
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("Re-encrypted 2 secrets"), "{out}");

    let new_text = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(new_text, old_text);
    assert!(
        !out.contains(new_text.trim()),
        "a key file's key is never printed"
    );
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(!next_key_path(&key_file).exists());

    let after = h.engine.store.sealed_values().await.unwrap();
    assert_eq!(after.len(), before.len());
    for ((column, id, old_bytes), (_, same_id, new_bytes)) in before.iter().zip(&after) {
        assert_eq!(id, same_id);
        assert_ne!(
            old_bytes, new_bytes,
            "{column:?} {id}: the ciphertext changed"
        );
        assert!(
            old.open(purpose(*column), new_bytes).is_err(),
            "{column:?} {id}: the old key no longer opens it"
        );
    }
    let new = SecretBox::from_base64(&new_text).unwrap();
    all_open_with(&h.engine, &new).await;

    // A restarted server reads the new key file and polls with the re-sealed token.
    let engine = restarted(&h, h.engine.config.clone()).await;
    polls_successfully(&engine, source).await;
}

#[tokio::test]
async fn an_environment_key_is_printed_once_and_no_file_is_written() {
    let (_, env_key) = SecretBox::generate();
    let env_key_text = env_key.expose().to_owned();
    let h = Harness::configured(vec![quiet_org("acme", TOKEN, 7)], |args| {
        args.secret_key = Some(env_key)
    })
    .await;
    let source = sealed_setup(&h).await;
    let mut out = Vec::new();
    let rotation = rotate(&h.engine.config, &mut out).await.unwrap();
    let new_key = rotation.printed_key.expect("the new key is handed back");
    let out = String::from_utf8(out).unwrap();
    assert_eq!(
        out.matches(new_key.expose()).count(),
        1,
        "printed once: {out}"
    );
    assert!(out.contains("GATEHOUSE_SECRET_KEY"), "{out}");
    assert!(
        !h.engine.config.secret_key_file.exists(),
        "no key file written"
    );

    let old = SecretBox::from_base64(&env_key_text).unwrap();
    for (column, _, sealed) in h.engine.store.sealed_values().await.unwrap() {
        assert!(old.open(purpose(column), &sealed).is_err());
    }
    let config = Config {
        secret_key: Some(Secret::new(new_key.expose())),
        ..h.engine.config.clone()
    };
    let engine = restarted(&h, config).await;
    polls_successfully(&engine, source).await;
}

#[tokio::test]
async fn rotation_is_refused_while_a_server_holds_the_database() {
    let h = Harness::new(vec![quiet_org("acme", TOKEN, 0)]).await;
    sealed_setup(&h).await;
    let before = h.engine.store.sealed_values().await.unwrap();
    let serving = ServerLock::acquire(&h.engine.config).unwrap();
    let err = rotate(&h.engine.config, &mut Vec::new()).await.unwrap_err();
    assert!(err.to_string().contains("stop it first"), "{err}");
    assert_eq!(h.engine.store.sealed_values().await.unwrap(), before);
    drop(serving);
    rotate(&h.engine.config, &mut Vec::new()).await.unwrap();
}

#[tokio::test]
async fn a_rotation_cut_off_at_any_point_is_finished_by_running_it_again() {
    let h = Harness::new(vec![quiet_org("acme", TOKEN, 7)]).await;
    let source = sealed_setup(&h).await;
    let key_file = h.engine.config.secret_key_file.clone();
    let next_file = next_key_path(&key_file);
    let old = SecretBox::from_base64(&std::fs::read_to_string(&key_file).unwrap()).unwrap();

    // Cut off before the commit: `.next` holds a key that sealed nothing. It is discarded.
    let (_, unused) = SecretBox::generate();
    std::fs::write(&next_file, unused.expose()).unwrap();
    rotate(&h.engine.config, &mut Vec::new()).await.unwrap();
    assert!(!next_file.exists());
    let current = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(current, unused.expose());
    let current = SecretBox::from_base64(&current).unwrap();
    all_open_with(&h.engine, &current).await;

    // Cut off after the commit, before the rename: the database is sealed with `.next`'s key
    // while the key file still holds the previous one. The next run only finishes the rename.
    let (next, next_text) = SecretBox::generate();
    std::fs::write(&next_file, next_text.expose()).unwrap();
    h.engine
        .store
        .reseal_all(|column, sealed| {
            current
                .open(purpose(column), sealed)
                .map(|plain| next.seal(purpose(column), &plain))
        })
        .await
        .unwrap()
        .unwrap();
    let mut out = Vec::new();
    let rotation = rotate(&h.engine.config, &mut out).await.unwrap();
    assert_eq!(rotation.resealed, 0);
    assert!(String::from_utf8(out)
        .unwrap()
        .contains("Finished an interrupted rotation"));
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap(),
        next_text.expose()
    );
    assert!(!next_file.exists());
    all_open_with(&h.engine, &next).await;
    assert!(old
        .open_token(
            &h.engine
                .store
                .source(source)
                .await
                .unwrap()
                .unwrap()
                .token_ciphertext
        )
        .is_err());
    let engine = restarted(&h, h.engine.config.clone()).await;
    polls_successfully(&engine, source).await;
}
