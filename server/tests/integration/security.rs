//! Security headers and body limits (`web::security`) on the real router: pages, server
//! functions, static files; the CSP nonce of each page on each of its inline scripts.

use std::sync::Arc;

use app::api::{detections::TestCustomRule, sources::ListSources, system::GetSystemInfo};
use leptos::server_fn::ServerFn;
use reqwest::{header::HeaderMap, Client, Response};

use crate::harness::{quiet_org, Harness};

/// The router on port 0, serving `site_root` (with `pkg/gatehouse.css` in it).
async fn serve(public_url: Option<&str>) -> (Harness, tempfile::TempDir, String) {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg/gatehouse.css"), "body{}").unwrap();
    let site_root = site.path().to_owned();
    let public_url = public_url.map(|u| u.parse().unwrap());
    let h = Harness::configured(vec![quiet_org("acme", "t", 0)], move |args| {
        args.site_root = Some(site_root);
        args.public_url = public_url;
    })
    .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = gatehouse::web::router(Arc::clone(&h.engine), addr);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (h, site, format!("http://{addr}"))
}

/// A page, redirects followed (to the login or setup page when a session is wanted).
async fn page(client: &Client, base: &str) -> (HeaderMap, String) {
    let response = client.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(response.status(), 200, "{}", response.url());
    let headers = response.headers().clone();
    assert!(content_type(&headers).starts_with("text/html"));
    (headers, response.text().await.unwrap())
}

/// A server function call from the console's own origin.
async fn call(client: &Client, base: &str, path: &str, body: String) -> Response {
    client
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", base)
        .body(body)
        .send()
        .await
        .unwrap()
}

fn content_type(headers: &HeaderMap) -> &str {
    headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

fn assert_common_headers(headers: &HeaderMap, what: &str) {
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
        (
            "permissions-policy",
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ),
    ] {
        assert_eq!(header(headers, name), value, "{what}: {name}");
    }
    let csp = header(headers, "content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(!csp.contains("'unsafe-eval'"), "{what}: {csp}");
    assert!(
        headers.get("strict-transport-security").is_none(),
        "{what}: HSTS without an https public_url"
    );
}

/// The `'nonce-…'` of a page's CSP, checking the rest of the policy on the way.
fn csp_nonce(headers: &HeaderMap) -> String {
    let csp = header(headers, "content-security-policy");
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    for expected in [
        "default-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(directives.contains(&expected), "{expected} in {csp}");
    }
    let script_src = directives
        .iter()
        .find_map(|d| d.strip_prefix("script-src "))
        .expect("script-src");
    let sources: Vec<&str> = script_src.split_whitespace().collect();
    assert_eq!(sources.len(), 3, "{script_src}");
    assert_eq!(sources[0], "'self'");
    assert_eq!(sources[2], "'wasm-unsafe-eval'");
    let nonce = sources[1]
        .strip_prefix("'nonce-")
        .and_then(|n| n.strip_suffix('\''))
        .expect("a nonce source");
    assert!(nonce.len() >= 22, "128 bits at least: {nonce}");
    nonce.to_owned()
}

/// The opening tags of `<script>` and `<style>` elements without a `src` (inline code).
fn inline_code_tags(html: &str) -> Vec<&str> {
    let mut tags = Vec::new();
    for element in ["<script", "<style"] {
        for (start, _) in html.match_indices(element) {
            let tag = &html[start..start + html[start..].find('>').unwrap() + 1];
            if !tag.contains(" src=") {
                tags.push(tag);
            }
        }
    }
    tags
}

#[tokio::test]
async fn pages_carry_a_fresh_nonce_on_every_inline_script_and_in_their_csp() {
    let (_h, _site, base) = serve(None).await;
    let client = Client::new();
    let (first_headers, first_html) = page(&client, &base).await;
    let (second_headers, _) = page(&client, &base).await;
    assert_common_headers(&first_headers, "page");
    let nonce = csp_nonce(&first_headers);
    assert_ne!(nonce, csp_nonce(&second_headers), "one nonce per response");

    let tags = inline_code_tags(&first_html);
    assert!(
        tags.iter().any(|t| t.starts_with("<script")),
        "the hydration script is inline: {first_html}"
    );
    for tag in tags {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{tag}");
    }
    // Not the header's nonce anywhere else either (e.g. a second one from leptos_axum).
    assert!(!first_html.contains("nonce=\"\""));
    assert_eq!(
        first_html.matches("nonce=").count(),
        first_html.matches(&format!("nonce=\"{nonce}\"")).count()
    );
}

#[tokio::test]
async fn server_functions_static_files_and_operations_carry_the_headers_too() {
    let (_h, _site, base) = serve(None).await;
    let client = Client::new();
    let function = call(&client, &base, GetSystemInfo::PATH, String::new()).await;
    let css = client
        .get(format!("{base}/pkg/gatehouse.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    for (what, headers) in [
        ("server function", function.headers()),
        ("static file", css.headers()),
        ("healthz", health.headers()),
    ] {
        assert!(!content_type(headers).starts_with("text/html"), "{what}");
        assert_common_headers(headers, what);
        assert_eq!(
            header(headers, "content-security-policy"),
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
            "{what}"
        );
    }
}

#[tokio::test]
async fn oversized_bodies_are_413_with_a_larger_allowance_for_rules() {
    let (_h, _site, base) = serve(None).await;
    let client = Client::new();
    let two_mib = "a=".to_owned() + &"x".repeat(2 * 1024 * 1024);
    for path in [ListSources::PATH, TestCustomRule::PATH, "/"] {
        let response = call(&client, &base, path, two_mib.clone()).await;
        assert_eq!(response.status(), 413, "{path}");
        assert_common_headers(response.headers(), path);
        let text = response.text().await.unwrap();
        assert!(text.contains("request body is larger than"), "{text}");
    }
    // 300 KiB: over the global limit, within the rule functions' one.
    let body = "a=".to_owned() + &"x".repeat(300 * 1024);
    let list = call(&client, &base, ListSources::PATH, body.clone()).await;
    assert_eq!(list.status(), 413);
    assert!(list.text().await.unwrap().contains("(256 KiB)"));
    let rule = call(&client, &base, TestCustomRule::PATH, body).await;
    assert_ne!(rule.status(), 413);

    // Without Content-Length (chunked), the limit holds while reading.
    assert_eq!(
        post_chunked(&base, ListSources::PATH, 2 * 1024 * 1024).await,
        413
    );
}

/// POSTs `len` bytes with `Transfer-Encoding: chunked` (no Content-Length); the status code.
async fn post_chunked(base: &str, path: &str, len: usize) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let authority = base.strip_prefix("http://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(authority).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nOrigin: {base}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
    for _ in 0..len / (64 * 1024) {
        // The server may answer and close before the whole body is sent.
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = vec![0; 12];
    stream.read_exact(&mut answer).await.unwrap();
    let status_line = String::from_utf8(answer).unwrap();
    status_line[9..12].parse().unwrap()
}

#[tokio::test]
async fn hsts_only_with_an_https_public_url() {
    let (_h, _site, base) = serve(Some("https://gatehouse.example.com")).await;
    let health = Client::new()
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(health.headers(), "strict-transport-security"),
        "max-age=31536000"
    );
}
