//! `Table`: the one look of every data table, with a named table and real header cells, so
//! tests and screen readers find rows and columns by name.

use leptos::prelude::*;

/// One column header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    /// Numbers are right-aligned.
    pub numeric: bool,
}

impl Column {
    pub const fn text(name: &'static str) -> Self {
        Self {
            name,
            numeric: false,
        }
    }

    pub const fn number(name: &'static str) -> Self {
        Self {
            name,
            numeric: true,
        }
    }
}

/// A cell's padding; numeric cells add [`NUMBER`].
pub const CELL: &str = "px-4 py-3 align-top";
/// Right-aligned figures of even width.
pub const NUMBER: &str = "px-4 py-3 align-top text-right tabular-nums";

/// A bordered, horizontally scrolling table named `label`; `children` are its body rows (the
/// `<tbody>` is always there, which hydration needs).
#[component]
pub fn Table(
    #[prop(into)] label: String,
    columns: Vec<Column>,
    children: Children,
) -> impl IntoView {
    const HEAD: &str =
        "whitespace-nowrap px-4 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500";
    view! {
        <div class="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
            <table class="min-w-full divide-y divide-slate-200 text-sm" aria-label=label>
                <thead class="bg-slate-50">
                    <tr>
                        {columns
                            .into_iter()
                            .map(|c| {
                                let class = if c.numeric { format!("{HEAD} text-right") } else { HEAD.to_owned() };
                                view! { <th scope="col" class=class>{c.name}</th> }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">{children()}</tbody>
            </table>
        </div>
    }
}
