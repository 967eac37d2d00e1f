//! `/alerts/destinations`: the webhooks alerts are sent to, with their delivery counts (live),
//! a test message and deletion per destination, and the form to add or edit one.

use std::time::Duration;

use leptos::{prelude::*, task::spawn_local};

use super::{destination_form::DestinationForm, AreaTabs};
use crate::{
    api::alerts::{delete_destination, list_destinations, test_destination},
    components::{
        alert_badge::SeverityBadge,
        button::{SMALL_BUTTON, SMALL_DANGER_BUTTON},
        error_note::ErrorNote,
        formatted::{grouped, Timestamp},
        live::Latest,
        page_header::PageHeader,
        table::{Column, Table, CELL, NUMBER},
    },
    model::alert::Destination,
};

/// How often the counts are read again.
const REFRESH: Duration = Duration::from_secs(5);

#[component]
pub fn DestinationsPage() -> impl IntoView {
    let destinations = OnceResource::new(list_destinations());
    view! {
        <PageHeader
            title="Destinations"
            description="Webhooks Gatehouse sends alerts to: a JSON POST when an alert opens and when it resolves, retried when the receiver fails."
        />
        <AreaTabs />
        <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading destinations…"</p> }>
            {move || Suspend::new(async move {
                match destinations.await {
                    Ok(list) => view! { <DestinationsView list /> }.into_any(),
                    Err(error) => view! { <ErrorNote error=Some(error) /> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// What the page shares between the list and the form.
#[derive(Clone, Copy)]
struct Page {
    latest: Latest<Vec<Destination>>,
    /// The destination being edited; `None`: the form adds a new one. Every `set` renews the
    /// form, even to the same value (a fresh, empty form after adding).
    editing: RwSignal<Option<Destination>>,
}

impl Page {
    /// Reads the list again now, after a change.
    async fn reload(self) {
        let _ = self.latest.refresh(list_destinations()).await;
    }
}

#[component]
fn DestinationsView(list: Vec<Destination>) -> impl IntoView {
    let latest = Latest::new(list);
    latest.refresh_every(REFRESH, list_destinations);
    let page = Page {
        latest,
        editing: RwSignal::new(None),
    };
    let saved = RwSignal::new(None::<String>);
    let on_saved = Callback::new(move |name: String| {
        saved.try_set(Some(format!("Saved {name}.")));
        page.editing.try_set(None);
        spawn_local(page.reload());
    });
    let empty = Memo::new(move |_| latest.value.with(Vec::is_empty));

    view! {
        <div class="flex flex-col gap-6">
            <Show when=move || !empty.get() fallback=|| view! { <NoDestinations /> }>
                <DestinationTable page />
            </Show>
            <div class="flex flex-col gap-2">
                <p role="status" aria-live="polite" class="min-h-5 text-sm text-emerald-700">
                    {move || saved.get()}
                </p>
                {move || {
                    let editing = page.editing.get();
                    view! {
                        <DestinationForm
                            editing
                            on_saved
                            on_cancel=Callback::new(move |()| page.editing.set(None))
                        />
                    }
                }}
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn NoDestinations() -> impl IntoView {
    view! {
        <p class="rounded-lg border border-slate-200 bg-white p-5 text-sm text-slate-600 shadow-sm">
            "No destinations yet. Add a webhook below, and Gatehouse sends it every alert of its minimum severity or higher."
        </p>
    }
}

/// One row per destination, keyed by id: a refresh changes the figures in place, and a row's
/// own state (a test result, a pending deletion) survives it.
#[component]
fn DestinationTable(page: Page) -> impl IntoView {
    let columns = vec![
        Column::text("Destination"),
        Column::text("Signed"),
        Column::text("Minimum severity"),
        Column::text("Enabled"),
        Column::number("Delivered"),
        Column::number("Failed"),
        Column::number("Pending"),
        Column::text("Last error"),
        Column::text("Actions"),
    ];
    let ids = move || {
        page.latest
            .value
            .with(|l| l.iter().map(|d| d.id).collect::<Vec<_>>())
    };
    view! {
        <Table label="Destinations" columns>
            <For each=ids key=|id| *id children=move |id| view! { <DestinationRow id page /> } />
        </Table>
    }
    .into_any()
}

#[component]
fn DestinationRow(id: i64, page: Page) -> impl IntoView {
    let d = Memo::new(move |_| {
        page.latest
            .value
            .with(|l| l.iter().find(|d| d.id == id).cloned())
    });
    let text = move |f: fn(&Destination) -> String| {
        move || d.with(|d| d.as_ref().map(f).unwrap_or_default())
    };
    let name = Signal::derive(text(|d| d.name.clone()));
    let count = |f: fn(&Destination) -> i64| {
        move || d.with(|d| grouped(d.as_ref().map(f).unwrap_or_default()))
    };
    let severity = move || {
        d.with(|d| d.as_ref().map(|d| d.min_severity))
            .map(|severity| view! { <SeverityBadge severity /> })
    };
    let last_error = move || {
        let (error, at) = d.with(|d| {
            d.as_ref()
                .map(|d| (d.last_error.clone(), d.last_error_at.clone()))
                .unwrap_or_default()
        });
        match error {
            Some(error) => view! {
                <span class="text-red-700">{error}</span>
                {at.map(|at| view! { <span class="block text-xs text-slate-500"><Timestamp rfc3339=at /></span> })}
            }
            .into_any(),
            None => view! { <span class="text-slate-400">"None"</span> }.into_any(),
        }
    };
    let edit = move |_| {
        page.editing.set(d.get_untracked());
        focus_form();
    };

    view! {
        <tr class="hover:bg-slate-50">
            <td class=format!("{CELL} min-w-56 max-w-sm")>
                <span class="block font-medium">{name}</span>
                <span class="block break-all font-mono text-xs text-slate-600">{text(|d| d.url.clone())}</span>
            </td>
            <td class=CELL>{text(|d| yes_no(d.signed))}</td>
            <td class=CELL>{severity}</td>
            <td class=CELL>{text(|d| yes_no(d.enabled))}</td>
            <td class=NUMBER>{count(|d| d.delivered)}</td>
            <td class=NUMBER>{count(|d| d.failed)}</td>
            <td class=NUMBER>{count(|d| d.pending)}</td>
            <td class=format!("{CELL} min-w-40")>{last_error}</td>
            <td class=CELL>
                <div class="flex w-44 flex-col items-start gap-1.5">
                    <button
                        type="button"
                        class=SMALL_BUTTON
                        aria-label=move || format!("Edit {}", name.get())
                        on:click=edit
                    >
                        "Edit"
                    </button>
                    <SendTest id name />
                    <DeleteDestination id name page />
                </div>
            </td>
        </tr>
    }
    .into_any()
}

/// "Send test", and what the destination answered (green when it took the message).
#[component]
fn SendTest(id: i64, name: Signal<String>) -> impl IntoView {
    let test = Action::new(move |_: &()| test_destination(id));
    let outcome = move || {
        test.value().get().map(|answer| {
            let (ok, message) = match answer {
                Ok(result) => (result.ok, result.message),
                Err(error) => (false, error.to_string()),
            };
            let tone = if ok {
                "text-emerald-700"
            } else {
                "text-red-700"
            };
            view! { <span class=format!("text-xs {tone}")>{message}</span> }
        })
    };
    view! {
        <button
            type="button"
            class=SMALL_BUTTON
            aria-label=move || format!("Send test to {}", name.get())
            disabled=move || test.pending().get()
            on:click=move |_| {
                test.dispatch(());
            }
        >
            {move || if test.pending().get() { "Sending…" } else { "Send test" }}
        </button>
        <p role="status" aria-live="polite">{outcome}</p>
    }
    .into_any()
}

/// "Delete", then a confirmation in place.
#[component]
fn DeleteDestination(id: i64, name: Signal<String>, page: Page) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let delete = Action::new(move |_: &()| async move {
        delete_destination(id).await?;
        if page
            .editing
            .with_untracked(|e| e.as_ref().is_some_and(|e| e.id == id))
        {
            page.editing.try_set(None);
        }
        page.reload().await;
        Ok(())
    });
    let error = Signal::derive(move || delete.value().get().and_then(Result::err));
    view! {
        <div>
            <Show
                when=move || confirming.get()
                fallback=move || {
                    view! {
                        <button
                            type="button"
                            class=SMALL_BUTTON
                            aria-label=move || format!("Delete {}", name.get())
                            on:click=move |_| confirming.set(true)
                        >
                            "Delete"
                        </button>
                    }
                }
            >
                <div role="group" aria-label=move || format!("Confirm deleting {}", name.get()) class="flex flex-col gap-2 rounded border border-red-200 bg-red-50 p-2">
                    <p class="text-xs text-red-900">
                        {move || format!("Delete {}? Alerts stop going there; this cannot be undone.", name.get())}
                    </p>
                    <div class="flex gap-2">
                        <button
                            type="button"
                            class=SMALL_DANGER_BUTTON
                            disabled=move || delete.pending().get()
                            on:click=move |_| {
                                delete.dispatch(());
                            }
                        >
                            "Yes, delete"
                        </button>
                        <button
                            type="button"
                            class=SMALL_BUTTON
                            on:click=move |_| confirming.set(false)
                        >
                            "Keep it"
                        </button>
                    </div>
                    <ErrorNote error />
                </div>
            </Show>
        </div>
    }
    .into_any()
}

fn yes_no(on: bool) -> String {
    if on { "Yes" } else { "No" }.to_owned()
}

/// Takes keyboard focus to the form's first field (after the form was renewed for editing).
fn focus_form() {
    use leptos::wasm_bindgen::JsCast;
    request_animation_frame(|| {
        if let Some(field) = document()
            .get_element_by_id("destination-name")
            .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        {
            let _ = field.focus();
        }
    });
}
