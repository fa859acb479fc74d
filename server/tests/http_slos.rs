//! SLOs over HTTP: definitions through the API (validated, team-bound, versioned, audited),
//! pushed counts (replacement, all-or-nothing batches, token checks), the live figures on the
//! service page, the counts' roll-up and retention, and background jobs across two replicas.
mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Duration, DurationRound, Utc};
use common::api::{call, code, json_of, token};
use common::TestApp;
use serde_json::{json, Value};
use sqlx::PgPool;

async fn admin(pool: PgPool) -> TestApp {
    TestApp::with_demo(pool)
        .await
        .signed_in_as(&common::op::ALICE_ADMIN)
        .await
}

fn availability(slug: &str, objective: Value) -> Value {
    json!({
        "slug": slug, "name": "Status page availability", "sli_kind": "availability",
        "good_events": "a posting answered without a 5xx", "total_events": "a posting",
        "objective": objective, "window": "rolling", "window_days": 30, "source": "push"
    })
}

/// The current minute, less `ago` minutes.
fn minute(ago: i64) -> DateTime<Utc> {
    Utc::now().duration_trunc(Duration::minutes(1)).unwrap() - Duration::minutes(ago)
}

fn bucket(start: DateTime<Utc>, good: i64, total: i64) -> Value {
    json!({ "start": start.to_rfc3339(), "good": good, "total": total })
}

/// The status page's SLOs: the demo gives it none, so everything here is the test's own.
const OWN_SLOS: &str =
    "SELECT o.id FROM slo o JOIN service s ON s.id = o.service_id WHERE s.slug = 'status-page'";

async fn stored(app: &TestApp) -> (i64, i64) {
    let (good, total): (Option<i64>, Option<i64>) = sqlx::query_as(&format!(
        "SELECT sum(good)::int8, sum(total)::int8 FROM slo_count WHERE slo_id IN ({OWN_SLOS})"
    ))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    (good.unwrap_or(0), total.unwrap_or(0))
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn slo_definitions_are_validated_team_bound_versioned_and_audited(pool: PgPool) {
    let app = admin(pool).await;
    let pay = token(&app, "observability", "catalog:read,catalog:write").await;
    let reader = token(&app, "", "catalog:read").await;

    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/status-page/slos",
        Some(&pay),
        Some(availability("availability", json!(99.95))),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        r.headers["location"],
        "/api/v1/services/status-page/slos/availability"
    );

    // Read back exactly: 99.95 stays 99.95 (stored as 99 950 thousandths, not a float).
    let r = call(
        &app,
        Method::GET,
        "/api/v1/services/status-page/slos/availability",
        Some(&reader),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = json_of(&r);
    assert_eq!(v["objective"].to_string(), "99.95");
    assert_eq!(v["window"], json!({ "Rolling": { "days": 30 } }));
    assert_eq!(v["figures"]["state"], "Unknown", "no counts yet: {v}");
    let etag = r.headers["etag"].to_str().unwrap().to_string();
    assert_eq!(
        app.scalar_i64("SELECT objective_milli::int8 FROM slo WHERE slug = 'availability'")
            .await,
        99_950
    );

    // Bad input: every field named, nothing stored.
    let bad = json!({ "slug": "Bad Slug", "name": "", "sli_kind": "speed", "objective": 100,
                      "window": "rolling", "window_days": 0, "source": "prometheus" });
    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/status-page/slos",
        Some(&pay),
        Some(bad),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields = json_of(&r)["fields"].clone();
    for f in [
        "slug",
        "name",
        "sli_kind",
        "objective",
        "window_days",
        "error_query",
        "total_query",
    ] {
        assert!(fields.get(f).is_some(), "{f} not reported: {fields}");
    }
    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/status-page/slos",
        Some(&pay),
        Some(availability("availability", json!("99.9"))),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json_of(&r)["fields"]["slug"]
        .as_str()
        .unwrap()
        .contains("already"));
    assert_eq!(
        app.scalar_i64(&format!("SELECT count(*) FROM ({OWN_SLOS}) o"))
            .await,
        1
    );

    // Another team's service, and a read-only token: refused, nothing stored.
    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/checkout-web/slos",
        Some(&pay),
        Some(availability("availability", json!(99.9))),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/status-page/slos",
        Some(&reader),
        Some(availability("other", json!(99.9))),
    )
    .await;
    assert_eq!(code(&r), "insufficient_scope");
    assert_eq!(
        app.scalar_i64(&format!("SELECT count(*) FROM ({OWN_SLOS}) o"))
            .await,
        1
    );

    // Optimistic concurrency: a save from the version read works once; a second is 412.
    let changed = availability("availability", json!(99.9));
    let put = |body: Value, etag: String| {
        let app = app.clone();
        let pay = pay.clone();
        async move {
            let req = axum::http::Request::put("/api/v1/services/status-page/slos/availability")
                .header("authorization", format!("Bearer {pay}"))
                .header("content-type", "application/json")
                .header("if-match", etag)
                .body(axum::body::Body::from(body.to_string()))
                .unwrap();
            app.with_cookie(None).send(req).await
        }
    };
    let r = put(changed.clone(), etag.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json_of(&r)["objective"].to_string(), "99.9");
    let r = put(changed, etag).await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.body);
    assert!(json_of(&r)["message"]
        .as_str()
        .unwrap()
        .contains("since you opened it"));

    // Every change is in the trail, named after the token; the refused ones changed nothing.
    let actions: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT action, actor_label, entity_label FROM audit_event WHERE entity_type = 'slo' \
         AND entity_label LIKE 'status-page %' ORDER BY id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert_eq!(actions[0].0, "slo.create");
    assert_eq!(actions[1].0, "slo.update");
    assert!(actions[0].1.starts_with("token rpt_"), "{actions:?}");
    assert_eq!(actions[0].2, "status-page · availability");

    let r = call(
        &app,
        Method::DELETE,
        "/api/v1/services/status-page/slos/availability",
        Some(&pay),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        app.scalar_i64(&format!("SELECT count(*) FROM ({OWN_SLOS}) o"))
            .await,
        0
    );
    assert_eq!(
        app.scalar_i64("SELECT count(*) FROM audit_event WHERE action = 'slo.delete' AND entity_label LIKE 'status-page %'")
            .await,
        1
    );
    let r = call(
        &app,
        Method::GET,
        "/api/v1/services/status-page/slos/availability",
        Some(&reader),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn pushed_counts_replace_and_a_bad_batch_stores_nothing(pool: PgPool) {
    let app = admin(pool).await;
    let writer = token(&app, "observability", "catalog:read,catalog:write").await;
    let pusher = token(&app, "observability", "catalog:read,slo:write").await;
    let other_team = token(&app, "checkout", "slo:write").await;
    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/status-page/slos",
        Some(&writer),
        Some(availability("availability", json!(99))),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let url = "/api/v1/slos/status-page/availability/counts";
    let batch = |b: Vec<Value>| json!({ "buckets": b });

    // Who may push: a token (401 without), with slo:write (403), of the owning team (403).
    let ok_batch = batch(vec![
        bucket(minute(3), 990, 1000),
        bucket(minute(2), 1000, 1000),
    ]);
    let r = call(&app, Method::POST, url, None, Some(ok_batch.clone())).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = call(
        &app,
        Method::POST,
        url,
        Some(&writer),
        Some(ok_batch.clone()),
    )
    .await;
    assert_eq!(
        (r.status, code(&r)),
        (StatusCode::FORBIDDEN, "insufficient_scope".into())
    );
    let r = call(
        &app,
        Method::POST,
        url,
        Some(&other_team),
        Some(ok_batch.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = call(
        &app,
        Method::POST,
        "/api/v1/slos/status-page/nope/counts",
        Some(&pusher),
        Some(ok_batch.clone()),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    assert_eq!(stored(&app).await, (0, 0));

    // A batch with one bad bucket: the item is named, and none of the batch is stored.
    let bad = batch(vec![
        bucket(minute(3), 990, 1000),
        bucket(minute(2), 1001, 1000),
        bucket(minute(-5), 1, 1),
    ]);
    let r = call(&app, Method::POST, url, Some(&pusher), Some(bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields = json_of(&r)["fields"].clone();
    assert!(
        fields["buckets[1].good"]
            .as_str()
            .unwrap()
            .contains("more than total"),
        "{fields}"
    );
    assert_eq!(fields["buckets[2].start"], "In the future.");
    let r = call(
        &app,
        Method::POST,
        url,
        Some(&pusher),
        Some(json!({ "buckets": "x" })),
    )
    .await;
    assert_eq!(r.status.as_u16() / 100, 4, "{}", r.body);
    let old = batch(vec![bucket(minute(94 * 1440), 1, 1)]);
    let r = call(&app, Method::POST, url, Some(&pusher), Some(old)).await;
    assert!(json_of(&r)["fields"]["buckets[0].start"]
        .as_str()
        .unwrap()
        .contains("retention"));
    assert_eq!(stored(&app).await, (0, 0));

    // Stored; pushed again with other figures, the buckets are replaced, not added to.
    let r = call(&app, Method::POST, url, Some(&pusher), Some(ok_batch)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(json_of(&r)["stored"], 2);
    assert_eq!(stored(&app).await, (1990, 2000));
    let again = batch(vec![
        bucket(minute(3), 995, 1000),
        bucket(minute(2), 1000, 1000),
    ]);
    let r = call(&app, Method::POST, url, Some(&pusher), Some(again)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(stored(&app).await, (1995, 2000));

    // A bucket of another shape over stored minutes cannot replace them exactly: refused.
    let five = batch(vec![
        json!({ "start": minute(3).to_rfc3339(), "minutes": 2, "good": 1, "total": 1 }),
    ]);
    let r = call(&app, Method::POST, url, Some(&pusher), Some(five)).await;
    if minute(3).format("%M").to_string().parse::<i64>().unwrap() <= 58 {
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(json_of(&r)["fields"]["buckets[0].start"]
            .as_str()
            .unwrap()
            .contains("Overlaps"));
    }
    assert_eq!(stored(&app).await, (1995, 2000));

    // The figures follow: 5 bad of a 20-event budget (1 % of 2,000) leave 75 %.
    let r = call(
        &app,
        Method::GET,
        "/api/v1/services/status-page/slos/availability",
        Some(&pusher),
        None,
    )
    .await;
    let f = json_of(&r)["figures"].clone();
    assert_eq!(f["counts"], json!({ "good": 1995, "total": 2000 }));
    assert!(
        (f["budget_remaining"].as_f64().unwrap() - 0.75).abs() < 1e-9,
        "{f}"
    );
    assert_eq!(f["state"], "Ok", "{f}");
    // The push is recorded on the SLO (not in the audit trail: counts are measurements).
    let by: String = sqlx::query_scalar("SELECT pushed_by FROM slo_push")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(by.starts_with("token rpt_"), "{by}");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_service_page_shows_the_live_budget_and_the_tier_requirement(pool: PgPool) {
    let app = admin(pool).await;
    let writer = token(
        &app,
        "observability",
        "catalog:read,catalog:write,slo:write",
    )
    .await;
    let viewer = app.signed_in_as(&common::op::CAROL_VIEWER).await;

    // Tier 1 requires an SLO: the page says there is none, and what to do.
    let page = viewer.get("/services/status-page").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("No SLO: the tier requires at least one"),
        "policy gap missing"
    );
    assert!(page.body.contains("No SLOs yet"));
    assert!(
        page.body
            .contains("This service&#x27;s tier requires an SLO")
            || page.body.contains("This service's tier requires an SLO")
    );

    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/status-page/slos",
        Some(&writer),
        Some(availability("availability", json!(99))),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let url = "/api/v1/slos/status-page/availability/counts";
    let good: Vec<Value> = (10..20).map(|m| bucket(minute(m), 1000, 1000)).collect();
    let r = call(
        &app,
        Method::POST,
        url,
        Some(&writer),
        Some(json!({ "buckets": good })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let page = viewer.get("/services/status-page").await;
    assert!(
        !page.body.contains("No SLO: the tier requires"),
        "the gap stayed after an SLO was made"
    );
    assert!(page.body.contains("Status page availability"));
    assert!(page.body.contains("budget-ok"), "state badge missing");
    assert!(
        page.body.contains("Budget left: 100 %"),
        "budget bar missing"
    );
    // The tier's floor is 99.9: an objective of 99 is flagged.
    assert!(page.body.contains("Below tier minimum 99.9 %"));

    // A push right after: the next view shows it (the page body is cached, the SLOs are not).
    let burning: Vec<Value> = (1..10).map(|m| bucket(minute(m), 0, 1000)).collect();
    let r = call(
        &app,
        Method::POST,
        url,
        Some(&writer),
        Some(json!({ "buckets": burning })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let page = viewer.get("/services/status-page").await;
    assert!(
        page.body.contains("budget-exhausted"),
        "stale state: {}",
        &page.body[page.body.find("slos-h").unwrap_or(0)..][..2000.min(page.body.len())]
    );
    assert!(page.body.contains("Exhausted · freeze"));

    // The SLO page: the chart with its text alternative, the alert table, the definition.
    let slo = viewer.get("/services/status-page/slos/availability").await;
    assert_eq!(slo.status, StatusCode::OK);
    for needle in [
        "<svg",
        "<title",
        "Error budget left",
        "SLI per day",
        "Firing",
        "a posting answered without a 5xx",
    ] {
        assert!(
            slo.body.contains(needle),
            "{needle} missing from the SLO page"
        );
    }
    let help = viewer.get("/help/slos").await;
    assert!(
        help.body.contains("43m 12s") && help.body.contains("14.40×"),
        "worked example missing"
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn roll_up_keeps_every_window_exact_and_retention_deletes(pool: PgPool) {
    let app = admin(pool).await;
    let writer = token(
        &app,
        "observability",
        "catalog:read,catalog:write,slo:write",
    )
    .await;
    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/status-page/slos",
        Some(&writer),
        Some(availability("availability", json!(99.9))),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let url = "/api/v1/slos/status-page/availability/counts";
    // Five and six days ago, every minute of two whole hours, plus a few recent minutes.
    let hour = Utc::now().duration_trunc(Duration::hours(1)).unwrap();
    for start in [hour - Duration::days(5), hour - Duration::days(6)] {
        let b: Vec<Value> = (0..60)
            .map(|m| bucket(start + Duration::minutes(m), 990 + m % 7, 1000))
            .collect();
        let r = call(
            &app,
            Method::POST,
            url,
            Some(&writer),
            Some(json!({ "buckets": b })),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let recent: Vec<Value> = (1..30).map(|m| bucket(minute(m), 999, 1000)).collect();
    let r = call(
        &app,
        Method::POST,
        url,
        Some(&writer),
        Some(json!({ "buckets": recent })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // And one bucket past the retention, written behind the API's back.
    sqlx::query(&format!(
        "INSERT INTO slo_count SELECT id, now() - interval '94 days', 60, 5, 5 FROM ({OWN_SLOS}) o"
    ))
    .execute(&app.pool)
    .await
    .unwrap();

    let now = Utc::now();
    let before = app::store::slos::for_service(&app.pool, None, "status-page", now)
        .await
        .unwrap();
    let rows = format!("SELECT count(*) FROM slo_count WHERE slo_id IN ({OWN_SLOS})");
    let rows_before = app.scalar_i64(&rows).await;
    let done = app::store::slo_counts::maintain(&app.pool, now)
        .await
        .unwrap();
    assert_eq!(done.rolled_up, 2, "{done:?}");
    assert_eq!(done.expired, 1, "{done:?}");
    let rows_after = app.scalar_i64(&rows).await;
    assert_eq!(rows_after, rows_before - 2 * 60 + 2 - 1);
    assert_eq!(
        app.scalar_i64(&format!(
            "SELECT count(*) FROM slo_count WHERE minutes = 60 AND slo_id IN ({OWN_SLOS})"
        ))
        .await,
        2
    );
    let after = app::store::slos::for_service(&app.pool, None, "status-page", now)
        .await
        .unwrap();
    assert_eq!(
        before[0].figures.counts, after[0].figures.counts,
        "the window's sums moved"
    );
    assert_eq!(before[0].figures.burn_rates, after[0].figures.burn_rates);
    // Running again changes nothing.
    let again = app::store::slo_counts::maintain(&app.pool, now)
        .await
        .unwrap();
    assert_eq!((again.rolled_up, again.expired), (0, 0));

    // A minute pushed into a rolled-up hour would double-count: refused, nothing stored.
    let late =
        json!({ "buckets": [bucket(hour - Duration::days(5) + Duration::minutes(7), 1, 1)] });
    let r = call(&app, Method::POST, url, Some(&writer), Some(late)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(json_of(&r)["fields"]["buckets[0].start"]
        .as_str()
        .unwrap()
        .contains("60-minute"));
    // The whole hour, pushed again as one bucket, replaces it.
    let whole = json!({ "buckets": [{ "start": (hour - Duration::days(5)).to_rfc3339(), "minutes": 60, "good": 1, "total": 1 }] });
    let r = call(&app, Method::POST, url, Some(&writer), Some(whole)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(app.scalar_i64(&rows).await, rows_after);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_background_job_runs_once_per_interval_across_two_replicas(pool: PgPool) {
    // Two replicas: two pools, two runners of the same job.
    let opts = pool.connect_options();
    let second = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect_with((*opts).clone())
        .await
        .unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    let started = std::time::Instant::now();
    for p in [pool.clone(), second] {
        let runs = runs.clone();
        server::jobs::spawn(
            p,
            "test-job",
            std::time::Duration::from_secs(1),
            move |_| {
                let runs = runs.clone();
                async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    Ok("counted".to_string())
                }
            },
        );
    }
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    let n = runs.load(Ordering::SeqCst);
    let secs = started.elapsed().as_secs_f64();
    // Once per second across both: never two in one interval, and not stalled either.
    assert!(
        n >= 2 && (n as f64) <= secs.ceil(),
        "{n} runs in {secs:.1}s"
    );
    let recorded: i64 = sqlx::query_scalar("SELECT runs FROM job_run WHERE name = 'test-job'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(recorded as usize >= n, "{recorded} recorded, {n} counted");

    // Many replicas asking at the same moment: exactly one wins.
    let mut claims = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let pool = pool.clone();
        claims.spawn(
            async move { app::store::jobs::claim(&pool, "race", Duration::minutes(10)).await },
        );
    }
    let won = claims
        .join_all()
        .await
        .into_iter()
        .filter(|c| *c.as_ref().unwrap())
        .count();
    assert_eq!(won, 1);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_slo_list_sorts_by_budget_left_filters_with_counts_and_follows_the_evaluator(
    pool: PgPool,
) {
    let app = admin(pool).await;
    let viewer = app.signed_in_as(&common::op::CAROL_VIEWER).await;
    // The demo's search latency SLO spent its budget in an outage: least budget left, first.
    let page = viewer.get("/slos").await;
    assert_eq!(page.status, StatusCode::OK);
    let first_row = page
        .body
        .find("<tbody>")
        .map(|i| &page.body[i..])
        .unwrap_or("");
    let first = first_row.find("Search latency").unwrap_or(usize::MAX);
    let second = first_row
        .find("Payments API availability")
        .unwrap_or(usize::MAX);
    assert!(
        first < second && second < usize::MAX,
        "not sorted by budget left"
    );
    assert!(page.body.contains("Exhausted · freeze"));

    // A filter narrows the rows; every facet still counts the other values.
    let frozen = viewer.get("/slos?state=exhausted").await;
    assert!(frozen.body.contains("Search latency"));
    assert!(!frozen.body.contains("Payments API availability"));
    assert!(frozen.body.contains("Page 1 of 1 · 1 SLOs"), "total wrong");
    let payments = viewer.get("/slos?team=payments").await;
    assert!(payments.body.contains("Payments API availability"));
    assert!(!payments.body.contains("Search latency"));
    let total: i64 = app.scalar_i64("SELECT count(*) FROM slo").await;
    let all = viewer.get("/slos?page=4000000000").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(
        all.body.contains(&format!("{total} SLOs")),
        "bounded page lost the total"
    );

    // The overview names the services in freeze and the SLOs paging now.
    let home = viewer.get("/").await;
    assert!(home.body.contains("Error budgets"));
    assert!(home.body.contains("Search latency") && home.body.contains("Checkout page loads"));

    // The list follows the evaluator: an outage pushed now shows after its next run.
    let writer = token(
        &app,
        "observability",
        "catalog:read,catalog:write,slo:write",
    )
    .await;
    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/status-page/slos",
        Some(&writer),
        Some(availability("availability", json!(99.9))),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let outage: Vec<Value> = (1..200).map(|m| bucket(minute(m), 0, 10)).collect();
    let r = call(
        &app,
        Method::POST,
        "/api/v1/slos/status-page/availability/counts",
        Some(&writer),
        Some(json!({ "buckets": outage })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let before = viewer.get("/slos?state=exhausted").await;
    assert!(!before.body.contains("Status page availability"));
    let n = app::store::slos::evaluate_all(&app.pool, Utc::now())
        .await
        .unwrap();
    assert_eq!(n as i64, total + 1);
    let after = viewer.get("/slos?state=exhausted").await;
    assert!(
        after.body.contains("Status page availability"),
        "the evaluator's figures are not shown"
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_catalog_filters_by_budget_state_as_of_the_last_evaluation(pool: PgPool) {
    let app = admin(pool).await;
    let viewer = app.signed_in_as(&common::op::CAROL_VIEWER).await;
    let reader = token(&app, "", "catalog:read").await;
    let frozen = viewer.get("/services?budget=exhausted").await;
    assert_eq!(frozen.status, StatusCode::OK);
    assert!(
        frozen.body.contains("/services/search-api\""),
        "the frozen service is missing"
    );
    assert!(!frozen.body.contains("/services/status-page\""));
    assert!(
        frozen.body.contains("Budget: Exhausted · freeze"),
        "no chip to clear it"
    );
    assert!(frozen.body.contains("Error budget"), "no budget facet");
    // The unfiltered catalog is cached; warm it so a stale page would be served next.
    viewer.get("/services").await;

    // An outage on the status page, evaluated: the filter shows it at once, page and API.
    let writer = token(
        &app,
        "observability",
        "catalog:read,catalog:write,slo:write",
    )
    .await;
    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/status-page/slos",
        Some(&writer),
        Some(availability("availability", json!(99.9))),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let outage: Vec<Value> = (1..200).map(|m| bucket(minute(m), 0, 10)).collect();
    let r = call(
        &app,
        Method::POST,
        "/api/v1/slos/status-page/availability/counts",
        Some(&writer),
        Some(json!({ "buckets": outage })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let api = |q: &'static str| {
        let (app, reader) = (app.clone(), reader.clone());
        async move { call(&app, Method::GET, q, Some(&reader), None).await }
    };
    let before = api("/api/v1/services?budget=exhausted&limit=100").await;
    assert!(
        !before.body.contains("\"status-page\""),
        "frozen before the evaluation"
    );
    // Seen before the evaluation (and so cached, were it cacheable): not frozen yet.
    let seen = viewer.get("/services?budget=exhausted").await;
    assert!(!seen.body.contains("/services/status-page\""));
    // The unfiltered catalog's budget facet (cached) counts the frozen services.
    let frozen_count = |body: &str| -> i64 {
        let at = body
            .find("Exhausted · freeze</span>")
            .expect("no Exhausted facet");
        let rest = &body[at..];
        let n = rest.find("facet-count\">").expect("no count") + "facet-count\">".len();
        rest[n..].split('<').next().unwrap().trim().parse().unwrap()
    };
    let frozen_before = frozen_count(&viewer.get("/services").await.body);
    app::store::slos::evaluate_all(&app.pool, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        frozen_count(&viewer.get("/services").await.body),
        frozen_before + 1,
        "stale budget counts"
    );
    let after = viewer.get("/services?budget=exhausted").await;
    assert!(
        after.body.contains("/services/status-page\""),
        "stale budget filter"
    );
    let listed = api("/api/v1/services?budget=exhausted&limit=100").await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let slugs: Vec<String> = json_of(&listed)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slug"].as_str().unwrap().to_string())
        .collect();
    assert!(
        slugs.contains(&"status-page".to_string()) && slugs.contains(&"search-api".to_string()),
        "{slugs:?}"
    );
    assert!(
        !slugs.contains(&"payments-api".to_string()),
        "an at-risk service listed as frozen"
    );
    let bad = api("/api/v1/services?budget=melting").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json_of(&bad)["fields"]["budget"].is_string(),
        "{}",
        bad.body
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_tier_policy_says_whether_an_slo_is_required_and_when_one_is_at_risk(pool: PgPool) {
    let app = admin(pool).await;
    let org = token(&app, "", "catalog:read,catalog:write").await;
    let body = |required: &str, pct: &str| {
        json!({ "name": "Tier 2 · Internal", "description": "Internal users.", "runbook_required": "on",
                "min_slo_objective": "99.5", "postmortem_due_days": "10",
                "slo_required": required, "budget_at_risk_pct": pct })
    };
    let viewer = app.signed_in_as(&common::op::CAROL_VIEWER).await;
    assert!(!viewer
        .get("/services/invoicing")
        .await
        .body
        .contains("No SLO: the tier requires"));

    let r = call(
        &app,
        Method::PUT,
        "/api/v1/tiers/2",
        Some(&org),
        Some(body("on", "0")),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(json_of(&r)["fields"]["budget_at_risk_pct"].is_string());
    let r = call(
        &app,
        Method::PUT,
        "/api/v1/tiers/2",
        Some(&org),
        Some(body("on", "40")),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = json_of(&r);
    assert_eq!(
        (v["slo_required"].clone(), v["budget_at_risk_pct"].clone()),
        (json!(true), json!(40))
    );
    // Tier 2 now requires an SLO: its services without one are flagged.
    assert!(viewer
        .get("/services/invoicing")
        .await
        .body
        .contains("No SLO: the tier requires"));

    // 38 % of the budget left, spent five days ago (no alert window sees it): at risk under the
    // tier's 40 %, OK under the default 25 %.
    let writer = token(&app, "payments", "catalog:read,catalog:write,slo:write").await;
    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/invoicing/slos",
        Some(&writer),
        Some(availability("availability", json!(99))),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let hour = Utc::now().duration_trunc(Duration::hours(1)).unwrap() - Duration::days(5);
    let mut b: Vec<Value> =
        vec![json!({ "start": hour.to_rfc3339(), "minutes": 60, "good": 59_566, "total": 60_000 })];
    b.extend((1..11).map(|m| bucket(minute(m), 1000, 1000)));
    let r = call(
        &app,
        Method::POST,
        "/api/v1/slos/invoicing/availability/counts",
        Some(&writer),
        Some(json!({ "buckets": b })),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let figures = || async {
        let r = call(
            &app,
            Method::GET,
            "/api/v1/services/invoicing/slos/availability",
            Some(&writer),
            None,
        )
        .await;
        json_of(&r)["figures"].clone()
    };
    let f = figures().await;
    assert!(
        (f["budget_remaining"].as_f64().unwrap() - 0.38).abs() < 1e-9,
        "{f}"
    );
    assert_eq!(f["state"], "AtRisk", "{f}");
    assert!(f["reason"].as_str().unwrap().contains("40 %"), "{f}");
    let r = call(
        &app,
        Method::PUT,
        "/api/v1/tiers/2",
        Some(&org),
        Some(body("on", "")),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(figures().await["state"], "Ok");
}
