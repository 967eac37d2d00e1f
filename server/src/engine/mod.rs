//! The server's engine: storage, secrets, the Okta client, the pollers, the alarm monitor and
//! the alerts. Everything a server function may ask for goes through [`Engine`], which
//! implements `app::backend::Console`; the command line uses the same methods.
//!
//! | file | job |
//! |---|---|
//! | `mod.rs` | the engine, sources, the `Console` implementation |
//! | `alerting.rs` | source health, alerts, webhook destinations |
//! | `enrichment.rs` | profile syncs, stored profiles, recent events and their matches |
//! | `events.rs` | the event explorer: search with filters and a keyset cursor, one stored event |
//! | `detections.rs` | packs and rules per source, custom Python rules, the rule test panel |

pub mod accounts;
mod alerting;
mod detections;
mod enrichment;
mod events;

use std::sync::Arc;

use app::{
    backend::Console,
    model::{
        alert::{
            AlertDetail, AlertFilter, AlertSummary, Destination, DestinationInput, TestDelivery,
        },
        detection::{CustomRuleInput, DetectionsOverview, RuleDetail, RuleTestVerdict},
        enrichment::{
            DeviceProfileRow, EnrichmentOverview, EventDetail, ProfileKind, ProfilePage,
            RecentEvent, UserProfileRow,
        },
        health::SourceHealthDetail,
        source::{
            self, validate_api_token, AlarmSettings, EnrichmentSettings, FieldProblem,
            SourceDetail, SourceSetup, SourceSummary, WizardOptions,
        },
        AppError, AppliedMigration, FieldError, SystemInfo,
    },
};
use chrono::{DateTime, SecondsFormat, Utc};

use crate::{
    alarms::Monitor,
    alerts::{delivery::DeliveryWorker, webhook::WebhookClient, Alerts, Resolution},
    config::{Config, Secret},
    detect::{python::PythonRuntime, worker::DetectionWorker},
    enrich::{Enricher, SyncContext},
    ingest::{PollContext, Supervisor},
    okta::{OktaError, OktaHttp},
    secrets::SecretBox,
    store::{AlertSelector, NewSource, Store, StoreError},
    telemetry::metrics::Metrics,
};

pub struct Engine {
    pub config: Config,
    pub store: Store,
    pub secrets: SecretBox,
    pub http: OktaHttp,
    pub supervisor: Arc<Supervisor>,
    pub alerts: Alerts,
    pub monitor: Arc<Monitor>,
    pub webhooks: WebhookClient,
    pub enricher: Arc<Enricher>,
    pub detections: Arc<DetectionWorker>,
    /// Console accounts and sessions.
    pub accounts: Arc<accounts::Accounts>,
    pub started_at: DateTime<Utc>,
}

/// The alarm monitor and the delivery worker, running; aborted when dropped.
pub struct AlertingTasks {
    monitor: tokio::task::JoinHandle<()>,
    deliveries: tokio::task::JoinHandle<()>,
    detections: tokio::task::JoinHandle<()>,
}

impl Drop for AlertingTasks {
    fn drop(&mut self) {
        self.monitor.abort();
        self.deliveries.abort();
        self.detections.abort();
    }
}

/// A source to add, as typed by a person (validated by [`Engine::add_source`]).
#[derive(Debug, Clone)]
pub struct AddSource {
    pub name: String,
    pub subdomain: String,
    pub domain: String,
    pub token: Secret,
    /// Skip the live check against Okta (the command line's `--skip-check`).
    pub skip_check: bool,
    /// False when the wizard creates it: kept disabled until the wizard is finished.
    pub setup_complete: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Refused input, field by field.
    #[error("{}", .0.iter().map(|f| format!("{}: {}", f.field, f.problem)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Okta(#[from] OktaError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("source {0} was not found")]
    NoSuchSource(i64),
}

impl Engine {
    pub fn new(config: Config, store: Store, secrets: SecretBox, http: OktaHttp) -> Arc<Self> {
        let alerts = Alerts::new(store.clone());
        let monitor = Monitor::new(store.clone(), alerts.clone(), config.alerting.alarm_minute);
        let enricher = Enricher::new(
            SyncContext {
                store: store.clone(),
                http: http.clone(),
                secrets: secrets.clone(),
            },
            Arc::default(),
        );
        let metrics: Arc<Metrics> = Arc::default();
        let python = PythonRuntime::new(
            config.rules.helpers_dir.iter().cloned().collect(),
            config.rules.time_limit,
        )
        .map_err(|e| {
            tracing::error!(error = %e, "custom Python rules cannot run");
            e.to_string()
        });
        let detections =
            DetectionWorker::new(store.clone(), alerts.queued(), Arc::clone(&metrics), python);
        let supervisor = Supervisor::new(PollContext {
            store: store.clone(),
            http: http.clone(),
            secrets: secrets.clone(),
            metrics,
            monitor: Arc::clone(&monitor),
            lookups: Arc::clone(enricher.lookups()),
        });
        let allow_private_webhooks = config.allow_private_webhooks;
        let accounts = Arc::new(accounts::Accounts::new(
            store.clone(),
            config.access.clone(),
        ));
        Arc::new(Self {
            config,
            store,
            secrets,
            http,
            supervisor,
            alerts,
            monitor,
            webhooks: WebhookClient::new(allow_private_webhooks),
            enricher,
            detections,
            accounts,
            started_at: Utc::now(),
        })
    }

    /// Starts the alarm monitor's tick, the webhook delivery worker and the detection worker
    /// (the server does this once it serves; tests when they need them). They stop when the
    /// handle is dropped.
    pub fn spawn_alerting(&self) -> AlertingTasks {
        AlertingTasks {
            monitor: self.monitor.spawn(),
            deliveries: DeliveryWorker {
                store: self.store.clone(),
                secrets: self.secrets.clone(),
                client: self.webhooks.clone(),
                queued: self.alerts.queued(),
                retry_base: self.config.alerting.webhook_retry,
                metrics: Arc::clone(&self.supervisor.context().metrics),
            }
            .spawn(),
            detections: self.detections.spawn(),
        }
    }

    /// Asks Okta for one System Log event with `token`: proves host, token and permission.
    pub async fn test_connection(
        &self,
        subdomain: &str,
        domain: &str,
        token: &Secret,
    ) -> Result<(), OktaError> {
        let origin = self.http.org_url(subdomain, domain)?;
        let mut url = origin
            .join("/api/v1/logs")
            .expect("a fixed path joins any base");
        url.query_pairs_mut().append_pair("limit", "1");
        self.http.get(&origin, &url, token).await.map(|_| ())
    }

    /// Validates, checks against Okta (unless skipped), stores with the token sealed, and
    /// starts polling at once. Nothing is saved when any step fails.
    pub async fn add_source(&self, input: AddSource) -> Result<i64, EngineError> {
        let setup = SourceSetup {
            name: input.name,
            subdomain: input.subdomain,
            domain: input.domain,
            token: input.token.expose().to_owned(),
        }
        .validate(self.http.simulator().is_some())
        .map_err(EngineError::Invalid)?;
        let token = Secret::new(setup.token);
        if !input.skip_check {
            self.test_connection(&setup.subdomain, &setup.domain, &token)
                .await?;
        }
        let poll = &self.config.poll;
        let id = self
            .store
            .insert_source(&NewSource {
                name: setup.name,
                subdomain: setup.subdomain,
                domain: setup.domain,
                token_ciphertext: self.secrets.seal_token(&token),
                token_hint: source::token_hint(token.expose()),
                poll_interval_secs: poll.interval.as_secs() as i64,
                backfill_hours: (poll.backfill.as_secs() / 3600) as i64,
                rate_limit_share: poll.rate_limit_share,
                setup_complete: input.setup_complete,
            })
            .await
            .map_err(|e| match e {
                StoreError::Conflict(message) => EngineError::Invalid(vec![FieldError {
                    field: "name".into(),
                    problem: FieldProblem::new(format!("{message}; choose another name.")),
                }]),
                other => EngineError::Store(other),
            })?;
        self.supervisor.reconcile().await?;
        tracing::info!(source.id = id, "source added");
        Ok(id)
    }

    /// Replaces a source's token after checking the new one against Okta; the next poll uses it.
    pub async fn replace_token(&self, id: i64, token: &str) -> Result<String, EngineError> {
        let token = validate_api_token(token).map_err(|problem| {
            EngineError::Invalid(vec![FieldError {
                field: "token".into(),
                problem,
            }])
        })?;
        let token = Secret::new(token);
        let source = self
            .store
            .source(id)
            .await?
            .ok_or(EngineError::NoSuchSource(id))?;
        self.test_connection(&source.subdomain, &source.domain, &token)
            .await?;
        let hint = source::token_hint(token.expose());
        self.store
            .replace_source_token(id, &self.secrets.seal_token(&token), &hint)
            .await?;
        self.supervisor.wake(id).await;
        tracing::info!(source.id = id, "token replaced");
        Ok(hint)
    }

    pub async fn set_source_enabled(&self, id: i64, enabled: bool) -> Result<(), EngineError> {
        if !self.store.set_source_enabled(id, enabled).await? {
            return Err(EngineError::NoSuchSource(id));
        }
        if enabled {
            self.store
                .set_status_state(id, "pending", "Resumed; waiting for the next poll")
                .await?;
            // The threshold counts from now: a resumed source is not in ALARM for the pause.
            self.monitor.arm(id).await?;
        } else {
            self.supervisor.stop(id).await;
            self.store
                .set_status_state(id, "paused", "Paused by an administrator")
                .await?;
            self.monitor.evaluate(id).await?;
        }
        self.supervisor.reconcile().await?;
        Ok(())
    }

    /// Stops the poller first, resolves the source's open alerts (they keep its name), then
    /// removes the source and all its data.
    pub async fn remove_source(&self, id: i64) -> Result<(), EngineError> {
        self.supervisor.stop(id).await;
        {
            // No alarm evaluation may raise an alert for the source in between.
            let _monitor = self.monitor.exclusive().await;
            if self.store.source(id).await?.is_none() {
                return Err(EngineError::NoSuchSource(id));
            }
            self.alerts
                .resolve(AlertSelector::Source(id), Resolution::Automatically)
                .await?;
            if !self.store.delete_source(id).await? {
                return Err(EngineError::NoSuchSource(id));
            }
        }
        self.supervisor.reconcile().await?;
        tracing::info!(source.id = id, "source removed");
        Ok(())
    }
}

impl EngineError {
    /// The user-safe form: refused fields and Okta's answer in words; internals logged once.
    fn into_app(self, context: &str) -> AppError {
        match self {
            EngineError::Invalid(fields) => AppError::Fields(fields),
            EngineError::Okta(e) => AppError::Okta(e.to_string()),
            EngineError::NoSuchSource(id) => AppError::NotFound(format!("Source {id}")),
            EngineError::Store(e) => internal(context, e),
        }
    }
}

pub(crate) fn store_error(context: &'static str) -> impl FnOnce(StoreError) -> AppError {
    move |e| internal(context, e)
}

fn found(id: i64) -> impl FnOnce(bool) -> Result<(), AppError> {
    move |done| {
        if done {
            Ok(())
        } else {
            Err(AppError::NotFound(format!("Source {id}")))
        }
    }
}

pub(crate) fn rfc3339_ms(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A source as listed, from its row and its status row (if any).
fn summary(
    row: &crate::store::SourceRow,
    status: Option<&crate::store::StatusRow>,
) -> SourceSummary {
    SourceSummary {
        id: row.id,
        name: row.name.clone(),
        org_host: format!("{}.{}", row.subdomain, row.domain),
        enabled: row.enabled,
        setup_complete: row.setup_complete,
        state: status.map_or_else(|| "pending".to_owned(), |s| s.state.clone()),
        reason: status.and_then(|s| s.reason.clone()),
        events_total: status.map_or(0, |s| s.events_total),
        last_event_time: status.and_then(|s| s.last_event_time).map(rfc3339_ms),
        token_hint: row.token_hint.clone(),
    }
}

/// Logs a server-side failure once, with a short reference the user can quote, and returns the
/// user-safe error. This is the one place internal errors are converted (and logged).
pub fn internal(context: &str, err: impl std::fmt::Display) -> AppError {
    let reference = format!("{:08x}", rand::random::<u32>());
    tracing::error!(error.reference = %reference, error.context = context, "{err}");
    AppError::Internal(reference)
}

#[async_trait::async_trait]
impl Console for Engine {
    async fn login(
        &self,
        username: String,
        password: String,
        client_ip: Option<std::net::IpAddr>,
    ) -> Result<String, app::model::account::AuthFailure> {
        self.accounts
            .login(&username, &password, client_ip)
            .await
            .map(|session| session.set_cookie)
            .map_err(accounts::AccountError::into_failure)
    }

    async fn setup_admin(
        &self,
        code: String,
        username: String,
        password: String,
        confirmation: String,
        client_ip: Option<std::net::IpAddr>,
    ) -> Result<String, app::model::account::AuthFailure> {
        self.accounts
            .setup_admin(&code, &username, &password, &confirmation, client_ip)
            .await
            .map(|session| session.set_cookie)
            .map_err(accounts::AccountError::into_failure)
    }

    async fn logout(&self, session_id: String) -> Result<String, AppError> {
        self.accounts
            .logout(&session_id)
            .await
            .map_err(store_error("logout"))
    }

    async fn dashboard(&self) -> Result<app::model::dashboard::Dashboard, AppError> {
        let context = "dashboard";
        let now = crate::store::now_ms();
        let sources = self.store.sources().await.map_err(store_error(context))?;
        let statuses = self.store.statuses().await.map_err(store_error(context))?;
        let health = self
            .store
            .health_since(
                crate::dashboard::first_minute(now),
                crate::dashboard::hour_minute(now),
            )
            .await
            .map_err(store_error(context))?;
        let alerting = crate::dashboard::Alerting {
            alarms: self.store.alarms().await.map_err(store_error(context))?,
            open_alerts: self
                .store
                .open_alert_counts()
                .await
                .map_err(store_error(context))?,
        };
        Ok(crate::dashboard::build(
            now, &sources, &statuses, &health, &alerting,
        ))
    }

    async fn wizard_options(&self) -> Result<WizardOptions, AppError> {
        let simulator_available = self.http.simulator().is_some();
        let mut domains: Vec<String> = source::OKTA_DOMAINS.iter().map(|d| d.to_string()).collect();
        if simulator_available {
            domains.push(source::SIMULATOR_DOMAIN.to_owned());
        }
        Ok(WizardOptions {
            domains,
            simulator_available,
        })
    }

    async fn list_sources(&self) -> Result<Vec<SourceSummary>, AppError> {
        let context = "list_sources";
        let rows = self.store.sources().await.map_err(store_error(context))?;
        let statuses = self.store.statuses().await.map_err(store_error(context))?;
        Ok(rows
            .iter()
            .map(|row| summary(row, statuses.iter().find(|s| s.source_id == row.id)))
            .collect())
    }

    async fn source_detail(&self, id: i64) -> Result<SourceDetail, AppError> {
        let context = "source_detail";
        let row = self
            .store
            .source(id)
            .await
            .map_err(store_error(context))?
            .ok_or_else(|| AppError::NotFound(format!("Source {id}")))?;
        let status = self.store.status(id).await.map_err(store_error(context))?;
        let summary = summary(&row, status.as_ref());
        let backfill_editable = self
            .store
            .checkpoint(id)
            .await
            .map_err(store_error(context))?
            .is_none();
        Ok(SourceDetail {
            subdomain: row.subdomain.clone(),
            domain: row.domain.clone(),
            poll_interval_secs: row.poll_interval_secs as u32,
            backfill_hours: row.backfill_hours as u32,
            backfill_editable,
            enrichment: EnrichmentSettings {
                user_profiles: row.user_profiles,
                user_refresh_minutes: row.user_refresh_minutes as u32,
                device_profiles: row.device_profiles,
                device_refresh_minutes: row.device_refresh_minutes as u32,
            },
            alarm: AlarmSettings {
                no_events_alarm: row.no_events_alarm,
                no_events_minutes: row.no_events_minutes as u32,
            },
            created_at: rfc3339_ms(row.created_at),
            summary,
        })
    }

    async fn setup_source(&self, setup: SourceSetup) -> Result<i64, AppError> {
        self.add_source(AddSource {
            name: setup.name,
            subdomain: setup.subdomain,
            domain: setup.domain,
            token: Secret::new(setup.token),
            skip_check: false,
            setup_complete: false,
        })
        .await
        .map_err(|e| e.into_app("setup_source"))
    }

    async fn save_enrichment(
        &self,
        id: i64,
        settings: EnrichmentSettings,
    ) -> Result<EnrichmentSettings, AppError> {
        settings.validate().map_err(AppError::Fields)?;
        let before = self
            .store
            .source(id)
            .await
            .map_err(store_error("save_enrichment"))?
            .ok_or_else(|| AppError::NotFound(format!("Source {id}")))?;
        self.store
            .update_enrichment(
                id,
                settings.user_profiles,
                i64::from(settings.user_refresh_minutes),
                settings.device_profiles,
                i64::from(settings.device_refresh_minutes),
            )
            .await
            .map_err(store_error("save_enrichment"))
            .and_then(found(id))?;
        self.apply_enrichment(&before, &settings).await?;
        Ok(settings)
    }

    async fn save_alarm(
        &self,
        id: i64,
        settings: AlarmSettings,
    ) -> Result<AlarmSettings, AppError> {
        settings.validate().map_err(AppError::Fields)?;
        self.store
            .update_alarm(
                id,
                settings.no_events_alarm,
                i64::from(settings.no_events_minutes),
            )
            .await
            .map_err(store_error("save_alarm"))
            .and_then(found(id))?;
        // New settings: the threshold counts from now.
        self.monitor
            .arm(id)
            .await
            .map_err(store_error("save_alarm"))?;
        Ok(settings)
    }

    async fn finish_setup(&self, id: i64, alarm: AlarmSettings) -> Result<(), AppError> {
        self.save_alarm(id, alarm).await?;
        self.store
            .complete_setup(id)
            .await
            .map_err(store_error("finish_setup"))
            .and_then(found(id))?;
        self.monitor
            .arm(id)
            .await
            .map_err(store_error("finish_setup"))?;
        self.supervisor
            .reconcile()
            .await
            .map_err(store_error("finish_setup"))?;
        tracing::info!(source.id = id, "setup finished; polling");
        Ok(())
    }

    async fn rename_source(&self, id: i64, name: String) -> Result<(), AppError> {
        let name = source::validate_source_name(&name).map_err(|problem| {
            AppError::Fields(vec![FieldError {
                field: "name".into(),
                problem,
            }])
        })?;
        match self.store.rename_source(id, &name).await {
            Ok(done) => found(id)(done),
            Err(StoreError::Conflict(message)) => Err(AppError::Fields(vec![FieldError {
                field: "name".into(),
                problem: FieldProblem::new(format!("{message}; choose another name.")),
            }])),
            Err(e) => Err(internal("rename_source", e)),
        }
    }

    async fn replace_token(&self, id: i64, token: String) -> Result<String, AppError> {
        Engine::replace_token(self, id, &token)
            .await
            .map_err(|e| e.into_app("replace_token"))
    }

    async fn save_poll_settings(
        &self,
        id: i64,
        interval_secs: u32,
        backfill_hours: u32,
    ) -> Result<(), AppError> {
        let current = self.source_detail(id).await?;
        source::validate_poll_settings(interval_secs, backfill_hours, current.poll_interval_secs)
            .map_err(AppError::Fields)?;
        if backfill_hours != current.backfill_hours && !current.backfill_editable {
            return Err(AppError::Fields(vec![FieldError {
                field: "backfill_hours".into(),
                problem: FieldProblem::new("The backfill window applies only before the first poll; this source has polled already."),
            }]));
        }
        self.store
            .update_poll_settings(id, i64::from(interval_secs), i64::from(backfill_hours))
            .await
            .map_err(store_error("save_poll_settings"))
            .and_then(found(id))?;
        self.supervisor.wake(id).await;
        Ok(())
    }

    async fn set_source_enabled(&self, id: i64, enabled: bool) -> Result<(), AppError> {
        Engine::set_source_enabled(self, id, enabled)
            .await
            .map_err(|e| e.into_app("set_source_enabled"))
    }

    async fn delete_source(&self, id: i64, confirm_name: String) -> Result<(), AppError> {
        let row = self
            .store
            .source(id)
            .await
            .map_err(store_error("delete_source"))?
            .ok_or_else(|| AppError::NotFound(format!("Source {id}")))?;
        if confirm_name.trim() != row.name {
            return Err(AppError::Fields(vec![FieldError {
                field: "confirm_name".into(),
                problem: FieldProblem::new(format!(
                    "Type the source's name, \"{}\", to confirm.",
                    row.name
                )),
            }]));
        }
        self.remove_source(id)
            .await
            .map_err(|e| e.into_app("delete_source"))
    }

    async fn source_health(&self, id: i64) -> Result<SourceHealthDetail, AppError> {
        Engine::source_health(self, id).await
    }

    async fn list_alerts(&self, filter: AlertFilter) -> Result<Vec<AlertSummary>, AppError> {
        Engine::list_alerts(self, filter).await
    }

    async fn alert_detail(&self, id: i64) -> Result<AlertDetail, AppError> {
        Engine::alert_detail(self, id).await
    }

    async fn resolve_alert(&self, id: i64) -> Result<(), AppError> {
        Engine::resolve_alert(self, id).await
    }

    async fn list_destinations(&self) -> Result<Vec<Destination>, AppError> {
        Engine::list_destinations(self).await
    }

    async fn save_destination(
        &self,
        id: Option<i64>,
        input: DestinationInput,
    ) -> Result<i64, AppError> {
        Engine::save_destination(self, id, input).await
    }

    async fn delete_destination(&self, id: i64) -> Result<(), AppError> {
        Engine::delete_destination(self, id).await
    }

    async fn test_destination(&self, id: i64) -> Result<TestDelivery, AppError> {
        Engine::test_destination(self, id).await
    }

    async fn enrichment_overview(&self, id: i64) -> Result<EnrichmentOverview, AppError> {
        Engine::enrichment_overview(self, id).await
    }

    async fn user_profiles(
        &self,
        id: i64,
        search: String,
        page: u32,
    ) -> Result<ProfilePage<UserProfileRow>, AppError> {
        Engine::user_profiles(self, id, &search, page).await
    }

    async fn device_profiles(
        &self,
        id: i64,
        search: String,
        page: u32,
    ) -> Result<ProfilePage<DeviceProfileRow>, AppError> {
        Engine::device_profiles(self, id, &search, page).await
    }

    async fn delete_profiles(&self, id: i64, kind: ProfileKind) -> Result<(), AppError> {
        Engine::delete_profiles(self, id, kind).await
    }

    async fn sync_profiles(&self, id: i64, kind: ProfileKind) -> Result<(), AppError> {
        Engine::sync_profiles(self, id, kind).await
    }

    async fn recent_events(&self, id: i64) -> Result<Vec<RecentEvent>, AppError> {
        Engine::recent_events(self, id).await
    }

    async fn event_detail(&self, id: i64, row_id: String) -> Result<EventDetail, AppError> {
        Engine::event_detail(self, id, &row_id).await
    }

    async fn search_events(
        &self,
        query: app::model::events::EventQuery,
    ) -> Result<app::model::events::EventPage, AppError> {
        Engine::search_events(self, &query).await
    }

    async fn stored_event(&self, id: i64) -> Result<app::model::events::StoredEvent, AppError> {
        Engine::stored_event(self, id).await
    }

    async fn detections(&self, source_id: Option<i64>) -> Result<DetectionsOverview, AppError> {
        Engine::detections(self, source_id).await
    }

    async fn set_pack_enabled(
        &self,
        source_id: i64,
        pack_id: String,
        enabled: bool,
    ) -> Result<(), AppError> {
        Engine::set_pack_enabled(self, source_id, &pack_id, enabled).await
    }

    async fn set_rule_enabled(
        &self,
        source_id: i64,
        rule_id: String,
        enabled: bool,
    ) -> Result<(), AppError> {
        Engine::set_rule_enabled(self, source_id, &rule_id, enabled).await
    }

    async fn rule_detail(&self, rule_id: String) -> Result<RuleDetail, AppError> {
        Engine::rule_detail(self, &rule_id).await
    }

    async fn save_custom_rule(
        &self,
        original_id: Option<String>,
        input: CustomRuleInput,
    ) -> Result<String, AppError> {
        Engine::save_custom_rule(self, original_id.as_deref(), input).await
    }

    async fn delete_custom_rule(&self, rule_id: String) -> Result<(), AppError> {
        Engine::delete_custom_rule(self, &rule_id).await
    }

    async fn test_custom_rule(
        &self,
        input: CustomRuleInput,
        event: String,
    ) -> Result<RuleTestVerdict, AppError> {
        Engine::test_custom_rule(self, input, event).await
    }

    async fn system_info(&self) -> Result<SystemInfo, AppError> {
        let migrations = self
            .store
            .applied_migrations()
            .await
            .map_err(|e| internal("system_info", e))?
            .into_iter()
            .map(|m| AppliedMigration {
                version: m.version,
                description: m.description,
                installed_on: m.installed_on,
            })
            .collect();
        Ok(SystemInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            database_path: self.config.database_path().display().to_string(),
            migrations,
            started_at: self.started_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            checked_at: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        })
    }
}
