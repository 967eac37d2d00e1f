use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::page_header::PageHeader;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
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
