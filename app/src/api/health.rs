use leptos::prelude::*;

use crate::model::{health::SourceHealthDetail, AppError};

/// One source's checks, no-events alarm (with its history) and last 50 poll attempts.
#[server(endpoint = "get_source_health")]
pub async fn get_source_health(id: i64) -> Result<SourceHealthDetail, AppError> {
    crate::api::answer(async { crate::backend::console()?.source_health(id).await }.await)
}
