//! The Health tab: the source's checks, its no-events alarm with the alarm's history, its open
//! alerts and its last poll attempts, refreshed while the tab is shown.

use std::time::Duration;

use leptos::prelude::*;

use super::Live;
use crate::{
    api::health::get_source_health,
    components::{
        alert_table::AlertTable,
        card::Card,
        error_note::ErrorNote,
        formatted::{duration_words, grouped, timeframe_words, Timestamp},
        live::Latest,
        status_badge::{alarm_look, AlarmBadge, CheckBadge, Pill, Tone},
        table::{Column, Table, CELL, NUMBER},
        term::Term,
    },
    model::health::{
        AlarmState, AlarmStatus, AlarmTransition, HealthCheck, PollAttempt, SourceHealthDetail,
        CHECKS,
    },
};

/// How often the tab asks again while it is shown.
const REFRESH: Duration = Duration::from_secs(3);

#[component]
pub fn HealthTab(live: Live, #[prop(into)] active: Signal<bool>) -> impl IntoView {
    // The tab reads its data in the browser, once the page has hydrated: the server renders
    // only the loading line, so a nested resource can never make the server's HTML and the
    // hydrating browser disagree.
    let id = live.id();
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let loading = || view! { <p class="text-sm text-slate-500">"Loading health…"</p> };
    view! {
        <Show when=move || mounted.get() fallback=loading>
            {move || {
                let health = LocalResource::new(move || get_source_health(id));
                view! {
                    <Suspense fallback=loading>
                        {move || Suspend::new(async move {
                            match health.await {
                                Ok(detail) => view! { <HealthView id detail active /> }.into_any(),
                                Err(error) => view! { <ErrorNote error=Some(error) /> }.into_any(),
                            }
                        })}
                    </Suspense>
                }
            }}
        </Show>
    }
    .into_any()
}

#[component]
fn HealthView(id: i64, detail: SourceHealthDetail, active: Signal<bool>) -> impl IntoView {
    let latest = Latest::new(detail);
    latest.refresh_while(REFRESH, active, move || get_source_health(id));
    let d = latest.value;
    // Each part re-renders only when its own data changed.
    let checks = Memo::new(move |_| d.with(|d| in_check_order(&d.checks)));
    let alarm = Memo::new(move |_| d.with(|d| d.alarm.clone()));
    let attempts = Memo::new(move |_| d.with(|d| d.attempts.clone()));
    let open_alerts = Memo::new(move |_| d.with(|d| d.open_alerts.clone()));
    let no_open_alerts = Memo::new(move |_| open_alerts.with(Vec::is_empty));

    view! {
        <div class="flex flex-col gap-5">
            <Card title="Checks">
                <Checks checks />
            </Card>
            <Card title="No-events alarm">
                <Alarm alarm />
            </Card>
            <Card title="Open alerts">
                <Show
                    when=move || !no_open_alerts.get()
                    fallback=|| view! { <p class="text-sm text-slate-600">"No open alerts about this source."</p> }
                >
                    <AlertTable alerts=open_alerts label="Open alerts" show_source=false />
                </Show>
            </Card>
            <Card title="Poll attempts">
                <Attempts attempts />
            </Card>
        </div>
    }
    .into_any()
}

/// The checks in [`CHECKS`] order (any the console does not know yet come last).
fn in_check_order(checks: &[HealthCheck]) -> Vec<HealthCheck> {
    let rank = |c: &HealthCheck| {
        CHECKS
            .iter()
            .position(|(key, _)| *key == c.key)
            .unwrap_or(CHECKS.len())
    };
    let mut ordered = checks.to_vec();
    ordered.sort_by_key(rank);
    ordered
}

#[component]
fn Checks(checks: Memo<Vec<HealthCheck>>) -> impl IntoView {
    move || {
        let items = checks
            .get()
            .into_iter()
            .map(|check| {
                let label_id = format!("check-{}", check.key);
                let labelled_by = label_id.clone();
                let since = check.since.map(|since| {
                    view! {
                        <p class="text-xs text-slate-500">"Since " <Timestamp rfc3339=since /></p>
                    }
                });
                view! {
                    <li aria-labelledby=labelled_by class="flex flex-col gap-1 py-3 first:pt-0 last:pb-0">
                        <div class="flex flex-wrap items-center gap-2">
                            <CheckBadge state=check.state />
                            <span id=label_id class="text-sm font-medium text-slate-900">{check.label}</span>
                        </div>
                        <p class="text-sm text-slate-700">{check.detail}</p>
                        {since}
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="divide-y divide-slate-100">{items}</ul> }
    }
}

#[component]
fn Alarm(alarm: Memo<AlarmStatus>) -> impl IntoView {
    let state = Signal::derive(move || alarm.with(|a| a.state));
    let since = move || match alarm.with(|a| a.since.clone()) {
        Some(since) => view! { <Timestamp rfc3339=since /> }.into_any(),
        None => view! { <span class="text-slate-500">"—"</span> }.into_any(),
    };
    let threshold = move || {
        alarm.with(|a| match a.state {
            AlarmState::Disabled => "Off for this source".to_owned(),
            _ => format!("{} without events", timeframe_words(a.threshold_minutes)),
        })
    };
    let last_event = move || match alarm.with(|a| a.last_event_stored_at.clone()) {
        Some(at) => view! { <Timestamp rfc3339=at /> }.into_any(),
        None => view! { <span class="text-slate-500">"No events stored yet"</span> }.into_any(),
    };
    let reason = move || alarm.with(|a| a.reason.clone());
    let history = Memo::new(move |_| alarm.with(|a| a.history.clone()));

    view! {
        <div class="flex flex-col gap-4">
            <dl class="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[12rem_1fr]">
                <Term id="alarm-state" label="State">
                    <AlarmBadge state />
                </Term>
                <Term id="alarm-since" label="Since">{since}</Term>
                <Term id="alarm-threshold" label="Threshold">{threshold}</Term>
                <Term id="alarm-last-event" label="Last event stored">{last_event}</Term>
                <Term id="alarm-reason" label="Reason">{reason}</Term>
            </dl>
            <h3 class="text-sm font-semibold text-slate-800">"History"</h3>
            <AlarmHistory history />
        </div>
    }
    .into_any()
}

#[component]
fn AlarmHistory(history: Memo<Vec<AlarmTransition>>) -> impl IntoView {
    move || {
        let rows = history.get();
        if rows.is_empty() {
            return view! { <p class="text-sm text-slate-600">"No state changes yet."</p> }
                .into_any();
        }
        view! {
            <Table label="Alarm history" columns=vec![Column::text("State"), Column::text("At"), Column::text("Reason")]>
                {rows
                    .into_iter()
                    .map(|t| {
                        let (text, tone) = alarm_look(t.state);
                        view! {
                            <tr>
                                <td class=CELL><Pill tone>{text}</Pill></td>
                                <td class=format!("{CELL} whitespace-nowrap text-slate-700")><Timestamp rfc3339=t.at /></td>
                                <td class=format!("{CELL} text-slate-700")>{t.reason}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </Table>
        }
        .into_any()
    }
}

#[component]
fn Attempts(attempts: Memo<Vec<PollAttempt>>) -> impl IntoView {
    move || {
        let rows = attempts.get();
        if rows.is_empty() {
            return view! { <p class="text-sm text-slate-600">"No polls yet."</p> }.into_any();
        }
        let columns = vec![
            Column::text("Started"),
            Column::number("Duration"),
            Column::text("Outcome"),
            Column::number("Requests"),
            Column::number("Pages"),
            Column::number("Events"),
            Column::text("Error"),
        ];
        view! {
            <p class="mb-2 text-xs text-slate-500">"The last 50 polls, newest first."</p>
            <Table label="Poll attempts" columns>
                {rows.into_iter().map(|attempt| view! { <AttemptRow attempt /> }).collect_view()}
            </Table>
        }
        .into_any()
    }
}

#[component]
fn AttemptRow(attempt: PollAttempt) -> impl IntoView {
    let (text, tone) = match attempt.outcome.as_str() {
        "ok" => ("Succeeded".to_owned(), Tone::Green),
        "failed" => ("Failed".to_owned(), Tone::Red),
        other => (other.to_owned(), Tone::Slate),
    };
    let outcome = view! { <Pill tone>{text}</Pill> };
    let error = match attempt.error {
        Some(error) => view! { <span class="text-red-700">{error}</span> }.into_any(),
        None => view! { <span class="text-slate-400">"—"</span> }.into_any(),
    };
    view! {
        <tr>
            <td class=format!("{CELL} whitespace-nowrap text-slate-700")><Timestamp rfc3339=attempt.started_at /></td>
            <td class=format!("{NUMBER} whitespace-nowrap")>{duration_words(attempt.duration_ms)}</td>
            <td class=CELL>{outcome}</td>
            <td class=NUMBER>{grouped(attempt.requests)}</td>
            <td class=NUMBER>{grouped(attempt.pages)}</td>
            <td class=NUMBER>{grouped(attempt.events)}</td>
            <td class=CELL>{error}</td>
        </tr>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::health::CheckState;

    fn check(key: &str) -> HealthCheck {
        HealthCheck {
            key: key.into(),
            label: key.into(),
            state: CheckState::Unknown,
            since: None,
            detail: String::new(),
        }
    }

    #[test]
    fn checks_follow_the_documented_order() {
        let given = [
            check("rate_limits"),
            check("future_check"),
            check("credentials"),
            check("classification"),
            check("receiving_data"),
        ];
        let keys: Vec<String> = in_check_order(&given).into_iter().map(|c| c.key).collect();
        assert_eq!(
            keys,
            [
                "credentials",
                "receiving_data",
                "classification",
                "rate_limits",
                "future_check"
            ]
        );
    }
}
