//! API routes for SLOs: definitions under their service, and the counts push.
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use app::commands;
use app::domain::slo_counts::CountsBatch;
use app::domain::slo_form::SloForm;
use app::domain::token::Scope;
use app::error::AppError;
use app::state::AppState;
use app::store;

use super::auth::ApiCaller;
use super::catalog::{body, etag, if_match};
use super::error::ApiError;

type ApiResult<T> = Result<T, ApiError>;

/// An SLO as clients send it: JSON types, not the form's text.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SloBody {
    slug: String,
    name: String,
    #[serde(default)]
    description: String,
    sli_kind: String,
    #[serde(default)]
    good_events: String,
    #[serde(default)]
    total_events: String,
    /// A percentage, as a number (99.95) or a string ("99.95").
    objective: Value,
    /// "rolling", "week", "month" or "quarter".
    window: String,
    #[serde(default)]
    window_days: Option<u16>,
    source: String,
    #[serde(default)]
    error_query: String,
    #[serde(default)]
    total_query: String,
}

impl SloBody {
    fn into_form(self, version: Option<i64>) -> SloForm {
        SloForm {
            slug: self.slug,
            name: self.name,
            description: self.description,
            sli_kind: self.sli_kind,
            good_events: self.good_events,
            total_events: self.total_events,
            objective: match self.objective {
                Value::String(s) => s,
                other => other.to_string(),
            },
            window: self.window,
            window_days: self.window_days.map(|d| d.to_string()).unwrap_or_default(),
            source: self.source,
            error_query: self.error_query,
            total_query: self.total_query,
            version: version.map(|v| v.to_string()).unwrap_or_default(),
        }
    }
}

pub async fn list(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path(service): Path<String>,
) -> ApiResult<Json<Value>> {
    c.need(Scope::CatalogRead)?;
    // An unknown service is a 404, not an empty list.
    store::services::owner_of(&st.pool, &service).await?;
    let items = store::slos::for_service(
        &st.pool,
        Some(&st.cache.slo_counts),
        &service,
        store::slos::page_now(),
    )
    .await?;
    Ok(Json(json!({ "items": items })))
}

pub async fn get(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path((service, slo)): Path<(String, String)>,
) -> ApiResult<Response> {
    c.need(Scope::CatalogRead)?;
    let v = store::slos::get(
        &st.pool,
        Some(&st.cache.slo_counts),
        &service,
        &slo,
        store::slos::page_now(),
    )
    .await?;
    Ok(([(header::ETAG, etag(v.slo.version))], Json(v)).into_response())
}

/// Prometheus rules for a Prometheus SLO; an SLO fed by pushed counts has none (409).
pub async fn rules(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path((service, slo)): Path<(String, String)>,
) -> ApiResult<Response> {
    c.need(Scope::CatalogRead)?;
    let v = store::slos::get(
        &st.pool,
        Some(&st.cache.slo_counts),
        &service,
        &slo,
        store::slos::page_now(),
    )
    .await?;
    let yaml = store::slos::rules(&v.slo).ok_or_else(|| {
        AppError::Conflict(
            "This SLO is fed by pushed counts; rules are generated for Prometheus SLOs.".into(),
        )
    })?;
    Ok((
        [(header::CONTENT_TYPE, "application/yaml; charset=utf-8")],
        yaml,
    )
        .into_response())
}

pub async fn create(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path(service): Path<String>,
    b: Result<Json<SloBody>, JsonRejection>,
) -> ApiResult<Response> {
    let who = c.need(Scope::CatalogWrite)?;
    let form = body(b)?.into_form(None);
    let slug = commands::slos::create(&st, who, &service, &form).await?;
    let location = format!("/api/v1/services/{service}/slos/{slug}");
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(json!({ "slug": slug })),
    )
        .into_response())
}

/// `If-Match` (the ETag from a read) makes the save conditional: 412 when it changed since.
pub async fn update(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path((service, slo)): Path<(String, String)>,
    headers: HeaderMap,
    b: Result<Json<SloBody>, JsonRejection>,
) -> ApiResult<Response> {
    let who = c.need(Scope::CatalogWrite)?;
    let version = if_match(&headers)?;
    let form = body(b)?.into_form(version);
    match commands::slos::update(&st, who, &service, &slo, &form).await {
        Ok(slug) => {
            let v = store::slos::get(
                &st.pool,
                Some(&st.cache.slo_counts),
                &service,
                &slug,
                store::slos::page_now(),
            )
            .await?;
            Ok(([(header::ETAG, etag(v.slo.version))], Json(v)).into_response())
        }
        Err(AppError::Conflict(m)) if version.is_some() => {
            Err(ApiError::new(412, "precondition_failed", m))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path((service, slo)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let who = c.need(Scope::CatalogWrite)?;
    commands::slos::delete(&st, who, &service, &slo).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /slos/{service}/{slo}/counts`: a batch of buckets, all stored or none.
pub async fn push_counts(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path((service, slo)): Path<(String, String)>,
    b: Result<Json<CountsBatch>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let who = c.need(Scope::SloWrite)?;
    let batch = body(b)?;
    let stored = commands::slos::push_counts(&st, who, &service, &slo, &batch).await?;
    Ok(Json(json!({ "stored": stored })))
}

/// The counts push may carry a day of minutes (the security layer enforces the same bound).
pub fn counts_body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(crate::security::MAX_COUNTS_BODY_BYTES)
}
