//! Downloads for signed-in people (the API has its own, behind tokens).
use axum::extract::State;
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
