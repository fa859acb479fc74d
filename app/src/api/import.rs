//! Imports from the portal's pages (Backstage descriptors, OpenSLO SLOs): a preview, then the
//! same files applied.
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::import::{ImportFile, ImportReport};
use crate::error::AppError;

#[server(prefix = "/fn", input = Json, endpoint = "preview_import")]
pub async fn preview_import(files: Vec<ImportFile>) -> Result<ImportReport, AppError> {
    use super::ctx::{caller, respond, state};
    respond(crate::commands::import::preview(&state()?, &caller()?, &files).await)
}

/// Applies what the preview with `digest` showed, or refuses (409) if that is no longer it.
#[server(prefix = "/fn", input = Json, endpoint = "apply_import")]
pub async fn apply_import(
    files: Vec<ImportFile>,
    digest: String,
) -> Result<ImportReport, AppError> {
    use super::ctx::{caller, respond, state};
    respond(crate::commands::import::apply(&state()?, &caller()?, &files, Some(&digest)).await)
}

/// What importing OpenSLO files would do to the SLOs, changing nothing.
#[server(prefix = "/fn", input = Json, endpoint = "preview_slo_import")]
pub async fn preview_slo_import(files: Vec<ImportFile>) -> Result<ImportReport, AppError> {
    use super::ctx::{caller, respond, state};
    respond(crate::commands::slo_import::preview(&state()?, &caller()?, &files).await)
}

/// Applies what the OpenSLO preview with `digest` showed, or refuses (409).
#[server(prefix = "/fn", input = Json, endpoint = "apply_slo_import")]
pub async fn apply_slo_import(
    files: Vec<ImportFile>,
    digest: String,
) -> Result<ImportReport, AppError> {
    use super::ctx::{caller, respond, state};
    respond(crate::commands::slo_import::apply(&state()?, &caller()?, &files, Some(&digest)).await)
}
