use leptos::prelude::*;

use crate::model::{
    detection::{CustomRuleInput, DetectionsOverview, RuleDetail, RuleTestVerdict},
    AppError,
};

/// Packs and rules with their switches for one source (the first source when `source_id` is
/// `None`), recent match counts and errors.
#[server(endpoint = "list_detections")]
pub async fn list_detections(source_id: Option<i64>) -> Result<DetectionsOverview, AppError> {
    crate::api::answer(async { crate::backend::console()?.detections(source_id).await }.await)
}

/// Switches a whole pack on or off for one source.
#[server(endpoint = "set_pack_enabled")]
pub async fn set_pack_enabled(
    source_id: i64,
    pack_id: String,
    enabled: bool,
) -> Result<(), AppError> {
    crate::api::answer(
        async {
            crate::backend::console()?
                .set_pack_enabled(source_id, pack_id, enabled)
                .await
        }
        .await,
    )
}

/// Switches one rule on or off for one source (inside its pack).
#[server(endpoint = "set_rule_enabled")]
pub async fn set_rule_enabled(
    source_id: i64,
    rule_id: String,
    enabled: bool,
) -> Result<(), AppError> {
    crate::api::answer(
        async {
            crate::backend::console()?
                .set_rule_enabled(source_id, rule_id, enabled)
                .await
        }
        .await,
    )
}

#[server(endpoint = "get_rule")]
pub async fn get_rule(rule_id: String) -> Result<RuleDetail, AppError> {
    crate::api::answer(async { crate::backend::console()?.rule_detail(rule_id).await }.await)
}

/// Creates (`original_id` None) or updates a custom Python rule after compiling it; returns
/// its id.
#[server(endpoint = "save_custom_rule")]
pub async fn save_custom_rule(
    original_id: Option<String>,
    input: CustomRuleInput,
) -> Result<String, AppError> {
    crate::api::answer(
        async {
            crate::backend::console()?
                .save_custom_rule(original_id, input)
                .await
        }
        .await,
    )
}

#[server(endpoint = "delete_custom_rule")]
pub async fn delete_custom_rule(rule_id: String) -> Result<(), AppError> {
    crate::api::answer(async { crate::backend::console()?.delete_custom_rule(rule_id).await }.await)
}

/// Runs a rule (saved or not) on one pasted event and says what it would do.
#[server(endpoint = "test_custom_rule")]
pub async fn test_custom_rule(
    input: CustomRuleInput,
    event: String,
) -> Result<RuleTestVerdict, AppError> {
    crate::api::answer(
        async {
            crate::backend::console()?
                .test_custom_rule(input, event)
                .await
        }
        .await,
    )
}
