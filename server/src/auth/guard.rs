//! The gate in front of every page and server function: a signed-in, live session or nothing.
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use tower_sessions::Session;

use app::error::AppError;
use app::state::{AppState, CatalogGeneration, RequestId};

use super::oidc::Oidc;
use super::session::{touch_every, SignedIn, SIGNED_IN};

/// Health checks, static assets and the sign-in routes are open; everything else is not.
pub fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/healthz"
            | "/readyz"
            // Bearer-token protected by its handler (a scraper has no session).
            | "/metrics"
            | "/auth/login"
            | "/auth/callback"
            // Signing out of a session that has already ended still lands on /signed-out.
            | "/auth/logout"
            | "/signed-out"
            | "/favicon.svg"
            | "/favicon.ico"
    ) || path.starts_with("/pkg/")
        // The REST API authenticates its own callers, by API token only (never a session).
        || path.starts_with("/api/")
}

/// Gives every request an id (logs, the audit trail, the `x-request-id` response header).
pub async fn request_id(mut req: Request<Body>, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut res = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

pub async fn require_user(
    State(st): State<AppState>,
    Extension(oidc): Extension<Arc<Oidc>>,
    session: Session,
    mut req: Request<Body>,
    next: Next,
) -> Response {
    if is_public(req.uri().path()) {
        return next.run(req).await;
    }
    let signed_in = match session.get::<SignedIn>(SIGNED_IN).await {
        Ok(s) => s,
        Err(e) => {
            // The session store is the database: it is away.
            tracing::warn!("reading the session: {e}");
            return error_response(&AppError::Unavailable, crate::router::is_page_request(&req));
        }
    };
    let now = chrono::Utc::now().timestamp();
    let cfg = &oidc.config;
    let me = match signed_in {
        Some(s) if s.is_live(now, cfg.session_idle, cfg.session_lifetime) => {
            match app::store::users::me_and_generation(&st.pool, s.user_id).await {
                Ok(Some((me, generation))) => {
                    if now - s.last_seen >= touch_every(cfg.session_idle) {
                        let touched = SignedIn {
                            last_seen: now,
                            ..s
                        };
                        if let Err(e) = session.insert(SIGNED_IN, touched).await {
                            tracing::error!("refreshing the session: {e}");
                        }
                    }
                    Some((me, generation))
                }
                Ok(None) => None,
                Err(e) => return error_response(&e, crate::router::is_page_request(&req)),
            }
        }
        Some(_) => {
            tracing::info!("session ended (idle or past its lifetime)");
            None
        }
        None => None,
    };
    let Some((me, generation)) = me else {
        // A stale or unknown session is removed, not left to be retried.
        if session.id().is_some() {
            let _ = session.flush().await;
        }
        return anonymous(&req);
    };
    req.extensions_mut().insert(me);
    req.extensions_mut().insert::<CatalogGeneration>(generation);
    next.run(req).await
}

/// An error before the app runs: a short HTML page for a browser, the error as JSON otherwise.
pub fn error_response(e: &AppError, page: bool) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = if page {
        let title = match e {
            AppError::Unavailable => "Database unavailable",
            AppError::Busy(_) => "Busy",
            _ => "That did not work",
        };
        let body = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
             <link rel=\"stylesheet\" href=\"/pkg/portal.css\"></head><body><main class=\"error-page\" \
             role=\"alert\"><h1>{title}</h1><p>{msg}</p><p class=\"muted\">This page recovers by \
             itself: reload in a moment.</p></main></body></html>",
            msg = escape_html(&e.to_string())
        );
        (status, axum::response::Html(body)).into_response()
    } else {
        (status, axum::Json(e)).into_response()
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn e_response(e: AppError) -> Response {
    error_response(&e, false)
}

/// A page is sent to sign in and brought back afterwards; a server function or API call gets a
/// 401 it can act on.
fn anonymous(req: &Request<Body>) -> Response {
    if !crate::router::is_page_request(req) {
        return e_response(AppError::Unauthenticated);
    }
    let next = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let target = format!(
        "/auth/login?next={}",
        url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
    );
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, target),
            (header::CACHE_CONTROL, "no-store".into()),
        ],
    )
        .into_response()
}
