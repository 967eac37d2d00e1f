use leptos::prelude::*;

use crate::model::{
    alert::{AlertDetail, AlertFilter, AlertSummary, Destination, DestinationInput, TestDelivery},
    AppError,
};

/// Alerts matching the filter, newest activity first (at most 500).
#[server(endpoint = "list_alerts")]
pub async fn list_alerts(
    // An all-`None` filter encodes to an empty form: default it rather than refuse it.
    #[server(default)] filter: AlertFilter,
) -> Result<Vec<AlertSummary>, AppError> {
    crate::api::answer(async { crate::backend::console()?.list_alerts(filter).await }.await)
}

#[server(endpoint = "get_alert")]
pub async fn get_alert(id: i64) -> Result<AlertDetail, AppError> {
    crate::api::answer(async { crate::backend::console()?.alert_detail(id).await }.await)
}

/// Marks an open alert resolved (destinations are told).
#[server(endpoint = "resolve_alert")]
pub async fn resolve_alert(id: i64) -> Result<(), AppError> {
    crate::api::answer(async { crate::backend::console()?.resolve_alert(id).await }.await)
}

#[server(endpoint = "list_destinations")]
pub async fn list_destinations() -> Result<Vec<Destination>, AppError> {
    crate::api::answer(async { crate::backend::console()?.list_destinations().await }.await)
}

/// Creates (`id` None) or updates a webhook destination; returns its id.
#[server(endpoint = "save_destination")]
pub async fn save_destination(id: Option<i64>, input: DestinationInput) -> Result<i64, AppError> {
    crate::api::answer(async { crate::backend::console()?.save_destination(id, input).await }.await)
}

#[server(endpoint = "delete_destination")]
pub async fn delete_destination(id: i64) -> Result<(), AppError> {
    crate::api::answer(async { crate::backend::console()?.delete_destination(id).await }.await)
}

/// Sends a test message to the destination now and says what happened.
#[server(endpoint = "test_destination")]
pub async fn test_destination(id: i64) -> Result<TestDelivery, AppError> {
    crate::api::answer(async { crate::backend::console()?.test_destination(id).await }.await)
}
