use leptos::prelude::*;

use crate::components::{coming_soon::ComingSoon, page_header::PageHeader};

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <PageHeader title="Dashboard" />
        <ComingSoon what="Ingestion health for every source: events over time, last event, lag, errors and rate-limit headroom." />
    }
}
