//! SLO definitions, and their figures computed from the stored counts at read time (so a page
//! never shows a budget older than its own request).
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::domain::prometheus;
use crate::domain::slo::{
    burn_windows, evaluate, BudgetPolicy, Counts, Objective, SloCounts, SloWindow,
};
use crate::domain::slo_form::{SliKind, SloInput, SloSource};
use crate::domain::slo_view::{Slo, SloView};
use crate::domain::validation::FieldErrors;
use crate::error::AppError;

use super::cache::{CountsKey, SloCountsCache};
use super::is_unique_violation;

/// SLOs shown per service; the form refuses more.
pub const PER_SERVICE_MAX: i64 = 50;

#[derive(sqlx::FromRow)]
pub(super) struct SloRow {
    id: i64,
    service: String,
    service_tier: i16,
    slug: String,
    name: String,
    description: String,
    sli_kind: String,
    good_events: String,
    total_events: String,
    objective_milli: i32,
    window_kind: String,
    window_days: Option<i16>,
    source: String,
    error_query: String,
    total_query: String,
    version: i64,
    updated_at: DateTime<Utc>,
    min_slo_objective: Option<f64>,
    budget_at_risk_pct: i16,
    pushed_at: Option<DateTime<Utc>>,
    pushed_by: Option<String>,
    push_buckets: Option<i64>,
}

pub(super) const SELECT: &str =
    "SELECT o.id, s.slug AS service, s.tier AS service_tier, o.slug, o.name, \
    o.description, o.sli_kind, o.good_events, o.total_events, o.objective_milli, o.window_kind, \
    o.window_days, o.source, o.error_query, o.total_query, o.version, o.updated_at, \
    p.min_slo_objective, p.budget_at_risk_pct, x.pushed_at, x.pushed_by, x.buckets AS push_buckets \
    FROM slo o JOIN service s ON s.id = o.service_id JOIN tier_policy p ON p.tier = s.tier \
    LEFT JOIN slo_push x ON x.slo_id = o.id";

fn corrupt(what: &str) -> AppError {
    AppError::internal(format!("stored SLO has an impossible {what}"))
}

impl SloRow {
    pub(super) fn into_domain(self) -> Result<(Slo, BudgetPolicy), AppError> {
        let objective = u32::try_from(self.objective_milli)
            .ok()
            .and_then(Objective::from_milli)
            .ok_or_else(|| corrupt("objective"))?;
        let window = SloWindow::from_parts(&self.window_kind, self.window_days.map(i32::from))
            .ok_or_else(|| corrupt("window"))?;
        let floor = self.min_slo_objective.and_then(Objective::from_percent);
        let policy = BudgetPolicy {
            at_risk_below: f64::from(self.budget_at_risk_pct) / 100.0,
            ..BudgetPolicy::default()
        };
        Ok((
            Slo {
                id: self.id,
                service: self.service,
                service_tier: self.service_tier,
                input: SloInput {
                    slug: self.slug,
                    name: self.name,
                    description: self.description,
                    sli_kind: SliKind::parse(&self.sli_kind).ok_or_else(|| corrupt("kind"))?,
                    good_events: self.good_events,
                    total_events: self.total_events,
                    objective,
                    window,
                    source: SloSource::parse(&self.source).ok_or_else(|| corrupt("source"))?,
                    error_query: self.error_query,
                    total_query: self.total_query,
                },
                version: self.version,
                updated_at: self.updated_at,
                below_floor: floor.filter(|f| objective < *f),
                pushed_at: self.pushed_at,
                pushed_by: self.pushed_by,
            },
            policy,
        ))
    }
}

/// Good/total over each SLO's window and over every burn-rate window, for many SLOs in one
/// query. A bucket counts in a window when it starts inside it.
async fn counts(
    pool: &PgPool,
    slos: &[(i64, DateTime<Utc>)],
    now: DateTime<Utc>,
) -> Result<Vec<SloCounts>, AppError> {
    let mut cols = vec![
        "coalesce(sum(c.good) FILTER (WHERE c.start >= n.ws), 0)::int8".to_string(),
        "coalesce(sum(c.total) FILTER (WHERE c.start >= n.ws), 0)::int8".to_string(),
    ];
    for w in burn_windows() {
        let secs = w.num_seconds();
        for col in ["good", "total"] {
            cols.push(format!(
                "coalesce(sum(c.{col}) FILTER (WHERE c.start >= $3 - make_interval(secs => {secs})), 0)::int8"
            ));
        }
    }
    let longest = burn_windows()
        .iter()
        .map(|w| w.num_seconds())
        .max()
        .unwrap_or(0);
    let sql = format!(
        "SELECT n.id, {} FROM unnest($1::int8[], $2::timestamptz[]) AS n(id, ws) \
         LEFT JOIN slo_count c ON c.slo_id = n.id AND c.start <= $3 \
              AND c.start >= least(n.ws, $3 - make_interval(secs => {longest})) \
         GROUP BY n.id",
        cols.join(", ")
    );
    let ids: Vec<i64> = slos.iter().map(|(id, _)| *id).collect();
    let starts: Vec<DateTime<Utc>> = slos.iter().map(|(_, s)| *s).collect();
    let rows = sqlx::query(&sql)
        .bind(&ids)
        .bind(&starts)
        .bind(now)
        .fetch_all(pool)
        .await?;
    use sqlx::Row;
    let mut by_id = std::collections::HashMap::new();
    for r in rows {
        let id: i64 = r.try_get(0)?;
        let pair = |i: usize| -> Result<Counts, sqlx::Error> {
            Ok(Counts {
                good: r.try_get(i)?,
                total: r.try_get(i + 1)?,
            })
        };
        let window = pair(1)?;
        let burn = (0..burn_windows().len())
            .map(|k| pair(3 + 2 * k))
            .collect::<Result<Vec<_>, _>>()?;
        by_id.insert(id, SloCounts { window, burn });
    }
    Ok(ids
        .iter()
        .map(|id| by_id.remove(id).unwrap_or_default())
        .collect())
}

async fn with_figures(
    pool: &PgPool,
    cache: Option<&SloCountsCache>,
    rows: Vec<SloRow>,
    now: DateTime<Utc>,
) -> Result<Vec<SloView>, AppError> {
    let versions: Vec<(Option<DateTime<Utc>>, i64)> = rows
        .iter()
        .map(|r| (r.pushed_at, r.push_buckets.unwrap_or(0)))
        .collect();
    let slos = rows
        .into_iter()
        .map(SloRow::into_domain)
        .collect::<Result<Vec<_>, _>>()?;
    let is_push = |s: &Slo| s.input.source == SloSource::Push;
    // Pushed counts are summed now (or taken from the cache, under a key that changes with
    // every push and every minute); Prometheus SLOs take the evaluator's latest answer.
    let keys: Vec<CountsKey> = slos
        .iter()
        .zip(&versions)
        .filter(|((s, _), _)| is_push(s))
        .map(|((s, _), (at, n))| CountsKey {
            slo: s.id,
            window_start: s.input.window.span(now).0,
            pushed_at: *at,
            pushes: *n,
            now,
        })
        .collect();
    let known: Vec<Option<SloCounts>> = keys.iter().map(|k| cache.and_then(|c| c.get(k))).collect();
    let spans: Vec<(i64, DateTime<Utc>)> = keys
        .iter()
        .zip(&known)
        .filter(|(_, hit)| hit.is_none())
        .map(|(k, _)| (k.slo, k.window_start))
        .collect();
    let mut fresh = counts(pool, &spans, now).await?.into_iter();
    let mut computed = Vec::with_capacity(keys.len());
    for (k, hit) in keys.iter().zip(known) {
        let c = match hit {
            Some(c) => c,
            None => {
                let c = fresh.next().unwrap_or_default();
                if let Some(cache) = cache {
                    cache.put(k.clone(), c.clone());
                }
                c
            }
        };
        computed.push(c);
    }
    let mut pushed = computed.into_iter();
    let prom_ids: Vec<i64> = slos
        .iter()
        .filter(|(s, _)| !is_push(s))
        .map(|(s, _)| s.id)
        .collect();
    let answers = super::slo_prometheus::answers(pool, &prom_ids).await?;
    Ok(slos
        .into_iter()
        .map(|(slo, policy)| {
            let i = &slo.input;
            let (c, at, source_error) = if is_push(&slo) {
                (pushed.next().unwrap_or_default(), now, None)
            } else {
                let sig = prometheus::signature(
                    &i.error_query,
                    &i.total_query,
                    i.window.kind(),
                    i.window.days(),
                );
                prometheus::judge(answers.get(&slo.id), &sig, now)
            };
            let figures = evaluate(
                i.objective,
                i.window,
                at,
                &c,
                &policy,
                source_error.as_deref(),
            );
            SloView { slo, figures }
        })
        .collect())
}

/// The moment pages judge pushed counts at: this minute. Figures are then the same for every
/// view within it (and cacheable), and at most a minute old, as the evaluator's.
pub fn page_now() -> DateTime<Utc> {
    use chrono::DurationRound;
    let now = Utc::now();
    now.duration_trunc(chrono::Duration::minutes(1))
        .unwrap_or(now)
}

/// A service's SLOs with their figures as of `now`, by name.
pub async fn for_service(
    pool: &PgPool,
    cache: Option<&SloCountsCache>,
    service: &str,
    now: DateTime<Utc>,
) -> Result<Vec<SloView>, AppError> {
    let rows: Vec<SloRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE s.slug = $1 ORDER BY lower(o.name), o.id LIMIT $2"
    ))
    .bind(service)
    .bind(PER_SERVICE_MAX)
    .fetch_all(pool)
    .await?;
    with_figures(pool, cache, rows, now).await
}

/// One SLO with its figures.
pub async fn get(
    pool: &PgPool,
    cache: Option<&SloCountsCache>,
    service: &str,
    slo: &str,
    now: DateTime<Utc>,
) -> Result<SloView, AppError> {
    let rows: Vec<SloRow> = sqlx::query_as(&format!("{SELECT} WHERE s.slug = $1 AND o.slug = $2"))
        .bind(service)
        .bind(slo)
        .fetch_all(pool)
        .await?;
    if rows.is_empty() {
        return Err(not_found(service, slo));
    }
    with_figures(pool, cache, rows, now)
        .await?
        .pop()
        .ok_or_else(|| not_found(service, slo))
}

pub fn not_found(service: &str, slo: &str) -> AppError {
    AppError::NotFound(format!("SLO \"{slo}\" of service \"{service}\""))
}

fn slug_taken(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e, "slo_service_id_slug_key") {
        FieldErrors::single("slug", "This service already has an SLO with this slug.").into()
    } else {
        e.into()
    }
}

/// Creates an SLO of `service`; returns its slug.
pub async fn create(
    db: &mut PgConnection,
    service: &str,
    i: &SloInput,
) -> Result<String, AppError> {
    let service_id = super::services::id_of(&mut *db, service).await?;
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM slo WHERE service_id = $1")
        .bind(service_id)
        .fetch_one(&mut *db)
        .await?;
    if existing >= PER_SERVICE_MAX {
        return Err(AppError::Conflict(format!(
            "A service can have at most {PER_SERVICE_MAX} SLOs."
        )));
    }
    sqlx::query_scalar(
        "INSERT INTO slo (service_id, slug, name, description, sli_kind, good_events, total_events, \
         objective_milli, window_kind, window_days, source, error_query, total_query) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING slug",
    )
    .bind(service_id)
    .bind(&i.slug)
    .bind(&i.name)
    .bind(&i.description)
    .bind(i.sli_kind.as_str())
    .bind(&i.good_events)
    .bind(&i.total_events)
    .bind(i.objective.milli() as i32)
    .bind(i.window.kind())
    .bind(i.window.days().map(|d| d as i16))
    .bind(i.source.as_str())
    .bind(&i.error_query)
    .bind(&i.total_query)
    .fetch_one(&mut *db)
    .await
    .map_err(slug_taken)
}

/// Updates an SLO (its slug may change); with `expected_version`, one changed since is refused
/// (409) naming who changed it. Returns the new slug.
pub async fn update(
    db: &mut PgConnection,
    service: &str,
    slo: &str,
    i: &SloInput,
    expected_version: Option<i64>,
) -> Result<String, AppError> {
    let updated: Option<String> = sqlx::query_scalar(
        "UPDATE slo o SET slug = $3, name = $4, description = $5, sli_kind = $6, good_events = $7, \
         total_events = $8, objective_milli = $9, window_kind = $10, window_days = $11, source = $12, \
         error_query = $13, total_query = $14, updated_at = now() \
         FROM service s WHERE s.id = o.service_id AND s.slug = $1 AND o.slug = $2 \
           AND ($15::bigint IS NULL OR o.version = $15) RETURNING o.slug",
    )
    .bind(service)
    .bind(slo)
    .bind(&i.slug)
    .bind(&i.name)
    .bind(&i.description)
    .bind(i.sli_kind.as_str())
    .bind(&i.good_events)
    .bind(&i.total_events)
    .bind(i.objective.milli() as i32)
    .bind(i.window.kind())
    .bind(i.window.days().map(|d| d as i16))
    .bind(i.source.as_str())
    .bind(&i.error_query)
    .bind(&i.total_query)
    .bind(expected_version)
    .fetch_optional(&mut *db)
    .await
    .map_err(slug_taken)?;
    if let Some(slug) = updated {
        return Ok(slug);
    }
    // Gone (404), or changed since the form was opened (409, naming the last change).
    let last: Option<(Option<String>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT a.actor_label, coalesce(a.at, o.updated_at) FROM slo o \
         JOIN service s ON s.id = o.service_id \
         LEFT JOIN LATERAL (SELECT actor_label, at FROM audit_event \
             WHERE entity_type = 'slo' AND entity_id = o.id::text AND action = 'slo.update' \
             ORDER BY id DESC LIMIT 1) a ON TRUE \
         WHERE s.slug = $1 AND o.slug = $2",
    )
    .bind(service)
    .bind(slo)
    .fetch_optional(&mut *db)
    .await?;
    Err(match last {
        None => not_found(service, slo),
        Some((by, at)) => AppError::Conflict(crate::domain::service::changed_since_message(
            "SLO",
            by.as_deref().unwrap_or("Someone"),
            at,
        )),
    })
}

pub async fn delete(db: &mut PgConnection, service: &str, slo: &str) -> Result<(), AppError> {
    let done = sqlx::query(
        "DELETE FROM slo o USING service s WHERE s.id = o.service_id AND s.slug = $1 AND o.slug = $2",
    )
    .bind(service)
    .bind(slo)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() == 0 {
        return Err(not_found(service, slo));
    }
    Ok(())
}

/// The SLO page's data: the SLO with its figures, its service's name and owner, and the
/// burn-down, one point per day of the window so far (at most 92).
pub async fn page(
    pool: &PgPool,
    cache: &SloCountsCache,
    service: &str,
    slo: &str,
    now: DateTime<Utc>,
) -> Result<crate::domain::slo_view::SloPage, AppError> {
    let view = get(pool, Some(cache), service, slo, now).await?;
    let (service_name, owner): (String, Option<String>) = sqlx::query_as(
        "SELECT s.name, t.slug FROM service s LEFT JOIN team t ON t.id = s.owner_team_id WHERE s.slug = $1",
    )
    .bind(service)
    .fetch_one(pool)
    .await?;
    let start = view.figures.window_start;
    let rows: Vec<(chrono::NaiveDate, i64, i64)> = sqlx::query_as(
        "SELECT d::date, coalesce(sum(c.good), 0)::int8, coalesce(sum(c.total), 0)::int8 \
         FROM generate_series(date_trunc('day', $2::timestamptz AT TIME ZONE 'UTC'), $3::timestamptz AT TIME ZONE 'UTC', interval '1 day') AS d \
         LEFT JOIN slo_count c ON c.slo_id = $1 \
              AND c.start >= greatest(d AT TIME ZONE 'UTC', $2) AND c.start < (d + interval '1 day') AT TIME ZONE 'UTC' \
              AND c.start <= $3 \
         GROUP BY d ORDER BY d",
    )
    .bind(view.slo.id)
    .bind(start)
    .bind(now)
    .fetch_all(pool)
    .await?;
    let days: Vec<(chrono::NaiveDate, Counts)> = rows
        .into_iter()
        .map(|(d, good, total)| (d, Counts { good, total }))
        .collect();
    Ok(crate::domain::slo_view::SloPage {
        days: crate::domain::slo::burn_down(view.slo.input.objective, &days),
        rules: rules(&view.slo),
        view,
        service_name,
        owner,
    })
}

/// A Prometheus SLO's rules file; None for pushed counts (Prometheus has nothing to record).
pub fn rules(slo: &Slo) -> Option<String> {
    let i = &slo.input;
    (i.source == SloSource::Prometheus).then(|| {
        crate::domain::prometheus_rules::rules_yaml(&crate::domain::prometheus_rules::RuleInput {
            service: &slo.service,
            slo: &i.slug,
            name: &i.name,
            objective: i.objective,
            window: i.window,
            error_query: &i.error_query,
            total_query: &i.total_query,
        })
    })
}

/// SLOs evaluated per query by the evaluator.
const EVALUATE_BATCH: i64 = 500;

/// Evaluates every SLO as of `now` and stores the figures the lists show (`slo_status`), in
/// batches; returns how many were evaluated.
pub async fn evaluate_all(pool: &PgPool, now: DateTime<Utc>) -> Result<usize, AppError> {
    let mut after = 0i64;
    let mut done = 0;
    loop {
        let rows: Vec<SloRow> =
            sqlx::query_as(&format!("{SELECT} WHERE o.id > $1 ORDER BY o.id LIMIT $2"))
                .bind(after)
                .bind(EVALUATE_BATCH)
                .fetch_all(pool)
                .await?;
        let Some(last) = rows.last().map(|r| r.id) else {
            break;
        };
        let views = with_figures(pool, None, rows, now).await?;
        store_status(pool, &views).await?;
        done += views.len();
        after = last;
    }
    Ok(done)
}

async fn store_status(pool: &PgPool, views: &[SloView]) -> Result<(), AppError> {
    let ids: Vec<i64> = views.iter().map(|v| v.slo.id).collect();
    let at: Vec<DateTime<Utc>> = views.iter().map(|v| v.figures.computed_at).collect();
    let state: Vec<&str> = views.iter().map(|v| v.figures.state.as_str()).collect();
    let left: Vec<Option<f64>> = views.iter().map(|v| v.figures.budget_remaining).collect();
    let attainment: Vec<Option<f64>> = views.iter().map(|v| v.figures.attainment).collect();
    let burn: Vec<Option<f64>> = views
        .iter()
        .map(|v| {
            v.figures
                .burn_rates
                .iter()
                .find(|(w, _)| w == "1h")
                .and_then(|(_, b)| *b)
        })
        .collect();
    let paging: Vec<bool> = views
        .iter()
        .map(|v| {
            v.figures
                .alerts
                .iter()
                .any(|a| a.firing && a.severity == crate::domain::slo::AlertSeverity::Page)
        })
        .collect();
    let reason: Vec<&str> = views.iter().map(|v| v.figures.reason.as_str()).collect();
    // An SLO deleted since it was read has no row to point at: the join leaves it out. A run
    // that outlasted its interval overlaps the next one; the older figures never win.
    sqlx::query(
        "INSERT INTO slo_status (slo_id, computed_at, state, budget_remaining, attainment, burn_1h, paging, reason) \
         SELECT n.* FROM unnest($1::int8[], $2::timestamptz[], $3::text[], $4::float8[], $5::float8[], \
                                $6::float8[], $7::bool[], $8::text[]) AS n(id, at, state, b, a, burn, paging, reason) \
         JOIN slo o ON o.id = n.id \
         ON CONFLICT (slo_id) DO UPDATE SET computed_at = excluded.computed_at, state = excluded.state, \
             budget_remaining = excluded.budget_remaining, attainment = excluded.attainment, \
             burn_1h = excluded.burn_1h, paging = excluded.paging, reason = excluded.reason \
         WHERE slo_status.computed_at <= excluded.computed_at",
    )
    .bind(&ids)
    .bind(&at)
    .bind(&state)
    .bind(&left)
    .bind(&attainment)
    .bind(&burn)
    .bind(&paging)
    .bind(&reason)
    .execute(pool)
    .await?;
    Ok(())
}
