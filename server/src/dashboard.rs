//! Builds the ingestion-health dashboard from the sources, their status rows, the last 24 hours
//! of per-minute health counters, the no-events alarms and the open alerts per source: five
//! small queries, never a scan of the events.

use std::collections::HashMap;

use app::model::{
    dashboard::{
        Dashboard, DashboardTotals, ErrorCount, RateHeadroom, SourceHealth, CHART_MINUTES,
    },
    health::AlarmState,
};
use chrono::{DateTime, SecondsFormat};

use crate::store::{AlarmRow, HealthDayRow, SourceRow, StatusRow};

/// The alarms and open alerts (from `Store::alarms` and `Store::open_alert_counts`).
#[derive(Debug, Clone, Default)]
pub struct Alerting {
    pub alarms: Vec<AlarmRow>,
    /// Open alerts per source id (`None`: about no source).
    pub open_alerts: Vec<(Option<i64>, i64)>,
}

fn rfc3339(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The first minute (Unix minutes) the dashboard covers when built at `now_ms`.
pub fn first_minute(now_ms: i64) -> i64 {
    now_ms / 60_000 - (CHART_MINUTES as i64 - 1)
}

/// The first minute of the "last hour" counts.
pub fn hour_minute(now_ms: i64) -> i64 {
    now_ms / 60_000 - 59
}

/// `health` comes from `Store::health_since(first_minute(now_ms), <an hour ago>)`.
pub fn build(
    now_ms: i64,
    sources: &[SourceRow],
    statuses: &[StatusRow],
    health: &[HealthDayRow],
    alerting: &Alerting,
) -> Dashboard {
    let statuses: HashMap<i64, &StatusRow> = statuses.iter().map(|s| (s.source_id, s)).collect();
    let health: HashMap<i64, &HealthDayRow> = health.iter().map(|h| (h.source_id, h)).collect();
    let alarms: HashMap<i64, AlarmState> = alerting
        .alarms
        .iter()
        .filter_map(|a| Some((a.source_id, AlarmState::parse(&a.state)?)))
        .collect();
    let open_alerts: HashMap<Option<i64>, i64> = alerting.open_alerts.iter().copied().collect();
    let empty = HealthDayRow::default();

    let mut totals = DashboardTotals {
        open_alerts: open_alerts.values().sum::<i64>().clamp(0, u32::MAX as i64) as u32,
        ..DashboardTotals::default()
    };
    let mut out = Vec::with_capacity(sources.len());
    for source in sources {
        let status = statuses.get(&source.id).copied();
        let day = health.get(&source.id).copied().unwrap_or(&empty);
        let mut per_minute = vec![0u32; CHART_MINUTES];
        for (offset, events) in day
            .series
            .split(',')
            .filter_map(|pair| pair.split_once(':'))
        {
            if let (Ok(offset), Ok(events)) = (offset.parse::<usize>(), events.parse::<u32>()) {
                if let Some(slot) = per_minute.get_mut(offset) {
                    *slot = events;
                }
            }
        }
        let (last_hour, last_day) = (day.events_hour, day.events_day);
        let mut errors_last_day: Vec<ErrorCount> = [
            ("auth", day.errors_auth),
            ("rate_limited", day.rate_limited),
            ("server", day.errors_server),
            ("timeout", day.errors_timeout),
            ("transport", day.errors_transport),
            ("decode", day.errors_decode),
            ("other", day.errors_other),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(class, count)| ErrorCount {
            class: class.to_owned(),
            count,
        })
        .collect();
        errors_last_day.sort_by_key(|e| std::cmp::Reverse(e.count));

        let state = match status {
            _ if !source.setup_complete => "setup".to_owned(),
            _ if !source.enabled => "paused".to_owned(),
            Some(s) => s.state.clone(),
            None => "pending".to_owned(),
        };
        totals.sources += 1;
        match state.as_str() {
            "healthy" => totals.healthy += 1,
            "degraded" | "failing" => totals.attention += 1,
            _ => {}
        }
        totals.events_last_hour += last_hour;
        totals.events_last_day += last_day;
        // Not evaluated yet (the monitor writes a row within a tick).
        let alarm = alarms
            .get(&source.id)
            .copied()
            .unwrap_or(if source.no_events_alarm {
                AlarmState::InsufficientData
            } else {
                AlarmState::Disabled
            });
        if alarm == AlarmState::Alarm {
            totals.alarms += 1;
        }
        out.push(SourceHealth {
            id: source.id,
            name: source.name.clone(),
            org_host: format!("{}.{}", source.subdomain, source.domain),
            state,
            reason: status.and_then(|s| s.reason.clone()),
            events_last_hour: last_hour,
            events_last_day: last_day,
            per_minute,
            last_event_time: status.and_then(|s| s.last_event_time).map(rfc3339),
            lag_ms: status.and_then(|s| s.lag_ms),
            last_poll_at: status.and_then(|s| s.last_poll_finished_at).map(rfc3339),
            last_poll_duration_ms: status.and_then(|s| s.last_poll_duration_ms),
            last_poll_outcome: status.and_then(|s| s.last_poll_outcome.clone()),
            rate_limit: status.and_then(|s| {
                Some(RateHeadroom {
                    limit: u32::try_from(s.rate_limit_limit?).ok()?,
                    remaining: u32::try_from(s.rate_limit_remaining?).ok()?,
                    reset_epoch_secs: s.rate_limit_reset?,
                })
            }),
            classification_failures_last_day: day.classification_failures,
            errors_last_day,
            last_error: status.and_then(|s| s.last_error_summary.clone()),
            alarm,
            open_alerts: open_alerts
                .get(&Some(source.id))
                .map_or(0, |n| (*n).clamp(0, u32::MAX as i64) as u32),
        });
    }
    Dashboard {
        generated_at: rfc3339(now_ms),
        totals,
        sources: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(source_id: i64, series: &str, hour: i64, total: i64) -> HealthDayRow {
        HealthDayRow {
            source_id,
            events_day: total,
            events_hour: hour,
            classification_failures: 3,
            errors_server: 3,
            series: series.into(),
            ..HealthDayRow::default()
        }
    }

    fn status(source_id: i64, state: &str) -> StatusRow {
        StatusRow {
            source_id,
            state: state.into(),
            reason: Some("why".into()),
            last_poll_finished_at: Some(1_700_000_000_000),
            last_poll_duration_ms: Some(120),
            last_poll_outcome: Some("ok".into()),
            last_success_at: None,
            last_error_class: None,
            last_error_code: None,
            last_error_summary: None,
            consecutive_failures: 0,
            last_event_time: Some(1_700_000_000_000),
            last_event_received_at: Some(1_700_000_001_500),
            lag_ms: Some(1500),
            rate_limit_limit: Some(120),
            rate_limit_remaining: Some(57),
            rate_limit_reset: Some(1_700_000_060),
            events_total: 0,
        }
    }

    #[test]
    fn buckets_totals_and_states() {
        let now_ms = 1_700_000_000_000;
        let last = CHART_MINUTES - 1;
        let health = vec![
            day(
                1,
                &format!("{}:100,{}:5,{last}:10,99999:1,junk", last - 600, last - 30),
                15,
                115,
            ),
            day(2, &format!("{}:7", last - 1), 7, 7),
        ];
        let dashboard = build(
            now_ms,
            &[
                SourceRow::sample(1, "s1"),
                SourceRow {
                    enabled: false,
                    ..SourceRow::sample(2, "s2")
                },
            ],
            &[status(1, "healthy"), status(2, "healthy")],
            &health,
            &Alerting {
                alarms: vec![AlarmRow {
                    source_id: 1,
                    state: "ALARM".into(),
                    since: now_ms,
                    armed_at: now_ms,
                    evaluated_at: now_ms,
                    reason: "No events for 24 hours".into(),
                }],
                open_alerts: vec![(Some(1), 2), (None, 1)],
            },
        );
        let one = &dashboard.sources[0];
        assert_eq!(one.per_minute.len(), CHART_MINUTES);
        assert_eq!(
            one.per_minute[CHART_MINUTES - 1],
            10,
            "the current minute is last"
        );
        assert_eq!(one.per_minute[CHART_MINUTES - 31], 5);
        assert_eq!((one.events_last_hour, one.events_last_day), (15, 115));
        assert_eq!(one.classification_failures_last_day, 3);
        assert_eq!(
            one.errors_last_day,
            vec![ErrorCount {
                class: "server".into(),
                count: 3
            }]
        );
        assert_eq!(
            one.rate_limit,
            Some(RateHeadroom {
                limit: 120,
                remaining: 57,
                reset_epoch_secs: 1_700_000_060
            })
        );
        assert_eq!(
            dashboard.sources[1].state, "paused",
            "a disabled source shows as paused"
        );
        assert_eq!((one.alarm, one.open_alerts), (AlarmState::Alarm, 2));
        assert_eq!(
            (dashboard.sources[1].alarm, dashboard.sources[1].open_alerts),
            (AlarmState::InsufficientData, 0),
            "not evaluated yet"
        );
        assert_eq!(
            dashboard.totals,
            DashboardTotals {
                sources: 2,
                healthy: 1,
                attention: 0,
                events_last_hour: 22,
                events_last_day: 122,
                open_alerts: 3,
                alarms: 1,
            }
        );
    }
}
