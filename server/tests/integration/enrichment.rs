//! Profile enrichment against the simulator: full and delta syncs of users and devices, the
//! toggles, and `p_enrichment` on events stored after a sync (and only those).

use std::{collections::HashSet, time::Duration};

use app::{
    backend::Console,
    model::{
        enrichment::{EnrichmentOverview, ProfileKind, SyncStatus},
        source::EnrichmentSettings,
        AppError,
    },
};
use serde_json::{json, Value};

use crate::harness::{eventually, quiet_org, wait_for, Harness};

const WAIT: Duration = Duration::from_secs(20);

fn settings(users: bool, devices: bool) -> EnrichmentSettings {
    EnrichmentSettings {
        user_profiles: users,
        user_refresh_minutes: 60,
        device_profiles: devices,
        device_refresh_minutes: 60,
    }
}

async fn overview(h: &Harness, id: i64) -> EnrichmentOverview {
    h.engine.enrichment_overview(id).await.unwrap()
}

fn status(o: &EnrichmentOverview, kind: ProfileKind) -> &SyncStatus {
    match kind {
        ProfileKind::Users => &o.users,
        ProfileKind::Devices => &o.devices,
    }
}

/// Waits until `kind`'s sync state is `state`, and returns the status.
async fn wait_state(h: &Harness, id: i64, kind: ProfileKind, state: &str) -> SyncStatus {
    eventually(&format!("{} sync {state}", kind.as_str()), WAIT, || async {
        let o = overview(h, id).await;
        let s = status(&o, kind).clone();
        (s.state == state).then_some(s)
    })
    .await
}

/// A source with the simulator's directory, its backlog stored, and the enricher running.
async fn set_up(org: gatehouse::simulator::OrgConfig) -> (Harness, i64) {
    let h = Harness::new(vec![org]).await;
    h.engine.enricher.activate().await.unwrap();
    let id = h.add_source("Acme", "acme", "t1").await;
    h.drain(id).await;
    (h, id)
}

/// A sign-in by `actor` (id, login as typed) naming `target_user` and optionally a device.
fn sign_in(uuid: &str, actor: (&str, &str), target_user: &str, device: Option<&str>) -> Value {
    let mut event = json!({
        "uuid": uuid,
        "published": "2026-01-01T00:00:00.000Z",
        "eventType": "user.session.start",
        "version": "0",
        "severity": "INFO",
        "displayMessage": "User login to Okta",
        "actor": {"id": actor.0, "type": "User", "alternateId": actor.1, "displayName": "Someone"},
        "client": {"ipAddress": "203.0.113.9"},
        "outcome": {"result": "SUCCESS"},
        "target": [
            {"id": target_user, "type": "User", "alternateId": "unknown@example.com", "displayName": "T"},
            {"id": "0oa-not-a-user", "type": "AppInstance", "alternateId": "App", "displayName": "App"}
        ]
    });
    if let Some(device) = device {
        event["device"] =
            json!({"id": device, "name": "Laptop", "os_platform": "OSX", "managed": true});
        event["target"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": device, "type": "Device", "alternateId": "unknown", "displayName": "Laptop"}));
    }
    event
}

/// The stored row of the event with `uuid`.
async fn stored(h: &Harness, id: i64, uuid: &str) -> Value {
    let data: String =
        sqlx::query_scalar("SELECT data FROM events WHERE source_id = ? AND uuid = ?")
            .bind(id)
            .bind(uuid)
            .fetch_one(h.engine.store.pool())
            .await
            .unwrap();
    serde_json::from_str(&data).unwrap()
}

#[tokio::test]
async fn a_full_sync_stores_every_user_and_enriches_only_events_stored_after_it() {
    let (h, id) = set_up(quiet_org("acme", "t1", 20)).await;
    let before = h.engine.recent_events(id).await.unwrap();
    assert!(!before.is_empty() && before.iter().all(|e| e.matches == 0));

    h.engine
        .save_enrichment(id, settings(true, false))
        .await
        .unwrap();
    let users = wait_state(&h, id, ProfileKind::Users, "ready").await;
    assert!(users.last_full_sync.is_some() && users.last_error.is_none());
    assert!(users.next_due.is_some());

    // Every user of the directory, deprovisioned ones included, with the same status.
    let truth = h.org("acme").users();
    assert!(truth.iter().any(|u| u.2 == "DEPROVISIONED"));
    let stored_users = h.engine.store.all_users(id).await.unwrap();
    assert_eq!(users.rows, truth.len() as i64);
    let stored_set: HashSet<(String, String)> = stored_users
        .iter()
        .map(|u| (u.id.clone(), u.status.clone()))
        .collect();
    let truth_set: HashSet<(String, String)> =
        truth.iter().map(|u| (u.0.clone(), u.2.clone())).collect();
    assert_eq!(stored_set, truth_set);

    // Search over login / name / email / title / department, a page at a time, by login.
    let (ana_id, ana_login) = (truth[3].0.clone(), truth[3].1.clone());
    let page = h
        .engine
        .user_profiles(id, &ana_login.to_uppercase(), 0)
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].id, ana_id);
    let all = h.engine.user_profiles(id, "", 0).await.unwrap();
    assert_eq!(all.total, truth.len() as i64);
    assert_eq!(all.rows.len(), 50);
    assert!(all
        .rows
        .windows(2)
        .all(|w| w[0].login.to_lowercase() <= w[1].login.to_lowercase()));

    // A new event: actor by id and (case-insensitively) by login, a target user by id.
    let target = truth[5].clone();
    h.org("acme").append_events(vec![sign_in(
        "enriched-1",
        (&ana_id, &ana_login.to_uppercase()),
        &target.0,
        None,
    )]);
    h.drain(id).await;
    let row = stored(&h, id, "enriched-1").await;
    let users = &row["p_enrichment"]["okta_users"];
    assert_eq!(users["actor.id"]["login"], ana_login.as_str());
    assert_eq!(users["actor.id"]["p_match"], ana_id.as_str());
    assert_eq!(users["actor.alternateId"]["id"], ana_id.as_str());
    assert_eq!(
        users["actor.alternateId"]["p_match"],
        ana_login.to_uppercase()
    );
    assert_eq!(users["target[].id"][0]["id"], target.0.as_str());
    assert_eq!(users["target[].id"][0]["status"], target.2.as_str());
    assert_eq!(
        users["target[].id"].as_array().unwrap().len(),
        1,
        "the app target is not a user"
    );
    assert!(row["p_enrichment"].get("okta_devices").is_none());

    // Events stored before the sync are left as they were.
    for event in &before {
        let row = stored(&h, id, &event.uuid).await;
        assert!(row.get("p_enrichment").is_none(), "{}", event.uuid);
    }

    // The recent-events list and the event's detail show the matches.
    let recent = h.engine.recent_events(id).await.unwrap();
    let listed = recent.iter().find(|e| e.uuid == "enriched-1").unwrap();
    assert_eq!(listed.matches, 3);
    assert_eq!(
        listed.display_message.as_deref(),
        Some("User login to Okta")
    );
    let detail = h.engine.event_detail(id, &listed.row_id).await.unwrap();
    assert_eq!(detail.matches.len(), 3);
    assert!(detail
        .matches
        .iter()
        .any(|m| m.selector == "actor.alternateId" && m.value == ana_login.to_uppercase()));
    assert!(detail.json.contains("\"p_enrichment\""));
    assert!(matches!(
        h.engine.event_detail(id, "no-such-row").await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn a_delta_sync_picks_up_profile_and_status_changes() {
    let (h, id) = set_up(quiet_org("acme", "t1", 0)).await;
    h.engine
        .save_enrichment(id, settings(true, false))
        .await
        .unwrap();
    wait_state(&h, id, ProfileKind::Users, "ready").await;
    let truth = h.org("acme").users();
    let (touched, suspended) = (truth[1].clone(), truth[2].clone());
    let other = if suspended.2 == "SUSPENDED" {
        "ACTIVE"
    } else {
        "SUSPENDED"
    };
    assert!(h.org("acme").touch_user(&touched.0));
    h.org("acme").set_user_status(&suspended.0, other).unwrap();

    h.engine
        .sync_profiles(id, ProfileKind::Users)
        .await
        .unwrap();
    let status = wait_state(&h, id, ProfileKind::Users, "ready").await;
    let status = if status.last_delta_sync.is_some() {
        status
    } else {
        eventually("the delta sync", WAIT, || async {
            let o = overview(&h, id).await;
            o.users.last_delta_sync.is_some().then_some(o.users)
        })
        .await
    };
    assert_eq!(status.rows, truth.len() as i64);
    let users = h.engine.store.all_users(id).await.unwrap();
    let find = |uid: &str| users.iter().find(|u| u.id == uid).unwrap().clone();
    assert_ne!(find(&touched.0).title.as_deref(), Some(touched.3.as_str()));
    assert_eq!(find(&suspended.0).status, other);

    // The published table follows: a new event sees the new status.
    h.org("acme").append_events(vec![sign_in(
        "after-delta",
        (&suspended.0, &suspended.1),
        &touched.0,
        None,
    )]);
    h.drain(id).await;
    let row = stored(&h, id, "after-delta").await;
    assert_eq!(
        row["p_enrichment"]["okta_users"]["actor.id"]["status"],
        other
    );
    assert_eq!(
        row["p_enrichment"]["okta_users"]["target[].id"][0]["title"].as_str(),
        find(&touched.0).title.as_deref()
    );
}

#[tokio::test]
async fn devices_are_synced_and_matched_by_device_id() {
    let (h, id) = set_up(quiet_org("acme", "t1", 0)).await;
    h.engine
        .save_enrichment(id, settings(false, true))
        .await
        .unwrap();
    let devices = wait_state(&h, id, ProfileKind::Devices, "ready").await;
    let truth = h.org("acme").devices();
    assert_eq!(devices.rows, truth.len() as i64);
    let (device, owners) = truth.iter().find(|d| !d.1.is_empty()).unwrap().clone();
    let page = h.engine.device_profiles(id, "", 0).await.unwrap();
    assert_eq!(page.total, truth.len() as i64);
    let listed = h
        .engine
        .device_profiles(id, "", 0)
        .await
        .unwrap()
        .rows
        .into_iter()
        .chain(h.engine.device_profiles(id, "", 1).await.unwrap().rows)
        .find(|d| d.id == device)
        .unwrap();
    assert_eq!(listed.owners.len(), owners.len());

    h.org("acme").append_events(vec![sign_in(
        "device-1",
        (&owners[0], "someone@example.com"),
        "00u-none",
        Some(&device),
    )]);
    h.drain(id).await;
    let row = stored(&h, id, "device-1").await;
    let found = &row["p_enrichment"]["okta_devices"];
    assert_eq!(found["device.id"]["id"], device.as_str());
    assert_eq!(found["device.id"]["p_match"], device.as_str());
    assert_eq!(found["target[].id"][0]["id"], device.as_str());
    assert!(
        row["p_enrichment"].get("okta_users").is_none(),
        "users are off"
    );
}

#[tokio::test]
async fn an_org_without_okta_devices_is_explained_in_words() {
    let mut org = quiet_org("acme", "t1", 0);
    org.devices_enabled = false;
    let (h, id) = set_up(org).await;
    h.engine
        .save_enrichment(id, settings(false, true))
        .await
        .unwrap();
    let devices = wait_state(&h, id, ProfileKind::Devices, "failed").await;
    let error = devices.last_error.unwrap();
    assert!(
        error.starts_with(
            "Okta Devices is not enabled for this org, or the token cannot read devices (E0000006"
        ),
        "{error}"
    );
    assert!(devices.last_error_at.is_some() && devices.last_full_sync.is_none());
}

#[tokio::test]
async fn switching_off_stops_syncs_and_enrichment_and_on_again_syncs_in_full() {
    let (h, id) = set_up(quiet_org("acme", "t1", 0)).await;
    h.engine
        .save_enrichment(id, settings(true, false))
        .await
        .unwrap();
    let first = wait_state(&h, id, ProfileKind::Users, "ready").await;
    assert_eq!(
        h.engine.enricher.running().await,
        vec![(id, ProfileKind::Users)]
    );
    let refused = h.engine.delete_profiles(id, ProfileKind::Users).await;
    assert!(
        matches!(&refused, Err(AppError::Invalid(m)) if m.starts_with("Switch off user profiles")),
        "{refused:?}"
    );

    h.engine
        .save_enrichment(id, settings(false, false))
        .await
        .unwrap();
    assert!(h.engine.enricher.running().await.is_empty());
    let off = overview(&h, id).await.users;
    assert_eq!(
        (off.state.as_str(), off.rows),
        ("off", first.rows),
        "profiles kept"
    );
    assert!(h
        .engine
        .sync_profiles(id, ProfileKind::Users)
        .await
        .is_err());

    let (uid, login, _, _) = h.org("acme").users()[0].clone();
    h.org("acme")
        .append_events(vec![sign_in("while-off", (&uid, &login), &uid, None)]);
    h.drain(id).await;
    assert!(stored(&h, id, "while-off")
        .await
        .get("p_enrichment")
        .is_none());

    h.engine
        .delete_profiles(id, ProfileKind::Users)
        .await
        .unwrap();
    let deleted = overview(&h, id).await.users;
    assert_eq!((deleted.rows, deleted.last_full_sync), (0, None));

    // On again: a full sync from scratch, then enrichment resumes.
    h.engine
        .save_enrichment(id, settings(true, false))
        .await
        .unwrap();
    wait_for("the second full sync", WAIT, || async {
        let o = overview(&h, id).await.users;
        o.state == "ready" && o.last_full_sync.is_some() && o.rows == first.rows
    })
    .await;
    h.org("acme")
        .append_events(vec![sign_in("on-again", (&uid, &login), &uid, None)]);
    h.drain(id).await;
    let row = stored(&h, id, "on-again").await;
    assert_eq!(
        row["p_enrichment"]["okta_users"]["actor.id"]["id"],
        uid.as_str()
    );
}
