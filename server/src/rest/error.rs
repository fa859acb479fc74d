//! The one error shape of the API, for every 4xx and 5xx:
//! `{"code": "validation_failed", "message": "...", "fields": {"slug": "..."}}`.
use std::collections::BTreeMap;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use app::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: u16,
    /// A stable, machine-readable reason.
    pub code: String,
    /// What a person reading the client's log can act on.
    pub message: String,
    /// Per-field messages (request body fields, query parameters or headers).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// Seconds to wait before trying again (429, 503).
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            fields: BTreeMap::new(),
            retry_after: None,
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        let code = match &e {
            AppError::Validation(_) => "validation_failed",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden(_) => "forbidden",
            AppError::BadRequest(_) => "bad_request",
            AppError::Busy(_) => "busy",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal",
        };
        let mut out = ApiError::new(e.status(), code, e.to_string());
        if let AppError::Validation(f) = &e {
            out.fields = f.0.clone();
        }
        if e.status() == 503 {
            out.retry_after = Some(2);
        }
        out
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::warn!(code = %self.code, "api answered {status}");
        }
        let retry = self.retry_after;
        let mut res = (status, axum::Json(self)).into_response();
        if let Some(s) = retry.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            res.headers_mut().insert(header::RETRY_AFTER, s);
        }
        res
    }
}

pub async fn not_found() -> ApiError {
    ApiError::new(
        404,
        "not_found",
        "There is no such API route; see /api/v1/openapi.json.",
    )
}

/// A body that is not the JSON a route expects: 400 or 422 in the error shape, saying why.
pub fn bad_body(e: axum::extract::rejection::JsonRejection) -> ApiError {
    let status = e.status().as_u16();
    let code = if status == 415 {
        "unsupported_media_type"
    } else {
        "bad_request"
    };
    // serde's message names the field and the position, never anything of ours.
    let mut text = e.body_text();
    text.truncate(300);
    ApiError::new(if status == 422 { 400 } else { status }, code, text)
}
