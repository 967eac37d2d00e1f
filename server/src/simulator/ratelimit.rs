//! Okta-style rate limits: per org and endpoint family, requests per minute, in windows that
//! start at the first request after the previous window ended (not on wall-clock minutes).

use serde::{Deserialize, Serialize};

/// Okta's windows are one minute; tests may shorten them (`OrgConfig::rate_limit_window`).
pub(crate) const DEFAULT_WINDOW_MS: i64 = 60_000;

/// The endpoint families Okta limits separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bucket {
    Logs,
    Users,
    Devices,
}

impl Bucket {
    pub fn for_path(path: &str) -> Option<Bucket> {
        let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
        if under("/api/v1/logs") {
            Some(Bucket::Logs)
        } else if under("/api/v1/users") {
            Some(Bucket::Users)
        } else if under("/api/v1/devices") {
            Some(Bucket::Devices)
        } else {
            None
        }
    }
}

/// Requests per minute per bucket; `None` (or 0) turns a bucket off: no headers, no limiting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimits {
    pub logs: Option<u32>,
    pub users: Option<u32>,
    pub devices: Option<u32>,
}

/// The values of the `X-Rate-Limit-*` headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RateHeaders {
    pub limit: u32,
    pub remaining: u32,
    /// UTC epoch seconds.
    pub reset: i64,
}

pub(crate) enum Decision {
    /// The bucket is off.
    Unlimited,
    Allowed(RateHeaders),
    Limited(RateHeaders),
}

#[derive(Debug, Default)]
struct Window {
    limit: Option<u32>,
    used: u32,
    ends_ms: i64,
}

#[derive(Debug)]
pub(crate) struct RateLimiter {
    windows: [Window; 3],
    window_ms: i64,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self {
            windows: Default::default(),
            window_ms: DEFAULT_WINDOW_MS,
        }
    }
}

fn slot(bucket: Bucket) -> usize {
    match bucket {
        Bucket::Logs => 0,
        Bucket::Users => 1,
        Bucket::Devices => 2,
    }
}

impl RateLimiter {
    #[cfg(test)]
    pub fn new(limits: RateLimits) -> Self {
        Self::with_window(limits, DEFAULT_WINDOW_MS)
    }

    pub fn with_window(limits: RateLimits, window_ms: i64) -> Self {
        let mut limiter = RateLimiter {
            window_ms: window_ms.max(1_000),
            ..RateLimiter::default()
        };
        limiter.set(limits);
        limiter
    }

    pub fn set(&mut self, limits: RateLimits) {
        for (bucket, limit) in [
            (Bucket::Logs, limits.logs),
            (Bucket::Users, limits.users),
            (Bucket::Devices, limits.devices),
        ] {
            self.windows[slot(bucket)].limit = limit.filter(|&l| l > 0);
        }
    }

    pub fn limits(&self) -> RateLimits {
        RateLimits {
            logs: self.windows[0].limit,
            users: self.windows[1].limit,
            devices: self.windows[2].limit,
        }
    }

    /// Counts one request against `bucket` at `now_ms`.
    pub fn check(&mut self, bucket: Bucket, now_ms: i64) -> Decision {
        let window = &mut self.windows[slot(bucket)];
        let Some(limit) = window.limit else {
            return Decision::Unlimited;
        };
        if now_ms >= window.ends_ms {
            window.used = 0;
            window.ends_ms = now_ms + self.window_ms;
        }
        let reset = reset_secs(window.ends_ms);
        if window.used < limit {
            window.used += 1;
            Decision::Allowed(RateHeaders {
                limit,
                remaining: limit - window.used,
                reset,
            })
        } else {
            Decision::Limited(RateHeaders {
                limit,
                remaining: 0,
                reset,
            })
        }
    }

    /// The headers of an exhausted window, without counting a request (for injected 429s).
    pub fn exhausted(&self, bucket: Option<Bucket>, now_ms: i64) -> RateHeaders {
        let window = bucket.map(|b| &self.windows[slot(b)]);
        let limit = window.and_then(|w| w.limit).unwrap_or(match bucket {
            Some(Bucket::Users) => 600,
            Some(Bucket::Devices) => 100,
            _ => 120,
        });
        let ends_ms = window
            .map(|w| w.ends_ms)
            .filter(|&e| e > now_ms)
            .unwrap_or(now_ms + self.window_ms);
        RateHeaders {
            limit,
            remaining: 0,
            reset: reset_secs(ends_ms),
        }
    }
}

fn reset_secs(ends_ms: i64) -> i64 {
    (ends_ms + 999).div_euclid(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_start_at_the_first_request_after_the_last_one_ended() {
        let mut rl = RateLimiter::new(RateLimits {
            logs: Some(2),
            users: None,
            devices: Some(0),
        });
        let t0 = 1_000_500;
        let Decision::Allowed(h) = rl.check(Bucket::Logs, t0) else {
            panic!()
        };
        assert_eq!(
            h,
            RateHeaders {
                limit: 2,
                remaining: 1,
                reset: 1_061
            }
        );
        assert!(matches!(
            rl.check(Bucket::Logs, t0 + 10),
            Decision::Allowed(RateHeaders { remaining: 0, .. })
        ));
        assert!(matches!(
            rl.check(Bucket::Logs, t0 + 59_999),
            Decision::Limited(RateHeaders {
                remaining: 0,
                reset: 1_061,
                ..
            })
        ));
        // The next window starts with the next request, not at a minute boundary.
        let Decision::Allowed(h) = rl.check(Bucket::Logs, t0 + 75_000) else {
            panic!()
        };
        assert_eq!(h.reset, (t0 + 135_000 + 999) / 1000);
        assert!(matches!(rl.check(Bucket::Users, t0), Decision::Unlimited));
        assert!(matches!(rl.check(Bucket::Devices, t0), Decision::Unlimited));
    }

    #[test]
    fn buckets_follow_paths() {
        assert_eq!(Bucket::for_path("/api/v1/logs"), Some(Bucket::Logs));
        assert_eq!(Bucket::for_path("/api/v1/users/00u1"), Some(Bucket::Users));
        assert_eq!(Bucket::for_path("/api/v1/devices"), Some(Bucket::Devices));
        assert_eq!(Bucket::for_path("/api/v1/logsx"), None);
        assert_eq!(Bucket::for_path("/api/v1/groups"), None);
    }
}
