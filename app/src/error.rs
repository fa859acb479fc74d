//! The one error type. Each variant maps to an HTTP status and a message a person can act on.
//! Internal detail (database errors and the like) is logged with a reference id and never sent.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::validation::FieldErrors;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// 422: the input was understood but not acceptable; messages per field.
    #[error("Please correct the highlighted fields.")]
    Validation(FieldErrors),
    /// 404: names what was not found.
    #[error("{0} was not found.")]
    NotFound(String),
    /// 409: valid input that conflicts with the current state (e.g. deleting a team that owns services).
    #[error("{0}")]
    Conflict(String),
    /// 401: nobody is signed in (or the session ended); the page sends them to sign in.
    #[error("Your session has ended. Sign in again to continue.")]
    Unauthenticated,
    /// 403: signed in, but the role or team does not allow this; says what would.
    #[error("{0}")]
    Forbidden(String),
    /// 400: a malformed request.
    #[error("{0}")]
    BadRequest(String),
    /// 503: a write lost a race for a row (a deadlock the database broke, or a lock held longer
    /// than the write may wait); trying again will usually work.
    #[error("{0}")]
    Busy(String),
    /// 503: the portal's database cannot be reached (or answered too slowly).
    #[error("The portal's database is unavailable right now. Try again in a moment.")]
    Unavailable,
    /// 500: carries only a reference to find the logged detail.
    #[error("Something went wrong on our side. If it keeps happening, report reference {0}.")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation(_) => 422,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::BadRequest(_) => 400,
            AppError::Unauthenticated => 401,
            AppError::Forbidden(_) => 403,
            AppError::Busy(_) | AppError::Unavailable => 503,
            AppError::Internal(_) => 500,
        }
    }

    pub fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Validation(f) => Some(f),
            _ => None,
        }
    }

    /// Logs `detail` server-side under a fresh reference and returns the opaque error.
    #[cfg(feature = "ssr")]
    pub fn internal(detail: impl std::fmt::Display) -> AppError {
        let reference = format!("{:08x}", rand_u32());
        // Debug-formatted: a database error can quote the values a user sent.
        tracing::error!(reference = %reference, detail = ?detail.to_string(), "internal error");
        AppError::Internal(reference)
    }
}

impl From<FieldErrors> for AppError {
    fn from(f: FieldErrors) -> Self {
        AppError::Validation(f)
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::Error as E;
        match e {
            E::RowNotFound => AppError::NotFound("The record".into()),
            // The database broke a deadlock or refused a serialization race, or a row stayed
            // locked past `lock_timeout`: the write path tries again, then says so.
            E::Database(d) if matches!(d.code().as_deref(), Some("40P01" | "40001" | "55P03")) => {
                tracing::info!(code = ?d.code(), message = ?d.message(), "write contention");
                AppError::Busy(
                    "Someone else is changing this record right now. Try again in a moment.".into(),
                )
            }
            // statement_timeout, or the server going away: not the user's fault, and not a bug.
            E::Database(d)
                if matches!(
                    d.code().as_deref(),
                    Some("57014" | "57P01" | "57P02" | "57P03")
                ) =>
            {
                tracing::warn!(code = ?d.code(), message = ?d.message(), "database unavailable");
                AppError::Unavailable
            }
            E::PoolTimedOut | E::PoolClosed | E::Io(_) | E::Tls(_) | E::Protocol(_) => {
                tracing::warn!("database unavailable: {e}");
                AppError::Unavailable
            }
            other => AppError::internal(other),
        }
    }
}

/// Transport-level failures from the server-function machinery (bad arguments, network).
impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => {
                AppError::BadRequest(format!("The request could not be read: {m}"))
            }
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::BadRequest(
                "The portal could not be reached. Check your connection and try again.".into(),
            ),
            ServerFnErrorErr::MissingArg(m) => AppError::BadRequest(format!("Missing field: {m}")),
            // Anything else is ours to fix: log it with a reference (on the server) and show
            // only the reference, never the framework's text.
            #[cfg(feature = "ssr")]
            other => AppError::internal(other),
            #[cfg(not(feature = "ssr"))]
            _ => AppError::Internal("browser".into()),
        }
    }
}

/// A reference id only needs to be unique enough to grep a log for; no crate needed.
#[cfg(feature = "ssr")]
fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.finish() as u32
}
