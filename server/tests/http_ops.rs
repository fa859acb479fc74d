//! Operations: liveness and readiness, `/metrics`, and the portal while its database is away.
mod common;

use std::time::{Duration, Instant};

use app::state::{Secret, Settings};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::TestApp;
use server::devdb::DevDb;
use sqlx::PgPool;

const TOKEN: &str = "metrics-token-for-tests";

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn metrics_count_requests_by_route_and_need_the_token(pool: PgPool) {
    let settings = Settings {
        metrics_token: Some(Secret(TOKEN.into())),
        ..Settings::default()
    };
    app::store::demo::load(&pool, chrono::Utc::now().date_naive())
        .await
        .unwrap();
    let anon = TestApp::anonymous_with(pool, |_| {}, settings).await;
    let app = anon.signed_in_as(&common::op::ALICE_ADMIN).await;
    for _ in 0..3 {
        assert_eq!(app.get("/services/ledger").await.status, StatusCode::OK);
    }
    assert_eq!(
        app.get("/services/nope").await.status,
        StatusCode::NOT_FOUND
    );

    let scrape = |token: Option<&str>| {
        let mut req = Request::get("/metrics");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        anon.send(req.body(Body::empty()).unwrap())
    };
    assert_eq!(scrape(None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        scrape(Some("wrong-token-wrong-token")).await.status,
        StatusCode::UNAUTHORIZED
    );
    // A session does not open it either: it is for scrapers with the token.
    assert_eq!(app.get("/metrics").await.status, StatusCode::UNAUTHORIZED);

    let m = scrape(Some(TOKEN)).await;
    assert_eq!(m.status, StatusCode::OK);
    let line = |prefix: &str| {
        m.body
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in\n{}", m.body))
            .to_string()
    };
    // By route template, not raw path; statuses apart.
    let ok =
        line(r#"portal_http_requests_total{route="/services/{slug}",method="GET",status="200"}"#);
    assert!(ok.ends_with(" 3"), "{ok}");
    line(r#"portal_http_requests_total{route="/services/{slug}",method="GET",status="404"} 1"#);
    let inf = line(
        r#"portal_http_request_duration_seconds_bucket{route="/services/{slug}",method="GET",status="200",le="+Inf"}"#,
    );
    assert!(inf.ends_with(" 3"), "{inf}");
    assert!(
        !m.body.contains("/services/ledger"),
        "raw paths are not labels"
    );
    line("portal_db_pool_connections{state=\"idle\"}");
    line("portal_db_pool_max_connections ");
    // Three views of one unchanged page: rendered once, then reused.
    let hits = line(r#"portal_cache_hits_total{cache="service_html"}"#);
    let hits: u64 = hits.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(hits >= 2, "{hits}");
    line(r#"portal_cache_misses_total{cache="service_html"} 1"#);
    line(r#"portal_cache_bytes{cache="service_html"}"#);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn metrics_are_off_without_a_token(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let r = app.get("/metrics").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("PORTAL_METRICS_TOKEN"));
}

/// The test's own PostgreSQL, stopped and started again while the portal runs: pages and calls
/// answer 503 saying the database is unavailable (never a panic, never a hang), liveness holds,
/// readiness fails, and everything answers normally within 2 s of the database coming back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_answers_503_while_its_database_is_away_and_recovers() {
    let root = std::env::temp_dir().join(format!("portal-outage-{}", std::process::id()));
    let db = DevDb::throwaway(&root).unwrap().start().unwrap();
    struct Stop(DevDb, std::path::PathBuf);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = self.0.stop();
            let _ = std::fs::remove_dir_all(&self.1);
        }
    }
    let db = Stop(db, root);
    let pool = server::config::pool_options(4)
        .connect(&db.0.url(server::devdb::DATABASE))
        .await
        .unwrap();
    app::store::MIGRATOR.run(&pool).await.unwrap();
    let app = TestApp::with_demo(pool)
        .await
        .signed_in_as(&common::op::ALICE_ADMIN)
        .await;
    assert_eq!(app.get("/services").await.status, StatusCode::OK);
    assert_eq!(app.get("/readyz").await.status, StatusCode::OK);

    db.0.stop().unwrap();
    for path in ["/services", "/services/ledger", "/"] {
        let started = Instant::now();
        let r = app.get(path).await;
        assert_eq!(
            r.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{path}: {}",
            r.body
        );
        assert!(
            r.body.contains("database is unavailable"),
            "{path}: {}",
            r.body
        );
        assert!(
            r.body.contains("<h1>Database unavailable</h1>"),
            "a page: {}",
            r.body
        );
        assert_eq!(r.headers.get(header::RETRY_AFTER).unwrap(), "2");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{path}: {:?}",
            started.elapsed()
        );
    }
    let call = app.post("/fn/delete_service", &[("slug", "ledger")]).await;
    assert_eq!(
        call.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        call.body
    );
    assert_eq!(
        call.error(),
        app::error::AppError::Unavailable,
        "the error shape, as JSON"
    );
    assert_eq!(
        app.get("/healthz").await.status,
        StatusCode::OK,
        "still alive"
    );
    assert_eq!(
        app.get("/readyz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );

    db.0.restart().unwrap();
    let back = Instant::now();
    loop {
        let r = app.get("/services").await;
        if r.status == StatusCode::OK {
            assert!(r.body.contains("Ledger"));
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(2),
            "not back within 2 s: {} {}",
            r.status,
            r.body
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let recovered = back.elapsed();
    assert_eq!(app.get("/readyz").await.status, StatusCode::OK);
    assert_eq!(app.get("/services/ledger").await.status, StatusCode::OK);
    eprintln!("answering normally {recovered:?} after the database came back");
}

/// A log line's user text is escaped: a slug with a newline in it cannot start a line of its
/// own that would read as the server's.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn user_text_cannot_forge_a_log_line(pool: PgPool) {
    use std::sync::{Arc, Mutex};
    #[derive(Clone)]
    struct Capture(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Capture {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let app = TestApp::new(pool).await;
    let logs = Capture(Arc::new(Mutex::new(Vec::new())));
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let forged = "x\n2026-12-03T10:00:00.000000Z ERROR server: admin alice disabled auditing";
    let r = {
        let _scope = tracing::subscriber::set_default(subscriber);
        app.post("/fn/get_service", &[("slug", forged)]).await
    };
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("request refused"), "{logs}");
    assert!(logs.contains(r"x\n2026-12-03"), "escaped in place: {logs}");
    assert!(
        !logs.lines().any(|l| l.starts_with("2026-12-03T10:00:00")),
        "a forged line: {logs}"
    );
}
