//! The Events tab: the source's newest stored events, refreshed while the tab is shown, and one
//! event in full (its enrichment matches and the stored JSON). Read in the browser once the
//! page has hydrated (see [`Latest::follow`]), never by a resource nested in the source page.

use std::time::Duration;

use leptos::prelude::*;

use super::Live;
use crate::{
    api::enrichment::{get_event, list_recent_events},
    components::{
        button::SMALL_BUTTON,
        card::Card,
        enrichment_matches::EnrichmentMatches,
        error_note::ErrorNote,
        formatted::{counted, Timestamp},
        live::Latest,
        status_badge::{okta_status_look, Pill},
        table::{Column, Table, CELL},
        term::Term,
    },
    model::enrichment::{EventDetail, RecentEvent},
};

/// How often the list is read again while the tab is shown.
const REFRESH: Duration = Duration::from_secs(3);

#[component]
pub fn EventsTab(live: Live, #[prop(into)] active: Signal<bool>) -> impl IntoView {
    let id = live.id();
    let events = Latest::new(None::<Vec<RecentEvent>>);
    let error = RwSignal::new(None);
    events.follow(REFRESH, active, error, move || async move {
        list_recent_events(id).await.map(Some)
    });
    // The shown event's `p_row_id`.
    let selected = RwSignal::new(None::<String>);
    let detail = Latest::new(None::<EventDetail>);
    let detail_error = RwSignal::new(None);
    detail.follow(REFRESH, active, detail_error, move || {
        let row_id = selected.get();
        async move {
            match row_id {
                Some(row_id) => get_event(id, row_id).await.map(Some),
                None => Ok(None),
            }
        }
    });

    let list = Memo::new(move |_| events.value.get());
    let shown = Memo::new(move |_| list.with(|l| l.as_ref().map(Vec::is_empty)));
    let table = move || {
        match shown.get() {
        None => view! { <p class="text-sm text-slate-500">"Loading events…"</p> }.into_any(),
        Some(true) => {
            view! { <p class="text-sm text-slate-600">"No events stored yet. They appear after the next poll."</p> }
                .into_any()
        }
        Some(false) => view! { <RecentEvents list selected /> }.into_any(),
    }
    };

    view! {
        <div class="grid grid-cols-1 items-start gap-5 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
            <Card title="Recent events">
                <p class="mb-2 text-xs text-slate-500">"The newest 50 events stored, newest first."</p>
                <ErrorNote error />
                {table}
            </Card>
            <div class="xl:sticky xl:top-4">
                <EventPanel selected detail=detail.value error=detail_error />
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn RecentEvents(
    list: Memo<Option<Vec<RecentEvent>>>,
    selected: RwSignal<Option<String>>,
) -> impl IntoView {
    let columns = vec![
        Column::text("Time"),
        Column::text("Event type"),
        Column::text("Actor"),
        Column::text("Outcome"),
        Column::text("Enrichment"),
        Column::text("Details"),
    ];
    // Keyed by row: a refresh adds the new rows and keeps the others (and the focus) as they are.
    view! {
        <Table label="Recent events" columns>
            <For
                each=move || list.get().unwrap_or_default()
                key=|event| event.row_id.clone()
                children=move |event| view! { <EventRow event selected /> }
            />
        </Table>
    }
    .into_any()
}

#[component]
fn EventRow(event: RecentEvent, selected: RwSignal<Option<String>>) -> impl IntoView {
    let outcome = match event.outcome {
        Some(outcome) => {
            let (text, tone) = okta_status_look(&outcome);
            view! { <Pill tone>{text}</Pill> }.into_any()
        }
        None => view! { <span class="text-slate-400">"—"</span> }.into_any(),
    };
    let matches = match event.matches {
        0 => "—".to_owned(),
        n => counted(i64::from(n), "match"),
    };
    let row_id = event.row_id.clone();
    let is_selected = Memo::new(move |_| selected.with(|s| s.as_deref() == Some(row_id.as_str())));
    let row_id = event.row_id;
    view! {
        <tr class=move || if is_selected.get() { "bg-indigo-50" } else { "" }>
            <td class=format!("{CELL} whitespace-nowrap text-slate-700")><Timestamp rfc3339=event.event_time /></td>
            <td class=format!("{CELL} font-mono text-xs text-slate-900")>{event.event_type}</td>
            <td class=format!("{CELL} text-slate-700")>{event.actor.unwrap_or_else(|| "—".to_owned())}</td>
            <td class=CELL>{outcome}</td>
            <td class=format!("{CELL} whitespace-nowrap text-slate-700")>{matches}</td>
            <td class=CELL>
                <button
                    type="button"
                    class=SMALL_BUTTON
                    aria-label=format!("Show event {}", event.uuid)
                    aria-pressed=move || is_selected.get().to_string()
                    on:click=move |_| selected.set(Some(row_id.clone()))
                >
                    "Show"
                </button>
            </td>
        </tr>
    }
    .into_any()
}

/// The selected event in full, or how to pick one.
#[component]
fn EventPanel(
    selected: RwSignal<Option<String>>,
    detail: RwSignal<Option<EventDetail>>,
    error: RwSignal<Option<crate::model::AppError>>,
) -> impl IntoView {
    // The answer for the selected row only (a previous selection's stays out of sight).
    let current = Memo::new(move |_| {
        let row_id = selected.get()?;
        detail.with(|d| d.clone().filter(|d| d.summary.row_id == row_id))
    });
    let body = move || {
        match (selected.with(Option::is_some), current.get()) {
        (false, _) => {
            view! { <p class="text-sm text-slate-600">"Choose “Show” on an event to see its enrichment and stored JSON."</p> }
                .into_any()
        }
        (true, None) => view! { <p class="text-sm text-slate-500">"Loading the event…"</p> }.into_any(),
        (true, Some(event)) => view! { <EventView event /> }.into_any(),
    }
    };
    view! {
        <Card title="Event detail">
            <ErrorNote error />
            {body}
        </Card>
    }
    .into_any()
}

#[component]
fn EventView(event: EventDetail) -> impl IntoView {
    let s = event.summary;
    let message = s.display_message.unwrap_or_else(|| "—".to_owned());
    view! {
        <div class="flex flex-col gap-4">
            <dl class="grid grid-cols-1 gap-x-4 gap-y-2 text-sm sm:grid-cols-[8rem_1fr]">
                <Term id="event-uuid" label="UUID"><span class="break-all font-mono text-xs">{s.uuid}</span></Term>
                <Term id="event-time" label="Time"><Timestamp rfc3339=s.event_time /></Term>
                <Term id="event-type" label="Event type"><span class="font-mono text-xs">{s.event_type}</span></Term>
                <Term id="event-message" label="Message">{message}</Term>
                <Term id="event-actor" label="Actor">{s.actor.unwrap_or_else(|| "—".to_owned())}</Term>
                <Term id="event-severity" label="Severity">{s.severity}</Term>
            </dl>
            <h3 class="text-sm font-semibold text-slate-800">"Matched enrichment"</h3>
            <EnrichmentMatches matches=event.matches />
            <details class="rounded border border-slate-200">
                <summary class="cursor-pointer px-3 py-2 text-sm font-medium text-slate-700">"Stored event JSON"</summary>
                <pre
                    aria-label="Stored event JSON"
                    tabindex="0"
                    class="max-h-[32rem] overflow-auto border-t border-slate-200 bg-slate-50 p-3 font-mono text-xs text-slate-800"
                >
                    {event.json}
                </pre>
            </details>
        </div>
    }
    .into_any()
}
