//! `/alerts/:id`: one alert with its context and its deliveries, refreshed live; open alerts can
//! be resolved here.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

use crate::{
    api::alerts::{get_alert, resolve_alert},
    components::{
        alert_badge::{AlertStateBadge, DeliveryStateBadge, SeverityBadge},
        alert_table::SourceName,
        button::PRIMARY_BUTTON,
        card::Card,
        error_note::ErrorNote,
        formatted::{grouped, Timestamp},
        live::Latest,
        page_header::PageHeader,
        table::{Column, Table, CELL, NUMBER},
        term::Term,
    },
    model::{
        alert::{AlertDetail, AlertState, Delivery},
        AppError,
    },
};

/// How often the page asks for the alert again (occurrences and deliveries move).
const REFRESH: Duration = Duration::from_secs(3);

/// `/alerts/:id`. Rendered in `SsrMode::Async`, so an unknown id still answers 404.
#[component]
pub fn AlertPage() -> impl IntoView {
    let params = use_params_map();
    let raw_id = move || params.read().get("id").unwrap_or_default();
    let alert = Resource::new(raw_id, |raw| async move {
        let answer = match raw.parse::<i64>() {
            Ok(id) => get_alert(id).await,
            Err(_) => Err(AppError::NotFound(format!("Alert {raw}"))),
        };
        (raw, answer)
    });

    view! {
        <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading the alert…"</p> }>
            {move || Suspend::new(async move {
                match alert.await {
                    (_, Ok(detail)) => view! { <AlertView detail /> }.into_any(),
                    (raw, Err(AppError::NotFound(_))) => view! { <AlertNotFound raw /> }.into_any(),
                    (_, Err(error)) => {
                        view! {
                            <PageHeader title="Alert" />
                            <ErrorNote error=Some(error) />
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn AlertNotFound(raw: String) -> impl IntoView {
    crate::pages::not_found::respond_not_found();
    view! {
        <PageHeader title=format!("Alert {raw} was not found") />
        <p class="text-sm text-slate-700">
            "There is no alert with this number. "
            <A href="/alerts" attr:class="text-indigo-600 underline">"Back to alerts"</A>
        </p>
    }
    .into_any()
}

#[component]
fn AlertView(detail: AlertDetail) -> impl IntoView {
    let id = detail.summary.id;
    let latest = Latest::new(detail);
    latest.refresh_every(REFRESH, move || get_alert(id));
    let d = latest.value;

    let resolve = Action::new(move |_: &()| async move {
        resolve_alert(id).await?;
        latest.refresh(get_alert(id)).await
    });
    let error = Signal::derive(move || resolve.value().get().and_then(Result::err));

    let title = Memo::new(move |_| d.with(|d| d.summary.title.clone()));
    let severity = Memo::new(move |_| d.with(|d| d.summary.severity));
    let state = Memo::new(move |_| d.with(|d| d.summary.state));
    let description = move || d.with(|d| d.description.clone());

    view! {
        <Title text=move || title.get() />
        <nav aria-label="Breadcrumb" class="mb-2 text-sm">
            <A href="/alerts" attr:class="text-indigo-600 hover:underline">"← Alerts"</A>
        </nav>
        <header class="mb-5 flex flex-wrap items-start justify-between gap-4">
            <div class="min-w-0">
                <div class="mb-1 flex flex-wrap items-center gap-2">
                    {move || view! { <SeverityBadge severity=severity.get() /> }}
                    {move || view! { <AlertStateBadge state=state.get() /> }}
                </div>
                <h1 class="text-2xl font-semibold tracking-tight">{move || title.get()}</h1>
                <p class="mt-2 max-w-prose text-sm text-slate-700">{description}</p>
            </div>
            <Show when=move || state.get() == AlertState::Open>
                <button
                    type="button"
                    class=PRIMARY_BUTTON
                    disabled=move || resolve.pending().get()
                    on:click=move |_| {
                        resolve.dispatch(());
                    }
                >
                    {move || if resolve.pending().get() { "Resolving…" } else { "Resolve" }}
                </button>
            </Show>
        </header>
        <div class="mb-5">
            <ErrorNote error />
        </div>
        <div class="flex max-w-5xl flex-col gap-5">
            <Card title="Details">
                <Details latest />
            </Card>
            <Card title="Context">
                <Context latest />
            </Card>
            <Show when=move || latest.value.with(|d| d.detection.is_some())>
                <Card title="Detection">
                    <Detection latest />
                </Card>
                <Card title="Events">
                    <MatchedEvents latest />
                </Card>
            </Show>
            <Card title="Deliveries">
                <Deliveries latest />
            </Card>
        </div>
    }
    .into_any()
}

#[component]
fn Details(latest: Latest<AlertDetail>) -> impl IntoView {
    let d = latest.value;
    let source = move || {
        let (id, name) = d.with(|d| (d.summary.source_id, d.summary.source_name.clone()));
        view! { <SourceName id name /> }
    };
    let first_seen =
        move || view! { <Timestamp rfc3339=d.with(|d| d.summary.first_seen.clone()) /> };
    let last_seen = move || view! { <Timestamp rfc3339=d.with(|d| d.summary.last_seen.clone()) /> };
    let resolved = move || {
        let (at, how) = d.with(|d| (d.resolved_at.clone(), d.resolved_how.clone()));
        at.map(|at| {
            let how = how.map(|how| match how.as_str() {
                "automatically" => ", automatically (the condition cleared)".to_owned(),
                other => format!(", {other}"),
            });
            view! {
                <Term id="alert-resolved" label="Resolved">
                    <Timestamp rfc3339=at />
                    {how}
                </Term>
            }
        })
    };
    view! {
        <dl class="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[12rem_1fr]">
            <Term id="alert-source" label="Source">{source}</Term>
            <Term id="alert-rule" label="Rule">
                <code class="font-mono text-xs">{move || d.with(|d| d.summary.rule_id.clone())}</code>
            </Term>
            <Term id="alert-first-seen" label="First seen">{first_seen}</Term>
            <Term id="alert-last-seen" label="Last seen">{last_seen}</Term>
            <Term id="alert-occurrences" label="Occurrences">
                <span class="tabular-nums">{move || d.with(|d| grouped(d.summary.occurrences))}</span>
            </Term>
            {resolved}
        </dl>
    }
    .into_any()
}

/// The alert's facts, as the server put them: a label and a value each.
#[component]
fn Context(latest: Latest<AlertDetail>) -> impl IntoView {
    let context = Memo::new(move |_| latest.value.with(|d| d.context.clone()));
    move || {
        let pairs = context.get();
        if pairs.is_empty() {
            return view! { <p class="text-sm text-slate-600">"No further context."</p> }
                .into_any();
        }
        view! {
            <dl class="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[12rem_1fr]">
                {pairs
                    .into_iter()
                    .enumerate()
                    .map(|(i, (label, value))| {
                        view! {
                            <Term id=format!("alert-context-{i}") label>
                                <span class="break-words">{value}</span>
                            </Term>
                        }
                    })
                    .collect_view()}
            </dl>
        }
        .into_any()
    }
}

/// A detection alert's Panther fields: dedup string, runbook, reference and alert context.
#[component]
fn Detection(latest: Latest<AlertDetail>) -> impl IntoView {
    let facts = Memo::new(move |_| latest.value.with(|d| d.detection.clone()));
    move || {
        facts.get().map(|f| {
            let reference = (!f.reference.is_empty()).then(|| {
                let href = f.reference.clone();
                view! {
                    <Term id="alert-reference" label="Reference">
                        <a href=href class="break-all text-indigo-700 underline" rel="noreferrer" target="_blank">
                            {f.reference.clone()}
                        </a>
                    </Term>
                }
            });
            let runbook = (!f.runbook.is_empty()).then(|| {
                view! {
                    <Term id="alert-runbook" label="Runbook">
                        <span class="whitespace-pre-line">{f.runbook.clone()}</span>
                    </Term>
                }
            });
            view! {
                <dl class="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[12rem_1fr]">
                    <Term id="alert-dedup" label="Dedup string">
                        <code class="break-all font-mono text-xs">{f.dedup.clone()}</code>
                    </Term>
                    {runbook}
                    {reference}
                </dl>
                <h3 class="mb-2 mt-4 text-sm font-semibold text-slate-700">"Alert context"</h3>
                <pre
                    id="alert-context-json"
                    class="max-h-96 overflow-auto rounded bg-slate-900 p-3 font-mono text-xs text-slate-100"
                >
                    {f.alert_context.clone()}
                </pre>
            }
        })
    }
}

/// The first events that matched, each linked to its detail, and the link to all of them.
#[component]
fn MatchedEvents(latest: Latest<AlertDetail>) -> impl IntoView {
    let id = latest.value.with_untracked(|d| d.summary.id);
    let samples = Memo::new(move |_| {
        latest.value.with(|d| {
            d.detection
                .as_ref()
                .map(|f| f.samples.clone())
                .unwrap_or_default()
        })
    });
    let total = Memo::new(move |_| latest.value.with(|d| d.summary.occurrences));
    let columns = vec![
        Column::text("Event"),
        Column::text("Type"),
        Column::text("Actor"),
        Column::text("Matched"),
    ];
    view! {
        <p class="mb-3 text-sm text-slate-700">
            {move || format!("{} matching events. ", grouped(total.get()))}
            <A
                href=format!("/events?alert={id}")
                attr:id="alert-events-link"
                attr:class="font-medium text-indigo-700 underline"
            >
                "Show all in the event explorer"
            </A>
        </p>
        {move || {
            let rows = samples.get();
            view! {
                <Table label="Matching events" columns=columns.clone()>
                    {rows
                        .into_iter()
                        .map(|m| {
                            view! {
                                <tr>
                                    <td class=CELL>
                                        <A href=format!("/events/{}", m.event_id) attr:class="font-mono text-xs text-indigo-700 underline">
                                            {format!("#{}", m.event_id)}
                                        </A>
                                    </td>
                                    <td class=CELL><code class="font-mono text-xs">{m.event_type}</code></td>
                                    <td class=CELL>{m.actor.unwrap_or_default()}</td>
                                    <td class=CELL><Timestamp rfc3339=m.matched_at /></td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </Table>
            }
        }}
    }
    .into_any()
}

#[component]
fn Deliveries(latest: Latest<AlertDetail>) -> impl IntoView {
    let deliveries = Memo::new(move |_| latest.value.with(|d| d.deliveries.clone()));
    move || {
        let rows = deliveries.get();
        if rows.is_empty() {
            return view! {
                <p class="text-sm text-slate-600">
                    "Not sent anywhere: no enabled destination takes alerts of this severity. "
                    <A href="/alerts/destinations" attr:class="font-medium text-indigo-700 underline">"Destinations"</A>
                </p>
            }
            .into_any();
        }
        let columns = vec![
            Column::text("Destination"),
            Column::text("Change"),
            Column::text("State"),
            Column::number("Attempts"),
            Column::text("Last attempt"),
            Column::text("Next attempt"),
            Column::text("Last error"),
        ];
        view! {
            <Table label="Deliveries" columns>
                {rows.into_iter().map(|delivery| view! { <DeliveryRow delivery /> }).collect_view()}
            </Table>
        }
        .into_any()
    }
}

#[component]
fn DeliveryRow(delivery: Delivery) -> impl IntoView {
    let destination = if delivery.destination_id.is_some() {
        view! { {delivery.destination_name} }.into_any()
    } else {
        view! {
            {delivery.destination_name}
            " "
            <span class="text-slate-500">"(deleted)"</span>
        }
        .into_any()
    };
    let change = match delivery.change.as_str() {
        "opened" => "Opened".to_owned(),
        "resolved" => "Resolved".to_owned(),
        other => other.to_owned(),
    };
    let moment = |at: Option<String>| match at {
        Some(at) => view! { <Timestamp rfc3339=at /> }.into_any(),
        None => view! { <span class="text-slate-400">"—"</span> }.into_any(),
    };
    let error = match delivery.last_error {
        Some(error) => view! { <span class="text-red-700">{error}</span> }.into_any(),
        None => view! { <span class="text-slate-400">"—"</span> }.into_any(),
    };
    view! {
        <tr>
            <td class=format!("{CELL} font-medium")>{destination}</td>
            <td class=CELL>{change}</td>
            <td class=CELL><DeliveryStateBadge state=delivery.state /></td>
            <td class=NUMBER>{grouped(delivery.attempts)}</td>
            <td class=format!("{CELL} whitespace-nowrap text-slate-700")>{moment(delivery.last_attempt_at)}</td>
            <td class=format!("{CELL} whitespace-nowrap text-slate-700")>{moment(delivery.next_attempt_at)}</td>
            <td class=CELL>{error}</td>
        </tr>
    }
    .into_any()
}
