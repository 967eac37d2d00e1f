//! Server functions, grouped by area. Each is a thin call into [`crate::backend::Console`].
//! Each is served at `/api/<function name>` (explicit endpoints, no hash suffix), so tests and
//! scripts have stable URLs.

pub mod sources;
pub mod system;
