//! Okta's rate-limit headers and the pacing that keeps one source within its share of a bucket.

use std::time::Duration;

use http::HeaderMap;

/// `X-Rate-Limit-Limit/-Remaining/-Reset` from one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: u32,
    pub remaining: u32,
    /// UTC epoch seconds when the window resets.
    pub reset: i64,
}

impl RateLimit {
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let num =
            |name: &str| -> Option<i64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
        Some(Self {
            limit: u32::try_from(num("x-rate-limit-limit")?).ok()?,
            remaining: u32::try_from(num("x-rate-limit-remaining")?).ok()?,
            reset: num("x-rate-limit-reset")?,
        })
    }

    /// A concurrency 429 sets Limit and Remaining to 0: then Reset is only an estimate.
    pub fn is_concurrency_estimate(&self) -> bool {
        self.limit == 0 && self.remaining == 0
    }
}

/// One source's use of its org's per-minute bucket. Okta's windows are not aligned to wall-clock
/// minutes: a new `reset` value means a new window, so the count starts again.
#[derive(Debug, Clone)]
pub struct RateBudget {
    share: f64,
    last: Option<RateLimit>,
    used_in_window: u32,
}

impl RateBudget {
    pub fn new(share: f64) -> Self {
        Self {
            share: share.clamp(0.01, 1.0),
            last: None,
            used_in_window: 0,
        }
    }

    /// Follows a changed setting; the window's count is kept.
    pub fn set_share(&mut self, share: f64) {
        self.share = share.clamp(0.01, 1.0);
    }

    /// Records the headers of a response this source received.
    pub fn observe(&mut self, rate: RateLimit) {
        if rate.is_concurrency_estimate() {
            return;
        }
        match self.last {
            Some(last) if last.reset == rate.reset => self.used_in_window += 1,
            _ => self.used_in_window = 1,
        }
        self.last = Some(rate);
    }

    /// Requests this source may make in a window of `limit`.
    pub fn allowance(&self, limit: u32) -> u32 {
        ((f64::from(limit) * self.share).floor() as u32).max(1)
    }

    /// How long to wait before the next request, `now` in epoch milliseconds. `None`: go now.
    /// Waits when this source has used its share of the window, or the bucket is empty.
    pub fn wait_before_next(&self, now_ms: i64) -> Option<Duration> {
        let last = self.last?;
        let reset_ms = last.reset * 1000;
        if now_ms >= reset_ms {
            return None;
        }
        let exhausted = last.remaining == 0 || self.used_in_window >= self.allowance(last.limit);
        // +250 ms: the reset second is rounded down by Okta; do not race it.
        exhausted.then(|| Duration::from_millis((reset_ms - now_ms + 250) as u64))
    }

    pub fn last(&self) -> Option<RateLimit> {
        self.last
    }

    pub fn used_in_window(&self) -> u32 {
        self.used_in_window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(limit: u32, remaining: u32, reset: i64) -> RateLimit {
        RateLimit {
            limit,
            remaining,
            reset,
        }
    }

    #[test]
    fn parses_headers() {
        let mut h = HeaderMap::new();
        h.insert("X-Rate-Limit-Limit", "120".parse().unwrap());
        h.insert("X-Rate-Limit-Remaining", "119".parse().unwrap());
        h.insert("X-Rate-Limit-Reset", "1700000060".parse().unwrap());
        assert_eq!(
            RateLimit::from_headers(&h),
            Some(rate(120, 119, 1_700_000_060))
        );
        h.remove("X-Rate-Limit-Reset");
        assert_eq!(RateLimit::from_headers(&h), None);
    }

    #[test]
    fn uses_at_most_its_share_then_waits_for_the_reset() {
        let mut budget = RateBudget::new(0.5);
        let now = 1_700_000_000_000;
        let reset = 1_700_000_030;
        for i in 0..10 {
            assert_eq!(budget.wait_before_next(now), None, "request {i} allowed");
            budget.observe(rate(20, 19 - i, reset));
        }
        // 10 of 20 used: half the bucket.
        let wait = budget.wait_before_next(now).unwrap();
        assert_eq!(wait, Duration::from_millis(30_250));
        // After the reset, a new window starts.
        assert_eq!(budget.wait_before_next(reset * 1000), None);
        budget.observe(rate(20, 19, reset + 60));
        assert_eq!(budget.used_in_window(), 1);
    }

    #[test]
    fn an_empty_bucket_waits_even_under_the_share() {
        let mut budget = RateBudget::new(0.5);
        budget.observe(rate(120, 0, 1_700_000_010));
        assert!(budget.wait_before_next(1_700_000_000_000).is_some());
    }

    #[test]
    fn concurrency_estimates_do_not_count() {
        let mut budget = RateBudget::new(0.5);
        budget.observe(rate(0, 0, 1_700_000_010));
        assert_eq!(budget.last(), None);
    }
}
