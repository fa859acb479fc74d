//! The gate in front of every page and server function: a signed-in, live session or nothing.
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
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
            | "/auth/login"
            | "/auth/callback"
            // Signing out of a session that has already ended still lands on /signed-out.
            | "/auth/logout"
            | "/signed-out"
            | "/favicon.svg"
            | "/favicon.ico"
    ) || path.starts_with("/pkg/")
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
            tracing::error!("reading the session: {e}");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "The portal cannot read sessions right now.",
            )
                .into_response();
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
                Err(e) => return e_response(e),
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
    req.extensions_mut().insert(CatalogGeneration(generation));
    next.run(req).await
}

fn e_response(e: AppError) -> Response {
    (
        StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        axum::Json(e),
    )
        .into_response()
}

/// A page is sent to sign in and brought back afterwards; a server function or API call gets a
/// 401 it can act on.
fn anonymous(req: &Request<Body>) -> Response {
    let path = req.uri().path();
    let is_page = matches!(*req.method(), Method::GET | Method::HEAD) && !path.starts_with("/api/");
    if !is_page {
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
