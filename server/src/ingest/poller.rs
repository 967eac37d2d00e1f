//! One poll cycle of one source, following Okta's checkpoint pattern:
//! start from the persisted checkpoint URL; follow `next` while pages are full; after an empty
//! page keep the URL; after a partial page save its `next` and stop. Each page's events and the
//! checkpoint after it are committed in ONE transaction, and storage is idempotent on
//! (source, uuid), so a crash or restart anywhere neither loses nor duplicates an event.

use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use url::Url;

use super::normalize::{normalize_page_enriched, NormalizeContext};
use crate::{
    okta::{client::ensure_same_origin, ErrorClass, OktaError, OktaHttp, RateBudget},
    secrets::SecretBox,
    store::{now_ms, PageCommit, RequestFailure, SourceRow, Store},
};

/// Page size asked of Okta (its maximum): fewest requests against the rate limit.
pub const PAGE_LIMIT: u32 = 1000;
/// Transient failures (5xx, timeouts, resets, unreadable pages) retried within one cycle.
const MAX_TRANSIENT_RETRIES: u32 = 3;
/// 429 answers waited out within one cycle before giving up until the next.
const MAX_RATE_LIMITED: u32 = 5;
/// Longest wait for a rate-limit reset inside a cycle; Okta windows are one minute.
const MAX_RESET_WAIT: Duration = Duration::from_secs(75);

/// What the pollers share.
#[derive(Clone, Debug)]
pub struct PollContext {
    pub store: Store,
    pub http: OktaHttp,
    pub secrets: SecretBox,
    pub metrics: std::sync::Arc<crate::telemetry::metrics::Metrics>,
    /// Told about each finished cycle: checks, system alerts, the no-events alarm.
    pub monitor: std::sync::Arc<crate::alarms::Monitor>,
    /// Each source's profiles, added to its events as `p_enrichment`.
    pub lookups: std::sync::Arc<crate::enrich::Lookups>,
}

/// The result of one cycle, for status, health and the attempts history.
#[derive(Debug, Default)]
pub struct CycleReport {
    pub started_at_ms: i64,
    pub duration_ms: i64,
    pub requests: u32,
    pub pages: u32,
    pub full_pages: u32,
    pub inserted: u64,
    pub quarantined: u64,
    pub rate_limited: u32,
    pub retries: u32,
    /// Failed requests by class (`ErrorClass::as_str`), for metrics.
    pub failed_requests: std::collections::BTreeMap<&'static str, u32>,
    /// Why the cycle stopped early, if it did.
    pub failure: Option<CycleFailure>,
}

#[derive(Debug, thiserror::Error)]
pub enum CycleFailure {
    #[error(transparent)]
    Okta(#[from] OktaError),
    #[error("The stored API token cannot be decrypted: {0}")]
    Secret(#[from] crate::secrets::SecretsError),
    #[error("Storing events failed: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("The checkpoint is not a valid URL for this org: {0}")]
    Checkpoint(String),
}

impl CycleFailure {
    pub fn class(&self) -> ErrorClass {
        match self {
            CycleFailure::Okta(e) => e.class(),
            _ => ErrorClass::Other,
        }
    }
    pub fn code(&self) -> Option<&str> {
        match self {
            CycleFailure::Okta(e) => e.code(),
            _ => None,
        }
    }
}

/// The first request of a new source: a polling request (no `until`) reaching back `backfill`.
pub fn initial_logs_url(origin: &Url, backfill: Duration, now: chrono::DateTime<Utc>) -> Url {
    let since =
        now - chrono::Duration::from_std(backfill).unwrap_or_else(|_| chrono::Duration::hours(24));
    let mut url = origin
        .join("/api/v1/logs")
        .expect("a fixed path joins any base");
    url.query_pairs_mut()
        .append_pair(
            "since",
            &since.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        )
        .append_pair("limit", &PAGE_LIMIT.to_string())
        .append_pair("sortOrder", "ASCENDING");
    url
}

/// The `limit` a page URL asks for (Okta's default is 100).
fn requested_limit(url: &Url) -> usize {
    url.query_pairs()
        .find(|(k, _)| k == "limit")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(100)
}

/// Runs one cycle for `source`. Never panics on Okta's or the network's behaviour: every
/// failure ends the cycle with a [`CycleFailure`] the caller turns into a health state.
pub async fn poll_cycle(
    ctx: &PollContext,
    source: &SourceRow,
    budget: &mut RateBudget,
) -> CycleReport {
    let started = std::time::Instant::now();
    let mut report = CycleReport {
        started_at_ms: now_ms(),
        ..CycleReport::default()
    };
    if let Err(failure) = run_cycle(ctx, source, budget, &mut report).await {
        report.failure = Some(failure);
    }
    report.duration_ms = started.elapsed().as_millis() as i64;
    report
}

async fn run_cycle(
    ctx: &PollContext,
    source: &SourceRow,
    budget: &mut RateBudget,
    report: &mut CycleReport,
) -> Result<(), CycleFailure> {
    let token = ctx.secrets.open_token(&source.token_ciphertext)?;
    let origin = ctx.http.org_url(&source.subdomain, &source.domain)?;
    let mut url = match ctx.store.checkpoint(source.id).await? {
        Some(saved) => {
            let url = Url::parse(&saved).map_err(|e| CycleFailure::Checkpoint(e.to_string()))?;
            ensure_same_origin(&origin, &url)
                .map_err(|e| CycleFailure::Checkpoint(e.to_string()))?;
            url
        }
        None => initial_logs_url(
            &origin,
            Duration::from_secs(source.backfill_hours.max(1) as u64 * 3600),
            Utc::now(),
        ),
    };
    let mut transient = 0;
    // The next page, fetched while the previous one was being committed.
    let mut prefetched: Option<Result<Fetched, OktaError>> = None;
    loop {
        let fetched = match prefetched.take() {
            Some(fetched) => fetched,
            None => {
                if let Some(wait) = budget.wait_before_next(now_ms()) {
                    tracing::debug!(
                        wait_ms = wait.as_millis() as u64,
                        "pacing to stay within the rate-limit share"
                    );
                    tokio::time::sleep(wait).await;
                }
                report.requests += 1;
                fetch_page(ctx, source, &origin, &url, &token).await
            }
        };
        let fetched = match fetched {
            Ok(fetched) => fetched,
            Err(err) => {
                *report
                    .failed_requests
                    .entry(err.class().as_str())
                    .or_default() += 1;
                ctx.store
                    .record_request_failure(source.id, failure_counter(&err))
                    .await?;
                let wait = match &err {
                    OktaError::RateLimited { rate, .. } => {
                        if let Some(rate) = rate {
                            budget.observe(*rate);
                        }
                        report.rate_limited += 1;
                        if report.rate_limited > MAX_RATE_LIMITED {
                            return Err(err.into());
                        }
                        rate_limit_wait(rate.as_ref(), report.rate_limited)
                    }
                    e if e.is_transient() && transient < MAX_TRANSIENT_RETRIES => {
                        transient += 1;
                        report.retries += 1;
                        backoff(transient)
                    }
                    _ => return Err(err.into()),
                };
                tracing::info!(error = %err, wait_ms = wait.as_millis() as u64, "Okta request failed; retrying");
                tokio::time::sleep(wait).await;
                continue;
            }
        };
        if let Some(rate) = fetched.rate {
            budget.observe(rate);
        }
        let page = match fetched.page {
            Ok(page) => page,
            Err(e) => {
                *report
                    .failed_requests
                    .entry(ErrorClass::Decode.as_str())
                    .or_default() += 1;
                ctx.store
                    .record_request_failure(source.id, RequestFailure::Decode)
                    .await?;
                let err = OktaError::Decode(e.to_string());
                if transient >= MAX_TRANSIENT_RETRIES {
                    return Err(err.into());
                }
                transient += 1;
                report.retries += 1;
                tracing::info!(error = %err, "unreadable page; fetching it again");
                tokio::time::sleep(backoff(transient)).await;
                continue;
            }
        };
        transient = 0;
        let next = fetched
            .next
            .as_deref()
            .map(|n| url.join(n))
            .transpose()
            .map_err(|e| OktaError::Decode(format!("the next link is not a URL: {e}")))?;
        // A `next` off the org's host is never followed, and never becomes the checkpoint.
        let off_host = next
            .as_ref()
            .and_then(|n| ensure_same_origin(&origin, n).err());
        let next = next.filter(|_| off_host.is_none());
        // After an empty page keep the checkpoint; otherwise it becomes the page's `next`.
        let advance = next
            .as_ref()
            .filter(|_| page.raw_count > 0)
            .map(Url::as_str);
        let full = page.raw_count >= requested_limit(&url);
        // Follow `next` while pages are full. (A `next` equal to this page's URL would loop.)
        let follow = next.clone().filter(|n| full && *n != url);
        let page_commit = PageCommit {
            source_id: source.id,
            events: &page.events,
            failures: &page.failures,
            next_checkpoint: advance,
            received_at_ms: fetched.received_at.timestamp_millis(),
            body_bytes: fetched.body_bytes,
        };
        let commit = ctx.store.commit_page(&page_commit);
        // Commit this page while the next one is fetched and normalized: SQLite works on its own
        // thread, so the two overlap. The checkpoint still moves one committed page at a time.
        let outcome = match &follow {
            Some(next) if budget.wait_before_next(now_ms()).is_none() => {
                report.requests += 1;
                let (outcome, next_page) =
                    tokio::join!(commit, fetch_page(ctx, source, &origin, next, &token));
                prefetched = Some(next_page);
                outcome?
            }
            _ => commit.await?,
        };
        report.pages += 1;
        report.inserted += outcome.inserted;
        report.quarantined += outcome.quarantined;
        if let Some(off_host) = off_host {
            return Err(off_host.into());
        }
        match follow {
            Some(next) => {
                report.full_pages += 1;
                if report.full_pages == 1 {
                    ctx.store
                        .set_status_state(
                            source.id,
                            "backfilling",
                            "Catching up: following full pages",
                        )
                        .await?;
                }
                url = next;
            }
            // A partial or empty page: caught up.
            None => return Ok(()),
        }
    }
}

/// One page as received: its body normalized (or why not), its links and rate-limit headers.
struct Fetched {
    page: Result<super::normalize::PageOutcome, serde_json::Error>,
    next: Option<String>,
    rate: Option<crate::okta::RateLimit>,
    received_at: chrono::DateTime<Utc>,
    body_bytes: usize,
}

async fn fetch_page(
    ctx: &PollContext,
    source: &SourceRow,
    origin: &Url,
    url: &Url,
    token: &crate::config::Secret,
) -> Result<Fetched, OktaError> {
    let response = ctx.http.get(origin, url, token).await?;
    let received_at = Utc::now();
    let normalize_ctx = NormalizeContext {
        source_id: source.id,
        source_label: source.name.clone(),
        parse_time: received_at,
    };
    let body_bytes = response.body.len();
    // The lookup as it is now: a sync finishing meanwhile applies from the next page.
    let lookup = ctx.lookups.get(source.id);
    // CPU-bound: off the async workers, so the previous page's commit keeps moving meanwhile.
    let body = response.body;
    let page = tokio::task::spawn_blocking(move || {
        normalize_page_enriched(&body, &normalize_ctx, lookup.as_deref())
    })
    .await
    .map_err(|e| OktaError::Decode(format!("normalization did not finish: {e}")))?;
    Ok(Fetched {
        page,
        next: response.links.next,
        rate: response.rate,
        received_at,
        body_bytes,
    })
}

fn failure_counter(err: &OktaError) -> RequestFailure {
    match err.class() {
        ErrorClass::Auth => RequestFailure::Auth,
        ErrorClass::RateLimited => RequestFailure::RateLimited,
        ErrorClass::Server => RequestFailure::Server,
        ErrorClass::Timeout => RequestFailure::Timeout,
        ErrorClass::Transport => RequestFailure::Transport,
        ErrorClass::Decode => RequestFailure::Decode,
        ErrorClass::Other => RequestFailure::Other,
    }
}

/// Until the window resets when Okta says when (and it is a real window, not a concurrency
/// estimate), else an exponential, jittered pause.
pub(crate) fn rate_limit_wait(rate: Option<&crate::okta::RateLimit>, attempt: u32) -> Duration {
    if let Some(rate) = rate.filter(|r| !r.is_concurrency_estimate()) {
        let until_reset = rate.reset * 1000 - now_ms();
        if until_reset > 0 {
            return Duration::from_millis(until_reset as u64 + 250).min(MAX_RESET_WAIT);
        }
    }
    // No usable reset (no headers, or a concurrency 429): 1 s, 2 s, 4 s ... plus jitter, so a
    // budget shared with other tools is not hammered.
    backoff(attempt + 1)
}

/// 0.5 s, 1 s, 2 s, ... (capped at 30 s), each with up to 50% random jitter.
pub(crate) fn backoff(attempt: u32) -> Duration {
    let base = 500u64
        .saturating_mul(1 << attempt.saturating_sub(1).min(6))
        .min(30_000);
    let jitter = rand::thread_rng().gen_range(0..=base / 2);
    Duration::from_millis(base + jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_request_is_a_polling_request_with_since_and_the_max_limit() {
        let origin = Url::parse("https://acme.okta.com/").unwrap();
        let now = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&Utc);
        let url = initial_logs_url(&origin, Duration::from_secs(3600), now);
        assert_eq!(
            url.as_str(),
            "https://acme.okta.com/api/v1/logs?since=2026-01-02T02%3A04%3A05.000Z&limit=1000&sortOrder=ASCENDING"
        );
        assert!(
            !url.query_pairs().any(|(k, _)| k == "until"),
            "no until: a polling request"
        );
        assert_eq!(requested_limit(&url), 1000);
        assert_eq!(
            requested_limit(&Url::parse("https://a.okta.com/api/v1/logs?after=x").unwrap()),
            100
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        for attempt in 1..20 {
            let d = backoff(attempt);
            assert!(
                d >= Duration::from_millis(500) && d <= Duration::from_millis(45_000),
                "{d:?}"
            );
        }
        assert!(backoff(1) <= Duration::from_millis(750));
        assert!(backoff(4) >= Duration::from_millis(4_000));
    }

    #[test]
    fn rate_limit_waits_for_the_reset_unless_it_is_an_estimate() {
        let reset = now_ms() / 1000 + 10;
        let real = crate::okta::RateLimit {
            limit: 120,
            remaining: 0,
            reset,
        };
        let wait = rate_limit_wait(Some(&real), 1);
        assert!(
            wait > Duration::from_secs(8) && wait <= Duration::from_secs(11),
            "{wait:?}"
        );
        let estimate = crate::okta::RateLimit {
            limit: 0,
            remaining: 0,
            reset,
        };
        let wait = rate_limit_wait(Some(&estimate), 1);
        assert!(
            wait >= Duration::from_secs(1) && wait <= Duration::from_millis(1500),
            "{wait:?}"
        );
    }
}
