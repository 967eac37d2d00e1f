//! `/`: the ingestion-health dashboard. Totals across sources (with open alerts and alarms), then
//! one card per source with its events per minute over the last 24 hours, lag, polls, rate-limit
//! headroom, errors, open alerts and, when it needs saying, its no-events alarm.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    api::dashboard::get_dashboard,
    components::{
        button::PRIMARY_BUTTON,
        card::Card,
        chart::EventsChart,
        error_note::ErrorNote,
        formatted::{duration_words, grouped, readable_utc, Timestamp},
        page_header::PageHeader,
        status_badge::{Pill, StatusBadge, Tone},
        ticker::use_ticker,
    },
    model::{
        dashboard::{Dashboard, DashboardTotals, ErrorCount, RateHeadroom, SourceHealth},
        health::AlarmState,
    },
};

/// How often the dashboard asks the server again (the current minute's count moves every poll).
const REFRESH: Duration = Duration::from_secs(5);

#[component]
pub fn DashboardPage() -> impl IntoView {
    let ticks = use_ticker(REFRESH);
    let dashboard = Resource::new(move || ticks.get(), |_| get_dashboard());

    view! {
        <PageHeader
            title="Dashboard"
            description="Ingestion health of every Okta source: events over the last 24 hours, lag, polls, errors and rate-limit headroom."
        />
        // Transition, not Suspense: a refresh keeps the current cards until the new ones are ready.
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading the dashboard…"</p> }>
            {move || Suspend::new(async move {
                match dashboard.await {
                    Ok(d) if d.sources.is_empty() => view! { <NoSources /> }.into_any(),
                    Ok(d) => view! { <DashboardView dashboard=d /> }.into_any(),
                    Err(error) => view! { <ErrorNote error=Some(error) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn NoSources() -> impl IntoView {
    view! {
        <Card title="No sources yet">
            <div class="flex flex-col items-start gap-4">
                <p class="max-w-prose text-sm text-slate-600">
                    "This dashboard shows how each Okta source is doing: events per minute over the last 24 hours, "
                    "how far behind ingestion is, the last poll, rate-limit headroom and errors. "
                    "Add a source, and its first events appear here within a minute."
                </p>
                <A href="/sources/new" attr:class=PRIMARY_BUTTON>"Add source"</A>
            </div>
        </Card>
    }
}

#[component]
fn DashboardView(dashboard: Dashboard) -> impl IntoView {
    // Relative times are measured from the snapshot's own time, so server and browser render the
    // same text (hydration) and it moves on with every refresh.
    let now = epoch_secs(&dashboard.generated_at);
    let generated_at = dashboard.generated_at;
    view! {
        <div class="flex flex-col gap-6">
            <Totals totals=dashboard.totals />
            <div class="grid grid-cols-1 gap-6 xl:grid-cols-2">
                {dashboard
                    .sources
                    .into_iter()
                    .map(|source| view! { <SourceCard source now /> })
                    .collect_view()}
            </div>
            <p class="text-xs text-slate-400">
                "As of " <Timestamp rfc3339=generated_at /> "; refreshes every 5 seconds."
            </p>
        </div>
    }
}

#[component]
fn Totals(totals: DashboardTotals) -> impl IntoView {
    let attention_tone = if totals.attention > 0 {
        "text-amber-700"
    } else {
        "text-slate-900"
    };
    view! {
        <section aria-label="Totals">
            <dl class="grid grid-cols-2 gap-4 sm:grid-cols-4 xl:grid-cols-7">
                <Tile id="total-sources" label="Sources" value=grouped(totals.sources.into()) />
                <Tile
                    id="total-healthy"
                    label="Healthy"
                    value=grouped(totals.healthy.into())
                    tone="text-emerald-700"
                />
                <Tile
                    id="total-attention"
                    label="Need attention"
                    value=grouped(totals.attention.into())
                    tone=attention_tone
                />
                <Tile id="total-events-hour" label="Events last hour" value=grouped(totals.events_last_hour) />
                <Tile id="total-events-day" label="Events last 24 hours" value=grouped(totals.events_last_day) />
                <Tile
                    id="total-open-alerts"
                    label="Open alerts"
                    value=grouped(totals.open_alerts.into())
                    tone=alert_tone(totals.open_alerts)
                    href="/alerts"
                />
                <Tile
                    id="total-alarms"
                    label="Alarms"
                    value=grouped(totals.alarms.into())
                    tone=alert_tone(totals.alarms)
                />
            </dl>
        </section>
    }
}

/// Red when anything is counted, so open alerts and alarms stand out.
fn alert_tone(count: u32) -> &'static str {
    if count > 0 {
        "text-red-700"
    } else {
        "text-slate-900"
    }
}

/// One stat: the term above a large number, the number labelled by the term (and a link to
/// what it counts, when there is a page for that).
#[component]
fn Tile(
    id: &'static str,
    label: &'static str,
    value: String,
    #[prop(default = "text-slate-900")] tone: &'static str,
    #[prop(optional)] href: Option<&'static str>,
) -> impl IntoView {
    let term_id = format!("{id}-term");
    let value = match href {
        Some(href) => view! { <A href=href attr:class="hover:underline">{value}</A> }.into_any(),
        None => value.into_any(),
    };
    view! {
        <div class="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm">
            <dt id=term_id.clone() class="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</dt>
            <dd aria-labelledby=term_id class=format!("mt-1 text-2xl font-semibold tabular-nums {tone}")>{value}</dd>
        </div>
    }
}

#[component]
fn SourceCard(source: SourceHealth, now: Option<i64>) -> impl IntoView {
    let id = source.id;
    let heading_id = format!("source-{id}-name");
    let labelled_by = heading_id.clone();
    let key = move |what: &str| format!("source-{id}-{what}");
    let reason =
        crate::components::status_badge::state_reason(&source.state, source.reason.as_deref());

    let last_poll = last_poll(&source, now);
    let last_event = match source.last_event_time {
        Some(time) => moment(time, now),
        None => view! { <span class="text-slate-500">"No events yet"</span> }.into_any(),
    };
    let lag = match source.lag_ms {
        Some(ms) => duration_words(ms).into_any(),
        None => view! { <span class="text-slate-500">"Not measured yet"</span> }.into_any(),
    };
    let headroom = match source.rate_limit {
        Some(rate) => view! { <Headroom rate now /> }.into_any(),
        None => view! { <span class="text-slate-500">"Not seen yet"</span> }.into_any(),
    };
    let failures = source.classification_failures_last_day;
    let failures_tone = if failures > 0 {
        "tabular-nums text-amber-700"
    } else {
        "tabular-nums"
    };
    let last_error = source.last_error.map(|error| {
        view! {
            <Row id=key("last-error") label="Last error" wide=true>
                <span class="text-red-700">{error}</span>
            </Row>
        }
    });

    let alarm = alarm_note(source.alarm).map(|note| {
        view! {
            <dt id=key("alarm-term") class="sr-only">"No-events alarm"</dt>
            <dd aria-labelledby=key("alarm-term") class="flex flex-wrap items-center justify-end gap-2 text-sm">
                {note}
            </dd>
        }
    });

    view! {
        <section
            aria-labelledby=labelled_by
            class="flex flex-col gap-4 rounded-lg border border-slate-200 bg-white p-5 shadow-sm"
        >
            <div class="flex flex-wrap items-start justify-between gap-3">
                <div class="min-w-0">
                    <h2 id=heading_id class="truncate text-base font-semibold">
                        <A href=format!("/sources/{id}") attr:class="text-indigo-700 hover:underline">{source.name}</A>
                    </h2>
                    <p class="text-xs text-slate-500">{source.org_host}</p>
                </div>
                <dl class="flex flex-col items-end gap-1">
                    <dt id=key("status-term") class="sr-only">"Status"</dt>
                    <dd aria-labelledby=key("status-term") class="flex flex-wrap items-center justify-end gap-2 text-sm">
                        <StatusBadge state=source.state />
                        <span class="text-slate-600">{reason}</span>
                    </dd>
                    {alarm}
                </dl>
            </div>
            <EventsChart values=source.per_minute />
            <dl class="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-2">
                <Row id=key("events-hour") label="Events last hour">
                    <span class="tabular-nums">{grouped(source.events_last_hour)}</span>
                </Row>
                <Row id=key("events-day") label="Events last 24 hours">
                    <span class="tabular-nums">{grouped(source.events_last_day)}</span>
                </Row>
                <Row id=key("last-event") label="Last event">{last_event}</Row>
                <Row id=key("lag") label="Ingestion lag">{lag}</Row>
                <Row id=key("last-poll") label="Last poll">{last_poll}</Row>
                <Row id=key("rate-limit") label="Rate-limit headroom">{headroom}</Row>
                <Row id=key("classification") label="Classification failures (24 h)">
                    <span class=failures_tone>{grouped(failures)}</span>
                </Row>
                <Row id=key("errors") label="Errors (24 h)">
                    <ErrorChips errors=source.errors_last_day />
                </Row>
                <Row id=key("open-alerts") label="Open alerts">
                    <A href=format!("/alerts?source={id}") attr:class=format!("tabular-nums hover:underline {}", alert_tone(source.open_alerts))>
                        {grouped(source.open_alerts.into())}
                    </A>
                </Row>
                {last_error}
            </dl>
        </section>
    }
}

/// One term and its value; the value is labelled by the term (tests and screen readers find it
/// by name).
#[component]
fn Row(
    id: String,
    label: &'static str,
    #[prop(optional)] wide: bool,
    children: Children,
) -> impl IntoView {
    let term_id = format!("{id}-term");
    let span = if wide { "sm:col-span-2" } else { "" };
    view! {
        <div class=span>
            <dt id=term_id.clone() class="text-xs font-medium text-slate-500">{label}</dt>
            <dd aria-labelledby=term_id class="mt-0.5 text-slate-900">{children()}</dd>
        </div>
    }
}

/// The no-events alarm, when it has something to say: ALARM as a red "No events" pill,
/// INSUFFICIENT_DATA muted. OK and an alarm switched off say nothing here.
fn alarm_note(state: AlarmState) -> Option<AnyView> {
    match state {
        AlarmState::Alarm => Some(
            view! {
                <Pill tone=Tone::Red>"No events"</Pill>
                <span class="text-red-700">"None arrived within the alarm's timeframe"</span>
            }
            .into_any(),
        ),
        AlarmState::InsufficientData => Some(
            view! {
                <Pill tone=Tone::Slate>"Insufficient data"</Pill>
                <span class="text-slate-500">"No-events alarm: not enough time observed yet"</span>
            }
            .into_any(),
        ),
        AlarmState::Ok | AlarmState::Disabled => None,
    }
}

/// When the last poll ended, how long it took, and whether it worked.
fn last_poll(source: &SourceHealth, now: Option<i64>) -> AnyView {
    let Some(at) = source.last_poll_at.clone() else {
        return view! { <span class="text-slate-500">"No poll yet"</span> }.into_any();
    };
    let took = source
        .last_poll_duration_ms
        .map(|ms| format!(", took {}", duration_words(ms)));
    let outcome = source.last_poll_outcome.as_deref().map(|outcome| {
        let (text, tone) = match outcome {
            "ok" => ("succeeded", "text-emerald-700"),
            "failed" => ("failed", "text-red-700"),
            other => (other, "text-slate-700"),
        };
        view! { ", " <span class=format!("font-medium {tone}")>{text.to_owned()}</span> }
    });
    view! { {moment(at, now)} {took} {outcome} }.into_any()
}

/// `57 of 120 left` over a bar of what is left, and when the window resets.
#[component]
fn Headroom(rate: RateHeadroom, now: Option<i64>) -> impl IntoView {
    let share = if rate.limit == 0 {
        0.0
    } else {
        (f64::from(rate.remaining) / f64::from(rate.limit)).clamp(0.0, 1.0)
    };
    let tone = if share < 0.1 {
        "bg-red-500"
    } else if share < 0.25 {
        "bg-amber-500"
    } else {
        "bg-emerald-500"
    };
    let resets = now
        .map(|now| rate.reset_epoch_secs - now)
        .filter(|secs| *secs > 0)
        .map(|secs| {
            view! {
                <span class="text-xs text-slate-500">
                    {format!(" (resets in {})", duration_words(secs * 1000))}
                </span>
            }
        });
    view! {
        <span class="tabular-nums">
            {format!("{} of {} left", grouped(rate.remaining.into()), grouped(rate.limit.into()))}
        </span>
        {resets}
        <span class="mt-1 block h-1.5 w-full max-w-48 overflow-hidden rounded-full bg-slate-200" aria-hidden="true">
            <span class=format!("block h-full {tone}") style=format!("width: {:.0}%", share * 100.0)></span>
        </span>
    }
}

/// Failed requests by class as small red chips, or "None".
#[component]
fn ErrorChips(errors: Vec<ErrorCount>) -> impl IntoView {
    if errors.is_empty() {
        return view! { <span class="text-slate-500">"None"</span> }.into_any();
    }
    view! {
        <ul class="flex flex-wrap gap-1.5">
            {errors
                .into_iter()
                .map(|e| {
                    view! {
                        <li class="inline-flex items-center gap-1 rounded-full bg-red-50 px-2 py-0.5 text-xs font-medium text-red-800 ring-1 ring-red-200">
                            {error_class_words(&e.class)}
                            <span class="tabular-nums">{grouped(e.count)}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// A moment as "3 min ago" (measured from `now`), with the exact time as the tooltip; the plain
/// [`Timestamp`] when either time cannot be read.
fn moment(rfc3339: String, now: Option<i64>) -> AnyView {
    match (epoch_secs(&rfc3339), now) {
        (Some(then), Some(now)) => {
            let exact = readable_utc(&rfc3339);
            view! {
                <time datetime=rfc3339 title=exact>{relative_words(now - then)}</time>
            }
            .into_any()
        }
        _ => view! { <Timestamp rfc3339 /> }.into_any(),
    }
}

fn error_class_words(class: &str) -> String {
    match class {
        "auth" => "Token refused".to_owned(),
        "rate_limited" => "Rate limited".to_owned(),
        "server" => "Okta server error".to_owned(),
        "timeout" => "Timed out".to_owned(),
        "transport" => "Network".to_owned(),
        "decode" => "Unreadable answer".to_owned(),
        "other" => "Other".to_owned(),
        other => other.replace('_', " "),
    }
}

/// Seconds elapsed as "just now", "42 s ago", "3 min ago", "5 h ago", "2 d ago".
fn relative_words(elapsed_secs: i64) -> String {
    match elapsed_secs {
        s if s < 5 => "just now".to_owned(),
        s if s < 60 => format!("{s} s ago"),
        s if s < 3600 => format!("{} min ago", s / 60),
        s if s < 2 * 86_400 => format!("{} h ago", s / 3600),
        s => format!("{} d ago", s / 86_400),
    }
}

/// Unix seconds of an RFC 3339 time (`2024-05-01T12:34:56.789Z`, or with a `+02:00` offset).
/// The app crate has no date library; this is the one place that needs arithmetic on times.
fn epoch_secs(rfc3339: &str) -> Option<i64> {
    let (date, time) = rfc3339.split_once(['T', 't', ' '])?;
    let mut ymd = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (ymd.next()??, ymd.next()??, ymd.next()??);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let (clock, offset_secs) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else {
        let at = time.rfind(['+', '-'])?;
        let (clock, offset) = time.split_at(at);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let (h, m) = offset[1..].split_once(':')?;
        (
            clock,
            sign * (h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60),
        )
    };
    let whole = clock.split('.').next()?;
    let mut hms = whole.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + s - offset_secs)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_read_as_unix_seconds() {
        assert_eq!(epoch_secs("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(epoch_secs("2024-05-01T12:34:56Z"), Some(1_714_566_896));
        assert_eq!(epoch_secs("2024-05-01T12:34:56.789Z"), Some(1_714_566_896));
        assert_eq!(epoch_secs("2024-05-01T14:34:56+02:00"), Some(1_714_566_896));
        assert_eq!(epoch_secs("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(epoch_secs("yesterday"), None);
        assert_eq!(epoch_secs("2024-13-01T00:00:00Z"), None);
    }

    #[test]
    fn elapsed_time_reads_in_one_unit() {
        assert_eq!(relative_words(-3), "just now");
        assert_eq!(relative_words(42), "42 s ago");
        assert_eq!(relative_words(185), "3 min ago");
        assert_eq!(relative_words(5 * 3600 + 10), "5 h ago");
        assert_eq!(relative_words(3 * 86_400), "3 d ago");
    }
}
