use leptos::prelude::*;

use super::Live;
use crate::components::{
    card::Card,
    formatted::{grouped, Timestamp},
    status_badge::StatusBadge,
    term::Term,
};

/// What the source is and how it is doing; refreshed with the page (new events show up).
#[component]
pub fn OverviewTab(live: Live) -> impl IntoView {
    let d = live.current;
    let (state, reason) = (live.state(), live.reason());
    let last_event = move || match d.with(|d| d.summary.last_event_time.clone()) {
        Some(time) => view! { <Timestamp rfc3339=time /> }.into_any(),
        None => view! { <span class="text-slate-500">"No events yet"</span> }.into_any(),
    };
    let created = move || view! { <Timestamp rfc3339=d.with(|d| d.created_at.clone()) /> };

    view! {
        <Card title="Overview">
            <dl class="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[12rem_1fr]">
                <Term id="overview-status" label="Status">
                    <span class="flex flex-wrap items-center gap-2">
                        <StatusBadge state />
                        <span class="text-slate-700">{reason}</span>
                    </span>
                </Term>
                <Term id="overview-events" label="Events processed">
                    <span class="tabular-nums">{move || grouped(d.with(|d| d.summary.events_total))}</span>
                </Term>
                <Term id="overview-last-event" label="Last event">{last_event}</Term>
                <Term id="overview-org" label="Okta org">{move || d.with(|d| d.summary.org_host.clone())}</Term>
                <Term id="overview-created" label="Created">{created}</Term>
                <Term id="overview-token" label="API token">
                    {move || d.with(|d| format!("ending in …{}", d.summary.token_hint))}
                </Term>
                <Term id="overview-interval" label="Poll interval">
                    {move || d.with(|d| format!("every {} seconds", d.poll_interval_secs))}
                </Term>
            </dl>
        </Card>
    }
    .into_any()
}
