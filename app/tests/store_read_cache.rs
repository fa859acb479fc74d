//! The read caches against a real Postgres: facet counts are counted once by concurrent readers
//! of a missing entry, and the data itself is never served from a cache.
mod common;

use std::sync::Arc;

use app::domain::catalog::{CatalogFilter, CatalogQuery};
use app::store::cache::ReadCache;
use app::store::catalog::search;
use app::store::services::detail;
use common::{exec_unseen, service, team, today};
use sqlx::PgPool;

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn service_page_data_is_read_fresh_even_behind_the_triggers_back(pool: PgPool) {
    team(&pool, "payments").await;
    service(&pool, "ledger", "Ledger", 0, Some("payments"), "").await;
    let first = detail(&pool, "ledger", today(), 180).await.unwrap();
    assert_eq!(first.service.name, "Ledger");
    exec_unseen(
        &pool,
        "UPDATE service SET name = 'Renamed' WHERE slug = 'ledger'",
    )
    .await;
    let d = detail(&pool, "ledger", today(), 180).await.unwrap();
    assert_eq!(d.service.name, "Renamed");
    assert_eq!(
        d.service.version,
        first.service.version + 1,
        "a field change moves the version"
    );
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
