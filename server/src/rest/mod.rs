//! The public REST API, `/api/v1/…`, for machine clients holding an API token. Every route
//! checks the token's scope and calls the same write path (`app::commands`) and reads
//! (`app::store`) as the pages, so a rule lives once. Cookies never authorise it.
//!
//! The routes are listed once, in `app::domain::api_routes::ROUTES`: the router is built from
//! that list (a listed route without a handler fails the tests) and so is the OpenAPI document.
mod auth;
mod catalog;
pub mod error;
pub(crate) mod import;
pub mod openapi;
mod slos;

use axum::routing::{delete, get, post, put, MethodRouter};
use axum::Router;

use app::domain::api_routes::{ApiRoute, ROUTES};
use app::state::AppState;

pub use error::ApiError;

/// The handler of a listed route; None means the list names a route nobody serves.
pub fn handler(r: &ApiRoute) -> Option<MethodRouter<AppState>> {
    use catalog as c;
    Some(match (r.method, r.path) {
        ("GET", "/services") => get(c::list_services),
        ("POST", "/services") => post(c::create_service),
        ("GET", "/services/{slug}") => get(c::get_service),
        ("PUT", "/services/{slug}") => put(c::update_service),
        ("DELETE", "/services/{slug}") => delete(c::delete_service),
        ("POST", "/services/{slug}/links") => post(c::add_link),
        ("PUT", "/services/{slug}/links/{id}") => put(c::update_link),
        ("DELETE", "/services/{slug}/links/{id}") => delete(c::delete_link),
        ("POST", "/services/{slug}/dependencies") => post(c::add_dependency),
        ("DELETE", "/services/{slug}/dependencies/{target}") => delete(c::remove_dependency),
        ("GET", "/services/{slug}/slos") => get(slos::list),
        ("POST", "/services/{slug}/slos") => post(slos::create),
        ("GET", "/services/{slug}/slos/{slo}") => get(slos::get),
        ("PUT", "/services/{slug}/slos/{slo}") => put(slos::update),
        ("DELETE", "/services/{slug}/slos/{slo}") => delete(slos::delete),
        ("GET", "/services/{slug}/slos/{slo}/rules") => get(slos::rules),
        ("POST", "/slos/{service}/{slo}/counts") => {
            post(slos::push_counts).layer(slos::counts_body_limit())
        }
        ("GET", "/teams") => get(c::list_teams),
        ("POST", "/teams") => post(c::create_team),
        ("GET", "/teams/{slug}") => get(c::get_team),
        ("PUT", "/teams/{slug}") => put(c::update_team),
        ("DELETE", "/teams/{slug}") => delete(c::delete_team),
        ("GET", "/tiers") => get(c::list_tiers),
        ("GET", "/tiers/{tier}") => get(c::get_tier),
        ("PUT", "/tiers/{tier}") => put(c::update_tier),
        ("GET", "/audit") => get(c::list_audit),
        ("POST", "/import") => post(import::import).layer(import::body_limit()),
        ("POST", "/openslo") => post(import::import_openslo).layer(import::body_limit()),
        ("GET", "/openslo") => get(import::export_openslo),
        ("GET", "/export") => get(import::export),
        _ => return None,
    })
}

pub fn routes(state: AppState) -> Router<AppState> {
    let mut v1 = Router::new();
    for r in ROUTES {
        // A listed route always has a handler (tested); skip rather than panic at start-up.
        if let Some(h) = handler(r) {
            v1 = v1.route(r.path, h);
        } else {
            tracing::error!(
                method = r.method,
                path = r.path,
                "API route without a handler"
            );
        }
    }
    let v1 = v1
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state,
            auth::authenticate,
        ));
    Router::new()
        // The document holds no data, so clients and tools may read it without a token.
        .route("/api/v1/openapi.json", get(openapi::document))
        .nest("/api/v1", v1)
        .route("/api/{*rest}", axum::routing::any(error::not_found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_route_has_a_handler() {
        for r in ROUTES {
            assert!(
                handler(r).is_some(),
                "{} {} is listed but not served",
                r.method,
                r.path
            );
        }
    }
}
