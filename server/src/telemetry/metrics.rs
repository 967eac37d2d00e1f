//! Prometheus metrics. Counters and the poll-duration histogram are kept in memory and fed in
//! ONE place each: the end of each poll cycle ([`Metrics::record_cycle`]) and each webhook
//! delivery attempt ([`Metrics::record_delivery`]); gauges (lag, rate-limit headroom, state,
//! alarm, open alerts) are read from the database when `/metrics` is scraped.

use std::{collections::BTreeMap, fmt::Write as _, sync::Mutex};

use app::model::alert::Severity;

use crate::{
    ingest::poller::CycleReport,
    store::{SourceRow, StatusRow},
};

/// Upper bounds (seconds) of the poll-duration histogram's buckets.
const POLL_BUCKETS: [f64; 11] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0];

/// Outcomes of webhook delivery attempts: delivered, failed but to be retried, failed for good.
const DELIVERY_OUTCOMES: [&str; 3] = ["delivered", "retried", "failed"];

#[derive(Debug, Default)]
pub struct Metrics {
    sources: Mutex<BTreeMap<i64, SourceCounters>>,
    deliveries: Mutex<BTreeMap<&'static str, u64>>,
    /// Per rule id: (matches, errors).
    rules: Mutex<BTreeMap<String, (u64, u64)>>,
}

/// What `/metrics` reads from the database besides the sources and their status rows.
#[derive(Debug, Clone, Default)]
pub struct AlertGauges {
    /// (source id, no-events alarm state).
    pub alarms: Vec<(i64, String)>,
    /// (severity, open alerts).
    pub open_by_severity: Vec<(String, i64)>,
}

#[derive(Debug, Default, Clone)]
struct SourceCounters {
    /// Okta requests by outcome: `ok` or an error class.
    requests: BTreeMap<&'static str, u64>,
    /// Poll cycles by outcome: `ok` or `failed`.
    polls: BTreeMap<&'static str, u64>,
    /// Cumulative counts per bucket of `POLL_BUCKETS`, then the sum and count.
    poll_buckets: [u64; POLL_BUCKETS.len()],
    poll_seconds_sum: f64,
    poll_count: u64,
    classification_failures: u64,
}

impl Metrics {
    /// Counts one finished poll cycle of `source_id`.
    pub fn record_cycle(&self, source_id: i64, report: &CycleReport) {
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        let counters = sources.entry(source_id).or_default();
        let failed: u32 = report.failed_requests.values().sum();
        *counters.requests.entry("ok").or_default() +=
            u64::from(report.requests.saturating_sub(failed));
        for (class, n) in &report.failed_requests {
            *counters.requests.entry(class).or_default() += u64::from(*n);
        }
        let outcome = if report.failure.is_some() {
            "failed"
        } else {
            "ok"
        };
        *counters.polls.entry(outcome).or_default() += 1;
        let seconds = report.duration_ms as f64 / 1000.0;
        for (bucket, bound) in counters.poll_buckets.iter_mut().zip(POLL_BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        counters.poll_seconds_sum += seconds;
        counters.poll_count += 1;
        counters.classification_failures += report.quarantined;
    }

    /// Counts one webhook delivery attempt: `delivered`, `retried` or `failed`.
    pub fn record_delivery(&self, outcome: &'static str) {
        let mut deliveries = self.deliveries.lock().unwrap_or_else(|e| e.into_inner());
        *deliveries.entry(outcome).or_default() += 1;
    }

    /// Counts a detection batch's matches and failures of one rule.
    pub fn record_rule(&self, rule_id: &str, matches: u64, errors: u64) {
        let mut rules = self.rules.lock().unwrap_or_else(|e| e.into_inner());
        let counts = rules.entry(rule_id.to_owned()).or_default();
        counts.0 += matches;
        counts.1 += errors;
    }

    /// The Prometheus text exposition of every source's metrics, then the alerts'.
    pub fn render(
        &self,
        sources: &[(SourceRow, Option<StatusRow>)],
        gauges: &AlertGauges,
    ) -> String {
        let counters = self
            .sources
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut out = String::with_capacity(4096);
        let labelled: Vec<(String, &SourceRow, Option<&StatusRow>, SourceCounters)> = sources
            .iter()
            .map(|(row, status)| {
                let labels = format!("source_id=\"{}\",source=\"{}\"", row.id, escape(&row.name));
                (
                    labels,
                    row,
                    status.as_ref(),
                    counters.get(&row.id).cloned().unwrap_or_default(),
                )
            })
            .collect();

        family(
            &mut out,
            "gatehouse_events_stored_total",
            "counter",
            "Okta events stored, per source.",
        );
        for (labels, _, status, _) in &labelled {
            sample(
                &mut out,
                "gatehouse_events_stored_total",
                labels,
                status.map_or(0, |s| s.events_total) as f64,
            );
        }
        family(
            &mut out,
            "gatehouse_okta_requests_total",
            "counter",
            "Requests to Okta by outcome (ok or error class), since start.",
        );
        for (labels, _, _, c) in &labelled {
            for (outcome, n) in &c.requests {
                sample(
                    &mut out,
                    "gatehouse_okta_requests_total",
                    &format!("{labels},outcome=\"{outcome}\""),
                    *n as f64,
                );
            }
        }
        family(
            &mut out,
            "gatehouse_polls_total",
            "counter",
            "Poll cycles by outcome (ok, failed), since start.",
        );
        for (labels, _, _, c) in &labelled {
            for (outcome, n) in &c.polls {
                sample(
                    &mut out,
                    "gatehouse_polls_total",
                    &format!("{labels},outcome=\"{outcome}\""),
                    *n as f64,
                );
            }
        }
        family(
            &mut out,
            "gatehouse_poll_duration_seconds",
            "histogram",
            "Duration of one poll cycle.",
        );
        for (labels, _, _, c) in &labelled {
            for (bound, n) in POLL_BUCKETS.iter().zip(c.poll_buckets) {
                sample(
                    &mut out,
                    "gatehouse_poll_duration_seconds_bucket",
                    &format!("{labels},le=\"{bound}\""),
                    n as f64,
                );
            }
            sample(
                &mut out,
                "gatehouse_poll_duration_seconds_bucket",
                &format!("{labels},le=\"+Inf\""),
                c.poll_count as f64,
            );
            sample(
                &mut out,
                "gatehouse_poll_duration_seconds_sum",
                labels,
                c.poll_seconds_sum,
            );
            sample(
                &mut out,
                "gatehouse_poll_duration_seconds_count",
                labels,
                c.poll_count as f64,
            );
        }
        family(
            &mut out,
            "gatehouse_classification_failures_total",
            "counter",
            "Events quarantined because they failed classification, since start.",
        );
        for (labels, _, _, c) in &labelled {
            sample(
                &mut out,
                "gatehouse_classification_failures_total",
                labels,
                c.classification_failures as f64,
            );
        }
        family(
            &mut out,
            "gatehouse_ingestion_lag_seconds",
            "gauge",
            "Time between the newest stored event's published time and when it was stored.",
        );
        for (labels, _, status, _) in &labelled {
            if let Some(lag) = status.and_then(|s| s.lag_ms) {
                sample(
                    &mut out,
                    "gatehouse_ingestion_lag_seconds",
                    labels,
                    lag as f64 / 1000.0,
                );
            }
        }
        family(
            &mut out,
            "gatehouse_last_event_timestamp_seconds",
            "gauge",
            "Published time of the newest stored event (Unix seconds).",
        );
        for (labels, _, status, _) in &labelled {
            if let Some(ms) = status.and_then(|s| s.last_event_time) {
                sample(
                    &mut out,
                    "gatehouse_last_event_timestamp_seconds",
                    labels,
                    ms as f64 / 1000.0,
                );
            }
        }
        family(
            &mut out,
            "gatehouse_rate_limit_remaining",
            "gauge",
            "X-Rate-Limit-Remaining of the org's System Log bucket, last seen.",
        );
        for (labels, _, status, _) in &labelled {
            if let Some(remaining) = status.and_then(|s| s.rate_limit_remaining) {
                sample(
                    &mut out,
                    "gatehouse_rate_limit_remaining",
                    labels,
                    remaining as f64,
                );
            }
        }
        family(
            &mut out,
            "gatehouse_rate_limit_limit",
            "gauge",
            "X-Rate-Limit-Limit of the org's System Log bucket, last seen.",
        );
        for (labels, _, status, _) in &labelled {
            if let Some(limit) = status.and_then(|s| s.rate_limit_limit) {
                sample(&mut out, "gatehouse_rate_limit_limit", labels, limit as f64);
            }
        }
        family(&mut out, "gatehouse_source_state", "gauge", "1 for the source's current state (pending, backfilling, healthy, degraded, failing, paused, setup).");
        for (labels, row, status, _) in &labelled {
            let state = status.map_or("pending", |s| s.state.as_str());
            let state = if !row.enabled && row.setup_complete {
                "paused"
            } else {
                state
            };
            sample(
                &mut out,
                "gatehouse_source_state",
                &format!("{labels},state=\"{}\"", escape(state)),
                1.0,
            );
        }
        family(
            &mut out,
            "gatehouse_no_events_alarm",
            "gauge",
            "1 for the source's no-events alarm state (OK, ALARM, INSUFFICIENT_DATA, DISABLED).",
        );
        for (labels, row, _, _) in &labelled {
            if let Some((_, state)) = gauges.alarms.iter().find(|(id, _)| *id == row.id) {
                sample(
                    &mut out,
                    "gatehouse_no_events_alarm",
                    &format!("{labels},state=\"{}\"", escape(state)),
                    1.0,
                );
            }
        }
        family(
            &mut out,
            "gatehouse_alerts_open",
            "gauge",
            "Open alerts by severity.",
        );
        for severity in Severity::ALL {
            let open = gauges
                .open_by_severity
                .iter()
                .find(|(s, _)| s == severity.as_str())
                .map_or(0, |(_, n)| *n);
            sample(
                &mut out,
                "gatehouse_alerts_open",
                &format!("severity=\"{}\"", severity.as_str()),
                open as f64,
            );
        }
        let deliveries = self
            .deliveries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        family(
            &mut out,
            "gatehouse_webhook_deliveries_total",
            "counter",
            "Webhook delivery attempts by outcome (delivered, retried, failed), since start.",
        );
        for outcome in DELIVERY_OUTCOMES {
            sample(
                &mut out,
                "gatehouse_webhook_deliveries_total",
                &format!("outcome=\"{outcome}\""),
                deliveries.get(outcome).copied().unwrap_or(0) as f64,
            );
        }
        let rules = self.rules.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for (name, help, pick) in [
            (
                "gatehouse_rule_matches_total",
                "Events matched per detection rule (signals included), since start.",
                0,
            ),
            (
                "gatehouse_rule_errors_total",
                "Detection rule failures (exceptions, time-outs) per rule, since start.",
                1,
            ),
        ] {
            family(&mut out, name, "counter", help);
            for (rule, counts) in &rules {
                let n = if pick == 0 { counts.0 } else { counts.1 };
                sample(
                    &mut out,
                    name,
                    &format!("rule=\"{}\"", escape(rule)),
                    n as f64,
                );
            }
        }
        out
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn sample(out: &mut String, name: &str, labels: &str, value: f64) {
    let _ = writeln!(out, "{name}{{{labels}}} {value}");
}

/// Label values escape backslash, double quote and newline (the exposition format's rule).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_feed_counters_and_the_histogram() {
        let metrics = Metrics::default();
        let mut report = CycleReport {
            requests: 5,
            duration_ms: 300,
            quarantined: 2,
            ..CycleReport::default()
        };
        report.failed_requests.insert("server", 2);
        metrics.record_cycle(1, &report);
        metrics.record_cycle(
            1,
            &CycleReport {
                requests: 1,
                duration_ms: 40,
                ..CycleReport::default()
            },
        );
        metrics.record_delivery("delivered");
        metrics.record_delivery("retried");
        metrics.record_delivery("delivered");
        let gauges = AlertGauges {
            alarms: vec![(1, "ALARM".into())],
            open_by_severity: vec![("CRITICAL".into(), 2)],
        };
        let text = metrics.render(&[(SourceRow::sample(1, "Prod \"EU\""), None)], &gauges);
        let labels = r#"source_id="1",source="Prod \"EU\"""#;
        for line in [
            format!(r#"gatehouse_okta_requests_total{{{labels},outcome="ok"}} 4"#),
            format!(r#"gatehouse_okta_requests_total{{{labels},outcome="server"}} 2"#),
            format!(r#"gatehouse_polls_total{{{labels},outcome="ok"}} 2"#),
            format!(r#"gatehouse_poll_duration_seconds_bucket{{{labels},le="0.05"}} 1"#),
            format!(r#"gatehouse_poll_duration_seconds_bucket{{{labels},le="0.5"}} 2"#),
            format!(r#"gatehouse_poll_duration_seconds_bucket{{{labels},le="+Inf"}} 2"#),
            format!(r#"gatehouse_poll_duration_seconds_count{{{labels}}} 2"#),
            format!(r#"gatehouse_classification_failures_total{{{labels}}} 2"#),
            format!(r#"gatehouse_source_state{{{labels},state="pending"}} 1"#),
            format!(r#"gatehouse_no_events_alarm{{{labels},state="ALARM"}} 1"#),
            r#"gatehouse_alerts_open{severity="CRITICAL"} 2"#.to_owned(),
            r#"gatehouse_alerts_open{severity="INFO"} 0"#.to_owned(),
            r#"gatehouse_webhook_deliveries_total{outcome="delivered"} 2"#.to_owned(),
            r#"gatehouse_webhook_deliveries_total{outcome="failed"} 0"#.to_owned(),
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
        assert!(text.contains("# TYPE gatehouse_poll_duration_seconds histogram"));
    }
}
