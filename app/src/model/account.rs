//! Console sign-in: names shared by the browser, the server functions and the server's gate.

use serde::{Deserialize, Serialize};

use super::AppError;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "gatehouse_session";

/// The shortest password the console accepts.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Pages reachable without a session (everything else sends the browser to [`LOGIN_PATH`]).
pub const LOGIN_PATH: &str = "/login";
pub const SETUP_PATH: &str = "/setup";

/// What the server's gate learnt about a request; it puts this into the request's extensions,
/// where server functions read it.
#[derive(Debug, Clone, Default)]
pub struct RequestAuth {
    pub client_ip: Option<std::net::IpAddr>,
    pub session: Option<SignedIn>,
}

/// The signed-in user of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub user_id: i64,
    pub username: String,
    /// The session's id (a hash of the cookie's token; never the token).
    #[serde(skip)]
    pub session_id: String,
}

/// A refused sign-in or setup: the HTTP status (401, 403, 409, 422, 429) and the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFailure {
    pub status: u16,
    pub error: AppError,
}

impl AuthFailure {
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            error: AppError::Invalid(message.into()),
        }
    }
}

/// `next` if it is a path on this site (no scheme, no `//host`), else the dashboard: the login
/// page never sends the browser elsewhere.
pub fn local_target(next: &str) -> String {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control());
    if local && next != LOGIN_PATH && next != SETUP_PATH {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_targets() {
        assert_eq!(local_target("/sources?x=1"), "/sources?x=1");
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil",
            "",
            "sources",
            "/login",
        ] {
            assert_eq!(local_target(bad), "/", "{bad}");
        }
    }
}
