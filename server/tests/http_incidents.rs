//! Incidents over HTTP: declared and updated by editors of an affected service's team (and
//! admins), validated field by field, versioned, audited once per change, listed with counts.
mod common;

use axum::http::StatusCode;
use common::op::{ALICE_ADMIN, BOB_EDITOR, CAROL_VIEWER, DAVE_OTHER_EDITOR};
use common::TestApp;
use sqlx::PgPool;

fn form(title: &str, services: &str) -> Vec<(&'static str, String)> {
    vec![
        ("form[title]", title.to_string()),
        ("form[severity]", "2".into()),
        ("form[status]", "resolved".into()),
        ("form[services]", services.to_string()),
        ("form[commander]", "bob@example.com".into()),
        ("form[zone]", "Europe/Berlin".into()),
        ("form[started_at]", "2026-11-30T10:00".into()),
        ("form[detected_at]", "2026-11-30T10:04".into()),
        ("form[acknowledged_at]", "2026-11-30T10:09".into()),
        ("form[mitigated_at]", "2026-11-30T10:40".into()),
        ("form[resolved_at]", "2026-11-30T11:30".into()),
        (
            "form[summary]",
            "Card payments failed for a third of customers.".into(),
        ),
    ]
}

async fn post(app: &TestApp, path: &str, f: &[(&'static str, String)]) -> common::Reply {
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post(path, &pairs).await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app.scalar_i64(sql).await
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn editors_of_an_affected_team_declare_and_update_incidents(pool: PgPool) {
    let anon = TestApp::with_demo(pool).await;
    let bob = anon.signed_in_as(&BOB_EDITOR).await;
    let dave = anon.signed_in_as(&DAVE_OTHER_EDITOR).await;
    let carol = anon.signed_in_as(&CAROL_VIEWER).await;
    let alice = anon.signed_in_as(&ALICE_ADMIN).await;

    // The demo's history is there already; everything below counts from it.
    let before = count(&bob, "SELECT count(*) FROM incident").await;
    assert!(before >= 30, "the demo has an incident history");
    let denied = count(
        &bob,
        "SELECT count(*) FROM audit_event WHERE action = 'denied'",
    )
    .await;
    // Bad input: each field named, nothing stored, no audit event.
    let events = count(
        &bob,
        "SELECT count(*) FROM audit_event WHERE entity_type = 'incident'",
    )
    .await;
    let mut bad = form("", "payments-api, no-such-service");
    bad[9].1 = "2026-11-30T10:02".into(); // mitigated before acknowledged
    let r = post(&bob, "/fn/declare_incident", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let e = r.error();
    let fields = e.field_errors().expect("field errors");
    assert!(
        fields.get("title").is_some() && fields.get("mitigated_at").is_some(),
        "{fields}"
    );
    let r = post(
        &bob,
        "/fn/declare_incident",
        &form("Payments down", "payments-api, no-such-service"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r
        .error()
        .field_errors()
        .unwrap()
        .get("services")
        .unwrap()
        .contains("no-such-service"));
    assert_eq!(count(&bob, "SELECT count(*) FROM incident").await, before);

    // Another team's editor and a viewer are refused, and the refusals recorded.
    for who in [&dave, &carol] {
        let r = post(
            who,
            "/fn/declare_incident",
            &form("Payments down", "payments-api"),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
    assert_eq!(count(&bob, "SELECT count(*) FROM incident").await, before);
    assert_eq!(
        count(
            &bob,
            "SELECT count(*) FROM audit_event WHERE action = 'denied'"
        )
        .await,
        denied + 2
    );
    assert_eq!(
        count(
            &bob,
            "SELECT count(*) FROM audit_event WHERE entity_type = 'incident'"
        )
        .await,
        events
    );

    // Bob declares it on his team's service and the checkout page: stored in UTC (Berlin is
    // UTC+1 in November), audited once with the services by name.
    let r = post(
        &bob,
        "/fn/declare_incident",
        &form("Payments down", "payments-api, checkout-web"),
    )
    .await;
    assert!(
        r.status.is_redirection() || r.status.is_success(),
        "{} {}",
        r.status,
        r.body
    );
    let id = count(
        &bob,
        "SELECT id FROM incident WHERE title = 'Payments down'",
    )
    .await;
    let started: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT started_at FROM incident WHERE title = 'Payments down'")
            .fetch_one(&bob.pool)
            .await
            .unwrap();
    assert_eq!(started.to_rfc3339(), "2026-11-30T09:00:00+00:00");
    let (actor, services): (String, serde_json::Value) = sqlx::query_as(
        "SELECT actor_label, after -> 'services' FROM audit_event WHERE action = 'incident.create' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&bob.pool)
    .await
    .unwrap();
    assert_eq!(actor, "bob@example.com");
    assert_eq!(
        services,
        serde_json::json!(["checkout-web", "payments-api"])
    );

    // Everyone signed in reads it, with the times between milestones.
    let page = carol.get(&format!("/incidents/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for needle in [
        "Payments down",
        "SEV2",
        "Resolved",
        "Time to detect",
        "4m",
        "1h 30m",
        "Bob Editor",
    ] {
        assert!(
            page.body.contains(needle),
            "{needle} missing from the incident page"
        );
    }
    assert!(
        !page.body.contains(&format!("/incidents/{id}/edit")),
        "a viewer sees Update"
    );

    // Dave's team owns an affected service now: he may update it. A save from an old
    // version is refused, naming who changed it.
    let mut update = form("Payments and checkout down", "payments-api, checkout-web");
    update.push(("id", id.to_string()));
    update.push(("form[version]", "1".into()));
    let r = post(&dave, "/fn/update_incident", &update).await;
    assert!(
        r.status.is_redirection() || r.status.is_success(),
        "{} {}",
        r.status,
        r.body
    );
    let r = post(&bob, "/fn/update_incident", &update).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("dave@example.com"), "{}", r.body);
    // Moving it off every service of his team would leave it to another team: refused.
    let mut away = form("Payments only", "payments-api");
    away.push(("id", id.to_string()));
    let r = post(&dave, "/fn/update_incident", &away).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(
        count(
            &bob,
            "SELECT count(*) FROM audit_event WHERE action = 'incident.update'"
        )
        .await,
        1
    );

    // The list: counts by severity and status, filters by service and team.
    let mut open = form("Search slow", "search-api");
    open[2].1 = "investigating".into();
    open[10].1 = String::new();
    let r = post(&alice, "/fn/declare_incident", &open).await;
    assert!(
        r.status.is_redirection() || r.status.is_success(),
        "{} {}",
        r.status,
        r.body
    );
    let list = carol.get("/incidents?status=open").await;
    assert!(list.body.contains("Search slow") && !list.body.contains("Payments and checkout down"));
    let by_team = carol.get("/incidents?team=checkout").await;
    assert!(
        by_team.body.contains("Payments and checkout down")
            && !by_team.body.contains("Search slow")
    );
    let all = carol.get("/incidents").await;
    assert!(all.body.contains("Open (not resolved)"));
    let total = before + 2;
    assert!(
        all.body
            .contains(&format!("Page 1 of 1 · {total} incidents")),
        "total missing"
    );
    let searched = carol.get("/incidents?service=search-api").await;
    assert!(searched.body.contains("Search slow"));
    // The service page lists its latest incidents, live.
    let svc = carol.get("/services/search-api").await;
    assert!(svc.body.contains("Recent incidents") && svc.body.contains("Search slow"));
}
