//! The service page's read cache against a real Postgres: reused while nothing changes, fresh
//! after a write to any table the page shows, whoever wrote it.
mod common;

use app::store::cache::ReadCache;
use app::store::services::detail_cached;
use common::{exec, exec_unseen, service, team, today};
use sqlx::PgPool;

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn service_page_is_cached_until_its_tables_change(pool: PgPool) {
    team(&pool, "payments").await;
    service(&pool, "ledger", "Ledger", 0, Some("payments"), "").await;
    service(&pool, "checkout", "Checkout", 1, None, "").await;
    let cache = ReadCache::default();
    let read = || detail_cached(&pool, &cache, "ledger", today(), 180, None);

    let first = read().await.unwrap();
    // A change the triggers cannot see shows that the second read came from the cache.
    exec_unseen(
        &pool,
        "UPDATE service SET name = 'Renamed' WHERE slug = 'ledger'",
    )
    .await;
    assert_eq!(read().await.unwrap(), first, "served from the cache");

    // Each table on the page bumps the generation, even written from outside the app.
    exec(
        &pool,
        "UPDATE tier_policy SET name = 'Crown jewels' WHERE tier = 0",
    )
    .await;
    let d = read().await.unwrap();
    assert_eq!(d.service.name, "Renamed");
    assert_eq!(d.policy.name, "Crown jewels");

    exec(
        &pool,
        "INSERT INTO service_link (service_id, kind, title, url) \
         SELECT id, 'runbook', 'Runbook', 'https://runbooks.example.com/ledger' FROM service WHERE slug = 'ledger'",
    )
    .await;
    assert_eq!(read().await.unwrap().links.len(), 1);

    exec(
        &pool,
        "INSERT INTO service_dependency (service_id, depends_on_id, kind) \
         SELECT c.id, l.id, 'hard' FROM service c, service l WHERE c.slug = 'checkout' AND l.slug = 'ledger'",
    )
    .await;
    let d = read().await.unwrap();
    assert_eq!(d.dependents_total, 1);
    assert_eq!(d.dependents[0].slug, "checkout");

    exec(
        &pool,
        "UPDATE team SET email = 'pay@example.com' WHERE slug = 'payments'",
    )
    .await;
    assert_eq!(
        read().await.unwrap().owner.as_ref().unwrap().email,
        "pay@example.com"
    );

    // Another day is another entry: runbook staleness is counted in days.
    let tomorrow = today().succ_opt().unwrap();
    let d = detail_cached(&pool, &cache, "ledger", tomorrow, 180, None)
        .await
        .unwrap();
    assert_eq!(d.links.len(), 1);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_missing_service_is_not_found_and_not_cached(pool: PgPool) {
    let cache = ReadCache::default();
    let e = detail_cached(&pool, &cache, "nope", today(), 180, None)
        .await
        .unwrap_err();
    assert_eq!(e.status(), 404);
    service(&pool, "nope", "Nope", 2, None, "").await;
    let d = detail_cached(&pool, &cache, "nope", today(), 180, None)
        .await
        .unwrap();
    assert_eq!(d.service.slug, "nope");
}
