//! The HTTP side: the axum router serving the Leptos console, its server functions and static
//! files, plus the operations endpoints ([`ops`]).

pub mod auth;
pub mod ops;
pub mod security;

use std::{net::SocketAddr, sync::Arc};

use app::backend::ConsoleHandle;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};

use crate::engine::Engine;

/// Builds the console's router for `engine`, serving the compiled site from its `site_root`.
pub fn router(engine: Arc<Engine>, site_addr: SocketAddr) -> Router {
    let options = LeptosOptions::builder()
        .output_name("gatehouse")
        .site_root(engine.config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(site_addr)
        .build();
    let routes = generate_route_list(app::App);
    let ops = ops::routes(Arc::clone(&engine));
    let security_headers = security::SecurityHeaders::new(engine.config.access.public_url.as_ref());
    let gate = auth::Gate::new(&engine);
    let handle = ConsoleHandle(engine);
    let context = move || {
        provide_context(handle.clone());
        security::provide_request_nonce();
    };

    Router::new()
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context,
            app::shell,
        ))
        .with_state(options)
        .merge(ops)
        .layer(axum::middleware::from_fn_with_state(gate, auth::gate))
        // Outermost: security headers and body limits on every response, the nonce to Leptos.
        .layer(axum::middleware::from_fn_with_state(
            security_headers,
            security::middleware,
        ))
}
