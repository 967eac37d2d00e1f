//! `/events/:id`: one stored event: its summary (each value a link to the events sharing it),
//! the alerts it is part of, its enrichment matches, its `p_` fields and the stored JSON.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

use crate::{
    api::events::get_stored_event,
    components::{
        alert_badge::{AlertStateBadge, SeverityBadge},
        card::Card,
        enrichment_matches::EnrichmentMatches,
        error_note::ErrorNote,
        formatted::Timestamp,
        page_header::PageHeader,
        status_badge::{okta_status_look, Pill},
        table::{Column, Table, CELL},
        term::Term,
    },
    model::{
        events::{EventAlert, EventQuery, StoredEvent},
        AppError,
    },
};

/// `/events/:id`. Rendered in `SsrMode::Async`, so an unknown id still answers 404.
#[component]
pub fn EventPage() -> impl IntoView {
    let params = use_params_map();
    let raw_id = move || params.read().get("id").unwrap_or_default();
    let event = Resource::new(raw_id, |raw| async move {
        let answer = match raw.parse::<i64>() {
            Ok(id) => get_stored_event(id).await,
            Err(_) => Err(AppError::NotFound(format!("Event {raw}"))),
        };
        (raw, answer)
    });

    view! {
        <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading the event…"</p> }>
            {move || Suspend::new(async move {
                match event.await {
                    (_, Ok(event)) => view! { <EventView event /> }.into_any(),
                    (raw, Err(AppError::NotFound(_))) => view! { <EventNotFound raw /> }.into_any(),
                    (_, Err(error)) => {
                        view! {
                            <PageHeader title="Event" />
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
fn EventNotFound(raw: String) -> impl IntoView {
    crate::pages::not_found::respond_not_found();
    view! {
        <PageHeader title=format!("Event {raw} was not found") />
        <p class="text-sm text-slate-700">
            "No stored event has this number (its source may have been deleted). "
            <A href="/events" attr:class="text-indigo-600 underline">"Back to events"</A>
        </p>
    }
    .into_any()
}

/// The explorer's address for the events sharing one value with this one (all time).
fn events_with(set: impl FnOnce(&mut EventQuery)) -> String {
    let mut query = EventQuery {
        range: Some("all".into()),
        ..EventQuery::default()
    };
    set(&mut query);
    query.href()
}

#[component]
fn EventView(event: StoredEvent) -> impl IntoView {
    let s = event.summary;
    let dash = || view! { <span class="text-slate-400">"—"</span> }.into_any();
    let link = |href: String, text: String| {
        view! { <A href=href attr:class="text-indigo-700 hover:underline">{text}</A> }.into_any()
    };
    let source = {
        let name = s
            .source_name
            .clone()
            .unwrap_or_else(|| format!("Source {} (deleted)", s.source_id));
        let id = s.source_id;
        link(events_with(|q| q.source_id = Some(id)), name)
    };
    let event_type = {
        let t = s.event_type.clone();
        let href = events_with(|q| q.event_type = Some(t.clone()));
        view! {
            <A href=href attr:class="font-mono text-xs text-indigo-700 hover:underline">{t}</A>
        }
        .into_any()
    };
    let actor = match s.actor.clone() {
        Some(actor) => link(events_with(|q| q.actor = Some(actor.clone())), actor),
        None => dash(),
    };
    let ip = match s.client_ip.clone() {
        Some(ip) => link(events_with(|q| q.ip = Some(ip.clone())), ip),
        None => dash(),
    };
    let outcome = match s.outcome.clone() {
        Some(outcome) => {
            let (text, tone) = okta_status_look(&outcome);
            view! { <Pill tone>{text}</Pill> }.into_any()
        }
        None => dash(),
    };
    let title = s.event_type.clone();
    let message = s.display_message.clone().unwrap_or_default();

    view! {
        <Title text=title.clone() />
        <nav aria-label="Breadcrumb" class="mb-2 text-sm">
            <A href="/events" attr:class="text-indigo-600 hover:underline">"← Events"</A>
        </nav>
        <header class="mb-5">
            <h1 class="break-all text-2xl font-semibold tracking-tight">{title}</h1>
            <p class="mt-1 text-sm text-slate-700">{message}</p>
        </header>
        <div class="flex max-w-5xl flex-col gap-5">
            <Card title="Summary">
                <dl class="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[12rem_1fr]">
                    <Term id="event-time" label="Time"><Timestamp rfc3339=s.event_time.clone() /></Term>
                    <Term id="event-source" label="Source">{source}</Term>
                    <Term id="event-type" label="Event type">{event_type}</Term>
                    <Term id="event-actor" label="Actor">{actor}</Term>
                    <Term id="event-ip" label="Client IP">{ip}</Term>
                    <Term id="event-outcome" label="Outcome">{outcome}</Term>
                    <Term id="event-severity" label="Severity">{s.severity.clone()}</Term>
                    <Term id="event-uuid" label="UUID"><span class="break-all font-mono text-xs">{s.uuid.clone()}</span></Term>
                    <Term id="event-row-id" label="p_row_id"><span class="break-all font-mono text-xs">{event.row_id}</span></Term>
                </dl>
            </Card>
            <Card title="Alerts">
                <Alerts alerts=event.alerts />
            </Card>
            <Card title="Enrichment">
                <EnrichmentMatches matches=event.matches />
            </Card>
            <Card title="p_ fields">
                <PFields fields=event.p_fields />
            </Card>
            <Card title="Stored JSON">
                <pre
                    aria-label="Stored event JSON"
                    tabindex="0"
                    class="max-h-[40rem] overflow-auto rounded border border-slate-200 bg-slate-50 p-3 font-mono text-xs text-slate-800"
                >
                    {event.json}
                </pre>
            </Card>
        </div>
    }
    .into_any()
}

#[component]
fn Alerts(alerts: Vec<EventAlert>) -> impl IntoView {
    if alerts.is_empty() {
        return view! { <p class="text-sm text-slate-600">"No alert includes this event."</p> }
            .into_any();
    }
    view! {
        <ul class="flex flex-col gap-2 text-sm">
            {alerts
                .into_iter()
                .map(|a| {
                    view! {
                        <li class="flex flex-wrap items-center gap-2">
                            <SeverityBadge severity=a.severity />
                            <AlertStateBadge state=a.state />
                            <A href=format!("/alerts/{}", a.id) attr:class="font-medium text-indigo-700 hover:underline">
                                {a.title}
                            </A>
                            <code class="font-mono text-xs text-slate-500">{a.rule_id}</code>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn PFields(fields: Vec<(String, String)>) -> impl IntoView {
    let columns = vec![Column::text("Field"), Column::text("Value")];
    view! {
        <Table label="p_ fields" columns>
            {fields
                .into_iter()
                .map(|(name, value)| {
                    view! {
                        <tr>
                            <td class=format!("{CELL} whitespace-nowrap font-mono text-xs")>{name}</td>
                            <td class=format!("{CELL} break-all font-mono text-xs text-slate-700")>{value}</td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
    .into_any()
}
