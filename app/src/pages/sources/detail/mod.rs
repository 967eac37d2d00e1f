use leptos::prelude::*;

use crate::components::page_header::PageHeader;

/// `/sources/:id`: one source's page with its tabs (built by the source-management work).
#[component]
pub fn SourcePage() -> impl IntoView {
    view! { <PageHeader title="Source" /> }
}
