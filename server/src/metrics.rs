//! `/metrics` in the Prometheus text format: requests and their latency by route and status,
//! the database pool, and the read caches. Figures are per process (each replica is scraped on
//! its own, as Prometheus expects), so nothing here needs sharing.
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, State};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Extension;

use app::state::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BOUNDS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default, Clone)]
struct Histogram {
    /// Counts per bucket (not cumulative; summed when written).
    buckets: [u64; BOUNDS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(i) = BOUNDS.iter().position(|b| seconds <= *b) {
            self.buckets[i] += 1;
        }
        self.count += 1;
        self.sum += seconds;
    }
}

/// Keyed by (route template, method, status): bounded by the routes the router knows.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), Histogram>>,
}

impl Metrics {
    fn observe(&self, route: String, method: String, status: u16, seconds: f64) {
        if let Ok(mut r) = self.requests.lock() {
            r.entry((route, method, status))
                .or_default()
                .observe(seconds);
        }
    }

    /// The text exposition of everything measured, plus the pool and caches of `st`.
    pub fn render(&self, st: &AppState) -> String {
        let mut out = String::new();
        let requests = self.requests.lock().map(|r| r.clone()).unwrap_or_default();
        out.push_str(
            "# HELP portal_http_requests_total Requests answered, by route, method and status.\n",
        );
        out.push_str("# TYPE portal_http_requests_total counter\n");
        for ((route, method, status), h) in &requests {
            let _ = writeln!(
                out,
                "portal_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {}",
                label(route),
                h.count
            );
        }
        out.push_str("# HELP portal_http_request_duration_seconds Time to answer, by route, method and status.\n");
        out.push_str("# TYPE portal_http_request_duration_seconds histogram\n");
        for ((route, method, status), h) in &requests {
            let labels = format!(
                "route=\"{}\",method=\"{method}\",status=\"{status}\"",
                label(route)
            );
            let mut cumulative = 0;
            for (bound, n) in BOUNDS.iter().zip(h.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "portal_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "portal_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "portal_http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "portal_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
        let size = st.pool.size();
        let idle = st.pool.num_idle() as u32;
        out.push_str(
            "# HELP portal_db_pool_connections Database connections of this process, by state.\n",
        );
        out.push_str("# TYPE portal_db_pool_connections gauge\n");
        let _ = writeln!(out, "portal_db_pool_connections{{state=\"idle\"}} {idle}");
        let _ = writeln!(
            out,
            "portal_db_pool_connections{{state=\"in_use\"}} {}",
            size.saturating_sub(idle)
        );
        out.push_str("# HELP portal_db_pool_max_connections The pool's limit.\n");
        out.push_str("# TYPE portal_db_pool_max_connections gauge\n");
        let _ = writeln!(
            out,
            "portal_db_pool_max_connections {}",
            st.pool.options().get_max_connections()
        );
        let c = &st.cache;
        let caches = [
            ("facets", &c.facets.stats, None),
            (
                "catalog_html",
                &c.catalog_html.stats,
                Some(c.catalog_html.bytes()),
            ),
            (
                "service_html",
                &c.service_html.stats,
                Some(c.service_html.bytes()),
            ),
        ];
        out.push_str("# HELP portal_cache_hits_total Read-cache hits.\n# TYPE portal_cache_hits_total counter\n");
        for (name, stats, _) in &caches {
            let _ = writeln!(
                out,
                "portal_cache_hits_total{{cache=\"{name}\"}} {}",
                stats.hits()
            );
        }
        out.push_str("# HELP portal_cache_misses_total Read-cache misses (computed or rendered).\n# TYPE portal_cache_misses_total counter\n");
        for (name, stats, _) in &caches {
            let _ = writeln!(
                out,
                "portal_cache_misses_total{{cache=\"{name}\"}} {}",
                stats.misses()
            );
        }
        out.push_str("# HELP portal_cache_bytes Bytes held by a byte-bounded cache.\n# TYPE portal_cache_bytes gauge\n");
        for (name, _, bytes) in &caches {
            if let Some(b) = bytes {
                let _ = writeln!(out, "portal_cache_bytes{{cache=\"{name}\"}} {b}");
            }
        }
        out
    }
}

/// A label value in the exposition format (route templates carry no quotes, but be safe).
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Records every request under its route template (never the raw path: bounded labels).
pub async fn record(
    Extension(m): Extension<Arc<Metrics>>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    m.observe(
        route,
        method,
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    res
}

/// `GET /metrics`, for a scraper holding `PORTAL_METRICS_TOKEN` as a bearer token. Without the
/// setting it is off (404); a missing or wrong token is a 401.
pub async fn metrics(
    State(st): State<AppState>,
    Extension(m): Extension<Arc<Metrics>>,
    headers: HeaderMap,
) -> Response {
    let Some(token) = &st.settings.metrics_token else {
        return (
            StatusCode::NOT_FOUND,
            "metrics are off: set PORTAL_METRICS_TOKEN",
        )
            .into_response();
    };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !constant_time_eq(presented.as_bytes(), token.0.as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "a valid bearer token is required",
        )
            .into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        m.render(&st),
    )
        .into_response()
}

/// Compares without stopping at the first difference, so timing does not leak the token.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_by_upper_bound() {
        let mut h = Histogram::default();
        h.observe(0.0005);
        h.observe(0.003);
        h.observe(20.0);
        assert_eq!(h.buckets[0], 1);
        assert_eq!(h.buckets[2], 1, "0.003 is in the 5 ms bucket");
        assert_eq!(
            h.buckets.iter().sum::<u64>(),
            2,
            "past the last bound: only +Inf"
        );
        assert_eq!(h.count, 3);
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
