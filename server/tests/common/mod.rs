//! TestApp: the real router over a real (per-test) database, driven in-process, signing in
//! through a real OpenID Connect exchange with a provider under the tests' control.
#![allow(dead_code)]
pub mod api;
pub mod op;
pub mod prometheus;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use sqlx::PgPool;
use tower::ServiceExt;

use app::state::{AppState, Settings};
use server::auth::config::AuthConfig;
use server::auth::oidc::Oidc;
use server::limits::{Guards, Limits};

use op::{Tamper, TestOp, TestUser, ALICE_ADMIN, CLIENT_ID, CLIENT_SECRET};

pub const PUBLIC_URL: &str = "http://portal.test";

/// Far beyond any page's time on a loaded CI machine.
const REQUEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Clone)]
pub struct TestApp {
    pub router: Router,
    pub pool: PgPool,
    pub op: TestOp,
    /// The session cookie ("portal_session=…") sent with every request, if any.
    pub cookie: Option<String>,
}

/// What /auth/login handed the browser: the pre-sign-in cookie and the authorization request.
pub struct LoginStart {
    pub cookie: String,
    pub state: String,
    pub nonce: String,
    pub challenge: String,
    pub authorize_url: url::Url,
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

    /// The session cookie this response sets ("portal_session=…"), unless it removes it.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter(|v| v.starts_with("portal_session="))
            .map(|v| v.split(';').next().unwrap_or_default().to_string())
            .find(|c| c != "portal_session=")
    }

    /// True when this response tells the browser to drop the session cookie.
    pub fn clears_session_cookie(&self) -> bool {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.starts_with("portal_session=;") || v.contains("Max-Age=0"))
    }
}

/// A pool on the same database acting as `portal_app`, the role migration 0009 gives the
/// server: it may append to the audit trail but not rewrite it, nor alter or truncate tables.
pub async fn as_server_role(pool: &PgPool) -> PgPool {
    // The server's pool settings (its acquire and statement time limits), as in production.
    server::config::pool_options(4)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::query("SET ROLE portal_app").execute(conn).await?;
                Ok(())
            })
        })
        .connect_with((*pool.connect_options()).clone())
        .await
        .expect("a pool as the server's role")
}

impl TestApp {
    /// Signed in as an admin, with the default sign-in settings.
    pub async fn new(pool: PgPool) -> TestApp {
        TestApp::anonymous(pool, |_| {})
            .await
            .signed_in_as(&ALICE_ADMIN)
            .await
    }

    /// Nobody signed in; `tweak` adjusts the sign-in settings (e.g. short session limits).
    pub async fn anonymous(pool: PgPool, tweak: impl FnOnce(&mut AuthConfig)) -> TestApp {
        TestApp::anonymous_with(pool, tweak, Settings::default()).await
    }

    /// `anonymous`, with the portal's own settings too.
    pub async fn anonymous_with(
        pool: PgPool,
        tweak: impl FnOnce(&mut AuthConfig),
        settings: Settings,
    ) -> TestApp {
        TestApp::build(pool, tweak, settings, Limits::default()).await
    }

    /// Nobody signed in, with the server's rate and concurrency limits set to `limits`.
    pub async fn anonymous_limited(pool: PgPool, limits: Limits) -> TestApp {
        TestApp::build(pool, |_| {}, Settings::default(), limits).await
    }

    async fn build(
        pool: PgPool,
        tweak: impl FnOnce(&mut AuthConfig),
        settings: Settings,
        limits: Limits,
    ) -> TestApp {
        // Server logs show with a failing test's output (RUST_LOG to change the level).
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "warn,sqlx=error".into()),
            )
            .with_test_writer()
            .try_init();
        let op = TestOp::start().await;
        let mut auth = AuthConfig::new(&op.issuer, CLIENT_ID, CLIENT_SECRET, PUBLIC_URL);
        auth.mapping.roles =
            app::domain::access::GroupMapping::parse_roles("sre-admins=admin,team-*=editor")
                .unwrap();
        tweak(&mut auth);
        let options = LeptosOptions::builder().output_name("portal").build();
        // The router serves as the server's own role, as in production; `pool` (the test
        // database's owner) stays for fixtures and probes.
        let served = as_server_role(&pool).await;
        let state = AppState::new(served.clone(), settings, options);
        let sessions = server::auth::session::store(&served).await.unwrap();
        let oidc = Arc::new(Oidc::new(auth).unwrap());
        TestApp {
            router: server::router::router_with(state, oidc, sessions, Guards::new(limits)),
            pool,
            op,
            cookie: None,
        }
    }

    pub async fn with_demo(pool: PgPool) -> TestApp {
        app::store::demo::load(&pool, chrono::Utc::now().date_naive())
            .await
            .unwrap();
        TestApp::new(pool).await
    }

    /// The same app with another (or no) session cookie.
    pub fn with_cookie(&self, cookie: Option<String>) -> TestApp {
        TestApp {
            cookie,
            ..self.clone()
        }
    }

    /// Starts a sign-in as a browser would: GET /auth/login, expect a redirect to the provider.
    pub async fn start_login(&self, next: &str) -> LoginStart {
        let path = format!(
            "/auth/login?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        );
        let r = self.with_cookie(None).get(&path).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login: {}", r.body);
        let authorize_url = url::Url::parse(r.location().unwrap()).unwrap();
        let q = |k: &str| {
            authorize_url
                .query_pairs()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        LoginStart {
            cookie: r.session_cookie().expect("a pre-sign-in session cookie"),
            state: q("state"),
            nonce: q("nonce"),
            challenge: q("code_challenge"),
            authorize_url: authorize_url.clone(),
        }
    }

    /// The provider's redirect back to the portal.
    pub async fn callback(&self, cookie: &str, code: &str, state: &str) -> Reply {
        let path = format!("/auth/callback?code={code}&state={state}");
        self.with_cookie(Some(cookie.to_string())).get(&path).await
    }

    /// A complete sign-in through the provider; returns the app holding the new session.
    pub async fn signed_in_as(&self, user: &TestUser) -> TestApp {
        let start = self.start_login("/").await;
        let code = self
            .op
            .issue_code(user, &start.nonce, &start.challenge, Tamper::None);
        let r = self.callback(&start.cookie, &code, &start.state).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "callback: {}", r.body);
        let cookie = r.session_cookie().expect("a session cookie after sign-in");
        self.with_cookie(Some(cookie))
    }

    pub async fn send(&self, mut req: Request<Body>) -> Reply {
        if let Some(c) = &self.cookie {
            req.headers_mut()
                .insert("cookie", c.parse().expect("a valid cookie header"));
        }
        let what = format!("{} {}", req.method(), req.uri());
        // A request that never answers fails its test instead of stalling the whole run.
        let answer = async {
            let res = self.router.clone().oneshot(req).await.unwrap();
            let (parts, body) = res.into_parts();
            (parts, body.collect().await.unwrap().to_bytes())
        };
        let (parts, bytes) = tokio::time::timeout(REQUEST_LIMIT, answer)
            .await
            .unwrap_or_else(|_| panic!("{what}: no answer within {REQUEST_LIMIT:?}"));
        let (status, headers) = (parts.status, parts.headers);
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

    /// A JSON server-function call as the hydrated page makes it: same-origin.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> Reply {
        self.send(
            Request::post(path)
                .header("content-type", "application/json")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
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
