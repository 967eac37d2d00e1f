//! Server functions, grouped by area. Each is a thin call into [`crate::backend::Console`].
//! Each is served at `/api/<function name>` (explicit endpoints, no hash suffix), so tests and
//! scripts have stable URLs.

pub mod alerts;
pub mod auth;
pub mod dashboard;
pub mod detections;
pub mod enrichment;
pub mod events;
pub mod health;
pub mod sources;
pub mod system;

/// Passes a server function's result through, setting the HTTP status that fits its error
/// (422 refused input, 502 Okta refused, 404 missing) instead of Leptos's blanket 500.
#[cfg(feature = "ssr")]
pub(crate) fn answer<T>(
    result: Result<T, crate::model::AppError>,
) -> Result<T, crate::model::AppError> {
    if let Err(error) = &result {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            let status = http::StatusCode::from_u16(error.http_status())
                .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            response.set_status(status);
        }
    }
    result
}
