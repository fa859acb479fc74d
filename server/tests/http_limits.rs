//! Server limits: slow clients are cut off while others are served, a sign-in flood is refused
//! before it writes session rows, and a person's writes are rate limited.
mod common;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use sqlx::PgPool;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use common::op::{ALICE_ADMIN, BOB_EDITOR};
use common::TestApp;
use server::limits::Limits;

/// One request over a fresh connection; the status code and how long it took.
async fn get_over_tcp(addr: std::net::SocketAddr, path: &str) -> (u16, Duration) {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).await.unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: portal.test\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, started.elapsed())
}

/// Slow-loris clients (headers never finished) are disconnected after the header timeout, and
/// while 200 of them hang on, a normal request is answered at once.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn slow_clients_are_cut_off_and_do_not_block_others(pool: PgPool) {
    let app = TestApp::anonymous(pool, |_| {}).await;
    let limits = Limits {
        header_timeout: Duration::from_secs(2),
        ..Limits::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        server::listener::serve(listener, app.router, &limits, async {
            let _ = stopped.await;
        })
        .await
    });

    let mut slow = Vec::new();
    for _ in 0..200 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: portal.test\r\nX-Slow: a")
            .await
            .unwrap();
        slow.push(s);
    }
    let (status, took) = get_over_tcp(addr, "/healthz").await;
    assert_eq!(status, 200);
    assert!(took < Duration::from_secs(1), "answered in {took:?}");

    // Past the header timeout every slow connection has been closed by the server (a 408, or
    // nothing, then end of stream), though none of them closed its side.
    tokio::time::sleep(Duration::from_secs(3)).await;
    for s in &mut slow {
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(2), s.read_to_end(&mut buf)).await;
        let closed = matches!(read, Ok(Ok(_)) | Ok(Err(_)));
        assert!(closed, "a slow connection is still open");
        let text = String::from_utf8_lossy(&buf);
        assert!(buf.is_empty() || text.starts_with("HTTP/1.1 408"), "{text}");
    }
    let (status, _) = get_over_tcp(addr, "/healthz").await;
    assert_eq!(status, 200);

    // A client that connects and sends nothing, one that opens an HTTP/2 preface and stops, and
    // a kept-alive one idle after its first request: all closed by the server within the timeout.
    let silent = TcpStream::connect(addr).await.unwrap();
    let mut preface = TcpStream::connect(addr).await.unwrap();
    preface.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: portal.test\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    for mut s in [silent, preface, idle] {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut rest)).await;
        assert!(read.is_ok(), "a connection still open after 5 s");
    }
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// With one request allowed in flight, a second waits briefly and then gets a 503 that says
/// the portal is busy; once the first is done, requests are served again. Probes are not
/// counted. (The first is held in flight by sending its body slowly.)
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn requests_past_the_in_flight_limit_are_refused_not_queued_for_ever(pool: PgPool) {
    let limits = Limits {
        max_in_flight: 1,
        queue_wait: Duration::from_millis(200),
        ..Limits::default()
    };
    let app = TestApp::anonymous_limited(pool, limits.clone())
        .await
        .signed_in_as(&ALICE_ADMIN)
        .await;
    let cookie = app.cookie.clone().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let router = app.router.clone();
    let server = tokio::spawn(async move {
        server::listener::serve(listener, router, &limits, async {
            let _ = stopped.await;
        })
        .await
    });

    // A signed-in save whose body arrives slowly: the server function waits for it in flight.
    let body = "form[slug]=slow-team&form[name]=Slow";
    let mut slow = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /fn/create_team HTTP/1.1\r\nHost: portal.test\r\nConnection: close\r\n\
         Cookie: {cookie}\r\nSec-Fetch-Site: same-origin\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{}",
        body.len(),
        &body[..10]
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, took) = get_over_tcp(addr, "/teams").await;
    assert_eq!(
        status, 503,
        "refused while the slow request holds the only slot"
    );
    assert!(
        took < Duration::from_secs(2),
        "after a short wait: {took:?}"
    );
    assert_eq!(
        get_over_tcp(addr, "/healthz").await.0,
        200,
        "probes still answer"
    );

    slow.write_all(&body.as_bytes()[10..]).await.unwrap();
    let mut answer = Vec::new();
    slow.read_to_end(&mut answer).await.unwrap();
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 2"),
        "the slow save ends"
    );
    assert_eq!(
        app.scalar_i64("SELECT count(*) FROM team WHERE slug = 'slow-team'")
            .await,
        1
    );
    let (status, _) = get_over_tcp(addr, "/teams").await;
    assert_eq!(
        status, 303,
        "served again (a sign-in redirect: this client has no cookie)"
    );
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

async fn sessions(app: &TestApp) -> i64 {
    app.scalar_i64("SELECT count(*) FROM tower_sessions.session")
        .await
}

/// Each client may start only so many sign-ins a minute: past that, /auth/login answers 429
/// without storing a session row, other clients still start theirs, signed-in people are
/// served, and an abandoned sign-in expires within minutes.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_sign_in_flood_is_refused_before_it_writes(pool: PgPool) {
    let limits = Limits {
        logins_per_client_per_minute: 5,
        client_ip_header: Some("x-forwarded-for".parse().unwrap()),
        ..Limits::default()
    };
    let app = TestApp::anonymous_limited(pool, limits).await;
    let login = |ip: &'static str| {
        let app = app.clone();
        async move {
            app.send(
                axum::http::Request::get("/auth/login")
                    .header("x-forwarded-for", format!("203.0.113.9, {ip}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
        }
    };
    for _ in 0..5 {
        assert_eq!(login("10.0.0.1").await.status, StatusCode::SEE_OTHER);
    }
    let before = sessions(&app).await;
    assert_eq!(before, 5, "one pending sign-in per start");
    for _ in 0..50 {
        let r = login("10.0.0.1").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.headers.contains_key("retry-after"));
        assert!(r.body.contains("Too many sign-in attempts"), "{}", r.body);
    }
    assert_eq!(sessions(&app).await, before, "refused starts wrote nothing");
    assert_eq!(login("10.0.0.2").await.status, StatusCode::SEE_OTHER);
    let longest: i64 = app
        .scalar_i64(
            "SELECT max(extract(epoch FROM expiry_date - now()))::int8 FROM tower_sessions.session",
        )
        .await;
    assert!(longest <= 600, "a pending sign-in lives {longest} s");

    // The sign-in itself (callback) is not what is limited: people finish signing in.
    let alice = app.signed_in_as(&ALICE_ADMIN).await;
    assert_eq!(alice.get("/services").await.status, StatusCode::OK);
    let idle: i64 = app
        .scalar_i64(
            "SELECT max(extract(epoch FROM expiry_date - now()))::int8 FROM tower_sessions.session",
        )
        .await;
    assert!(
        idle > 600,
        "a signed-in session keeps the idle timeout ({idle} s)"
    );
}

/// A person may make only so many writes a minute; past that, a write is refused with 429 and
/// changes nothing. Another person is not affected.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_persons_writes_are_rate_limited(pool: PgPool) {
    let limits = Limits {
        writes_per_person_per_minute: 3,
        ..Limits::default()
    };
    let anon = TestApp::anonymous_limited(pool, limits).await;
    let alice = anon.signed_in_as(&ALICE_ADMIN).await;
    let bob = anon.signed_in_as(&BOB_EDITOR).await;
    let create = |app: &TestApp, slug: &str| {
        let app = app.clone();
        let slug = slug.to_string();
        async move {
            app.post(
                "/fn/create_team",
                &[("form[slug]", &slug), ("form[name]", "A team")],
            )
            .await
        }
    };
    for n in 0..3 {
        let r = create(&alice, &format!("team-{n}")).await;
        assert!(r.status.is_success(), "{}", r.body);
    }
    let r = create(&alice, "team-3").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.error().to_string().contains("Too many"), "{}", r.body);
    assert_eq!(
        alice
            .scalar_i64("SELECT count(*) FROM team WHERE slug = 'team-3'")
            .await,
        0
    );
    // Reads are not writes.
    assert_eq!(alice.get("/teams").await.status, StatusCode::OK);
    // Bob's allowance is his own (he may not create teams: refused for his role, not his rate).
    assert_eq!(create(&bob, "bobs").await.status, StatusCode::FORBIDDEN);
}

fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// Hundreds of distinct searches as long as a request may carry (a URL is at most 64 KB, a
/// server function's body 64 KiB; a megabyte cannot reach the server): each is answered, and the
/// server's memory (this process runs it) does not grow with them. Queries are cut before they
/// key a cache (the page's URL parser and the JSON endpoint alike), and every cache is bounded
/// in bytes.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn distinct_huge_queries_do_not_grow_memory(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let filler = "x".repeat(30_000);
    let search = |i: usize| {
        let app = app.clone();
        let path = format!("/services?q=pay{i:05}{filler}&team=t{i}{filler}&tag=g{i}");
        let body = serde_json::json!({ "query": {
            "filter": { "q": format!("pay{i:05}{filler}"), "tier": null,
                        "team": { "Team": format!("t{i}{filler}") }, "lifecycle": null,
                        "tag": format!("g{i}") },
            "sort": "name", "page": 1 + i % 7,
        }});
        async move {
            let r = app.get(&path).await;
            assert_eq!(
                r.status,
                StatusCode::OK,
                "{}",
                &r.body[..r.body.len().min(300)]
            );
            let r = app.post_json("/fn/search_catalog", &body).await;
            assert_eq!(
                r.status,
                StatusCode::OK,
                "{}",
                &r.body[..r.body.len().min(300)]
            );
        }
    };
    for i in 0..20 {
        search(i).await;
    }
    let before = rss_bytes();
    for i in 20..420 {
        search(i).await;
    }
    let grown = rss_bytes().saturating_sub(before);
    eprintln!("RSS grew by {} KiB", grown >> 10);
    assert!(
        grown < 16 << 20,
        "RSS grew by {} MiB over 800 distinct 60 KB queries",
        grown >> 20
    );
}
