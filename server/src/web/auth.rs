//! The gate in front of every route: sessions, first-run setup, CSRF origin checks and the
//! `/metrics` bearer token.
//!
//! - **Open without a session**: `/login`, `/setup` and their server functions (`/api/login`,
//!   `/api/setup`), static files (`/pkg/...`, `/favicon.ico`), `/healthz`, `/readyz`; `/metrics`
//!   when no `metrics_token` is configured (else it wants `Authorization: Bearer <token>`).
//! - **Everything else** wants a live session cookie: pages answer 303 to
//!   `/login?next=<path>` (or `/setup` while no admin exists), server functions 401 with an
//!   `AppError` as JSON.
//! - **CSRF**: a POST, PUT, PATCH or DELETE (every server function) must carry an `Origin` (or,
//!   without it, a `Referer`) of the console's own origin, else 403, before anything else runs.
//!   A request with neither header is refused too: every browser sends `Origin` on such
//!   requests, so only scripts lack it, and they can send it. The console's origin is that of
//!   `public_url` when configured; otherwise the one the request's own `Host` header names
//!   (http or https), which keeps `--addr 0.0.0.0:…` and port 0 working while still refusing
//!   any other site's pages. Set `public_url` in production.
//!
//! The session cookie is `HttpOnly; SameSite=Strict; Path=/` (+ `Secure` for an https
//! `public_url`), so cross-site requests do not carry it in the first place.

use std::{net::SocketAddr, sync::Arc};

use app::model::{
    account::{RequestAuth, LOGIN_PATH, SESSION_COOKIE, SETUP_PATH},
    AppError,
};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

use crate::{config::Secret, engine::accounts::Accounts, engine::Engine};

/// What the gate needs: the accounts, the console's origin, the metrics token.
#[derive(Clone)]
pub struct Gate {
    accounts: Arc<Accounts>,
    /// `scheme://host[:port]` of the configured `public_url`; None: the request's `Host`.
    origin: Option<String>,
    metrics_token: Option<Secret>,
}

impl Gate {
    pub fn new(engine: &Engine) -> Self {
        let access = &engine.config.access;
        Self {
            accounts: Arc::clone(&engine.accounts),
            origin: access
                .public_url
                .as_ref()
                .map(|u| u.origin().ascii_serialization()),
            metrics_token: access.metrics_token.clone(),
        }
    }
}

/// Server functions reachable without a session.
const OPEN_FUNCTIONS: [&str; 2] = ["/api/login", "/api/setup"];

/// The middleware (`axum::middleware::from_fn_with_state(Gate::new(&engine), gate)`).
pub async fn gate(State(gate): State<Gate>, mut request: Request, next: Next) -> Response {
    let unsafe_method = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    if unsafe_method && !gate.same_origin(request.headers()) {
        tracing::warn!(
            http.method = %request.method(),
            http.path = request.uri().path(),
            "cross-origin request refused"
        );
        return refuse(
            StatusCode::FORBIDDEN,
            "Cross-origin request refused: it must come from the console's own pages.",
        );
    }
    let path = request.uri().path().to_owned();
    let client_ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    if matches!(path.as_str(), "/healthz" | "/readyz" | "/favicon.ico") || path.starts_with("/pkg/")
    {
        return next.run(request).await;
    }
    if path == "/metrics" {
        if gate.metrics_allowed(request.headers()) {
            return next.run(request).await;
        }
        let mut response = refuse(StatusCode::UNAUTHORIZED, "/metrics wants its bearer token.");
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"gatehouse-metrics\""),
        );
        return response;
    }
    let has_users = match gate.accounts.has_users().await {
        Ok(has) => has,
        Err(e) => {
            tracing::error!(error = %e, "cannot check for console users");
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "The database is not available.",
            );
        }
    };
    let is_api = path.starts_with("/api/");
    let open = path == LOGIN_PATH || path == SETUP_PATH || OPEN_FUNCTIONS.contains(&path.as_str());
    let setting_up = path == SETUP_PATH || path == "/api/setup";
    if !has_users && !setting_up {
        // First run: the setup page is the only page; everything else waits for an admin.
        return if is_api {
            refuse(
                StatusCode::UNAUTHORIZED,
                "Create the first admin at /setup first.",
            )
        } else {
            redirect(SETUP_PATH)
        };
    }
    if has_users && path == SETUP_PATH {
        return redirect(LOGIN_PATH);
    }
    let session = match session_token(request.headers()) {
        Some(token) => match gate.accounts.session(&token).await {
            Ok(session) => session,
            Err(e) => {
                tracing::error!(error = %e, "cannot look up a console session");
                return refuse(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The database is not available.",
                );
            }
        },
        None => None,
    };
    if session.is_none() && !open {
        if is_api || !matches!(*request.method(), Method::GET | Method::HEAD) {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "Your session has ended; sign in again.",
            );
        }
        let wanted = request
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let target = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("next", &wanted)
            .finish();
        return redirect(&format!("{LOGIN_PATH}?{target}"));
    }
    request
        .extensions_mut()
        .insert(RequestAuth { client_ip, session });
    next.run(request).await
}

impl Gate {
    fn same_origin(&self, headers: &HeaderMap) -> bool {
        let claimed = match headers.get(header::ORIGIN) {
            Some(origin) => origin.to_str().ok().map(str::to_owned),
            None => headers
                .get(header::REFERER)
                .and_then(|r| r.to_str().ok())
                .and_then(|r| url::Url::parse(r).ok())
                .map(|u| u.origin().ascii_serialization()),
        };
        let Some(claimed) = claimed else {
            return false;
        };
        match &self.origin {
            Some(origin) => &claimed == origin,
            None => {
                let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
                    return false;
                };
                ["http", "https"].iter().any(|scheme| {
                    url::Url::parse(&format!("{scheme}://{host}"))
                        .is_ok_and(|u| u.origin().ascii_serialization() == claimed)
                })
            }
        }
    }

    fn metrics_allowed(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = &self.metrics_token else {
            return true;
        };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.strip_prefix("Bearer "))
            .unwrap_or_default();
        // Compare digests: equal length, and timing says nothing about the token.
        Sha256::digest(given.trim().as_bytes()) == Sha256::digest(expected.expose().as_bytes())
    }
}

/// The session cookie's value, if the request carries one.
fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == SESSION_COOKIE && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

/// A refusal as the `AppError` JSON server functions answer with, so the browser shows words.
fn refuse(status: StatusCode, message: &str) -> Response {
    let body = serde_json::to_string(&AppError::Invalid(message.to_owned()))
        .unwrap_or_else(|_| "{}".into());
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}
