//! Server functions, grouped by area. Each is a thin call into [`crate::backend::Console`].

pub mod sources;
pub mod system;
