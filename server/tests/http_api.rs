//! The REST API over HTTP with real tokens: scopes and team rights, the error shape, cursor
//! paging, optimistic concurrency with If-Match, auditing as the token, revocation, 429.
mod common;

use app::state::Settings;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::api::{call, code, json_of, token};
use common::{Reply, TestApp};
use serde_json::{json, Value};
use sqlx::PgPool;

async fn admin(pool: PgPool, settings: Settings) -> TestApp {
    app::store::demo::load(&pool, chrono::Utc::now().date_naive())
        .await
        .unwrap();
    TestApp::anonymous_with(pool, |_| {}, settings)
        .await
        .signed_in_as(&common::op::ALICE_ADMIN)
        .await
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn tokens_authorise_the_api_within_their_scopes_and_team(pool: PgPool) {
    let app = admin(pool, Settings::default()).await;
    let pay = token(&app, "payments", "catalog:read,catalog:write").await;
    let reader = token(&app, "", "catalog:read").await;

    // Nothing, junk, and a session cookie are all 401 in the error shape.
    let r = call(&app, Method::GET, "/api/v1/services", None, None).await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::UNAUTHORIZED, "unauthenticated")
    );
    assert!(json_of(&r)["message"].as_str().unwrap().contains("Bearer"));
    let r = call(
        &app,
        Method::GET,
        "/api/v1/services",
        Some("rpt_not-a-real-token-but-long-enough-000"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let mut with_cookie = Request::get("/api/v1/services")
        .body(Body::empty())
        .unwrap();
    with_cookie
        .headers_mut()
        .insert(header::COOKIE, app.cookie.clone().unwrap().parse().unwrap());
    assert_eq!(
        app.send(with_cookie).await.status,
        StatusCode::UNAUTHORIZED,
        "cookies never authorise the API"
    );

    // Cursor paging walks every tier-1 service exactly once, in name order.
    let expected = app
        .scalar_i64("SELECT count(*) FROM service WHERE tier = 1")
        .await;
    let (mut seen, mut cursor) = (Vec::<String>::new(), None::<String>);
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/services?tier=1&limit=3&cursor={c}"),
            None => "/api/v1/services?tier=1&limit=3".to_string(),
        };
        let r = call(&app, Method::GET, &path, Some(&reader), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v = json_of(&r);
        let items = v["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        assert!(items.iter().all(|i| i["tier"] == 1));
        seen.extend(
            items
                .iter()
                .map(|i| i["name"].as_str().unwrap().to_lowercase()),
        );
        match v["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len() as i64, expected);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);

    // Bad parameters: 422 naming each.
    let r = call(
        &app,
        Method::GET,
        "/api/v1/services?tier=9&limit=0",
        Some(&reader),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = json_of(&r);
    assert_eq!(v["code"], "validation_failed");
    assert!(
        v["fields"]["tier"].is_string() && v["fields"]["limit"].is_string(),
        "{v}"
    );

    // A read gives the version as an ETag; a conditional save from it lands once.
    let r = call(
        &app,
        Method::GET,
        "/api/v1/services/ledger",
        Some(&pay),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let etag = r
        .headers
        .get(header::ETAG)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let ledger = |description: &str| {
        json!({ "slug": "ledger", "name": "Ledger", "description": description, "tier": 0,
                "lifecycle": "production", "owner": "payments", "tags": ["pci"] })
    };
    let mut put = Request::put("/api/v1/services/ledger")
        .header(header::AUTHORIZATION, format!("Bearer {pay}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::IF_MATCH, &etag)
        .body(Body::from(ledger("from CI").to_string()))
        .unwrap();
    let r = app.with_cookie(None).send(put).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json_of(&r)["service"]["description"], "from CI");
    assert_ne!(r.headers.get(header::ETAG).unwrap().to_str().unwrap(), etag);
    put = Request::put("/api/v1/services/ledger")
        .header(header::AUTHORIZATION, format!("Bearer {pay}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::IF_MATCH, &etag)
        .body(Body::from(ledger("stale").to_string()))
        .unwrap();
    let r = app.with_cookie(None).send(put).await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::PRECONDITION_FAILED, "precondition_failed")
    );
    assert!(json_of(&r)["message"]
        .as_str()
        .unwrap()
        .contains("changed this service"));

    // The write is audited once, with the token as the actor.
    let actor: String = sqlx::query_scalar(
        "SELECT actor_label FROM audit_event WHERE action = 'service.update' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        actor.starts_with("token rpt_") && actor.ends_with("(ci)"),
        "{actor}"
    );

    // The team's rights and never more: another team's service is 403, and so are teams.
    let checkout: String = sqlx::query_scalar(
        "SELECT s.slug FROM service s JOIN team t ON t.id = s.owner_team_id WHERE t.slug = 'checkout' LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let r = call(
        &app,
        Method::DELETE,
        &format!("/api/v1/services/{checkout}"),
        Some(&pay),
        None,
    )
    .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::FORBIDDEN, "forbidden")
    );
    let r = call(
        &app,
        Method::POST,
        "/api/v1/teams",
        Some(&pay),
        Some(json!({"slug": "x", "name": "X"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A read-only token cannot write at all.
    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/ledger/links",
        Some(&reader),
        Some(json!({"kind": "docs", "title": "D", "url": "https://d.example.com"})),
    )
    .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::FORBIDDEN, "insufficient_scope")
    );

    // Bodies: malformed JSON and wrong types are 400, bad values 422 per field; nothing changes.
    let before = app.scalar_i64("SELECT count(*) FROM service").await;
    let mut bad = Request::post("/api/v1/services")
        .header(header::AUTHORIZATION, format!("Bearer {pay}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let r = app.with_cookie(None).send(bad).await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::BAD_REQUEST, "bad_request")
    );
    bad = Request::post("/api/v1/services")
        .header(header::AUTHORIZATION, format!("Bearer {pay}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            r#"{"slug": "x", "name": "X", "tier": "zero", "lifecycle": "production"}"#,
        ))
        .unwrap();
    assert_eq!(
        app.with_cookie(None).send(bad).await.status,
        StatusCode::BAD_REQUEST
    );
    let r = call(&app, Method::POST, "/api/v1/services", Some(&pay), Some(json!({"slug": "Bad Slug", "name": "", "tier": 1, "lifecycle": "production", "owner": "payments"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = json_of(&r);
    assert!(
        v["fields"]["slug"].is_string() && v["fields"]["name"].is_string(),
        "{v}"
    );
    assert_eq!(app.scalar_i64("SELECT count(*) FROM service").await, before);
    let r = call(&app, Method::POST, "/api/v1/services", Some(&pay), Some(json!({"slug": "pay-ci", "name": "Pay CI", "tier": 2, "lifecycle": "experimental", "owner": "payments", "tags": ["ci"]}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        r.headers.get(header::LOCATION).unwrap(),
        "/api/v1/services/pay-ci"
    );
    let r = call(&app, Method::POST, "/api/v1/services/pay-ci/links", Some(&pay), Some(json!({"kind": "runbook", "title": "Runbook", "url": "https://runbooks.example.com/pay-ci"}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/pay-ci/dependencies",
        Some(&pay),
        Some(json!({"target": "ledger", "kind": "hard"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = call(
        &app,
        Method::GET,
        "/api/v1/services/pay-ci",
        Some(&pay),
        None,
    )
    .await;
    let v = json_of(&r);
    assert_eq!(v["links"].as_array().unwrap().len(), 1);
    assert_eq!(v["depends_on"][0]["slug"], "ledger");
    let r = call(
        &app,
        Method::DELETE,
        "/api/v1/services/pay-ci/dependencies/ledger",
        Some(&pay),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = call(
        &app,
        Method::DELETE,
        "/api/v1/services/pay-ci",
        Some(&pay),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = call(
        &app,
        Method::GET,
        "/api/v1/services/pay-ci",
        Some(&pay),
        None,
    )
    .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );

    // Teams and tiers read; unknown routes answer in the error shape too.
    let r = call(&app, Method::GET, "/api/v1/teams", Some(&reader), None).await;
    assert!(json_of(&r)["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["slug"] == "payments"));
    let r = call(&app, Method::GET, "/api/v1/tiers/0", Some(&reader), None).await;
    assert_eq!(json_of(&r)["tier"], 0, "{}", r.body);
    let r = call(
        &app,
        Method::DELETE,
        "/api/v1/services/ledger/links/abc",
        Some(&pay),
        None,
    )
    .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::NOT_FOUND, "not_found"),
        "{}",
        r.body
    );
    let r = call(&app, Method::GET, "/api/v1/nope", Some(&reader), None).await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );

    // The audit trail needs audit:read (organisation-wide tokens only).
    let r = call(&app, Method::GET, "/api/v1/audit", Some(&reader), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let auditor = token(&app, "", "audit:read").await;
    let r = call(
        &app,
        Method::GET,
        "/api/v1/audit?action=service.update",
        Some(&auditor),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let items = json_of(&r)["items"].as_array().unwrap().clone();
    assert!(!items.is_empty() && items.iter().all(|e| e["action"] == "service.update"));

    // Revoked: refused from the next request on; the token list shows it, and its last use.
    let id: i64 = sqlx::query_scalar("SELECT id FROM api_token WHERE prefix = $1")
        .bind(&pay[..12])
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let r = app
        .post("/fn/revoke_token", &[("id", &id.to_string())])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = call(&app, Method::GET, "/api/v1/services", Some(&pay), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let used: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT last_used_at FROM api_token WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(used.is_some());
    let stored: Vec<u8> = sqlx::query_scalar("SELECT secret_hash FROM api_token WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_ne!(stored, pay.as_bytes(), "only a hash is stored");
    assert_eq!(stored.len(), 32);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn tokens_are_rate_limited_with_retry_after(pool: PgPool) {
    let settings = Settings {
        api_rate_per_minute: 5,
        ..Settings::default()
    };
    let app = admin(pool, settings).await;
    let t = token(&app, "", "catalog:read").await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(call(&app, Method::GET, "/api/v1/tiers", Some(&t), None).await);
    }
    // (Near a minute's end the window may roll over once; then the count starts again.)
    let limited: Vec<&Reply> = statuses
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert!(
        !limited.is_empty(),
        "{:?}",
        statuses.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(
        statuses[..5]
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count()
            >= 4
    );
    let r = limited[0];
    assert_eq!(code(r), "rate_limited");
    let retry: u64 = r
        .headers
        .get(header::RETRY_AFTER)
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn only_admins_make_tokens_and_bad_forms_are_field_errors(pool: PgPool) {
    let alice = admin(pool, Settings::default()).await;
    let bob = alice.signed_in_as(&common::op::BOB_EDITOR).await;
    let r = bob
        .post(
            "/fn/create_token",
            &[("form[name]", "mine"), ("form[scopes]", "catalog:read")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = alice
        .post(
            "/fn/create_token",
            &[
                ("form[name]", ""),
                ("form[team]", "nope"),
                ("form[scopes]", "catalog:read"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = alice
        .post(
            "/fn/create_token",
            &[
                ("form[name]", "x"),
                ("form[team]", "nope"),
                ("form[scopes]", "catalog:read"),
            ],
        )
        .await;
    assert_eq!(
        r.error().field_errors().unwrap().get("team"),
        Some("There is no team \"nope\".")
    );
    assert_eq!(alice.scalar_i64("SELECT count(*) FROM api_token").await, 0);
    assert_eq!(
        alice
            .scalar_i64("SELECT count(*) FROM audit_event WHERE action = 'token.create'")
            .await,
        0
    );
}

/// The OpenAPI document lists every route the router serves (both come from one list), is a
/// well-formed 3.1 document whose references resolve, and every route it lists is served.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn openapi_documents_exactly_the_routes_served(pool: PgPool) {
    use app::domain::api_routes::{path_params, ROUTES};
    let app = admin(pool, Settings::default()).await;
    let r = call(&app, Method::GET, "/api/v1/openapi.json", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = json_of(&r);
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut ids = std::collections::BTreeSet::new();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            assert!(
                ids.insert(op["operationId"].as_str().unwrap().to_string()),
                "unique ids"
            );
            assert!(
                op["responses"]
                    .as_object()
                    .is_some_and(|r| r.contains_key("4XX")),
                "{path} {method}"
            );
            let declared: Vec<&str> = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert_eq!(
                declared,
                path_params(path),
                "{path}: path parameters declared"
            );
        }
    }
    assert_eq!(operations, ROUTES.len(), "one operation per route");
    // Every $ref points at a schema that exists.
    let text = doc.to_string();
    for piece in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &piece[..piece.find('"').unwrap()];
        assert!(schemas.contains_key(name), "dangling $ref {name}");
    }

    let t = token(&app, "", "catalog:read,catalog:write,audit:read").await;
    for route in ROUTES {
        assert!(
            paths[&format!("/api/v1{}", route.path)][route.method.to_lowercase()].is_object(),
            "{} {} is not documented",
            route.method,
            route.path
        );
        let path = format!("/api/v1{}", route.path)
            .replace("{slug}", "no-such-thing")
            .replace("{target}", "no-such-thing")
            .replace("{id}", "1")
            .replace("{tier}", "9");
        let method = Method::from_bytes(route.method.as_bytes()).unwrap();
        let body = route.body.map(|_| json!({}));
        let r = call(&app, method, &path, Some(&t), body).await;
        // The export answers YAML: not the fallback's JSON, so served.
        let message = serde_json::from_str::<Value>(&r.body)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_string))
            .unwrap_or_default();
        assert!(
            !message.starts_with("There is no such API route"),
            "{} {} is documented but not served",
            route.method,
            route.path
        );
    }
    let r = call(&app, Method::GET, "/api/v1/undocumented", Some(&t), None).await;
    assert!(json_of(&r)["message"]
        .as_str()
        .unwrap()
        .starts_with("There is no such API route"));
}

fn import_body(yaml: &str, dry_run: bool) -> Value {
    json!({ "files": [{ "name": "catalog-info.yaml", "content": yaml }], "dry_run": dry_run })
}

const REFUNDS: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: refunds\n  annotations: {reliability.portal/tier: \"2\"}\nspec: {type: service, lifecycle: production, owner: group:payments, dependsOn: [component:ledger]}\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: refunds-api}\n";

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn import_through_the_api_with_a_dry_run_then_export(pool: PgPool) {
    let app = admin(pool.clone(), Settings::default()).await;
    let pay = token(&app, "payments", "catalog:read,catalog:write").await;
    let reader = token(&app, "", "catalog:read").await;

    // A read-only token may not import.
    let r = call(
        &app,
        Method::POST,
        "/api/v1/import",
        Some(&reader),
        Some(import_body(REFUNDS, true)),
    )
    .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::FORBIDDEN, "insufficient_scope")
    );

    let r = call(
        &app,
        Method::POST,
        "/api/v1/import",
        Some(&pay),
        Some(import_body(REFUNDS, true)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = json_of(&r);
    assert_eq!(v["rows"][0]["action"], "create");
    assert_eq!(v["skipped"][0]["source"]["document"], 2);
    assert_eq!(v["applied"], false);
    let digest = v["digest"].as_str().unwrap().to_string();
    let exists = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM service WHERE slug = 'refunds'")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(exists().await, 0, "a dry run writes nothing");

    let mut body = import_body(REFUNDS, false);
    body["digest"] = json!(digest);
    let r = call(
        &app,
        Method::POST,
        "/api/v1/import",
        Some(&pay),
        Some(body.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json_of(&r)["applied"], true);
    assert_eq!(exists().await, 1);
    // The trail names the token.
    let actor: String = sqlx::query_scalar(
        "SELECT actor_label FROM audit_event WHERE entity_type = 'service' AND entity_label = 'refunds' ORDER BY id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(actor.starts_with("token "), "{actor}");
    // The same digest again: the plan is now "unchanged", not the one previewed.
    let r = call(&app, Method::POST, "/api/v1/import", Some(&pay), Some(body)).await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::CONFLICT, "conflict"),
        "{}",
        r.body
    );

    // A team token cannot import another team's services: the document's error, nothing written.
    let other = REFUNDS
        .replace("name: refunds\n", "name: refunds-search\n")
        .replace("group:payments", "group:merchandising");
    let r = call(
        &app,
        Method::POST,
        "/api/v1/import",
        Some(&pay),
        Some(import_body(&other, false)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = json_of(&r);
    assert_eq!(v["rows"].as_array().unwrap().len(), 0, "{v}");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("merchandising"),
        "{v}"
    );

    // Bad bodies are 4xx in the error shape.
    let r = call(
        &app,
        Method::POST,
        "/api/v1/import",
        Some(&pay),
        Some(json!({ "files": "x" })),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = call(
        &app,
        Method::POST,
        "/api/v1/import",
        Some(&pay),
        Some(json!({ "files": [] })),
    )
    .await;
    assert_eq!(
        (r.status, code(&r).as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        "{}",
        r.body
    );
    assert!(json_of(&r)["fields"]["files"].is_string());

    // The export is YAML that holds the imported service.
    let r = call(&app, Method::GET, "/api/v1/export", Some(&reader), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/yaml"));
    assert!(r.body.contains("name: refunds\n"), "export lacks refunds");
    assert_eq!(r.body.matches("kind: Component").count(), 61);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn teams_page_by_cursor_in_name_order(pool: PgPool) {
    let app = admin(pool, Settings::default()).await;
    let reader = token(&app, "", "catalog:read").await;
    let mut names = Vec::new();
    let mut path = "/api/v1/teams?limit=3".to_string();
    let mut pages = 0;
    loop {
        let r = call(&app, Method::GET, &path, Some(&reader), None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let v = json_of(&r);
        let items = v["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        names.extend(
            items
                .iter()
                .map(|t| t["name"].as_str().unwrap().to_string()),
        );
        pages += 1;
        match v["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/teams?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(pages, 3, "8 demo teams in pages of 3");
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    sorted.dedup();
    assert_eq!(names, sorted, "each team once, by name");
    assert_eq!(names.len(), 8);
    for bad in [
        "/api/v1/teams?limit=0",
        "/api/v1/teams?cursor=nope",
        "/api/v1/teams?page=2",
    ] {
        let r = call(&app, Method::GET, bad, Some(&reader), None).await;
        assert!(r.status.is_client_error(), "{bad}: {} {}", r.status, r.body);
        assert!(!code(&r).is_empty(), "{bad}: the error shape");
    }
}
