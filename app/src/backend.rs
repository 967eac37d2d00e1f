//! The narrow door from server functions into the server's engine.
//!
//! The server implements [`Console`] and provides it as Leptos context both when rendering pages
//! and when handling server-function calls; server functions fetch it with [`console`].

use std::sync::Arc;

use leptos::prelude::use_context;

use crate::model::{
    alert::{AlertDetail, AlertFilter, AlertSummary, Destination, DestinationInput, TestDelivery},
    detection::{CustomRuleInput, DetectionsOverview, RuleDetail, RuleTestVerdict},
    enrichment::{
        DeviceProfileRow, EnrichmentOverview, EventDetail, ProfileKind, ProfilePage, RecentEvent,
        UserProfileRow,
    },
    events::{EventPage, EventQuery, StoredEvent},
    health::SourceHealthDetail,
    source::{
        AlarmSettings, EnrichmentSettings, SourceDetail, SourceSetup, SourceSummary, WizardOptions,
    },
    AppError, SystemInfo,
};

#[async_trait::async_trait]
pub trait Console: Send + Sync + 'static {
    async fn system_info(&self) -> Result<SystemInfo, AppError>;

    /// Checks a username and password (rate-limited per account and per `client_ip`); the
    /// `Set-Cookie` value of the new session.
    async fn login(
        &self,
        username: String,
        password: String,
        client_ip: Option<std::net::IpAddr>,
    ) -> Result<String, crate::model::account::AuthFailure>;
    /// First-run setup: creates the first admin when `code` is the one the server logged, and
    /// signs them in; the `Set-Cookie` value of the new session.
    async fn setup_admin(
        &self,
        code: String,
        username: String,
        password: String,
        confirmation: String,
        client_ip: Option<std::net::IpAddr>,
    ) -> Result<String, crate::model::account::AuthFailure>;
    /// Ends the session; the `Set-Cookie` value that removes the cookie.
    async fn logout(&self, session_id: String) -> Result<String, AppError>;
    async fn dashboard(&self) -> Result<crate::model::dashboard::Dashboard, AppError>;

    async fn wizard_options(&self) -> Result<WizardOptions, AppError>;
    async fn list_sources(&self) -> Result<Vec<SourceSummary>, AppError>;
    async fn source_detail(&self, id: i64) -> Result<SourceDetail, AppError>;
    /// Validates, checks against Okta, and creates the source (disabled until `finish_setup`).
    async fn setup_source(&self, setup: SourceSetup) -> Result<i64, AppError>;
    async fn save_enrichment(
        &self,
        id: i64,
        settings: EnrichmentSettings,
    ) -> Result<EnrichmentSettings, AppError>;
    async fn save_alarm(&self, id: i64, settings: AlarmSettings)
        -> Result<AlarmSettings, AppError>;
    /// Saves the alarm choice and starts polling.
    async fn finish_setup(&self, id: i64, alarm: AlarmSettings) -> Result<(), AppError>;
    async fn rename_source(&self, id: i64, name: String) -> Result<(), AppError>;
    /// Checks the new token against Okta, then stores it; returns its last four characters.
    async fn replace_token(&self, id: i64, token: String) -> Result<String, AppError>;
    async fn save_poll_settings(
        &self,
        id: i64,
        interval_secs: u32,
        backfill_hours: u32,
    ) -> Result<(), AppError>;
    async fn set_source_enabled(&self, id: i64, enabled: bool) -> Result<(), AppError>;
    /// Deletes the source and its data; `confirm_name` must equal its name.
    async fn delete_source(&self, id: i64, confirm_name: String) -> Result<(), AppError>;

    /// The source's checks, no-events alarm (with history) and last 50 poll attempts.
    async fn source_health(&self, id: i64) -> Result<SourceHealthDetail, AppError>;
    async fn list_alerts(&self, filter: AlertFilter) -> Result<Vec<AlertSummary>, AppError>;
    async fn alert_detail(&self, id: i64) -> Result<AlertDetail, AppError>;
    /// Resolves an open alert by hand; resolving a resolved one is a no-op.
    async fn resolve_alert(&self, id: i64) -> Result<(), AppError>;
    async fn list_destinations(&self) -> Result<Vec<Destination>, AppError>;
    /// Creates (`id` None) or updates a webhook destination; returns its id.
    async fn save_destination(
        &self,
        id: Option<i64>,
        input: DestinationInput,
    ) -> Result<i64, AppError>;
    async fn delete_destination(&self, id: i64) -> Result<(), AppError>;
    async fn test_destination(&self, id: i64) -> Result<TestDelivery, AppError>;

    async fn enrichment_overview(&self, id: i64) -> Result<EnrichmentOverview, AppError>;
    async fn user_profiles(
        &self,
        id: i64,
        search: String,
        page: u32,
    ) -> Result<ProfilePage<UserProfileRow>, AppError>;
    async fn device_profiles(
        &self,
        id: i64,
        search: String,
        page: u32,
    ) -> Result<ProfilePage<DeviceProfileRow>, AppError>;
    /// Deletes stored profiles of one kind; refused while that kind's toggle is on.
    async fn delete_profiles(&self, id: i64, kind: ProfileKind) -> Result<(), AppError>;
    async fn sync_profiles(&self, id: i64, kind: ProfileKind) -> Result<(), AppError>;
    async fn recent_events(&self, id: i64) -> Result<Vec<RecentEvent>, AppError>;
    async fn event_detail(&self, id: i64, row_id: String) -> Result<EventDetail, AppError>;

    /// One page of the event explorer; refused filters answer `AppError::Fields`.
    async fn search_events(&self, query: EventQuery) -> Result<EventPage, AppError>;
    /// One stored event by `events.id`, with its `p_` fields, matches and alerts.
    async fn stored_event(&self, id: i64) -> Result<StoredEvent, AppError>;

    async fn detections(&self, source_id: Option<i64>) -> Result<DetectionsOverview, AppError>;
    async fn set_pack_enabled(
        &self,
        source_id: i64,
        pack_id: String,
        enabled: bool,
    ) -> Result<(), AppError>;
    async fn set_rule_enabled(
        &self,
        source_id: i64,
        rule_id: String,
        enabled: bool,
    ) -> Result<(), AppError>;
    async fn rule_detail(&self, rule_id: String) -> Result<RuleDetail, AppError>;
    /// Validates and compiles the rule, then stores it; returns its id.
    async fn save_custom_rule(
        &self,
        original_id: Option<String>,
        input: CustomRuleInput,
    ) -> Result<String, AppError>;
    async fn delete_custom_rule(&self, rule_id: String) -> Result<(), AppError>;
    async fn test_custom_rule(
        &self,
        input: CustomRuleInput,
        event: String,
    ) -> Result<RuleTestVerdict, AppError>;
}

/// The handle the server puts into Leptos context.
#[derive(Clone)]
pub struct ConsoleHandle(pub Arc<dyn Console>);

/// The server's engine, for use inside server functions.
pub fn console() -> Result<Arc<dyn Console>, AppError> {
    use_context::<ConsoleHandle>()
        .map(|handle| handle.0)
        .ok_or_else(|| AppError::Internal("no-console-context".into()))
}
