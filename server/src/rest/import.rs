//! Catalog and SLOs as code over the API: Backstage and OpenSLO import (with a dry run) and
//! export.
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use app::commands;
use app::domain::backstage::Options;
use app::domain::import::{ImportFile, ImportReport, MAX_TOTAL_BYTES};
use app::domain::token::Scope;
use app::state::AppState;

use super::auth::ApiCaller;
use super::error::{bad_body, ApiError};

/// Room for the largest import the domain accepts, with JSON's escaping on top.
pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(MAX_TOTAL_BYTES * 3 / 2)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportBody {
    files: Vec<ImportFile>,
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    digest: Option<String>,
}

pub async fn import(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    b: Result<Json<ImportBody>, JsonRejection>,
) -> Result<Json<ImportReport>, ApiError> {
    run(&st, &c, b, Format::Backstage).await
}

pub async fn import_openslo(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    b: Result<Json<ImportBody>, JsonRejection>,
) -> Result<Json<ImportReport>, ApiError> {
    run(&st, &c, b, Format::OpenSlo).await
}

enum Format {
    Backstage,
    OpenSlo,
}

/// A dry run previews; otherwise the files are applied (only as previewed, with `digest`).
async fn run(
    st: &AppState,
    c: &ApiCaller,
    b: Result<Json<ImportBody>, JsonRejection>,
    format: Format,
) -> Result<Json<ImportReport>, ApiError> {
    let who = c.need(Scope::CatalogWrite)?;
    let Json(b) = b.map_err(bad_body)?;
    let digest = b.digest.as_deref();
    let report = match (format, b.dry_run) {
        (Format::Backstage, true) => commands::import::preview(st, who, &b.files).await?,
        (Format::Backstage, false) => commands::import::apply(st, who, &b.files, digest).await?,
        (Format::OpenSlo, true) => commands::slo_import::preview(st, who, &b.files).await?,
        (Format::OpenSlo, false) => commands::slo_import::apply(st, who, &b.files, digest).await?,
    };
    Ok(Json(report))
}

pub async fn export(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
) -> Result<Response, ApiError> {
    c.need(Scope::CatalogRead)?;
    let opts = Options::new(&st.settings.tier_annotation);
    let yaml = app::store::import::export(&st.pool, &opts).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/yaml; charset=utf-8")],
        yaml,
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    service: Option<String>,
}

pub async fn export_openslo(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    c.need(Scope::CatalogRead)?;
    let yaml = openslo_yaml(&st, q.service.as_deref()).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/yaml; charset=utf-8")],
        yaml,
    )
        .into_response())
}

/// The export: an unknown service is a 404, not an empty file.
pub async fn openslo_yaml(
    st: &AppState,
    service: Option<&str>,
) -> Result<String, app::error::AppError> {
    if let Some(s) = service {
        app::store::services::owner_of(&st.pool, s).await?;
    }
    let slos = app::store::slo_import::export(&st.pool, service).await?;
    Ok(app::domain::openslo::export(&slos))
}
