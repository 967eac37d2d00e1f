use leptos::prelude::*;

use crate::model::{
    source::{
        AlarmSettings, EnrichmentSettings, SourceDetail, SourceSetup, SourceSummary, WizardOptions,
    },
    AppError,
};

/// Domains the wizard offers (the simulator's only when the server runs one).
#[server(endpoint = "get_wizard_options")]
pub async fn get_wizard_options() -> Result<WizardOptions, AppError> {
    crate::api::answer(async { crate::backend::console()?.wizard_options().await }.await)
}

#[server(endpoint = "list_sources")]
pub async fn list_sources() -> Result<Vec<SourceSummary>, AppError> {
    crate::api::answer(async { crate::backend::console()?.list_sources().await }.await)
}

#[server(endpoint = "get_source")]
pub async fn get_source(id: i64) -> Result<SourceDetail, AppError> {
    crate::api::answer(async { crate::backend::console()?.source_detail(id).await }.await)
}

/// The wizard's Setup: validates, asks Okta, and creates the source (not polling yet).
#[server(endpoint = "setup_source")]
pub async fn setup_source(setup: SourceSetup) -> Result<i64, AppError> {
    crate::api::answer(async { crate::backend::console()?.setup_source(setup).await }.await)
}

#[server(endpoint = "save_enrichment")]
pub async fn save_enrichment(
    id: i64,
    settings: EnrichmentSettings,
) -> Result<EnrichmentSettings, AppError> {
    crate::api::answer(
        async {
            crate::backend::console()?
                .save_enrichment(id, settings)
                .await
        }
        .await,
    )
}

#[server(endpoint = "save_alarm")]
pub async fn save_alarm(id: i64, settings: AlarmSettings) -> Result<AlarmSettings, AppError> {
    crate::api::answer(async { crate::backend::console()?.save_alarm(id, settings).await }.await)
}

/// The wizard's Finish: saves the alarm choice and starts polling.
#[server(endpoint = "finish_setup")]
pub async fn finish_setup(id: i64, alarm: AlarmSettings) -> Result<(), AppError> {
    crate::api::answer(async { crate::backend::console()?.finish_setup(id, alarm).await }.await)
}

#[server(endpoint = "rename_source")]
pub async fn rename_source(id: i64, name: String) -> Result<(), AppError> {
    crate::api::answer(async { crate::backend::console()?.rename_source(id, name).await }.await)
}

/// Checks the new token against Okta before storing it; returns its last four characters.
#[server(endpoint = "replace_token")]
pub async fn replace_token(id: i64, token: String) -> Result<String, AppError> {
    crate::api::answer(async { crate::backend::console()?.replace_token(id, token).await }.await)
}

#[server(endpoint = "save_poll_settings")]
pub async fn save_poll_settings(
    id: i64,
    interval_secs: u32,
    backfill_hours: u32,
) -> Result<(), AppError> {
    crate::api::answer(
        async {
            crate::backend::console()?
                .save_poll_settings(id, interval_secs, backfill_hours)
                .await
        }
        .await,
    )
}

#[server(endpoint = "set_source_enabled")]
pub async fn set_source_enabled(id: i64, enabled: bool) -> Result<(), AppError> {
    crate::api::answer(
        async {
            crate::backend::console()?
                .set_source_enabled(id, enabled)
                .await
        }
        .await,
    )
}

/// Stops polling and removes the source with all its data; `confirm_name` must be its name.
#[server(endpoint = "delete_source")]
pub async fn delete_source(id: i64, confirm_name: String) -> Result<(), AppError> {
    crate::api::answer(
        async {
            crate::backend::console()?
                .delete_source(id, confirm_name)
                .await
        }
        .await,
    )
}
