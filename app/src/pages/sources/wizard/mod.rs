use leptos::prelude::*;

use crate::components::page_header::PageHeader;

/// `/sources/new`: the onboarding wizard (built by the wizard work).
#[component]
pub fn NewSourcePage() -> impl IntoView {
    view! { <PageHeader title="Add an Okta source" /> }
}
