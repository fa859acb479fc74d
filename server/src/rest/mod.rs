//! The public REST API, `/api/v1/…`, for machine clients holding an API token. Every route
//! checks the token's scope here and calls the same write path (`app::commands`) and reads
//! (`app::store`) as the pages, so a rule lives once. Cookies never authorise it.
mod auth;
mod catalog;
mod error;

use axum::routing::get;
use axum::Router;

use app::state::AppState;

pub use error::ApiError;

pub fn routes(state: AppState) -> Router<AppState> {
    let v1 = Router::new()
        .route(
            "/services",
            get(catalog::list_services).post(catalog::create_service),
        )
        .route(
            "/services/{slug}",
            get(catalog::get_service)
                .put(catalog::update_service)
                .delete(catalog::delete_service),
        )
        .route(
            "/services/{slug}/links",
            axum::routing::post(catalog::add_link),
        )
        .route(
            "/services/{slug}/links/{id}",
            axum::routing::put(catalog::update_link).delete(catalog::delete_link),
        )
        .route(
            "/services/{slug}/dependencies",
            axum::routing::post(catalog::add_dependency),
        )
        .route(
            "/services/{slug}/dependencies/{target}",
            axum::routing::delete(catalog::remove_dependency),
        )
        .route(
            "/teams",
            get(catalog::list_teams).post(catalog::create_team),
        )
        .route(
            "/teams/{slug}",
            get(catalog::get_team)
                .put(catalog::update_team)
                .delete(catalog::delete_team),
        )
        .route("/tiers", get(catalog::list_tiers))
        .route(
            "/tiers/{tier}",
            get(catalog::get_tier).put(catalog::update_tier),
        )
        .route("/audit", get(catalog::list_audit))
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state,
            auth::authenticate,
        ));
    Router::new()
        .nest("/api/v1", v1)
        .route("/api/{*rest}", axum::routing::any(error::not_found))
}
