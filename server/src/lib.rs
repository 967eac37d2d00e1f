//! The Gatehouse server: configuration, storage, the engine behind the console, and the HTTP side.
//! `main.rs` only parses the command line and calls into [`cli`].

pub mod alarms;
pub mod alerts;
pub mod bench;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod detect;
pub mod engine;
pub mod enrich;
pub mod ingest;
pub mod key_rotation;
pub mod okta;
pub mod secrets;
pub mod shutdown;
pub mod simulator;
pub mod store;
pub mod telemetry;
pub mod web;
