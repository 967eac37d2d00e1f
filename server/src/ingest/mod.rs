//! Ingestion: normalization, checkpointed polling, and the supervisor of the pollers.

pub mod normalize;
pub mod poller;
pub mod supervisor;

pub use poller::PollContext;
pub use supervisor::Supervisor;
