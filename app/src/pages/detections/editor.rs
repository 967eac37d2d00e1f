//! The custom rule editor: Panther's metadata fields, the Python body, and a test panel that
//! runs the rule as written (saved or not) on a pasted event. `/detections/new` starts from a
//! template; a custom rule's page edits it.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_navigate};

use crate::{
    api::detections::{save_custom_rule, test_custom_rule},
    components::{
        button::{PRIMARY_BUTTON, SECONDARY_BUTTON},
        card::Card,
        error_note::ErrorNote,
        field::{field_problem, FieldProblemNote, SelectField, TextField, Toggle},
        page_header::PageHeader,
    },
    model::{
        alert::Severity,
        detection::{CustomRuleInput, RuleTestVerdict},
        source::FieldProblem,
        AppError, FieldError,
    },
};

/// `/detections/new`.
#[component]
pub fn NewRulePage() -> impl IntoView {
    view! {
        <nav aria-label="Breadcrumb" class="mb-2 text-sm">
            <A href="/detections" attr:class="text-indigo-600 hover:underline">"← Detections"</A>
        </nav>
        <PageHeader
            title="New Python rule"
            description="Write rule(event) the way Panther does; title, dedup, severity, alert_context, runbook, reference and destinations are optional. Test it on an event before saving."
        />
        <RuleEditor initial=CustomRuleInput::template() original=None />
    }
    .into_any()
}

/// The editor form; `original` is the saved rule's id when editing one.
#[component]
pub fn RuleEditor(initial: CustomRuleInput, original: Option<String>) -> impl IntoView {
    let rule_id = RwSignal::new(initial.rule_id.clone());
    let display_name = RwSignal::new(initial.display_name.clone());
    let description = RwSignal::new(initial.description.clone());
    let severity = RwSignal::new(initial.severity);
    let dedup = RwSignal::new(initial.dedup_period_minutes.to_string());
    let threshold = RwSignal::new(initial.threshold.to_string());
    let runbook = RwSignal::new(initial.runbook.clone());
    let reference = RwSignal::new(initial.reference.clone());
    let enabled = RwSignal::new(initial.enabled);
    let body = RwSignal::new(initial.body.clone());
    let error = RwSignal::new(None::<AppError>);

    // The form as typed; numbers that are not numbers become field problems.
    let read = move || -> Result<CustomRuleInput, AppError> {
        let mut problems = Vec::new();
        let mut number = |field: &str, text: RwSignal<String>| {
            text.get_untracked()
                .trim()
                .parse::<u32>()
                .unwrap_or_else(|_| {
                    problems.push(FieldError {
                        field: field.into(),
                        problem: FieldProblem::new("Enter a whole number."),
                    });
                    0
                })
        };
        let input = CustomRuleInput {
            rule_id: rule_id.get_untracked(),
            display_name: display_name.get_untracked(),
            description: description.get_untracked(),
            severity: severity.get_untracked(),
            dedup_period_minutes: number("dedup_period_minutes", dedup),
            threshold: number("threshold", threshold),
            runbook: runbook.get_untracked(),
            reference: reference.get_untracked(),
            enabled: enabled.get_untracked(),
            body: body.get_untracked(),
        };
        if !problems.is_empty() {
            return Err(AppError::Fields(problems));
        }
        input.validate().map_err(AppError::Fields)
    };

    let navigate = use_navigate();
    let save = Action::new(move |input: &CustomRuleInput| {
        let (input, original) = (input.clone(), original.clone());
        async move { save_custom_rule(original, input).await }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(id)) => {
            error.set(None);
            navigate(&format!("/detections/rules/{id}"), Default::default());
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });

    let severity_options: Vec<(String, String)> = Severity::ALL
        .into_iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect();

    view! {
        <form
            class="flex max-w-5xl flex-col gap-5"
            on:submit=move |ev| {
                ev.prevent_default();
                match read() {
                    Ok(input) => {
                        save.dispatch(input);
                    }
                    Err(e) => error.set(Some(e)),
                }
            }
        >
            <Card title="Metadata">
                <div class="grid grid-cols-1 gap-4 md:grid-cols-2">
                    <TextField
                        id="rule-id"
                        label="Rule ID"
                        value=rule_id
                        hint="Panther's RuleID, e.g. Custom.Okta.AdminFromNewCountry."
                        problem=field_problem(error, "rule_id")
                    />
                    <TextField
                        id="rule-display-name"
                        label="Display name"
                        value=display_name
                        problem=field_problem(error, "display_name")
                    />
                    <SelectField
                        id="rule-severity"
                        label="Severity"
                        options=severity_options
                        value=Signal::derive(move || severity.get().as_str().to_owned())
                        on_change=Callback::new(move |v: String| {
                            if let Some(s) = Severity::parse(&v) {
                                severity.set(s);
                            }
                        })
                        hint="Used unless severity(event) answers otherwise."
                    />
                    <div class="grid grid-cols-2 gap-4">
                        <TextField
                            id="rule-dedup"
                            label="Dedup period (minutes)"
                            value=dedup
                            input_type="number"
                            problem=field_problem(error, "dedup_period_minutes")
                        />
                        <TextField
                            id="rule-threshold"
                            label="Threshold (events)"
                            value=threshold
                            input_type="number"
                            problem=field_problem(error, "threshold")
                        />
                    </div>
                    <TextField id="rule-runbook" label="Runbook" value=runbook />
                    <TextField id="rule-reference" label="Reference" value=reference />
                    <TextField id="rule-description" label="Description" value=description />
                    <Toggle
                        id="rule-enabled"
                        label="Enabled"
                        checked=enabled
                        description="Panther's Enabled: off stops the rule for every source."
                    />
                </div>
            </Card>
            <Card title="Python">
                <label for="rule-body" class="sr-only">"Rule body (Python)"</label>
                <textarea
                    id="rule-body"
                    spellcheck="false"
                    rows="18"
                    class="w-full rounded-md border border-slate-300 bg-slate-50 p-3 font-mono text-xs"
                    aria-describedby="rule-body-problem"
                    prop:value=move || body.get()
                    on:input=move |ev| body.set(event_target_value(&ev))
                ></textarea>
                <FieldProblemNote id="rule-body-problem" problem=field_problem(error, "body") />
                <p class="mt-2 text-xs text-slate-500">
                    "Import helpers as Panther rules do: from panther_base_helpers import deep_get, deep_walk, is_ip_in_network; from panther_okta_helpers import okta_alert_context. The event is read-only; keys are case-insensitive."
                </p>
            </Card>
            <TestPanel read error />
            <ErrorNote error />
            <div class="flex gap-3">
                <button type="submit" id="rule-save" class=PRIMARY_BUTTON disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save rule" }}
                </button>
                <A href="/detections" attr:class=SECONDARY_BUTTON>"Cancel"</A>
            </div>
        </form>
    }
    .into_any()
}

/// Paste an event, run the rule as written, see the verdict and what the alert would say.
#[component]
fn TestPanel(
    read: impl Fn() -> Result<CustomRuleInput, AppError> + Copy + Send + Sync + 'static,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let event = RwSignal::new(SAMPLE_EVENT.to_owned());
    let run = Action::new(move |(input, event): &(CustomRuleInput, String)| {
        let (input, event) = (input.clone(), event.clone());
        async move { test_custom_rule(input, event).await }
    });
    let verdict = move || {
        run.value().get().map(|answer| match answer {
            Ok(v) => view! { <Verdict verdict=v /> }.into_any(),
            Err(e) => view! { <ErrorNote error=Some(e) /> }.into_any(),
        })
    };
    view! {
        <Card title="Test">
            <label for="rule-test-event" class="mb-1 block text-sm font-medium text-slate-700">
                "Event (JSON, as stored or as Okta sends it)"
            </label>
            <textarea
                id="rule-test-event"
                spellcheck="false"
                rows="10"
                class="w-full rounded-md border border-slate-300 bg-slate-50 p-3 font-mono text-xs"
                prop:value=move || event.get()
                on:input=move |ev| event.set(event_target_value(&ev))
            ></textarea>
            <div class="mt-3 flex items-center gap-3">
                <button
                    type="button"
                    id="rule-test-run"
                    class=SECONDARY_BUTTON
                    disabled=move || run.pending().get()
                    on:click=move |_| match read() {
                        Ok(input) => {
                            error.set(None);
                            run.dispatch((input, event.get_untracked()));
                        }
                        Err(e) => error.set(Some(e)),
                    }
                >
                    {move || if run.pending().get() { "Running…" } else { "Run test" }}
                </button>
            </div>
            <div class="mt-4" aria-live="polite">{verdict}</div>
        </Card>
    }
    .into_any()
}

#[component]
fn Verdict(verdict: RuleTestVerdict) -> impl IntoView {
    if let Some(error) = verdict.error {
        return view! {
            <div id="rule-test-verdict" data-verdict="error" class="rounded border border-red-200 bg-red-50 p-3 text-sm text-red-800">
                <p class="font-medium">"The rule failed"</p>
                <pre class="mt-2 whitespace-pre-wrap font-mono text-xs">{error}</pre>
            </div>
        }
        .into_any();
    }
    if !verdict.matched {
        return view! {
            <p id="rule-test-verdict" data-verdict="no-match" class="rounded border border-slate-200 bg-slate-50 p-3 text-sm text-slate-700">
                "No match: rule(event) returned False."
            </p>
        }
        .into_any();
    }
    let row = |label: &'static str, value: Option<String>| {
        view! {
            <dt class="font-medium text-slate-600">{label}</dt>
            <dd class="break-words">{value.unwrap_or_else(|| "—".to_owned())}</dd>
        }
    };
    view! {
        <div id="rule-test-verdict" data-verdict="match" class="rounded border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900">
            <p class="mb-2 font-medium">"Match: this event would count towards an alert."</p>
            <dl class="grid grid-cols-[8rem_1fr] gap-x-4 gap-y-1">
                {row("Title", verdict.title)}
                {row("Dedup", verdict.dedup)}
                {row("Severity", verdict.severity.map(|s| s.label().to_owned()))}
            </dl>
            {verdict.alert_context.map(|c| view! {
                <pre class="mt-2 max-h-64 overflow-auto rounded bg-white p-2 font-mono text-xs text-slate-800">{c}</pre>
            })}
        </div>
    }
    .into_any()
}

/// A failed Okta sign-in, which the template rule matches.
const SAMPLE_EVENT: &str = r#"{
  "uuid": "9f1c3c9e-0000-4000-8000-000000000001",
  "published": "2026-11-24T10:00:00.000Z",
  "eventType": "user.session.start",
  "displayMessage": "User login to Okta",
  "severity": "WARN",
  "actor": {"id": "00u1", "type": "User", "alternateId": "ann@example.com", "displayName": "Ann"},
  "client": {"ipAddress": "203.0.113.7"},
  "outcome": {"result": "FAILURE", "reason": "INVALID_CREDENTIALS"}
}"#;
