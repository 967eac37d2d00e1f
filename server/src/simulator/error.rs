//! Okta's error bodies: `errorCode`, `errorSummary`, `errorLink`, `errorId`, `errorCauses`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::Rng as _;
use serde::Serialize;

use super::rng::ALNUM;

/// An API error as Okta sends it.
#[derive(Clone, Debug)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub summary: String,
    pub causes: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    error_code: &'a str,
    error_summary: &'a str,
    error_link: &'a str,
    error_id: String,
    error_causes: Vec<Cause<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Cause<'a> {
    error_summary: &'a str,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, summary: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            summary: summary.into(),
            causes: Vec::new(),
        }
    }

    /// 400 E0000001: a parameter failed validation.
    pub fn validation(field: &str, detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::BAD_REQUEST,
            "E0000001",
            format!("Api validation failed: {field}"),
        );
        e.causes.push(detail.into());
        e
    }

    /// 400 E0000053: an invalid parameter value (bad or too old `since`, bad filter).
    pub fn invalid_parameter(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "E0000053",
            format!("Invalid request parameter: {name}"),
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "E0000007",
            "Not found: Resource not found",
        )
    }

    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "E0000011",
            "Invalid token provided",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "E0000006",
            "You do not have permission to perform the requested action",
        )
    }

    pub fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "E0000047",
            "API call exceeded rate limit due to too many requests.",
        )
    }

    pub fn internal() -> Self {
        let mut e = Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "E0000009",
            "Internal Server Error",
        );
        e.causes.push("The query timed out.".into());
        e
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "E0000022",
            "The endpoint does not support the provided HTTP method",
        )
    }

    pub fn body(&self) -> Vec<u8> {
        let body = Body {
            error_code: self.code,
            error_summary: &self.summary,
            error_link: self.code,
            error_id: error_id(),
            error_causes: self
                .causes
                .iter()
                .map(|c| Cause { error_summary: c })
                .collect(),
        };
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}

/// `oae` and 19 random characters, like Okta's error ids.
fn error_id() -> String {
    let mut rng = rand::thread_rng();
    let mut id = String::with_capacity(22);
    id.push_str("oae");
    for _ in 0..19 {
        id.push(ALNUM[rng.gen_range(0..ALNUM.len())] as char);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_have_every_field() {
        let v: serde_json::Value =
            serde_json::from_slice(&ApiError::invalid_token().body()).unwrap();
        assert_eq!(v["errorCode"], "E0000011");
        assert_eq!(v["errorSummary"], "Invalid token provided");
        assert_eq!(v["errorLink"], "E0000011");
        assert!(v["errorId"].as_str().unwrap().starts_with("oae"));
        assert_eq!(v["errorCauses"], serde_json::json!([]));
        let v: serde_json::Value = serde_json::from_slice(
            &ApiError::validation("limit", "limit must be between 1 and 1000").body(),
        )
        .unwrap();
        assert_eq!(
            v["errorCauses"][0]["errorSummary"],
            "limit must be between 1 and 1000"
        );
    }
}
