use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Extension, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower_sessions_sqlx_store::PostgresStore;

use app::app::{shell, App};
use app::error::AppError;
use app::state::AppState;

use crate::auth::guard::{request_id, require_user};
use crate::auth::oidc::Oidc;
use crate::auth::routes::routes as auth_routes;
use crate::auth::session;
use crate::limits::{limit_in_flight, limit_logins, limit_writes, Guards, Limits};
use crate::security::{origin_of, reject_cross_site, security_headers};

/// The app's routes, listed once per process, before the first router exists.
///
/// Listing them runs the app with resource loading switched off by a process-wide flag
/// (leptos_server's `SuppressResourceLoad`). A resource first polled while the flag is up waits
/// forever, so listing again while another router serves pages can hang one of its requests
/// (leptos issue 4773). The tests build many routers side by side; this is what keeps them apart.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The router with the default limits.
pub fn router(state: AppState, oidc: Arc<Oidc>, sessions: PostgresStore) -> Router {
    router_with(state, oidc, sessions, Guards::new(Limits::default()))
}

pub fn router_with(
    state: AppState,
    oidc: Arc<Oidc>,
    sessions: PostgresStore,
    guards: Arc<Guards>,
) -> Router {
    let routes = routes();
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();
    let form_action = origin_of(&oidc.config.issuer);
    let public_origin: Arc<str> = origin_of(&oidc.config.public_url).into();
    let https = oidc.config.secure_cookies();
    let session_layer = session::layer(sessions, &oidc.config);
    // Layers run outermost-last: compression → headers → metrics → request id → in-flight
    // limit → time limit → body limit → cross-site check → sign-in rate → session → sign-in
    // gate → write rate → the routes.
    let (in_flight, logins, writes) = (guards.clone(), guards.clone(), guards);
    Router::new()
        .route("/healthz", get(live))
        .route("/readyz", get(ready))
        .route("/metrics", get(crate::metrics::metrics))
        .route("/export/catalog.yaml", get(crate::download::catalog_yaml))
        .route("/export/openslo.yaml", get(crate::download::openslo_yaml))
        .route(
            "/export/slos/{service}/{slo}/rules.yaml",
            get(crate::download::slo_rules),
        )
        .merge(auth_routes())
        .merge(crate::rest::routes(state.clone()))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(correct_error_status))
        .layer(middleware::from_fn(move |req, next| {
            limit_writes(writes.clone(), req, next)
        }))
        .layer(middleware::from_fn_with_state(state.clone(), require_user))
        .layer(session_layer)
        .layer(middleware::from_fn(move |req, next| {
            limit_logins(logins.clone(), req, next)
        }))
        .layer(Extension(oidc))
        .layer(middleware::from_fn(move |req, next| {
            reject_cross_site(public_origin.clone(), req, next)
        }))
        .layer(middleware::from_fn(crate::security::limit_body))
        .layer(middleware::from_fn(request_timeout))
        .layer(middleware::from_fn(move |req, next| {
            limit_in_flight(in_flight.clone(), req, next)
        }))
        .layer(middleware::from_fn(request_id))
        // Outside the gate and the time limit, so refusals and cut-off requests count too.
        .layer(middleware::from_fn(crate::metrics::record))
        .layer(Extension(Arc::new(crate::metrics::Metrics::default())))
        .layer(middleware::from_fn(move |req, next| {
            security_headers(form_action.clone(), https, req, next)
        }))
        // The wasm bundle is ~1.5 MB raw, ~0.6 MB gzipped; pages shrink ~6×.
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// Errors raised before a server function's body runs (its arguments could not be read) leave
/// server_fn's default 500. The encoded AppError knows its real status; use it.
async fn correct_error_status(req: Request<Body>, next: Next) -> Response {
    let is_server_fn = req.uri().path().starts_with("/fn/");
    let res = next.run(req).await;
    if !is_server_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "error").into_response();
    };
    if let Ok(e) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Liveness: the process answers. It says nothing of the database, so an orchestrator does not
/// restart every replica while PostgreSQL is away (they recover by themselves when it is back).
async fn live() -> &'static str {
    "ok"
}

/// Readiness: a database round trip, within a second. Fails while PostgreSQL is unreachable,
/// so a load balancer sends traffic elsewhere.
async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    let ping = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.pool);
    match tokio::time::timeout(std::time::Duration::from_secs(1), ping).await {
        Ok(Ok(_)) => (StatusCode::OK, "ready"),
        Ok(Err(e)) => {
            tracing::warn!("readiness: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => {
            tracing::warn!("readiness: no database answer within 1 s");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

/// How long any request may take to answer before it is cut off with a 503 that says so.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

async fn request_timeout(req: Request<Body>, next: Next) -> Response {
    let is_page = is_page_request(&req);
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!("request cut off after {REQUEST_TIMEOUT:?}");
            let e = AppError::Busy(format!(
                "The portal took longer than {} s to answer and gave up. Try again in a moment.",
                REQUEST_TIMEOUT.as_secs()
            ));
            crate::auth::guard::error_response(&e, is_page)
        }
    }
}

/// A browser asking for a page (which gets HTML), not a script or API client (which gets JSON).
pub fn is_page_request(req: &Request<Body>) -> bool {
    matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    ) && !req.uri().path().starts_with("/api/")
        && !req.uri().path().starts_with("/fn/")
}
