//! The REST API's client side in tests: tokens made as the token page makes them, and calls
//! with a bearer token and no cookie.
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::Value;

use super::{Reply, TestApp};

/// A token made through the admin's server function, as the token page makes it.
pub async fn token(app: &TestApp, team: &str, scopes: &str) -> String {
    let r = app
        .post(
            "/fn/create_token",
            &[
                ("form[name]", "ci"),
                ("form[team]", team),
                ("form[scopes]", scopes),
                ("form[expires_in_days]", "30"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    v["secret"].as_str().unwrap().to_string()
}

pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    };
    // No cookie: the API never reads the session.
    app.with_cookie(None).send(req.unwrap()).await
}

pub fn json_of(r: &Reply) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|_| panic!("not JSON: {} {}", r.status, r.body))
}

pub fn code(r: &Reply) -> String {
    json_of(r)["code"].as_str().unwrap_or_default().to_string()
}
