use leptos::prelude::*;

use crate::components::page_header::PageHeader;

/// `/sources`: every source with its state (built by the source-management work).
#[component]
pub fn SourcesPage() -> impl IntoView {
    view! { <PageHeader title="Sources" /> }
}
