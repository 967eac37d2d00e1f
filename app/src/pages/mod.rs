//! One module per area of the console.

pub mod alerts;
pub mod dashboard;
pub mod detections;
pub mod events;
pub mod login;
pub mod not_found;
pub mod settings;
pub mod setup;
pub mod sources;
