//! One webhook: the JSON payload of an alert change, its HMAC-SHA256 signature, and one POST
//! whose failure is told in words.
//!
//! Receivers verify `X-Gatehouse-Signature: t=<unix secs>,v1=<hex>` by computing
//! HMAC-SHA256(secret, "<t>.<body>") over the raw body, and deduplicate retries on
//! `X-Gatehouse-Delivery`.

use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat};
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;
use url::Url;

use super::address::{self, PublicOnly, RefusedAddress};
use crate::{config::Secret, store::AlertRow};

/// One POST's time limit.
pub const TIMEOUT: Duration = Duration::from_secs(10);
pub const DELIVERY_HEADER: &str = "X-Gatehouse-Delivery";
pub const SIGNATURE_HEADER: &str = "X-Gatehouse-Signature";

fn rfc3339(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The JSON sent for `change` (`opened`, `resolved`) of `alert`, as the alert is now.
pub fn payload(alert: &AlertRow, change: &str) -> String {
    let context: Vec<(String, String)> = serde_json::from_str(&alert.context).unwrap_or_default();
    let context: Map<String, Value> = context
        .into_iter()
        .map(|(label, value)| (label, Value::String(value)))
        .collect();
    let source = if alert.source_id.is_some() || alert.source_name.is_some() {
        json!({"id": alert.source_id, "name": alert.source_name})
    } else {
        Value::Null
    };
    let mut body = json!({
        "id": alert.id,
        "rule_id": alert.rule_id,
        "title": alert.title,
        "severity": alert.severity,
        "state": alert.state,
        "change": change,
        "source": source,
        "first_seen": rfc3339(alert.first_seen),
        "last_seen": rfc3339(alert.last_seen),
        "occurrences": alert.occurrences,
        "description": alert.description,
        "context": context,
    });
    // Detection alerts also carry the rule's Panther fields.
    if let Some(dedup) = &alert.dedup {
        let alert_context = alert
            .alert_context
            .as_deref()
            .and_then(|c| serde_json::from_str::<Value>(c).ok())
            .unwrap_or(Value::Null);
        body["detection"] = json!({
            "dedup": dedup,
            "alert_context": alert_context,
            "runbook": alert.runbook,
            "reference": alert.reference,
        });
    }
    body.to_string()
}

/// The message of a destination's Test button: shaped like an alert, `change` = `test`.
pub fn test_payload(destination: &str, now_ms: i64) -> String {
    json!({
        "id": 0,
        "rule_id": "system.test",
        "title": "Test message from Gatehouse",
        "severity": "INFO",
        "state": "open",
        "change": "test",
        "source": Value::Null,
        "first_seen": rfc3339(now_ms),
        "last_seen": rfc3339(now_ms),
        "occurrences": 1,
        "description": "Sent by the Test button of this destination. Alerts look like this.",
        "context": {"Destination": destination},
    })
    .to_string()
}

/// `t=<unix secs>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn signature(secret: &str, timestamp_secs: i64, body: &str) -> String {
    let signed = format!("{timestamp_secs}.{body}");
    format!("t={timestamp_secs},v1={}", hmac_sha256_hex(secret, &signed))
}

fn hmac_sha256_hex(secret: &str, message: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(message.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why a POST did not deliver, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("HTTP {status} from {host}")]
    Status { status: u16, host: String },
    #[error("no answer from {host} within {secs} s")]
    Timeout { host: String, secs: u64 },
    #[error("connection refused by {host}")]
    Refused { host: String },
    #[error("cannot connect to {host}: {detail}")]
    Connect { host: String, detail: String },
    #[error("sending to {host} failed: {detail}")]
    Transport { host: String, detail: String },
    #[error("the URL cannot be used: {0}")]
    BadUrl(String),
    /// The SSRF guard: the host is, or resolves only to, a non-public address.
    #[error("{0}")]
    Forbidden(RefusedAddress),
}

/// A delivered POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub status: u16,
    /// `hooks.example.com` (with the port when the URL names one).
    pub host: String,
    pub elapsed_ms: u64,
}

/// The HTTP client for webhooks: 10 s limit, no redirects (a 3xx is a failure), no proxy, and
/// (unless `allow_private`) only public addresses: literals are checked before sending, names
/// by the resolver, which hands the connector only the addresses it checked.
#[derive(Debug, Clone)]
pub struct WebhookClient {
    client: reqwest::Client,
    allow_private: bool,
}

impl Default for WebhookClient {
    fn default() -> Self {
        Self::new(false)
    }
}

impl WebhookClient {
    /// `allow_private`: the `allow_private_webhooks` setting.
    pub fn new(allow_private: bool) -> Self {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("gatehouse/", env!("CARGO_PKG_VERSION")))
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the name itself, past the check below.
            .no_proxy();
        if !allow_private {
            builder = builder.dns_resolver(std::sync::Arc::new(PublicOnly));
        }
        let client = builder.build().expect("the TLS backend initialises");
        Self {
            client,
            allow_private,
        }
    }

    /// POSTs `body` to `url`; a 2xx answer is delivered, anything else an error in words.
    pub async fn post(
        &self,
        url: &str,
        body: &str,
        delivery_id: &str,
        secret: Option<&Secret>,
    ) -> Result<Sent, WebhookError> {
        let parsed = Url::parse(url).map_err(|e| WebhookError::BadUrl(e.to_string()))?;
        let host = host_label(&parsed);
        if !self.allow_private {
            address::check_literal(&parsed).map_err(WebhookError::Forbidden)?;
        }
        let mut request = self
            .client
            .post(parsed)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(DELIVERY_HEADER, delivery_id);
        if let Some(secret) = secret {
            let now = chrono::Utc::now().timestamp();
            request = request.header(SIGNATURE_HEADER, signature(secret.expose(), now, body));
        }
        let started = Instant::now();
        let response = request
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| transport_error(&host, &e))?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            Ok(Sent {
                status,
                host,
                elapsed_ms: started.elapsed().as_millis() as u64,
            })
        } else {
            Err(WebhookError::Status { status, host })
        }
    }
}

/// `hooks.example.com`, or `127.0.0.1:9` when the URL names a port.
fn host_label(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

fn transport_error(host: &str, err: &reqwest::Error) -> WebhookError {
    let host = host.to_owned();
    if err.is_timeout() {
        return WebhookError::Timeout {
            host,
            secs: TIMEOUT.as_secs(),
        };
    }
    // The innermost cause says what happened (DNS, refused, TLS), without the URL.
    let mut detail = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<RefusedAddress>() {
            return WebhookError::Forbidden(refused.clone());
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return WebhookError::Refused { host };
            }
        }
        detail = cause.to_string();
        source = cause.source();
    }
    if err.is_connect() {
        WebhookError::Connect { host, detail }
    } else {
        WebhookError::Transport { host, detail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert() -> AlertRow {
        AlertRow {
            id: 7,
            rule_id: "system.credentials".into(),
            dedup_key: "system.credentials:3".into(),
            severity: "CRITICAL".into(),
            state: "open".into(),
            title: "Okta rejected the token for Prod".into(),
            description: "Replace the token.".into(),
            context: r#"[["Okta error code","E0000011"],["HTTP status","401"]]"#.into(),
            source_id: Some(3),
            source_name: Some("Prod".into()),
            first_seen: 1_700_000_000_000,
            last_seen: 1_700_000_060_000,
            occurrences: 2,
            resolved_at: None,
            resolved_how: None,
            dedup: None,
            alert_context: None,
            runbook: None,
            reference: None,
            failed_deliveries: 0,
        }
    }

    #[test]
    fn the_payload_carries_the_alert_with_rfc3339_times_and_context_as_an_object() {
        let body: Value = serde_json::from_str(&payload(&alert(), "opened")).unwrap();
        assert_eq!(body["id"], 7);
        assert_eq!(body["change"], "opened");
        assert_eq!(body["severity"], "CRITICAL");
        assert_eq!(body["source"], json!({"id": 3, "name": "Prod"}));
        assert_eq!(body["first_seen"], "2023-11-14T22:13:20Z");
        assert_eq!(body["occurrences"], 2);
        assert_eq!(
            body["context"],
            json!({"Okta error code": "E0000011", "HTTP status": "401"})
        );
        let orphan = AlertRow {
            source_id: None,
            source_name: None,
            ..alert()
        };
        let body: Value = serde_json::from_str(&payload(&orphan, "resolved")).unwrap();
        assert_eq!(body["source"], Value::Null);
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // A published vector: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        assert_eq!(
            hmac_sha256_hex("key", "The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
        assert_eq!(
            signature("key", 1_700_000_000, "{\"id\":1}"),
            format!(
                "t=1700000000,v1={}",
                hmac_sha256_hex("key", "1700000000.{\"id\":1}")
            )
        );
    }

    #[test]
    fn hosts_name_their_port_only_when_the_url_does() {
        assert_eq!(
            host_label(&Url::parse("https://hooks.example.com/x").unwrap()),
            "hooks.example.com"
        );
        assert_eq!(
            host_label(&Url::parse("http://127.0.0.1:9/x").unwrap()),
            "127.0.0.1:9"
        );
    }

    #[tokio::test]
    async fn a_closed_port_is_refused_in_words() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let err = WebhookClient::new(true)
            .post(&format!("http://{addr}/hook"), "{}", "1", None)
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), format!("connection refused by {addr}"));
    }

    /// A listener that counts the connections it accepts.
    fn counting_listener() -> (
        std::net::SocketAddr,
        std::sync::Arc<std::sync::atomic::AtomicUsize>,
    ) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = std::sync::Arc::clone(&hits);
        std::thread::spawn(move || {
            for _ in listener.incoming() {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        });
        (addr, hits)
    }

    #[tokio::test]
    async fn private_destinations_are_refused_at_delivery_without_connecting() {
        let (addr, hits) = counting_listener();
        let port = addr.port();
        let client = WebhookClient::new(false);
        for (url, ip) in [
            (format!("http://127.0.0.1:{port}/hook"), "127.0.0.1"),
            (format!("http://localhost:{port}/hook"), "127.0.0.1"),
            (
                format!("http://[::ffff:127.0.0.1]:{port}/hook"),
                "::ffff:127.0.0.1",
            ),
            (format!("http://[::1]:{port}/hook"), "::1"),
            (
                "http://169.254.169.254/latest/meta-data".to_owned(),
                "169.254.169.254",
            ),
            ("http://10.1.2.3/hook".to_owned(), "10.1.2.3"),
        ] {
            let err = client.post(&url, "{}", "1", None).await.unwrap_err();
            let WebhookError::Forbidden(refused) = &err else {
                panic!("{url}: {err}");
            };
            // `localhost` may resolve to ::1 first.
            if !url.contains("localhost") {
                assert_eq!(refused.ip.to_string(), ip, "{url}");
            }
            assert!(
                err.to_string()
                    .contains("unless allow_private_webhooks is set"),
                "{err}"
            );
        }
        assert_eq!(
            hits.load(std::sync::atomic::Ordering::SeqCst),
            0,
            "no connection made"
        );
    }
}
