use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::page_header::PageHeader;

/// Makes the server answer 404 for the page being rendered (no-op in the browser). The route
/// must render in `SsrMode::Async` when this is called under a `Suspense`, so the status is
/// still unsent.
pub fn respond_not_found() {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    respond_not_found();
    view! {
        <PageHeader title="Page not found" />
        <p class="text-sm">
            "There is nothing at this address. "
            <A href="/" attr:class="text-indigo-600 underline">
                "Back to the dashboard"
            </A>
        </p>
    }
}
