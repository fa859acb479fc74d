//! The audit trail: written by the database in the change's own transaction, naming the actor.
mod common;

use app::domain::audit::{AuditQuery, EVENTS_PER_PAGE};
use app::domain::link::LinkForm;
use app::store::audit::{act_as, list, Actor};
use app::store::{links, services};
use sqlx::PgPool;

use common::{service, team, today};

fn bob() -> Actor {
    Actor {
        id: None,
        label: "bob@example.com".into(),
        request_id: "req-1".into(),
    }
}

async fn events(pool: &PgPool) -> Vec<(String, String, String, String)> {
    sqlx::query_as(
        "SELECT action, actor_label, entity_label, request_id FROM audit_event ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn changes_are_recorded_with_actor_and_values(pool: PgPool) {
    team(&pool, "payments").await;
    service(&pool, "pay", "Pay", 1, Some("payments"), "").await;
    sqlx::query("DELETE FROM audit_event")
        .execute(&pool)
        .await
        .unwrap();

    let mut tx = pool.begin().await.unwrap();
    act_as(&mut tx, &bob()).await.unwrap();
    let link = LinkForm {
        kind: "runbook".into(),
        title: "Runbook".into(),
        url: "https://wiki.example/pay".into(),
        last_reviewed_on: String::new(),
    };
    links::add(&mut tx, "pay", &link.validate(today()).unwrap())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // One event: the link. Touching the service's updated_at is not a change of its own.
    assert_eq!(
        events(&pool).await,
        vec![(
            "link.create".into(),
            "bob@example.com".into(),
            "pay · Runbook".into(),
            "req-1".into()
        )]
    );
    let after: serde_json::Value =
        sqlx::query_scalar("SELECT after FROM audit_event WHERE action = 'link.create'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(after["url"], "https://wiki.example/pay");

    // A rolled-back change leaves no event; the setting does not outlive its transaction.
    let mut tx = pool.begin().await.unwrap();
    act_as(&mut tx, &bob()).await.unwrap();
    services::delete(&mut tx, "pay").await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(events(&pool).await.len(), 1);

    // Deleting the service is one event, not one per cascaded link; a write with no actor
    // is the system's.
    services::delete(&mut pool.acquire().await.unwrap(), "pay")
        .await
        .unwrap();
    let all = events(&pool).await;
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[1].0, "service.delete");
    assert_eq!(all[1].1, "system");
    let before: serde_json::Value =
        sqlx::query_scalar("SELECT before FROM audit_event WHERE action = 'service.delete'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(before["name"], "Pay");
    assert!(
        before.get("search").is_none(),
        "the search vector is left out"
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_trail_filters_and_pages_newest_first(pool: PgPool) {
    team(&pool, "payments").await;
    for i in 0..(EVENTS_PER_PAGE + 5) {
        service(
            &pool,
            &format!("svc-{i}"),
            &format!("Svc {i}"),
            2,
            Some("payments"),
            "",
        )
        .await;
    }
    let q = AuditQuery {
        action: "service.create".into(),
        ..Default::default()
    };
    let (first, next) = list(&pool, &q.validate().unwrap()).await.unwrap();
    assert_eq!(first.len() as i64, EVENTS_PER_PAGE);
    assert_eq!(
        first[0].entity_label,
        format!("svc-{}", EVENTS_PER_PAGE + 4),
        "newest first"
    );
    let next = next.expect("an older page");
    let older = AuditQuery {
        before: next.to_string(),
        ..q.clone()
    };
    let (second, end) = list(&pool, &older.validate().unwrap()).await.unwrap();
    assert_eq!(second.len(), 5);
    assert_eq!(end, None);
    assert_eq!(second.last().unwrap().entity_label, "svc-0");

    // By record: "svc-1" is itself (not svc-10…): labels match exactly or as a prefix word.
    let one = AuditQuery {
        entity: "svc-1".into(),
        ..Default::default()
    };
    let (hits, _) = list(&pool, &one.validate().unwrap()).await.unwrap();
    assert_eq!(hits.len(), 1);
    // By kind and by time.
    let teams = AuditQuery {
        entity_type: "team".into(),
        from: today().to_string(),
        ..Default::default()
    };
    let (hits, _) = list(&pool, &teams.validate().unwrap()).await.unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].entity_type, "team");
    let future = AuditQuery {
        from: "2099-01-01".into(),
        ..Default::default()
    };
    assert!(list(&pool, &future.validate().unwrap())
        .await
        .unwrap()
        .0
        .is_empty());
}

/// Deleting a service removes the edges of the services that depend on it; each is recorded
/// as their dependency's removal, named from both ends. The service's own outgoing edges stay
/// part of its delete event.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn deleting_a_service_records_the_edges_it_takes_from_others(pool: PgPool) {
    team(&pool, "payments").await;
    team(&pool, "checkout").await;
    service(&pool, "pay", "Pay", 1, Some("payments"), "").await;
    service(&pool, "cart", "Cart", 1, Some("checkout"), "").await;
    service(&pool, "ledger", "Ledger", 0, Some("payments"), "").await;
    sqlx::raw_sql(
        "INSERT INTO service_dependency (service_id, depends_on_id, kind) \
         SELECT a.id, b.id, k FROM (VALUES ('cart', 'pay', 'hard'), ('pay', 'ledger', 'soft')) \
           v(a, b, k) JOIN service a ON a.slug = v.a JOIN service b ON b.slug = v.b; \
         DELETE FROM audit_event;",
    )
    .execute(&pool)
    .await
    .unwrap();

    let mut tx = pool.begin().await.unwrap();
    act_as(&mut tx, &bob()).await.unwrap();
    services::delete(&mut tx, "pay").await.unwrap();
    tx.commit().await.unwrap();

    let all = events(&pool).await;
    let actions: Vec<(&str, &str)> = all.iter().map(|e| (e.0.as_str(), e.2.as_str())).collect();
    assert_eq!(
        actions,
        [
            ("dependency.delete", "cart → pay"),
            ("service.delete", "pay")
        ],
        "cart's edge is recorded; pay's own edge to ledger is part of its delete"
    );
    assert!(all
        .iter()
        .all(|e| e.1 == "bob@example.com" && e.3 == "req-1"));
    let before: serde_json::Value =
        sqlx::query_scalar("SELECT before FROM audit_event WHERE action = 'dependency.delete'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(before["kind"], "hard");
    assert_eq!(before["removed_with"], "pay");
}
