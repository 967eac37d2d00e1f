use leptos::prelude::*;

use super::card::Card;

/// Placeholder body for an area whose issue has not landed yet. Says what will be here.
#[component]
pub fn ComingSoon(#[prop(into)] what: String) -> impl IntoView {
    view! {
        <Card title="Coming soon">
            <p class="text-sm text-slate-600">{what}</p>
        </Card>
    }
}
