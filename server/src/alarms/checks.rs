//! The health checks' states (pure). Keys are those of `app::model::health::CHECKS`:
//! `credentials`, `classification` and `rate_limits` follow each poll; `receiving_data` mirrors
//! the no-events alarm.

use app::model::health::{AlarmState, CheckState};

use crate::store::CheckWrite;

/// Events failing classification within an hour that make a burst (failing check, HIGH alert).
pub const CLASSIFICATION_BURST: i64 = 10;
/// Below this share of the rate-limit window left, the rate-limit check warns.
const LOW_HEADROOM: f64 = 0.10;

/// What a finished poll cycle tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleFacts {
    /// Okta refused the token (401/403), in Okta's words with its code.
    pub auth_failure: Option<String>,
    /// The cycle failed (for any reason).
    pub failed: bool,
    /// Events quarantined in the last hour (health minutes).
    pub classification_failures_last_hour: i64,
    /// 429 answers in this cycle.
    pub rate_limited: u32,
    /// The org's System Log bucket, last seen: (limit, remaining).
    pub rate: Option<(i64, i64)>,
}

fn check(key: &'static str, state: CheckState, detail: impl Into<String>) -> CheckWrite {
    CheckWrite {
        key,
        state: state.as_str(),
        detail: detail.into(),
    }
}

fn events(n: i64) -> String {
    if n == 1 {
        "1 event".into()
    } else {
        format!("{n} events")
    }
}

/// The checks a cycle decides. A check it cannot tell about (credentials after a failure that
/// is not Okta's refusal, rate limits without headers after a failure) is left out: it keeps
/// its state.
pub fn after_cycle(facts: &CycleFacts) -> Vec<CheckWrite> {
    let mut checks = Vec::with_capacity(3);
    match (&facts.auth_failure, facts.failed) {
        (Some(words), _) => checks.push(check("credentials", CheckState::Failing, words)),
        (None, false) => checks.push(check(
            "credentials",
            CheckState::Passing,
            "Okta accepted the token in the last poll",
        )),
        (None, true) => {}
    }
    let failures = facts.classification_failures_last_hour;
    checks.push(match failures {
        0 => check(
            "classification",
            CheckState::Passing,
            "No events failed classification in the last hour",
        ),
        n => check(
            "classification",
            if n >= CLASSIFICATION_BURST {
                CheckState::Failing
            } else {
                CheckState::Warning
            },
            format!(
                "{} failed classification in the last hour (kept in quarantine)",
                events(n)
            ),
        ),
    });
    let headroom = facts
        .rate
        .filter(|(limit, remaining)| *limit > 0 && *remaining >= 0);
    match (facts.rate_limited, headroom) {
        (n @ 1.., _) => checks.push(check(
            "rate_limits",
            CheckState::Warning,
            format!(
                "Okta's rate limit was reached {} in the last poll",
                if n == 1 {
                    "once".to_owned()
                } else {
                    format!("{n} times")
                }
            ),
        )),
        (0, Some((limit, remaining))) if (remaining as f64) < limit as f64 * LOW_HEADROOM => checks
            .push(check(
                "rate_limits",
                CheckState::Warning,
                format!("Only {remaining} of {limit} requests left in the rate-limit window"),
            )),
        (0, Some((limit, remaining))) => checks.push(check(
            "rate_limits",
            CheckState::Passing,
            format!("{remaining} of {limit} requests left in the rate-limit window"),
        )),
        (0, None) if !facts.failed => checks.push(check(
            "rate_limits",
            CheckState::Unknown,
            "Okta sent no rate-limit headers",
        )),
        (0, None) => {}
    }
    checks
}

/// `receiving_data` from the alarm; with the alarm off, from whether events were stored in the
/// last 24 hours.
pub fn receiving_data(alarm: AlarmState, alarm_reason: &str, stored_last_day: bool) -> CheckWrite {
    let (state, detail) = match alarm {
        AlarmState::Ok => (CheckState::Passing, alarm_reason.to_owned()),
        AlarmState::Alarm => (CheckState::Failing, alarm_reason.to_owned()),
        AlarmState::InsufficientData => (CheckState::Unknown, alarm_reason.to_owned()),
        AlarmState::Disabled if stored_last_day => (
            CheckState::Passing,
            "Events stored in the last 24 hours (the no-events alarm is off)".to_owned(),
        ),
        AlarmState::Disabled => (
            CheckState::Warning,
            "No events stored in the last 24 hours (the no-events alarm is off)".to_owned(),
        ),
    };
    check("receiving_data", state, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_cycle() -> CycleFacts {
        CycleFacts {
            auth_failure: None,
            failed: false,
            classification_failures_last_hour: 0,
            rate_limited: 0,
            rate: Some((120, 100)),
        }
    }

    fn find<'a>(checks: &'a [CheckWrite], key: &str) -> Option<&'a CheckWrite> {
        checks.iter().find(|c| c.key == key)
    }

    #[test]
    fn a_good_poll_passes_everything() {
        let checks = after_cycle(&ok_cycle());
        assert!(checks.iter().all(|c| c.state == "passing"), "{checks:?}");
        assert_eq!(
            find(&checks, "rate_limits").unwrap().detail,
            "100 of 120 requests left in the rate-limit window"
        );
    }

    #[test]
    fn okta_refusing_the_token_fails_credentials_and_other_failures_leave_it() {
        let refused = after_cycle(&CycleFacts {
            auth_failure: Some("Okta rejected the token (E0000011: Invalid token provided)".into()),
            failed: true,
            rate: None,
            ..ok_cycle()
        });
        let credentials = find(&refused, "credentials").unwrap();
        assert_eq!(credentials.state, "failing");
        assert!(credentials.detail.contains("E0000011"));
        assert!(
            find(&refused, "rate_limits").is_none(),
            "unknown after a failure: left as is"
        );
        let timeout = after_cycle(&CycleFacts {
            failed: true,
            ..ok_cycle()
        });
        assert!(find(&timeout, "credentials").is_none());
    }

    #[test]
    fn classification_warns_then_fails_at_a_burst() {
        let state = |n| {
            let checks = after_cycle(&CycleFacts {
                classification_failures_last_hour: n,
                ..ok_cycle()
            });
            let c = find(&checks, "classification").unwrap().clone();
            (c.state, c.detail)
        };
        assert_eq!(state(0).0, "passing");
        assert_eq!(
            state(1),
            (
                "warning",
                "1 event failed classification in the last hour (kept in quarantine)".into()
            )
        );
        assert_eq!(state(9).0, "warning");
        assert_eq!(state(10).0, "failing");
    }

    #[test]
    fn rate_limits_warn_on_429s_and_low_headroom() {
        let limited = after_cycle(&CycleFacts {
            rate_limited: 2,
            ..ok_cycle()
        });
        assert_eq!(
            find(&limited, "rate_limits").unwrap().detail,
            "Okta's rate limit was reached 2 times in the last poll"
        );
        let low = after_cycle(&CycleFacts {
            rate: Some((120, 11)),
            ..ok_cycle()
        });
        let low = find(&low, "rate_limits").unwrap();
        assert_eq!(
            (low.state, low.detail.as_str()),
            (
                "warning",
                "Only 11 of 120 requests left in the rate-limit window"
            )
        );
        let unknown = after_cycle(&CycleFacts {
            rate: None,
            ..ok_cycle()
        });
        assert_eq!(find(&unknown, "rate_limits").unwrap().state, "unknown");
    }

    #[test]
    fn receiving_data_mirrors_the_alarm() {
        assert_eq!(
            receiving_data(AlarmState::Ok, "fine", false).state,
            "passing"
        );
        assert_eq!(
            receiving_data(AlarmState::Alarm, "No events for 1 hour", true).state,
            "failing"
        );
        assert_eq!(
            receiving_data(AlarmState::InsufficientData, "Paused: not evaluated", true).state,
            "unknown"
        );
        assert_eq!(
            receiving_data(AlarmState::Disabled, "", true).state,
            "passing"
        );
        assert_eq!(
            receiving_data(AlarmState::Disabled, "", false).state,
            "warning"
        );
    }
}
