use leptos::prelude::*;

use crate::model::{AppError, SystemInfo};

/// Version, database path and applied migrations of the running server.
#[server(endpoint = "get_system_info")]
pub async fn get_system_info() -> Result<SystemInfo, AppError> {
    crate::api::answer(async { crate::backend::console()?.system_info().await }.await)
}
