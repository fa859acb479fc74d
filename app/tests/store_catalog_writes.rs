//! Teams, services, links and dependencies against a real Postgres: constraints and messages.
mod common;

use app::domain::dependency::DependencyForm;
use app::domain::link::LinkForm;
use app::domain::service::ServiceForm;
use app::domain::team::TeamForm;
use app::domain::tier::PolicyGap;
use app::error::AppError;
use app::store::{dependencies, links, services, teams};
use common::{count, service, team, today};
use sqlx::PgPool;

fn field<'a>(e: &'a AppError, name: &str) -> Option<&'a str> {
    e.field_errors().and_then(|f| f.get(name))
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn duplicate_slugs_are_field_errors_and_change_nothing(pool: PgPool) {
    team(&pool, "payments").await;
    let dup = TeamForm {
        slug: "payments".into(),
        name: "Other".into(),
        ..Default::default()
    };
    let e = teams::create(&mut pool.acquire().await.unwrap(), &dup.validate().unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        field(&e, "slug"),
        Some("Another team already uses this slug.")
    );
    assert_eq!(e.status(), 422);
    assert_eq!(count(&pool, "team").await, 1);

    service(&pool, "ledger", "Ledger", 0, Some("payments"), "").await;
    let form = ServiceForm {
        slug: "ledger".into(),
        name: "Ledger 2".into(),
        tier: "1".into(),
        lifecycle: "production".into(),
        ..Default::default()
    };
    let e = services::create(
        &mut pool.acquire().await.unwrap(),
        &form.validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        field(&e, "slug"),
        Some("Another service already uses this slug.")
    );
    let name: String = sqlx::query_scalar("SELECT name FROM service WHERE slug = 'ledger'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(name, "Ledger");

    // Renaming onto a taken slug is refused the same way.
    service(&pool, "payouts", "Payouts", 1, None, "").await;
    let e = services::update(
        &mut pool.acquire().await.unwrap(),
        "payouts",
        &form.validate().unwrap(),
        None,
    )
    .await
    .unwrap_err();
    assert_eq!(
        field(&e, "slug"),
        Some("Another service already uses this slug.")
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn unknown_owner_is_a_field_error(pool: PgPool) {
    let form = ServiceForm {
        slug: "x".into(),
        name: "X".into(),
        tier: "1".into(),
        lifecycle: "production".into(),
        owner: "ghosts".into(),
        ..Default::default()
    };
    let e = services::create(
        &mut pool.acquire().await.unwrap(),
        &form.validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert_eq!(field(&e, "owner"), Some("There is no team \"ghosts\"."));
    assert_eq!(count(&pool, "service").await, 0);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn team_that_owns_services_cannot_be_deleted(pool: PgPool) {
    team(&pool, "payments").await;
    team(&pool, "empty").await;
    service(&pool, "ledger", "Ledger", 0, Some("payments"), "").await;
    let e = teams::delete(&mut pool.acquire().await.unwrap(), "payments")
        .await
        .unwrap_err();
    assert_eq!(e.status(), 409);
    assert!(e.to_string().contains("still owns 1 service"), "{e}");
    assert_eq!(count(&pool, "team").await, 2);
    teams::delete(&mut pool.acquire().await.unwrap(), "empty")
        .await
        .unwrap();
    assert_eq!(count(&pool, "team").await, 1);
    assert_eq!(
        teams::delete(&mut pool.acquire().await.unwrap(), "empty")
            .await
            .unwrap_err()
            .status(),
        404
    );
    // The database refuses it too, whatever the app checks.
    let raw = sqlx::query("DELETE FROM team WHERE slug = 'payments'")
        .execute(&pool)
        .await;
    assert!(raw.is_err());
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn service_detail_gathers_links_dependencies_and_gaps(pool: PgPool) {
    team(&pool, "payments").await;
    service(
        &pool,
        "payments-api",
        "Payments API",
        1,
        Some("payments"),
        "",
    )
    .await;
    service(&pool, "ledger", "Ledger", 0, Some("payments"), "").await;
    service(&pool, "checkout", "Checkout", 1, None, "").await;
    let link = |kind: &str, url: &str, reviewed: &str| LinkForm {
        kind: kind.into(),
        title: String::new(),
        url: url.into(),
        last_reviewed_on: reviewed.into(),
    };
    let stale = link("runbook", "https://wiki.example.com/old", "2025-01-01")
        .validate(today())
        .unwrap();
    links::add(&mut pool.acquire().await.unwrap(), "payments-api", &stale)
        .await
        .unwrap();
    let dep = |t: &str, k: &str| DependencyForm {
        target: t.into(),
        kind: k.into(),
    };
    dependencies::add(
        &mut pool.acquire().await.unwrap(),
        "payments-api",
        &dep("ledger", "hard").validate("payments-api").unwrap(),
    )
    .await
    .unwrap();
    dependencies::add(
        &mut pool.acquire().await.unwrap(),
        "checkout",
        &dep("payments-api", "soft").validate("checkout").unwrap(),
    )
    .await
    .unwrap();

    let d = services::detail(&pool, "payments-api", today(), 180)
        .await
        .unwrap();
    assert_eq!(d.owner.as_ref().map(|t| t.slug.as_str()), Some("payments"));
    assert_eq!(d.links.len(), 1);
    assert!(d.links[0].stale);
    assert_eq!(d.links[0].age_days, Some(690));
    assert_eq!(
        d.depends_on
            .iter()
            .map(|e| e.slug.as_str())
            .collect::<Vec<_>>(),
        ["ledger"]
    );
    assert_eq!(
        d.dependents
            .iter()
            .map(|e| e.slug.as_str())
            .collect::<Vec<_>>(),
        ["checkout"]
    );
    assert_eq!(d.depends_on_total, 1);
    // Tier 1 needs on-call (the team has no pager, the service no on-call link), a fresh
    // runbook and an SLO.
    assert_eq!(
        d.gaps,
        vec![
            PolicyGap::NoOncall,
            PolicyGap::StaleRunbook { days: Some(690) },
            PolicyGap::NoSlo
        ]
    );

    // Reviewing the runbook and adding an on-call link closes both gaps.
    let id = d.links[0].id;
    links::update(
        &mut pool.acquire().await.unwrap(),
        "payments-api",
        id,
        &link("runbook", "https://wiki.example.com/new", "2026-11-01")
            .validate(today())
            .unwrap(),
    )
    .await
    .unwrap();
    links::add(
        &mut pool.acquire().await.unwrap(),
        "payments-api",
        &link("oncall", "https://pager.example.com/pay", "")
            .validate(today())
            .unwrap(),
    )
    .await
    .unwrap();
    let d = services::detail(&pool, "payments-api", today(), 180)
        .await
        .unwrap();
    assert_eq!(d.gaps, vec![PolicyGap::NoSlo]);
    // An SLO closes the last one.
    let slo = app::domain::slo_form::SloForm {
        slug: "availability".into(),
        name: "Availability".into(),
        sli_kind: "availability".into(),
        objective: "99.9".into(),
        window: "month".into(),
        source: "push".into(),
        ..Default::default()
    };
    app::store::slos::create(
        &mut pool.acquire().await.unwrap(),
        "payments-api",
        &slo.validate().unwrap(),
    )
    .await
    .unwrap();
    let d = services::detail(&pool, "payments-api", today(), 180)
        .await
        .unwrap();
    assert!(d.gaps.is_empty(), "{:?}", d.gaps);
    assert_eq!(
        d.links.iter().find(|l| l.id == id).unwrap().url,
        "https://wiki.example.com/new"
    );

    // A link id is only reachable through its own service.
    let e = links::update(&mut pool.acquire().await.unwrap(), "ledger", id, &stale)
        .await
        .unwrap_err();
    assert_eq!(e.status(), 404);
    assert_eq!(
        links::delete(&mut pool.acquire().await.unwrap(), "ledger", id)
            .await
            .unwrap_err()
            .status(),
        404
    );
    assert_eq!(
        services::detail(&pool, "nope", today(), 180)
            .await
            .unwrap_err()
            .status(),
        404
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn dependencies_allow_cycles_but_not_self(pool: PgPool) {
    service(&pool, "a", "A", 1, None, "").await;
    service(&pool, "b", "B", 1, None, "").await;
    let dep = |t: &str| DependencyForm {
        target: t.into(),
        kind: "hard".into(),
    };
    dependencies::add(
        &mut pool.acquire().await.unwrap(),
        "a",
        &dep("b").validate("a").unwrap(),
    )
    .await
    .unwrap();
    dependencies::add(
        &mut pool.acquire().await.unwrap(),
        "b",
        &dep("a").validate("b").unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        count(&pool, "service_dependency").await,
        2,
        "a cycle is allowed"
    );
    // Re-adding changes the kind instead of duplicating.
    let soft = DependencyForm {
        target: "b".into(),
        kind: "soft".into(),
    };
    dependencies::add(
        &mut pool.acquire().await.unwrap(),
        "a",
        &soft.validate("a").unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(count(&pool, "service_dependency").await, 2);
    let kind: String = sqlx::query_scalar("SELECT kind FROM service_dependency d JOIN service s ON s.id = d.service_id WHERE s.slug = 'a'")
        .fetch_one(&pool).await.unwrap();
    assert_eq!(kind, "soft");

    let e = dependencies::add(
        &mut pool.acquire().await.unwrap(),
        "a",
        &dep("zzz").validate("a").unwrap(),
    )
    .await
    .unwrap_err();
    assert_eq!(field(&e, "target"), Some("There is no service \"zzz\"."));
    // The domain rejects self-dependency; the CHECK constraint backs it up.
    assert!(dep("a").validate("a").is_err());
    let raw = sqlx::query("INSERT INTO service_dependency (service_id, depends_on_id, kind) SELECT id, id, 'hard' FROM service WHERE slug = 'a'")
        .execute(&pool).await.unwrap_err();
    assert!(
        matches!(&raw, sqlx::Error::Database(d) if d.constraint() == Some("service_dependency_not_self"))
    );

    dependencies::remove(&mut pool.acquire().await.unwrap(), "a", "b")
        .await
        .unwrap();
    assert_eq!(count(&pool, "service_dependency").await, 1);
    assert_eq!(
        dependencies::remove(&mut pool.acquire().await.unwrap(), "a", "b")
            .await
            .unwrap_err()
            .status(),
        404
    );
    // Deleting a service removes both directions.
    services::delete(&mut pool.acquire().await.unwrap(), "a")
        .await
        .unwrap();
    assert_eq!(count(&pool, "service_dependency").await, 0);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn constraints_back_up_validation(pool: PgPool) {
    for sql in [
        "INSERT INTO team (slug, name) VALUES ('Bad Slug', 'x')",
        "INSERT INTO service (slug, name, tier, lifecycle) VALUES ('ok', 'x', 4, 'production')",
        "INSERT INTO service (slug, name, tier, lifecycle) VALUES ('ok', 'x', 1, 'live')",
        "INSERT INTO service (slug, name, tier, lifecycle) VALUES ('ok', '  ', 1, 'production')",
    ] {
        assert!(sqlx::query(sql).execute(&pool).await.is_err(), "{sql}");
    }
    service(&pool, "s", "S", 1, None, "").await;
    let bad_url = sqlx::query("INSERT INTO service_link (service_id, kind, title, url) SELECT id, 'runbook', 't', 'javascript:alert(1)' FROM service")
        .execute(&pool)
        .await;
    assert!(bad_url.is_err());
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn tier_policies_are_seeded(pool: PgPool) {
    let p = app::store::tiers::list(&pool).await.unwrap();
    assert_eq!(p.len(), 4);
    assert!(p[0].oncall_required && p[0].runbook_required);
    assert_eq!(p[1].min_slo_objective, Some(99.9));
    assert!(!p[3].oncall_required && !p[3].runbook_required && p[3].min_slo_objective.is_none());
}
