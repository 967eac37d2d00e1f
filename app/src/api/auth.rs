//! Signing in and out, and first-run setup. `/api/login` and `/api/setup` are the only server
//! functions the server's gate lets through without a session.

use leptos::prelude::*;

use crate::model::AppError;

/// Signs in; sets the session cookie and answers the local page to go to (`next`, checked).
/// 401 wrong username or password, 429 too many failures.
#[server(endpoint = "login")]
pub async fn login(
    username: String,
    password: String,
    #[server(default)] next: String,
) -> Result<String, AppError> {
    let client_ip = request_auth().client_ip;
    let result = crate::backend::console()?
        .login(username, password, client_ip)
        .await;
    signed_in(result).map(|()| crate::model::account::local_target(&next))
}

/// First-run setup: creates the first admin with the code from the server log, signs them in.
#[server(endpoint = "setup")]
pub async fn setup(
    code: String,
    username: String,
    password: String,
    confirmation: String,
) -> Result<(), AppError> {
    let client_ip = request_auth().client_ip;
    let result = crate::backend::console()?
        .setup_admin(code, username, password, confirmation, client_ip)
        .await;
    signed_in(result)
}

/// Ends this browser's session and removes its cookie.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let session = request_auth()
        .session
        .ok_or_else(|| AppError::Invalid("Not signed in.".into()))?;
    let cookie = crate::backend::console()?
        .logout(session.session_id)
        .await?;
    set_cookie(&cookie);
    Ok(())
}

/// The signed-in user's name (None on pages open without a session).
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<String>, AppError> {
    Ok(request_auth().session.map(|s| s.username))
}

/// What the server's gate put on this request.
#[cfg(feature = "ssr")]
fn request_auth() -> crate::model::account::RequestAuth {
    use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .extensions
                .get::<crate::model::account::RequestAuth>()
                .cloned()
        })
        .unwrap_or_default()
}

#[cfg(feature = "ssr")]
fn signed_in(result: Result<String, crate::model::account::AuthFailure>) -> Result<(), AppError> {
    match result {
        Ok(cookie) => {
            set_cookie(&cookie);
            Ok(())
        }
        Err(failure) => {
            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(
                    http::StatusCode::from_u16(failure.status)
                        .unwrap_or(http::StatusCode::UNAUTHORIZED),
                );
            }
            Err(failure.error)
        }
    }
}

#[cfg(feature = "ssr")]
fn set_cookie(cookie: &str) {
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(cookie),
    ) {
        response.append_header(http::header::SET_COOKIE, value);
    }
}
