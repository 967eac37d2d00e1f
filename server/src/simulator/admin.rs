//! `/_sim/*`: control endpoints for scripts and tests (no auth; JSON in, JSON out). Each is a
//! thin wrapper over an [`OrgHandle`](super::OrgHandle) method.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use super::faults::Fault;
use super::ratelimit::RateLimits;
use super::{OrgHandle, Shared, Simulator};

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_sim/orgs", get(list_orgs))
        .route("/_sim/clock/advance", post(advance_clock))
        .route("/_sim/orgs/{org}/truth", get(truth))
        .route(
            "/_sim/orgs/{org}/faults",
            get(list_faults).post(add_faults).delete(clear_faults),
        )
        .route("/_sim/orgs/{org}/tokens/revoke", post(revoke_tokens))
        .route("/_sim/orgs/{org}/tokens/restore", post(restore_tokens))
        .route("/_sim/orgs/{org}/events", post(append_events))
        .route("/_sim/orgs/{org}/production", post(set_production))
        .route("/_sim/orgs/{org}/rate_limits", post(set_rate_limits))
        .route("/_sim/orgs/{org}/users/{id}/touch", post(touch_user))
        .route("/_sim/orgs/{org}/users/{id}/status", post(set_user_status))
        .route("/_sim/orgs/{org}/stats", get(stats))
}

/// An admin request that cannot be done: a status and a message, as `{"error": "..."}`.
struct Problem(StatusCode, String);

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

type AdminResult = Result<Response, Problem>;

fn ok() -> AdminResult {
    Ok(Json(json!({ "ok": true })).into_response())
}

fn handle(shared: Arc<Shared>, org: &str) -> Result<OrgHandle, Problem> {
    Simulator { shared }
        .org(org)
        .ok_or_else(|| Problem(StatusCode::NOT_FOUND, format!("no org named {org}")))
}

/// Parses a JSON body whatever its Content-Type (curl users forget the header).
fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, Problem> {
    serde_json::from_slice(body)
        .map_err(|e| Problem(StatusCode::BAD_REQUEST, format!("invalid body: {e}")))
}

async fn list_orgs(State(shared): State<Arc<Shared>>) -> Response {
    let now = shared.clock.now_ms();
    let orgs: Vec<Value> = shared
        .orgs
        .iter()
        .map(|org| {
            let log = org.log(now);
            let directory = org.directory();
            json!({
                "name": org.name,
                "events": log.len(),
                "events_per_sec": log.events_per_sec(),
                "users": directory.users.len(),
                "devices": directory.devices.len(),
                "devices_enabled": org.devices_enabled,
                "tokens_revoked": org.tokens_revoked(),
                "rate_limits": org.limits().limits(),
            })
        })
        .collect();
    Json(orgs).into_response()
}

#[derive(Deserialize)]
struct Advance {
    secs: f64,
}

async fn advance_clock(State(shared): State<Arc<Shared>>, body: Bytes) -> AdminResult {
    let advance: Advance = parse(&body)?;
    if !advance.secs.is_finite() || advance.secs < 0.0 {
        return Err(Problem(
            StatusCode::BAD_REQUEST,
            "secs must be a non-negative number".into(),
        ));
    }
    Simulator { shared }.advance_clock(Duration::from_secs_f64(advance.secs));
    ok()
}

async fn truth(State(shared): State<Arc<Shared>>, Path(org): Path<String>) -> AdminResult {
    let uuids = handle(shared, &org)?.truth();
    Ok(Json(json!({ "count": uuids.len(), "uuids": uuids })).into_response())
}

async fn list_faults(State(shared): State<Arc<Shared>>, Path(org): Path<String>) -> AdminResult {
    Ok(Json(handle(shared, &org)?.pending_faults()).into_response())
}

/// A list of faults (a single fault object is accepted too).
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<Fault>),
    One(Fault),
}

async fn add_faults(
    State(shared): State<Arc<Shared>>,
    Path(org): Path<String>,
    body: Bytes,
) -> AdminResult {
    let h = handle(shared, &org)?;
    // Parse as a single fault first so the error message names the problem.
    let faults = match parse::<Fault>(&body) {
        Ok(fault) => vec![fault],
        Err(single) => match parse::<OneOrMany>(&body) {
            Ok(OneOrMany::Many(faults)) => faults,
            Ok(OneOrMany::One(fault)) => vec![fault],
            Err(_) => return Err(single),
        },
    };
    for fault in faults {
        h.inject_fault(fault);
    }
    Ok(Json(h.pending_faults()).into_response())
}

async fn clear_faults(State(shared): State<Arc<Shared>>, Path(org): Path<String>) -> AdminResult {
    handle(shared, &org)?.clear_faults();
    ok()
}

async fn revoke_tokens(State(shared): State<Arc<Shared>>, Path(org): Path<String>) -> AdminResult {
    handle(shared, &org)?.revoke_tokens();
    ok()
}

async fn restore_tokens(State(shared): State<Arc<Shared>>, Path(org): Path<String>) -> AdminResult {
    handle(shared, &org)?.restore_tokens();
    ok()
}

async fn append_events(
    State(shared): State<Arc<Shared>>,
    Path(org): Path<String>,
    body: Bytes,
) -> AdminResult {
    let h = handle(shared, &org)?;
    let events = match parse::<Value>(&body)? {
        Value::Array(events) => events,
        event => vec![event],
    };
    let appended = events.len();
    h.append_events(events);
    Ok(Json(json!({ "ok": true, "appended": appended })).into_response())
}

#[derive(Deserialize)]
struct Production {
    events_per_sec: f64,
}

async fn set_production(
    State(shared): State<Arc<Shared>>,
    Path(org): Path<String>,
    body: Bytes,
) -> AdminResult {
    let h = handle(shared, &org)?;
    let production: Production = parse(&body)?;
    if !production.events_per_sec.is_finite() || production.events_per_sec < 0.0 {
        return Err(Problem(
            StatusCode::BAD_REQUEST,
            "events_per_sec must be a non-negative number".into(),
        ));
    }
    h.set_events_per_sec(production.events_per_sec);
    ok()
}

async fn set_rate_limits(
    State(shared): State<Arc<Shared>>,
    Path(org): Path<String>,
    body: Bytes,
) -> AdminResult {
    let h = handle(shared, &org)?;
    h.set_rate_limits(parse::<RateLimits>(&body)?);
    ok()
}

async fn touch_user(
    State(shared): State<Arc<Shared>>,
    Path((org, id)): Path<(String, String)>,
) -> AdminResult {
    if handle(shared, &org)?.touch_user(&id) {
        ok()
    } else {
        Err(Problem(StatusCode::NOT_FOUND, format!("no user {id}")))
    }
}

#[derive(Deserialize)]
struct Status {
    status: String,
}

async fn set_user_status(
    State(shared): State<Arc<Shared>>,
    Path((org, id)): Path<(String, String)>,
    body: Bytes,
) -> AdminResult {
    let h = handle(shared, &org)?;
    let status: Status = parse(&body)?;
    h.set_user_status(&id, &status.status)
        .map_err(|message| Problem(StatusCode::BAD_REQUEST, message))?;
    ok()
}

async fn stats(State(shared): State<Arc<Shared>>, Path(org): Path<String>) -> AdminResult {
    Ok(Json(handle(shared, &org)?.stats()).into_response())
}
