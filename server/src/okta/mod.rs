//! Talking to Okta: the HTTP client, `Link` pagination, rate-limit state, error codes.

pub mod client;
pub mod error;
pub mod link;
pub mod rate;

pub use client::{OktaHttp, OktaResponse};
pub use error::{ErrorClass, OktaError};
pub use rate::{RateBudget, RateLimit};
