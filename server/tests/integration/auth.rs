//! Console sign-in over real HTTP: every page and server function behind a session, first-run
//! setup, cookies, logout, expiry, rate limits, CSRF origin checks, the metrics token and the
//! `gatehouse users` command.

use std::{
    io::Write,
    process::{Command, Stdio},
    time::Duration,
};

use gatehouse::config::Secret;
use reqwest::{header, redirect::Policy, Client, StatusCode};

use crate::harness::{
    eventually, quiet_org, serve_console, signed_in_client, wait_for, Harness, ADMIN_PASSWORD,
};

/// How long a spawned server may take to answer.
const WAIT: Duration = Duration::from_secs(30);

fn client() -> Client {
    Client::builder().redirect(Policy::none()).build().unwrap()
}

/// A form POST from the console's own pages (same `Origin`), with an optional session cookie.
async fn post(
    base: &str,
    path: &str,
    form: &[(&str, &str)],
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut request = client()
        .post(format!("{base}{path}"))
        .header(header::ORIGIN, base)
        .form(form);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, format!("gatehouse_session={cookie}"));
    }
    request.send().await.unwrap()
}

/// The session token a response's `Set-Cookie` carries, and the whole header.
fn session_cookie(response: &reqwest::Response) -> (String, String) {
    let header = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|h| h.to_str().unwrap().to_owned())
        .find(|h| h.starts_with("gatehouse_session="))
        .expect("a session cookie");
    let token = header["gatehouse_session=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    (token, header)
}

async fn login(base: &str, username: &str, password: &str) -> reqwest::Response {
    post(
        base,
        "/api/login",
        &[
            ("username", username),
            ("password", password),
            ("next", "/sources"),
        ],
        None,
    )
    .await
}

async fn message(response: reqwest::Response) -> String {
    let body: serde_json::Value = response.json().await.unwrap();
    body["Invalid"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn every_page_and_server_function_needs_a_session() {
    let h = Harness::new(vec![quiet_org("acme", "t", 0)]).await;
    h.engine
        .accounts
        .add_user("admin", ADMIN_PASSWORD)
        .await
        .unwrap();
    let base = serve_console(&h).await;
    let anonymous = client();

    let routes = leptos_axum::generate_route_list(app::App);
    let mut pages = 0;
    for route in routes {
        let path = route
            .path()
            .split('/')
            .map(|seg| {
                if seg.starts_with([':', '{']) {
                    "1"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let path = if path.is_empty() {
            "/".to_owned()
        } else {
            path
        };
        let response = anonymous.get(format!("{base}{path}")).send().await.unwrap();
        if path == "/login" {
            assert_eq!(response.status(), 200, "{path} is open");
            continue;
        }
        if path == "/setup" {
            assert_eq!(response.status(), 303, "{path} after setup");
            assert_eq!(response.headers()[header::LOCATION], "/login");
            continue;
        }
        pages += 1;
        assert_eq!(response.status(), 303, "{path}");
        let location = response.headers()[header::LOCATION].to_str().unwrap();
        let next: String = url::form_urlencoded::byte_serialize(path.as_bytes()).collect();
        assert_eq!(location, format!("/login?next={next}"), "{path}");
    }
    assert!(pages >= 13, "{pages} pages checked");
    // Unknown pages too: nothing is rendered for a stranger.
    let response = anonymous
        .get(format!("{base}/no-such-page?x=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()[header::LOCATION],
        "/login?next=%2Fno-such-page%3Fx%3D1"
    );

    let functions: Vec<_> = leptos::server_fn::axum::server_fn_paths().collect();
    assert!(
        functions.len() >= 40,
        "{} server functions registered",
        functions.len()
    );
    for (path, method) in functions {
        assert!(path.starts_with("/api/"), "{path}");
        let response = anonymous
            .request(method.clone(), format!("{base}{path}"))
            .header(header::ORIGIN, &base)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .send()
            .await
            .unwrap();
        if ["/api/login", "/api/setup"].contains(&path) {
            assert_ne!(response.status(), 401, "{path} is open");
            continue;
        }
        assert_eq!(response.status(), 401, "{method} {path}");
        assert!(message(response).await.contains("sign in"), "{path}");
    }

    // Open without a session: health, readiness, metrics (no token configured), static files.
    for path in ["/healthz", "/readyz", "/metrics"] {
        let response = anonymous.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
    let response = anonymous
        .get(format!("{base}/pkg/nothing.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        404,
        "static files are not behind the session"
    );
}

#[tokio::test]
async fn first_run_setup_needs_the_logged_code_and_happens_once() {
    let h = Harness::new(vec![quiet_org("acme", "t", 0)]).await;
    let code = h.engine.accounts.announce_setup().await.unwrap().unwrap();
    let base = serve_console(&h).await;
    for path in ["/", "/login", "/sources"] {
        let response = client().get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()[header::LOCATION], "/setup", "{path}");
    }
    let page = client().get(format!("{base}/setup")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Set up Gatehouse"));
    let response = post(&base, "/api/list_sources", &[], None).await;
    assert_eq!(response.status(), 401);

    let form = |code: &'static str, password: &'static str, confirmation: &'static str| {
        vec![
            ("code", code),
            ("username", "root"),
            ("password", password),
            ("confirmation", confirmation),
        ]
    };
    let wrong = post(
        &base,
        "/api/setup",
        &form("AAAA-AAAA", ADMIN_PASSWORD, ADMIN_PASSWORD),
        None,
    )
    .await;
    assert_eq!(wrong.status(), 401);
    assert!(message(wrong).await.contains("setup code"));
    let code: &'static str = Box::leak(code.expose().to_lowercase().into_boxed_str());
    let short = post(&base, "/api/setup", &form(code, "short", "short"), None).await;
    assert_eq!(short.status(), 422);
    assert!(message(short).await.contains("12 characters"));
    let differ = post(
        &base,
        "/api/setup",
        &form(code, ADMIN_PASSWORD, "another long password"),
        None,
    )
    .await;
    assert_eq!(differ.status(), 422);

    let done = post(
        &base,
        "/api/setup",
        &form(code, ADMIN_PASSWORD, ADMIN_PASSWORD),
        None,
    )
    .await;
    assert_eq!(done.status(), 200);
    let (token, _) = session_cookie(&done);
    let home = client()
        .get(format!("{base}/"))
        .header(header::COOKIE, format!("gatehouse_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(
        html.contains("root") && html.contains("Log out"),
        "the layout shows the user"
    );

    // Once only: the code is spent and the page is gone.
    let again = post(
        &base,
        "/api/setup",
        &form(code, ADMIN_PASSWORD, ADMIN_PASSWORD),
        None,
    )
    .await;
    assert_eq!(again.status(), 409);
    let page = client().get(format!("{base}/setup")).send().await.unwrap();
    assert_eq!(page.status(), 303);
    assert_eq!(page.headers()[header::LOCATION], "/login");
    assert_eq!(h.engine.store.user_count().await.unwrap(), 1);
    assert!(h.engine.accounts.announce_setup().await.unwrap().is_none());
}

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_logout_ends_the_session() {
    let h = Harness::new(vec![quiet_org("acme", "t", 0)]).await;
    h.engine
        .accounts
        .add_user("Ana", ADMIN_PASSWORD)
        .await
        .unwrap();
    let base = serve_console(&h).await;

    let wrong = login(&base, "ana", "not the password at all").await;
    assert_eq!(wrong.status(), 401);
    assert!(wrong.headers().get(header::SET_COOKIE).is_none());
    assert_eq!(message(wrong).await, "Wrong username or password.");
    let unknown = login(&base, "nobody", ADMIN_PASSWORD).await;
    assert_eq!(unknown.status(), 401);

    // Usernames ignore case; the answer is the (local) page to go to.
    let ok = login(&base, "ANA", ADMIN_PASSWORD).await;
    assert_eq!(ok.status(), 200);
    let (token, cookie) = session_cookie(&ok);
    assert_eq!(ok.json::<String>().await.unwrap(), "/sources");
    assert!(token.len() >= 43, "{} random bytes", token.len());
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain http public URL: {cookie}"
    );
    // Only the token's hash is stored.
    assert!(h.engine.store.session(&token).await.unwrap().is_none());

    let next = post(
        &base,
        "/api/login",
        &[
            ("username", "ana"),
            ("password", ADMIN_PASSWORD),
            ("next", "https://evil.example/"),
        ],
        None,
    )
    .await;
    assert_eq!(next.json::<String>().await.unwrap(), "/", "never off-site");

    let with_cookie = |path: &str| {
        client()
            .get(format!("{base}{path}"))
            .header(header::COOKIE, format!("gatehouse_session={token}"))
            .send()
    };
    assert_eq!(with_cookie("/settings").await.unwrap().status(), 200);
    let logout = post(&base, "/api/logout", &[], Some(&token)).await;
    assert_eq!(logout.status(), 200);
    let (emptied, header) = session_cookie(&logout);
    assert!(
        emptied.is_empty() && header.contains("Max-Age=0"),
        "{header}"
    );
    let after = with_cookie("/settings").await.unwrap();
    assert_eq!(after.status(), 303, "the old cookie is dead");
    assert_eq!(
        post(&base, "/api/list_sources", &[], Some(&token))
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn sessions_end_after_idle_time_and_after_the_absolute_limit() {
    let h = Harness::new(vec![quiet_org("acme", "t", 0)]).await;
    let accounts = &h.engine.accounts;
    accounts.add_user("admin", ADMIN_PASSWORD).await.unwrap();
    let base = serve_console(&h).await;
    let alive = |token: String| {
        let base = base.clone();
        async move {
            let response = client()
                .get(format!("{base}/settings"))
                .header(header::COOKIE, format!("gatehouse_session={token}"))
                .send()
                .await
                .unwrap();
            response.status() == 200
        }
    };
    let hour = Duration::from_secs(3600);

    // Idle: 12 hours without a request (default). Each request keeps it alive.
    let token = accounts
        .login("admin", ADMIN_PASSWORD, None)
        .await
        .unwrap()
        .token;
    let token = token.expose().to_owned();
    accounts.advance_clock(11 * hour);
    assert!(alive(token.clone()).await, "11 h idle");
    accounts.advance_clock(11 * hour);
    assert!(alive(token.clone()).await, "11 h idle again, 22 h old");
    accounts.advance_clock(12 * hour + Duration::from_secs(60));
    assert!(!alive(token.clone()).await, "12 h 1 min idle");

    // Absolute: 7 days even when used every 11 hours.
    let token = accounts
        .login("admin", ADMIN_PASSWORD, None)
        .await
        .unwrap()
        .token;
    let token = token.expose().to_owned();
    for step in 1..=15 {
        accounts.advance_clock(11 * hour);
        assert!(alive(token.clone()).await, "{} h old", step * 11);
    }
    accounts.advance_clock(4 * hour);
    assert!(!alive(token).await, "169 h old: past 7 days");
    assert_eq!(
        accounts.prune().await.unwrap(),
        0,
        "expired sessions are already gone"
    );
}

#[tokio::test]
async fn failed_logins_are_limited_per_account_and_per_address() {
    let h = Harness::new(vec![quiet_org("acme", "t", 0)]).await;
    for name in ["admin", "bob", "carol"] {
        h.engine
            .accounts
            .add_user(name, ADMIN_PASSWORD)
            .await
            .unwrap();
    }
    let base = serve_console(&h).await;
    let fail = |name: &'static str| {
        let base = base.clone();
        async move { login(&base, name, "a wrong password!").await.status() }
    };

    // A success resets the account's count: 4 + 4 failures never reach 5.
    for _ in 0..4 {
        assert_eq!(fail("bob").await, 401);
    }
    assert_eq!(login(&base, "bob", ADMIN_PASSWORD).await.status(), 200);
    for _ in 0..4 {
        assert_eq!(fail("bob").await, 401);
    }
    assert_eq!(login(&base, "bob", ADMIN_PASSWORD).await.status(), 200);

    // Five failures lock the account, even for the right password.
    for _ in 0..5 {
        assert_eq!(fail("admin").await, 401);
    }
    let locked = login(&base, "admin", ADMIN_PASSWORD).await;
    assert_eq!(locked.status(), 429);
    let text = message(locked).await;
    assert!(
        text.starts_with("Too many failed attempts; try again in"),
        "{text}"
    );
    assert_eq!(
        login(&base, "carol", ADMIN_PASSWORD).await.status(),
        200,
        "other accounts are fine"
    );

    // Twenty failures from one address (13 so far) lock the address for every account.
    for name in ["x1", "x2", "x3", "x4", "x5", "x6", "x7"] {
        assert_eq!(fail(name).await, 401);
    }
    assert_eq!(login(&base, "carol", ADMIN_PASSWORD).await.status(), 429);

    // 15 minutes later both limits have passed.
    h.engine
        .accounts
        .advance_clock(Duration::from_secs(15 * 60 + 1));
    assert_eq!(login(&base, "admin", ADMIN_PASSWORD).await.status(), 200);
    assert_eq!(login(&base, "carol", ADMIN_PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn cross_origin_state_changes_are_refused() {
    let h = Harness::new(vec![quiet_org("acme", "t", 0)]).await;
    let base = serve_console(&h).await;
    let signed_in = signed_in_client(&h, &base).await;
    let token = signed_in_cookie(&h).await;
    let call = |origin: Option<&'static str>, referer: Option<String>| {
        let mut request = client()
            .post(format!("{base}/api/list_sources"))
            .header(header::COOKIE, format!("gatehouse_session={token}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        if let Some(referer) = referer {
            request = request.header(header::REFERER, referer);
        }
        request.send()
    };
    assert_eq!(
        call(Some("https://evil.example"), None)
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(call(Some("null"), None).await.unwrap().status(), 403);
    assert_eq!(
        call(None, Some("https://evil.example/page".into()))
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        call(None, None).await.unwrap().status(),
        403,
        "no Origin, no Referer"
    );
    assert_eq!(
        call(None, Some(format!("{base}/sources")))
            .await
            .unwrap()
            .status(),
        200,
        "same-origin Referer"
    );
    // A login from another site is refused as well (login CSRF).
    let response = client()
        .post(format!("{base}/api/login"))
        .header(header::ORIGIN, "https://evil.example")
        .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let response = signed_in
        .post(format!("{base}/api/list_sources"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "same origin");
    let response = signed_in
        .post(format!("{base}/api/list_sources"))
        .header(header::ORIGIN, "http://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

/// A fresh session token for `admin` (created by `signed_in_client`).
async fn signed_in_cookie(h: &Harness) -> String {
    h.engine
        .accounts
        .login("admin", ADMIN_PASSWORD, None)
        .await
        .unwrap()
        .token
        .expose()
        .to_owned()
}

#[tokio::test]
async fn an_https_public_url_pins_the_origin_and_marks_the_cookie_secure() {
    let h = Harness::configured(vec![quiet_org("acme", "t", 0)], |args| {
        args.public_url = Some("https://gatehouse.example.com/".parse().unwrap());
    })
    .await;
    h.engine
        .accounts
        .add_user("admin", ADMIN_PASSWORD)
        .await
        .unwrap();
    let base = serve_console(&h).await;
    let attempt = |origin: &'static str| {
        client()
            .post(format!("{base}/api/login"))
            .header(header::ORIGIN, origin)
            .form(&[("username", "admin"), ("password", ADMIN_PASSWORD)])
            .send()
    };
    // The Host's own origin no longer counts once public_url is set.
    let own: &'static str = Box::leak(base.clone().into_boxed_str());
    assert_eq!(attempt(own).await.unwrap().status(), 403);
    let ok = attempt("https://gatehouse.example.com").await.unwrap();
    assert_eq!(ok.status(), 200);
    let (_, cookie) = session_cookie(&ok);
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn metrics_want_the_bearer_token_when_one_is_configured() {
    let h = Harness::configured(vec![quiet_org("acme", "t", 0)], |args| {
        args.metrics_token = Some(Secret::new("scrape-me-0123456789"));
    })
    .await;
    let base = serve_console(&h).await;
    let get = |auth: Option<&'static str>| {
        let mut request = client().get(format!("{base}/metrics"));
        if let Some(auth) = auth {
            request = request.header(header::AUTHORIZATION, auth);
        }
        request.send()
    };
    let missing = get(None).await.unwrap();
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert!(missing.headers().contains_key(header::WWW_AUTHENTICATE));
    assert_eq!(
        get(Some("Bearer wrong-token-0123456789"))
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        get(Some("Basic c2NyYXBlLW1lLTAxMjM0NTY3ODk="))
            .await
            .unwrap()
            .status(),
        401
    );
    let ok = get(Some("Bearer scrape-me-0123456789")).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.text().await.unwrap().contains("# TYPE"));
    // A session does not replace the token, and the token opens nothing else.
    let response = client()
        .get(format!("{base}/settings"))
        .header(header::AUTHORIZATION, "Bearer scrape-me-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id() {
    let h = Harness::new(vec![quiet_org("acme", "t", 0)]).await;
    h.engine
        .accounts
        .add_user("admin", ADMIN_PASSWORD)
        .await
        .unwrap();
    let user = h.engine.store.user_by_name("ADMIN").await.unwrap().unwrap();
    assert!(
        user.password_hash
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        user.password_hash
    );
    assert!(!user.password_hash.contains(ADMIN_PASSWORD));
    let err = h
        .engine
        .accounts
        .add_user("admin", ADMIN_PASSWORD)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    let err = h
        .engine
        .accounts
        .add_user("eve", "short")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("12 characters"), "{err}");
}

#[test]
fn the_users_command_reads_passwords_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .arg("--database-url")
            .arg(dir.path().join("users.db"))
            .arg("--secret-key-file")
            .arg(dir.path().join("users.key"))
            .args(args)
            .env("GATEHOUSE_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&["users", "add", "--username", "ops"], "first password!!\n");
    assert_eq!(code, Some(0), "{out}{err}");
    let (code, _, err) = run(&["users", "add", "--username", "OPS"], "first password!!\n");
    assert_eq!(code, Some(1));
    assert!(err.contains("already exists"), "{err}");
    let (code, _, err) = run(&["users", "add", "--username", "x", "--password", "p"], "");
    assert_ne!(code, Some(0), "no password flag: {err}");
    let (code, _, err) = run(&["users", "reset", "--username", "ops"], "short\n");
    assert_eq!(code, Some(1));
    assert!(err.contains("12 characters"), "{err}");
    let (code, out, _) = run(
        &["users", "reset", "--username", "ops"],
        "second password!!\n",
    );
    assert_eq!(code, Some(0), "{out}");
    let (code, _, err) = run(
        &["users", "reset", "--username", "nobody"],
        "second password!!\n",
    );
    assert_eq!(code, Some(1), "{err}");
    let (code, out, _) = run(&["users", "list"], "");
    assert_eq!(code, Some(0));
    assert!(out.lines().any(|l| l.contains(" ops ")), "{out}");
    assert!(!out.contains("argon2"), "{out}");
}

/// A whole run of the `gatehouse` binary, logging at `debug`: first-run setup with the code
/// read from the log, sign-in, a source created with an Okta token over the server functions,
/// polls, a wrong login. The log then holds the setup code exactly once (its announcement)
/// and never the token, the password, or a session cookie.
#[tokio::test]
async fn a_full_run_logs_the_setup_code_once_and_never_a_secret() {
    const TOKEN: &str = "demo-token";
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("gatehouse.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args(["--addr", "127.0.0.1:0", "--simulator", "127.0.0.1:0"])
        .args(["--poll-interval-secs", "2", "--request-timeout-secs", "1"])
        .arg("--database-url")
        .arg(dir.path().join("run.db"))
        .arg("--secret-key-file")
        .arg(dir.path().join("run.key"))
        .arg("--site-root")
        .arg(dir.path())
        .env("GATEHOUSE_LOG", "debug")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let read = || std::fs::read_to_string(&log_path).unwrap_or_default();
    let (base, code) = eventually(
        "the address and the setup code in the log",
        WAIT,
        || async {
            let text = read();
            let base = text
                .lines()
                .find_map(|l| l.split("gatehouse listening on ").nth(1))?
                .trim()
                .to_owned();
            let code = text
                .lines()
                .find_map(|l| l.split("first-run setup code: ").nth(1))?
                .split_whitespace()
                .next()?
                .to_owned();
            Some((base, code))
        },
    )
    .await;

    let done = post(
        &base,
        "/api/setup",
        &[
            ("code", &code),
            ("username", "root"),
            ("password", ADMIN_PASSWORD),
            ("confirmation", ADMIN_PASSWORD),
        ],
        None,
    )
    .await;
    assert_eq!(done.status(), 200, "{:?}", done.text().await);
    let wrong = login(&base, "root", "not the password at all").await;
    assert_eq!(wrong.status(), 401);
    let signed_in = login(&base, "root", ADMIN_PASSWORD).await;
    assert_eq!(signed_in.status(), 200);
    let (cookie, _) = session_cookie(&signed_in);
    let created = post(
        &base,
        "/api/setup_source",
        &[
            ("setup[name]", "Logged"),
            ("setup[subdomain]", "acme"),
            ("setup[domain]", app::model::source::SIMULATOR_DOMAIN),
            ("setup[token]", TOKEN),
        ],
        Some(&cookie),
    )
    .await;
    assert_eq!(created.status(), 200, "{:?}", created.text().await);
    let id: i64 = created.json().await.unwrap();
    let finish = post(
        &base,
        "/api/finish_setup",
        &[
            ("id", &id.to_string()),
            ("alarm[no_events_alarm]", "true"),
            ("alarm[no_events_minutes]", "1440"),
        ],
        Some(&cookie),
    )
    .await;
    assert_eq!(finish.status(), 200);
    // The source polled and stored events (with the token) before the log is read.
    wait_for("events stored for the source", WAIT, || async {
        let listed = post(&base, "/api/list_sources", &[], Some(&cookie)).await;
        let sources: Vec<serde_json::Value> = listed.json().await.unwrap_or_default();
        sources
            .iter()
            .any(|s| s["id"] == id && s["events_total"].as_i64().unwrap_or(0) > 0)
    })
    .await;
    child.kill().await.unwrap();

    let text = read();
    // The log really captured the run (debug lines included).
    assert!(
        text.contains("poller started") && text.contains("DEBUG"),
        "{text}"
    );
    assert_eq!(
        text.matches(code.as_str()).count(),
        1,
        "the code once:\n{text}"
    );
    for secret in [TOKEN, ADMIN_PASSWORD, cookie.as_str(), "gatehouse_session="] {
        assert!(
            !text.contains(secret),
            "{secret:?} appears in the log:\n{text}"
        );
    }
}
