//! How much one client may ask of the server: requests in flight, sign-ins started, writes.
//!
//! The counters live in this process. They are not shared state the replicas must agree on:
//! each replica protects itself, so with N replicas a client gets at most N times a limit
//! (README, "Configuration"). Keeping them out of PostgreSQL is the point: a sign-in flood refused
//! here costs the database nothing.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use app::domain::access::Me;
use app::error::AppError;

/// The server's limits, from the environment (README, "Configuration").
#[derive(Debug, Clone)]
pub struct Limits {
    /// Requests handled at once; more wait up to `queue_wait`, then get a 503.
    pub max_in_flight: usize,
    pub queue_wait: Duration,
    /// Open connections; more wait in the kernel's accept queue.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers (slow-loris clients are cut off).
    pub header_timeout: Duration,
    /// Sign-ins one client address may start per minute, and all clients together.
    pub logins_per_client_per_minute: u32,
    pub logins_per_minute: u32,
    /// Writes (POSTs to server functions) one signed-in person may make per minute.
    pub writes_per_person_per_minute: u32,
    /// Behind a reverse proxy: the header holding the client's address (its last entry, the one
    /// the proxy added, is used). Unset: the connection's peer address.
    pub client_ip_header: Option<header::HeaderName>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_in_flight: 256,
            queue_wait: Duration::from_secs(2),
            max_connections: 4096,
            header_timeout: Duration::from_secs(10),
            logins_per_client_per_minute: 30,
            logins_per_minute: 1200,
            writes_per_person_per_minute: 300,
            client_ip_header: None,
        }
    }
}

/// A token bucket per key: `burst` requests at once, refilled at `per_minute`. The map holds at
/// most `max_keys` keys; when full, keys whose bucket has refilled (idle clients) are dropped,
/// and if none has, a new key is refused: so thousands of spoofed addresses can neither grow
/// memory nor reset the limit of the ones already counted.
pub struct RateLimiter {
    per_minute: u32,
    burst: f64,
    max_keys: usize,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    pub fn new(per_minute: u32, max_keys: usize) -> RateLimiter {
        RateLimiter {
            per_minute,
            // A minute's allowance may come at once; a steady client never waits.
            burst: f64::from(per_minute.max(1)),
            max_keys,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key` at `now`. Err: the seconds until one is free.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), u64> {
        let rate = f64::from(self.per_minute.max(1)) / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if !buckets.contains_key(key) && buckets.len() >= self.max_keys {
            let burst = self.burst;
            buckets.retain(|_, b| refill(*b, now, rate, burst).tokens < burst);
            if buckets.len() >= self.max_keys {
                return Err(60);
            }
        }
        let b = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        *b = refill(*b, now, rate, self.burst);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / rate).ceil() as u64)
        }
    }
}

fn refill(b: Bucket, now: Instant, rate: f64, burst: f64) -> Bucket {
    let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
    Bucket {
        tokens: (b.tokens + elapsed * rate).min(burst),
        at: now,
    }
}

/// The limiters of one server process, shared by its routers' middleware.
pub struct Guards {
    pub limits: Limits,
    in_flight: Semaphore,
    logins_per_client: RateLimiter,
    logins: RateLimiter,
    writes: RateLimiter,
}

/// How many distinct clients (or people) the limiters remember at most.
const MAX_KEYS: usize = 100_000;

impl Guards {
    pub fn new(limits: Limits) -> Arc<Guards> {
        Arc::new(Guards {
            in_flight: Semaphore::new(limits.max_in_flight.max(1)),
            logins_per_client: RateLimiter::new(limits.logins_per_client_per_minute, MAX_KEYS),
            logins: RateLimiter::new(limits.logins_per_minute, 1),
            writes: RateLimiter::new(limits.writes_per_person_per_minute, MAX_KEYS),
            limits,
        })
    }

    /// The client's address: the proxy's header when one is configured, else the peer.
    fn client(&self, req: &Request<Body>) -> String {
        if let Some(name) = &self.limits.client_ip_header {
            if let Some(last) = req
                .headers()
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .rfind(|v| !v.is_empty())
            {
                // Bounded: the header is the client's to fill when no proxy rewrites it.
                return last.chars().take(64).collect();
            }
        }
        req.extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into())
    }
}

fn too_many(req: &Request<Body>, retry_after: u64, what: &str) -> Response {
    let message = format!("Too many {what}. Try again in {retry_after} s.");
    let mut res = if req.uri().path().starts_with("/api/") {
        crate::rest::error::ApiError::new(429, "rate_limited", message).into_response()
    } else if crate::router::is_page_request(req) {
        let e = AppError::BadRequest(message);
        let mut res = crate::auth::guard::error_response(&e, true);
        *res.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        res
    } else {
        let e = AppError::BadRequest(message);
        (StatusCode::TOO_MANY_REQUESTS, axum::Json(e)).into_response()
    };
    if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

/// At most `max_in_flight` requests are handled at once; the rest wait briefly, then get a 503
/// that says so. Probes are not counted, so an overloaded replica still reports its state.
pub async fn limit_in_flight(guards: Arc<Guards>, req: Request<Body>, next: Next) -> Response {
    if matches!(req.uri().path(), "/healthz" | "/readyz") {
        return next.run(req).await;
    }
    let wait = guards.limits.queue_wait;
    match tokio::time::timeout(wait, guards.in_flight.acquire()).await {
        Ok(Ok(_permit)) => next.run(req).await,
        _ => {
            tracing::warn!("request refused: {} in flight", guards.limits.max_in_flight);
            let e = AppError::Busy("The portal is busy. Try again in a moment.".into());
            crate::auth::guard::error_response(&e, crate::router::is_page_request(&req))
        }
    }
}

/// Each `/auth/login` stores a pending sign-in (a session row): a client may start only so many
/// per minute, and all clients together only so many, so a flood cannot fill the database.
pub async fn limit_logins(guards: Arc<Guards>, req: Request<Body>, next: Next) -> Response {
    if req.uri().path() != "/auth/login" {
        return next.run(req).await;
    }
    let now = Instant::now();
    let client = guards.client(&req);
    let verdict = guards
        .logins_per_client
        .check(&client, now)
        .and_then(|()| guards.logins.check("all", now));
    match verdict {
        Ok(()) => next.run(req).await,
        Err(retry) => {
            tracing::warn!(client = ?client, "sign-in start refused: rate limit");
            too_many(&req, retry, "sign-in attempts")
        }
    }
}

/// A signed-in person may make only so many writes per minute (API tokens have their own
/// limit, counted in the database per token).
pub async fn limit_writes(guards: Arc<Guards>, req: Request<Body>, next: Next) -> Response {
    let is_write = req.method() == Method::POST
        && req
            .uri()
            .path()
            .strip_prefix("/fn/")
            .is_some_and(|name| !only_reads(name));
    if !is_write {
        return next.run(req).await;
    }
    let Some(me) = req.extensions().get::<Me>() else {
        return next.run(req).await;
    };
    let key = me.id.to_string();
    match guards.writes.check(&key, Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(retry) => {
            tracing::warn!(user = me.id, "write refused: rate limit");
            too_many(&req, retry, "changes in a short time")
        }
    }
}

/// Server functions are all POSTs; those that only read are named so (`list_…`, `get_…`,
/// `search_…`, and a few lookups). Any other name counts as a write: the safe default for a
/// function added later.
fn only_reads(name: &str) -> bool {
    ["list_", "get_", "search_"]
        .iter()
        .any(|p| name.starts_with(p))
        || matches!(name, "me" | "team_choices" | "team_members")
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_are_told_from_writes_by_name() {
        for read in [
            "list_audit",
            "get_service",
            "search_catalog",
            "me",
            "team_members",
        ] {
            assert!(only_reads(read), "{read}");
        }
        for write in [
            "create_team",
            "set_user_disabled",
            "apply_import",
            "preview_import",
        ] {
            assert!(!only_reads(write), "{write}");
        }
    }

    use super::*;

    #[test]
    fn a_bucket_allows_a_burst_then_the_rate() {
        let l = RateLimiter::new(60, 10);
        let t0 = Instant::now();
        for _ in 0..60 {
            assert_eq!(l.check("a", t0), Ok(()));
        }
        assert_eq!(l.check("a", t0), Err(1), "the burst is spent");
        assert_eq!(l.check("b", t0), Ok(()), "another client has its own");
        assert_eq!(l.check("a", t0 + Duration::from_secs(1)), Ok(()));
        assert!(l.check("a", t0 + Duration::from_secs(1)).is_err());
    }

    #[test]
    fn many_keys_neither_grow_the_map_nor_reset_busy_ones() {
        let l = RateLimiter::new(1, 2);
        let t0 = Instant::now();
        assert_eq!(l.check("a", t0), Ok(()));
        assert_eq!(l.check("b", t0), Ok(()));
        // Full, and both buckets are spent: a third client is refused, "a" keeps its count.
        assert!(l.check("c", t0).is_err());
        assert!(l.check("a", t0).is_err());
        assert_eq!(l.buckets.lock().unwrap().len(), 2);
        // A minute on, both have refilled: idle keys make room.
        let later = t0 + Duration::from_secs(61);
        assert_eq!(l.check("c", later), Ok(()));
        assert!(l.buckets.lock().unwrap().len() <= 2);
    }
}
