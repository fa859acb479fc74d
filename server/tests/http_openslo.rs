//! OpenSLO import and export over the API and the pages: a dry run that changes nothing, an
//! import that is audited and idempotent, per-document errors, the preview's digest, team
//! bounds, and an export that imports back unchanged.
mod common;

use axum::http::{Method, StatusCode};
use common::api::{call, json_of, token};
use common::TestApp;
use serde_json::{json, Value};
use sqlx::PgPool;

const SLO: &str = r#"
apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
  displayName: Status page availability
spec:
  description: Postings answered without a 5xx
  service: status-page
  indicator:
    metadata:
      name: status-errors
    spec:
      ratioMetric:
        counter: true
        good:
          metricSource:
            type: Prometheus
            spec:
              query: sum(http_requests_total{job="status",code!~"5.."})
        total:
          metricSource:
            type: Prometheus
            spec:
              query: http_requests_total{job="status"}
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Three nines
      target: 0.999
"#;

const THRESHOLD: &str = r#"
apiVersion: openslo/v1
kind: SLO
metadata:
  name: search-latency
spec:
  service: status-page
  indicator:
    metadata:
      name: search-latency
    spec:
      thresholdMetric:
        metricSource:
          type: Prometheus
          spec:
            query: histogram_quantile(0.99, x)
  timeWindow:
    - duration: 2w
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - op: lt
      value: 500
      target: 0.99
"#;

fn files(content: &str) -> Value {
    json!([{ "name": "slos.yaml", "content": content }])
}

async fn import(
    app: &TestApp,
    token: &str,
    content: &str,
    dry_run: bool,
    digest: Option<&str>,
) -> (StatusCode, Value) {
    let r = call(
        app,
        Method::POST,
        "/api/v1/openslo",
        Some(token),
        Some(json!({ "files": files(content), "dry_run": dry_run, "digest": digest })),
    )
    .await;
    (
        r.status,
        serde_json::from_str(&r.body).unwrap_or(Value::Null),
    )
}

async fn audited(app: &TestApp) -> i64 {
    app.scalar_i64("SELECT count(*) FROM audit_event WHERE entity_type = 'slo'")
        .await
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn openslo_imports_are_previewed_audited_idempotent_and_export_round_trips(pool: PgPool) {
    let app = TestApp::with_demo(pool)
        .await
        .signed_in_as(&common::op::ALICE_ADMIN)
        .await;
    let writer = token(&app, "observability", "catalog:read,catalog:write").await;
    let both = format!("{SLO}\n---\n{THRESHOLD}");

    // The dry run says what would happen and changes nothing.
    let (status, report) = import(&app, &writer, &both, true, None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["rows"][0]["action"], "create", "{report}");
    assert_eq!(report["rows"][0]["slug"], "status-page/availability");
    assert_eq!(report["errors"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(
        report["errors"][0]["field"],
        "spec.indicator.spec.thresholdMetric"
    );
    let digest = report["digest"].as_str().unwrap().to_string();
    assert_eq!(
        app.scalar_i64("SELECT count(*) FROM slo o JOIN service s ON s.id = o.service_id WHERE s.slug = 'status-page' AND o.slug = 'availability'")
            .await,
        0
    );

    // Applied with the preview's digest: the good SLO lands, audited as the token; the
    // threshold one does not.
    let (status, report) = import(&app, &writer, &both, false, Some(&digest)).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["applied"], true);
    let (objective, window_days, total): (i32, Option<i16>, String) = sqlx::query_as(
        "SELECT o.objective_milli, o.window_days, o.total_query FROM slo o JOIN service s ON s.id = o.service_id WHERE s.slug = 'status-page' AND o.slug = 'availability'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((objective, window_days), (99_900, Some(28)));
    assert_eq!(
        total,
        "sum(rate(http_requests_total{job=\"status\"}[{{.window}}]))"
    );
    assert_eq!(
        app.scalar_i64("SELECT count(*) FROM slo o JOIN service s ON s.id = o.service_id WHERE s.slug = 'status-page' AND o.slug = 'search-latency'")
            .await,
        0
    );
    let actor: String = sqlx::query_scalar(
        "SELECT actor_label FROM audit_event WHERE action = 'slo.create' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(actor.contains("ci"), "audited as {actor}");
    let trail = audited(&app).await;

    // Again: nothing to do, nothing written.
    let (_, report) = import(&app, &writer, SLO, false, None).await;
    assert_eq!(report["rows"][0]["action"], "unchanged", "{report}");
    assert_eq!(
        audited(&app).await,
        trail,
        "an unchanged import wrote to the trail"
    );

    // A changed target is an update, shown before it is made; a stale digest is refused.
    let tighter = SLO.replace("0.999", "0.9995");
    let (_, preview) = import(&app, &writer, &tighter, true, None).await;
    assert_eq!(preview["rows"][0]["action"], "update");
    assert_eq!(
        preview["rows"][0]["changes"][0],
        "objective: 99.9 % → 99.95 %"
    );
    let (status, _) = import(&app, &writer, &tighter, false, Some("not-the-digest")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        app.scalar_i64("SELECT o.objective_milli::int8 FROM slo o JOIN service s ON s.id = o.service_id WHERE s.slug = 'status-page' AND o.slug = 'availability'")
            .await,
        99_900
    );
    let d = preview["digest"].as_str().unwrap().to_string();
    let (status, _) = import(&app, &writer, &tighter, false, Some(&d)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.scalar_i64("SELECT o.objective_milli::int8 FROM slo o JOIN service s ON s.id = o.service_id WHERE s.slug = 'status-page' AND o.slug = 'availability'")
            .await,
        99_950
    );

    // The export imports back with nothing to change.
    let r = call(
        &app,
        Method::GET,
        "/api/v1/openslo?service=status-page",
        Some(&writer),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.contains("apiVersion: openslo/v1") && r.body.contains("target: 0.9995"),
        "{}",
        r.body
    );
    let (_, back) = import(&app, &writer, &r.body, true, None).await;
    assert_eq!(back["rows"][0]["action"], "unchanged", "{back}");
    assert!(back["errors"].as_array().unwrap().is_empty(), "{back}");
    let r = call(
        &app,
        Method::GET,
        "/api/v1/openslo?service=nowhere",
        Some(&writer),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The same file for people, from the SLO list.
    let page = app.get("/export/openslo.yaml?service=status-page").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name: availability"));
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn an_import_stays_within_the_callers_teams(pool: PgPool) {
    let app = TestApp::with_demo(pool)
        .await
        .signed_in_as(&common::op::ALICE_ADMIN)
        .await;
    // The status page belongs to observability; a payments token may not define its SLOs.
    let payments = token(&app, "payments", "catalog:read,catalog:write").await;
    let (status, report) = import(&app, &payments, SLO, false, None).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(report["rows"].as_array().unwrap().is_empty(), "{report}");
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("team observability"),
        "{report}"
    );
    assert_eq!(
        app.scalar_i64("SELECT count(*) FROM slo o JOIN service s ON s.id = o.service_id WHERE s.slug = 'status-page' AND o.slug = 'availability'")
            .await,
        0
    );
    // A reader's token may not import at all.
    let reader = token(&app, "", "catalog:read").await;
    let (status, _) = import(&app, &reader, SLO, true, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The page and its preview, for a viewer: readable, and the preview refuses the change.
    let viewer = app.signed_in_as(&common::op::CAROL_VIEWER).await;
    let page = viewer.get("/slos/import").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Import SLOs from OpenSLO"));
    let r = viewer
        .post_json("/fn/preview_slo_import", &json!({ "files": files(SLO) }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = json_of(&r);
    assert!(v["rows"].as_array().unwrap().is_empty(), "{v}");
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("You may not change"),
        "{v}"
    );
}
