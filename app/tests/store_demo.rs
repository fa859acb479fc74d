//! The demo organisation loads once, and the overview agrees with the service pages.
mod common;

use app::domain::catalog::{CatalogFilter, CatalogQuery};
use app::store::{catalog, demo, overview, services};
use common::{count, today};
use sqlx::PgPool;

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn loading_twice_duplicates_nothing(pool: PgPool) {
    let first = demo::load(&pool, today()).await.unwrap();
    assert_eq!((first.teams_added, first.services_added), (8, 60));
    let counts = (
        count(&pool, "team").await,
        count(&pool, "service").await,
        count(&pool, "service_link").await,
        count(&pool, "service_dependency").await,
    );
    let second = demo::load(&pool, today()).await.unwrap();
    assert_eq!((second.teams_added, second.services_added), (0, 0));
    let again = (
        count(&pool, "team").await,
        count(&pool, "service").await,
        count(&pool, "service_link").await,
        count(&pool, "service_dependency").await,
    );
    assert_eq!(counts, again);
    assert!(counts.2 > 100 && counts.3 > 50, "{counts:?}");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn demo_spans_tiers_and_lifecycles_with_stale_runbooks(pool: PgPool) {
    demo::load(&pool, today()).await.unwrap();
    let page = catalog::search(
        &pool,
        &app::store::cache::ReadCache::default(),
        &CatalogQuery {
            page: 1,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(page.total, 60);
    assert!(page.facets.tiers.iter().all(|t| t.count > 0));
    assert!(page.facets.lifecycles.iter().all(|l| l.count > 0));
    let stale: i64 = sqlx::query_scalar("SELECT count(*) FROM service_link WHERE kind = 'runbook' AND (last_reviewed_on IS NULL OR last_reviewed_on < $1::date - 180)")
        .bind(today())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(stale >= 5, "some runbooks are stale: {stale}");
    let unowned = catalog::search(
        &pool,
        &app::store::cache::ReadCache::default(),
        &CatalogQuery {
            filter: CatalogFilter {
                team: Some(app::domain::catalog::TeamFilter::Unowned),
                ..Default::default()
            },
            page: 1,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(unowned.total >= 2);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn overview_shortfalls_match_the_service_pages(pool: PgPool) {
    demo::load(&pool, today()).await.unwrap();
    let o = overview::overview(&pool, today(), 180).await.unwrap();
    assert_eq!(o.services, 60);
    assert_eq!(o.teams, 8);
    assert!(o.shortfall_total > 0);
    assert!(
        o.shortfalls
            .windows(2)
            .all(|w| w[0].service.tier <= w[1].service.tier),
        "most critical first"
    );
    for s in &o.shortfalls {
        assert!(
            !s.gaps.is_empty(),
            "{} listed without a gap",
            s.service.slug
        );
        let d = services::detail(&pool, &s.service.slug, today(), 180)
            .await
            .unwrap();
        assert_eq!(
            d.gaps, s.gaps,
            "{}: overview and service page disagree",
            s.service.slug
        );
    }
    // And the other way: a service with gaps on its page is counted by the overview.
    let slugs: Vec<String> =
        sqlx::query_scalar("SELECT slug FROM service WHERE lifecycle <> 'retired'")
            .fetch_all(&pool)
            .await
            .unwrap();
    let mut with_gaps = 0;
    for slug in slugs {
        if !services::detail(&pool, &slug, today(), 180)
            .await
            .unwrap()
            .gaps
            .is_empty()
        {
            with_gaps += 1;
        }
    }
    assert_eq!(with_gaps, o.shortfall_total);
}
