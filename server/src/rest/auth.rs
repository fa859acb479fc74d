//! Bearer tokens for the API: checked, counted against the token's rate limit, and turned into
//! the caller the write path acts for. Sessions are never consulted here.
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::commands::Caller;
use app::domain::token::{looks_like_secret, Scope};
use app::state::{AppState, RequestId};
use app::store::tokens::TokenAuth;

use super::ApiError;

/// The token behind this request, with what it may do.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub caller: Caller,
    pub scopes: Vec<Scope>,
}

impl ApiCaller {
    /// Allowed by scope (the write path then checks the token's team rights), or a 403.
    pub fn need(&self, scope: Scope) -> Result<&Caller, ApiError> {
        if self.scopes.contains(&scope) {
            Ok(&self.caller)
        } else {
            Err(ApiError::new(
                403,
                "insufficient_scope",
                format!("This token lacks the {} scope.", scope.as_str()),
            ))
        }
    }
}

fn unauthenticated(message: &str) -> Response {
    let mut res = ApiError::new(401, "unauthenticated", message).into_response();
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer"),
    );
    res
}

pub async fn authenticate(
    State(st): State<AppState>,
    mut req: Request<Body>,
    next: Next,
) -> Response {
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(secret) = presented else {
        return unauthenticated(
            "The API needs an API token: send \"Authorization: Bearer <token>\". Sessions do not \
             authorise it; an admin makes tokens at /admin/tokens.",
        );
    };
    if !looks_like_secret(secret) {
        return unauthenticated("That is not an API token.");
    }
    let auth: TokenAuth = match app::store::tokens::authenticate(
        &st.pool,
        &app::commands::tokens::hash(secret),
    )
    .await
    {
        Ok(Some(t)) => t,
        Ok(None) => return unauthenticated("The token is unknown, revoked or expired."),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let limit = st.settings.api_rate_per_minute;
    if auth.window_count > limit {
        let elapsed = (chrono::Utc::now() - auth.window_start)
            .num_seconds()
            .clamp(0, 59);
        let mut e = ApiError::new(
            429,
            "rate_limited",
            format!("This token may make {limit} requests a minute; wait before trying again."),
        );
        e.retry_after = Some((60 - elapsed).max(1) as u64);
        return e.into_response();
    }
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let caller = ApiCaller {
        caller: Caller::token(&auth, request_id),
        scopes: auth.scopes.clone(),
    };
    req.extensions_mut().insert(caller);
    req.extensions_mut().insert(auth.generation);
    next.run(req).await
}
