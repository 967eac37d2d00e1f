//! An event's `p_enrichment` matches as a table (source Events tab and event explorer).

use leptos::prelude::*;

use crate::{
    components::table::{Column, Table, CELL},
    model::enrichment::EnrichmentMatch,
};

/// The matches, or a sentence when there are none.
#[component]
pub fn EnrichmentMatches(matches: Vec<EnrichmentMatch>) -> impl IntoView {
    if matches.is_empty() {
        return view! { <p class="text-sm text-slate-600">"No enrichment matched this event."</p> }
            .into_any();
    }
    let columns = vec![
        Column::text("Table"),
        Column::text("Selector"),
        Column::text("Value"),
        Column::text("Profile"),
    ];
    view! {
        <Table label="Matched enrichment" columns>
            {matches
                .into_iter()
                .map(|m| {
                    view! {
                        <tr>
                            <td class=format!("{CELL} font-mono text-xs")>{m.table}</td>
                            <td class=format!("{CELL} font-mono text-xs")>{m.selector}</td>
                            <td class=format!("{CELL} break-all font-mono text-xs")>{m.value}</td>
                            <td class=format!("{CELL} text-slate-700")>{m.summary}</td>
                        </tr>
                    }
                })
                .collect_view()}
        </Table>
    }
    .into_any()
}
