//! Types shared by the browser and the server. Serde only: no sqlx, no tokio.

mod error;
pub mod source;
mod system;

pub use error::AppError;
pub use system::{AppliedMigration, SystemInfo};
