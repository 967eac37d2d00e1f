use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    api::sources::list_sources,
    components::{
        card::Card,
        error_note::ErrorNote,
        formatted::{grouped, Timestamp},
        page_header::PageHeader,
        status_badge::StatusBadge,
        table::{Column, Table},
        ticker::use_ticker,
    },
    model::source::SourceSummary,
};

/// How often the list asks the server again (states and counts change with every poll).
const REFRESH: Duration = Duration::from_secs(3);

/// `/sources`: every source with its state, refreshed every few seconds.
#[component]
pub fn SourcesPage() -> impl IntoView {
    let ticks = use_ticker(REFRESH);
    let sources = Resource::new(move || ticks.get(), |_| list_sources());

    view! {
        <div class="flex items-start justify-between gap-4">
            <PageHeader title="Sources" description="The Okta orgs whose System Log Gatehouse collects." />
            <AddSourceLink />
        </div>
        // Transition, not Suspense: a refresh keeps the current table until the new one is ready.
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading sources…"</p> }>
            {move || Suspend::new(async move {
                match sources.await {
                    Ok(list) if list.is_empty() => view! { <NoSources /> }.into_any(),
                    Ok(list) => view! { <SourceTable sources=list /> }.into_any(),
                    Err(error) => view! { <ErrorNote error=Some(error) /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AddSourceLink() -> impl IntoView {
    view! {
        <A
            href="/sources/new"
            attr:class="shrink-0 rounded bg-indigo-600 px-3 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400"
        >
            "Add source"
        </A>
    }
}

#[component]
fn NoSources() -> impl IntoView {
    view! {
        <Card title="No sources yet">
            <div class="flex flex-col items-start gap-4">
                <p class="max-w-prose text-sm text-slate-600">
                    "A source is one Okta org whose System Log Gatehouse reads with a read-only API token. "
                    "Add one, and its sign-ins, admin changes and other events start arriving within a minute."
                </p>
                <AddSourceLink />
            </div>
        </Card>
    }
}

#[component]
fn SourceTable(sources: Vec<SourceSummary>) -> impl IntoView {
    let columns = vec![
        Column::text("Name"),
        Column::text("Okta org"),
        Column::text("Status"),
        Column::number("Events processed"),
        Column::text("Last event"),
        Column::text("Token"),
    ];
    view! {
        <Table label="Sources" columns>
            {sources.into_iter().map(|source| view! { <SourceRow source /> }).collect_view()}
        </Table>
    }
}

#[component]
fn SourceRow(source: SourceSummary) -> impl IntoView {
    let href = format!("/sources/{}", source.id);
    let status = if source.setup_complete {
        let reason = source
            .reason
            .map(|r| view! { <p class="mt-1 text-xs text-slate-500">{r}</p> });
        view! {
            <StatusBadge state=source.state />
            {reason}
        }
        .into_any()
    } else {
        let finish = format!("/sources/new?source={}&step=enrichment", source.id);
        view! {
            <StatusBadge state="setup".to_owned() />
            <p class="mt-1 text-xs">
                <A href=finish attr:class="font-medium text-indigo-600 hover:underline">"Finish setup"</A>
            </p>
        }
        .into_any()
    };
    let last_event = match source.last_event_time {
        Some(time) => view! { <Timestamp rfc3339=time /> }.into_any(),
        None => view! { <span class="text-slate-400">"No events yet"</span> }.into_any(),
    };
    view! {
        <tr class="align-top hover:bg-slate-50">
            <td class="whitespace-nowrap px-4 py-3 font-medium">
                <A href=href attr:class="text-indigo-700 hover:underline">{source.name}</A>
            </td>
            <td class="whitespace-nowrap px-4 py-3 text-slate-700">{source.org_host}</td>
            <td class="px-4 py-3">{status}</td>
            <td class="px-4 py-3 text-right tabular-nums">{grouped(source.events_total)}</td>
            <td class="px-4 py-3 whitespace-nowrap text-slate-700">{last_event}</td>
            <td class="px-4 py-3 font-mono text-slate-600">{format!("…{}", source.token_hint)}</td>
        </tr>
    }
}
