use leptos::prelude::*;

use crate::components::{coming_soon::ComingSoon, page_header::PageHeader};

#[component]
pub fn SourcesPage() -> impl IntoView {
    view! {
        <PageHeader title="Sources" />
        <ComingSoon what="Your Okta orgs: add one with the onboarding wizard, then pause, edit or remove it." />
    }
}
