//! Prometheus-sourced SLOs against a real Prometheus holding known data: a healthy SLO, a
//! burning one, a broken query, an outage that makes them "unknown since …" (never healthy)
//! and the recovery, and the generated rules checked by `promtool check rules`.
mod common;

use axum::http::{Method, StatusCode};
use common::api::{call, json_of, token};
use common::prometheus::{counters, TestPrometheus};
use common::TestApp;
use serde_json::{json, Value};
use sqlx::PgPool;

use server::prometheus::Prometheus;

fn prometheus_slo(slug: &str, job: &str) -> Value {
    json!({
        "slug": slug, "name": format!("{job} availability"), "sli_kind": "availability",
        "good_events": "a request answered without a 5xx", "total_events": "a request",
        "objective": 99.9, "window": "rolling", "window_days": 30, "source": "prometheus",
        "error_query": format!("sum(rate(http_requests_total{{job=\"{job}\",code=\"500\"}}[{{{{.window}}}}]))"),
        "total_query": format!("sum(rate(http_requests_total{{job=\"{job}\"}}[{{{{.window}}}}]))"),
    })
}

async fn figures(app: &TestApp, token: &str, slo: &str) -> Value {
    let r = call(
        app,
        Method::GET,
        &format!("/api/v1/services/status-page/slos/{slo}"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    json_of(&r)["figures"].clone()
}

fn burn(f: &Value, window: &str) -> f64 {
    f["burn_rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[0] == window)
        .and_then(|p| p[1].as_f64())
        .unwrap_or_else(|| panic!("no {window} burn rate in {f}"))
}

fn near(x: f64, want: f64, tolerance: f64) -> bool {
    (x - want).abs() <= tolerance
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn prometheus_slos_follow_real_queries_through_an_outage(pool: PgPool) {
    let app = TestApp::with_demo(pool)
        .await
        .signed_in_as(&common::op::ALICE_ADMIN)
        .await;
    let writer = token(&app, "observability", "catalog:read,catalog:write").await;
    // Six hours of 2,000 requests a minute: "calm" fails 1 in 2,000 (0.05 %, half the budget's
    // rate for 99.9 %), "burning" 40 in 2,000 (2 %: 20× the budget's rate).
    let now = chrono::Utc::now().timestamp();
    let data = counters(
        "http_requests",
        &[
            ("job=\"calm\",code=\"200\"", 1999),
            ("job=\"calm\",code=\"500\"", 1),
            ("job=\"burning\",code=\"200\"", 1960),
            ("job=\"burning\",code=\"500\"", 40),
        ],
        360,
        now,
    );
    let mut prom = TestPrometheus::start(&data);
    for (slug, job) in [("calm", "calm"), ("burning", "burning")] {
        let r = call(
            &app,
            Method::POST,
            "/api/v1/services/status-page/slos",
            Some(&writer),
            Some(prometheus_slo(slug, job)),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let mut broken = prometheus_slo("broken", "calm");
    broken["error_query"] = json!("sum(rate(http_requests_total[{{.window}}]) by (");
    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/status-page/slos",
        Some(&writer),
        Some(broken),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    // Before any evaluation: unknown, saying why.
    let f = figures(&app, &writer, "calm").await;
    assert_eq!(f["state"], "Unknown");
    assert!(
        f["reason"].as_str().unwrap().contains("Not evaluated yet"),
        "{f}"
    );

    let p = Prometheus::new(&prom.url, std::time::Duration::from_secs(5), 2).unwrap();
    let report = server::jobs::evaluate_slos(&app.pool, Some(&p))
        .await
        .unwrap();
    assert!(report.contains("3 from Prometheus"), "{report}");

    // Calm: burns at 0.5× over every window, half the budget left, no alert.
    let calm = figures(&app, &writer, "calm").await;
    assert_eq!(calm["state"], "Ok", "{calm}");
    for w in ["5m", "1h", "6h", "3d"] {
        assert!(near(burn(&calm, w), 0.5, 0.02), "calm {w}: {calm}");
    }
    let left = calm["budget_remaining"].as_f64().unwrap();
    assert!(near(left, 0.5, 0.02), "calm budget left {left}");
    assert!(
        calm["counts"]["total"].as_i64().unwrap() > 600_000,
        "{calm}"
    );

    // Burning: 20×, budget gone, the page alert firing.
    let hot = figures(&app, &writer, "burning").await;
    assert_eq!(hot["state"], "Exhausted", "{hot}");
    assert!(near(burn(&hot, "1h"), 20.0, 0.5), "{hot}");
    let page_alert = hot["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["severity"] == "Page")
        .unwrap();
    assert_eq!(page_alert["firing"], true, "{hot}");

    // A query Prometheus refuses: unknown with Prometheus's own words.
    let b = figures(&app, &writer, "broken").await;
    assert_eq!(b["state"], "Unknown");
    let why = b["reason"].as_str().unwrap();
    assert!(why.contains("Prometheus refused the query"), "{why}");

    // The lists follow the evaluator.
    let state: String = sqlx::query_scalar(
        "SELECT st.state FROM slo_status st JOIN slo o ON o.id = st.slo_id WHERE o.slug = 'burning'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(state, "exhausted");

    // The outage: unknown since the first failed evaluation, never "ok" from old figures.
    prom.stop();
    server::jobs::evaluate_slos(&app.pool, Some(&p))
        .await
        .unwrap();
    let down = figures(&app, &writer, "calm").await;
    assert_eq!(down["state"], "Unknown", "{down}");
    let why = down["reason"].as_str().unwrap().to_string();
    assert!(
        why.starts_with("Unknown since ") && why.contains("Prometheus is unreachable"),
        "{why}"
    );
    let since: chrono::DateTime<chrono::Utc> = sqlx::query_scalar(
        "SELECT failing_since FROM slo_prometheus p JOIN slo o ON o.id = p.slo_id WHERE o.slug = 'calm'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    server::jobs::evaluate_slos(&app.pool, Some(&p))
        .await
        .unwrap();
    let again: chrono::DateTime<chrono::Utc> = sqlx::query_scalar(
        "SELECT failing_since FROM slo_prometheus p JOIN slo o ON o.id = p.slo_id WHERE o.slug = 'calm'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(since, again, "the outage's start moved");
    let page = app.get("/services/status-page").await;
    assert!(
        page.body.contains("Prometheus is unreachable"),
        "service page hides the outage"
    );

    // Back up: recovers by itself at the next evaluation.
    prom.resume();
    server::jobs::evaluate_slos(&app.pool, Some(&p))
        .await
        .unwrap();
    let back = figures(&app, &writer, "calm").await;
    assert_eq!(back["state"], "Ok", "{back}");

    // A changed query makes the old answer stale at once: unknown until evaluated again.
    let mut changed = prometheus_slo("calm", "burning");
    changed["name"] = json!("calm availability");
    let r = call(
        &app,
        Method::PUT,
        "/api/v1/services/status-page/slos/calm",
        Some(&writer),
        Some(changed),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(figures(&app, &writer, "calm").await["state"], "Unknown");
    server::jobs::evaluate_slos(&app.pool, Some(&p))
        .await
        .unwrap();
    assert_eq!(figures(&app, &writer, "calm").await["state"], "Exhausted");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn without_a_configured_prometheus_its_slos_say_so(pool: PgPool) {
    let app = TestApp::with_demo(pool)
        .await
        .signed_in_as(&common::op::ALICE_ADMIN)
        .await;
    let writer = token(&app, "observability", "catalog:read,catalog:write").await;
    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/status-page/slos",
        Some(&writer),
        Some(prometheus_slo("calm", "calm")),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    server::jobs::evaluate_slos(&app.pool, None).await.unwrap();
    let f = figures(&app, &writer, "calm").await;
    assert_eq!(f["state"], "Unknown");
    assert!(
        f["reason"]
            .as_str()
            .unwrap()
            .contains("PORTAL_PROMETHEUS_URL"),
        "{f}"
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn generated_rules_pass_promtool_and_alert_at_the_portals_thresholds(pool: PgPool) {
    let app = TestApp::with_demo(pool)
        .await
        .signed_in_as(&common::op::ALICE_ADMIN)
        .await;
    let writer = token(&app, "observability", "catalog:read,catalog:write").await;
    let mut slo = prometheus_slo("calm", "calm");
    slo["window_days"] = json!(28);
    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/status-page/slos",
        Some(&writer),
        Some(slo),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = call(
        &app,
        Method::GET,
        "/api/v1/services/status-page/slos/calm/rules",
        Some(&writer),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/yaml"));
    // 28 days: 2 % of the budget in 1 h is 13.44×, as the portal's own page alert.
    assert!(r.body.contains("> (13.44 * 0.001)"), "{}", r.body);
    assert!(r.body.contains("job=\"calm\",code=\"500\"}[1h]"));
    let file = std::env::temp_dir().join(format!("portal-rules-{}.yaml", std::process::id()));
    std::fs::write(&file, &r.body).unwrap();
    let out = std::process::Command::new("promtool")
        .args(["check", "rules"])
        .arg(&file)
        .output()
        .expect("promtool (scripts/setup.sh installs it)");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "promtool check rules: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("SUCCESS: 15 rules found"));

    // The same file for people signed in, and on the SLO page.
    let d = app.get("/export/slos/status-page/calm/rules.yaml").await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.body, r.body);
    let page = app.get("/services/status-page/slos/calm").await;
    assert!(
        page.body.contains("Prometheus rules") && page.body.contains("slo:sli_error:ratio_rate5m")
    );

    // An SLO fed by pushed counts has no rules to generate.
    let mut pushed = prometheus_slo("pushed", "calm");
    pushed["source"] = json!("push");
    let r = call(
        &app,
        Method::POST,
        "/api/v1/services/status-page/slos",
        Some(&writer),
        Some(pushed),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = call(
        &app,
        Method::GET,
        "/api/v1/services/status-page/slos/pushed/rules",
        Some(&writer),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
}
