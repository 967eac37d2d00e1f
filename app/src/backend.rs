//! The narrow door from server functions into the server's engine.
//!
//! The server implements [`Console`] and provides it as Leptos context both when rendering pages
//! and when handling server-function calls; server functions fetch it with [`console`].

use std::sync::Arc;

use leptos::prelude::use_context;

use crate::model::{AppError, SystemInfo};

#[async_trait::async_trait]
pub trait Console: Send + Sync + 'static {
    async fn system_info(&self) -> Result<SystemInfo, AppError>;
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
