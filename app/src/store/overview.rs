use chrono::NaiveDate;
use sqlx::PgPool;

use crate::domain::overview::{Overview, Shortfall, TierCount};
use crate::domain::tier::{policy_gaps, PolicyFacts, Tier};
use crate::error::AppError;

use super::rows::{tier, ServiceListRow, SERVICE_LIST_COLUMNS};

pub const SHORTFALLS_SHOWN: i64 = 25;
pub const BUDGETS_SHOWN: i64 = 25;

#[derive(sqlx::FromRow)]
struct ShortRow {
    #[sqlx(flatten)]
    service: ServiceListRow,
    has_owner: bool,
    has_oncall: bool,
    runbook_count: i64,
    freshest_age: Option<i32>,
    slo_count: i64,
    slos_below_floor: i64,
    total: i64,
}

/// The SQL pre-selects services whose facts may fall short of their tier's policy (retired ones
/// excluded); `policy_gaps` then decides exactly how, so the rule itself lives in the domain.
pub async fn overview(
    pool: &PgPool,
    today: NaiveDate,
    stale_after_days: i64,
) -> Result<Overview, AppError> {
    let short_sql = format!(
        "WITH l AS ( \
           SELECT service_id, bool_or(kind = 'oncall') AS oncall_link, \
                  count(*) FILTER (WHERE kind = 'runbook') AS runbooks, \
                  max(last_reviewed_on) FILTER (WHERE kind = 'runbook') AS freshest \
           FROM service_link GROUP BY service_id), \
         o AS ( \
           SELECT o.service_id, count(*) AS slos, \
                  count(*) FILTER (WHERE p.min_slo_objective IS NOT NULL \
                      AND o.objective_milli < round(p.min_slo_objective * 1000)) AS below \
           FROM slo o JOIN service s ON s.id = o.service_id JOIN tier_policy p ON p.tier = s.tier \
           GROUP BY o.service_id), \
         f AS ( \
           SELECT s.id, s.owner_team_id IS NOT NULL AS has_owner, \
                  (coalesce(t.oncall_url, '') <> '' OR coalesce(l.oncall_link, false)) AS has_oncall, \
                  coalesce(l.runbooks, 0) AS runbook_count, \
                  ($1::date - l.freshest) AS freshest_age, \
                  coalesce(o.slos, 0) AS slo_count, coalesce(o.below, 0) AS slos_below_floor, \
                  p.oncall_required, p.runbook_required, p.slo_required \
           FROM service s JOIN tier_policy p ON p.tier = s.tier \
           LEFT JOIN team t ON t.id = s.owner_team_id LEFT JOIN l ON l.service_id = s.id \
           LEFT JOIN o ON o.service_id = s.id \
           WHERE s.lifecycle <> 'retired') \
         SELECT {SERVICE_LIST_COLUMNS}, f.has_owner, f.has_oncall, f.runbook_count, f.freshest_age, \
                f.slo_count, f.slos_below_floor, count(*) OVER () AS total \
         FROM f JOIN service s ON s.id = f.id LEFT JOIN team t ON t.id = s.owner_team_id \
         WHERE NOT f.has_owner OR (f.oncall_required AND NOT f.has_oncall) \
            OR (f.runbook_required AND (f.runbook_count = 0 OR f.freshest_age IS NULL OR f.freshest_age > $2)) \
            OR (f.slo_required AND f.slo_count = 0) OR f.slos_below_floor > 0 \
         ORDER BY s.tier, lower(s.name), s.id LIMIT $3"
    );
    let (short, counts, by_tier) = tokio::try_join!(
        async {
            let rows: Vec<ShortRow> = sqlx::query_as(&short_sql)
                .bind(today)
                .bind(stale_after_days as i32)
                .bind(SHORTFALLS_SHOWN)
                .fetch_all(pool)
                .await?;
            Ok::<_, AppError>(rows)
        },
        async {
            let c: (i64, i64, i64) = sqlx::query_as(
                "SELECT count(*), count(*) FILTER (WHERE owner_team_id IS NULL), (SELECT count(*) FROM team) FROM service",
            )
            .fetch_one(pool)
            .await?;
            Ok(c)
        },
        async {
            let rows: Vec<(i16, i64)> =
                sqlx::query_as("SELECT tier, count(*) FROM service WHERE lifecycle <> 'retired' GROUP BY tier ORDER BY tier")
                    .fetch_all(pool)
                    .await?;
            Ok(rows)
        },
    )?;
    let shortfall_total = short.first().map_or(0, |r| r.total);
    let policies = super::tiers::list(pool).await?;
    let mut shortfalls = Vec::with_capacity(short.len());
    for r in short {
        let facts = PolicyFacts {
            has_owner: r.has_owner,
            has_oncall: r.has_oncall,
            runbook_count: r.runbook_count,
            freshest_runbook_age_days: r.freshest_age.map(i64::from),
            slo_count: r.slo_count,
            slos_below_floor: r.slos_below_floor,
        };
        let service = r.service.into_domain()?;
        let Some(policy) = policies.iter().find(|p| p.tier == service.tier) else {
            continue;
        };
        let gaps = policy_gaps(policy, &facts, stale_after_days);
        shortfalls.push(Shortfall { service, gaps });
    }
    let by_tier = Tier::all()
        .map(|t| {
            let services = by_tier
                .iter()
                .find(|(n, _)| tier(*n).ok() == Some(t))
                .map_or(0, |(_, c)| *c);
            TierCount { tier: t, services }
        })
        .collect();
    Ok(Overview {
        services: counts.0,
        unowned: counts.1,
        teams: counts.2,
        by_tier,
        shortfalls,
        shortfall_total,
        stale_after_days,
        budgets: super::slo_list::alerting(pool, BUDGETS_SHOWN).await?,
    })
}
