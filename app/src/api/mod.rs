//! `#[server]` functions: thin. Each reads its input, validates it through `domain`, calls
//! `store`, and maps the outcome to a status. Every server function is POST (Leptos' default
//! encoding); none is GET-encoded, and the server's origin check refuses cross-site POSTs.
pub mod admin;
pub mod catalog;
pub mod me;
pub mod overview;
pub mod services;
pub mod teams;
pub mod tiers;

#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    use chrono::{NaiveDate, Utc};
    use leptos::prelude::use_context;

    use crate::domain::access::{Me, Permission};
    use crate::error::AppError;
    use crate::state::{AppState, CatalogGeneration, RequestId};
    use crate::store::audit::{self, Actor, Event};

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from context"))
    }

    fn parts() -> Option<http::request::Parts> {
        use_context::<http::request::Parts>()
    }

    /// The signed-in person. The server's sign-in layer put them on the request; a request
    /// without one never reaches here in production, but a server function checks anyway.
    pub fn me() -> Result<Me, AppError> {
        parts()
            .and_then(|p| p.extensions.get::<Me>().cloned())
            .ok_or(AppError::Unauthenticated)
    }

    /// The catalog generation the sign-in gate read with the person, if it ran.
    pub fn generation() -> Option<i64> {
        parts().and_then(|p| p.extensions.get::<CatalogGeneration>().map(|g| g.0))
    }

    pub fn actor(me: &Me) -> Actor {
        Actor {
            id: Some(me.id),
            label: me.email.clone(),
            request_id: parts()
                .and_then(|p| p.extensions.get::<RequestId>().map(|r| r.0.clone()))
                .unwrap_or_default(),
        }
    }

    /// Allowed, or a 403 with what would allow it. A refusal is logged and written to the
    /// audit trail (on its own: the refused change has no transaction to join).
    pub async fn authorize(
        st: &AppState,
        me: &Me,
        p: Permission,
        target: &str,
    ) -> Result<(), AppError> {
        let Err(message) = me.check(&p) else {
            return Ok(());
        };
        tracing::warn!(user = me.id, permission = ?p, target, "permission denied");
        // The refusal stands even if recording it fails (that failure is logged by AppError).
        let _ = audit::record(
            &st.pool,
            &actor(me),
            Event {
                action: "denied",
                entity_type: "permission",
                entity_id: String::new(),
                entity_label: target.to_string(),
                before: None,
                after: Some(
                    serde_json::json!({ "permission": format!("{p:?}"), "role": me.role.as_str() }),
                ),
            },
        )
        .await;
        Err(AppError::Forbidden(message))
    }

    /// A write transaction on behalf of `me`: the audit triggers record them as the actor.
    pub async fn begin(
        st: &AppState,
        me: &Me,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, AppError> {
        let mut tx = st.pool.begin().await?;
        audit::act_as(&mut tx, &actor(me)).await?;
        Ok(tx)
    }

    /// Runs `f` in a write transaction on behalf of `me` (see `begin`) and commits.
    pub async fn write<T>(
        st: &AppState,
        me: &Me,
        f: impl AsyncFnOnce(&mut sqlx::PgConnection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut tx = begin(st, me).await?;
        let out = f(&mut tx).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub fn today() -> NaiveDate {
        Utc::now().date_naive()
    }

    /// Sets the response status from the error, so an API caller (and a page whose data was not
    /// found) gets a 4xx and not a 200 or 500.
    pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
        if let Err(e) = &result {
            if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
                opts.set_status(
                    http::StatusCode::from_u16(e.status())
                        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
                );
            }
            if e.status() < 500 {
                tracing::info!(status = e.status(), "request refused: {e}");
            }
        }
        result
    }

    /// After a successful write: redirect (a 302 without JavaScript, a client navigation with it).
    pub fn redirect_to(path: &str) {
        leptos_axum::redirect(path);
    }
}
