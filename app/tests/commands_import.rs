//! Backstage import and export against a real Postgres: what a preview promises is what is
//! applied, the same files twice change nothing, a bad document stays out alone, a refused or
//! outdated import changes nothing, and an export imports back to the same catalog.
mod common;

use app::commands::{import, Caller};
use app::domain::access::{Me, Role};
use app::domain::backstage::Options;
use app::domain::import::{Action, ImportFile};
use app::error::AppError;
use app::state::{AppState, Settings};
use app::store::services::detail;
use common::{count, team, today};
use leptos::config::LeptosOptions;
use sqlx::PgPool;

fn state(pool: &PgPool) -> AppState {
    let options = LeptosOptions::builder().output_name("portal").build();
    AppState::new(pool.clone(), Settings::default(), options)
}

/// A signed-in person with a row of their own (the trail refers to it).
async fn person(pool: &PgPool, role: Role, teams: &[&str]) -> Caller {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO app_user (issuer, subject, email) VALUES ('t', $1, 'ada@example.com') \
         ON CONFLICT (issuer, subject) DO UPDATE SET email = EXCLUDED.email RETURNING id",
    )
    .bind(format!("ada-{}", role.as_str()))
    .fetch_one(pool)
    .await
    .unwrap();
    let me = Me {
        id,
        name: "Ada".into(),
        email: "ada@example.com".into(),
        role,
        teams: teams.iter().map(|t| t.to_string()).collect(),
    };
    Caller::person(me, "req-import".into())
}

fn files(yaml: &str) -> Vec<ImportFile> {
    vec![ImportFile {
        name: "catalog-info.yaml".into(),
        content: yaml.into(),
    }]
}

const YAML: &str = r##"
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
  annotations: {reliability.portal/chat-channel: "#payments"}
spec:
  type: team
  profile: {displayName: Payments, email: payments@example.com}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  title: Ledger
  annotations: {reliability.portal/tier: "0"}
  links:
    - {url: "https://wiki.example.com/runbooks/ledger", title: Runbook, type: runbook}
spec: {type: service, lifecycle: production, owner: group:default/payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  title: Payments API
  description: Takes card payments.
  annotations:
    reliability.portal/tier: "1"
    reliability.portal/soft-dependencies: ledger
  tags: [java, pci]
  links:
    - {url: "https://grafana.example.com/d/payments", title: Latency, type: dashboard}
spec:
  type: service
  lifecycle: production
  owner: payments
  dependsOn: [component:ledger]
"##;

async fn audit_count(pool: &PgPool) -> i64 {
    count(pool, "audit_event").await
}

async fn generation(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT value FROM catalog_generation")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn preview_then_apply_then_again_changes_nothing(pool: PgPool) {
    let st = state(&pool);
    let admin = person(&pool, Role::Admin, &[]).await;
    let preview = import::preview(&st, &admin, &files(YAML)).await.unwrap();
    assert!(preview.errors.is_empty(), "{:?}", preview.errors);
    assert_eq!(preview.count("team", Action::Create), 1);
    assert_eq!(preview.count("service", Action::Create), 2);
    assert!(!preview.applied);
    // A preview writes nothing.
    assert_eq!(count(&pool, "service").await, 0);
    assert_eq!(audit_count(&pool).await, 0);

    let done = import::apply(&st, &admin, &files(YAML), Some(&preview.digest))
        .await
        .unwrap();
    assert!(done.applied);
    assert_eq!(done.rows, preview.rows, "applied what was previewed");
    let d = detail(&pool, "payments-api", today(), 180).await.unwrap();
    assert_eq!(d.service.name, "Payments API");
    assert_eq!(d.service.tier.number(), 1);
    assert_eq!(d.service.tags, vec!["java", "pci"]);
    assert_eq!(
        d.owner.as_ref().map(|t| t.chat_channel.as_str()),
        Some("#payments")
    );
    assert_eq!(d.links.len(), 1);
    assert_eq!(d.links[0].title, "Latency");
    assert_eq!(d.depends_on.len(), 1);
    assert_eq!(d.depends_on[0].slug, "ledger");
    assert_eq!(d.depends_on[0].kind.as_str(), "soft");
    // Each change is in the trail, named for the person who imported.
    let by_ada: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_event WHERE actor_label = 'ada@example.com'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(
        by_ada >= 5,
        "team, 2 services, 2 links, 1 dependency: {by_ada}"
    );
    assert_eq!(by_ada, audit_count(&pool).await);

    let (events, generation_before) = (audit_count(&pool).await, generation(&pool).await);
    let again = import::apply(&st, &admin, &files(YAML), None)
        .await
        .unwrap();
    assert!(
        again.rows.iter().all(|r| r.action == Action::Unchanged),
        "{:?}",
        again.rows
    );
    assert_eq!(
        audit_count(&pool).await,
        events,
        "idempotent: nothing written"
    );
    assert_eq!(generation(&pool).await, generation_before);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_changed_file_updates_fields_links_and_edges(pool: PgPool) {
    let st = state(&pool);
    let admin = person(&pool, Role::Admin, &[]).await;
    import::apply(&st, &admin, &files(YAML), None)
        .await
        .unwrap();
    let changed = YAML
        .replace(
            "reliability.portal/tier: \"1\"",
            "reliability.portal/tier: \"2\"",
        )
        .replace(
            "https://grafana.example.com/d/payments",
            "https://grafana.example.com/d/payments-v2",
        )
        .replace("    reliability.portal/soft-dependencies: ledger\n", "");
    let r = import::apply(&st, &admin, &files(&changed), None)
        .await
        .unwrap();
    let row = r.rows.iter().find(|x| x.slug == "payments-api").unwrap();
    assert_eq!(row.action, Action::Update);
    for c in ["tier: “1” → “2”", "dependency on ledger: soft → hard"] {
        assert!(
            row.changes.iter().any(|x| x == c),
            "{c} not in {:?}",
            row.changes
        );
    }
    let d = detail(&pool, "payments-api", today(), 180).await.unwrap();
    assert_eq!(d.service.tier.number(), 2);
    let urls: Vec<&str> = d.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(urls, vec!["https://grafana.example.com/d/payments-v2"]);
    assert_eq!(d.depends_on[0].kind.as_str(), "hard");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_bad_document_stays_out_and_the_rest_goes_in(pool: PgPool) {
    let st = state(&pool);
    let admin = person(&pool, Role::Admin, &[]).await;
    let yaml = format!(
        "{YAML}---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: broken}}\nspec: {{lifecycle: live, owner: payments}}\n"
    );
    let r = import::apply(&st, &admin, &files(&yaml), None)
        .await
        .unwrap();
    assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
    let e = &r.errors[0];
    assert_eq!(
        (e.source.file.as_str(), e.source.document, e.field.as_str()),
        ("catalog-info.yaml", 4, "spec.lifecycle")
    );
    assert_eq!(count(&pool, "service").await, 2);
    let broken: i64 = sqlx::query_scalar("SELECT count(*) FROM service WHERE slug = 'broken'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(broken, 0);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn an_outdated_preview_or_a_refusal_changes_nothing(pool: PgPool) {
    let st = state(&pool);
    let admin = person(&pool, Role::Admin, &[]).await;
    let preview = import::preview(&st, &admin, &files(YAML)).await.unwrap();
    // Someone creates the team between the preview and the apply: the plan is not the same.
    team(&pool, "payments").await;
    let err = import::apply(&st, &admin, &files(YAML), Some(&preview.digest))
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppError::Conflict(ref m) if m.contains("Preview again")),
        "{err:?}"
    );
    assert_eq!(count(&pool, "service").await, 0, "nothing half-applied");

    // An editor of another team may neither change the team nor create payments' services:
    // each refusal is the document's error, recorded in the trail, and nothing is written.
    let editor = person(&pool, Role::Editor, &["search"]).await;
    let r = import::apply(&st, &editor, &files(YAML), None)
        .await
        .unwrap();
    assert!(r.rows.is_empty(), "{:?}", r.rows);
    assert_eq!(r.errors.len(), 3, "{:?}", r.errors);
    assert_eq!(count(&pool, "service").await, 0);
    let denied: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_event WHERE action = 'denied'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(denied, 3);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_export_imports_back_to_the_same_catalog(pool: PgPool) {
    app::store::demo::load(&pool, today()).await.unwrap();
    let opts = Options::new(app::domain::import::DEFAULT_TIER_ANNOTATION);
    let yaml = app::store::import::export(&pool, &opts).await.unwrap();
    assert_eq!(yaml.matches("kind: Component").count(), 60);
    assert_eq!(yaml.matches("kind: Group").count(), 8);
    let st = state(&pool);
    let r = import::preview(&st, &person(&pool, Role::Admin, &[]).await, &files(&yaml))
        .await
        .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let changed: Vec<_> = r
        .rows
        .iter()
        .filter(|x| x.action != Action::Unchanged)
        .collect();
    assert!(changed.is_empty(), "{changed:?}");
    assert_eq!(r.rows.len(), 68);
    // The notes are only about what the portal has no value for (unowned services).
    assert!(
        r.notes.iter().all(|n| n.field == "spec.owner"),
        "{:?}",
        r.notes
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn too_much_input_is_refused_before_it_is_read(pool: PgPool) {
    let st = state(&pool);
    let big = "#".repeat(app::domain::import::MAX_TOTAL_BYTES + 1);
    let err = import::preview(&st, &person(&pool, Role::Admin, &[]).await, &files(&big))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 422);
    assert!(
        err.field_errors().and_then(|f| f.get("files")).is_some(),
        "{err:?}"
    );
}
