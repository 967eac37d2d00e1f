use leptos::prelude::*;

use crate::model::{
    enrichment::{
        DeviceProfileRow, EnrichmentOverview, EventDetail, ProfileKind, ProfilePage, RecentEvent,
        UserProfileRow,
    },
    AppError,
};

/// Sync progress of the source's user and device profiles.
#[server(endpoint = "get_enrichment")]
pub async fn get_enrichment(id: i64) -> Result<EnrichmentOverview, AppError> {
    crate::api::answer(async { crate::backend::console()?.enrichment_overview(id).await }.await)
}

/// One page of the source's stored user profiles matching `search` (login, name, email,
/// title, department; empty = all).
#[server(endpoint = "list_user_profiles")]
pub async fn list_user_profiles(
    id: i64,
    #[server(default)] search: String,
    #[server(default)] page: u32,
) -> Result<ProfilePage<UserProfileRow>, AppError> {
    crate::api::answer(
        async {
            crate::backend::console()?
                .user_profiles(id, search, page)
                .await
        }
        .await,
    )
}

/// One page of the source's stored device profiles matching `search` (name, platform, model,
/// owner; empty = all).
#[server(endpoint = "list_device_profiles")]
pub async fn list_device_profiles(
    id: i64,
    #[server(default)] search: String,
    #[server(default)] page: u32,
) -> Result<ProfilePage<DeviceProfileRow>, AppError> {
    crate::api::answer(
        async {
            crate::backend::console()?
                .device_profiles(id, search, page)
                .await
        }
        .await,
    )
}

/// Deletes the source's stored profiles of one kind (offered once its toggle is off).
#[server(endpoint = "delete_profiles")]
pub async fn delete_profiles(id: i64, kind: ProfileKind) -> Result<(), AppError> {
    crate::api::answer(async { crate::backend::console()?.delete_profiles(id, kind).await }.await)
}

/// Starts a delta sync (a full one if none finished yet) now, instead of at the next period.
#[server(endpoint = "sync_profiles")]
pub async fn sync_profiles(id: i64, kind: ProfileKind) -> Result<(), AppError> {
    crate::api::answer(async { crate::backend::console()?.sync_profiles(id, kind).await }.await)
}

/// The source's newest stored events (at most 50).
#[server(endpoint = "list_recent_events")]
pub async fn list_recent_events(id: i64) -> Result<Vec<RecentEvent>, AppError> {
    crate::api::answer(async { crate::backend::console()?.recent_events(id).await }.await)
}

/// One stored event with its enrichment matches.
#[server(endpoint = "get_event")]
pub async fn get_event(id: i64, row_id: String) -> Result<EventDetail, AppError> {
    crate::api::answer(async { crate::backend::console()?.event_detail(id, row_id).await }.await)
}
