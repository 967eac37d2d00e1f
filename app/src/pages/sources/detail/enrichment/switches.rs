//! The Enrichment tab's switches: which profiles to sync and how often.

use leptos::prelude::*;

use super::super::{Live, SaveStatus};
use crate::{
    api::sources::save_enrichment,
    components::{
        card::Card,
        error_note::ErrorNote,
        field::{TextField, Toggle},
    },
    model::{
        source::{EnrichmentSettings, FieldProblem, REFRESH_MINUTES_MAX, REFRESH_MINUTES_MIN},
        AppError, FieldError,
    },
};

/// Profile enrichment, saved as soon as anything changes (a switch flips, or a period is left);
/// `saved_changes` hears of each save, so the sync panels follow at once.
#[component]
pub fn Switches(live: Live, saved_changes: Trigger) -> impl IntoView {
    let id = live.id();
    let saved = StoredValue::new(live.current.with_untracked(|d| d.enrichment));
    let initial = saved.get_value();
    let users = RwSignal::new(initial.user_profiles);
    let user_minutes = RwSignal::new(initial.user_refresh_minutes.to_string());
    let devices = RwSignal::new(initial.device_profiles);
    let device_minutes = RwSignal::new(initial.device_refresh_minutes.to_string());
    let error = RwSignal::new(None::<AppError>);

    let save = Action::new(move |settings: &EnrichmentSettings| {
        let settings = *settings;
        async move {
            let result = save_enrichment(id, settings).await;
            match &result {
                Ok(stored) => {
                    saved.try_set_value(*stored);
                    error.try_set(None);
                    saved_changes.notify();
                    live.reload().await;
                }
                Err(e) => {
                    error.try_set(Some(e.clone()));
                }
            }
            result.is_ok()
        }
    });
    let submit = move || {
        let last = saved.get_value();
        let (user_refresh_minutes, device_refresh_minutes) = (
            period(users, user_minutes, last.user_refresh_minutes),
            period(devices, device_minutes, last.device_refresh_minutes),
        );
        let mut problems = Vec::new();
        for (field, minutes) in [
            ("user_refresh_minutes", &user_refresh_minutes),
            ("device_refresh_minutes", &device_refresh_minutes),
        ] {
            if minutes.is_err() {
                problems.push(FieldError {
                    field: field.into(),
                    problem: FieldProblem::new(format!(
                        "Enter a whole number of minutes, {REFRESH_MINUTES_MIN} to {REFRESH_MINUTES_MAX}."
                    )),
                });
            }
        }
        let settings = EnrichmentSettings {
            user_profiles: users.get_untracked(),
            user_refresh_minutes: user_refresh_minutes.unwrap_or_default(),
            device_profiles: devices.get_untracked(),
            device_refresh_minutes: device_refresh_minutes.unwrap_or_default(),
        };
        let checked = if problems.is_empty() {
            settings.validate()
        } else {
            Err(problems)
        };
        match checked {
            Ok(()) => {
                save.dispatch(settings);
            }
            Err(problems) => error.set(Some(AppError::Fields(problems))),
        }
    };

    let problem = move |field: &'static str| {
        Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field(field).cloned())))
    };
    let status = Signal::derive(move || {
        if save.pending().get() {
            Some("Saving…".to_owned())
        } else if error.with(Option::is_none) && save.value().get() == Some(true) {
            Some("Saved".to_owned())
        } else {
            None
        }
    });

    view! {
        <Card title="Enrichment">
            <p class="mb-4 max-w-prose text-sm text-slate-600">
                "Gatehouse can add Okta's user and device profiles to the events it stores. "
                "Changes are saved at once and apply to events stored from now on; events stored while enrichment was off are not rewritten."
            </p>
            // `change` bubbles: a switch flipping, or a period field being left, saves everything.
            <form
                class="flex flex-col gap-5"
                on:change=move |_| submit()
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit();
                }
            >
                <ProfileSync
                    id="user"
                    label="User Profiles"
                    description="Adds the actor's and target's Okta profile (department, title, manager) to events."
                    on=users
                    minutes=user_minutes
                    problem=problem("user_refresh_minutes")
                />
                <ProfileSync
                    id="device"
                    label="Device Profiles"
                    description="Adds the device's Okta record (platform, registration, management) to events."
                    on=devices
                    minutes=device_minutes
                    problem=problem("device_refresh_minutes")
                />
                <ErrorNote error=error />
                <SaveStatus message=status />
            </form>
        </Card>
    }
    .into_any()
}

/// A switched-off sync keeps its last saved period (an unfinished edit there must not block
/// saving the switch).
fn period(on: RwSignal<bool>, text: RwSignal<String>, last: u32) -> Result<u32, ()> {
    match text.get_untracked().trim().parse::<u32>() {
        Ok(minutes) if on.get_untracked() => Ok(minutes),
        Ok(minutes) if (REFRESH_MINUTES_MIN..=REFRESH_MINUTES_MAX).contains(&minutes) => {
            Ok(minutes)
        }
        _ if !on.get_untracked() => {
            text.set(last.to_string());
            Ok(last)
        }
        _ => Err(()),
    }
}

/// One profile sync: its switch, and its refresh period while it is on.
#[component]
fn ProfileSync(
    id: &'static str,
    label: &'static str,
    description: &'static str,
    on: RwSignal<bool>,
    minutes: RwSignal<String>,
    problem: Signal<Option<FieldProblem>>,
) -> impl IntoView {
    let minutes_label = format!("Refresh {} every (minutes)", label.to_lowercase());
    // Erased piece by piece: the nested view types are otherwise too deep for the compiler.
    let switch = view! {
        <Toggle id=format!("{id}-profiles") label=label description=description checked=on />
    }
    .into_any();
    let period = move || {
        view! {
            <div class="ml-12 max-w-xs">
                <TextField
                    id=format!("{id}-refresh-minutes")
                    label=minutes_label.clone()
                    value=minutes
                    input_type="number"
                    hint=format!("{REFRESH_MINUTES_MIN} to {REFRESH_MINUTES_MAX} minutes.")
                    problem
                />
            </div>
        }
        .into_any()
    };
    view! {
        <div class="flex flex-col gap-3">
            {switch}
            <Show when=move || on.get()>{period.clone()}</Show>
        </div>
    }
    .into_any()
}
