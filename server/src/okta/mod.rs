//! Talking to Okta: Link pagination, the HTTP client, rate-limit state, error codes.

pub mod link;
