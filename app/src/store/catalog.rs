//! The catalog list: one page of services plus facet counts, filtered in the database.
use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::domain::catalog::{
    prefix_tsquery, CatalogFilter, CatalogPage, CatalogQuery, FacetValue, Facets, Sort, TeamFilter,
    FACET_LIMIT, PER_PAGE,
};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::service::ServiceRow;
use crate::domain::slo::BudgetState;
use crate::domain::tier::Tier;
use crate::error::AppError;

use super::cache::{generation_or_current, ReadCache};
use super::rows::{ServiceListRow, SERVICE_LIST_COLUMNS};
use crate::state::CatalogGeneration;

/// Which filter a facet query leaves out (a facet is counted with every other filter applied).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Skip {
    Nothing,
    Tier,
    Team,
    Lifecycle,
    Tag,
    Budget,
}

/// A service's error-budget state is its worst SLO's; an SLO not evaluated yet counts as
/// unknown. Ranks follow `BudgetState`'s order.
const WORST_STATE: &str = "SELECT o.service_id, max(CASE st.state WHEN 'exhausted' THEN 4 \
    WHEN 'at-risk' THEN 3 WHEN 'ok' THEN 1 ELSE 2 END) AS rank \
    FROM slo o LEFT JOIN slo_status st ON st.slo_id = o.id GROUP BY o.service_id";

fn state_rank(b: BudgetState) -> i32 {
    match b {
        BudgetState::Ok => 1,
        BudgetState::Unknown => 2,
        BudgetState::AtRisk => 3,
        BudgetState::Exhausted => 4,
    }
}

fn push_filters(qb: &mut QueryBuilder<'_, Postgres>, f: &CatalogFilter, skip: Skip) {
    qb.push(" WHERE TRUE");
    if let Some(ts) = prefix_tsquery(&f.q) {
        qb.push(" AND s.search @@ to_tsquery('simple', ");
        qb.push_bind(ts);
        qb.push(")");
    }
    if let (Some(t), false) = (f.tier, skip == Skip::Tier) {
        qb.push(" AND s.tier = ");
        qb.push_bind(i16::from(t.number()));
    }
    match (&f.team, skip == Skip::Team) {
        (Some(TeamFilter::Unowned), false) => {
            qb.push(" AND s.owner_team_id IS NULL");
        }
        (Some(TeamFilter::Team(slug)), false) => {
            qb.push(" AND s.owner_team_id = (SELECT id FROM team WHERE slug = ");
            qb.push_bind(slug.clone());
            qb.push(")");
        }
        _ => {}
    }
    if let (Some(l), false) = (f.lifecycle, skip == Skip::Lifecycle) {
        qb.push(" AND s.lifecycle = ");
        qb.push_bind(l.as_str());
    }
    if let (Some(tag), false) = (&f.tag, skip == Skip::Tag) {
        qb.push(" AND s.tags @> ARRAY[");
        qb.push_bind(tag.clone());
        qb.push("]::text[]");
    }
    if let (Some(b), false) = (f.budget, skip == Skip::Budget) {
        // The SLOs (thousands) are grouped first and the services semi-joined to them, rather
        // than a subquery per service (tens of thousands).
        qb.push(format_args!(
            " AND s.id IN (SELECT service_id FROM ({WORST_STATE}) w WHERE w.rank = {})",
            state_rank(b)
        ));
    }
}

/// Services with SLOs by worst state, with every other filter applied.
async fn budget_counts(pool: &PgPool, f: &CatalogFilter) -> Result<Vec<FacetValue>, AppError> {
    let mut qb = QueryBuilder::new(format!(
        "SELECT w.rank, count(*) FROM ({WORST_STATE}) w JOIN service s ON s.id = w.service_id"
    ));
    push_filters(&mut qb, f, Skip::Budget);
    qb.push(" GROUP BY w.rank");
    let counts: Vec<(i32, i64)> = qb.build_query_as().fetch_all(pool).await?;
    // Worst first: what a manager filters for.
    Ok(BudgetState::ALL
        .iter()
        .rev()
        .map(|b| FacetValue {
            value: b.as_str().to_string(),
            label: b.label().to_string(),
            count: counts
                .iter()
                .find(|(r, _)| *r == state_rank(*b))
                .map_or(0, |(_, c)| *c),
        })
        .collect())
}

/// Name order for a text search. The same order as `lower(s.name), s.id`, but not the name
/// index's expression: walking that index, the planner filtered ~30,000 rows to find 51 matches
/// of a common prefix (70-120 ms on 50,000 services, measured with EXPLAIN ANALYZE); sorting the
/// few thousand matches the GIN index finds takes 12-26 ms.
const SEARCH_NAME_ORDER: &str = "lower(s.name) || '', s.id";

/// The ORDER BY for a query; every sort ends in the id, so the order is total and paging stable.
fn push_order(qb: &mut QueryBuilder<'_, Postgres>, q: &CatalogQuery) {
    match (q.sort, prefix_tsquery(&q.filter.q)) {
        // Ranking also keeps the planner from walking the name index past thousands of
        // non-matching rows: it takes the few matches from the GIN index and sorts them.
        (Sort::Relevance, Some(ts)) => {
            qb.push(" ORDER BY ts_rank(s.search, to_tsquery('simple', ");
            qb.push_bind(ts);
            qb.push(")) DESC, lower(s.name), s.id");
        }
        (Sort::Name, Some(_)) => {
            qb.push(" ORDER BY ");
            qb.push(SEARCH_NAME_ORDER);
        }
        (Sort::Name | Sort::Relevance, _) => {
            qb.push(" ORDER BY lower(s.name), s.id");
        }
        (Sort::Tier, _) => {
            qb.push(" ORDER BY s.tier, lower(s.name), s.id");
        }
        (Sort::Updated, _) => {
            qb.push(" ORDER BY s.updated_at DESC, s.id");
        }
    }
}

/// LIMIT and OFFSET are written into the SQL, not bound: they are numbers the server computed,
/// and with them as parameters Postgres cannot tell that a generic plan is as good as a custom
/// one (it assumes an unknown OFFSET skips 10% of the table), so it would plan every execution.
fn push_page(qb: &mut QueryBuilder<'_, Postgres>, q: &CatalogQuery) {
    qb.push(format_args!(" LIMIT {PER_PAGE} OFFSET {}", q.offset()));
}

/// One page of rows in a stable order.
async fn rows(pool: &PgPool, q: &CatalogQuery) -> Result<Vec<ServiceRow>, AppError> {
    let mut qb = QueryBuilder::new(format!("SELECT {SERVICE_LIST_COLUMNS} FROM "));
    if q.offset() == 0 {
        qb.push("service s LEFT JOIN team t ON t.id = s.owner_team_id");
        push_filters(&mut qb, &q.filter, Skip::Nothing);
    } else {
        // Deferred join: find the page's ids first (index-only on the name order, see
        // migration 0004), then fetch and join just those rows. Without it, page 20 reads and
        // joins the 950 rows before it only to throw them away.
        qb.push("(SELECT s.id FROM service s");
        push_filters(&mut qb, &q.filter, Skip::Nothing);
        push_order(&mut qb, q);
        push_page(&mut qb, q);
        qb.push(") p JOIN service s ON s.id = p.id LEFT JOIN team t ON t.id = s.owner_team_id");
    }
    push_order(&mut qb, q);
    if q.offset() == 0 {
        push_page(&mut qb, q);
    }
    let rows: Vec<ServiceListRow> = qb.build_query_as().fetch_all(pool).await?;
    rows.into_iter().map(ServiceListRow::into_domain).collect()
}

async fn counts(
    pool: &PgPool,
    mut qb: QueryBuilder<'_, Postgres>,
) -> Result<Vec<(String, String, i64)>, AppError> {
    Ok(qb
        .build_query_as::<(String, String, i64)>()
        .fetch_all(pool)
        .await?)
}

/// Facet counts: four grouped counts, each with its own filter left out.
pub async fn facets(pool: &PgPool, f: &CatalogFilter) -> Result<Facets, AppError> {
    let mut tiers = QueryBuilder::new("SELECT s.tier::text, '', count(*) FROM service s");
    push_filters(&mut tiers, f, Skip::Tier);
    tiers.push(" GROUP BY s.tier");

    let mut lifecycles = QueryBuilder::new("SELECT s.lifecycle, '', count(*) FROM service s");
    push_filters(&mut lifecycles, f, Skip::Lifecycle);
    lifecycles.push(" GROUP BY s.lifecycle");

    // Group by the id first (index-friendly), then look up names for the few groups left.
    let mut teams = QueryBuilder::new(
        "SELECT coalesce(t.slug, 'none'), coalesce(t.name, 'Unowned'), c.n FROM (\
         SELECT s.owner_team_id AS team_id, count(*) AS n FROM service s",
    );
    push_filters(&mut teams, f, Skip::Team);
    teams.push(
        " GROUP BY s.owner_team_id ORDER BY n DESC LIMIT 200) c \
         LEFT JOIN team t ON t.id = c.team_id ORDER BY c.n DESC, lower(t.name) NULLS FIRST",
    );

    let mut tags = QueryBuilder::new(
        "SELECT tag, '', count(*) FROM service s CROSS JOIN LATERAL unnest(s.tags) AS tag",
    );
    push_filters(&mut tags, f, Skip::Tag);
    tags.push(" GROUP BY tag ORDER BY count(*) DESC, tag LIMIT 200");

    let (tiers, lifecycles, teams, tags) = tokio::try_join!(
        counts(pool, tiers),
        counts(pool, lifecycles),
        counts(pool, teams),
        counts(pool, tags)
    )?;

    let count_of =
        |rows: &[(String, String, i64)], v: &str| rows.iter().find(|r| r.0 == v).map_or(0, |r| r.2);
    let tier_facets = Tier::all()
        .map(|t| {
            let v = t.number().to_string();
            FacetValue {
                count: count_of(&tiers, &v),
                label: t.label(),
                value: v,
            }
        })
        .collect();
    let lifecycle_facets = Lifecycle::ALL
        .iter()
        .map(|l| FacetValue {
            value: l.as_str().to_string(),
            label: l.label().to_string(),
            count: count_of(&lifecycles, l.as_str()),
        })
        .collect();
    let selected_team = f.team.as_ref().map(|t| t.as_param().to_string());
    let (teams, teams_more) = top_with_selected(teams, selected_team.as_deref());
    let (tags, tags_more) = top_with_selected(
        tags.into_iter()
            .map(|(t, _, n)| (t.clone(), t, n))
            .collect(),
        f.tag.as_deref(),
    );
    Ok(Facets {
        tiers: tier_facets,
        lifecycles: lifecycle_facets,
        teams,
        teams_more,
        tags,
        tags_more,
    })
}

/// The most common values, plus the selected one wherever it ranks, so a chosen filter is always
/// visible and can be cleared.
fn top_with_selected(
    rows: Vec<(String, String, i64)>,
    selected: Option<&str>,
) -> (Vec<FacetValue>, bool) {
    let more = rows.len() > FACET_LIMIT;
    let mut out: Vec<FacetValue> = Vec::new();
    for (i, (value, label, count)) in rows.into_iter().enumerate() {
        if i < FACET_LIMIT || selected == Some(value.as_str()) {
            out.push(FacetValue {
                value,
                label,
                count,
            });
        }
    }
    (out, more)
}

/// The catalog page: rows at the current catalog generation (never older than the database);
/// facet counts (the expensive part, a count over the whole catalog) at the facet generation,
/// at most `cache::FACETS_MAX_LAG` behind a write (see `store::cache`).
pub async fn search(
    pool: &PgPool,
    cache: &ReadCache,
    q: &CatalogQuery,
) -> Result<CatalogPage, AppError> {
    search_at(pool, cache, q, None).await
}

/// `search`, given the generations read earlier in this request (or None to read them now).
/// They must be read before the data, so what is stored under them is never older than they say.
pub async fn search_at(
    pool: &PgPool,
    cache: &ReadCache,
    q: &CatalogQuery,
    generation: Option<CatalogGeneration>,
) -> Result<CatalogPage, AppError> {
    // The JSON server function hands over whatever it was sent: bound it as the URL form is.
    let bounded = q.clone().bounded();
    let q = &bounded;
    let g = generation_or_current(pool, generation).await?;
    // A text search's counts depend on names and descriptions too.
    let facet_generation = if prefix_tsquery(&q.filter.q).is_some() {
        g.all
    } else {
        g.facets
    };
    // Budget counts move with the evaluator's figures and with the catalog: cached per
    // (filter, catalog generation) at the SLO status generation, so every page does not group
    // every SLO again.
    let budgets = async {
        let status: i64 = sqlx::query_scalar("SELECT value FROM slo_status_generation")
            .fetch_one(pool)
            .await?;
        cache
            .budgets
            .get_or_compute(&(q.filter.clone(), g.all), status, || {
                budget_counts(pool, &q.filter)
            })
            .await
    };
    // Budget states change with every evaluation, not with the catalog generation the caches
    // follow: a page filtered by one is computed afresh.
    let (rows, facets, budgets) = if q.filter.budget.is_some() {
        tokio::try_join!(rows(pool, q), facets(pool, &q.filter), budgets)?
    } else {
        tokio::try_join!(
            cache.rows.get_or_compute(q, g.all, || rows(pool, q)),
            cache
                .facets
                .get_or_compute(&q.filter, facet_generation, || facets(pool, &q.filter)),
            budgets,
        )?
    };
    Ok(CatalogPage {
        total: facets.total(&q.filter),
        rows,
        facets,
        budgets,
    })
}

/// One service as the REST API lists it: everything but the page-only joins.
#[derive(Debug, Clone, PartialEq, serde::Serialize, sqlx::FromRow)]
pub struct ApiService {
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub sort_name: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub tier: i16,
    pub lifecycle: String,
    /// The owning team's slug; null when unowned.
    pub owner: Option<String>,
    pub tags: Vec<String>,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// `api_list` at the catalog generation `known` (read with the token, before the data), or the
/// current one (see `store::cache`).
pub async fn api_list_cached(
    pool: &PgPool,
    cache: &ReadCache,
    list: &crate::domain::api::ServiceList,
    known: Option<crate::state::CatalogGeneration>,
) -> Result<super::cache::ApiServicePage, AppError> {
    // Budget states follow the evaluator, not the catalog generation: never cached.
    if list.filter.budget.is_some() {
        return api_list(pool, list).await.map(std::sync::Arc::new);
    }
    let g = generation_or_current(pool, known).await?;
    cache
        .api_services
        .get_or_compute(list, g.all, || async {
            api_list(pool, list).await.map(std::sync::Arc::new)
        })
        .await
}

/// A page of the API's service list in name order, after the cursor (keyset: stable while rows
/// are added and removed, and as cheap on page 1,000 as on page 1). One more row than asked is
/// read to know whether there is a next page.
pub async fn api_list(
    pool: &PgPool,
    list: &crate::domain::api::ServiceList,
) -> Result<(Vec<ApiService>, Option<crate::domain::api::Cursor>), AppError> {
    let mut qb = QueryBuilder::new(
        "SELECT s.id, lower(s.name) AS sort_name, s.slug, s.name, s.description, s.tier, s.lifecycle, \
         t.slug AS owner, s.tags, s.version, s.created_at, s.updated_at \
         FROM service s LEFT JOIN team t ON t.id = s.owner_team_id",
    );
    push_filters(&mut qb, &list.filter, Skip::Nothing);
    if let Some(after) = &list.after {
        qb.push(" AND (lower(s.name), s.id) > (");
        qb.push_bind(after.name.clone());
        qb.push(", ");
        qb.push_bind(after.id);
        qb.push(")");
    }
    if prefix_tsquery(&list.filter.q).is_some() {
        qb.push(" ORDER BY ");
        qb.push(SEARCH_NAME_ORDER);
    } else {
        qb.push(" ORDER BY lower(s.name), s.id");
    }
    qb.push(format_args!(" LIMIT {}", list.limit + 1));
    let mut rows: Vec<ApiService> = qb.build_query_as().fetch_all(pool).await?;
    let next = if rows.len() as i64 > list.limit {
        rows.truncate(list.limit as usize);
        rows.last().map(|r| crate::domain::api::Cursor {
            name: r.sort_name.clone(),
            id: r.id,
        })
    } else {
        None
    };
    Ok((rows, next))
}
