//! Request-level protections that apply to every route.
use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::state::CspNonce;

/// Refuses state-changing requests that a browser says come from another site. Browsers send
/// `Sec-Fetch-Site` and `Origin` on cross-site POSTs; a request without either comes from a
/// non-browser client, which cannot ride on a victim's cookies.
pub async fn reject_cross_site(req: Request<Body>, next: Next) -> Response {
    if is_mutating(req.method()) && !same_origin(req.headers()) {
        tracing::warn!(method = %req.method(), uri = %req.uri(), "cross-site request refused");
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

pub fn same_origin(h: &HeaderMap) -> bool {
    if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        // "none" is a user-initiated request (typed URL, bookmark).
        return site == "same-origin" || site == "none";
    }
    match (h.get(header::ORIGIN), h.get(header::HOST)) {
        (Some(origin), Some(host)) => {
            let origin = origin.to_str().unwrap_or("");
            let host = host.to_str().unwrap_or("");
            let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
            !host.is_empty() && origin_host == host
        }
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// Headers for every response, including a Content-Security-Policy whose script nonce is fresh
/// per response: the page shell stamps it on the hydration script, so that script runs and no
/// injected one does. `form_action` adds the identity provider's origin, where sign-out's form
/// is redirected.
pub async fn security_headers(form_action: String, mut req: Request<Body>, next: Next) -> Response {
    let nonce = fresh_nonce();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
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
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(same_origin(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(
            same_origin(&headers(&[])),
            "non-browser clients send neither header"
        );
    }
}
