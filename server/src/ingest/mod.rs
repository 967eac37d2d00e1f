//! Ingestion: normalization, checkpointed polling, health accounting.

pub mod normalize;
