//! The server's engine: storage, secrets, the Okta client, the pollers and (optionally) the
//! built-in simulator. Everything a server function may ask for goes through [`Engine`], which
//! implements `app::backend::Console`; the command line uses the same methods.

use std::sync::Arc;

use app::{
    backend::Console,
    model::{
        source::{
            self, validate_api_token, validate_domain, validate_source_name, validate_subdomain,
        },
        AppError, AppliedMigration, SystemInfo,
    },
};
use chrono::{DateTime, SecondsFormat, Utc};

use crate::{
    config::{Config, Secret},
    ingest::{PollContext, Supervisor},
    okta::{OktaError, OktaHttp},
    secrets::SecretBox,
    store::{NewSource, Store, StoreError},
};

pub struct Engine {
    pub config: Config,
    pub store: Store,
    pub secrets: SecretBox,
    pub http: OktaHttp,
    pub supervisor: Arc<Supervisor>,
    pub started_at: DateTime<Utc>,
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
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{field}: {problem}")]
    Invalid {
        field: &'static str,
        problem: String,
    },
    #[error(transparent)]
    Okta(#[from] OktaError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("source {0} was not found")]
    NoSuchSource(i64),
}

impl Engine {
    pub fn new(config: Config, store: Store, secrets: SecretBox, http: OktaHttp) -> Arc<Self> {
        let supervisor = Supervisor::new(PollContext {
            store: store.clone(),
            http: http.clone(),
            secrets: secrets.clone(),
        });
        Arc::new(Self {
            config,
            store,
            secrets,
            http,
            supervisor,
            started_at: Utc::now(),
        })
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
        let invalid = |field: &'static str| {
            move |p: source::FieldProblem| EngineError::Invalid {
                field,
                problem: p.to_string(),
            }
        };
        let name = validate_source_name(&input.name).map_err(invalid("name"))?;
        let subdomain = validate_subdomain(&input.subdomain).map_err(invalid("subdomain"))?;
        let domain = validate_domain(&input.domain, self.http.simulator().is_some())
            .map_err(invalid("domain"))?;
        let token =
            Secret::new(validate_api_token(input.token.expose()).map_err(invalid("token"))?);
        if !input.skip_check {
            self.test_connection(&subdomain, &domain, &token).await?;
        }
        let poll = &self.config.poll;
        let id = self
            .store
            .insert_source(&NewSource {
                name,
                subdomain,
                domain,
                token_ciphertext: self.secrets.seal_token(&token),
                token_hint: source::token_hint(token.expose()),
                poll_interval_secs: poll.interval.as_secs() as i64,
                backfill_hours: (poll.backfill.as_secs() / 3600) as i64,
                rate_limit_share: poll.rate_limit_share,
            })
            .await?;
        self.supervisor.reconcile().await?;
        tracing::info!(source.id = id, "source added");
        Ok(id)
    }

    pub async fn set_source_enabled(&self, id: i64, enabled: bool) -> Result<(), EngineError> {
        if !self.store.set_source_enabled(id, enabled).await? {
            return Err(EngineError::NoSuchSource(id));
        }
        if enabled {
            self.store
                .set_status_state(id, "pending", "Resumed; waiting for the next poll")
                .await?;
        } else {
            self.supervisor.stop(id).await;
            self.store
                .set_status_state(id, "paused", "Paused by an administrator")
                .await?;
        }
        self.supervisor.reconcile().await?;
        Ok(())
    }

    /// Stops the poller first, then removes the source and all its data.
    pub async fn remove_source(&self, id: i64) -> Result<(), EngineError> {
        self.supervisor.stop(id).await;
        if !self.store.delete_source(id).await? {
            return Err(EngineError::NoSuchSource(id));
        }
        self.supervisor.reconcile().await?;
        tracing::info!(source.id = id, "source removed");
        Ok(())
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
