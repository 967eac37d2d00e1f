//! Operations endpoints, outside the console: liveness, readiness and Prometheus metrics.

use std::sync::Arc;

use axum::{http::StatusCode, response::IntoResponse, routing::get, Router};

use crate::engine::Engine;

/// `/healthz` (the process answers), `/readyz` (the database answers too), `/metrics`.
pub fn routes(engine: Arc<Engine>) -> Router {
    let ready = Arc::clone(&engine);
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(move || readyz(Arc::clone(&ready))))
        .route("/metrics", get(move || metrics(Arc::clone(&engine))))
}

async fn readyz(engine: Arc<Engine>) -> impl IntoResponse {
    match sqlx::query("SELECT 1").execute(engine.store.pool()).await {
        Ok(_) => (StatusCode::OK, "ready\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the database does not answer\n",
            )
                .into_response()
        }
    }
}

async fn metrics(engine: Arc<Engine>) -> impl IntoResponse {
    let store = &engine.store;
    let rows = match store.sources().await {
        Ok(rows) => rows,
        Err(e) => {
            tracing::warn!(error = %e, "metrics: cannot read sources");
            return (StatusCode::SERVICE_UNAVAILABLE, String::new()).into_response();
        }
    };
    let mut statuses = store.statuses().await.unwrap_or_default();
    let sources: Vec<_> = rows
        .into_iter()
        .map(|row| {
            let status = statuses
                .iter()
                .position(|s| s.source_id == row.id)
                .map(|i| statuses.swap_remove(i));
            (row, status)
        })
        .collect();
    let gauges = crate::telemetry::metrics::AlertGauges {
        alarms: store
            .alarms()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.source_id, a.state))
            .collect(),
        open_by_severity: store.open_alerts_by_severity().await.unwrap_or_default(),
    };
    let body = engine
        .supervisor
        .context()
        .metrics
        .render(&sources, &gauges);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
