//! The form that adds a webhook destination or edits one. Checked in the browser with the same
//! rules as the server (`DestinationInput::validate`); the server's refusals show per field.

use leptos::prelude::*;

use crate::{
    api::alerts::save_destination,
    components::{
        button::{PRIMARY_BUTTON, SECONDARY_BUTTON},
        card::Card,
        error_note::ErrorNote,
        field::{field_problem, FieldProblemNote, SelectField, TextField, Toggle},
    },
    model::{
        alert::{Destination, DestinationInput, Severity, MIN_SECRET_LEN},
        AppError,
    },
};

/// The fields this form shows problems for; a refusal about any other field is shown as a note.
const FIELDS: [&str; 3] = ["name", "url", "secret"];

/// Adds a destination (`editing` None) or edits `editing`. `on_saved` hears the saved name.
#[component]
pub fn DestinationForm(
    editing: Option<Destination>,
    on_saved: Callback<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let id = editing.as_ref().map(|d| d.id);
    let signed = editing.as_ref().is_some_and(|d| d.signed);
    let title = editing.as_ref().map_or_else(
        || "Add a destination".to_owned(),
        |d| format!("Edit {}", d.name),
    );
    let name = RwSignal::new(editing.as_ref().map(|d| d.name.clone()).unwrap_or_default());
    let url = RwSignal::new(editing.as_ref().map(|d| d.url.clone()).unwrap_or_default());
    let secret = RwSignal::new(String::new());
    let clear_secret = RwSignal::new(false);
    let min_severity = RwSignal::new(editing.as_ref().map_or(Severity::Info, |d| d.min_severity));
    let enabled = RwSignal::new(editing.as_ref().is_none_or(|d| d.enabled));
    let error = RwSignal::new(None::<AppError>);

    let save = Action::new(move |input: &DestinationInput| {
        let input = input.clone();
        async move {
            let saved_name = input.name.clone();
            match save_destination(id, input).await {
                Ok(_) => {
                    error.try_set(None);
                    on_saved.try_run(saved_name);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        }
    });
    let pending = save.pending();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let clear = clear_secret.get_untracked();
        let input = DestinationInput {
            name: name.get_untracked(),
            url: url.get_untracked(),
            secret: if clear {
                String::new()
            } else {
                secret.get_untracked()
            },
            clear_secret: clear,
            min_severity: min_severity.get_untracked(),
            enabled: enabled.get_untracked(),
        };
        match input.validate() {
            Ok(valid) => {
                error.set(None);
                save.dispatch(valid);
            }
            Err(problems) => error.set(Some(AppError::Fields(problems))),
        }
    };

    let secret_hint = if signed {
        "Leave empty to keep the current secret.".to_owned()
    } else {
        format!(
            "Optional. When set, each request carries X-Gatehouse-Signature: t=…,v1=HMAC-SHA256(secret, \"t.body\"). At least {MIN_SECRET_LEN} characters."
        )
    };
    let severity_options = Severity::ALL
        .into_iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect();
    let other_problems = Signal::derive(move || {
        error.with(|e| match e {
            Some(AppError::Fields(fields)) => fields
                .iter()
                .find(|f| !FIELDS.contains(&f.field.as_str()))
                .map(|f| f.problem.clone()),
            _ => None,
        })
    });

    view! {
        <Card title>
            <form class="flex max-w-xl flex-col gap-4" on:submit=on_submit>
                <TextField
                    id="destination-name"
                    label="Name"
                    value=name
                    hint="Shown in the list and on each alert's deliveries; 1 to 64 characters."
                    problem=field_problem(error, "name")
                    disabled=pending
                />
                <TextField
                    id="destination-url"
                    label="URL"
                    value=url
                    placeholder="https://hooks.example.com/gatehouse"
                    hint="Gatehouse POSTs each alert here as JSON."
                    problem=field_problem(error, "url")
                    disabled=pending
                />
                <TextField
                    id="destination-secret"
                    label="Shared secret"
                    value=secret
                    input_type="password"
                    autocomplete="new-password"
                    hint=secret_hint
                    problem=field_problem(error, "secret")
                    disabled=Signal::derive(move || pending.get() || clear_secret.get())
                />
                {signed.then(|| view! { <RemoveSecret checked=clear_secret /> })}
                <SelectField
                    id="destination-min-severity"
                    label="Minimum severity"
                    options=severity_options
                    value=Signal::derive(move || min_severity.get().as_str().to_owned())
                    on_change=Callback::new(move |v: String| {
                        if let Some(s) = Severity::parse(&v) {
                            min_severity.set(s);
                        }
                    })
                    hint="Alerts of this severity or higher are sent."
                    disabled=pending
                />
                <Toggle
                    id="destination-enabled"
                    label="Enabled"
                    checked=enabled
                    description="Switched off, the destination keeps its settings and receives nothing."
                    disabled=pending
                />
                <FieldProblemNote id="destination-other-problem" problem=other_problems />
                <ErrorNote error />
                <div class="flex items-center gap-3">
                    <button type="submit" class=PRIMARY_BUTTON disabled=move || pending.get()>
                        {if id.is_some() { "Save changes" } else { "Add destination" }}
                    </button>
                    {id.map(|_| {
                        view! {
                            <button type="button" class=SECONDARY_BUTTON on:click=move |_| on_cancel.run(())>
                                "Cancel editing"
                            </button>
                        }
                    })}
                </div>
            </form>
        </Card>
    }
    .into_any()
}

/// A plain checkbox under the secret of a signed destination.
#[component]
fn RemoveSecret(checked: RwSignal<bool>) -> impl IntoView {
    view! {
        <div class="-mt-2 flex items-start gap-2">
            <input
                id="destination-clear-secret"
                type="checkbox"
                class="mt-0.5 h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-400"
                aria-describedby="destination-clear-secret-hint"
                prop:checked=move || checked.get()
                on:change=move |ev| checked.set(event_target_checked(&ev))
            />
            <div class="flex flex-col">
                <label for="destination-clear-secret" class="text-sm font-medium text-slate-800">"Remove the secret"</label>
                <p id="destination-clear-secret-hint" class="text-xs text-slate-500">
                    "Deliveries are no longer signed."
                </p>
            </div>
        </div>
    }
}
