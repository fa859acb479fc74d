//! The `/slos` list from the evaluator's stored figures: one page of rows and each filter's
//! counts (every facet counted with the other filters applied), in four small grouped queries.
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::domain::catalog::{FacetValue, FACET_LIMIT};
use crate::domain::slo::{BudgetState, Objective, SloWindow};
use crate::domain::slo_form::SloSource;
use crate::domain::slo_list::{SloFacets, SloListPage, SloListQuery, SloListRow, PER_PAGE};
use crate::error::AppError;

use super::rows::tier;

const FROM: &str = "FROM slo o JOIN service s ON s.id = o.service_id \
    LEFT JOIN team t ON t.id = s.owner_team_id LEFT JOIN slo_status st ON st.slo_id = o.id";

/// The filters as SQL, leaving out `skip` (the facet being counted). $1 tier, $2 team, $3
/// state, $4 source.
fn filters(skip: &str) -> String {
    let all = [
        ("tier", "($1::int2 IS NULL OR s.tier = $1)"),
        ("team", "($2::text IS NULL OR t.slug = $2)"),
        (
            "state",
            "($3::text IS NULL OR coalesce(st.state, 'unknown') = $3)",
        ),
        ("source", "($4::text IS NULL OR o.source = $4)"),
    ];
    all.iter()
        .filter(|(name, _)| *name != skip)
        .map(|(_, sql)| *sql)
        .collect::<Vec<_>>()
        .join(" AND ")
}

#[derive(sqlx::FromRow)]
struct Row {
    service: String,
    service_name: String,
    tier: i16,
    team: Option<String>,
    team_name: Option<String>,
    slug: String,
    name: String,
    objective_milli: i32,
    window_kind: String,
    window_days: Option<i16>,
    source: String,
    state: String,
    budget_remaining: Option<f64>,
    burn_1h: Option<f64>,
    paging: Option<bool>,
    computed_at: Option<DateTime<Utc>>,
}

impl Row {
    fn into_domain(self) -> Result<SloListRow, AppError> {
        let bad = |what: &str| AppError::internal(format!("stored SLO has an impossible {what}"));
        Ok(SloListRow {
            service: self.service,
            service_name: self.service_name,
            tier: tier(self.tier)?,
            team: self.team,
            team_name: self.team_name,
            slug: self.slug,
            name: self.name,
            objective: u32::try_from(self.objective_milli)
                .ok()
                .and_then(Objective::from_milli)
                .ok_or_else(|| bad("objective"))?,
            window: SloWindow::from_parts(&self.window_kind, self.window_days.map(i32::from))
                .ok_or_else(|| bad("window"))?,
            source: SloSource::parse(&self.source).ok_or_else(|| bad("source"))?,
            state: BudgetState::parse(&self.state).ok_or_else(|| bad("state"))?,
            budget_remaining: self.budget_remaining,
            burn_1h: self.burn_1h,
            paging: self.paging.unwrap_or(false),
            computed_at: self.computed_at,
        })
    }
}

/// `list`, from the cache when neither the catalog nor the evaluator's figures moved since it
/// was computed. Both generations are read before the data, so an entry is never older than
/// its key says.
pub async fn list_cached(
    pool: &PgPool,
    cache: &super::cache::ReadCache,
    q: &SloListQuery,
) -> Result<SloListPage, AppError> {
    let (catalog, status): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT value FROM catalog_generation), (SELECT value FROM slo_status_generation)",
    )
    .fetch_one(pool)
    .await?;
    cache
        .slo_list
        .get_or_compute(&(q.clone(), catalog), status, || list(pool, q))
        .await
}

pub async fn list(pool: &PgPool, q: &SloListQuery) -> Result<SloListPage, AppError> {
    let tier_param = q.tier.map(|t| i16::from(t.number()));
    let state_param = q.state.map(|s| s.as_str());
    let source_param = q.source.map(|s| s.as_str());
    let facet = |group: &str, label: &str, skip: &str, limit: usize| {
        format!(
            "SELECT {group}::text, {label}::text, count(*) {FROM} WHERE {} \
             GROUP BY 1, 2 ORDER BY count(*) DESC, 1 LIMIT {limit}",
            filters(skip)
        )
    };
    let rows_sql = format!(
        "SELECT s.slug AS service, s.name AS service_name, s.tier, t.slug AS team, t.name AS team_name, \
         o.slug, o.name, o.objective_milli, o.window_kind, o.window_days, o.source, \
         coalesce(st.state, 'unknown') AS state, st.budget_remaining, st.burn_1h, st.paging, st.computed_at \
         {FROM} WHERE {} ORDER BY st.budget_remaining ASC NULLS LAST, o.id LIMIT $5 OFFSET $6",
        filters("")
    );
    let tiers_sql = facet("s.tier", "s.tier", "tier", 4);
    let teams_sql = facet(
        "coalesce(t.slug, 'none')",
        "coalesce(t.name, 'Unowned')",
        "team",
        FACET_LIMIT,
    );
    let states_sql = facet(
        "coalesce(st.state, 'unknown')",
        "coalesce(st.state, 'unknown')",
        "state",
        4,
    );
    let sources_sql = facet("o.source", "o.source", "source", 2);
    let run_facet = |sql: String| async move {
        sqlx::query_as::<_, (String, String, i64)>(&sql)
            .bind(tier_param)
            .bind(q.team.as_deref())
            .bind(state_param)
            .bind(source_param)
            .fetch_all(pool)
            .await
    };
    let (rows, tiers, teams, states, sources) = tokio::try_join!(
        async {
            sqlx::query_as::<_, Row>(&rows_sql)
                .bind(tier_param)
                .bind(q.team.as_deref())
                .bind(state_param)
                .bind(source_param)
                .bind(i64::from(PER_PAGE))
                .bind(q.offset())
                .fetch_all(pool)
                .await
        },
        run_facet(tiers_sql),
        run_facet(teams_sql),
        run_facet(states_sql),
        run_facet(sources_sql),
    )?;
    let values = |v: Vec<(String, String, i64)>, label: &dyn Fn(&str, &str) -> String| {
        v.into_iter()
            .map(|(value, l, count)| FacetValue {
                label: label(&value, &l),
                value,
                count,
            })
            .collect::<Vec<_>>()
    };
    let mut tiers = values(tiers, &|v, _| format!("Tier {v}"));
    tiers.sort_by(|a, b| a.value.cmp(&b.value));
    let mut states = values(states, &|v, _| {
        BudgetState::parse(v).map_or(v.to_string(), |s| s.label().to_string())
    });
    // Worst first, as people scan them.
    states.sort_by_key(|f| {
        BudgetState::ALL
            .iter()
            .position(|s| s.as_str() == f.value)
            .unwrap_or(usize::MAX)
    });
    let facets = SloFacets {
        tiers,
        teams: values(teams, &|_, l| l.to_string()),
        states,
        sources: values(sources, &|v, _| v.to_string()),
    };
    // Every filter but state applied, summed over states: the matching total.
    let total = match q.state {
        Some(s) => facets
            .states
            .iter()
            .find(|f| f.value == s.as_str())
            .map_or(0, |f| f.count),
        None => facets.states.iter().map(|f| f.count).sum(),
    };
    Ok(SloListPage {
        rows: rows
            .into_iter()
            .map(Row::into_domain)
            .collect::<Result<_, _>>()?,
        total,
        facets,
    })
}

/// SLOs whose budget is spent (their services are in freeze) or that page now, the most
/// critical tier first: what the overview puts in front of everyone.
pub async fn alerting(pool: &PgPool, limit: i64) -> Result<Vec<SloListRow>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT s.slug AS service, s.name AS service_name, s.tier, t.slug AS team, t.name AS team_name, \
         o.slug, o.name, o.objective_milli, o.window_kind, o.window_days, o.source, st.state, \
         st.budget_remaining, st.burn_1h, st.paging, st.computed_at \
         {FROM} WHERE st.state = 'exhausted' OR st.paging \
         ORDER BY s.tier, st.state = 'exhausted' DESC, st.budget_remaining, o.id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(Row::into_domain).collect()
}
