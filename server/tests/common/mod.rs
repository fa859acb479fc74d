//! TestApp: the real router over a real (per-test) database, driven in-process.
#![allow(dead_code)]
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use sqlx::PgPool;
use tower::ServiceExt;

use app::state::{AppState, Settings};

pub struct TestApp {
    pub router: Router,
    pub pool: PgPool,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn error(&self) -> app::error::AppError {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not an AppError ({e}): {}", self.body))
    }
    pub fn location(&self) -> Option<&str> {
        self.headers.get("location").and_then(|v| v.to_str().ok())
    }
}

impl TestApp {
    pub async fn new(pool: PgPool) -> TestApp {
        let options = LeptosOptions::builder().output_name("portal").build();
        let state = AppState::new(pool.clone(), Settings::default(), options);
        TestApp {
            router: server::router::router(state),
            pool,
        }
    }

    pub async fn with_demo(pool: PgPool) -> TestApp {
        app::store::demo::load(&pool, chrono::Utc::now().date_naive())
            .await
            .unwrap();
        TestApp::new(pool).await
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(
            Request::get(path)
                .header("accept", "text/html")
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// A server-function call as the hydrated page makes it: same-origin, form-encoded.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        self.post_with(path, form, &[("sec-fetch-site", "same-origin")])
            .await
    }

    pub async fn post_with(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Reply {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut req =
            Request::post(path).header("content-type", "application/x-www-form-urlencoded");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    pub async fn scalar_i64(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.pool).await.unwrap()
    }
}
