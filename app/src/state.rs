//! What the server hands to every request: the pool, settings and caches.
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;

use crate::store::catalog::FacetCache;

#[derive(Debug, Clone)]
pub struct Settings {
    /// A runbook not reviewed for longer than this is stale (PORTAL_RUNBOOK_STALE_DAYS).
    pub runbook_stale_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            runbook_stale_days: 180,
        }
    }
}

/// The id of the request being served, for logs and the audit trail (set by the server).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// This response's Content-Security-Policy script nonce (set by the server, used by the shell).
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub settings: Settings,
    pub leptos_options: LeptosOptions,
    pub facet_cache: Arc<FacetCache>,
}

impl AppState {
    pub fn new(pool: PgPool, settings: Settings, leptos_options: LeptosOptions) -> AppState {
        AppState {
            pool,
            settings,
            leptos_options,
            facet_cache: Arc::new(FacetCache::default()),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
