//! The integration tests: one binary. Each test starts a real Okta simulator on port 0 and a
//! fresh migrated SQLite file, and talks to it over loopback HTTP exactly as production does.

mod alerts;
mod auth;
mod cli;
mod detections;
mod enrichment;
mod explore;
mod harness;
mod ingest;
mod rules;
mod secrets;
mod security;
mod sources;
mod ssrf;
mod web;
