//! Request-level protections that apply to every route.
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

use app::state::CspNonce;

/// Refuses state-changing requests that a browser says come from another site. Browsers send
/// `Sec-Fetch-Site` or `Origin` on every POST; `Origin` must be the portal's configured public
/// origin (the `Host` header is the client's to choose). A request with neither may come from a
/// non-browser client (an API token), but not with a cookie: a cookie means a browser, and one
/// old or odd enough to send neither header gets no benefit of the doubt.
pub async fn reject_cross_site(
    public_origin: Arc<str>,
    req: Request<Body>,
    next: Next,
) -> Response {
    if is_mutating(req.method()) && !same_origin(req.headers(), &public_origin) {
        tracing::warn!(method = %req.method(), uri = ?req.uri().path(), "cross-site request refused");
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":"Cross-site requests are not allowed."}"#,
        )
            .into_response();
    }
    next.run(req).await
}

fn is_mutating(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub fn same_origin(h: &HeaderMap, public_origin: &str) -> bool {
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        // "none" is a user-initiated request (typed URL, bookmark).
        return site == "same-origin" || site == "none";
    }
    match h.get(header::ORIGIN) {
        Some(origin) => origin.to_str().is_ok_and(|o| o == public_origin),
        None => !h.contains_key(header::COOKIE),
    }
}

/// The largest request body a form, a server function or an API call may send.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The largest body of an import (Backstage files, up to 4 MiB of YAML, as JSON).
pub const MAX_IMPORT_BODY_BYTES: usize = 6 * 1024 * 1024;

/// The largest push of SLO counts: a day of minute buckets (1,440) as JSON, with room to spare.
pub const MAX_COUNTS_BODY_BYTES: usize = 256 * 1024;

/// The body limit for a route kind: imports may be large, count pushes medium, everything else
/// is small.
pub fn body_limit_for(path: &str) -> usize {
    match path {
        "/api/v1/import" | "/fn/preview_import" | "/fn/apply_import" => MAX_IMPORT_BODY_BYTES,
        p if p.starts_with("/api/v1/slos/") && p.ends_with("/counts") => MAX_COUNTS_BODY_BYTES,
        _ => MAX_BODY_BYTES,
    }
}

/// Refuses a declared body over the route's limit at once (413, nothing read), and cuts off an
/// undeclared (chunked) one at the limit: server functions read their bodies whole, so without
/// this any signed-in viewer could make the server buffer gigabytes.
pub async fn limit_body(req: Request<Body>, next: Next) -> Response {
    let limit = body_limit_for(req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        let message = format!("The request body is larger than {} KiB.", limit / 1024);
        if req.uri().path().starts_with("/api/") {
            return crate::rest::error::ApiError::new(413, "payload_too_large", message)
                .into_response();
        }
        let e = app::error::AppError::BadRequest(message);
        return (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(e)).into_response();
    }
    let req = req.map(|b| Body::new(http_body_util::Limited::new(b, limit)));
    next.run(req).await
}

/// Headers for every response, including a Content-Security-Policy whose script nonce is fresh
/// per response: the page shell stamps it on the hydration script, so that script runs and no
/// injected one does. `form_action` adds the identity provider's origin, where sign-out's form
/// is redirected.
///
/// Everything but the static assets is `no-store`: signed-in pages and API answers hold what one
/// person may see, and a shared or back-button cache must not show it to the next. Over https,
/// HSTS keeps browsers from ever trying plain http.
pub async fn security_headers(
    form_action: String,
    https: bool,
    mut req: Request<Body>,
    next: Next,
) -> Response {
    let nonce = fresh_nonce();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let path = req.uri().path();
    let is_asset = path.starts_with("/pkg/") || path.starts_with("/favicon.");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self' {form_action}; frame-ancestors 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(csp.trim()) {
        h.insert("content-security-policy", v);
    }
    res
}

/// 128 random bits, base64url: the CSP nonce.
fn fresh_nonce() -> String {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The scheme, host and port of a URL, for a CSP source list.
pub fn origin_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn origin_rules() {
        let public = "http://127.0.0.1:3000";
        let ok = |pairs: &[(&'static str, &'static str)]| same_origin(&headers(pairs), public);
        assert!(ok(&[("sec-fetch-site", "same-origin")]));
        assert!(!ok(&[("sec-fetch-site", "cross-site")]));
        assert!(!ok(&[("sec-fetch-site", "same-site")]));
        assert!(ok(&[("origin", "http://127.0.0.1:3000")]));
        assert!(!ok(&[("origin", "https://evil.example")]));
        assert!(
            !ok(&[("origin", "https://evil.example"), ("host", "evil.example")]),
            "the Host header is the client's to choose"
        );
        assert!(!ok(&[("origin", "null"), ("cookie", "id=1")]));
        assert!(ok(&[]), "non-browser clients send neither header");
        assert!(
            !ok(&[("cookie", "__Host-portal=abc")]),
            "a cookie without Origin or Sec-Fetch-Site is refused"
        );
    }
}
