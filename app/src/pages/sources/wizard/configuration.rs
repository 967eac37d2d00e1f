//! Step 1: where the org is and the token that reads its System Log.

use leptos::prelude::*;
use leptos_router::{
    hooks::{use_navigate, use_query_map},
    params::ParamsMap,
    NavigateOptions,
};

use super::{step_url, Step, PRIMARY_BUTTON};
use crate::{
    api::sources::setup_source,
    components::{
        card::Card,
        error_note::ErrorNote,
        field::{FieldProblemNote, TextField},
    },
    model::{
        source::{
            validate_subdomain, FieldProblem, SourceDetail, SourceSetup, WizardOptions,
            SIMULATOR_DOMAIN,
        },
        AppError,
    },
};

const DEFAULT_DOMAIN: &str = "okta.com";

/// The Configuration form, before Setup. Name, subdomain and domain are kept in the address
/// (so a reload keeps them); the token lives only in this page's memory.
#[component]
pub fn ConfigurationForm(options: WizardOptions) -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let from_query = |key: &str| query.with_untracked(|q| q.get(key)).unwrap_or_default();
    let name = RwSignal::new(from_query("name"));
    let subdomain = RwSignal::new(from_query("subdomain"));
    let initial_domain = Some(from_query("domain"))
        .filter(|d| options.domains.contains(d))
        .unwrap_or_else(|| DEFAULT_DOMAIN.to_owned());
    let domain = RwSignal::new(initial_domain.clone());
    let token = RwSignal::new(String::new());

    // The values last checked and what was wrong with them. A field's problem shows while its
    // value is still the one checked, so a fix (typed or applied) clears it at once.
    let report = RwSignal::new(None::<(SourceSetup, AppError)>);
    let problem = move |field: &'static str, value: fn(&SourceSetup) -> &String| {
        Signal::derive(move || {
            report.with(|r| {
                r.as_ref().and_then(|(checked, error)| {
                    let current = match field {
                        "name" => name,
                        "subdomain" => subdomain,
                        "domain" => domain,
                        _ => token,
                    };
                    current
                        .with(|now| now == value(checked))
                        .then(|| error.field(field).cloned())
                        .flatten()
                })
            })
        })
    };
    let name_problem = problem("name", |s| &s.name);
    let subdomain_problem = problem("subdomain", |s| &s.subdomain);
    let domain_problem = problem("domain", |s| &s.domain);
    let token_problem = problem("token", |s| &s.token);
    let error = Signal::derive(move || report.get().map(|(_, e)| e));

    let setup = Action::new(|setup: &SourceSetup| {
        let setup = setup.clone();
        async move { setup_source(setup).await }
    });
    let pending = setup.pending();
    // The value last sent, to tie the server's answer to the fields as they were.
    let sent = StoredValue::new(SourceSetup::default());
    Effect::new({
        let navigate = navigate.clone();
        move |_| match setup.value().get() {
            Some(Ok(id)) => navigate(
                &step_url(id, Step::Enrichment),
                // Replace: the browser's Back must not offer the filled-in form again.
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            ),
            Some(Err(e)) => report.set(Some((sent.get_value(), e))),
            None => {}
        }
    });

    // Until the browser half runs, the form cannot check anything: keep Setup (and Enter)
    // from submitting a plain HTML form.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    let keep_in_address = move || {
        let params: ParamsMap = [
            ("name", name.get_untracked()),
            ("subdomain", subdomain.get_untracked()),
            ("domain", domain.get_untracked()),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .collect();
        let unchanged = query.with_untracked(|q| {
            ["name", "subdomain", "domain"]
                .iter()
                .all(|key| q.get_str(key) == params.get_str(key))
        });
        if !unchanged {
            navigate(
                &format!("/sources/new{}", params.to_query_string()),
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            );
        }
    };

    let simulator_available = options.simulator_available;
    let on_submit = {
        let keep_in_address = keep_in_address.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if pending.get_untracked() {
                return;
            }
            keep_in_address();
            let entered = SourceSetup {
                name: name.get_untracked(),
                subdomain: subdomain.get_untracked(),
                domain: domain.get_untracked(),
                token: token.get_untracked(),
            };
            match entered.validate(simulator_available) {
                Ok(valid) => {
                    report.set(None);
                    sent.set_value(entered);
                    setup.dispatch(valid);
                }
                Err(problems) => report.set(Some((entered, AppError::Fields(problems)))),
            }
        }
    };

    // Where Setup will look, once the subdomain is plausible: a plain check of the address.
    let reads_from = move || {
        let subdomain = validate_subdomain(&subdomain.get()).ok()?;
        Some(domain.with(|d| {
            if d == SIMULATOR_DOMAIN {
                view! { "Gatehouse will read the built-in Okta simulator's org \"" {subdomain} "\"." }
                    .into_any()
            } else {
                let url = format!("https://{subdomain}.{d}/api/v1/logs");
                view! {
                    "Gatehouse will read "
                    <code class="rounded bg-slate-100 px-1 py-0.5 font-mono text-slate-700">{url}</code>
                }
                .into_any()
            }
        }))
    };

    view! {
        <form
            novalidate
            on:submit=on_submit
            // `change` fires when a field is left or a choice is made: a good moment to keep the
            // non-secret fields in the address (not on every keystroke).
            on:change=move |_| keep_in_address()
        >
            <Card title="Okta org">
                <div class="flex flex-col gap-5">
                    <TextField
                        id="source-name"
                        label="Name"
                        value=name
                        placeholder="Acme prod"
                        hint="How this org appears in Gatehouse."
                        problem=name_problem
                        disabled=pending
                    />
                    <div class="grid grid-cols-1 gap-5 sm:grid-cols-2">
                        <TextField
                            id="source-subdomain"
                            label="Okta subdomain"
                            value=subdomain
                            placeholder="acme"
                            hint="The first part of your org's address: acme in acme.okta.com."
                            problem=subdomain_problem
                            disabled=pending
                        />
                        <DomainSelect
                            domains=options.domains.clone()
                            initial=initial_domain
                            value=domain
                            problem=domain_problem
                            disabled=pending
                        />
                    </div>
                    {move || {
                        reads_from().map(|what| view! { <p class="-mt-2 text-xs text-slate-500">{what}</p> })
                    }}
                    <TextField
                        id="source-token"
                        label="API token"
                        value=token
                        input_type="password"
                        hint="Use a read-only administrator's token (Okta Admin → Security → API → Tokens). It is checked with Okta, stored encrypted and never shown again; it is not kept in the address, so after a reload paste it again."
                        problem=token_problem
                        disabled=pending
                    />
                </div>
            </Card>
            <div class="mt-4 flex flex-col gap-4">
                <ErrorNote error />
                <div class="flex items-center justify-end gap-3">
                    <p class="text-xs text-slate-500">"Nothing is saved until Okta accepts the token."</p>
                    <button
                        type="submit"
                        class=PRIMARY_BUTTON
                        disabled=move || pending.get() || !hydrated.get()
                    >
                        {move || if pending.get() { "Checking with Okta…" } else { "Setup" }}
                    </button>
                </div>
            </div>
        </form>
    }
}

/// The org's domain, from the server's list (the simulator's only when it runs one).
#[component]
fn DomainSelect(
    domains: Vec<String>,
    initial: String,
    value: RwSignal<String>,
    problem: Signal<Option<FieldProblem>>,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="flex flex-col gap-1">
            <label for="source-domain" class="text-sm font-medium text-slate-700">"Okta domain"</label>
            <select
                id="source-domain"
                class="rounded border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-200 disabled:bg-slate-100 aria-[invalid=true]:border-red-500"
                aria-invalid=move || problem.get().is_some().to_string()
                aria-describedby=move || {
                    if problem.get().is_some() {
                        "source-domain-hint source-domain-problem"
                    } else {
                        "source-domain-hint"
                    }
                }
                disabled=move || disabled.get()
                on:change=move |ev| value.set(event_target_value(&ev))
            >
                {domains
                    .into_iter()
                    .map(|d| {
                        let selected = d == initial;
                        view! { <option value=d.clone() selected=selected>{d.clone()}</option> }
                    })
                    .collect_view()}
            </select>
            <p id="source-domain-hint" class="text-xs text-slate-500">"Where your org lives; most use okta.com."</p>
            <FieldProblemNote id="source-domain-problem" problem />
        </div>
    }
}

/// Configuration after Setup: the source exists, so this step only shows what was set up.
#[component]
pub fn ConfiguredSource(detail: SourceDetail) -> impl IntoView {
    let navigate = use_navigate();
    let id = detail.summary.id;
    let rows = [
        ("Name", detail.summary.name.clone()),
        ("Okta org", detail.summary.org_host.clone()),
        (
            "API token",
            format!(
                "ending in …{} (accepted by Okta)",
                detail.summary.token_hint
            ),
        ),
    ];
    view! {
        <Card title="Okta org">
            <dl class="grid grid-cols-[8rem_1fr] gap-x-4 gap-y-2 text-sm">
                {rows
                    .into_iter()
                    .map(|(label, value)| {
                        view! {
                            <dt class="font-medium text-slate-600">{label}</dt>
                            <dd class="text-slate-900" aria-label=label>{value}</dd>
                        }
                    })
                    .collect_view()}
            </dl>
            <p class="mt-4 rounded border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-600">
                "Okta accepted this org and token. The name and the token can be changed later on the source's Settings tab."
            </p>
        </Card>
        <div class="mt-4 flex justify-end">
            <button
                type="button"
                class=PRIMARY_BUTTON
                on:click=move |_| navigate(&step_url(id, Step::Enrichment), Default::default())
            >
                "Next"
            </button>
        </div>
    }
}
