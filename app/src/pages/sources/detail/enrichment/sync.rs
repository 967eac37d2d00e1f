//! How each profile sync is doing, with "Sync now" and, once a sync is off, deleting what it
//! stored.

use leptos::prelude::*;

use crate::{
    api::enrichment::{delete_profiles, sync_profiles},
    components::{
        button::{DANGER_BUTTON, SECONDARY_BUTTON},
        card::Card,
        error_note::ErrorNote,
        formatted::{counted, grouped, humanized, Timestamp},
        status_badge::{Pill, Tone},
        term::Term,
    },
    model::{
        enrichment::{ProfileKind, SyncStatus},
        AppError,
    },
};

/// Both syncs side by side, with what they do to events in words.
#[component]
pub fn SyncPanels(
    id: i64,
    users: Memo<Option<SyncStatus>>,
    devices: Memo<Option<SyncStatus>>,
    changed: Trigger,
) -> impl IntoView {
    view! {
        <div class="flex flex-col gap-3">
            <div class="grid grid-cols-1 gap-5 lg:grid-cols-2">
                <SyncPanel id kind=ProfileKind::Users status=users changed />
                <SyncPanel id kind=ProfileKind::Devices status=devices changed />
            </div>
            <p class="max-w-prose text-sm text-slate-600">
                "Events stored while enrichment was off are not rewritten; new events are enriched once the first full sync has finished."
            </p>
        </div>
    }
    .into_any()
}

/// `(noun, switch label)`: "user", "User Profiles".
fn words(kind: ProfileKind) -> (&'static str, &'static str) {
    match kind {
        ProfileKind::Users => ("user", "User Profiles"),
        ProfileKind::Devices => ("device", "Device Profiles"),
    }
}

/// A sync state as a pill: its words and colour.
fn state_look(state: &str) -> (&'static str, Tone) {
    match state {
        "waiting" => ("Waiting for the first sync", Tone::Amber),
        "syncing" => ("Syncing", Tone::Sky),
        "ready" => ("Ready", Tone::Green),
        "failed" => ("Failed", Tone::Red),
        _ => ("Off", Tone::Slate),
    }
}

#[component]
fn SyncPanel(
    id: i64,
    kind: ProfileKind,
    status: Memo<Option<SyncStatus>>,
    changed: Trigger,
) -> impl IntoView {
    let (noun, switch) = words(kind);
    let key = kind.as_str();
    let error = RwSignal::new(None::<AppError>);
    let sync = Action::new(move |_: &()| async move {
        let result = sync_profiles(id, kind).await;
        error.try_set(result.clone().err());
        changed.notify();
        result.is_ok()
    });
    let enabled = move || status.with(|s| s.as_ref().is_some_and(|s| s.enabled));
    let sync_note = move || {
        if !enabled() {
            Some(format!("Switch on {switch} to sync them."))
        } else if sync.value().get() == Some(true) {
            Some("Sync started.".to_owned())
        } else {
            None
        }
    };

    let body = move || {
        let Some(s) = status.get() else {
            return view! { <p class="text-sm text-slate-500">"Loading…"</p> }.into_any();
        };
        let (text, tone) = state_look(&s.state);
        let when = |at: Option<String>, none: &'static str| match at {
            Some(at) => view! { <Timestamp rfc3339=at /> }.into_any(),
            None => view! { <span class="text-slate-500">{none}</span> }.into_any(),
        };
        let last_error = match (s.last_error, s.last_error_at) {
            (Some(problem), at) => view! {
                <span class="text-red-700">
                    {problem}
                    {at.map(|at| view! { <span class="block text-xs">"At " <Timestamp rfc3339=at /></span> })}
                </span>
            }
            .into_any(),
            (None, _) => view! { <span class="text-slate-500">"None"</span> }.into_any(),
        };
        view! {
            <dl class="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[10rem_1fr]">
                <Term id=format!("{key}-sync-state") label="State">
                    <Pill tone>{text}</Pill>
                </Term>
                <Term id=format!("{key}-sync-rows") label="Profiles stored">
                    <span class="tabular-nums">{grouped(s.rows)}</span>
                </Term>
                <Term id=format!("{key}-sync-full") label="Last full sync">{when(s.last_full_sync, "Never")}</Term>
                <Term id=format!("{key}-sync-delta") label="Last delta sync">{when(s.last_delta_sync, "Never")}</Term>
                <Term id=format!("{key}-sync-next") label="Next due">{when(s.next_due, "Not scheduled")}</Term>
                <Term id=format!("{key}-sync-error") label="Last error">{last_error}</Term>
            </dl>
        }
        .into_any()
    };

    view! {
        <Card title=format!("{} profile sync", humanized(noun))>
            <div class="flex flex-col gap-4">
                {body}
                <div class="flex flex-wrap items-center gap-3">
                    <button
                        type="button"
                        class=SECONDARY_BUTTON
                        disabled=move || !enabled() || sync.pending().get()
                        on:click=move |_| {
                            sync.dispatch(());
                        }
                    >
                        "Sync now"
                    </button>
                    <p aria-live="polite" class="text-sm text-slate-600">{sync_note}</p>
                </div>
                <ErrorNote error />
                <DeleteStored id kind status changed />
            </div>
        </Card>
    }
    .into_any()
}

/// Once a sync is off, the profiles it stored can be deleted (after a second click).
#[component]
fn DeleteStored(
    id: i64,
    kind: ProfileKind,
    status: Memo<Option<SyncStatus>>,
    changed: Trigger,
) -> impl IntoView {
    let (noun, _) = words(kind);
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let delete = Action::new(move |_: &()| async move {
        let result = delete_profiles(id, kind).await;
        match result {
            Ok(()) => {
                confirming.try_set(false);
                error.try_set(None);
            }
            Err(e) => {
                error.try_set(Some(e));
            }
        }
        changed.notify();
    });
    // Offered only while the sync is off and something is stored.
    let stored = Memo::new(move |_| {
        status.with(|s| {
            s.as_ref()
                .filter(|s| !s.enabled && s.rows > 0)
                .map(|s| s.rows)
        })
    });
    move || {
        let rows = stored.get()?;
        let profiles = counted(rows, &format!("{noun} profile"));
        let view = if confirming.get() {
            view! {
                <div role="group" aria-label=format!("Confirm deleting {noun} profiles") class="flex flex-col gap-2 rounded border border-red-200 bg-red-50 p-3">
                    <p class="text-sm text-red-900">
                        {format!("Delete the {profiles} stored for this source? Events already stored are not changed.")}
                    </p>
                    <div class="flex gap-2">
                        <button
                            type="button"
                            class=DANGER_BUTTON
                            disabled=move || delete.pending().get()
                            on:click=move |_| {
                                delete.dispatch(());
                            }
                        >
                            {format!("Yes, delete {profiles}")}
                        </button>
                        <button type="button" class=SECONDARY_BUTTON on:click=move |_| confirming.set(false)>
                            "Cancel"
                        </button>
                    </div>
                    <ErrorNote error />
                </div>
            }
            .into_any()
        } else {
            view! {
                <div>
                    <button type="button" class=DANGER_BUTTON on:click=move |_| confirming.set(true)>
                        {format!("Delete {}", counted(rows, &format!("stored {noun} profile")))}
                    </button>
                </div>
            }
            .into_any()
        };
        Some(view)
    }
}
