//! The simulator over real loopback HTTP, the way the console's client meets it.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, LINK};
use serde_json::{json, Value};

use super::*;

const TOKEN: &str = "test-token";

fn quiet_org(name: &str) -> OrgConfig {
    let mut config = OrgConfig::new(name, TOKEN);
    config.events_per_sec = 0.0;
    config.backlog = 0;
    config.logs_rate_limit = None;
    config.users_rate_limit = None;
    config.devices_rate_limit = None;
    config.users = 30;
    config.devices = 5;
    config
}

struct Harness {
    sim: Simulator,
    running: RunningSimulator,
    http: reqwest::Client,
}

impl Harness {
    async fn start(orgs: Vec<OrgConfig>) -> Harness {
        let sim = Simulator::new(orgs);
        let running = sim.spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(10));
        for name in sim.org_names() {
            builder = builder.resolve(&format!("{name}.{SIMULATOR_DOMAIN}"), running.addr);
        }
        Harness {
            sim,
            http: builder.build().unwrap(),
            running,
        }
    }

    fn org(&self, name: &str) -> OrgHandle {
        self.sim.org(name).unwrap()
    }

    fn url(&self, org: &str, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.running.org_url(org))
    }

    async fn get(&self, url: &str) -> Reply {
        self.get_with(url, Some(TOKEN)).await
    }

    async fn get_with(&self, url: &str, token: Option<&str>) -> Reply {
        let mut request = self.http.get(url);
        if let Some(token) = token {
            request = request.header("Authorization", format!("SSWS {token}"));
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.unwrap().to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("http://{}{path}", self.running.addr));
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        let response = request.send().await.unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
    }
}

struct Reply {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }

    fn links(&self) -> Vec<String> {
        self.headers
            .get_all(LINK)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    fn link(&self, rel: &str) -> Option<String> {
        let suffix = format!(">; rel=\"{rel}\"");
        self.links().iter().find_map(|l| {
            l.strip_suffix(&suffix)
                .and_then(|l| l.strip_prefix('<'))
                .map(str::to_string)
        })
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }

    fn error_code(&self) -> String {
        self.json()["errorCode"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn uuids(&self) -> Vec<String> {
        self.json()
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["uuid"].as_str().map(str::to_string))
            .collect()
    }
}

fn since(ago: Duration) -> String {
    let t = chrono::Utc::now() - chrono::Duration::from_std(ago).unwrap();
    url::form_urlencoded::byte_serialize(t.to_rfc3339().as_bytes()).collect()
}

/// Follows `next` links from `url` until a page comes back empty; returns every uuid.
async fn drain(h: &Harness, url: String) -> (Vec<String>, usize, Reply) {
    let mut url = url;
    let mut uuids = Vec::new();
    let mut pages = 0;
    loop {
        let page = h.get(&url).await;
        assert_eq!(page.status, 200, "{}", String::from_utf8_lossy(&page.body));
        pages += 1;
        let got = page.uuids();
        let next = page.link("next").expect("polling pages always link next");
        if got.is_empty() {
            return (uuids, pages, page);
        }
        uuids.extend(got);
        url = next;
    }
}

#[tokio::test]
async fn polling_drains_the_backlog_exactly_once_and_matches_the_truth() {
    let mut config = quiet_org("acme");
    config.backlog = 2_500;
    let h = Harness::start(vec![config]).await;
    let (uuids, pages, last) = drain(
        &h,
        h.url(
            "acme",
            &format!(
                "/api/v1/logs?limit=1000&since={}",
                since(Duration::from_secs(25 * 3600))
            ),
        ),
    )
    .await;
    assert_eq!(pages, 4, "3 full-or-partial pages and one empty one");
    assert_eq!(uuids.len(), 2_500);
    assert_eq!(
        uuids.iter().collect::<HashSet<_>>().len(),
        2_500,
        "no duplicates"
    );
    assert_eq!(uuids, h.org("acme").truth());
    // The empty page still links onwards, keeps the limit, and stays on the same host.
    let next = last.link("next").unwrap();
    assert!(next.starts_with(&h.running.org_url("acme")), "{next}");
    assert!(
        next.contains("limit=1000") && next.contains("after="),
        "{next}"
    );
    assert!(last.link("self").is_some());
    assert_eq!(last.links().len(), 2, "self and next as two header lines");
    assert_eq!(
        last.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(
        last.header("x-rate-limit-limit"),
        None,
        "no headers when limits are off"
    );
    let stats = h.org("acme").stats();
    assert_eq!(stats.events_served, 2_500);
    assert_eq!(stats.count("logs", "200"), 4);
    assert_eq!(stats.logs_requests, 4);
}

#[tokio::test]
async fn new_events_arrive_behind_the_empty_page_link() {
    let h = Harness::start(vec![quiet_org("acme")]).await;
    let first = h.get(&h.url("acme", "/api/v1/logs")).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.json(), json!([]));
    let next = first.link("next").unwrap();
    h.org("acme").append_events(vec![
        json!({"uuid": "late-1", "eventType": "x"}),
        json!({"uuid": "late-2"}),
    ]);
    let second = h.get(&next).await;
    assert_eq!(second.uuids(), vec!["late-1", "late-2"]);
    // Served verbatim: nothing was added to the injected events.
    assert_eq!(
        second.json()[0],
        json!({"uuid": "late-1", "eventType": "x"})
    );
    let third = h.get(&second.link("next").unwrap()).await;
    assert_eq!(third.json(), json!([]));
    assert_eq!(
        third.link("next"),
        second.link("next"),
        "an empty page links to where it was"
    );
}

#[tokio::test]
async fn live_production_and_late_events_are_delivered_by_polling() {
    let mut config = quiet_org("acme");
    config.events_per_sec = 10.0;
    config.late_fraction = 0.5;
    let h = Harness::start(vec![config]).await;
    let start = h.get(&h.url("acme", "/api/v1/logs?limit=1000")).await;
    let mut polled = start.uuids();
    h.sim.advance_clock(Duration::from_secs(60));
    let (more, _, _) = drain(&h, start.link("next").unwrap()).await;
    // 600 in the simulated minute, plus the few that real time adds while the test runs.
    assert!(
        (600..=650).contains(&more.len()),
        "{} events after a simulated minute",
        more.len()
    );
    polled.extend(more);
    let truth = h.org("acme").truth();
    assert_eq!(&truth[..polled.len()], &polled[..]);
    // Late events come in persistence order, so `published` goes backwards at times.
    let page = h
        .get(&h.url(
            "acme",
            &format!(
                "/api/v1/logs?limit=1000&since={}",
                since(Duration::from_secs(3600))
            ),
        ))
        .await;
    let published: Vec<String> = page
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["published"].as_str().unwrap().to_string())
        .collect();
    assert!(
        published.windows(2).any(|w| w[0] > w[1]),
        "no out-of-order published times"
    );
    h.org("acme").set_events_per_sec(0.0);
    let count = h.org("acme").truth().len();
    h.sim.advance_clock(Duration::from_secs(60));
    assert_eq!(h.org("acme").truth().len(), count);
}

#[tokio::test]
async fn bounded_queries_are_ordered_by_published_and_finish() {
    let mut config = quiet_org("acme");
    config.backlog = 230;
    config.backlog_window = Duration::from_secs(3600);
    let h = Harness::start(vec![config]).await;
    let until: String = url::form_urlencoded::byte_serialize(
        (chrono::Utc::now() + chrono::Duration::seconds(5))
            .to_rfc3339()
            .as_bytes(),
    )
    .collect();
    for order in ["ASCENDING", "DESCENDING"] {
        let mut url = h.url(
            "acme",
            &format!(
                "/api/v1/logs?since={}&until={until}&limit=50&sortOrder={order}",
                since(Duration::from_secs(7200))
            ),
        );
        let mut published = Vec::new();
        let mut pages = 0;
        loop {
            let page = h.get(&url).await;
            assert_eq!(page.status, 200, "{}", String::from_utf8_lossy(&page.body));
            pages += 1;
            published.extend(
                page.json()
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["published"].as_str().unwrap().to_string()),
            );
            match page.link("next") {
                Some(next) => url = next,
                None => break,
            }
            assert!(pages < 20, "bounded query does not finish");
        }
        assert_eq!(published.len(), 230, "{order}");
        assert_eq!(pages, 5, "no extra empty page at the end");
        let mut sorted = published.clone();
        sorted.sort();
        if order == "DESCENDING" {
            sorted.reverse();
        }
        assert_eq!(published, sorted, "{order}");
    }
}

#[tokio::test]
async fn bad_parameters_get_okta_errors() {
    let mut config = quiet_org("acme");
    config.backlog = 3;
    let h = Harness::start(vec![config]).await;
    let first = h.get(&h.url("acme", "/api/v1/logs")).await;
    let after = first.link("next").unwrap();
    let after = after
        .split("after=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let cases = [
        ("limit=0".to_string(), 400, "E0000001"),
        ("limit=1001".to_string(), 400, "E0000001"),
        ("limit=ten".to_string(), 400, "E0000001"),
        ("since=yesterday".to_string(), 400, "E0000053"),
        (
            format!("since={}", since(Duration::from_secs(181 * 86_400))),
            400,
            "E0000053",
        ),
        (
            "since=2024-01-01T00:00:00Z&until=soon".to_string(),
            400,
            "E0000053",
        ),
        (
            format!("since={}&after={after}", since(Duration::from_secs(60))),
            400,
            "E0000001",
        ),
        ("after=bm90LWEtY3Vyc29y".to_string(), 400, "E0000001"),
        ("sortOrder=DESCENDING".to_string(), 400, "E0000001"),
        (
            "filter=actor.id%20eq%20%22x%22".to_string(),
            400,
            "E0000053",
        ),
    ];
    for (query, status, code) in cases {
        let reply = h
            .get(&h.url("acme", &format!("/api/v1/logs?{query}")))
            .await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (status, code.to_string()),
            "{query}"
        );
        let body = reply.json();
        assert!(body["errorId"].as_str().unwrap().starts_with("oae"));
        assert!(body["errorCauses"].is_array());
    }
    let ok = h
        .get(&h.url("acme", &format!("/api/v1/logs?after={after}&limit=1000")))
        .await;
    assert_eq!(ok.status, 200);
    let filtered = h
        .get(&h.url(
            "acme",
            &format!(
                "/api/v1/logs?since={}&filter=eventType%20sw%20%22user.%22",
                since(Duration::from_secs(86_400))
            ),
        ))
        .await;
    assert_eq!(filtered.status, 200);
    assert!(filtered.link("next").unwrap().contains("filter="));
}

#[tokio::test]
async fn rate_limits_count_per_bucket_and_answer_429() {
    let mut config = quiet_org("acme");
    config.logs_rate_limit = Some(3);
    config.users_rate_limit = Some(5);
    let h = Harness::start(vec![config]).await;
    let url = h.url("acme", "/api/v1/logs");
    let mut resets = HashSet::new();
    for remaining in ["2", "1", "0"] {
        let reply = h.get(&url).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("x-rate-limit-limit").as_deref(), Some("3"));
        assert_eq!(
            reply.header("x-rate-limit-remaining").as_deref(),
            Some(remaining)
        );
        resets.insert(reply.header("x-rate-limit-reset").unwrap());
    }
    let limited = h.get(&url).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.error_code(), "E0000047");
    assert_eq!(
        limited.json()["errorSummary"],
        "API call exceeded rate limit due to too many requests."
    );
    assert_eq!(
        limited.header("x-rate-limit-remaining").as_deref(),
        Some("0")
    );
    resets.insert(limited.header("x-rate-limit-reset").unwrap());
    assert_eq!(resets.len(), 1, "one window");
    let reset: i64 = resets.into_iter().next().unwrap().parse().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(
        (now + 55..=now + 61).contains(&reset),
        "reset {reset} vs now {now}"
    );
    // Another bucket is untouched.
    let users = h.get(&h.url("acme", "/api/v1/users")).await;
    assert_eq!(users.header("x-rate-limit-remaining").as_deref(), Some("4"));
    // After the window, the next request opens a new one.
    h.sim.advance_clock(Duration::from_secs(61));
    let again = h.get(&url).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.header("x-rate-limit-remaining").as_deref(), Some("2"));
    assert_eq!(h.org("acme").stats().rate_limited, 1);
}

#[tokio::test]
async fn every_fault_kind_is_observable() {
    let mut config = quiet_org("acme");
    config.backlog = 10;
    config.logs_rate_limit = Some(100);
    let h = Harness::start(vec![config]).await;
    let org = h.org("acme");
    let url = h.url(
        "acme",
        &format!(
            "/api/v1/logs?since={}&limit=5",
            since(Duration::from_secs(86_400 + 60))
        ),
    );

    org.inject_fault(Fault::RateLimit {
        count: 1,
        headers: RateLimitHeaders::Normal,
        path: None,
    });
    let r = h.get(&url).await;
    assert_eq!((r.status, r.error_code().as_str()), (429, "E0000047"));
    assert_eq!(r.header("x-rate-limit-limit").as_deref(), Some("100"));
    assert_eq!(r.header("x-rate-limit-remaining").as_deref(), Some("0"));

    org.inject_fault(Fault::RateLimit {
        count: 1,
        headers: RateLimitHeaders::Omitted,
        path: None,
    });
    let r = h.get(&url).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("x-rate-limit-limit"), None);

    org.inject_fault(Fault::RateLimit {
        count: 1,
        headers: RateLimitHeaders::Zero,
        path: None,
    });
    let r = h.get(&url).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("x-rate-limit-limit").as_deref(), Some("0"));
    let reset: i64 = r.header("x-rate-limit-reset").unwrap().parse().unwrap();
    assert!(reset - chrono::Utc::now().timestamp() <= 6);

    org.inject_fault(Fault::ServerError {
        count: 2,
        path: None,
    });
    for _ in 0..2 {
        let r = h.get(&url).await;
        assert_eq!((r.status, r.error_code().as_str()), (500, "E0000009"));
    }
    assert_eq!(h.get(&url).await.status, 200, "the fault is used up");

    org.inject_fault(Fault::Reset {
        count: 1,
        path: None,
    });
    let dropped = h
        .http
        .get(&url)
        .header("Authorization", format!("SSWS {TOKEN}"))
        .send()
        .await;
    assert!(
        dropped.is_err(),
        "a reset must be a transport error, got {dropped:?}"
    );
    assert_eq!(h.get(&url).await.status, 200, "the next connection works");

    org.inject_fault(Fault::Hang {
        count: 1,
        secs: 0.3,
        path: None,
    });
    let started = Instant::now();
    let timed_out = h
        .http
        .get(&url)
        .header("Authorization", format!("SSWS {TOKEN}"))
        .timeout(Duration::from_millis(100))
        .send()
        .await;
    assert!(timed_out.unwrap_err().is_timeout());
    assert!(started.elapsed() < Duration::from_millis(300));
    org.inject_fault(Fault::Hang {
        count: 1,
        secs: 0.2,
        path: None,
    });
    let started = Instant::now();
    assert_eq!(h.get(&url).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(200));

    org.inject_fault(Fault::Malformed {
        count: 1,
        path: None,
    });
    let r = h.get(&url).await;
    assert_eq!(r.status, 200);
    assert!(serde_json::from_slice::<Value>(&r.body).is_err());
    assert!(r.link("next").is_some());

    org.inject_fault(Fault::DuplicateLinks {
        count: 1,
        path: None,
    });
    let r = h.get(&url).await;
    let links = r.links();
    assert_eq!(links.len(), 4, "{links:?}");
    assert_eq!(links[1], links[2]);
    assert!(
        links[3].contains("rel=\"self\", <") && links[3].ends_with("rel=\"next\""),
        "{}",
        links[3]
    );
    assert_eq!(r.uuids().len(), 5);

    org.inject_fault(Fault::NextIsSelf {
        count: 1,
        path: None,
    });
    let r = h.get(&url).await;
    assert_eq!(r.link("next"), r.link("self"));
    assert_eq!(r.link("self").unwrap(), url);

    org.inject_fault(Fault::Oversized {
        count: 1,
        bytes: 300_000,
        path: None,
    });
    let r = h.get(&url).await;
    assert_eq!(r.status, 200);
    assert!(r.body.len() > 300_000);
    assert_eq!(r.uuids().len(), 5, "still a valid array of the same events");

    // A path-restricted fault leaves other endpoints alone.
    org.inject_fault(Fault::ServerError {
        count: 1,
        path: Some("/api/v1/users".into()),
    });
    assert_eq!(h.get(&url).await.status, 200);
    assert_eq!(h.get(&h.url("acme", "/api/v1/users")).await.status, 500);

    org.inject_fault(Fault::ServerError {
        count: 5,
        path: None,
    });
    org.clear_faults();
    assert_eq!(h.get(&url).await.status, 200);
    let stats = org.stats();
    assert_eq!(stats.count("logs", "reset"), 1);
    assert_eq!(stats.faults_applied, 13);
}

#[tokio::test]
async fn revoked_and_wrong_tokens_get_401() {
    let h = Harness::start(vec![quiet_org("acme")]).await;
    let url = h.url("acme", "/api/v1/logs");
    for token in [None, Some("wrong")] {
        let r = h.get_with(&url, token).await;
        assert_eq!((r.status, r.error_code().as_str()), (401, "E0000011"));
    }
    h.org("acme").revoke_tokens();
    let r = h.get(&url).await;
    assert_eq!(r.status, 401);
    let body = r.json();
    assert_eq!(body["errorSummary"], "Invalid token provided");
    assert_eq!(body["errorLink"], "E0000011");
    assert_eq!(body["errorCauses"], json!([]));
    assert_eq!(h.get(&h.url("acme", "/api/v1/users")).await.status, 401);
    h.org("acme").restore_tokens();
    assert_eq!(h.get(&url).await.status, 200);
    assert_eq!(h.org("acme").stats().unauthorized, 4);
}

#[tokio::test]
async fn users_paginate_and_hide_deprovisioned_unless_filtered() {
    let mut config = quiet_org("acme");
    config.users = 450;
    let h = Harness::start(vec![config]).await;
    let org = h.org("acme");
    let mut url = h.url("acme", "/api/v1/users");
    let mut listed = Vec::new();
    let mut sizes = Vec::new();
    loop {
        let page = h.get(&url).await;
        assert_eq!(page.status, 200);
        let users = page.json();
        sizes.push(users.as_array().unwrap().len());
        listed.extend(users.as_array().unwrap().iter().cloned());
        match page.link("next") {
            Some(next) => url = next,
            None => break,
        }
    }
    assert_eq!(&sizes[..2], &[200, 200]);
    assert!(listed.iter().all(|u| u["status"] != "DEPROVISIONED"));
    let deprovisioned = 450 - listed.len();
    assert!(deprovisioned > 0);
    let user = &listed[0];
    assert!(user["id"].as_str().unwrap().starts_with("00u"));
    for field in [
        "login",
        "email",
        "firstName",
        "lastName",
        "displayName",
        "title",
        "department",
        "employeeNumber",
        "userType",
    ] {
        assert!(user["profile"][field].is_string(), "{field}: {user}");
    }
    for field in ["created", "lastUpdated", "type"] {
        assert!(!user[field].is_null(), "{field}");
    }

    let filtered = h
        .get(&h.url(
            "acme",
            "/api/v1/users?filter=status%20eq%20%22DEPROVISIONED%22",
        ))
        .await;
    assert_eq!(filtered.json().as_array().unwrap().len(), deprovisioned);

    // Delta sync: only what changed after a point in time.
    let mark = chrono::Utc::now() - chrono::Duration::seconds(1);
    let id = listed[7]["id"].as_str().unwrap().to_string();
    let touched = h
        .admin(
            reqwest::Method::POST,
            &format!("/_sim/orgs/acme/users/{id}/touch"),
            None,
        )
        .await;
    assert_eq!(touched["ok"], true);
    let filter: String = url::form_urlencoded::byte_serialize(
        format!("lastUpdated gt \"{}\"", mark.to_rfc3339()).as_bytes(),
    )
    .collect();
    let delta = h
        .get(&h.url("acme", &format!("/api/v1/users?filter={filter}")))
        .await;
    let delta = delta.json();
    assert_eq!(delta.as_array().unwrap().len(), 1);
    assert_eq!(delta[0]["id"], id.as_str());
    assert_ne!(delta[0]["profile"]["title"], listed[7]["profile"]["title"]);

    // Deprovisioning removes the user from plain lists and shows it to filters.
    h.admin(
        reqwest::Method::POST,
        &format!("/_sim/orgs/acme/users/{id}/status"),
        Some(json!({"status": "DEPROVISIONED"})),
    )
    .await;
    let search = h
        .get(&h.url(
            "acme",
            &format!("/api/v1/users?search=id%20eq%20%22{id}%22"),
        ))
        .await;
    assert_eq!(search.json()[0]["status"], "DEPROVISIONED");
    let all: usize = {
        let mut total = 0;
        let mut url = h.url("acme", "/api/v1/users?limit=500");
        loop {
            let page = h.get(&url).await;
            total += page.json().as_array().unwrap().len();
            match page.link("next") {
                Some(next) => url = next,
                None => break total,
            }
        }
    };
    assert_eq!(all, listed.len() - 1);
    assert!(org.set_user_status("nobody", "ACTIVE").is_err());
    let bad = h.get(&h.url("acme", "/api/v1/users?filter=nonsense")).await;
    assert_eq!(bad.status, 400);
}

#[tokio::test]
async fn devices_expand_their_users_or_are_forbidden() {
    let mut with = quiet_org("acme");
    with.devices = 250;
    let mut without = quiet_org("globex");
    without.devices_enabled = false;
    let h = Harness::start(vec![with, without]).await;
    let first = h.get(&h.url("acme", "/api/v1/devices?expand=user")).await;
    assert_eq!(first.status, 200);
    let devices = first.json();
    assert_eq!(devices.as_array().unwrap().len(), 200);
    let device = &devices[0];
    assert!(device["id"].as_str().unwrap().starts_with("guo"));
    assert_eq!(device["resourceType"], "UDDevice");
    for field in [
        "displayName",
        "platform",
        "manufacturer",
        "model",
        "osVersion",
        "serialNumber",
        "registered",
        "secureHardwarePresent",
        "diskEncryptionType",
    ] {
        assert!(!device["profile"][field].is_null(), "{field}");
    }
    let embedded = devices
        .as_array()
        .unwrap()
        .iter()
        .find(|d| !d["_embedded"]["users"].as_array().unwrap().is_empty())
        .unwrap();
    let owner = &embedded["_embedded"]["users"][0];
    assert!(["MANAGED", "NOT_MANAGED"].contains(&owner["managementStatus"].as_str().unwrap()));
    assert!(["BIOMETRIC", "PASSCODE", "NONE"].contains(&owner["screenLockType"].as_str().unwrap()));
    assert!(owner["user"]["id"].as_str().unwrap().starts_with("00u"));
    let next = first.link("next").unwrap();
    assert!(next.contains("expand=user"));
    let second = h.get(&next).await;
    assert_eq!(second.json().as_array().unwrap().len(), 50);
    assert_eq!(second.link("next"), None);
    let plain = h.get(&h.url("acme", "/api/v1/devices?limit=3")).await;
    assert!(plain.json()[0].get("_embedded").is_none());

    let forbidden = h.get(&h.url("globex", "/api/v1/devices")).await;
    assert_eq!(
        (forbidden.status, forbidden.error_code().as_str()),
        (403, "E0000006")
    );
}

#[tokio::test]
async fn the_host_header_picks_the_org() {
    let mut acme = quiet_org("acme");
    acme.backlog = 2;
    let mut globex = quiet_org("globex");
    globex.tokens = vec!["globex-token".into()];
    globex.backlog = 3;
    let h = Harness::start(vec![acme, globex]).await;
    let acme_page = h
        .get(&h.url(
            "acme",
            &format!(
                "/api/v1/logs?limit=10&since={}",
                since(Duration::from_secs(86_400 + 60))
            ),
        ))
        .await;
    assert_eq!(acme_page.uuids(), h.org("acme").truth());
    let wrong_org = h.get(&h.url("globex", "/api/v1/logs")).await;
    assert_eq!(wrong_org.status, 401, "acme's token is not globex's");
    let globex_page = h
        .get_with(
            &h.url(
                "globex",
                &format!(
                    "/api/v1/logs?since={}",
                    since(Duration::from_secs(86_400 + 60))
                ),
            ),
            Some("globex-token"),
        )
        .await;
    assert_eq!(globex_page.uuids(), h.org("globex").truth());
    assert!(globex_page
        .link("self")
        .unwrap()
        .starts_with(&h.running.org_url("globex")));
    // An IP address names no org; with two orgs that is a 404.
    let unknown = h
        .get(&format!("http://{}/api/v1/logs", h.running.addr))
        .await;
    assert_eq!(
        (unknown.status, unknown.error_code().as_str()),
        (404, "E0000007")
    );

    // With a single org, any host will do, and links follow the host that was used.
    let single = Harness::start(vec![quiet_org("acme")]).await;
    let direct = single
        .get(&format!("http://{}/api/v1/logs", single.running.addr))
        .await;
    assert_eq!(direct.status, 200);
    assert!(direct
        .link("next")
        .unwrap()
        .starts_with(&format!("http://{}/api/v1/logs?", single.running.addr)));
    let other = single
        .get(&format!("http://{}/api/v1/nothing", single.running.addr))
        .await;
    assert_eq!(
        (other.status, other.error_code().as_str()),
        (404, "E0000007")
    );
}

#[tokio::test]
async fn admin_endpoints_control_the_orgs() {
    let mut config = quiet_org("acme");
    config.backlog = 4;
    let h = Harness::start(vec![config]).await;
    let orgs = h.admin(reqwest::Method::GET, "/_sim/orgs", None).await;
    assert_eq!(orgs[0]["name"], "acme");
    assert_eq!(orgs[0]["events"], 4);
    let appended = h
        .admin(
            reqwest::Method::POST,
            "/_sim/orgs/acme/events",
            Some(json!([{"uuid": "a"}, {"uuid": "b"}])),
        )
        .await;
    assert_eq!(appended["appended"], 2);
    let truth = h
        .admin(reqwest::Method::GET, "/_sim/orgs/acme/truth", None)
        .await;
    assert_eq!(truth["count"], 6);
    assert_eq!(truth["uuids"][5], "b");
    let pending = h.admin(reqwest::Method::POST, "/_sim/orgs/acme/faults", Some(json!({"kind": "rate_limit", "count": 3, "headers": "normal", "path": "/api/v1/logs"}))).await;
    assert_eq!(pending[0]["count"], 3);
    let r = h.get(&h.url("acme", "/api/v1/logs")).await;
    assert_eq!(r.status, 429);
    h.admin(reqwest::Method::DELETE, "/_sim/orgs/acme/faults", None)
        .await;
    assert_eq!(h.get(&h.url("acme", "/api/v1/logs")).await.status, 200);
    h.admin(reqwest::Method::POST, "/_sim/orgs/acme/tokens/revoke", None)
        .await;
    assert_eq!(h.get(&h.url("acme", "/api/v1/logs")).await.status, 401);
    h.admin(
        reqwest::Method::POST,
        "/_sim/orgs/acme/tokens/restore",
        None,
    )
    .await;
    h.admin(
        reqwest::Method::POST,
        "/_sim/orgs/acme/production",
        Some(json!({"events_per_sec": 2.5})),
    )
    .await;
    h.admin(
        reqwest::Method::POST,
        "/_sim/clock/advance",
        Some(json!({"secs": 10})),
    )
    .await;
    let truth = h
        .admin(reqwest::Method::GET, "/_sim/orgs/acme/truth", None)
        .await;
    assert_eq!(truth["count"], 6 + 25);
    h.admin(
        reqwest::Method::POST,
        "/_sim/orgs/acme/rate_limits",
        Some(json!({"logs": 1})),
    )
    .await;
    assert_eq!(h.get(&h.url("acme", "/api/v1/logs")).await.status, 200);
    assert_eq!(h.get(&h.url("acme", "/api/v1/logs")).await.status, 429);
    let stats = h
        .admin(reqwest::Method::GET, "/_sim/orgs/acme/stats", None)
        .await;
    assert_eq!(stats["requests"]["logs"]["429"], 2);
    assert_eq!(stats["requests"]["logs"]["401"], 1);
    assert_eq!(stats["rate_limited"], 2);
    let missing = h
        .http
        .get(format!("http://{}/_sim/orgs/nobody/truth", h.running.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let bad = h
        .http
        .post(format!("http://{}/_sim/orgs/acme/faults", h.running.addr))
        .body(r#"{"kind":"explode"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn configured_events_are_served_verbatim_first() {
    let mut config = quiet_org("acme");
    config.events = vec![
        json!({"uuid": "odd-1", "published": "2017-09-31T22:00:00.000Z", "version": 0, "target": null}),
        json!("not an object"),
        json!({"uuid": "odd-2", "client": {"zone": "null", "ipAddress": "null"}}),
    ];
    let h = Harness::start(vec![config.clone()]).await;
    let page = h.get(&h.url("acme", "/api/v1/logs")).await;
    assert_eq!(page.json(), Value::Array(config.events));
    assert_eq!(h.org("acme").truth(), vec!["odd-1", "odd-2"]);
}

#[tokio::test]
async fn serving_large_pages_is_fast() {
    let mut config = quiet_org("acme");
    config.backlog = 50_000;
    let h = Harness::start(vec![config]).await;
    let started = Instant::now();
    let (uuids, _, _) = drain(
        &h,
        h.url(
            "acme",
            &format!(
                "/api/v1/logs?limit=1000&since={}",
                since(Duration::from_secs(25 * 3600))
            ),
        ),
    )
    .await;
    let elapsed = started.elapsed();
    assert_eq!(uuids.len(), 50_000);
    let rate = uuids.len() as f64 / elapsed.as_secs_f64();
    eprintln!(
        "drained {} events in {elapsed:?} ({rate:.0}/s, client parsing included)",
        uuids.len()
    );
    assert!(rate > 20_000.0, "{rate:.0} events/s");
}

/// The benchmark's shape: a million events drained with rate limits off. Run with
/// `cargo test -p server --release simulator::tests::a_million -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a throughput measurement, not a check"]
async fn a_million_events_drain_quickly() {
    let mut config = quiet_org("acme");
    config.backlog = 1_000_000;
    config.backlog_window = Duration::from_secs(20 * 3600);
    let built = Instant::now();
    let h = Harness::start(vec![config]).await;
    eprintln!("built the log in {:?}", built.elapsed());
    let started = Instant::now();
    let mut url = h.url(
        "acme",
        &format!(
            "/api/v1/logs?limit=1000&since={}",
            since(Duration::from_secs(21 * 3600))
        ),
    );
    let (mut events, mut bytes) = (0usize, 0usize);
    loop {
        let page = h.get(&url).await;
        // Count objects cheaply: every event has exactly one "uuid" key at the top level.
        let n = page.body.windows(7).filter(|w| w == b"\"uuid\":").count();
        bytes += page.body.len();
        if n == 0 {
            break;
        }
        events += n;
        url = page.link("next").unwrap();
    }
    let elapsed = started.elapsed();
    assert_eq!(events, 1_000_000);
    eprintln!(
        "served {events} events ({} MB) in {elapsed:?}: {:.0} events/s",
        bytes / 1_000_000,
        events as f64 / elapsed.as_secs_f64()
    );
}
