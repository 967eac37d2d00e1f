//! The no-events alarm's state, decided from the facts (pure): Panther's "no events for N
//! minutes" alarm with CloudWatch's states.

use app::model::health::AlarmState;
use chrono::{DateTime, SecondsFormat};

/// Whether the source polls, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    Polling,
    Paused,
    SetupUnfinished,
}

/// Everything the decision needs. Times are Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlarmFacts {
    pub now_ms: i64,
    /// The alarm is switched on for the source.
    pub alarm_on: bool,
    pub threshold_minutes: u32,
    /// How long one threshold minute lasts (60 000; shorter in tests).
    pub minute_ms: i64,
    pub activity: Activity,
    /// When the source last started polling or its alarm settings changed.
    pub armed_at: i64,
    /// When events were last stored.
    pub last_stored_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlarmDecision {
    pub state: AlarmState,
    /// Why, in words.
    pub reason: String,
}

/// - alarm off: DISABLED;
/// - paused or not set up: INSUFFICIENT_DATA (not evaluated);
/// - events stored since arming, within the threshold: OK;
/// - nothing stored since arming, and the threshold has not passed since: INSUFFICIENT_DATA;
/// - otherwise ALARM.
pub fn decide(facts: &AlarmFacts) -> AlarmDecision {
    let decision = |state, reason: String| AlarmDecision { state, reason };
    if !facts.alarm_on {
        return decision(
            AlarmState::Disabled,
            "The no-events alarm is off for this source".into(),
        );
    }
    match facts.activity {
        Activity::Polling => {}
        Activity::Paused => {
            return decision(AlarmState::InsufficientData, "Paused: not evaluated".into())
        }
        Activity::SetupUnfinished => {
            return decision(
                AlarmState::InsufficientData,
                "Setup is not finished: not evaluated".into(),
            )
        }
    }
    let threshold_ms = i64::from(facts.threshold_minutes) * facts.minute_ms;
    let threshold = threshold_words(facts.threshold_minutes);
    let since_arming = facts.last_stored_at.filter(|at| *at >= facts.armed_at);
    match since_arming {
        Some(last) if facts.now_ms - last < threshold_ms => decision(
            AlarmState::Ok,
            format!(
                "Events stored within {threshold} (last at {})",
                rfc3339(last)
            ),
        ),
        Some(last) => decision(
            AlarmState::Alarm,
            format!("No events for {threshold} (last at {})", rfc3339(last)),
        ),
        None if facts.now_ms - facts.armed_at < threshold_ms => decision(
            AlarmState::InsufficientData,
            format!(
                "No events yet since polling started at {}; the alarm goes off after {threshold} without events",
                rfc3339(facts.armed_at)
            ),
        ),
        None => decision(
            AlarmState::Alarm,
            format!(
                "No events for {threshold} (none since polling started at {})",
                rfc3339(facts.armed_at)
            ),
        ),
    }
}

/// `15 minutes`, `1 hour`, `24 hours`, `3 days`.
pub fn threshold_words(minutes: u32) -> String {
    let plural = |n: u32, unit: &str| {
        if n == 1 {
            format!("1 {unit}")
        } else {
            format!("{n} {unit}s")
        }
    };
    if minutes >= 2 * 1440 && minutes.is_multiple_of(1440) {
        plural(minutes / 1440, "day")
    } else if minutes >= 60 && minutes.is_multiple_of(60) {
        plural(minutes / 60, "hour")
    } else {
        plural(minutes, "minute")
    }
}

pub(crate) fn rfc3339(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;
    const T0: i64 = 1_700_000_000_000;

    fn facts() -> AlarmFacts {
        AlarmFacts {
            now_ms: T0,
            alarm_on: true,
            threshold_minutes: 60,
            minute_ms: MINUTE,
            activity: Activity::Polling,
            armed_at: T0 - 10 * MINUTE,
            last_stored_at: None,
        }
    }

    #[test]
    fn off_is_disabled_and_paused_or_unfinished_sources_are_not_evaluated() {
        let off = decide(&AlarmFacts {
            alarm_on: false,
            activity: Activity::Paused,
            ..facts()
        });
        assert_eq!(off.state, AlarmState::Disabled);
        let paused = decide(&AlarmFacts {
            activity: Activity::Paused,
            last_stored_at: Some(T0 - 500 * MINUTE),
            ..facts()
        });
        assert_eq!(
            (paused.state, paused.reason.as_str()),
            (AlarmState::InsufficientData, "Paused: not evaluated")
        );
        let setup = decide(&AlarmFacts {
            activity: Activity::SetupUnfinished,
            ..facts()
        });
        assert_eq!(setup.state, AlarmState::InsufficientData);
    }

    #[test]
    fn events_since_arming_within_the_threshold_are_ok() {
        let ok = decide(&AlarmFacts {
            last_stored_at: Some(T0 - 5 * MINUTE),
            ..facts()
        });
        assert_eq!(ok.state, AlarmState::Ok);
        assert_eq!(
            ok.reason,
            "Events stored within 1 hour (last at 2023-11-14T22:08:20Z)"
        );
    }

    #[test]
    fn a_newly_armed_source_waits_for_the_threshold_before_alarming() {
        // Events stored before arming (e.g. before a pause) do not count.
        let waiting = decide(&AlarmFacts {
            last_stored_at: Some(T0 - 20 * MINUTE),
            ..facts()
        });
        assert_eq!(waiting.state, AlarmState::InsufficientData);
        assert!(
            waiting
                .reason
                .starts_with("No events yet since polling started at"),
            "{}",
            waiting.reason
        );
        let never = decide(&AlarmFacts {
            armed_at: T0 - 60 * MINUTE,
            ..facts()
        });
        assert_eq!(never.state, AlarmState::Alarm);
        assert_eq!(
            never.reason,
            "No events for 1 hour (none since polling started at 2023-11-14T21:13:20Z)"
        );
    }

    #[test]
    fn events_older_than_the_threshold_alarm_with_the_last_time_in_words() {
        let alarm = decide(&AlarmFacts {
            armed_at: T0 - 200 * MINUTE,
            last_stored_at: Some(T0 - 61 * MINUTE),
            ..facts()
        });
        assert_eq!(alarm.state, AlarmState::Alarm);
        assert_eq!(
            alarm.reason,
            "No events for 1 hour (last at 2023-11-14T21:12:20Z)"
        );
        // Exactly the threshold is already too long.
        let edge = decide(&AlarmFacts {
            armed_at: T0 - 200 * MINUTE,
            last_stored_at: Some(T0 - 60 * MINUTE),
            ..facts()
        });
        assert_eq!(edge.state, AlarmState::Alarm);
    }

    #[test]
    fn the_minute_scales_for_tests() {
        let fast = AlarmFacts {
            minute_ms: 100,
            threshold_minutes: 15,
            armed_at: T0 - 1_400,
            ..facts()
        };
        assert_eq!(decide(&fast).state, AlarmState::InsufficientData);
        assert_eq!(
            decide(&AlarmFacts {
                armed_at: T0 - 1_500,
                ..fast
            })
            .state,
            AlarmState::Alarm
        );
    }

    #[test]
    fn thresholds_in_words() {
        assert_eq!(threshold_words(15), "15 minutes");
        assert_eq!(threshold_words(1), "1 minute");
        assert_eq!(threshold_words(60), "1 hour");
        assert_eq!(threshold_words(90), "90 minutes");
        assert_eq!(threshold_words(1440), "24 hours");
        assert_eq!(threshold_words(2880), "2 days");
        assert_eq!(threshold_words(30 * 1440), "30 days");
    }
}
