//! The Enrichment tab: the switches, how each profile sync is doing, and the stored profiles.
//! Everything below the switches is read in the browser once the page has hydrated (see
//! [`Latest::follow`]), never by a resource nested in the source page.

mod profiles;
mod switches;
mod sync;

use std::time::Duration;

use leptos::prelude::*;

use super::Live;
use crate::{
    api::enrichment::get_enrichment,
    components::{error_note::ErrorNote, live::Latest},
    model::enrichment::{EnrichmentOverview, ProfileKind, SyncStatus},
};

/// How often the tab asks again while it is shown.
const REFRESH: Duration = Duration::from_secs(3);

#[component]
pub fn EnrichmentTab(live: Live, #[prop(into)] active: Signal<bool>) -> impl IntoView {
    let id = live.id();
    // A save, a sync started or profiles deleted: everything below asks again at once.
    let changed = Trigger::new();
    let overview = Latest::new(None::<EnrichmentOverview>);
    let error = RwSignal::new(None);
    overview.follow(REFRESH, active, error, move || {
        changed.track();
        async move { get_enrichment(id).await.map(Some) }
    });
    let status = move |kind: ProfileKind| {
        Memo::new(move |_| {
            overview.value.with(|o| {
                o.as_ref().map(|o| match kind {
                    ProfileKind::Users => o.users.clone(),
                    ProfileKind::Devices => o.devices.clone(),
                })
            })
        })
    };
    let (users, devices) = (status(ProfileKind::Users), status(ProfileKind::Devices));
    let enabled = move |sync: Memo<Option<SyncStatus>>| {
        Signal::derive(move || sync.with(|s| s.as_ref().is_some_and(|s| s.enabled)))
    };

    view! {
        <div class="flex flex-col gap-5">
            <switches::Switches live saved_changes=changed />
            <ErrorNote error />
            <sync::SyncPanels id users devices changed />
            <profiles::UserProfiles id active changed enabled=enabled(users) />
            <profiles::DeviceProfiles id active changed enabled=enabled(devices) />
        </div>
    }
    .into_any()
}
