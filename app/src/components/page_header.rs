use leptos::prelude::*;
use leptos_meta::Title;

/// The page's `<h1>` and document title, with an optional one-line description.
#[component]
pub fn PageHeader(
    #[prop(into)] title: String,
    #[prop(optional, into)] description: Option<String>,
) -> impl IntoView {
    view! {
        <Title text=title.clone() />
        <header class="mb-6">
            <h1 class="text-2xl font-semibold tracking-tight">{title}</h1>
            {description.map(|d| view! { <p class="mt-1 text-sm text-slate-600">{d}</p> })}
        </header>
    }
}
