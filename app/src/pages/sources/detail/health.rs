use leptos::prelude::*;

use super::Live;
use crate::components::{card::Card, status_badge::StatusBadge};

/// What is known about the source's health today: its state and the reason. Detailed checks
/// arrive with the dashboard.
#[component]
pub fn HealthTab(live: Live) -> impl IntoView {
    let d = live.current;
    let (state, reason) = (live.state(), live.reason());
    let alarm = move || {
        d.with(|d| {
            if d.alarm.no_events_alarm {
                format!(
                    "On: alert after {} without events.",
                    duration_words(d.alarm.no_events_minutes)
                )
            } else {
                "Off.".to_owned()
            }
        })
    };
    view! {
        <Card title="Health">
            <div class="flex flex-col gap-3 text-sm">
                <p class="flex flex-wrap items-center gap-2">
                    <StatusBadge state />
                    <span class="text-slate-700">{reason}</span>
                </p>
                <p class="text-slate-700">
                    <span class="font-medium text-slate-600">"No-events alarm: "</span>
                    {alarm}
                </p>
                <p class="max-w-prose text-slate-500">
                    "Detailed health checks, the history of polls and the no-events alarm's current state come with the health dashboard."
                </p>
            </div>
        </Card>
    }
    .into_any()
}

/// `1440` → `24 hours`, `90` → `90 minutes`, `2880` → `2 days`.
fn duration_words(minutes: u32) -> String {
    let plural = |n: u32, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if minutes.is_multiple_of(24 * 60) && minutes >= 2 * 24 * 60 {
        plural(minutes / (24 * 60), "day")
    } else if minutes.is_multiple_of(60) {
        plural(minutes / 60, "hour")
    } else {
        plural(minutes, "minute")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn alarm_periods_read_in_the_largest_whole_unit() {
        assert_eq!(super::duration_words(15), "15 minutes");
        assert_eq!(super::duration_words(60), "1 hour");
        assert_eq!(super::duration_words(1440), "24 hours");
        assert_eq!(super::duration_words(2880), "2 days");
    }
}
