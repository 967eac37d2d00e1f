use leptos::prelude::*;

use crate::{
    api::system::get_system_info,
    components::{card::Card, page_header::PageHeader},
    model::SystemInfo,
};

#[component]
pub fn SettingsPage() -> impl IntoView {
    // Bumped by the Refresh button; the resource re-runs the server function when it changes.
    let refreshes = RwSignal::new(0u32);
    let info = Resource::new(move || refreshes.get(), |_| get_system_info());

    view! {
        <PageHeader title="Settings" description="About this Gatehouse server." />
        <Card title="System">
            <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| {
                    view! {
                        <p role="alert" class="text-sm text-red-700">
                            {move || errors.get().into_iter().map(|(_, e)| e.to_string()).collect::<Vec<_>>().join("; ")}
                        </p>
                    }
                }>
                    {move || Suspend::new(async move { info.await.map(|info| view! { <SystemTable info /> }) })}
                </ErrorBoundary>
            </Transition>
            <button
                type="button"
                class="mt-4 rounded bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400"
                on:click=move |_| refreshes.update(|n| *n += 1)
            >
                "Refresh"
            </button>
        </Card>
    }
}

#[component]
fn SystemTable(info: SystemInfo) -> impl IntoView {
    let migrations = info
        .migrations
        .into_iter()
        .map(|m| format!("{} {} ({})", m.version, m.description, m.installed_on))
        .collect::<Vec<_>>();
    let rows = [
        ("Version", info.version),
        ("Database", info.database_path),
        ("Started", info.started_at),
        ("Checked", info.checked_at),
        ("Migrations applied", migrations.len().to_string()),
    ];
    view! {
        <dl class="grid grid-cols-[12rem_1fr] gap-x-4 gap-y-2 text-sm">
            {rows
                .into_iter()
                .map(|(label, value)| {
                    view! {
                        <dt class="font-medium text-slate-600">{label}</dt>
                        <dd class="font-mono" aria-label=label>{value}</dd>
                    }
                })
                .collect_view()}
        </dl>
        <ul class="mt-3 list-inside list-disc text-xs text-slate-600" aria-label="Applied migrations">
            {migrations.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
        </ul>
    }
}
