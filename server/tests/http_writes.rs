//! Server functions over HTTP: bad input answers 4xx with field errors and changes nothing;
//! good input changes the database; cross-site POSTs are refused.
mod common;

use axum::http::StatusCode;
use common::TestApp;
use sqlx::PgPool;

const SERVICE_COUNT: &str = "SELECT count(*) FROM service";

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn invalid_service_is_422_with_field_errors(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let before = app.scalar_i64(SERVICE_COUNT).await;
    let r = app
        .post(
            "/fn/create_service",
            &[
                ("form[slug]", "Bad Slug"),
                ("form[name]", ""),
                ("form[tier]", "7"),
                ("form[lifecycle]", "production"),
                ("form[owner]", "payments"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.error();
    let f = e.field_errors().expect("field errors");
    assert!(f.get("slug").unwrap().contains("lowercase"));
    assert_eq!(f.get("name"), Some("Required."));
    assert!(f.get("tier").unwrap().contains("0 (most critical) to 3"));
    assert!(f.get("lifecycle").is_none());
    assert_eq!(app.scalar_i64(SERVICE_COUNT).await, before);

    let dup = app
        .post(
            "/fn/create_service",
            &[
                ("form[slug]", "ledger"),
                ("form[name]", "L"),
                ("form[tier]", "1"),
                ("form[lifecycle]", "production"),
            ],
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        dup.error().field_errors().unwrap().get("slug"),
        Some("Another service already uses this slug.")
    );
    // A request with no form at all is malformed: 400 with a message, not a 500.
    let empty = app.post("/fn/create_service", &[]).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.error().to_string().contains("missing field"));
    assert_eq!(app.scalar_i64(SERVICE_COUNT).await, before);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn valid_service_is_created_and_redirects(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let r = app
        .post(
            "/fn/create_service",
            &[
                ("form[slug]", "refunds"),
                ("form[name]", "Refunds"),
                ("form[description]", "Gives money back"),
                ("form[tier]", "1"),
                ("form[lifecycle]", "experimental"),
                ("form[owner]", "payments"),
                ("form[tags]", "pci, Go"),
            ],
        )
        .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.body);
    assert_eq!(r.location(), Some("/services/refunds"));
    let row: (String, i16, String, Vec<String>, String) = sqlx::query_as(
        "SELECT s.name, s.tier, s.lifecycle, s.tags, t.slug FROM service s JOIN team t ON t.id = s.owner_team_id WHERE s.slug = 'refunds'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            "Refunds".into(),
            1,
            "experimental".into(),
            vec!["pci".into(), "go".into()],
            "payments".into()
        )
    );
    let page = app.get("/services/refunds").await;
    assert!(page.body.contains("Gives money back"));
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn teams_validate_and_refuse_unsafe_delete(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let r = app
        .post(
            "/fn/create_team",
            &[
                ("form[slug]", "payments"),
                ("form[name]", "Payments 2"),
                ("form[email]", "nope"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.error();
    // Shape errors first; the uniqueness check only runs once the form is otherwise valid.
    assert!(e.field_errors().unwrap().get("email").is_some());
    let r = app
        .post(
            "/fn/create_team",
            &[("form[slug]", "payments"), ("form[name]", "Payments 2")],
        )
        .await;
    assert_eq!(
        r.error().field_errors().unwrap().get("slug"),
        Some("Another team already uses this slug.")
    );

    let r = app.post("/fn/delete_team", &[("slug", "payments")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r
        .error()
        .to_string()
        .contains("Move them to another team first"));
    assert_eq!(
        app.scalar_i64("SELECT count(*) FROM team WHERE slug = 'payments'")
            .await,
        1
    );

    let r = app
        .post(
            "/fn/create_team",
            &[
                ("form[slug]", "sre"),
                ("form[name]", "SRE"),
                ("form[oncall_url]", "https://pager.example.com/sre"),
            ],
        )
        .await;
    assert_eq!(r.location(), Some("/teams/sre"));
    let r = app.post("/fn/delete_team", &[("slug", "sre")]).await;
    assert!(r.status.is_success(), "{}", r.body);
    assert_eq!(
        app.scalar_i64("SELECT count(*) FROM team WHERE slug = 'sre'")
            .await,
        0
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn links_and_dependencies_over_http(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let id = app
        .scalar_i64("SELECT l.id FROM service_link l JOIN service s ON s.id = l.service_id WHERE s.slug = 'ledger' AND l.kind = 'repo'")
        .await;
    let id_s = id.to_string();
    let bad = app
        .post(
            "/fn/update_link",
            &[
                ("service", "ledger"),
                ("id", &id_s),
                ("form[kind]", "repo"),
                ("form[url]", "javascript:alert(1)"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad
        .error()
        .field_errors()
        .unwrap()
        .get("url")
        .unwrap()
        .contains("http"));
    let good = app
        .post(
            "/fn/update_link",
            &[
                ("service", "ledger"),
                ("id", &id_s),
                ("form[kind]", "repo"),
                ("form[title]", "Code"),
                ("form[url]", "https://git.example.com/ledger"),
            ],
        )
        .await;
    assert!(good.status.is_success(), "{}", good.body);
    let url: String = sqlx::query_scalar("SELECT url FROM service_link WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(url, "https://git.example.com/ledger");
    // Someone else's link through this service's URL: not found, unchanged.
    let other = app
        .post(
            "/fn/update_link",
            &[
                ("service", "payouts"),
                ("id", &id_s),
                ("form[kind]", "repo"),
                ("form[url]", "https://x.example.com"),
            ],
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    let selfdep = app
        .post(
            "/fn/add_dependency",
            &[
                ("service", "ledger"),
                ("form[target]", "ledger"),
                ("form[kind]", "hard"),
            ],
        )
        .await;
    assert_eq!(selfdep.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        selfdep.error().field_errors().unwrap().get("target"),
        Some("A service cannot depend on itself.")
    );
    let ok = app
        .post(
            "/fn/add_dependency",
            &[
                ("service", "ledger"),
                ("form[target]", "event-bus"),
                ("form[kind]", "soft"),
            ],
        )
        .await;
    assert!(ok.status.is_success());
    let page = app.get("/services/event-bus").await;
    assert!(
        page.body.contains(r#"href="/services/ledger""#),
        "ledger now listed as a dependent"
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn cross_site_posts_are_refused(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let form = [("slug", "hackweek-chatbot")];
    let r = app
        .post_with(
            "/fn/delete_service",
            &form,
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_with(
            "/fn/delete_service",
            &form,
            &[("origin", "https://evil.example"), ("host", "evil.example")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "Origin is checked against the public URL"
    );
    // A cookie with neither Origin nor Sec-Fetch-Site: a browser we cannot vouch for.
    let r = app.post_with("/fn/delete_service", &form, &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_with(
            "/fn/delete_service",
            &form,
            &[("origin", "http://portal.test.evil.example")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.scalar_i64("SELECT count(*) FROM service WHERE slug = 'hackweek-chatbot'")
            .await,
        1
    );
    let r = app
        .post_with(
            "/fn/delete_service",
            &form,
            &[("origin", common::PUBLIC_URL)],
        )
        .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.body);
    assert_eq!(
        app.scalar_i64("SELECT count(*) FROM service WHERE slug = 'hackweek-chatbot'")
            .await,
        0
    );
}

/// Two people open the same edit form; the second save is refused with who changed it and
/// when, and changes nothing (the browser keeps what they typed: the form is not re-rendered).
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_stale_save_is_409_naming_the_change_and_changes_nothing(pool: PgPool) {
    let alice = TestApp::with_demo(pool).await;
    let bob = alice.signed_in_as(&common::op::BOB_EDITOR).await;
    let version = alice
        .scalar_i64("SELECT version FROM service WHERE slug = 'ledger'")
        .await
        .to_string();
    let save = |description: &'static str| {
        let version = version.clone();
        move |app: &TestApp| {
            let app = app.clone();
            async move {
                app.post(
                    "/fn/update_service",
                    &[
                        ("slug", "ledger"),
                        ("form[slug]", "ledger"),
                        ("form[name]", "Ledger"),
                        ("form[tier]", "0"),
                        ("form[lifecycle]", "production"),
                        ("form[owner]", "payments"),
                        ("form[description]", description),
                        ("form[version]", &version),
                    ],
                )
                .await
            }
        }
    };
    let first = save("Alice's words")(&alice).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let second = save("Bob's words")(&bob).await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
    let message = second.error().to_string();
    assert!(
        message.starts_with("alice@example.com changed this service at"),
        "{message}"
    );
    let description: String =
        sqlx::query_scalar("SELECT description FROM service WHERE slug = 'ledger'")
            .fetch_one(&alice.pool)
            .await
            .unwrap();
    assert_eq!(description, "Alice's words");
}

/// A refusal is recorded whatever the size of what was refused (a slug of a few KB once broke
/// the audit index insert, and the refusal went unrecorded).
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_refusal_of_a_huge_slug_is_recorded_cut_to_size(pool: PgPool) {
    let admin = TestApp::with_demo(pool).await;
    let viewer = admin.signed_in_as(&common::op::CAROL_VIEWER).await;
    let slug = "x".repeat(3000);
    let r = viewer
        .post(
            "/fn/create_service",
            &[
                ("form[slug]", slug.as_str()),
                ("form[name]", "Huge"),
                ("form[tier]", "2"),
                ("form[lifecycle]", "production"),
                ("form[owner]", "payments"),
            ],
        )
        .await;
    assert!(r.status.is_client_error(), "{} {}", r.status, r.body);
    let len = viewer
        .scalar_i64(
            "SELECT coalesce(max(length(entity_label)), 0)::int8 FROM audit_event \
             WHERE action = 'denied' AND entity_label LIKE 'xxx%'",
        )
        .await;
    assert_eq!(len, 201, "recorded, cut to 200 characters and an ellipsis");
}

/// Bodies are bounded by route kind: small for forms, server functions and the API, larger for
/// imports. An oversized one is refused before anything reads it, and changes nothing.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn oversized_bodies_are_413_and_imports_may_be_large(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let before = app.scalar_i64(SERVICE_COUNT).await;
    let description = "d".repeat(100 * 1024);
    let r = app
        .post(
            "/fn/create_service",
            &[
                ("form[slug]", "big-body"),
                ("form[name]", "Big body"),
                ("form[description]", description.as_str()),
                ("form[tier]", "2"),
                ("form[lifecycle]", "production"),
                ("form[owner]", "payments"),
            ],
        )
        .await;
    // Sent without a length (as a stream): cut off at the limit, unread past it.
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("length limit exceeded"), "{}", r.body);
    assert_eq!(app.scalar_i64(SERVICE_COUNT).await, before);
    // With a Content-Length (as browsers send forms): refused before anything is read.
    let form = format!("form%5Bslug%5D=big-body&form%5Bdescription%5D={description}");
    let r = app
        .send(
            axum::http::Request::post("/fn/create_service")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("content-length", form.len())
                .header("sec-fetch-site", "same-origin")
                .body(axum::body::Body::from(form))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
    assert!(r.body.contains("larger than 64 KiB"), "{}", r.body);
    assert_eq!(app.scalar_i64(SERVICE_COUNT).await, before);

    let api = |path: &str, size: usize| {
        let body = format!("\"{}\"", "x".repeat(size));
        axum::http::Request::post(path)
            .header("content-type", "application/json")
            .header("content-length", body.len())
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let client = app.with_cookie(None);
    let r = client.send(api("/api/v1/services", 100 * 1024)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        r.body.contains(r#""code":"payload_too_large""#),
        "{}",
        r.body
    );
    // An import of 1 MiB gets past the limit (and then needs a token).
    let r = client.send(api("/api/v1/import", 1024 * 1024)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
}
