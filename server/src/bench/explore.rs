//! `gatehouse bench explore`: the event explorer's first page at scale. Fills a fresh SQLite
//! file with N synthetic normalized events (2 sources, 30 days, a realistic spread of event
//! types, actors, IPs and outcomes) straight through SQL (one transaction per 50,000 rows,
//! multi-row prepared inserts), then times the first page of each indexed filter and of free
//! text (median and max of several runs, with SQLite's plan) and prints the database's size.

use std::time::{Duration, Instant};

use app::model::events::EventQuery;
use clap::Args;
use sqlx::{QueryBuilder, Sqlite};

use crate::config::Secret;

#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// Events generated.
    #[arg(long, default_value_t = 10_000_000)]
    pub events: u64,
    /// Timed runs of each search (the first, colder one included).
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Keep the database in this directory instead of a temporary one.
    #[arg(long)]
    pub dir: Option<std::path::PathBuf>,
    /// Time the searches over the database already in `--dir` (filled by an earlier run).
    #[arg(long, requires = "dir")]
    pub reuse: bool,
}

/// Rows per transaction.
const TX_ROWS: u64 = 50_000;
/// Rows per INSERT statement (12 parameters each, well under SQLite's limit).
const STATEMENT_ROWS: usize = 500;
const DAY_MS: i64 = 86_400_000;

/// Event types with their weight per 10,000 events (sign-ins and SSO dominate, admin actions
/// are rare), as Okta orgs see them.
const EVENT_TYPES: [(&str, &str, u32); 24] = [
    ("user.session.start", "User login to Okta", 2400),
    (
        "user.authentication.sso",
        "User single sign on to app",
        2200,
    ),
    (
        "policy.evaluate_sign_on",
        "Evaluation of sign-on policy",
        1200,
    ),
    (
        "user.authentication.auth_via_mfa",
        "Authentication of user via MFA",
        1100,
    ),
    (
        "app.oauth2.as.token.grant.access_token",
        "OAuth2 access token is granted",
        700,
    ),
    ("user.session.end", "User logout from Okta", 500),
    (
        "app.oauth2.as.authorize.code",
        "OAuth2 authorization code request",
        400,
    ),
    (
        "app.oauth2.as.token.grant.refresh_token",
        "OAuth2 refresh token is granted",
        350,
    ),
    ("system.import.start", "Import started", 250),
    ("system.import.complete", "Import completed", 250),
    (
        "group.user_membership.add",
        "Add user to group membership",
        200,
    ),
    ("user.authentication.verify", "Verify user identity", 150),
    ("system.org.rate_limit.warning", "Rate limit warning", 80),
    ("user.mfa.factor.update", "Update factor for user", 50),
    (
        "user.account.update_profile",
        "Update user profile for Okta",
        50,
    ),
    ("user.lifecycle.create", "Create Okta user", 20),
    ("user.mfa.factor.activate", "Activate factor for user", 15),
    ("user.account.lock", "Max sign in attempts exceeded", 10),
    ("user.mfa.factor.deactivate", "Reset factor for user", 8),
    ("user.account.privilege.grant", "Grant user privilege", 5),
    (
        "security.threat.detected",
        "Request from suspicious actor",
        5,
    ),
    ("system.api_token.create", "Create API token", 3),
    ("user.mfa.factor.suspend", "Suspend factor for user", 3),
    ("system.api_token.revoke", "Revoke API token", 1),
];

/// Outcomes with their weight per 1,000 events.
const OUTCOMES: [(&str, u32); 7] = [
    ("SUCCESS", 850),
    ("FAILURE", 60),
    ("ALLOW", 40),
    ("SKIPPED", 25),
    ("CHALLENGE", 15),
    ("DENY", 8),
    ("UNKNOWN", 2),
];

const USERS: u64 = 5_000;
const SHARED_IPS: u64 = 50_000;

/// splitmix64: fast, deterministic, good enough for spreading values.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn weighted<T: Copy>(&mut self, table: &[(T, u32)]) -> T {
        let total: u32 = table.iter().map(|t| t.1).sum();
        let mut pick = self.below(u64::from(total)) as u32;
        for (value, weight) in table {
            if pick < *weight {
                return *value;
            }
            pick -= weight;
        }
        table[0].0
    }
}

const FIRST: [&str; 16] = [
    "ana", "noah", "liam", "emma", "olivia", "mia", "lucas", "sofia", "ethan", "ava", "mateo",
    "zoe", "ivan", "yuki", "omar", "lena",
];
const LAST: [&str; 16] = [
    "larsen", "garcia", "smith", "kim", "nguyen", "rossi", "muller", "silva", "khan", "dubois",
    "tanaka", "okafor", "novak", "cohen", "berg", "lopez",
];

fn user_login(n: u64) -> String {
    format!(
        "{}.{}{}@acme.example.com",
        FIRST[(n % 16) as usize],
        LAST[((n / 16) % 16) as usize],
        n
    )
}

fn user_id(n: u64) -> String {
    format!("00u{:017x}", n.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 4)
}

fn ip(n: u64) -> String {
    format!(
        "{}.{}.{}.{}",
        11 + (n >> 24) % 200,
        (n >> 16) & 255,
        (n >> 8) & 255,
        1 + (n & 255) % 254
    )
}

/// One generated event: the indexed columns and its normalized JSON row.
struct Generated {
    source_id: i64,
    uuid: String,
    event_time: i64,
    event_type: &'static str,
    severity: &'static str,
    actor_id: String,
    actor_alternate_id: String,
    client_ip: String,
    outcome: &'static str,
    row_id: String,
    data: String,
}

fn generate(rng: &mut Rng, i: u64, event_time: i64, parse_time: i64) -> Generated {
    let (event_type, message) = {
        let total: u32 = EVENT_TYPES.iter().map(|t| t.2).sum();
        let mut pick = rng.below(u64::from(total)) as u32;
        let mut chosen = (EVENT_TYPES[0].0, EVENT_TYPES[0].1);
        for (t, m, w) in EVENT_TYPES {
            if pick < w {
                chosen = (t, m);
                break;
            }
            pick -= w;
        }
        chosen
    };
    let outcome = rng.weighted(&OUTCOMES);
    // Some users are far busier than others (square of a uniform pick).
    let r = rng.below(1 << 20) as f64 / f64::from(1 << 20);
    let user = ((r * r) * USERS as f64) as u64;
    let login = user_login(user);
    let id = user_id(user);
    // Most sign-ins come from one of the user's two usual addresses.
    let client_ip = if rng.below(10) < 8 {
        ip(user * 2 + rng.below(2))
    } else {
        ip(1_000_000 + rng.below(SHARED_IPS))
    };
    let source_id = 1 + (rng.below(3) == 0) as i64;
    let uuid = format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        rng.next() as u32,
        rng.below(1 << 16),
        rng.below(1 << 12),
        rng.below(1 << 12),
        i
    );
    let row_id = format!("{:016x}{:016x}", rng.next(), i);
    let severity = if outcome == "FAILURE" || outcome == "DENY" {
        "WARN"
    } else {
        "INFO"
    };
    let published = chrono::DateTime::from_timestamp_millis(event_time)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let p_time = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .format("%Y-%m-%d %H:%M:%S%.9f")
            .to_string()
    };
    let request = format!("X{:x}AAAA", rng.next());
    let chrome = 110 + rng.below(20);
    let data = format!(
        concat!(
            r#"{{"actor":{{"id":"{id}","type":"User","alternateId":"{login}","displayName":"{first} {last}","detailEntry":null}},"#,
            r#""client":{{"userAgent":{{"rawUserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome}.0.0.0 Safari/537.36","os":"Windows 10","browser":"CHROME"}},"zone":"null","device":"Computer","id":null,"ipAddress":"{ip}","geographicalContext":{{"city":"Austin","state":"Texas","country":"United States","postalCode":"78701","geolocation":{{"lat":30.2711,"lon":-97.7437}}}}}},"#,
            r#""displayMessage":"{message}","eventType":"{event_type}","outcome":{{"result":"{outcome}","reason":null}},"published":"{published}","severity":"{severity}","#,
            r#""debugContext":{{"debugData":{{"requestId":"{request}","requestUri":"/idp/idx/identify","url":"/idp/idx/identify?"}}}},"#,
            r#""transaction":{{"type":"WEB","id":"{request}","detail":{{}}}},"uuid":"{uuid}","version":"0","#,
            r#""request":{{"ipChain":[{{"ip":"{ip}","version":"V4","source":null}}]}},"#,
            r#""target":[{{"id":"0oa{target:017x}","type":"AppInstance","alternateId":"Okta Dashboard","displayName":"Okta Dashboard","detailEntry":null}}],"#,
            r#""p_log_type":"Okta.SystemLog","p_row_id":"{row_id}","p_event_time":"{p_event}","p_parse_time":"{p_parse}","p_schema_version":0,"#,
            r#""p_source_id":"{source_id}","p_source_label":"Org {source_id}","p_any_ip_addresses":["{ip}"],"p_any_emails":["{login}"],"p_any_domain_names":["acme.example.com"]}}"#
        ),
        id = id,
        login = login,
        first = FIRST[(user % 16) as usize],
        last = LAST[((user / 16) % 16) as usize],
        chrome = chrome,
        ip = client_ip,
        message = message,
        event_type = event_type,
        outcome = outcome,
        published = published,
        severity = severity,
        request = request,
        uuid = uuid,
        target = user % 40,
        row_id = row_id,
        p_event = p_time(event_time),
        p_parse = p_time(parse_time),
        source_id = source_id,
    );
    Generated {
        source_id,
        uuid,
        event_time,
        event_type,
        severity,
        actor_id: id,
        actor_alternate_id: login,
        client_ip,
        outcome,
        row_id,
        data,
    }
}

pub async fn run(args: ExploreArgs) -> anyhow::Result<()> {
    let (_temp, dir, engine) = super::bench_engine(args.dir.as_deref(), "explore.db").await?;
    let now = crate::store::now_ms();
    let alert_id = if args.reuse {
        let alert: i64 = sqlx::query_scalar("SELECT id FROM alerts WHERE rule_id = 'Okta.Bench'")
            .fetch_one(engine.store.pool())
            .await?;
        println!(
            "explore benchmark: reusing {} ({:.2} GiB)",
            dir.display(),
            super::dir_size(&dir) as f64 / 1024.0 / 1024.0 / 1024.0
        );
        alert
    } else {
        fill(&engine, &args, &dir, now).await?
    };
    time_searches(&engine, &args, now, alert_id).await
}

/// Writes the sources, the events and one alert with 300 of them; returns the alert's id.
async fn fill(
    engine: &crate::engine::Engine,
    args: &ExploreArgs,
    dir: &std::path::Path,
    now: i64,
) -> anyhow::Result<i64> {
    for name in ["Org 1", "Org 2"] {
        engine
            .store
            .insert_source(&crate::store::NewSource {
                name: name.into(),
                subdomain: name.replace(' ', "").to_lowercase(),
                domain: "okta.com".into(),
                token_ciphertext: engine.secrets.seal_token(&Secret::new("bench")),
                token_hint: "ench".into(),
                poll_interval_secs: 60,
                backfill_hours: 24,
                rate_limit_share: 0.5,
                setup_complete: true,
            })
            .await?;
    }

    // Fill: oldest first (as pollers store them), spread evenly over 30 days up to now.
    let start = now - 30 * DAY_MS;
    let step = (30 * DAY_MS) as f64 / args.events.max(1) as f64;
    let mut rng = Rng(7);
    let mut conn = engine.store.pool().acquire().await?;
    // The load's own connection: a bigger page cache for the indexes' hot pages.
    sqlx::query("PRAGMA cache_size = -262144")
        .execute(&mut *conn)
        .await?;
    let filling = Instant::now();
    let mut written = 0u64;
    let mut last_report = Instant::now();
    while written < args.events {
        let tx_rows = TX_ROWS.min(args.events - written);
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        let mut batch = Vec::with_capacity(STATEMENT_ROWS);
        for i in written..written + tx_rows {
            let time = start + (i as f64 * step) as i64;
            batch.push(generate(&mut rng, i, time, time + 1500));
            if batch.len() == STATEMENT_ROWS || i + 1 == written + tx_rows {
                insert(&mut tx, &batch).await?;
                batch.clear();
            }
        }
        tx.commit().await?;
        written += tx_rows;
        if last_report.elapsed() > Duration::from_secs(30) {
            last_report = Instant::now();
            eprintln!(
                "  … {written} events in {:.0} s ({:.0} events/s)",
                filling.elapsed().as_secs_f64(),
                written as f64 / filling.elapsed().as_secs_f64()
            );
        }
    }
    // One alert with 300 matched events, spread over the month.
    let alert_id: i64 = sqlx::query_scalar(
        "INSERT INTO alerts (rule_id, dedup_key, severity, state, title, first_seen, last_seen)
         VALUES ('Okta.Bench', 'bench', 'HIGH', 'open', 'Bench alert', ?1, ?1) RETURNING id",
    )
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 300)
         INSERT INTO detection_matches (source_id, rule_id, event_id, matched_at, alert_id)
         SELECT 1, 'Okta.Bench', 1 + (x * ?1) % ?2, ?3, ?4 FROM n",
    )
    .bind(7_919i64)
    .bind(args.events as i64)
    .bind(now)
    .bind(alert_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut *conn)
        .await?;
    drop(conn);
    let filled = filling.elapsed();
    println!(
        "explore benchmark: {} events (2 sources, 30 days) written in {:.0} s ({:.0} events/s); database {:.2} GiB",
        args.events,
        filled.as_secs_f64(),
        args.events as f64 / filled.as_secs_f64(),
        super::dir_size(dir) as f64 / 1024.0 / 1024.0 / 1024.0
    );
    Ok(alert_id)
}

/// Times the first page of each filter (and one second page).
async fn time_searches(
    engine: &crate::engine::Engine,
    args: &ExploreArgs,
    now: i64,
    alert_id: i64,
) -> anyhow::Result<()> {
    // A heavy user, a quiet one, and an address of the first.
    let busy = 3;
    let quiet = USERS - 7;
    let q = |f: &dyn Fn(&mut EventQuery)| {
        let mut query = EventQuery {
            range: Some("all".into()),
            ..EventQuery::default()
        };
        f(&mut query);
        query
    };
    let cases: Vec<(&str, EventQuery)> = vec![
        ("time: all", q(&|_| {})),
        ("time: last 24h", q(&|q| q.range = Some("24h".into()))),
        (
            "time: custom day, 10 days ago",
            q(&|q| {
                q.range = Some("custom".into());
                q.from = Some(rfc3339(now - 11 * DAY_MS));
                q.to = Some(rfc3339(now - 10 * DAY_MS));
            }),
        ),
        ("source", q(&|q| q.source_id = Some(2))),
        (
            "eventType: common",
            q(&|q| q.event_type = Some("user.session.start".into())),
        ),
        (
            "eventType: rare (1 in 10,000)",
            q(&|q| q.event_type = Some("system.api_token.revoke".into())),
        ),
        (
            "eventType + 7d",
            q(&|q| {
                q.event_type = Some("user.account.lock".into());
                q.range = Some("7d".into());
            }),
        ),
        (
            "actor: busy, alternateId",
            q(&|q| q.actor = Some(user_login(busy))),
        ),
        (
            "actor: quiet, alternateId",
            q(&|q| q.actor = Some(user_login(quiet))),
        ),
        ("actor: by id", q(&|q| q.actor = Some(user_id(quiet)))),
        (
            "actor: prefix (ana.larsen*)",
            q(&|q| q.actor = Some("ana.larsen*".into())),
        ),
        ("ip: client_ip", q(&|q| q.ip = Some(ip(quiet * 2)))),
        (
            "ip: anywhere, last 24h",
            q(&|q| {
                q.ip = Some(ip(quiet * 2));
                q.ip_anywhere = true;
                q.range = Some("24h".into());
            }),
        ),
        (
            "outcome: FAILURE",
            q(&|q| q.outcome = Some("FAILURE".into())),
        ),
        (
            "outcome: UNKNOWN (rare)",
            q(&|q| q.outcome = Some("UNKNOWN".into())),
        ),
        (
            "source + eventType + outcome",
            q(&|q| {
                q.source_id = Some(2);
                q.event_type = Some("user.authentication.sso".into());
                q.outcome = Some("FAILURE".into());
            }),
        ),
        ("alert (300 events)", q(&|q| q.alert_id = Some(alert_id))),
        (
            "text: common, last 24h",
            q(&|q| {
                q.text = Some("Chrome/119".into());
                q.range = Some("24h".into());
            }),
        ),
        (
            "text: rare, last 1h",
            q(&|q| {
                q.text = Some("no such text".into());
                q.range = Some("1h".into());
            }),
        ),
        (
            "text: rare, last 24h",
            q(&|q| {
                q.text = Some("no such text".into());
                q.range = Some("24h".into());
            }),
        ),
    ];
    println!(
        "  first page of 50 (engine.search_events), {} runs each: median / max ms, rows, plan",
        args.runs
    );
    for (name, query) in cases {
        let search = engine
            .event_search(&query)
            .await
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let plan = engine.store.search_plan(&search).await?.join(" | ");
        let mut times = Vec::with_capacity(args.runs);
        let mut rows = 0;
        for _ in 0..args.runs.max(1) {
            let started = Instant::now();
            let page = engine
                .search_events(&query)
                .await
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            rows = page.events.len();
        }
        times.sort_by(f64::total_cmp);
        println!(
            "  {name:<32} {:>8.1} / {:>8.1}  {rows:>3}  {plan}",
            times[times.len() / 2],
            times[times.len() - 1]
        );
    }
    // The next page, through the cursor (two probes: older rows, newer rows).
    let first = engine
        .search_events(&q(&|q| q.event_type = Some("user.session.start".into())))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    let second = engine
        .search_events(&q(&|q| {
            q.event_type = Some("user.session.start".into());
            q.cursor = first.next_cursor.clone();
        }))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "  second page (eventType, by cursor): {:.1} ms, {} rows, newer page: {}",
        started.elapsed().as_secs_f64() * 1000.0,
        second.events.len(),
        second.newer_cursor.is_some()
    );
    Ok(())
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn insert(conn: &mut sqlx::SqliteConnection, batch: &[Generated]) -> anyhow::Result<()> {
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
        "INSERT INTO events (source_id, uuid, event_time, parse_time, event_type, severity, actor_id,
             actor_alternate_id, client_ip, outcome_result, row_id, data) ",
    );
    q.push_values(batch, |mut row, e| {
        row.push_bind(e.source_id)
            .push_bind(&e.uuid)
            .push_bind(e.event_time)
            .push_bind(e.event_time + 1500)
            .push_bind(e.event_type)
            .push_bind(e.severity)
            .push_bind(&e.actor_id)
            .push_bind(&e.actor_alternate_id)
            .push_bind(&e.client_ip)
            .push_bind(e.outcome)
            .push_bind(&e.row_id)
            .push_bind(&e.data);
    });
    // Same text for every full batch: sqlx prepares it once per connection.
    q.build().persistent(true).execute(conn).await?;
    Ok(())
}
