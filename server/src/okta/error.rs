use serde::Deserialize;

use super::rate::RateLimit;

/// Okta's error body: `{"errorCode","errorSummary","errorLink","errorId","errorCauses"}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OktaErrorBody {
    #[serde(default)]
    pub error_code: String,
    #[serde(default)]
    pub error_summary: String,
}

/// Everything that can go wrong talking to Okta, separated by what the caller does about it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OktaError {
    #[error("Okta rejected the token ({code}: {summary})")]
    Unauthorized { code: String, summary: String },
    #[error("The token lacks permission ({code}: {summary})")]
    Forbidden { code: String, summary: String },
    #[error("Okta's rate limit was reached ({code})")]
    RateLimited {
        code: String,
        rate: Option<RateLimit>,
    },
    #[error("Okta refused the request (HTTP {status}, {code}: {summary})")]
    BadRequest {
        status: u16,
        code: String,
        summary: String,
    },
    #[error("Okta had a server error (HTTP {status}, {code}: {summary})")]
    Server {
        status: u16,
        code: String,
        summary: String,
    },
    #[error("No answer from {host} within {secs} s")]
    Timeout { host: String, secs: u64 },
    #[error("Cannot connect to {host}: {detail}")]
    Connect { host: String, detail: String },
    #[error("The connection to {host} failed: {detail}")]
    Transport { host: String, detail: String },
    #[error("The response from {host} is larger than {limit} bytes")]
    TooLarge { host: String, limit: usize },
    #[error("Okta returned a page that is not a JSON array: {0}")]
    Decode(String),
    #[error("Refusing to follow a link off the org's host: {0}")]
    OffHost(String),
}

/// Coarse classes, for health counters and retry decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    Auth,
    RateLimited,
    Server,
    Timeout,
    Transport,
    Decode,
    Other,
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Auth => "auth",
            ErrorClass::RateLimited => "rate_limited",
            ErrorClass::Server => "server",
            ErrorClass::Timeout => "timeout",
            ErrorClass::Transport => "transport",
            ErrorClass::Decode => "decode",
            ErrorClass::Other => "other",
        }
    }
}

impl OktaError {
    pub fn class(&self) -> ErrorClass {
        match self {
            OktaError::Unauthorized { .. } | OktaError::Forbidden { .. } => ErrorClass::Auth,
            OktaError::RateLimited { .. } => ErrorClass::RateLimited,
            OktaError::Server { .. } => ErrorClass::Server,
            OktaError::Timeout { .. } => ErrorClass::Timeout,
            OktaError::Connect { .. } | OktaError::Transport { .. } => ErrorClass::Transport,
            OktaError::Decode(_) | OktaError::TooLarge { .. } => ErrorClass::Decode,
            OktaError::BadRequest { .. } | OktaError::OffHost(_) => ErrorClass::Other,
        }
    }

    /// Okta's `errorCode`, when the failure came with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            OktaError::Unauthorized { code, .. }
            | OktaError::Forbidden { code, .. }
            | OktaError::RateLimited { code, .. }
            | OktaError::BadRequest { code, .. }
            | OktaError::Server { code, .. } => Some(code.as_str()).filter(|c| !c.is_empty()),
            _ => None,
        }
    }

    /// Worth retrying within the same poll cycle (after a pause).
    pub fn is_transient(&self) -> bool {
        matches!(
            self.class(),
            ErrorClass::Server | ErrorClass::Timeout | ErrorClass::Transport | ErrorClass::Decode
        )
    }

    /// Builds the error for a non-success HTTP status from Okta's body.
    pub fn from_status(status: u16, body: &[u8], rate: Option<RateLimit>) -> Self {
        let parsed: OktaErrorBody = serde_json::from_slice(body).unwrap_or_default();
        let code = parsed.error_code;
        let summary = if parsed.error_summary.is_empty() {
            format!("HTTP {status} without an Okta error body")
        } else {
            parsed.error_summary
        };
        match status {
            401 => OktaError::Unauthorized { code, summary },
            403 => OktaError::Forbidden { code, summary },
            429 => OktaError::RateLimited { code, rate },
            500..=599 => OktaError::Server {
                status,
                code,
                summary,
            },
            _ => OktaError::BadRequest {
                status,
                code,
                summary,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_classes_with_okta_codes() {
        let body = br#"{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"x","errorCauses":[]}"#;
        let err = OktaError::from_status(401, body, None);
        assert_eq!(err.class(), ErrorClass::Auth);
        assert_eq!(err.code(), Some("E0000011"));
        assert_eq!(
            err.to_string(),
            "Okta rejected the token (E0000011: Invalid token provided)"
        );
        assert_eq!(
            OktaError::from_status(500, b"not json", None).class(),
            ErrorClass::Server
        );
        assert!(OktaError::from_status(503, b"", None).is_transient());
        assert_eq!(
            OktaError::from_status(429, b"{}", None).class(),
            ErrorClass::RateLimited
        );
        assert!(!OktaError::from_status(400, b"{}", None).is_transient());
    }
}
