use leptos::prelude::*;

use crate::model::{source::FieldProblem, AppError};

/// The problem a failed (or refused) form submission reported for `field`.
pub fn field_problem(
    error: RwSignal<Option<AppError>>,
    field: &'static str,
) -> Signal<Option<FieldProblem>> {
    Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field(field).cloned())))
}

/// A labelled text input with its hint and its problem (and a one-click fix when there is one).
/// `id` ties the label to the input, so tests and screen readers find it by its label.
#[component]
pub fn TextField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] problem: Signal<Option<FieldProblem>>,
    /// `text` (default), `password` or `number`.
    #[prop(optional, into)]
    input_type: Option<String>,
    #[prop(optional, into)] placeholder: Option<String>,
    #[prop(optional, into)] disabled: Signal<bool>,
    #[prop(optional, into)] autocomplete: Option<String>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let problem_id = format!("{id}-problem");
    let described_by = {
        let hint_id = hint_id.clone();
        let problem_id = problem_id.clone();
        let has_hint = hint.is_some();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if problem.get().is_some() {
                ids.push(problem_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="flex flex-col gap-1">
            <label for=id.clone() class="text-sm font-medium text-slate-700">{label}</label>
            <input
                id=id
                type=input_type.unwrap_or_else(|| "text".into())
                placeholder=placeholder
                autocomplete=autocomplete.unwrap_or_else(|| "off".into())
                class="rounded border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200 disabled:bg-slate-100 aria-[invalid=true]:border-red-500"
                aria-invalid=move || problem.get().is_some().to_string()
                aria-describedby=described_by
                disabled=move || disabled.get()
                // The attribute fills the server-rendered HTML; the property keeps it in sync after.
                value=value.get_untracked()
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            {hint.map(|h| view! { <p id=hint_id class="text-xs text-slate-500">{h}</p> })}
            <FieldProblemNote id=problem_id problem on_fix=Callback::new(move |fix: String| value.set(fix)) />
        </div>
    }
}

/// The problem under a field, with a button that applies the suggested fix.
#[component]
pub fn FieldProblemNote(
    #[prop(into)] id: String,
    #[prop(into)] problem: Signal<Option<FieldProblem>>,
    #[prop(optional)] on_fix: Option<Callback<String>>,
) -> impl IntoView {
    move || {
        problem.get().map(|p| {
            let id = id.clone();
            let fix = p.suggestion.clone().zip(on_fix).map(|(suggestion, on_fix)| {
                let label = format!("Use \"{suggestion}\"");
                view! {
                    <button
                        type="button"
                        class="ml-2 rounded border border-red-300 px-2 py-0.5 text-xs text-red-800 hover:bg-red-50"
                        on:click=move |_| on_fix.run(suggestion.clone())
                    >
                        {label}
                    </button>
                }
            });
            view! {
                <p id=id role="alert" class="text-sm text-red-700">
                    {p.message}
                    {fix}
                </p>
            }
        })
    }
}

/// A labelled on/off switch (a real checkbox with role="switch": keyboard and screen readers
/// work as with any checkbox).
#[component]
pub fn Toggle(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    checked: RwSignal<bool>,
    #[prop(optional, into)] description: Option<String>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let description_id = format!("{id}-description");
    let has_description = description.is_some();
    view! {
        <div class="flex items-start gap-3">
            <input
                id=id.clone()
                type="checkbox"
                role="switch"
                class="peer mt-0.5 h-5 w-9 shrink-0 cursor-pointer appearance-none rounded-full bg-slate-300 transition before:block before:h-4 before:w-4 before:translate-x-0.5 before:translate-y-0.5 before:rounded-full before:bg-white before:transition checked:bg-indigo-600 checked:before:translate-x-4 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400 disabled:cursor-not-allowed disabled:opacity-50"
                aria-describedby=has_description.then(|| description_id.clone())
                disabled=move || disabled.get()
                // The attribute fills the server-rendered HTML; the property keeps it in sync after.
                checked=checked.get_untracked()
                prop:checked=move || checked.get()
                on:change=move |ev| checked.set(event_target_checked(&ev))
            />
            <div class="flex flex-col">
                <label for=id class="cursor-pointer text-sm font-medium text-slate-800">{label}</label>
                {description.map(|d| view! { <p id=description_id class="text-xs text-slate-500">{d}</p> })}
            </div>
        </div>
    }
}

/// A labelled drop-down. `options` are `(value, label)` pairs; `value` is the chosen value and
/// `on_change` hears the new one.
#[component]
pub fn SelectField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    options: Vec<(String, String)>,
    #[prop(into)] value: Signal<String>,
    on_change: Callback<String>,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let described_by = hint.is_some().then(|| hint_id.clone());
    // `selected` attributes for the server's HTML (and a fresh render); the property follows
    // later changes.
    let initial = value.get_untracked();
    view! {
        <div class="flex flex-col gap-1">
            <label for=id.clone() class="text-sm font-medium text-slate-700">{label}</label>
            <select
                id=id
                class="rounded border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200 disabled:bg-slate-100"
                aria-describedby=described_by
                disabled=move || disabled.get()
                prop:value=move || value.get()
                on:change=move |ev| on_change.run(event_target_value(&ev))
            >
                {options
                    .into_iter()
                    .map(|(v, text)| {
                        let selected = v == initial;
                        view! { <option value=v selected=selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
            {hint.map(|h| view! { <p id=hint_id class="text-xs text-slate-500">{h}</p> })}
        </div>
    }
}
