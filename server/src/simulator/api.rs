//! The `/api/v1/*` side: picks the org from the `Host` header, checks the token, applies any
//! queued fault, counts the request against the rate limit, runs the endpoint, and turns its
//! page into a response with Okta's `Link` and `X-Rate-Limit-*` headers.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, request::Parts, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;

use super::error::ApiError;
use super::faults::{self, Fault, RateLimitHeaders};
use super::org::OrgState;
use super::ratelimit::{Bucket, Decision, RateHeaders};
use super::{admin, devices, logs, users, Shared};

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/{*rest}", any(serve_api))
        .merge(admin::routes())
        .fallback(|| async { ApiError::not_found() })
        .with_state(shared)
}

/// One API request, as the endpoints see it.
pub(crate) struct ApiRequest {
    /// The `Host` the client used (with port): links point back at it.
    pub host: String,
    pub path: String,
    pub raw_query: Option<String>,
    pub params: Vec<(String, String)>,
    pub now_ms: i64,
}

impl ApiRequest {
    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `http://{host}`.
    pub fn base(&self) -> String {
        format!("http://{}", self.host)
    }

    /// The URL of this request, as the `self` link.
    pub fn self_link(&self) -> String {
        match self.raw_query.as_deref() {
            Some(q) if !q.is_empty() => format!("http://{}{}?{q}", self.host, self.path),
            _ => format!("http://{}{}", self.host, self.path),
        }
    }

    /// This endpoint with the given query parameters (encoded).
    pub fn link_with(&self, params: &[(&str, &str)]) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in params {
            query.append_pair(k, v);
        }
        format!("http://{}{}?{}", self.host, self.path, query.finish())
    }
}

/// A successful list response: a JSON array and its links.
pub(crate) struct Page {
    pub body: Vec<u8>,
    pub self_link: String,
    pub next_link: Option<String>,
    /// Log events in the body (for the counters).
    pub events: usize,
}

/// Writes `[item,item,...]`.
pub(crate) fn json_array<T>(
    items: &[T],
    size_hint: usize,
    mut write: impl FnMut(&T, &mut Vec<u8>),
) -> Vec<u8> {
    let mut body = Vec::with_capacity(items.len() * size_hint + 2);
    body.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        write(item, &mut body);
    }
    body.push(b']');
    body
}

fn endpoint_name(path: &str) -> &'static str {
    match Bucket::for_path(path) {
        Some(Bucket::Logs) => "logs",
        Some(Bucket::Users) => "users",
        Some(Bucket::Devices) => "devices",
        None => "other",
    }
}

fn request_host(parts: &Parts) -> String {
    parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| "localhost".to_string())
}

async fn serve_api(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, _body) = request.into_parts();
    let host = request_host(&parts);
    let Some(org) = shared.route(&host).cloned() else {
        return ApiError::not_found().into_response();
    };
    let path = parts.uri.path().to_string();
    let endpoint = endpoint_name(&path);
    org.stats().arrived(endpoint);
    let (response, label) = handle(&shared, &org, &parts, host, path).await;
    org.stats().record(endpoint, &label);
    response
}

/// The response and the status label it is counted under.
async fn handle(
    shared: &Shared,
    org: &OrgState,
    parts: &Parts,
    host: String,
    path: String,
) -> (Response, String) {
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !org.authorized(authorization) {
        return labelled(ApiError::invalid_token().into_response());
    }
    let bucket = Bucket::for_path(&path);
    let fault = org.faults().take(&path);
    if fault.is_some() {
        org.stats().faults_applied += 1;
    }
    let shape = match fault {
        Some(Fault::RateLimit { headers, .. }) => {
            let now = shared.clock.now_ms();
            let rate = match headers {
                RateLimitHeaders::Normal => Some(org.limits().exhausted(bucket, now)),
                RateLimitHeaders::Omitted => None,
                RateLimitHeaders::Zero => Some(RateHeaders {
                    limit: 0,
                    remaining: 0,
                    reset: now.div_euclid(1000) + 5,
                }),
            };
            return labelled(error_response(ApiError::rate_limited(), rate));
        }
        Some(Fault::ServerError { .. }) => return labelled(ApiError::internal().into_response()),
        Some(Fault::Reset { .. }) => {
            return (Response::new(faults::reset_body()), "reset".to_string())
        }
        Some(Fault::Hang { secs, .. }) => {
            let secs = if secs.is_finite() {
                secs.clamp(0.0, 3600.0)
            } else {
                0.0
            };
            tokio::time::sleep(Duration::from_secs_f64(secs)).await;
            None
        }
        other => other,
    };
    if parts.method != Method::GET {
        return labelled(ApiError::method_not_allowed().into_response());
    }
    let now_ms = shared.clock.now_ms();
    let rate = match bucket.map(|b| org.limits().check(b, now_ms)) {
        Some(Decision::Limited(h)) => {
            return labelled(error_response(ApiError::rate_limited(), Some(h)))
        }
        Some(Decision::Allowed(h)) => Some(h),
        Some(Decision::Unlimited) | None => None,
    };
    let request = ApiRequest {
        host,
        raw_query: parts.uri.query().map(str::to_string),
        params: parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default(),
        path,
        now_ms,
    };
    let result = match request.path.as_str() {
        "/api/v1/logs" => logs::list(org, &request),
        "/api/v1/users" => users::list(org, &request),
        "/api/v1/devices" => devices::list(org, &request),
        _ => Err(ApiError::not_found()),
    };
    match result {
        Ok(page) => {
            org.stats().events_served += page.events as u64;
            labelled(page_response(page, shape, rate))
        }
        Err(error) => labelled(error_response(error, rate)),
    }
}

fn labelled(response: Response) -> (Response, String) {
    let label = response.status().as_u16().to_string();
    (response, label)
}

fn error_response(error: ApiError, rate: Option<RateHeaders>) -> Response {
    let mut response = error.into_response();
    add_rate_headers(&mut response, rate);
    response
}

fn add_rate_headers(response: &mut Response, rate: Option<RateHeaders>) {
    let Some(rate) = rate else { return };
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-rate-limit-limit", rate.limit.to_string()),
        ("x-rate-limit-remaining", rate.remaining.to_string()),
        ("x-rate-limit-reset", rate.reset.to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}

/// A 200 with the page, shaped by a link or body fault if one applies.
fn page_response(mut page: Page, shape: Option<Fault>, rate: Option<RateHeaders>) -> Response {
    let mut links = Vec::with_capacity(4);
    match &shape {
        Some(Fault::NextIsSelf { .. }) => page.next_link = Some(page.self_link.clone()),
        Some(Fault::Malformed { .. }) => faults::truncate(&mut page.body),
        Some(Fault::Oversized { bytes, .. }) => faults::pad(&mut page.body, *bytes),
        _ => {}
    }
    let self_line = format!("<{}>; rel=\"self\"", page.self_link);
    let next_line = page
        .next_link
        .as_ref()
        .map(|n| format!("<{n}>; rel=\"next\""));
    links.push(self_line.clone());
    links.extend(next_line.clone());
    if matches!(shape, Some(Fault::DuplicateLinks { .. })) {
        links.push(next_line.clone().unwrap_or_else(|| self_line.clone()));
        links.push(match &next_line {
            Some(next) => format!("{self_line}, {next}"),
            None => self_line.clone(),
        });
    }
    let mut response = (StatusCode::OK, Body::from(page.body)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for line in links {
        if let Ok(value) = HeaderValue::from_str(&line) {
            headers.append(header::LINK, value);
        }
    }
    add_rate_headers(&mut response, rate);
    response
}
