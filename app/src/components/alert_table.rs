//! `AlertTable`: alerts as table rows, on the alerts page and on a source's Health tab.

use leptos::prelude::*;
use leptos_router::components::A;

use super::{
    alert_badge::{AlertStateBadge, SeverityBadge},
    formatted::{grouped, Timestamp},
    status_badge::{Pill, Tone},
    table::{Column, Table, CELL, NUMBER},
};
use crate::model::alert::AlertSummary;

/// One row per alert: severity, title (linking to the alert), source, state, first and last
/// seen, occurrences, and a marker when deliveries failed. Rows are keyed by their content, so a
/// refresh re-renders only the rows that changed.
#[component]
pub fn AlertTable(
    #[prop(into)] alerts: Signal<Vec<AlertSummary>>,
    /// The table's accessible name.
    #[prop(into)]
    label: String,
    /// Whether to show the Source column (not on a source's own page).
    #[prop(default = true)]
    show_source: bool,
) -> impl IntoView {
    let mut columns = vec![Column::text("Severity"), Column::text("Alert")];
    if show_source {
        columns.push(Column::text("Source"));
    }
    columns.extend([
        Column::text("State"),
        Column::text("First seen"),
        Column::text("Last seen"),
        Column::number("Occurrences"),
    ]);
    view! {
        <Table label columns>
            <For
                each=move || alerts.get()
                key=row_key
                children=move |alert| view! { <AlertRow alert show_source /> }
            />
        </Table>
    }
    .into_any()
}

/// Everything a row shows, so a row is rebuilt exactly when what it shows changed.
type RowKey = (
    i64,
    crate::model::alert::Severity,
    crate::model::alert::AlertState,
    String,
    Option<i64>,
    Option<String>,
    String,
    String,
    i64,
    i64,
);

fn row_key(a: &AlertSummary) -> RowKey {
    (
        a.id,
        a.severity,
        a.state,
        a.title.clone(),
        a.source_id,
        a.source_name.clone(),
        a.first_seen.clone(),
        a.last_seen.clone(),
        a.occurrences,
        a.failed_deliveries,
    )
}

#[component]
fn AlertRow(alert: AlertSummary, show_source: bool) -> impl IntoView {
    let failed = (alert.failed_deliveries > 0).then(|| {
        view! {
            <span class="mt-1 block">
                <Pill tone=Tone::Red title="Sending this alert to a destination failed; the alert's page has the error.">
                    <span aria-hidden="true" class="mr-1">"⚠"</span>
                    {failed_words(alert.failed_deliveries)}
                </Pill>
            </span>
        }
    });
    let source = show_source.then(|| {
        view! { <td class=CELL><SourceName id=alert.source_id name=alert.source_name /></td> }
    });
    view! {
        <tr class="hover:bg-slate-50">
            <td class=CELL>
                <SeverityBadge severity=alert.severity />
            </td>
            <td class=format!("{CELL} min-w-64")>
                <A href=format!("/alerts/{}", alert.id) attr:class="font-medium text-indigo-700 hover:underline">
                    {alert.title}
                </A>
                {failed}
            </td>
            {source}
            <td class=CELL>
                <AlertStateBadge state=alert.state />
            </td>
            <td class=format!("{CELL} whitespace-nowrap text-slate-700")>
                <Timestamp rfc3339=alert.first_seen />
            </td>
            <td class=format!("{CELL} whitespace-nowrap text-slate-700")>
                <Timestamp rfc3339=alert.last_seen />
            </td>
            <td class=NUMBER>{grouped(alert.occurrences)}</td>
        </tr>
    }
    .into_any()
}

/// `1 delivery failed`, `3 deliveries failed`.
pub fn failed_words(n: i64) -> String {
    if n == 1 {
        "1 delivery failed".to_owned()
    } else {
        format!("{} deliveries failed", grouped(n))
    }
}

/// The alert's source: a link to its page, its name marked "(deleted)" when it is gone, or a
/// dash when the alert has no source.
#[component]
pub fn SourceName(id: Option<i64>, name: Option<String>) -> impl IntoView {
    match (id, name) {
        (Some(id), name) => {
            let name = name.unwrap_or_else(|| format!("Source {id}"));
            view! {
                <A href=format!("/sources/{id}") attr:class="text-indigo-700 hover:underline">{name}</A>
            }
            .into_any()
        }
        (None, Some(name)) => view! {
            <span class="text-slate-700">{name}</span>
            " "
            <span class="text-slate-500">"(deleted)"</span>
        }
        .into_any(),
        (None, None) => view! { <span class="text-slate-400">"—"</span> }.into_any(),
    }
}
