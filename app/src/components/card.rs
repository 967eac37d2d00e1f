use leptos::prelude::*;

/// A titled white panel.
#[component]
pub fn Card(#[prop(into)] title: String, children: Children) -> impl IntoView {
    let label = title.clone();
    view! {
        <section class="rounded-lg border border-slate-200 bg-white p-5 shadow-sm" aria-label=label>
            <h2 class="mb-3 text-base font-semibold text-slate-800">{title}</h2>
            {children()}
        </section>
    }
}
