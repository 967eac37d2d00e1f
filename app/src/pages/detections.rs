use leptos::prelude::*;

use crate::components::{coming_soon::ComingSoon, page_header::PageHeader};

#[component]
pub fn DetectionsPage() -> impl IntoView {
    view! {
        <PageHeader title="Detections" />
        <ComingSoon what="The built-in Okta detection pack and your own Python rules." />
    }
}
