//! The server's engine as the console sees it: everything a server function may ask for goes
//! through [`Engine`], which implements `app::backend::Console`.

use std::sync::Arc;

use app::{
    backend::Console,
    model::{AppError, AppliedMigration, SystemInfo},
};
use chrono::{DateTime, SecondsFormat, Utc};

use crate::{config::Config, store::Store};

pub struct Engine {
    pub config: Config,
    pub store: Store,
    pub started_at: DateTime<Utc>,
}

impl Engine {
    pub fn new(config: Config, store: Store) -> Arc<Self> {
        Arc::new(Self { config, store, started_at: Utc::now() })
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
            .map(|m| AppliedMigration { version: m.version, description: m.description, installed_on: m.installed_on })
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
