use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

use super::source::FieldProblem;

/// One refused form field: `field` is the form's field name (e.g. `subdomain`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub problem: FieldProblem,
}

impl AppError {
    /// The HTTP status a server function answers with when it fails this way.
    pub fn http_status(&self) -> u16 {
        match self {
            AppError::Invalid(_) | AppError::Fields(_) => 422,
            // Okta (upstream) said no, or could not be reached.
            AppError::Okta(_) => 502,
            AppError::NotFound(_) => 404,
            AppError::Internal(_) | AppError::Transport(_) => 500,
        }
    }

    /// The problem reported for `field`, if any.
    pub fn field(&self, field: &str) -> Option<&FieldProblem> {
        match self {
            AppError::Fields(fields) => {
                fields.iter().find(|f| f.field == field).map(|f| &f.problem)
            }
            _ => None,
        }
    }
}

/// The one error type that crosses from the server to the browser. Its text is safe to show:
/// the server logs the underlying cause once, where it converts into this type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The input was refused; the message says why and what to do.
    #[error("{0}")]
    Invalid(String),
    /// Form fields were refused, each with its reason (and a fix, when there is an obvious one).
    #[error("{}", .0.iter().map(|f| format!("{}: {}", f.field, f.problem)).collect::<Vec<_>>().join("; "))]
    Fields(Vec<FieldError>),
    /// Okta (or the network on the way to it) refused; the message says what happened, in words.
    #[error("{0}")]
    Okta(String),
    /// The thing asked for does not exist (any more).
    #[error("{0} was not found")]
    NotFound(String),
    /// Something failed on the server; details are in the server log.
    #[error("Something went wrong on the server (reference {0}); the server log has the details.")]
    Internal(String),
    /// The request did not reach the server, or its answer could not be read.
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}
