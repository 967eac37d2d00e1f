//! `/detections?source=<id>`: every pack and rule, switched on or off for the chosen source,
//! with the last 24 hours' matches and any rule errors. Switches save at once.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};

use crate::{
    api::detections::{list_detections, set_pack_enabled, set_rule_enabled},
    components::{
        alert_badge::SeverityBadge,
        button::PRIMARY_BUTTON,
        error_note::ErrorNote,
        field::SelectField,
        formatted::grouped,
        live::Latest,
        page_header::PageHeader,
        table::{Column, Table, CELL, NUMBER},
    },
    model::{
        detection::{DetectionsOverview, PackView, RuleView},
        AppError,
    },
};

/// Match counts move while events flow.
const REFRESH: Duration = Duration::from_secs(5);

#[component]
pub fn DetectionsPage() -> impl IntoView {
    let query = use_query_map();
    let source = Memo::new(move |_| query.with(|q| q.get("source").and_then(|s| s.parse().ok())));
    let overview = Resource::new(
        move || source.get(),
        |source| async move { (source, list_detections(source).await) },
    );
    view! {
        <PageHeader
            title="Detections"
            description="Rules run on every event stored for a source, once, after enrichment. Matches are grouped into alerts by rule and dedup string within the rule's dedup period, once its threshold is reached."
        />
        <div class="mb-4">
            <A href="/detections/new" attr:class=PRIMARY_BUTTON attr:id="new-rule">"New Python rule"</A>
        </div>
        <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading detections…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    (asked, Ok(overview)) => view! { <Overview asked overview /> }.into_any(),
                    (_, Err(error)) => view! { <ErrorNote error=Some(error) /> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn Overview(asked: Option<i64>, overview: DetectionsOverview) -> impl IntoView {
    let latest = Latest::new(overview);
    latest.refresh_every(REFRESH, move || list_detections(asked));
    let error = RwSignal::new(None::<AppError>);
    let source_id = latest.value.with_untracked(|o| o.source_id);
    let navigate = use_navigate();
    let options: Vec<(String, String)> = latest.value.with_untracked(|o| {
        o.sources
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone()))
            .collect()
    });
    let python = latest.value.with_untracked(|o| o.python.clone());

    let picker = source_id.map(|id| {
        view! {
            <div class="mb-5 max-w-sm">
                <SelectField
                    id="detections-source"
                    label="Switches apply to source"
                    options
                    value=Signal::stored(id.to_string())
                    on_change=Callback::new(move |v: String| {
                        navigate(
                            &format!("/detections?source={v}"),
                            NavigateOptions { replace: true, scroll: false, ..Default::default() },
                        );
                    })
                />
            </div>
        }
    });
    let no_source = source_id.is_none().then(|| {
        view! {
            <p class="mb-5 rounded border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
                "No source yet: rules can be browsed and written now, and switched on per source once one is added. "
                <A href="/sources/new" attr:class="font-medium underline">"Add a source"</A>
            </p>
        }
    });
    let python_note = python.err().map(|why| {
        view! {
            <p role="status" class="mb-5 rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                "Custom Python rules cannot run: " {why}
            </p>
        }
    });
    let packs = Memo::new(move |_| latest.value.with(|o| o.packs.clone()));

    view! {
        {picker}
        {no_source}
        {python_note}
        <div class="mb-4">
            <ErrorNote error />
        </div>
        <div class="flex flex-col gap-6">
            <For each=move || packs.get() key=|p| p.id.clone() let:pack>
                <Pack pack source_id latest error />
            </For>
        </div>
    }
    .into_any()
}

#[component]
fn Pack(
    pack: PackView,
    source_id: Option<i64>,
    latest: Latest<DetectionsOverview>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let pack_id = pack.id.clone();
    let enabled = Memo::new({
        let id = pack_id.clone();
        move |_| {
            latest.value.with(|o| {
                o.packs
                    .iter()
                    .find(|p| p.id == id)
                    .is_some_and(|p| p.enabled)
            })
        }
    });
    let rules = Memo::new({
        let id = pack_id.clone();
        move |_| {
            latest
                .value
                .with(|o| o.packs.iter().find(|p| p.id == id).map(|p| p.rules.clone()))
                .unwrap_or_default()
        }
    });
    let switch = Action::new(move |on: &bool| {
        let (on, pack_id) = (*on, pack.id.clone());
        async move {
            let Some(source) = source_id else { return };
            let outcome = set_pack_enabled(source, pack_id, on).await;
            error.try_set(outcome.err());
            let _ = latest.refresh(list_detections(Some(source))).await;
        }
    });
    let toggle_id = format!("pack-{}", pack_id);
    let empty = pack_id == app_custom_pack();
    let rule_count = move || rules.with(Vec::len);

    view! {
        <section
            class="rounded-lg border border-slate-200 bg-white p-5 shadow-sm"
            aria-label=format!("{} pack", pack.name)
        >
            <div class="mb-3 flex flex-wrap items-start justify-between gap-3">
                <div class="max-w-prose">
                    <h2 class="text-base font-semibold text-slate-800">
                        {pack.name.clone()}
                        <span class="ml-2 text-sm font-normal text-slate-500">
                            {move || format!("{} rules", rule_count())}
                        </span>
                    </h2>
                    <p class="text-sm text-slate-600">{pack.description.clone()}</p>
                </div>
                <label class="flex items-center gap-2 text-sm font-medium text-slate-700">
                    <input
                        id=toggle_id
                        type="checkbox"
                        class="h-4 w-4 rounded border-slate-300"
                        disabled=source_id.is_none()
                        prop:checked=move || enabled.get()
                        on:change=move |ev| {
                            switch.dispatch(event_target_checked(&ev));
                        }
                    />
                    "Enabled for this source"
                </label>
            </div>
            <Show
                when=move || rules.with(|r| !r.is_empty())
                fallback=move || {
                    view! {
                        <p class="text-sm text-slate-600">
                            {if empty {
                                "No custom rules yet. Write one in Python with Panther's rule functions: New Python rule."
                            } else {
                                "This pack has no rules."
                            }}
                        </p>
                    }
                }
            >
                <RuleTable rules source_id pack_on=enabled latest error />
            </Show>
        </section>
    }
    .into_any()
}

fn app_custom_pack() -> String {
    crate::model::detection::CUSTOM_PACK.to_owned()
}

#[component]
fn RuleTable(
    rules: Memo<Vec<RuleView>>,
    source_id: Option<i64>,
    pack_on: Memo<bool>,
    latest: Latest<DetectionsOverview>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let columns = vec![
        Column::text("On"),
        Column::text("Rule"),
        Column::text("Severity"),
        Column::number("Dedup (min)"),
        Column::number("Threshold"),
        Column::number("Matches 24 h"),
        Column::text("Errors"),
    ];
    let switch = Action::new(move |(rule, on): &(String, bool)| {
        let (rule, on) = (rule.clone(), *on);
        async move {
            let Some(source) = source_id else { return };
            let outcome = set_rule_enabled(source, rule, on).await;
            error.try_set(outcome.err());
            let _ = latest.refresh(list_detections(Some(source))).await;
        }
    });
    view! {
        <Table label="Rules" columns>
            <For each=move || rules.get() key=|r| format!("{r:?}") let:rule>
                <RuleRow rule source_id pack_on switch />
            </For>
        </Table>
    }
    .into_any()
}

#[component]
fn RuleRow(
    rule: RuleView,
    source_id: Option<i64>,
    pack_on: Memo<bool>,
    switch: Action<(String, bool), ()>,
) -> impl IntoView {
    let id = rule.id.clone();
    let checkbox_id = format!("rule-{}", id.replace('.', "-"));
    let label = format!("Run {} for this source", rule.id);
    let globally_off = rule.custom && !rule.globally_enabled;
    let errors = if rule.errors == 0 {
        view! { <span class="text-slate-400">"—"</span> }.into_any()
    } else {
        let last = rule.last_error.clone().unwrap_or_default();
        view! {
            <span class="font-medium text-red-700" title=last.clone()>
                {format!("{} ", grouped(rule.errors))}
            </span>
            <span class="block max-w-xs truncate text-xs text-red-700">{last}</span>
        }
        .into_any()
    };
    let kind = match (rule.signal, globally_off) {
        (true, _) => Some("signal"),
        (_, true) => Some("disabled"),
        _ => None,
    };
    view! {
        <tr data-rule=id.clone()>
            <td class=CELL>
                <input
                    id=checkbox_id
                    type="checkbox"
                    aria-label=label
                    class="h-4 w-4 rounded border-slate-300"
                    disabled=move || source_id.is_none() || !pack_on.get()
                    prop:checked=rule.enabled
                    on:change={
                        let id = id.clone();
                        move |ev| {
                            switch.dispatch((id.clone(), event_target_checked(&ev)));
                        }
                    }
                />
            </td>
            <td class=CELL>
                <A href=format!("/detections/rules/{}", rule.id) attr:class="font-medium text-indigo-700 hover:underline">
                    {rule.name.clone()}
                </A>
                <span class="block font-mono text-xs text-slate-500">{rule.id.clone()}</span>
                {kind.map(|k| view! { <span class="mt-1 inline-block rounded bg-slate-100 px-1.5 text-xs text-slate-600">{k}</span> })}
            </td>
            <td class=CELL>
                <SeverityBadge severity=rule.severity />
                {rule.dynamic_severity.then(|| view! { <span class="ml-1 text-xs text-slate-500">"dynamic"</span> })}
            </td>
            <td class=NUMBER>{rule.dedup_period_minutes}</td>
            <td class=NUMBER>{rule.threshold}</td>
            <td class=NUMBER>{grouped(rule.matches_24h)}</td>
            <td class=CELL>{errors}</td>
        </tr>
    }
    .into_any()
}
