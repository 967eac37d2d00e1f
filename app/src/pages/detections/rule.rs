//! `/detections/rules/:id`: one rule. Built-in rules show their metadata, runbook and recent
//! matches; custom rules open in the editor, with Delete.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map},
};

use super::editor::RuleEditor;
use crate::{
    api::detections::{delete_custom_rule, get_rule},
    components::{
        alert_badge::SeverityBadge,
        button::DANGER_BUTTON,
        card::Card,
        error_note::ErrorNote,
        formatted::{grouped, Timestamp},
        page_header::PageHeader,
        table::{Column, Table, CELL},
        term::Term,
    },
    model::{
        detection::{RuleDetail, RuleMatchRow},
        AppError,
    },
};

/// Rendered in `SsrMode::Async`, so an unknown id answers 404.
#[component]
pub fn RulePage() -> impl IntoView {
    let params = use_params_map();
    let rule_id = move || params.read().get("id").unwrap_or_default();
    let rule = Resource::new(
        rule_id,
        |id| async move { (id.clone(), get_rule(id).await) },
    );
    view! {
        <nav aria-label="Breadcrumb" class="mb-2 text-sm">
            <A href="/detections" attr:class="text-indigo-600 hover:underline">"← Detections"</A>
        </nav>
        <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading the rule…"</p> }>
            {move || Suspend::new(async move {
                match rule.await {
                    (_, Ok(detail)) => view! { <RuleView detail /> }.into_any(),
                    (id, Err(AppError::NotFound(_))) => {
                        crate::pages::not_found::respond_not_found();
                        view! { <PageHeader title=format!("Rule {id} was not found") /> }.into_any()
                    }
                    (_, Err(error)) => view! { <ErrorNote error=Some(error) /> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn RuleView(detail: RuleDetail) -> impl IntoView {
    let v = detail.view.clone();
    let header = view! {
        <Title text=v.name.clone() />
        <header class="mb-5">
            <div class="mb-1 flex flex-wrap items-center gap-2">
                <SeverityBadge severity=v.severity />
                {v.dynamic_severity.then(|| view! { <span class="text-xs text-slate-500">"dynamic severity"</span> })}
                {v.signal.then(|| view! { <span class="rounded bg-slate-100 px-1.5 text-xs text-slate-600">"signal: recorded, never alerts"</span> })}
            </div>
            <h1 class="text-2xl font-semibold tracking-tight">{v.name.clone()}</h1>
            <p class="font-mono text-sm text-slate-500">{v.id.clone()}</p>
        </header>
    };
    let errors = v.last_error.clone().map(|last| {
        view! {
            <p role="status" class="mb-5 rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
                {format!("{} errors; the last one: ", grouped(v.errors))}
                <code class="font-mono text-xs">{last}</code>
            </p>
        }
    });
    let body = match detail.custom.clone() {
        Some(input) => {
            let id = v.id.clone();
            view! {
                <RuleEditor initial=input original=Some(id.clone()) />
                <DeleteRule id />
            }
            .into_any()
        }
        None => view! { <NativeFacts detail=detail.clone() /> }.into_any(),
    };
    view! {
        {header}
        {errors}
        <div class="flex max-w-5xl flex-col gap-5">
            {body}
            <Card title="Recent matches">
                <Matches rows=detail.recent_matches />
            </Card>
        </div>
    }
    .into_any()
}

#[component]
fn NativeFacts(detail: RuleDetail) -> impl IntoView {
    let v = detail.view;
    let reference = (!detail.reference.is_empty()).then(|| {
        view! {
            <Term id="rule-reference" label="Reference">
                <a href=detail.reference.clone() class="break-all text-indigo-700 underline" rel="noreferrer" target="_blank">
                    {detail.reference.clone()}
                </a>
            </Term>
        }
    });
    view! {
        <Card title="Rule">
            <dl class="grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[12rem_1fr]">
                <Term id="rule-pack" label="Pack">"Okta (built in, native)"</Term>
                <Term id="rule-dedup" label="Dedup period">{format!("{} minutes", v.dedup_period_minutes)}</Term>
                <Term id="rule-threshold" label="Threshold">{format!("{} events", v.threshold)}</Term>
                <Term id="rule-matches" label="Matches, 24 h">{grouped(v.matches_24h)}</Term>
                <Term id="rule-runbook" label="Runbook">
                    <span class="whitespace-pre-line">{detail.runbook.clone()}</span>
                </Term>
                {reference}
            </dl>
            <p class="mt-4 text-xs text-slate-500">
                "Built-in rules are switched on and off per source on the Detections page."
            </p>
        </Card>
    }
    .into_any()
}

#[component]
fn DeleteRule(id: String) -> impl IntoView {
    let navigate = use_navigate();
    let delete = Action::new(move |id: &String| {
        let id = id.clone();
        async move { delete_custom_rule(id).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/detections", Default::default());
        }
    });
    let error = Signal::derive(move || delete.value().get().and_then(Result::err));
    view! {
        <Card title="Delete">
            <p class="mb-3 text-sm text-slate-600">
                "Deleting the rule stops it for every source. Its alerts stay."
            </p>
            <ErrorNote error />
            <button
                type="button"
                id="rule-delete"
                class=DANGER_BUTTON
                on:click=move |_| {
                    delete.dispatch(id.clone());
                }
            >
                "Delete rule"
            </button>
        </Card>
    }
    .into_any()
}

#[component]
fn Matches(rows: Vec<RuleMatchRow>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="text-sm text-slate-600">"No matches yet."</p> }.into_any();
    }
    let columns = vec![
        Column::text("Matched"),
        Column::text("Source"),
        Column::text("Event"),
        Column::text("Actor"),
        Column::text("Alert"),
    ];
    view! {
        <Table label="Recent matches" columns>
            {rows
                .into_iter()
                .map(|m| {
                    view! {
                        <tr>
                            <td class=CELL><Timestamp rfc3339=m.matched_at /></td>
                            <td class=CELL>{m.source_name}</td>
                            <td class=CELL>
                                <A href=format!("/events/{}", m.event_id) attr:class="font-mono text-xs text-indigo-700 underline">
                                    {m.event_type}
                                </A>
                            </td>
                            <td class=CELL>{m.actor.unwrap_or_default()}</td>
                            <td class=CELL>
                                {m.alert_id.map(|a| view! {
                                    <A href=format!("/alerts/{a}") attr:class="text-indigo-700 underline">{format!("#{a}")}</A>
                                })}
                            </td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
    .into_any()
}
