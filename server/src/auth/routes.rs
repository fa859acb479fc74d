//! /auth/login, /auth/callback, /auth/logout and /signed-out.
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;
use tower_sessions::Session;

use app::domain::access::safe_return_path;
use app::state::{AppState, RequestId};
use app::store::audit::{self, Actor, Event};
use app::store::users::{self, Identity};

use super::oidc::{Oidc, OidcError, PendingLogin, SignInClaims};
use super::session::{signed_in_expiry, SignedIn, PENDING, PENDING_EXPIRY, SIGNED_IN};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", get(login))
        .route("/auth/callback", get(callback))
        .route("/auth/logout", post(logout))
        .route("/signed-out", get(signed_out))
}

#[derive(Deserialize)]
struct LoginQuery {
    #[serde(default)]
    next: String,
}

fn see_other(to: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, to.to_string()),
            (header::CACHE_CONTROL, "no-store".into()),
        ],
    )
        .into_response()
}

async fn login(
    Extension(oidc): Extension<Arc<Oidc>>,
    session: Session,
    Query(q): Query<LoginQuery>,
) -> Response {
    let next = safe_return_path(&q.next);
    if let Ok(Some(_)) = session.get::<SignedIn>(SIGNED_IN).await {
        return see_other(&next);
    }
    match oidc.begin(next).await {
        Ok((url, pending)) => {
            session.set_expiry(Some(PENDING_EXPIRY));
            if let Err(e) = session.insert(PENDING, pending).await {
                tracing::error!("storing the pending login: {e}");
                return page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Sign-in is unavailable",
                    "The portal could not store your sign-in. Try again in a minute.",
                );
            }
            see_other(&url)
        }
        Err(e) => {
            tracing::error!(error = ?e.to_string(), "starting a sign-in");
            page(
                StatusCode::BAD_GATEWAY,
                "Sign-in is unavailable",
                "The portal could not reach your organisation's identity provider. Try again in a minute; if it persists, tell whoever runs the portal.",
            )
        }
    }
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(st): State<AppState>,
    Extension(oidc): Extension<Arc<Oidc>>,
    Extension(request_id): Extension<RequestId>,
    session: Session,
    Query(q): Query<CallbackQuery>,
) -> Response {
    // A pending login is used once, whatever happens next: a replayed callback finds nothing.
    let pending: Option<PendingLogin> = session.remove(PENDING).await.unwrap_or(None);
    match sign_in(&st, &oidc, &request_id, pending, q).await {
        Ok((user_id, claims, next)) => {
            let now = chrono::Utc::now().timestamp();
            let signed_in = SignedIn {
                user_id,
                signed_in_at: now,
                last_seen: now,
                id_token: claims.id_token,
            };
            session.set_expiry(Some(signed_in_expiry(&oidc.config)));
            // A new session id at sign-in: an id planted before sign-in is worthless after.
            // Without one, the sign-in is refused rather than kept under a planted id.
            if let Err(e) = session.cycle_id().await {
                tracing::error!("cycling the session id: {e}");
                let _ = session.flush().await;
                return page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Sign-in failed",
                    "The portal could not start your session. Try again in a minute.",
                );
            }
            if let Err(e) = session.insert(SIGNED_IN, signed_in).await {
                tracing::error!("storing the session: {e}");
                return page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Sign-in failed",
                    "The portal could not store your session. Try again in a minute.",
                );
            }
            see_other(&next)
        }
        Err(refusal) => {
            // Nothing of the attempt survives. A live session is left alone: a link to
            // /auth/callback from another site must not sign anyone out. Without one, there is
            // no session row and no cookie.
            match session.get::<SignedIn>(SIGNED_IN).await {
                Ok(Some(_)) => {
                    let _ = session.save().await;
                }
                _ => {
                    let _ = session.flush().await;
                }
            }
            refusal
        }
    }
}

async fn sign_in(
    st: &AppState,
    oidc: &Oidc,
    request_id: &RequestId,
    pending: Option<PendingLogin>,
    q: CallbackQuery,
) -> Result<(i64, SignInClaims, String), Response> {
    let again = "Start again from the portal's home page. If it keeps happening, tell whoever runs the portal.";
    let Some(pending) = pending else {
        tracing::warn!("sign-in callback without a pending login (expired, replayed or forged)");
        return Err(page(
            StatusCode::BAD_REQUEST,
            "This sign-in link is no longer valid",
            again,
        ));
    };
    if let Some(err) = q.error {
        // Debug formatting escapes whatever the URL carried (no forged log lines).
        tracing::warn!(error = ?err, "the identity provider returned an error");
        return Err(page(
            StatusCode::BAD_REQUEST,
            "The identity provider did not sign you in",
            again,
        ));
    }
    if q.state.as_deref() != Some(pending.state.as_str()) {
        tracing::warn!("sign-in callback with a state that does not match");
        return Err(page(
            StatusCode::BAD_REQUEST,
            "This sign-in link is no longer valid",
            again,
        ));
    }
    let Some(code) = q.code.filter(|c| !c.is_empty()) else {
        return Err(page(
            StatusCode::BAD_REQUEST,
            "The identity provider did not sign you in",
            again,
        ));
    };
    let claims = match oidc.finish(&pending, &code).await {
        Ok(c) => c,
        Err(e) => {
            // Debug-formatted: the provider's answer is not ours to trust with a log line.
            tracing::warn!(error = ?e.to_string(), "sign-in refused");
            if matches!(e, OidcError::InvalidToken(_)) {
                // Perhaps the provider rotated its keys: re-read them for the next attempt.
                oidc.refresh().await;
            }
            let status = match e {
                OidcError::Unreachable(_) => StatusCode::BAD_GATEWAY,
                _ => StatusCode::BAD_REQUEST,
            };
            return Err(page(status, "Sign-in failed", again));
        }
    };
    // Who the trail names: a verified e-mail address, else the provider's subject.
    let label = if claims.email.is_empty() {
        claims.subject.clone()
    } else {
        claims.email.clone()
    };
    if !oidc.config.admits(&claims.groups) {
        tracing::warn!(subject = ?claims.subject, "sign-in refused: not in a required group");
        let why =
            serde_json::json!({ "reason": "not in a required group", "groups": claims.groups });
        record_refusal(st, &claims.subject, &label, request_id, why).await;
        return Err(page(
            StatusCode::FORBIDDEN,
            "This portal is not open to you",
            "Your organisation lets only members of certain groups use the reliability portal, \
             and your account is not in one. Ask whoever runs the portal for access.",
        ));
    }
    match users::is_disabled(&st.pool, &claims.issuer, &claims.subject).await {
        Ok(false) => {}
        Ok(true) => {
            tracing::warn!(subject = ?claims.subject, "sign-in refused: disabled by an admin");
            let why = serde_json::json!({ "reason": "disabled by an admin" });
            record_refusal(st, &claims.subject, &label, request_id, why).await;
            return Err(page(
                StatusCode::FORBIDDEN,
                "Your access has been disabled",
                "An admin of the reliability portal has disabled your account. Ask them to \
                 enable it again.",
            ));
        }
        Err(e) => {
            tracing::error!("checking whether the person is disabled: {e}");
            return Err(page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sign-in failed",
                again,
            ));
        }
    }
    let mapping = &oidc.config.mapping;
    let identity = Identity {
        issuer: claims.issuer.clone(),
        subject: claims.subject.clone(),
        name: claims.name.clone(),
        email: claims.email.clone(),
        idp_role: mapping.role_for(&claims.groups),
        teams: mapping.teams_for(&claims.groups),
        groups: claims.groups.clone(),
    };
    let stored = async {
        let mut tx = st.pool.begin().await?;
        let user_id = users::upsert_at_sign_in(&mut tx, &identity).await?;
        let actor = Actor {
            id: Some(user_id),
            label: label.clone(),
            request_id: request_id.0.clone(),
        };
        let event = Event {
            action: "auth.sign_in",
            entity_type: "user",
            entity_id: user_id.to_string(),
            entity_label: label.clone(),
            before: None,
            after: Some(serde_json::json!({
                "name": identity.name, "groups": identity.groups,
                "role_from_groups": identity.idp_role.as_str(), "teams": identity.teams,
            })),
        };
        audit::record(&mut *tx, &actor, event).await?;
        tx.commit().await?;
        Ok::<i64, app::error::AppError>(user_id)
    }
    .await;
    match stored {
        Ok(user_id) => {
            tracing::info!(user = user_id, "signed in");
            Ok((user_id, claims, pending.next))
        }
        Err(e) => {
            tracing::error!("recording the sign-in: {e}");
            Err(page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sign-in failed",
                again,
            ))
        }
    }
}

/// Records a refused sign-in; a failure to record is logged, never silent.
async fn record_refusal(
    st: &AppState,
    subject: &str,
    label: &str,
    request_id: &RequestId,
    why: serde_json::Value,
) {
    let actor = Actor {
        id: None,
        label: label.to_string(),
        request_id: request_id.0.clone(),
    };
    let event = Event {
        action: "auth.sign_in_refused",
        entity_type: "user",
        entity_id: subject.to_string(),
        entity_label: label.to_string(),
        before: None,
        after: Some(why),
    };
    if let Err(e) = audit::record(&st.pool, &actor, event).await {
        tracing::error!("recording a refused sign-in: {e}");
    }
}

/// Ends the portal session (the stored row is deleted) and, when the provider supports it,
/// the provider's session too.
async fn logout(
    State(st): State<AppState>,
    Extension(oidc): Extension<Arc<Oidc>>,
    Extension(request_id): Extension<RequestId>,
    session: Session,
) -> Response {
    let signed_in = session.get::<SignedIn>(SIGNED_IN).await.unwrap_or(None);
    if let Err(e) = session.flush().await {
        tracing::error!("deleting the session: {e}");
        return page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Sign-out failed",
            "The portal could not end your session. Try again in a minute.",
        );
    }
    let Some(s) = signed_in else {
        return see_other("/signed-out");
    };
    let label = match app::store::users::me(&st.pool, s.user_id).await {
        Ok(Some(me)) => me.email,
        _ => format!("user {}", s.user_id),
    };
    let actor = Actor {
        id: Some(s.user_id),
        label: label.clone(),
        request_id: request_id.0,
    };
    let event = Event {
        action: "auth.sign_out",
        entity_type: "user",
        entity_id: s.user_id.to_string(),
        entity_label: label,
        before: None,
        after: None,
    };
    if let Err(e) = audit::record(&st.pool, &actor, event).await {
        tracing::error!("recording the sign-out: {e}");
    }
    match oidc.logout_url(&s.id_token).await {
        Some(url) => see_other(&url),
        None => see_other("/signed-out"),
    }
}

async fn signed_out() -> Response {
    page_with_action(
        StatusCode::OK,
        "You are signed out",
        "Your portal session has ended.",
        "Sign in again",
    )
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    page_with_action(status, title, message, "Sign in")
}

/// A small page in the portal's own style, for the moments outside the app (no session yet),
/// whose one button starts a sign-in.
fn page_with_action(status: StatusCode, title: &str, message: &str, sign_in: &str) -> Response {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let action = format!(
        r#"<p><a class="button" href="/auth/login?next=%2F">{}</a></p>"#,
        esc(sign_in)
    );
    let html = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Reliability portal</title><link rel="stylesheet" href="/pkg/portal.css"><link rel="icon" href="/favicon.svg" type="image/svg+xml"></head>
<body><div class="auth-page"><main class="auth-card"><p class="brand">Reliability portal</p><h1>{title}</h1><p>{message}</p>{action}</main></div></body></html>"#,
        title = esc(title),
        message = esc(message),
    );
    (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}
