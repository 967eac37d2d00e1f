//! `/sources/:id`: one source's page, one file per tab.

mod enrichment;
mod events;
mod health;
mod overview;
mod settings;

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map, use_query_map},
    NavigateOptions,
};

use crate::{
    api::sources::get_source,
    components::status_badge::state_reason,
    components::{
        error_note::ErrorNote,
        live::Latest,
        page_header::PageHeader,
        status_badge::StatusBadge,
        tabs::{TabPanel, Tabs},
    },
    model::{source::SourceDetail, AppError},
};

/// The tabs: `(key in ?tab=…, label)`. The first is the default.
const TABS: [(&str, &str); 5] = [
    ("overview", "Overview"),
    ("health", "Health"),
    ("events", "Events"),
    ("enrichment", "Enrichment"),
    ("settings", "Settings"),
];

/// How often the page asks for the source again, so new events and state changes show up.
const REFRESH: Duration = Duration::from_millis(2500);

/// `/sources/:id`: one source's page with its tabs.
#[component]
pub fn SourcePage() -> impl IntoView {
    let params = use_params_map();
    let raw_id = move || params.read().get("id").unwrap_or_default();
    let source = Resource::new(raw_id, |raw| async move {
        match raw.parse::<i64>() {
            Ok(id) => get_source(id).await,
            Err(_) => Err(AppError::NotFound(format!("Source {raw}"))),
        }
    });

    view! {
        <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading the source…"</p> }>
            {move || Suspend::new(async move {
                match source.await {
                    Ok(detail) => view! { <SourceView detail /> }.into_any(),
                    Err(AppError::NotFound(what)) => view! { <SourceNotFound what /> }.into_any(),
                    Err(error) => {
                        view! {
                            <PageHeader title="Source" />
                            <ErrorNote error=Some(error) />
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn SourceNotFound(what: String) -> impl IntoView {
    crate::pages::not_found::respond_not_found();
    view! {
        <PageHeader title=format!("{what} was not found") />
        <p class="text-sm text-slate-700">
            "It may have been deleted. "
            <A href="/sources" attr:class="text-indigo-600 underline">"Back to sources"</A>
        </p>
    }
    .into_any()
}

/// The source as last read from the server; tabs read it and ask for a reload after a change
/// (see [`Latest`] for why answers never overwrite newer ones).
#[derive(Clone, Copy)]
struct Live {
    id: i64,
    current: RwSignal<SourceDetail>,
    latest: Latest<SourceDetail>,
}

impl Live {
    fn new(detail: SourceDetail) -> Self {
        let id = detail.summary.id;
        let latest = Latest::new(detail);
        Self {
            id,
            current: latest.value,
            latest,
        }
    }

    fn id(&self) -> i64 {
        self.id
    }

    /// The source's state, following refreshes.
    fn state(&self) -> Signal<String> {
        let d = self.current;
        Signal::derive(move || d.with(|d| d.summary.state.clone()))
    }

    /// Why the source is in its state, in words, following refreshes.
    fn reason(&self) -> Signal<String> {
        let d = self.current;
        Signal::derive(move || {
            d.with(|d| state_reason(&d.summary.state, d.summary.reason.as_deref()))
        })
    }

    /// Reads the source again (failures are left to the next refresh).
    async fn reload(self) {
        let _ = self.latest.refresh(get_source(self.id())).await;
    }
}

#[component]
fn SourceView(detail: SourceDetail) -> impl IntoView {
    let id = detail.summary.id;
    let live = Live::new(detail);
    live.latest.refresh_every(REFRESH, move || get_source(id));

    let query = use_query_map();
    let tab = Signal::derive(move || {
        let asked = query.read().get("tab").unwrap_or_default();
        let known = TABS.iter().any(|(key, _)| *key == asked);
        if known {
            asked
        } else {
            TABS[0].0.to_owned()
        }
    });
    let navigate = use_navigate();
    let select = Callback::new(move |key: String| {
        let options = NavigateOptions {
            replace: true,
            scroll: false,
            ..Default::default()
        };
        navigate(&format!("/sources/{id}?tab={key}"), options);
    });

    let name = Memo::new(move |_| live.current.with(|d| d.summary.name.clone()));
    let state = Signal::derive(move || live.current.with(|d| d.summary.state.clone()));
    let org_host = move || live.current.with(|d| d.summary.org_host.clone());
    let setup_complete = Memo::new(move |_| live.current.with(|d| d.summary.setup_complete));

    view! {
        <Title text=move || name.get() />
        <nav aria-label="Breadcrumb" class="mb-2 text-sm">
            <A href="/sources" attr:class="text-indigo-600 hover:underline">"← Sources"</A>
        </nav>
        <header class="mb-5">
            <div class="flex flex-wrap items-center gap-3">
                <h1 class="text-2xl font-semibold tracking-tight">{move || name.get()}</h1>
                <StatusBadge state />
            </div>
            <p class="mt-1 text-sm text-slate-600">{org_host}</p>
        </header>
        <Show when=move || !setup_complete.get()>
            <p class="mb-5 rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
                "Setup is not finished: this source does not poll yet. "
                <A
                    href=format!("/sources/new?source={id}&step=enrichment")
                    attr:class="font-medium underline"
                >
                    "Finish setup"
                </A>
            </p>
        </Show>
        <Tabs id="source" label="Source sections" tabs=TABS.to_vec() selected=tab on_select=select />
        <TabPanel id="source" key="overview" selected=tab>
            <overview::OverviewTab live />
        </TabPanel>
        <TabPanel id="source" key="health" selected=tab>
            <health::HealthTab live active=Signal::derive(move || tab.get() == "health") />
        </TabPanel>
        <TabPanel id="source" key="events" selected=tab>
            <events::EventsTab live active=Signal::derive(move || tab.get() == "events") />
        </TabPanel>
        <TabPanel id="source" key="enrichment" selected=tab>
            <enrichment::EnrichmentTab live active=Signal::derive(move || tab.get() == "enrichment") />
        </TabPanel>
        <TabPanel id="source" key="settings" selected=tab>
            <settings::SettingsTab live />
        </TabPanel>
    }
    .into_any()
}

/// The end of a settings form: its problem (if any), its submit button, and the confirmation.
#[component]
fn SaveRow(
    label: &'static str,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] status: Signal<Option<String>>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <ErrorNote error />
        <div class="flex items-center gap-3">
            <button type="submit" class=crate::components::button::PRIMARY_BUTTON disabled=move || pending.get()>
                {label}
            </button>
            <SaveStatus message=status />
        </div>
    }
    .into_any()
}

/// A polite "Saved"-style confirmation: the live region is always there (screen readers
/// announce changes only to a region that already exists), empty until there is news.
#[component]
fn SaveStatus(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <p role="status" aria-live="polite" class="min-h-5 text-sm text-emerald-700">
            {move || message.get()}
        </p>
    }
    .into_any()
}
