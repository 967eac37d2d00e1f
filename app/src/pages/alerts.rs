use leptos::prelude::*;

use crate::components::{coming_soon::ComingSoon, page_header::PageHeader};

#[component]
pub fn AlertsPage() -> impl IntoView {
    view! {
        <PageHeader title="Alerts" />
        <ComingSoon what="System and detection alerts, with their state, severity and destinations." />
    }
}
