//! Downloads for signed-in people (the API has its own, behind tokens).
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;

use app::domain::access::Me;
use app::domain::backstage::Options;
use app::state::AppState;

/// The catalog as Backstage YAML. Everyone signed in reads the catalog, so everyone may export
/// it; the sign-in gate has already checked the session (`Me` is its proof).
pub async fn catalog_yaml(State(st): State<AppState>, Extension(_me): Extension<Me>) -> Response {
    let opts = Options::new(&st.settings.tier_annotation);
    match app::store::import::export(&st.pool, &opts).await {
        Ok(yaml) => (
            [
                (header::CONTENT_TYPE, "application/yaml; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"catalog-info.yaml\"",
                ),
            ],
            yaml,
        )
            .into_response(),
        Err(e) => crate::auth::guard::error_response(&e, true),
    }
}

/// A Prometheus SLO's rules file, for anyone signed in (everyone reads SLOs).
pub async fn slo_rules(
    State(st): State<AppState>,
    Extension(_me): Extension<Me>,
    Path((service, slo)): Path<(String, String)>,
) -> Response {
    let found = app::store::slos::get(&st.pool, None, &service, &slo, chrono::Utc::now()).await;
    match found.map(|v| app::store::slos::rules(&v.slo)) {
        Ok(Some(yaml)) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/yaml; charset=utf-8".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{service}-{slo}-rules.yaml\""),
                ),
            ],
            yaml,
        )
            .into_response(),
        Ok(None) => crate::auth::guard::error_response(
            &app::error::AppError::NotFound(format!("Prometheus rules of SLO \"{slo}\"")),
            true,
        ),
        Err(e) => crate::auth::guard::error_response(&e, true),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct OpensloQuery {
    service: Option<String>,
}

/// Every SLO (or one service's) as OpenSLO v1, for anyone signed in.
pub async fn openslo_yaml(
    State(st): State<AppState>,
    Extension(_me): Extension<Me>,
    Query(q): Query<OpensloQuery>,
) -> Response {
    match crate::rest::import::openslo_yaml(&st, q.service.as_deref()).await {
        Ok(yaml) => (
            [
                (header::CONTENT_TYPE, "application/yaml; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"slos.openslo.yaml\"",
                ),
            ],
            yaml,
        )
            .into_response(),
        Err(e) => crate::auth::guard::error_response(&e, true),
    }
}
