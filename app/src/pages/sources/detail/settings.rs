use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::{Live, SaveRow};
use crate::{
    api::sources::{
        delete_source, rename_source, replace_token, save_poll_settings, set_source_enabled,
    },
    components::{
        card::Card,
        error_note::ErrorNote,
        field::{field_problem, TextField},
    },
    model::{
        source::{
            validate_api_token, validate_poll_settings, validate_source_name, FieldProblem,
            BACKFILL_HOURS_MAX, POLL_INTERVAL_MAX_SECS, POLL_INTERVAL_MIN_SECS,
        },
        AppError, FieldError,
    },
};

use crate::components::button::{DANGER_BUTTON, SECONDARY_BUTTON as SECONDARY};

/// Name, token, polling, pause/resume and deletion.
#[component]
pub fn SettingsTab(live: Live) -> impl IntoView {
    view! {
        <div class="flex max-w-3xl flex-col gap-5">
            <RenameCard live />
            <TokenCard live />
            <PollingCard live />
            <DangerZone live />
        </div>
    }
    .into_any()
}

fn refused(field: &str, problem: FieldProblem) -> AppError {
    AppError::Fields(vec![FieldError {
        field: field.into(),
        problem,
    }])
}

/// Runs a server call; on success clears `error` and reloads the page's source, on failure
/// keeps the error for the form to show. Returns whether it worked.
async fn saving<T>(
    live: Live,
    error: RwSignal<Option<AppError>>,
    call: impl std::future::Future<Output = Result<T, AppError>>,
) -> Option<T> {
    match call.await {
        Ok(value) => {
            error.try_set(None);
            live.reload().await;
            Some(value)
        }
        Err(e) => {
            error.try_set(Some(e));
            None
        }
    }
}

#[component]
fn RenameCard(live: Live) -> impl IntoView {
    let id = live.id();
    let name = RwSignal::new(live.current.with_untracked(|d| d.summary.name.clone()));
    let error = RwSignal::new(None::<AppError>);
    let rename =
        Action::new(move |name: &String| saving(live, error, rename_source(id, name.clone())));
    let status = Signal::derive(move || {
        (!rename.pending().get() && rename.value().get() == Some(Some(())))
            .then(|| "Name saved".to_owned())
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match validate_source_name(&name.get_untracked()) {
            Ok(valid) => {
                rename.dispatch(valid);
            }
            Err(problem) => error.set(Some(refused("name", problem))),
        }
    };
    view! {
        <Card title="Name">
            <form class="flex flex-col gap-3" on:submit=on_submit>
                <div class="max-w-md">
                    <TextField
                        id="source-name"
                        label="Source name"
                        value=name
                        hint="Shown in lists and alerts; 1 to 64 characters."
                        problem=field_problem(error, "name")
                    />
                </div>
                <SaveRow label="Save name" pending=rename.pending() status error />
            </form>
        </Card>
    }
    .into_any()
}

#[component]
fn TokenCard(live: Live) -> impl IntoView {
    let id = live.id();
    let token = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let replace =
        Action::new(move |token: &String| saving(live, error, replace_token(id, token.clone())));
    let status = Signal::derive(move || {
        if replace.pending().get() {
            Some("Checking the token with Okta…".to_owned())
        } else if let Some(Some(hint)) = replace.value().get() {
            Some(format!("Token replaced; it ends in …{hint}"))
        } else {
            None
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match validate_api_token(&token.get_untracked()) {
            Ok(valid) => {
                replace.dispatch(valid);
            }
            Err(problem) => error.set(Some(refused("token", problem))),
        }
    };
    // The field empties once Okta accepted the token; it is never shown again.
    Effect::new(move |_| {
        if let Some(Some(_)) = replace.value().get() {
            token.set(String::new());
        }
    });
    let hint = move || live.current.with(|d| format!("…{}", d.summary.token_hint));
    view! {
        <Card title="API token">
            <form class="flex flex-col gap-3" on:submit=on_submit>
                <p class="text-sm text-slate-600">
                    "The current token ends in "
                    <span class="font-mono font-medium text-slate-900">{hint}</span>
                    ". A new token is checked with Okta before it replaces the old one."
                </p>
                <div class="max-w-md">
                    <TextField
                        id="new-token"
                        label="New API token"
                        value=token
                        input_type="password"
                        autocomplete="off"
                        problem=field_problem(error, "token")
                    />
                </div>
                <SaveRow label="Replace token" pending=replace.pending() status error />
            </form>
        </Card>
    }
    .into_any()
}

#[component]
fn PollingCard(live: Live) -> impl IntoView {
    let id = live.id();
    let (interval_secs, backfill_hours) = live
        .current
        .with_untracked(|d| (d.poll_interval_secs, d.backfill_hours));
    let interval = RwSignal::new(interval_secs.to_string());
    let backfill = RwSignal::new(backfill_hours.to_string());
    let backfill_editable = Memo::new(move |_| live.current.with(|d| d.backfill_editable));
    let enabled = Memo::new(move |_| live.current.with(|d| d.summary.enabled));
    let setup_complete = Memo::new(move |_| live.current.with(|d| d.summary.setup_complete));
    let error = RwSignal::new(None::<AppError>);

    let save = Action::new(move |(interval, backfill): &(u32, u32)| {
        saving(live, error, save_poll_settings(id, *interval, *backfill))
    });
    let status = Signal::derive(move || {
        (!save.pending().get() && save.value().get() == Some(Some(())))
            .then(|| "Polling settings saved".to_owned())
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let number = |text: String| text.trim().parse::<u32>().unwrap_or(0);
        let interval = number(interval.get_untracked());
        // Once the source has polled, the stored window stays as it is.
        let backfill = if backfill_editable.get_untracked() {
            number(backfill.get_untracked())
        } else {
            live.current.with_untracked(|d| d.backfill_hours)
        };
        let current = live.current.with_untracked(|d| d.poll_interval_secs);
        match validate_poll_settings(interval, backfill, current) {
            Ok(()) => {
                save.dispatch((interval, backfill));
            }
            Err(problems) => error.set(Some(AppError::Fields(problems))),
        }
    };

    let pause_error = RwSignal::new(None::<AppError>);
    let set_enabled =
        Action::new(move |on: &bool| saving(live, pause_error, set_source_enabled(id, *on)));

    view! {
        <Card title="Polling">
            <form class="flex flex-col gap-4" on:submit=on_submit>
                <div class="grid max-w-xl gap-4 sm:grid-cols-2">
                    <TextField
                        id="poll-interval"
                        label="Poll interval (seconds)"
                        value=interval
                        input_type="number"
                        hint=format!("How often to ask Okta for new events: {POLL_INTERVAL_MIN_SECS} to {POLL_INTERVAL_MAX_SECS} seconds.")
                        problem=field_problem(error, "poll_interval_secs")
                    />
                    {move || {
                        let editable = backfill_editable.get();
                        let hint = if editable {
                            format!("How far back the first poll reaches: 1 to {BACKFILL_HOURS_MAX} hours (90 days).")
                        } else {
                            "Applies only to the first poll, and this source has polled already.".to_owned()
                        };
                        view! {
                            <TextField
                                id="backfill-hours"
                                label="Backfill window (hours)"
                                value=backfill
                                input_type="number"
                                hint
                                disabled=!editable
                                problem=field_problem(error, "backfill_hours")
                            />
                        }
                    }}
                </div>
                <SaveRow label="Save polling settings" pending=save.pending() status error />
            </form>
            <Show when=move || setup_complete.get()>
                <div class="mt-5 flex flex-col gap-2 border-t border-slate-100 pt-4">
                    <p class="text-sm text-slate-600">
                        {move || if enabled.get() {
                            "Pausing stops polling; events and settings stay, and polling resumes from where it stopped."
                        } else {
                            "This source is paused: Okta is not being polled. Resuming picks up from where it stopped."
                        }}
                    </p>
                    <ErrorNote error=pause_error />
                    <div>
                        <button
                            type="button"
                            class=SECONDARY
                            disabled=move || set_enabled.pending().get()
                            on:click=move |_| {
                                set_enabled.dispatch(!enabled.get_untracked());
                            }
                        >
                            {move || if enabled.get() { "Pause polling" } else { "Resume polling" }}
                        </button>
                    </div>
                </div>
            </Show>
        </Card>
    }
    .into_any()
}

#[component]
fn DangerZone(live: Live) -> impl IntoView {
    let id = live.id();
    let name = Memo::new(move |_| live.current.with(|d| d.summary.name.clone()));
    let typed = RwSignal::new(String::new());
    let delete = Action::new(move |typed: &String| delete_source(id, typed.clone()));
    let error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let problem = Signal::derive(move || {
        error.with(|e| e.as_ref().and_then(|e| e.field("confirm_name").cloned()))
    });
    let confirmed = move || typed.with(|t| t.trim() == name.get());

    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/sources", Default::default());
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if confirmed() {
            delete.dispatch(typed.get_untracked());
        }
    };

    view! {
        <section aria-label="Danger zone" class="rounded-lg border border-red-200 bg-white p-5 shadow-sm">
            <h2 class="mb-1 text-base font-semibold text-red-800">"Danger zone"</h2>
            <p class="mb-4 text-sm text-slate-600">
                "Deleting stops polling and removes this source, its token and every event it collected. This cannot be undone. Type "
                <strong class="font-semibold text-slate-900">{move || name.get()}</strong>
                " to confirm."
            </p>
            <form class="flex flex-col gap-3" on:submit=on_submit>
                <div class="max-w-md">
                    <TextField
                        id="confirm-name"
                        label="Type the source name to confirm"
                        value=typed
                        problem
                    />
                </div>
                <ErrorNote error />
                <div>
                    <button
                        type="submit"
                        class=DANGER_BUTTON
                        disabled=move || !confirmed() || delete.pending().get()
                    >
                        "Delete source"
                    </button>
                </div>
            </form>
        </section>
    }
    .into_any()
}
