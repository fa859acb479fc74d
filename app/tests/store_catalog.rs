//! The catalog query against a real Postgres: filters, facet counts, paging order, the cache.
mod common;

use std::time::Duration;

use app::domain::catalog::{CatalogFilter, CatalogQuery, Sort, TeamFilter, PER_PAGE};
use app::domain::lifecycle::Lifecycle;
use app::domain::tier::Tier;
use app::store::cache::ReadCache;
use app::store::catalog::search;
use common::{exec_unseen, service, team};
use sqlx::PgPool;

async fn seed(pool: &PgPool) {
    team(pool, "payments").await;
    team(pool, "search").await;
    service(
        pool,
        "payments-api",
        "Payments API",
        0,
        Some("payments"),
        "pci, go",
    )
    .await;
    service(pool, "ledger", "Ledger", 0, Some("payments"), "pci").await;
    service(pool, "payouts", "Payouts", 1, Some("payments"), "batch").await;
    service(pool, "search-api", "Search API", 1, Some("search"), "go").await;
    service(pool, "indexer", "indexer", 2, Some("search"), "batch").await;
    service(pool, "orphan", "Orphan", 3, None, "").await;
}

fn q(filter: CatalogFilter) -> CatalogQuery {
    CatalogQuery {
        filter,
        sort: Sort::Name,
        page: 1,
    }
}

fn slugs(p: &app::domain::catalog::CatalogPage) -> Vec<&str> {
    p.rows.iter().map(|r| r.slug.as_str()).collect()
}

fn facet(values: &[app::domain::catalog::FacetValue], v: &str) -> i64 {
    values.iter().find(|f| f.value == v).map_or(-1, |f| f.count)
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn unfiltered_lists_everything_sorted_case_insensitively(pool: PgPool) {
    seed(&pool).await;
    let page = search(&pool, &ReadCache::default(), &q(CatalogFilter::default()))
        .await
        .unwrap();
    assert_eq!(page.total, 6);
    // "indexer" is lowercase: it sorts among the I's, not after every capital letter.
    assert_eq!(
        slugs(&page),
        [
            "indexer",
            "ledger",
            "orphan",
            "payments-api",
            "payouts",
            "search-api"
        ]
    );
    let orphan = page.rows.iter().find(|r| r.slug == "orphan").unwrap();
    assert!(
        orphan.owner.is_none(),
        "unowned services are listed, with no owner"
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn each_filter_narrows(pool: PgPool) {
    seed(&pool).await;
    let cache = ReadCache::default();
    let run = |f: CatalogFilter| {
        let pool = pool.clone();
        let cache = &cache;
        async move { search(&pool, cache, &q(f)).await.unwrap() }
    };
    let p = run(CatalogFilter {
        tier: Tier::new(0),
        ..Default::default()
    })
    .await;
    assert_eq!(slugs(&p), ["ledger", "payments-api"]);
    let p = run(CatalogFilter {
        team: Some(TeamFilter::Team("search".into())),
        ..Default::default()
    })
    .await;
    assert_eq!(slugs(&p), ["indexer", "search-api"]);
    let p = run(CatalogFilter {
        team: Some(TeamFilter::Unowned),
        ..Default::default()
    })
    .await;
    assert_eq!(slugs(&p), ["orphan"]);
    let p = run(CatalogFilter {
        tag: Some("go".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(slugs(&p), ["payments-api", "search-api"]);
    let p = run(CatalogFilter {
        lifecycle: Some(Lifecycle::Retired),
        ..Default::default()
    })
    .await;
    assert_eq!(p.total, 0);
    assert!(p.rows.is_empty());
    // Prefix search over name and description, every word must match.
    let p = run(CatalogFilter {
        q: "pay".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(slugs(&p), ["payments-api", "payouts"]);
    let p = run(CatalogFilter {
        q: "pay api".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(slugs(&p), ["payments-api"]);
    let p = run(CatalogFilter {
        q: "service ledg".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(slugs(&p), ["ledger"], "description words count too");
    let p = run(CatalogFilter {
        q: "'&|!(".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(
        p.total, 6,
        "punctuation only is no filter, and no SQL error"
    );
    // Filters combine.
    let p = run(CatalogFilter {
        tier: Tier::new(1),
        tag: Some("go".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(slugs(&p), ["search-api"]);
    let p = run(CatalogFilter {
        team: Some(TeamFilter::Team("nobody".into())),
        ..Default::default()
    })
    .await;
    assert_eq!(p.total, 0, "an unknown team matches nothing");
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_search_ranks_name_matches_first(pool: PgPool) {
    seed(&pool).await;
    // Alphabetically first, but "ledger" is only in its description.
    let form = app::domain::service::ServiceForm {
        slug: "audit-log".into(),
        name: "Audit Log".into(),
        description: "Copies every ledger entry for auditors".into(),
        tier: "2".into(),
        lifecycle: "production".into(),
        ..Default::default()
    };
    app::store::services::create(
        &mut pool.acquire().await.unwrap(),
        &form.validate().unwrap(),
    )
    .await
    .unwrap();
    let query = CatalogQuery {
        filter: CatalogFilter {
            q: "ledger".into(),
            ..Default::default()
        },
        sort: Sort::Relevance,
        page: 1,
    };
    let p = search(&pool, &ReadCache::default(), &query).await.unwrap();
    assert_eq!(slugs(&p), ["ledger", "audit-log"]);
    let by_name = CatalogQuery {
        sort: Sort::Name,
        ..query
    };
    let p = search(&pool, &ReadCache::default(), &by_name)
        .await
        .unwrap();
    assert_eq!(slugs(&p), ["audit-log", "ledger"]);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn facets_count_with_the_other_filters(pool: PgPool) {
    seed(&pool).await;
    let f = CatalogFilter {
        tier: Tier::new(0),
        team: Some(TeamFilter::Team("payments".into())),
        ..Default::default()
    };
    let page = search(&pool, &ReadCache::default(), &q(f)).await.unwrap();
    assert_eq!(page.total, 2);
    let facets = &page.facets;
    // Tier facet ignores the tier filter but applies the team filter: payments has 2×T0, 1×T1.
    assert_eq!(facet(&facets.tiers, "0"), 2);
    assert_eq!(facet(&facets.tiers, "1"), 1);
    assert_eq!(
        facet(&facets.tiers, "3"),
        0,
        "every tier is listed, even with no services"
    );
    // Team facet ignores the team filter but applies the tier filter: T0 is all payments.
    assert_eq!(facet(&facets.teams, "payments"), 2);
    assert_eq!(
        facet(&facets.teams, "search"),
        -1,
        "teams with no match under the other filters are not listed"
    );
    // Tag and lifecycle facets apply both filters.
    assert_eq!(facet(&facets.tags, "pci"), 2);
    assert_eq!(facet(&facets.tags, "go"), 1);
    assert_eq!(facet(&facets.lifecycles, "production"), 2);

    let all = search(&pool, &ReadCache::default(), &q(CatalogFilter::default()))
        .await
        .unwrap();
    assert_eq!(
        facet(&all.facets.teams, "none"),
        1,
        "unowned is a facet value"
    );
    let unowned = all.facets.teams.iter().find(|t| t.value == "none").unwrap();
    assert_eq!(unowned.label, "Unowned");
    assert_eq!(facet(&all.facets.tags, "batch"), 2);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn paging_is_stable_and_complete(pool: PgPool) {
    team(&pool, "big").await;
    // Many services with the same name and tier, so only the id breaks ties.
    let n = PER_PAGE as usize * 2 + 7;
    for i in 0..n {
        let tier = (i % 4) as u8;
        service(
            &pool,
            &format!("svc-{i:03}"),
            if i % 2 == 0 { "Same" } else { "same" },
            tier,
            Some("big"),
            "",
        )
        .await;
    }
    // Pages after the first take the deferred join (ids first, then rows); every sort and a
    // filtered search must page the same way as the first page orders.
    let by_team = CatalogFilter {
        team: Some(TeamFilter::Team("big".into())),
        ..Default::default()
    };
    let searched = CatalogFilter {
        q: "same".into(),
        ..Default::default()
    };
    let cases = [
        (CatalogFilter::default(), Sort::Name),
        (CatalogFilter::default(), Sort::Tier),
        (CatalogFilter::default(), Sort::Updated),
        (by_team, Sort::Name),
        (searched.clone(), Sort::Relevance),
        (searched, Sort::Tier),
    ];
    for (filter, sort) in cases {
        let mut seen: Vec<String> = Vec::new();
        let mut tiers: Vec<Tier> = Vec::new();
        for page in 1..=4 {
            let query = CatalogQuery {
                filter: filter.clone(),
                sort,
                page,
            };
            let p = search(&pool, &ReadCache::default(), &query).await.unwrap();
            assert_eq!(p.total, n as i64);
            assert_eq!(p.page_count(), 3);
            assert!(p.rows.len() <= PER_PAGE as usize);
            seen.extend(p.rows.iter().map(|r| r.slug.clone()));
            tiers.extend(p.rows.iter().map(|r| r.tier));
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            n,
            "{sort:?}: every service exactly once across pages"
        );
        assert_eq!(seen.len(), n);
        if sort == Sort::Tier {
            assert!(tiers.windows(2).all(|w| w[0] <= w[1]), "tier order");
        }
        if sort == Sort::Name || sort == Sort::Relevance {
            // Equal names (and equal ranks): the id decides, so slugs come in creation order.
            let mut sorted = seen.clone();
            sorted.sort();
            assert_eq!(seen, sorted, "{sort:?}: ties broken by id across pages");
        }
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn cached_facets_are_refreshed_by_any_write(pool: PgPool) {
    seed(&pool).await;
    // No lag allowed: every write shows in the next count.
    let cache = ReadCache::with_facets_lag(Duration::ZERO);
    let all = q(CatalogFilter::default());
    let before = search(&pool, &cache, &all).await.unwrap();
    assert_eq!(facet(&before.facets.tiers, "3"), 1);
    service(&pool, "new-one", "New One", 3, None, "").await;
    let after = search(&pool, &cache, &all).await.unwrap();
    assert_eq!(after.total, 7);
    assert_eq!(facet(&after.facets.tiers, "3"), 2);
    // A write outside the app (another replica, psql) invalidates too: the trigger sees it.
    sqlx::query("UPDATE service SET tier = 2 WHERE slug = 'new-one'")
        .execute(&pool)
        .await
        .unwrap();
    let again = search(&pool, &cache, &all).await.unwrap();
    assert_eq!(facet(&again.facets.tiers, "3"), 1);
    assert_eq!(facet(&again.facets.tiers, "2"), 2);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn rows_follow_every_write_and_counts_only_writes_that_change_them(pool: PgPool) {
    seed(&pool).await;
    let all = q(CatalogFilter::default());
    let lag = Duration::from_millis(400);
    let cache = ReadCache::with_facets_lag(lag);
    let first = search(&pool, &cache, &all).await.unwrap();
    assert_eq!(facet(&first.facets.tiers, "3"), 1);

    // A change behind the triggers' back: the cache cannot know, so the old rows prove a hit.
    exec_unseen(
        &pool,
        "UPDATE service SET name = 'Zebra' WHERE slug = 'ledger'",
    )
    .await;
    let cached = search(&pool, &cache, &all).await.unwrap();
    assert_eq!(
        cached, first,
        "rows served from the cache while nothing was written"
    );

    // Any write is in the very next page's rows...
    service(&pool, "new-one", "New One", 3, None, "").await;
    let next = search(&pool, &cache, &all).await.unwrap();
    assert_eq!(
        next.rows.last().unwrap().name,
        "Zebra",
        "rows re-read after a write"
    );
    assert!(next.rows.iter().any(|r| r.slug == "new-one"));
    // ...while the counts may lag (they came from the cache: the new service is not counted).
    assert_eq!(facet(&next.facets.tiers, "3"), 1, "counts within their lag");
    assert_eq!(next.total, first.total);

    // Past the bound, the next reader recounts.
    tokio::time::sleep(lag + Duration::from_millis(50)).await;
    let later = search(&pool, &cache, &all).await.unwrap();
    assert_eq!(facet(&later.facets.tiers, "3"), 2);
    assert_eq!(later.total, first.total + 1);

    // A description edit cannot change a count: however old, the counts stay, the rows move.
    tokio::time::sleep(lag + Duration::from_millis(50)).await;
    exec_unseen(&pool, "UPDATE service SET tier = 3 WHERE slug = 'ledger'").await;
    sqlx::query("UPDATE service SET description = 'Edited' WHERE slug = 'ledger'")
        .execute(&pool)
        .await
        .unwrap();
    let edited = search(&pool, &cache, &all).await.unwrap();
    assert_eq!(
        facet(&edited.facets.tiers, "3"),
        2,
        "no recount for a description"
    );
    let ledger = edited.rows.iter().find(|r| r.slug == "ledger").unwrap();
    assert_eq!(
        (ledger.tier.number(), ledger.description.as_str()),
        (3, "Edited")
    );
    // A tier change is a count change: recounted at once (past the lag).
    sqlx::query("UPDATE service SET tier = 2 WHERE slug = 'ledger'")
        .execute(&pool)
        .await
        .unwrap();
    let moved = search(&pool, &cache, &all).await.unwrap();
    let truth = search(&pool, &ReadCache::with_facets_lag(Duration::ZERO), &all)
        .await
        .unwrap();
    assert_eq!(moved.facets, truth.facets, "recounted");
    assert_ne!(moved.facets, edited.facets);
}

/// A search in name order, from the catalog and through the API's cursor, lists every match
/// once, in name order (the search's own ORDER BY expression must sort as the name index does).
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_search_in_name_order_pages_completely(pool: PgPool) {
    for (slug, name) in [
        ("pay-b", "payments B"),
        ("pay-a", "Payments a"),
        ("pay-c", "Payouts"),
        ("ledger", "Ledger"),
        ("pay-z", "paywall"),
        ("pay-y", "Pay"),
    ] {
        service(&pool, slug, name, 2, None, "").await;
    }
    let filter = CatalogFilter {
        q: "pay".into(),
        ..Default::default()
    };
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let list = app::domain::api::ServiceList {
            filter: filter.clone(),
            after: after.clone(),
            limit: 2,
        };
        let (rows, next) = app::store::catalog::api_list(&pool, &list).await.unwrap();
        seen.extend(rows.into_iter().map(|r| r.name));
        match next {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["Pay", "Payments a", "payments B", "Payouts", "paywall"]
    );
    let page = search(
        &pool,
        &ReadCache::default(),
        &CatalogQuery {
            filter,
            sort: Sort::Name,
            page: 1,
        },
    )
    .await
    .unwrap();
    let names: Vec<&str> = page.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, seen);
}
