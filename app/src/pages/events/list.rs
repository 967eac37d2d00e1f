//! `/events`: the event explorer. Every filter lives in the address (`?range=7d&type=...`), so
//! a reload or a shared link (`/events?alert=42`) asks the same question; "Older" and "Newer"
//! are links carrying a keyset cursor.

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

use crate::{
    api::{events::search_events, sources::list_sources},
    components::{
        button::{SECONDARY_BUTTON, SMALL_BUTTON},
        error_note::ErrorNote,
        field::SelectField,
        formatted::Timestamp,
        page_header::PageHeader,
        status_badge::{okta_status_look, Pill},
        table::{Column, Table, CELL},
    },
    model::{
        events::{EventPage, EventQuery, EventRow, OUTCOMES},
        source::SourceSummary,
        AppError,
    },
};

#[component]
pub fn EventsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| EventQuery::from_params(|key| p.get(key))));
    // The answer carries the query it answers (its paging links start from it).
    let page = Resource::new(
        move || query.get(),
        |query| async move {
            let answer = search_events(query.clone()).await;
            (query, answer)
        },
    );

    view! {
        <PageHeader
            title="Events"
            description="Every stored Okta event, newest first. Filters combine; free text searches the stored JSON within the time range."
        />
        <Filters query />
        // Transition: a new filter keeps the current table until its answer is ready.
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading events…"</p> }>
            {move || Suspend::new(async move {
                let (query, answer) = page.await;
                match answer {
                    Ok(page) => view! { <Results query page /> }.into_any(),
                    Err(error) => view! { <Refused error /> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// A refused search: field by field, or the error in words.
#[component]
fn Refused(error: AppError) -> impl IntoView {
    match error {
        AppError::Fields(fields) => view! {
            <div role="alert" class="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                <p class="font-medium">"Check the filters:"</p>
                <ul class="list-disc pl-5">
                    {fields
                        .into_iter()
                        .map(|f| view! { <li>{format!("{}: {}", field_label(&f.field), f.problem)}</li> })
                        .collect_view()}
                </ul>
            </div>
        }
        .into_any(),
        error => view! { <ErrorNote error=Some(error) /> }.into_any(),
    }
}

/// A refused field's name as the filter bar labels it.
fn field_label(field: &str) -> &str {
    match field {
        "range" => "Time range",
        "from" => "From",
        "to" => "To",
        "event_type" => "Event type",
        "actor" => "Actor",
        "ip" => "IP address",
        "outcome" => "Outcome",
        "text" => "Text",
        "cursor" => "Page",
        other => other,
    }
}

#[component]
fn Results(query: EventQuery, page: EventPage) -> impl IntoView {
    let at = |cursor: Option<String>| {
        cursor.map(|cursor| {
            EventQuery {
                cursor: Some(cursor),
                ..query.clone()
            }
            .href()
        })
    };
    let older = at(page.next_cursor);
    let newer = at(page.newer_cursor);
    let newest = query.cursor.is_some().then(|| {
        EventQuery {
            cursor: None,
            ..query.clone()
        }
        .href()
    });
    if page.events.is_empty() {
        let words = if query.cursor.is_some() {
            "No more events on this side of the page."
        } else {
            "No stored events match these filters. Widen the time range or clear a filter."
        };
        return view! {
            <p class="rounded-lg border border-slate-200 bg-white p-5 text-sm text-slate-600 shadow-sm">
                {words}
                {newest.map(|href| view! { " " <A href=href attr:class="text-indigo-700 underline">"Back to the newest events"</A> })}
            </p>
        }
        .into_any();
    }
    let columns = vec![
        Column::text("Time"),
        Column::text("Source"),
        Column::text("Event type"),
        Column::text("Actor"),
        Column::text("Client IP"),
        Column::text("Outcome"),
        Column::text("Message"),
    ];
    view! {
        <Table label="Events" columns>
            {page.events.into_iter().map(|event| view! { <EventLine event /> }).collect_view()}
        </Table>
        <nav aria-label="Pages of events" class="mt-3 flex items-center justify-end gap-2 text-sm">
            {newest.map(|href| view! { <A href=href attr:class=SMALL_BUTTON>"Newest"</A> })}
            <PageLink href=newer label="Newer" />
            <PageLink href=older label="Older" />
        </nav>
    }
    .into_any()
}

/// A paging link, or its label greyed out when there is no such page.
#[component]
fn PageLink(href: Option<String>, label: &'static str) -> impl IntoView {
    match href {
        Some(href) => view! { <A href=href attr:class=SMALL_BUTTON>{label}</A> }.into_any(),
        None => view! {
            <span class=format!("{SMALL_BUTTON} cursor-not-allowed opacity-50") aria-disabled="true">{label}</span>
        }
        .into_any(),
    }
}

#[component]
fn EventLine(event: EventRow) -> impl IntoView {
    let outcome = match event.outcome {
        Some(outcome) => {
            let (text, tone) = okta_status_look(&outcome);
            view! { <Pill tone>{text}</Pill> }.into_any()
        }
        None => view! { <span class="text-slate-400">"—"</span> }.into_any(),
    };
    let dash = || "—".to_owned();
    let source = event
        .source_name
        .unwrap_or_else(|| format!("Source {} (deleted)", event.source_id));
    let label = format!("Event {} at {}", event.event_type, event.event_time);
    view! {
        <tr>
            <td class=format!("{CELL} whitespace-nowrap")>
                <A
                    href=format!("/events/{}", event.id)
                    attr:class="text-indigo-700 hover:underline"
                    attr:aria-label=label
                >
                    <Timestamp rfc3339=event.event_time />
                </A>
            </td>
            <td class=format!("{CELL} text-slate-700")>{source}</td>
            <td class=format!("{CELL} font-mono text-xs text-slate-900")>{event.event_type}</td>
            <td class=format!("{CELL} break-all text-slate-700")>{event.actor.unwrap_or_else(dash)}</td>
            <td class=format!("{CELL} whitespace-nowrap font-mono text-xs text-slate-700")>{event.client_ip.unwrap_or_else(dash)}</td>
            <td class=CELL>{outcome}</td>
            <td class=format!("{CELL} text-slate-700")>{event.display_message.unwrap_or_else(dash)}</td>
        </tr>
    }
    .into_any()
}

/// One filter's new value, as typed or chosen.
#[derive(Debug, Clone)]
enum FilterChange {
    Range(String),
    From(String),
    To(String),
    Source(String),
    EventType(String),
    Actor(String),
    Ip(String),
    IpAnywhere(bool),
    Outcome(String),
    Text(String),
}

fn some(v: String) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

impl FilterChange {
    /// Applies the change; any change starts again from the newest page.
    fn apply(self, q: &mut EventQuery) {
        q.cursor = None;
        match self {
            FilterChange::Range(v) => {
                if v != "custom" {
                    q.from = None;
                    q.to = None;
                }
                q.range = Some(v);
            }
            FilterChange::From(v) => q.from = some(v),
            FilterChange::To(v) => q.to = some(v),
            FilterChange::Source(v) => q.source_id = v.parse().ok(),
            FilterChange::EventType(v) => q.event_type = some(v),
            FilterChange::Actor(v) => q.actor = some(v),
            FilterChange::Ip(v) => q.ip = some(v),
            FilterChange::IpAnywhere(v) => q.ip_anywhere = v,
            FilterChange::Outcome(v) => q.outcome = some(v),
            FilterChange::Text(v) => q.text = some(v),
        }
    }
}

/// The filter bar: each change goes into the address.
#[component]
fn Filters(query: Memo<EventQuery>) -> impl IntoView {
    let navigate = use_navigate();
    let apply = Callback::new(move |change: FilterChange| {
        let mut next = query.get_untracked();
        change.apply(&mut next);
        let options = NavigateOptions {
            replace: false,
            scroll: false,
            ..Default::default()
        };
        navigate(&next.href(), options);
    });

    let range_options = [
        ("1h", "Last hour"),
        ("24h", "Last 24 hours"),
        ("7d", "Last 7 days"),
        ("30d", "Last 30 days"),
        ("all", "All time"),
        ("custom", "Custom range"),
    ]
    .map(|(v, l)| (v.to_owned(), l.to_owned()))
    .to_vec();
    let range = Signal::derive(move || query.with(|q| q.range.clone().unwrap_or_default()));
    let custom = Memo::new(move |_| query.with(|q| q.range.as_deref() == Some("custom")));

    let mut outcome_options = vec![(String::new(), "Any".to_owned())];
    outcome_options.extend(OUTCOMES.map(|o| (o.to_owned(), o.to_owned())));
    let outcome = Signal::derive(move || query.with(|q| q.outcome.clone().unwrap_or_default()));

    let sources = OnceResource::new(list_sources());
    let alert = move || {
        query.with(|q| q.alert_id).map(|id| {
            let without = move || {
                EventQuery {
                    alert_id: None,
                    cursor: None,
                    ..query.get()
                }
                .href()
            };
            view! {
                <p class="mb-3 flex items-center gap-3 text-sm text-slate-700">
                    <span>
                        "The events of "
                        <A href=format!("/alerts/{id}") attr:class="font-medium text-indigo-700 underline">{format!("alert {id}")}</A>
                    </span>
                    <A href=without attr:class=SMALL_BUTTON>"Show all events"</A>
                </p>
            }
        })
    };

    view! {
        {alert}
        <div role="search" aria-label="Filter events" class="mb-4 flex flex-wrap items-end gap-4">
            <SelectField
                id="event-filter-range"
                label="Time range"
                options=range_options
                value=range
                on_change=Callback::new(move |v: String| apply.run(FilterChange::Range(v)))
            />
            <Show when=move || custom.get()>
                <TypedFilter id="event-filter-from" label="From (UTC)" input_type="datetime-local" width="w-52"
                    value=Signal::derive(move || query.with(|q| q.from.clone().unwrap_or_default()))
                    on_change=Callback::new(move |v| apply.run(FilterChange::From(v))) />
                <TypedFilter id="event-filter-to" label="To (UTC)" input_type="datetime-local" width="w-52"
                    value=Signal::derive(move || query.with(|q| q.to.clone().unwrap_or_default()))
                    on_change=Callback::new(move |v| apply.run(FilterChange::To(v))) />
            </Show>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    // Without the list of sources, the other filters still work.
                    sources.await.ok().map(|list| view! { <SourceFilter query list apply /> })
                })}
            </Suspense>
            <TypedFilter id="event-filter-type" label="Event type" placeholder="user.session.start" width="w-60"
                value=Signal::derive(move || query.with(|q| q.event_type.clone().unwrap_or_default()))
                on_change=Callback::new(move |v| apply.run(FilterChange::EventType(v))) />
            <TypedFilter id="event-filter-actor" label="Actor" placeholder="login, id, or prefix*" width="w-60"
                value=Signal::derive(move || query.with(|q| q.actor.clone().unwrap_or_default()))
                on_change=Callback::new(move |v| apply.run(FilterChange::Actor(v))) />
            <TypedFilter id="event-filter-ip" label="IP address" placeholder="203.0.113.9" width="w-40"
                value=Signal::derive(move || query.with(|q| q.ip.clone().unwrap_or_default()))
                on_change=Callback::new(move |v| apply.run(FilterChange::Ip(v))) />
            <label class="mb-2 flex items-center gap-2 text-sm text-slate-700" title="Also match the address anywhere in the event (p_any_ip_addresses); reads every event in the time range.">
                <input
                    id="event-filter-ip-any"
                    type="checkbox"
                    class="h-4 w-4 rounded border-slate-300"
                    checked=query.with_untracked(|q| q.ip_anywhere)
                    prop:checked=move || query.with(|q| q.ip_anywhere)
                    on:change=move |ev| apply.run(FilterChange::IpAnywhere(event_target_checked(&ev)))
                />
                "IP anywhere in the event"
            </label>
            <SelectField
                id="event-filter-outcome"
                label="Outcome"
                options=outcome_options
                value=outcome
                on_change=Callback::new(move |v: String| apply.run(FilterChange::Outcome(v)))
            />
            <TypedFilter id="event-filter-text" label="Text" placeholder="anywhere in the JSON" width="w-60" input_type="search"
                value=Signal::derive(move || query.with(|q| q.text.clone().unwrap_or_default()))
                on_change=Callback::new(move |v| apply.run(FilterChange::Text(v))) />
            <A href="/events" attr:class=SECONDARY_BUTTON>"Clear"</A>
        </div>
    }
    .into_any()
}

/// A typed filter, applied when the field loses focus or on Enter (never per keystroke).
#[component]
fn TypedFilter(
    id: &'static str,
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    on_change: Callback<String>,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] input_type: Option<&'static str>,
    width: &'static str,
) -> impl IntoView {
    view! {
        <label class="flex flex-col gap-1 text-sm font-medium text-slate-700">
            {label}
            <input
                id=id
                type=input_type.unwrap_or("text")
                placeholder=placeholder
                autocomplete="off"
                class=format!("{width} rounded-md border border-slate-300 px-3 py-2 text-sm font-normal")
                value=value.get_untracked()
                prop:value=move || value.get()
                on:change=move |ev| on_change.run(event_target_value(&ev))
            />
        </label>
    }
    .into_any()
}

#[component]
fn SourceFilter(
    query: Memo<EventQuery>,
    list: Vec<SourceSummary>,
    apply: Callback<FilterChange>,
) -> impl IntoView {
    let mut options = vec![(String::new(), "All sources".to_owned())];
    options.extend(list.iter().map(|s| (s.id.to_string(), s.name.clone())));
    if let Some(id) = query.with_untracked(|q| q.source_id) {
        if !list.iter().any(|s| s.id == id) {
            options.push((id.to_string(), format!("Source {id} (deleted)")));
        }
    }
    let value = Signal::derive(move || {
        query.with(|q| q.source_id.map(|id| id.to_string()).unwrap_or_default())
    });
    view! {
        <SelectField
            id="event-filter-source"
            label="Source"
            options
            value
            on_change=Callback::new(move |v: String| apply.run(FilterChange::Source(v)))
        />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_starts_again_from_the_newest_page() {
        let mut q = EventQuery {
            range: Some("custom".into()),
            from: Some("2026-01-01T00:00".into()),
            cursor: Some("o1_2".into()),
            ..EventQuery::default()
        };
        FilterChange::EventType(" user.session.start ".into()).apply(&mut q);
        assert_eq!(q.cursor, None);
        assert_eq!(q.event_type.as_deref(), Some("user.session.start"));
        FilterChange::Range("7d".into()).apply(&mut q);
        assert_eq!((q.range.as_deref(), q.from.as_deref()), (Some("7d"), None));
        FilterChange::Actor(String::new()).apply(&mut q);
        assert_eq!(q.actor, None);
    }
}
