use leptos::prelude::*;

/// One term and its value in a `<dl>`. The value is labelled by the term, so tests and screen
/// readers find it by name (`getByLabel("Last seen")`).
#[component]
pub fn Term(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    children: Children,
) -> impl IntoView {
    let term_id = format!("{id}-term");
    view! {
        <dt id=term_id.clone() class="font-medium text-slate-600">{label}</dt>
        <dd aria-labelledby=term_id class="min-w-0 text-slate-900">{children()}</dd>
    }
    .into_any()
}
