//! `#[server]` functions: thin. Each reads its input, validates it through `domain`, calls
//! `store`, and maps the outcome to a status. Every server function is POST (Leptos' default
//! encoding); none is GET-encoded, and the server's origin check refuses cross-site POSTs.
pub mod catalog;
pub mod overview;
pub mod services;
pub mod teams;

#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    use chrono::{NaiveDate, Utc};
    use leptos::prelude::use_context;

    use crate::error::AppError;
    use crate::state::AppState;

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from context"))
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
