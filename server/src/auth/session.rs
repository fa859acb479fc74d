//! Sessions: tower-sessions with its Postgres store, so any replica serves any session and
//! nothing session-related lives in process memory.
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use super::config::AuthConfig;

pub const SIGNED_IN: &str = "signed_in";
pub const PENDING: &str = "oidc_pending";

/// What a signed-in session holds. The role and teams are not here: they are read from the
/// database on each request, so an admin's change applies at once.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignedIn {
    pub user_id: i64,
    /// Unix seconds; the absolute lifetime counts from here.
    pub signed_in_at: i64,
    /// Unix seconds of the last request (refreshed at most every `touch_every`).
    pub last_seen: i64,
    pub id_token: String,
}

impl SignedIn {
    pub fn is_live(&self, now: i64, idle: Duration, lifetime: Duration) -> bool {
        now - self.last_seen <= idle.as_secs() as i64
            && now - self.signed_in_at <= lifetime.as_secs() as i64
    }
}

/// How often `last_seen` is written back: often enough to keep the idle timeout accurate to a
/// quarter of itself, rarely enough that reading a page is not a write.
pub fn touch_every(idle: Duration) -> i64 {
    (idle.as_secs() as i64 / 4).clamp(0, 60)
}

/// The session store. Its table comes from the portal's migrations (0009), not from the
/// store's own `migrate`, which needs a right to create schemas the server's role lacks.
pub async fn store(pool: &PgPool) -> Result<PostgresStore, sqlx::Error> {
    Ok(PostgresStore::new(pool.clone()))
}

/// A session's expiry while signed in: the idle timeout.
pub fn signed_in_expiry(config: &AuthConfig) -> Expiry {
    Expiry::OnInactivity(time::Duration::seconds(config.session_idle.as_secs() as i64))
}

/// A sign-in in progress that is not finished within this is dropped: an abandoned login (or a
/// flood of them) leaves a session row for minutes, not for the idle timeout.
pub const PENDING_EXPIRY: Expiry = Expiry::OnInactivity(time::Duration::minutes(10));

pub fn layer(store: PostgresStore, config: &AuthConfig) -> SessionManagerLayer<PostgresStore> {
    SessionManagerLayer::new(store)
        .with_name(config.cookie_name())
        .with_secure(config.secure_cookies())
        .with_http_only(true)
        // Lax, not the default Strict: the provider's redirect back is a cross-site navigation
        // and must carry the cookie that holds the pending login.
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(signed_in_expiry(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_and_absolute_limits() {
        let s = SignedIn {
            user_id: 1,
            signed_in_at: 1000,
            last_seen: 5000,
            id_token: String::new(),
        };
        let idle = Duration::from_secs(100);
        let life = Duration::from_secs(10_000);
        assert!(s.is_live(5100, idle, life));
        assert!(!s.is_live(5101, idle, life), "idle too long");
        assert!(
            !s.is_live(5050, idle, Duration::from_secs(4000)),
            "past the absolute lifetime"
        );
        assert_eq!(touch_every(Duration::from_secs(8 * 3600)), 60);
        assert_eq!(touch_every(Duration::from_secs(2)), 0);
    }
}
