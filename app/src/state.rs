//! What the server hands to every request: the pool, settings and caches.
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;

use crate::store::cache::ReadCache;

#[derive(Debug, Clone)]
pub struct Settings {
    /// A runbook not reviewed for longer than this is stale (PORTAL_RUNBOOK_STALE_DAYS).
    pub runbook_stale_days: i64,
    /// The bearer token a scraper presents for `/metrics` (PORTAL_METRICS_TOKEN); none: off.
    pub metrics_token: Option<Secret>,
    /// Requests per minute one API token may make (PORTAL_API_RATE_PER_MINUTE).
    pub api_rate_per_minute: i32,
    /// The annotation a Backstage Component's tier is read from (PORTAL_TIER_ANNOTATION).
    pub tier_annotation: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            runbook_stale_days: 180,
            metrics_token: None,
            api_rate_per_minute: 1200,
            tier_annotation: crate::domain::import::DEFAULT_TIER_ANNOTATION.to_string(),
        }
    }
}

/// A value that must never reach a log: its `Debug` says only that it is set.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The id of the request being served, for logs and the audit trail (set by the server).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The catalog generation as this request began (read by the server's sign-in gate with the
/// person, in one statement): the key for the read cache, see `store::cache`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogGeneration {
    /// Moves with every committed change to the catalog's tables.
    pub all: i64,
    /// Moves only with changes that can change a facet count (migration 0007).
    pub facets: i64,
}

/// This response's Content-Security-Policy script nonce (set by the server, used by the shell).
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub settings: Settings,
    pub leptos_options: LeptosOptions,
    pub cache: Arc<ReadCache>,
}

impl AppState {
    pub fn new(pool: PgPool, settings: Settings, leptos_options: LeptosOptions) -> AppState {
        AppState {
            pool,
            settings,
            leptos_options,
            cache: Arc::new(ReadCache::default()),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
