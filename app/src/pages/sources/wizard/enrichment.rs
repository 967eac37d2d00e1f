//! Step 2: profile enrichment (users and devices), each with its refresh period.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::{step_url, Step, StepButtons};
use crate::{
    api::sources::save_enrichment,
    components::{
        card::Card,
        error_note::ErrorNote,
        field::{TextField, Toggle},
    },
    model::{
        source::{
            EnrichmentSettings, FieldProblem, SourceDetail, REFRESH_MINUTES_MAX,
            REFRESH_MINUTES_MIN,
        },
        AppError, FieldError,
    },
};

#[component]
pub fn EnrichmentStep(detail: SourceDetail) -> impl IntoView {
    let navigate = use_navigate();
    let id = detail.summary.id;
    let saved = detail.enrichment;

    let users = RwSignal::new(saved.user_profiles);
    let user_minutes = RwSignal::new(saved.user_refresh_minutes.to_string());
    let devices = RwSignal::new(saved.device_profiles);
    let device_minutes = RwSignal::new(saved.device_refresh_minutes.to_string());

    let report = RwSignal::new(None::<AppError>);
    let problem = move |field: &'static str| {
        Signal::derive(move || report.with(|r| r.as_ref().and_then(|e| e.field(field).cloned())))
    };

    let save = Action::new(move |settings: &EnrichmentSettings| {
        let settings = *settings;
        async move { save_enrichment(id, settings).await }
    });
    let pending = save.pending();
    Effect::new({
        let navigate = navigate.clone();
        move |_| match save.value().get() {
            Some(Ok(_)) => navigate(&step_url(id, Step::Success), Default::default()),
            Some(Err(e)) => report.set(Some(e)),
            None => {}
        }
    });

    let on_next = move |_| {
        let mut problems = Vec::new();
        let mut minutes = |field: &str, on: bool, entered: String, saved: u32| {
            match entered.trim().parse::<u32>() {
                Ok(m) => m,
                // A switched-off profile keeps its saved period rather than blocking on a
                // field that is not even shown.
                Err(_) if !on => saved,
                Err(_) => {
                    problems.push(FieldError {
                        field: field.to_owned(),
                        problem: FieldProblem::new("Enter a whole number of minutes."),
                    });
                    saved
                }
            }
        };
        let mut settings = EnrichmentSettings {
            user_profiles: users.get_untracked(),
            user_refresh_minutes: minutes(
                "user_refresh_minutes",
                users.get_untracked(),
                user_minutes.get_untracked(),
                saved.user_refresh_minutes,
            ),
            device_profiles: devices.get_untracked(),
            device_refresh_minutes: minutes(
                "device_refresh_minutes",
                devices.get_untracked(),
                device_minutes.get_untracked(),
                saved.device_refresh_minutes,
            ),
        };
        let in_bounds = |m: u32| (REFRESH_MINUTES_MIN..=REFRESH_MINUTES_MAX).contains(&m);
        if !settings.user_profiles && !in_bounds(settings.user_refresh_minutes) {
            settings.user_refresh_minutes = saved.user_refresh_minutes;
        }
        if !settings.device_profiles && !in_bounds(settings.device_refresh_minutes) {
            settings.device_refresh_minutes = saved.device_refresh_minutes;
        }
        if let Err(more) = settings.validate() {
            problems.extend(more);
        }
        if problems.is_empty() {
            report.set(None);
            save.dispatch(settings);
        } else {
            report.set(Some(AppError::Fields(problems)));
        }
    };

    let period_hint = format!("{REFRESH_MINUTES_MIN} to {REFRESH_MINUTES_MAX} minutes.");

    view! {
        <Card title="Profile enrichment">
            <p class="mb-4 text-sm text-slate-600">
                "Gatehouse can add who and what is behind each event by reading profiles from Okta with the same token. Both can be switched later on the source's Enrichment tab."
            </p>
            <div class="flex flex-col gap-3">
                <ProfileOption
                    toggle_id="enrich-users"
                    label="User Profiles"
                    description="Title, department, manager and status of each user, from /api/v1/users."
                    on=users
                    minutes_id="enrich-user-minutes"
                    minutes_label="User profile refresh (minutes)"
                    minutes=user_minutes
                    hint=period_hint.clone()
                    problem=problem("user_refresh_minutes")
                    disabled=pending
                />
                <ProfileOption
                    toggle_id="enrich-devices"
                    label="Device Profiles"
                    description="Platform, managed and registered state of each device, from /api/v1/devices."
                    on=devices
                    minutes_id="enrich-device-minutes"
                    minutes_label="Device profile refresh (minutes)"
                    minutes=device_minutes
                    hint=period_hint
                    problem=problem("device_refresh_minutes")
                    disabled=pending
                />
            </div>
        </Card>
        <div class="mt-4 flex flex-col gap-4">
            <ErrorNote error=report />
            <StepButtons
                id
                back=Step::Configuration
                pending
                label="Next"
                pending_label="Saving…"
                on_primary=Callback::new(move |()| on_next(()))
            />
        </div>
    }
}

/// One kind of profile: its switch, and its refresh period while it is on.
#[component]
fn ProfileOption(
    toggle_id: &'static str,
    label: &'static str,
    description: &'static str,
    on: RwSignal<bool>,
    minutes_id: &'static str,
    minutes_label: &'static str,
    minutes: RwSignal<String>,
    hint: String,
    problem: Signal<Option<FieldProblem>>,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="rounded-md border border-slate-200 p-4">
            <Toggle id=toggle_id label checked=on description disabled />
            <Show when=move || on.get()>
                <div class="mt-3 max-w-xs pl-12">
                    <TextField
                        id=minutes_id
                        label=minutes_label
                        value=minutes
                        input_type="number"
                        hint=hint.clone()
                        problem
                        disabled
                    />
                </div>
            </Show>
        </div>
    }
}
