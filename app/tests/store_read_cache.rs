//! The read caches against a real Postgres: data reused only while nothing is written, and
//! counted once by concurrent readers of a missing entry.
mod common;

use std::sync::Arc;

use app::domain::catalog::{CatalogFilter, CatalogQuery};
use app::store::cache::ReadCache;
use app::store::catalog::search;
use app::store::services::detail_cached;
use common::{exec_unseen, service, team, today};
use sqlx::PgPool;

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn service_data_is_reused_only_while_nothing_is_written(pool: PgPool) {
    team(&pool, "payments").await;
    service(&pool, "ledger", "Ledger", 0, Some("payments"), "").await;
    service(&pool, "checkout", "Checkout", 1, None, "").await;
    let cache = ReadCache::default();
    let read = || detail_cached(&pool, &cache, "ledger", today(), 180, None);
    let first = read().await.unwrap();
    exec_unseen(
        &pool,
        "UPDATE service SET name = 'Renamed' WHERE slug = 'ledger'",
    )
    .await;
    assert_eq!(read().await.unwrap(), first, "served from the cache");

    // Every table on the page moves the generation, even written from outside the app.
    for sql in [
        "UPDATE tier_policy SET name = 'Crown jewels' WHERE tier = 0",
        "INSERT INTO service_link (service_id, kind, title, url) SELECT id, 'runbook', 'Runbook', \
         'https://runbooks.example.com/ledger' FROM service WHERE slug = 'ledger'",
        "INSERT INTO service_dependency (service_id, depends_on_id, kind) SELECT c.id, l.id, 'hard' \
         FROM service c, service l WHERE c.slug = 'checkout' AND l.slug = 'ledger'",
        "UPDATE team SET email = 'pay@example.com' WHERE slug = 'payments'",
    ] {
        let before = read().await.unwrap();
        sqlx::query(sql).execute(&pool).await.unwrap();
        assert_ne!(read().await.unwrap(), before, "fresh after: {sql}");
    }
    let d = read().await.unwrap();
    assert_eq!(d.service.name, "Renamed");
    assert_eq!(d.policy.name, "Crown jewels");
    assert_eq!((d.links.len(), d.dependents_total), (1, 1));
    assert_eq!(d.owner.as_ref().unwrap().email, "pay@example.com");
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

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn concurrent_readers_of_missing_counts_share_one_count(pool: PgPool) {
    for i in 0..30 {
        service(
            &pool,
            &format!("svc-{i}"),
            &format!("Service {i}"),
            (i % 4) as u8,
            None,
            "",
        )
        .await;
    }
    let cache = Arc::new(ReadCache::default());
    let q = CatalogQuery {
        filter: CatalogFilter::default(),
        ..Default::default()
    };
    let readers: Vec<_> = (0..12)
        .map(|_| {
            let (pool, cache, q) = (pool.clone(), cache.clone(), q.clone());
            tokio::spawn(async move { search(&pool, &cache, &q).await.unwrap() })
        })
        .collect();
    let mut pages = Vec::new();
    for r in readers {
        pages.push(r.await.unwrap());
    }
    assert!(pages
        .iter()
        .all(|p| p.total == 30 && p.facets == pages[0].facets));
    assert_eq!(
        cache.facets.stats.misses(),
        1,
        "counted once for all twelve readers"
    );
    assert_eq!(cache.facets.stats.hits(), 11);
}
