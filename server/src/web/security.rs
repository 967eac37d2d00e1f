//! Security headers and request body limits, as one axum middleware ([`middleware`]) around the
//! whole router (console pages, server functions, static files, operations endpoints).
//!
//! The Content-Security-Policy nonce: the middleware mints one per request with Leptos's own
//! generator ([`Nonce::new`], 128 random bits), puts it in the request's extensions and, once
//! the response is ready, into the `script-src` of the page's CSP header. The router's Leptos
//! context closure calls [`provide_request_nonce`], which reads it back from the request and
//! provides it as Leptos's [`Nonce`] (replacing the one `leptos_axum` generates itself), so
//! `HydrationScripts`, `AutoReload` and the out-of-order streaming scripts carry the same value.

use axum::{
    body::Body,
    extract::{Request, State},
    http::{
        header::{self, HeaderName},
        request::Parts,
        HeaderMap, HeaderValue, StatusCode,
    },
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::{
    nonce::Nonce,
    prelude::{provide_context, use_context},
    server_fn::ServerFn,
};

/// Largest request body anywhere (every console form is a few KiB).
pub const BODY_LIMIT: usize = 256 * 1024;

/// Largest request body of the server functions that take a Python rule (up to
/// `MAX_RULE_BODY` = 64 KiB, which form-encoding can triple) and a pasted event: large enough
/// that an oversized rule still reaches the rule's own validation and its message in words.
pub const RULE_BODY_LIMIT: usize = 1024 * 1024;

// A maximal rule form-encoded with every byte escaped (x3) leaves half the limit to the event.
const _: () = assert!(3 * app::model::detection::MAX_RULE_BODY <= RULE_BODY_LIMIT / 2);

/// The paths allowed [`RULE_BODY_LIMIT`].
fn body_limit(path: &str) -> usize {
    use app::api::detections::{SaveCustomRule, TestCustomRule};
    if path == SaveCustomRule::PATH || path == TestCustomRule::PATH {
        RULE_BODY_LIMIT
    } else {
        BODY_LIMIT
    }
}

/// The policy of an HTML page. Scripts: our own files, the inline scripts carrying this
/// response's nonce, and WebAssembly compilation (`'wasm-unsafe-eval'`, never `'unsafe-eval'`).
/// Styles: our stylesheet; `style-src-attr 'unsafe-inline'` only because the dashboard's share
/// bars set their width in a `style` attribute (no inline `<style>` element is allowed).
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; \
         object-src 'none'"
    )
}

/// The policy of every other response (JSON, scripts, WASM, metrics): nothing may load.
pub const RESOURCE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// Headers every response carries. `Referrer-Policy: same-origin`: no address of the console
/// (event ids, filters) leaves it, while same-origin requests keep their `Referer` and `Origin`
/// (`no-referrer` would send `Origin: null` on the console's own POSTs).
const FIXED_HEADERS: [(HeaderName, &str); 5] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
    (
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    ),
];

/// `Strict-Transport-Security` when the console's public address is https: a year, this host
/// only (its subdomains are not ours to pin).
const HSTS: &str = "max-age=31536000";

/// What the middleware needs from the configuration.
#[derive(Clone, Debug, Default)]
pub struct SecurityHeaders {
    hsts: bool,
}

impl SecurityHeaders {
    /// HSTS only when people reach the console at an https `public_url`: over plain http the
    /// browser ignores it, and behind no TLS at all it would lock them out.
    pub fn new(public_url: Option<&url::Url>) -> Self {
        Self {
            hsts: public_url.is_some_and(|url| url.scheme() == "https"),
        }
    }
}

/// The middleware: refuses oversized bodies with 413, hands the request on with its nonce, and
/// sets the security headers on whatever comes back.
pub async fn middleware(
    State(settings): State<SecurityHeaders>,
    request: Request,
    next: Next,
) -> Response {
    let nonce = Nonce::new();
    let mut response = match limit_body(request).await {
        Ok(mut request) => {
            request.extensions_mut().insert(nonce.clone());
            next.run(request).await
        }
        Err(refused) => refused,
    };
    set_headers(response.headers_mut(), &nonce);
    if settings.hsts {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

/// Called in the Leptos context closure (pages and server functions): provides this request's
/// nonce to Leptos. Outside a request (e.g. static routes generation) it does nothing.
pub fn provide_request_nonce() {
    if let Some(nonce) = use_context::<Parts>().and_then(|p| p.extensions.get::<Nonce>().cloned()) {
        provide_context(nonce);
    }
}

fn set_headers(headers: &mut HeaderMap, nonce: &Nonce) {
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let policy = if is_html {
        // The nonce is URL-safe base64: always a valid header value.
        HeaderValue::from_str(&page_policy(nonce)).expect("CSP is a valid header value")
    } else {
        HeaderValue::from_static(RESOURCE_POLICY)
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    for (name, value) in FIXED_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// Reads the body up to the path's limit: larger (by `Content-Length`, or once read) is 413.
/// Buffering is fine here: no route streams an upload, and every handler reads the whole body.
async fn limit_body(request: Request) -> Result<Request, Response> {
    let limit = body_limit(request.uri().path());
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_large(limit));
    }
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => Ok(Request::from_parts(parts, Body::from(bytes))),
        Err(e) if is_length_limit(&e) => Err(too_large(limit)),
        Err(e) => {
            tracing::debug!(error = %e, "request body could not be read");
            Err((
                StatusCode::BAD_REQUEST,
                "The request body could not be read.\n",
            )
                .into_response())
        }
    }
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

fn too_large(limit: usize) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "The request body is larger than this address accepts ({} KiB).\n",
            limit / 1024
        ),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_functions_get_the_larger_limit_and_everything_else_the_global_one() {
        assert_eq!(body_limit("/api/test_custom_rule"), RULE_BODY_LIMIT);
        assert_eq!(body_limit("/api/save_custom_rule"), RULE_BODY_LIMIT);
        assert_eq!(body_limit("/api/list_sources"), BODY_LIMIT);
        assert_eq!(body_limit("/"), BODY_LIMIT);
    }

    #[test]
    fn page_policy_allows_wasm_and_the_nonce_but_never_eval_or_inline_scripts() {
        let policy = page_policy("abc");
        assert!(policy.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(!policy.contains("'unsafe-eval'"));
        let script_src = policy
            .split(';')
            .find(|d| d.contains("script-src"))
            .unwrap();
        assert!(!script_src.contains("unsafe-inline"));
    }

    #[test]
    fn html_gets_the_page_policy_and_other_responses_the_resource_policy() {
        let nonce = Nonce::new();
        let mut html = HeaderMap::new();
        html.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        set_headers(&mut html, &nonce);
        assert_eq!(
            html[header::CONTENT_SECURITY_POLICY],
            page_policy(&nonce).as_str()
        );
        let mut json = HeaderMap::new();
        json.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        set_headers(&mut json, &nonce);
        assert_eq!(json[header::CONTENT_SECURITY_POLICY], RESOURCE_POLICY);
        assert_eq!(json[header::X_FRAME_OPTIONS], "DENY");
    }

    #[test]
    fn hsts_only_for_an_https_public_url() {
        let https = url::Url::parse("https://gatehouse.example.com").unwrap();
        let http = url::Url::parse("http://gatehouse.internal:3000").unwrap();
        assert!(SecurityHeaders::new(Some(&https)).hsts);
        assert!(!SecurityHeaders::new(Some(&http)).hsts);
        assert!(!SecurityHeaders::new(None).hsts);
    }
}
