//! `Okta.PotentiallyStolenSession`: an Okta session cookie turned up on a different client. Follows
//! Panther's `rules/okta_rules/okta_potentially_stolen_session.{py,yml}`.
//!
//! The rule is stateful, as Panther's is: the first sign-in or SSO event of a session (keyed by
//! `externalSessionId` + `debugData.dtHash`) stores the client's fingerprint for one day (the Okta
//! session lifetime); a later event of the same session alerts when it comes from an IP that is
//! not in the fingerprint AND a user agent less than 95% similar (difflib's ratio, so browser
//! upgrades within a session do not alert). Panther keeps the fingerprints in its key-value cache;
//! until Gatehouse has one, they live in this process, bounded, and expire by event time.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::DateTime;
use serde_json::Value;

use super::or_placeholder;
use crate::detect::{deep_get, deep_str, event_type, Rule, Severity};

pub static RULE: Rule = Rule {
    id: "Okta.PotentiallyStolenSession",
    name: "Okta Potentially Stolen Session",
    severity: Severity::High,
    runbook: "Check whether the user really has the session on two devices, one of them \
              unknown; if so, lock the Okta account and clear the user's sessions in Okta and \
              in downstream apps.",
    reference: "https://sec.okta.com/sessioncookietheft",
    matches,
    title,
    ..Rule::DEFAULT
};

const EVENT_TYPES: [&str; 2] = ["user.authentication.sso", "user.session.start"];
/// Okta's own clients, whose IP and user agent legitimately change within a session
/// (Okta support article "okta-integrations-showing-as-rawuseragent-with-okta-ips").
const OKTA_CLIENT_IDS: [&str; 1] = ["okta.b58d5b75-07d4-5f25-bf59-368a1261a405"]; // Admin Console
const FUZZ_RATIO_MIN: f64 = 0.95;
/// How long a session is valid for (an Okta org setting; Panther assumes one day).
const SESSION_TIMEOUT_SECS: i64 = 24 * 60 * 60;
/// Fingerprints kept at most; beyond this, expired and then the oldest are dropped.
const MAX_SESSIONS: usize = 100_000;
const UA_TAG: &str = "user_agent:";

/// What a session's first event looked like: the strings Panther stores, and when they expire.
struct Fingerprint {
    items: Vec<String>,
    expires_at: i64,
}

static SESSIONS: Mutex<BTreeMap<String, Fingerprint>> = Mutex::new(BTreeMap::new());

/// `deep_str`, or `"unknown"` when the field is missing (Panther's default).
fn or_unknown<'a>(event: &'a Value, keys: &[&str]) -> &'a str {
    or_placeholder(deep_str(event, keys), "unknown")
}

/// The event time in epoch seconds, from `p_event_time` or else `published`.
fn event_epoch(event: &Value) -> i64 {
    ["p_event_time", "published"]
        .iter()
        .map(|key| deep_str(event, &[key]))
        .find_map(|s| DateTime::parse_from_rfc3339(s).ok())
        .map_or(0, |t| t.timestamp())
}

fn fingerprint_items(event: &Value) -> Vec<String> {
    let as_number = match deep_get(event, &["securityContext", "asNumber"]) {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "None".to_string(),
    };
    vec![
        as_number,
        deep_str(event, &["client", "ipAddress"]).to_string(),
        format!(
            "{UA_TAG}{}",
            deep_str(event, &["client", "userAgent", "rawUserAgent"])
        ),
        deep_str(event, &["client", "userAgent", "browser"]).to_string(),
        deep_str(event, &["client", "userAgent", "os"]).to_string(),
        deep_str(event, &["p_event_time"]).to_string(),
        format!(
            "sign_on_mode:{}",
            or_unknown(event, &["debugContext", "debugData", "signOnMode"])
        ),
        format!(
            "threat_suspected:{}",
            or_unknown(event, &["debugContext", "debugData", "threat_suspected"])
        ),
    ]
}

/// True when this event uses a known session from a new IP and a clearly different browser.
fn differs_from(previous: &Fingerprint, event: &Value) -> bool {
    let previous_ua = previous
        .items
        .iter()
        .find_map(|item| item.strip_prefix(UA_TAG))
        .unwrap_or("prev_ua_not_found");
    let current_ua = or_placeholder(
        deep_str(event, &["client", "userAgent", "rawUserAgent"]),
        "ua_not_found",
    );
    let ip = or_placeholder(deep_str(event, &["client", "ipAddress"]), "ip_not_found");
    !previous.items.iter().any(|item| item == ip)
        && similarity_ratio(current_ua, previous_ua) < FUZZ_RATIO_MIN
}

fn matches(event: &Value) -> bool {
    if OKTA_CLIENT_IDS.contains(&deep_str(event, &["client", "id"])) {
        return false;
    }
    let session_id = or_unknown(event, &["authenticationContext", "externalSessionId"]);
    let dt_hash = or_unknown(event, &["debugContext", "debugData", "dtHash"]);
    if !EVENT_TYPES.contains(&event_type(event)) || session_id == "unknown" || dt_hash == "unknown"
    {
        return false;
    }
    let key = format!("{session_id}-{dt_hash}");
    let now = event_epoch(event);
    let mut sessions = SESSIONS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    match sessions.get(&key) {
        Some(previous) if previous.expires_at > now => differs_from(previous, event),
        _ => {
            make_room(&mut sessions, now);
            let fingerprint = Fingerprint {
                items: fingerprint_items(event),
                expires_at: now + SESSION_TIMEOUT_SECS,
            };
            sessions.insert(key, fingerprint);
            false
        }
    }
}

/// Keeps the store under [`MAX_SESSIONS`]: drops expired fingerprints, then the oldest tenth.
fn make_room(sessions: &mut BTreeMap<String, Fingerprint>, now: i64) {
    if sessions.len() < MAX_SESSIONS {
        return;
    }
    sessions.retain(|_, f| f.expires_at > now);
    if sessions.len() < MAX_SESSIONS {
        return;
    }
    let mut expiries: Vec<i64> = sessions.values().map(|f| f.expires_at).collect();
    let cut = expiries.len() / 10;
    let (_, cutoff, _) = expiries.select_nth_unstable(cut);
    let cutoff = *cutoff;
    sessions.retain(|_, f| f.expires_at > cutoff);
}

/// Python's `difflib.SequenceMatcher(None, a, b).ratio()`: twice the characters in matching
/// blocks over the total length. As difflib does by default, characters of `b` that make up
/// more than 1% of a `b` of 200+ characters are not used to start a match ("autojunk").
fn similarity_ratio(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    let mut b2j: BTreeMap<char, Vec<usize>> = BTreeMap::new();
    for (j, c) in b.iter().enumerate() {
        b2j.entry(*c).or_default().push(j);
    }
    if b.len() >= 200 {
        let popular = b.len() / 100 + 1;
        b2j.retain(|_, positions| positions.len() <= popular);
    }
    let mut matched = 0;
    let mut queue = vec![(0, a.len(), 0, b.len())];
    while let Some((alo, ahi, blo, bhi)) = queue.pop() {
        let (i, j, k) = longest_match(&a, &b, &b2j, (alo, ahi), (blo, bhi));
        if k > 0 {
            matched += k;
            if alo < i && blo < j {
                queue.push((alo, i, blo, j));
            }
            if i + k < ahi && j + k < bhi {
                queue.push((i + k, ahi, j + k, bhi));
            }
        }
    }
    2.0 * matched as f64 / total as f64
}

/// difflib's `find_longest_match` without a junk function: the longest block `a[i..i+k] ==
/// b[j..j+k]` in the ranges, earliest in `a` then `b`, grown over "popular" characters.
fn longest_match(
    a: &[char],
    b: &[char],
    b2j: &BTreeMap<char, Vec<usize>>,
    (alo, ahi): (usize, usize),
    (blo, bhi): (usize, usize),
) -> (usize, usize, usize) {
    let (mut best_i, mut best_j, mut best_k) = (alo, blo, 0);
    let mut run_ending_at: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, c) in a.iter().enumerate().take(ahi).skip(alo) {
        let mut next: BTreeMap<usize, usize> = BTreeMap::new();
        for &j in b2j.get(c).into_iter().flatten() {
            if j < blo {
                continue;
            }
            if j >= bhi {
                break;
            }
            let k = j
                .checked_sub(1)
                .and_then(|p| run_ending_at.get(&p))
                .copied()
                .unwrap_or(0)
                + 1;
            next.insert(j, k);
            if k > best_k {
                (best_i, best_j, best_k) = (i + 1 - k, j + 1 - k, k);
            }
        }
        run_ending_at = next;
    }
    while best_i > alo && best_j > blo && a[best_i - 1] == b[best_j - 1] {
        best_i -= 1;
        best_j -= 1;
        best_k += 1;
    }
    while best_i + best_k < ahi && best_j + best_k < bhi && a[best_i + best_k] == b[best_j + best_k]
    {
        best_k += 1;
    }
    (best_i, best_j, best_k)
}

fn title(event: &Value) -> String {
    format!(
        "Potentially Stolen Okta Session - {}",
        or_placeholder(deep_str(event, &["actor", "displayName"]), "Unknown_user")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LINUX_CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like \
                                Gecko) Chrome/84.0.4147.135 Safari/537.36";
    const MAC_CHROME: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
                              (KHTML, like Gecko) Chrome/105.0.0.0 Safari/537.36";

    /// Each test uses its own session id: the store is shared by the whole test binary.
    fn login(session: &str, ip: &str, user_agent: &str, published: &str) -> Value {
        json!({
            "eventType": "user.session.start",
            "published": published,
            "outcome": {"result": "SUCCESS"},
            "actor": {"alternateId": "bob@example.com", "displayName": "Bobert"},
            "client": {"ipAddress": ip, "userAgent": {"rawUserAgent": user_agent, "browser": "CHROME", "os": "Linux"}},
            "securityContext": {"asNumber": 263297},
            "authenticationContext": {"externalSessionId": session},
            "debugContext": {"debugData": {"dtHash": "kzpx58a99d2oam"}},
        })
    }

    const T0: &str = "2026-11-24T10:00:00.000Z";
    const T1: &str = "2026-11-24T12:00:00.000Z";

    #[test]
    fn session_reused_from_new_ip_and_different_browser_matches() {
        let first = login("idx-stolen", "203.0.113.1", MAC_CHROME, T0);
        assert!(RULE.evaluate(&first).is_none(), "first sighting is stored");
        let mut thief = login("idx-stolen", "198.51.100.9", LINUX_CHROME, T1);
        thief["eventType"] = json!("user.authentication.sso");
        let m = RULE.evaluate(&thief).expect("match");
        assert_eq!(m.title, "Potentially Stolen Okta Session - Bobert");
        assert_eq!(m.severity, Severity::High);
    }

    #[test]
    fn same_ip_or_same_browser_does_not_match() {
        let first = login("idx-same", "203.0.113.2", LINUX_CHROME, T0);
        assert!(RULE.evaluate(&first).is_none());
        // Same IP, other browser (e.g. a second browser on the same network).
        assert!(RULE
            .evaluate(&login("idx-same", "203.0.113.2", MAC_CHROME, T1))
            .is_none());
        // New IP, same browser (e.g. a laptop moving networks).
        assert!(RULE
            .evaluate(&login("idx-same", "198.51.100.2", LINUX_CHROME, T1))
            .is_none());
        // New IP, browser upgraded in place: still over 95% similar.
        let upgraded = LINUX_CHROME.replace("84.0.4147.135", "84.0.4147.136");
        assert!(RULE
            .evaluate(&login("idx-same", "198.51.100.2", &upgraded, T1))
            .is_none());
    }

    #[test]
    fn expired_session_starts_over() {
        assert!(RULE
            .evaluate(&login("idx-expired", "203.0.113.3", MAC_CHROME, T0))
            .is_none());
        let next_day = "2026-11-25T10:00:01.000Z";
        assert!(RULE
            .evaluate(&login(
                "idx-expired",
                "198.51.100.3",
                LINUX_CHROME,
                next_day
            ))
            .is_none());
    }

    #[test]
    fn okta_admin_console_client_and_unknown_sessions_are_ignored() {
        assert!(RULE
            .evaluate(&login("idx-console", "203.0.113.4", MAC_CHROME, T0))
            .is_none());
        let mut console = login("idx-console", "44.238.82.114", "Okta-Integrations", T1);
        console["client"]["id"] = json!("okta.b58d5b75-07d4-5f25-bf59-368a1261a405");
        assert!(RULE.evaluate(&console).is_none());

        let mut no_hash = login("idx-nohash", "203.0.113.5", MAC_CHROME, T0);
        no_hash["debugContext"] = json!({"debugData": {}});
        assert!(RULE.evaluate(&no_hash).is_none());
        no_hash["client"]["ipAddress"] = json!("198.51.100.5");
        no_hash["client"]["userAgent"]["rawUserAgent"] = json!(LINUX_CHROME);
        assert!(RULE.evaluate(&no_hash).is_none());
    }

    #[test]
    fn other_event_types_are_ignored() {
        let mut event = login("idx-other", "203.0.113.6", MAC_CHROME, T0);
        event["eventType"] = json!("user.session.end");
        assert!(RULE.evaluate(&event).is_none());
        assert!(SESSIONS
            .lock()
            .expect("lock")
            .keys()
            .all(|k| !k.starts_with("idx-other")));
    }

    #[test]
    fn similarity_ratio_agrees_with_difflib() {
        // Values computed with Python's difflib.SequenceMatcher(None, a, b).ratio().
        assert_eq!(similarity_ratio("", ""), 1.0);
        assert!((similarity_ratio("abcd", "bcde") - 0.75).abs() < 1e-9);
        assert!(
            (similarity_ratio("private Thread", "private volatile Thread") - 0.7567567567567568)
                .abs()
                < 1e-9
        );
        assert!((similarity_ratio(LINUX_CHROME, MAC_CHROME) - 0.7567567567567568).abs() < 1e-9);
        // Over 200 characters difflib's autojunk applies (0.4366 without it).
        let a = format!("{LINUX_CHROME} okta-auth-js/7.0.1 okta-signin-widget-7.16.1 {MAC_CHROME}");
        let b = format!("{MAC_CHROME} okta-auth-js/7.0.2 okta-signin-widget-7.16.1 {LINUX_CHROME}");
        assert!((similarity_ratio(&a, &b) - 0.3917910447761194).abs() < 1e-9);
    }
}
