use leptos::prelude::*;

use crate::model::{dashboard::Dashboard, AppError};

/// Ingestion health of every source, with totals (from health counters, not events).
#[server(endpoint = "get_dashboard")]
pub async fn get_dashboard() -> Result<Dashboard, AppError> {
    crate::api::answer(async { crate::backend::console()?.dashboard().await }.await)
}
