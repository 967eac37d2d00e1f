//! Types shared by the browser and the server. Serde only: no sqlx, no tokio.

pub mod account;
pub mod alert;
pub mod dashboard;
pub mod detection;
pub mod enrichment;
mod error;
pub mod events;
pub mod health;
pub mod source;
mod system;

pub use error::{AppError, FieldError};
pub use system::{AppliedMigration, SystemInfo};
