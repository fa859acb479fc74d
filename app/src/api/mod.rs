//! `#[server]` functions: thin. Each reads its input and calls a read in `store` or a write in
//! `commands` (which authorises, validates and audits), and maps the outcome to a status. Every server function is POST (Leptos' default
//! encoding); none is GET-encoded, and the server's origin check refuses cross-site POSTs.
pub mod admin;
pub mod catalog;
pub mod import;
pub mod incidents;
pub mod me;
pub mod overview;
pub mod postmortems;
pub mod services;
pub mod slos;
pub mod teams;
pub mod tiers;
pub mod tokens;

#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    use chrono::{NaiveDate, Utc};
    use leptos::prelude::use_context;

    use crate::commands::Caller;
    use crate::domain::access::Me;
    use crate::error::AppError;
    use crate::state::{AppState, CatalogGeneration, RequestId};

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
    pub fn generation() -> Option<CatalogGeneration> {
        parts().and_then(|p| p.extensions.get::<CatalogGeneration>().copied())
    }

    /// The signed-in person as the write path's caller, in this request.
    pub fn caller() -> Result<Caller, AppError> {
        let request_id = parts()
            .and_then(|p| p.extensions.get::<RequestId>().map(|r| r.0.clone()))
            .unwrap_or_default();
        Ok(Caller::person(me()?, request_id))
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
                // Debug-formatted: the message may quote what the user sent (a slug with a newline
                // must not start a forged log line).
                tracing::info!(status = e.status(), error = ?e.to_string(), "request refused");
            }
        }
        result
    }

    /// After a successful write: redirect (a 302 without JavaScript, a client navigation with it).
    pub fn redirect_to(path: &str) {
        leptos_axum::redirect(path);
    }
}
