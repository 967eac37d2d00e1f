//! `/sources/new`: the onboarding wizard (Configuration → Enrichment → Success), one file per
//! step.
//!
//! The address is the wizard's state: `?name=…&subdomain=…&domain=…` before Setup (never the
//! token), then `?source=ID&step=enrichment|success` once the source exists. Every step reads
//! the source back from the server, so a reload or Back shows what was saved.

mod configuration;
mod enrichment;
mod stepper;
mod success;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::{
    api::sources::{get_source, get_wizard_options},
    components::{card::Card, error_note::ErrorNote, page_header::PageHeader},
    model::{source::SourceDetail, AppError},
};

use configuration::{ConfigurationForm, ConfiguredSource};
use enrichment::EnrichmentStep;
use stepper::Stepper;
use success::SuccessStep;

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Step {
    Configuration,
    Enrichment,
    Success,
}

impl Step {
    pub const ALL: [Step; 3] = [Step::Configuration, Step::Enrichment, Step::Success];

    /// The step named by `?step=` (Configuration when missing or unknown).
    fn from_query(value: Option<&str>) -> Self {
        match value {
            Some("enrichment") => Step::Enrichment,
            Some("success") => Step::Success,
            _ => Step::Configuration,
        }
    }

    fn as_query(self) -> &'static str {
        match self {
            Step::Configuration => "configuration",
            Step::Enrichment => "enrichment",
            Step::Success => "success",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Step::Configuration => "Configuration",
            Step::Enrichment => "Enrichment",
            Step::Success => "Success",
        }
    }
}

/// The wizard's address for one step of a source that has passed Setup.
pub fn step_url(id: i64, step: Step) -> String {
    format!("/sources/new?source={id}&step={}", step.as_query())
}

pub use crate::components::button::{PRIMARY_BUTTON, SECONDARY_BUTTON};

/// The bar under a step: Back to `back`, and the step's own primary action.
#[component]
pub fn StepButtons(
    id: i64,
    back: Step,
    #[prop(into)] pending: Signal<bool>,
    label: &'static str,
    pending_label: &'static str,
    on_primary: Callback<()>,
) -> impl IntoView {
    let navigate = leptos_router::hooks::use_navigate();
    view! {
        <div class="flex items-center justify-between gap-3">
            <button
                type="button"
                class=SECONDARY_BUTTON
                disabled=move || pending.get()
                on:click=move |_| navigate(&step_url(id, back), Default::default())
            >
                "Back"
            </button>
            <button type="button" class=PRIMARY_BUTTON disabled=move || pending.get() on:click=move |_| on_primary.run(())>
                {move || if pending.get() { pending_label } else { label }}
            </button>
        </div>
    }
}

/// What one step needs from the server: the step it was loaded for and the source, if any.
type Loaded = (Step, Result<Option<SourceDetail>, AppError>);

#[component]
pub fn NewSourcePage() -> impl IntoView {
    let query = use_query_map();
    let source_id =
        Memo::new(move |_| query.with(|q| q.get_str("source").and_then(|s| s.parse::<i64>().ok())));
    // Without a source only Configuration exists.
    let step = Memo::new(move |_| match source_id.get() {
        Some(_) => query.with(|q| Step::from_query(q.get_str("step"))),
        None => Step::Configuration,
    });

    let options = Resource::new(|| (), |_| get_wizard_options());
    // Keyed on the step too: every step change reads the source again, so Back shows what was
    // saved. The step travels with the data, so the stepper and the body always agree.
    let loaded = Resource::new(
        move || (source_id.get(), step.get()),
        |(id, step)| async move {
            let detail = match id {
                Some(id) => get_source(id).await.map(Some),
                None => Ok(None),
            };
            let loaded: Loaded = (step, detail);
            loaded
        },
    );
    // The step shown last; moving to another one puts keyboard focus on the stepper.
    let shown = StoredValue::new(None::<Step>);

    view! {
        <PageHeader
            title="Add an Okta source"
            description="Connect an Okta org's System Log in three steps. Nothing is read until you finish."
        />
        <div class="max-w-3xl">
            <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let options = options.await;
                    let (step, detail) = loaded.await;
                    let focus = shown.get_value().is_some_and(|before| before != step);
                    shown.set_value(Some(step));
                    let body = match (options, detail) {
                        (Err(e), _) | (_, Err(e)) => return problem(e).into_any(),
                        (Ok(_), Ok(Some(detail))) if detail.summary.setup_complete => {
                            return view! { <SetupFinished detail /> }.into_any();
                        }
                        (Ok(options), Ok(None)) => view! { <ConfigurationForm options /> }.into_any(),
                        (Ok(_), Ok(Some(detail))) => match step {
                            Step::Configuration => view! { <ConfiguredSource detail /> }.into_any(),
                            Step::Enrichment => view! { <EnrichmentStep detail /> }.into_any(),
                            Step::Success => view! { <SuccessStep detail /> }.into_any(),
                        },
                    };
                    view! {
                        <Stepper current=step focus />
                        {body}
                    }
                    .into_any()
                })}
            </Transition>
        </div>
    }
}

/// A failed load (e.g. a source that was deleted meanwhile), with a way to start over.
fn problem(error: AppError) -> impl IntoView {
    view! {
        <div class="flex flex-col items-start gap-4">
            <ErrorNote error=Signal::stored(Some(error)) />
            <a href="/sources/new" class=SECONDARY_BUTTON>"Start again"</a>
        </div>
    }
}

/// A source whose wizard was finished already: its settings live on its own page now.
#[component]
fn SetupFinished(detail: SourceDetail) -> impl IntoView {
    let href = format!("/sources/{}", detail.summary.id);
    let open = format!("Open {}", detail.summary.name);
    view! {
        <Card title="Setup finished">
            <p class="text-sm text-slate-600">
                {detail.summary.name.clone()}
                " is set up and Gatehouse reads its System Log. Its settings are on its own page."
            </p>
            <a href=href class=format!("mt-4 inline-block {PRIMARY_BUTTON}")>{open}</a>
        </Card>
    }
}
