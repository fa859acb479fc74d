use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, PgExecutor, PgPool};

use crate::domain::service::{changed_since_message, Service, ServiceDetail, ServiceInput};
use crate::domain::team::Team;
use crate::domain::tier::{policy_gaps, PolicyFacts};
use crate::domain::validation::FieldErrors;
use crate::error::AppError;

use super::is_unique_violation;
use super::rows::{lifecycle, tier, EdgeRow, LinkRow, TierPolicyRow};

/// Dependencies and dependents shown on a service page; the totals say how many more exist.
pub const EDGES_SHOWN: i64 = 100;
/// No service has this many links legitimately; the cap keeps the page bounded.
pub const LINKS_MAX: i64 = 200;

#[derive(sqlx::FromRow)]
struct ServiceDbRow {
    id: i64,
    slug: String,
    name: String,
    description: String,
    tier: i16,
    lifecycle: String,
    tags: Vec<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

impl ServiceDbRow {
    fn into_domain(self) -> Result<Service, AppError> {
        Ok(Service {
            id: self.id,
            tier: tier(self.tier)?,
            lifecycle: lifecycle(&self.lifecycle)?,
            slug: self.slug,
            name: self.name,
            description: self.description,
            tags: self.tags,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        })
    }
}

pub async fn id_of(db: impl PgExecutor<'_>, slug: &str) -> Result<i64, AppError> {
    sqlx::query_scalar("SELECT id FROM service WHERE slug = $1")
        .bind(slug)
        .fetch_optional(db)
        .await?
        .ok_or_else(|| not_found(slug))
}

fn not_found(slug: &str) -> AppError {
    AppError::NotFound(format!("Service \"{slug}\""))
}

/// Everything for the service page in one round trip: the service with its owner and tier
/// policy joined, and links and both directions of dependencies aggregated as JSON. (Five
/// separate queries cost more than the page itself under load: each one queues for a pooled
/// connection.)
pub async fn detail(
    pool: &PgPool,
    slug: &str,
    today: NaiveDate,
    stale_after_days: i64,
) -> Result<ServiceDetail, AppError> {
    let row: DetailRow = sqlx::query_as(DETAIL_SQL)
        .bind(slug)
        .bind(LINKS_MAX)
        .bind(EDGES_SHOWN)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| not_found(slug))?;
    let policy = TierPolicyRow {
        tier: row.service.tier,
        name: row.policy_name,
        description: row.policy_description,
        oncall_required: row.oncall_required,
        runbook_required: row.runbook_required,
        min_slo_objective: row.min_slo_objective,
        postmortem_due_days: row.postmortem_due_days,
        slo_required: row.slo_required,
        budget_at_risk_pct: row.budget_at_risk_pct,
    }
    .into_domain()?;
    let owner = match (row.team_id, row.team_slug, row.team_name) {
        (Some(id), Some(slug), Some(name)) => Some(Team {
            id,
            slug,
            name,
            description: row.team_description.unwrap_or_default(),
            email: row.team_email.unwrap_or_default(),
            chat_channel: row.team_chat.unwrap_or_default(),
            oncall_url: row.team_oncall_url.unwrap_or_default(),
            escalation_policy: row.team_escalation.unwrap_or_default(),
        }),
        _ => None,
    };
    let service = row.service.into_domain()?;
    let links = row
        .links
        .0
        .into_iter()
        .map(|l| l.into_domain(today, stale_after_days))
        .collect::<Result<Vec<_>, _>>()?;
    let edges = |rows: Vec<EdgeRow>| {
        rows.into_iter()
            .map(EdgeRow::into_domain)
            .collect::<Result<Vec<_>, _>>()
    };
    let facts = PolicyFacts {
        slo_count: row.slo_count,
        slos_below_floor: row.slos_below_floor,
        ..PolicyFacts::from_links(
            &links,
            owner.as_ref().is_some_and(|t| !t.oncall_url.is_empty()),
            owner.is_some(),
        )
    };
    Ok(ServiceDetail {
        gaps: policy_gaps(&policy, &facts, stale_after_days),
        service,
        owner,
        policy,
        links,
        depends_on: edges(row.depends_on.0)?,
        depends_on_total: row.depends_on_total,
        dependents: edges(row.dependents.0)?,
        dependents_total: row.dependents_total,
        stale_after_days,
    })
}

/// `detail` at the current catalog generation: reused while nothing in the catalog changed,
/// read once by concurrent readers after a write (see `store::cache`).
pub async fn detail_cached(
    pool: &PgPool,
    cache: &super::cache::ReadCache,
    slug: &str,
    today: NaiveDate,
    stale_after_days: i64,
    generation: Option<crate::state::CatalogGeneration>,
) -> Result<std::sync::Arc<ServiceDetail>, AppError> {
    let g = super::cache::generation_or_current(pool, generation).await?;
    cache
        .services
        .get_or_compute(&(slug.to_string(), today), g.all, || async {
            detail(pool, slug, today, stale_after_days)
                .await
                .map(std::sync::Arc::new)
        })
        .await
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    #[sqlx(flatten)]
    service: ServiceDbRow,
    policy_name: String,
    policy_description: String,
    oncall_required: bool,
    runbook_required: bool,
    min_slo_objective: Option<f64>,
    slo_required: bool,
    budget_at_risk_pct: i16,
    postmortem_due_days: Option<i16>,
    team_id: Option<i64>,
    team_slug: Option<String>,
    team_name: Option<String>,
    team_description: Option<String>,
    team_email: Option<String>,
    team_chat: Option<String>,
    team_oncall_url: Option<String>,
    team_escalation: Option<String>,
    links: Json<Vec<LinkRow>>,
    depends_on: Json<Vec<EdgeRow>>,
    depends_on_total: i64,
    dependents: Json<Vec<EdgeRow>>,
    dependents_total: i64,
    slo_count: i64,
    slos_below_floor: i64,
}

/// $1 slug, $2 links cap, $3 edges cap. Links: on-call and runbook first, as responders want.
const DETAIL_SQL: &str = "\
SELECT s.id, s.slug, s.name, s.description, s.tier, s.lifecycle, s.tags, s.created_at, s.updated_at, s.version,
       p.name AS policy_name, p.description AS policy_description, p.oncall_required, p.runbook_required,
       p.min_slo_objective, p.postmortem_due_days, p.slo_required, p.budget_at_risk_pct,
       t.id AS team_id, t.slug AS team_slug, t.name AS team_name, t.description AS team_description,
       t.email AS team_email, t.chat_channel AS team_chat, t.oncall_url AS team_oncall_url,
       t.escalation_policy AS team_escalation,
       (SELECT count(*) FROM slo WHERE service_id = s.id) AS slo_count,
       (SELECT count(*) FROM slo WHERE service_id = s.id AND p.min_slo_objective IS NOT NULL
           AND objective_milli < round(p.min_slo_objective * 1000)) AS slos_below_floor,
       (SELECT coalesce(json_agg(l), '[]') FROM (
           SELECT id, kind, title, url, last_reviewed_on FROM service_link WHERE service_id = s.id
           ORDER BY array_position(ARRAY['oncall','runbook','dashboard','chat','repo','docs','other'], kind), title, id
           LIMIT $2) l) AS links,
       (SELECT coalesce(json_agg(e), '[]') FROM (
           SELECT o.slug, o.name, o.tier, o.lifecycle, d.kind FROM service_dependency d JOIN service o ON o.id = d.depends_on_id
           WHERE d.service_id = s.id ORDER BY d.kind, o.tier, lower(o.name) LIMIT $3) e) AS depends_on,
       (SELECT count(*) FROM service_dependency WHERE service_id = s.id) AS depends_on_total,
       (SELECT coalesce(json_agg(e), '[]') FROM (
           SELECT o.slug, o.name, o.tier, o.lifecycle, d.kind FROM service_dependency d JOIN service o ON o.id = d.service_id
           WHERE d.depends_on_id = s.id ORDER BY d.kind, o.tier, lower(o.name) LIMIT $3) e) AS dependents,
       (SELECT count(*) FROM service_dependency WHERE depends_on_id = s.id) AS dependents_total
FROM service s
JOIN tier_policy p ON p.tier = s.tier
LEFT JOIN team t ON t.id = s.owner_team_id
WHERE s.slug = $1";

/// The owner's team id, or a message on the owner field when no such team exists.
async fn owner_id(db: &mut PgConnection, owner: &Option<String>) -> Result<Option<i64>, AppError> {
    let Some(slug) = owner else { return Ok(None) };
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM team WHERE slug = $1")
        .bind(slug)
        .fetch_optional(&mut *db)
        .await?;
    match id {
        Some(id) => Ok(Some(id)),
        None => Err(FieldErrors::single("owner", format!("There is no team \"{slug}\".")).into()),
    }
}

fn slug_taken(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e, "service_slug_key") {
        FieldErrors::single("slug", "Another service already uses this slug.").into()
    } else {
        e.into()
    }
}

pub async fn create(db: &mut PgConnection, s: &ServiceInput) -> Result<String, AppError> {
    let owner = owner_id(&mut *db, &s.owner).await?;
    sqlx::query_scalar(
        "INSERT INTO service (slug, name, description, tier, lifecycle, owner_team_id, tags) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING slug",
    )
    .bind(&s.slug)
    .bind(&s.name)
    .bind(&s.description)
    .bind(i16::from(s.tier.number()))
    .bind(s.lifecycle.as_str())
    .bind(owner)
    .bind(&s.tags)
    .fetch_one(&mut *db)
    .await
    .map_err(slug_taken)
}

/// Updates the service found by `slug`; the slug itself may change. Returns the new slug.
/// With `expected_version`, a service changed since that version is refused (409) with who
/// changed it and when, instead of overwriting their change.
pub async fn update(
    db: &mut PgConnection,
    slug: &str,
    s: &ServiceInput,
    expected_version: Option<i64>,
) -> Result<String, AppError> {
    let owner = owner_id(&mut *db, &s.owner).await?;
    let updated: Option<String> = sqlx::query_scalar(
        "UPDATE service SET slug = $2, name = $3, description = $4, tier = $5, lifecycle = $6, \
         owner_team_id = $7, tags = $8, updated_at = now() \
         WHERE slug = $1 AND ($9::bigint IS NULL OR version = $9) RETURNING slug",
    )
    .bind(slug)
    .bind(&s.slug)
    .bind(&s.name)
    .bind(&s.description)
    .bind(i16::from(s.tier.number()))
    .bind(s.lifecycle.as_str())
    .bind(owner)
    .bind(&s.tags)
    .bind(expected_version)
    .fetch_optional(&mut *db)
    .await
    .map_err(slug_taken)?;
    match updated {
        Some(slug) => Ok(slug),
        None => Err(changed_since(&mut *db, "service", slug).await?),
    }
}

/// Why a versioned update matched nothing: the row is gone (404), or someone changed it since
/// (409, naming the last change recorded in the audit trail).
pub(crate) async fn changed_since(
    db: &mut PgConnection,
    entity: &str,
    slug: &str,
) -> Result<AppError, AppError> {
    let table = match entity {
        "team" => "team",
        _ => "service",
    };
    let last: Option<(Option<String>, DateTime<Utc>)> = sqlx::query_as(&format!(
        "SELECT a.actor_label, coalesce(a.at, x.updated_at) FROM {table} x \
         LEFT JOIN LATERAL (SELECT actor_label, at FROM audit_event \
             WHERE entity_type = $2 AND entity_id = x.id::text AND action = $2 || '.update' \
             ORDER BY id DESC LIMIT 1) a ON TRUE \
         WHERE x.slug = $1"
    ))
    .bind(slug)
    .bind(entity)
    .fetch_optional(&mut *db)
    .await?;
    Ok(match last {
        None => AppError::NotFound(format!("{} \"{slug}\"", capitalised(entity))),
        Some((by, at)) => AppError::Conflict(changed_since_message(
            entity,
            by.as_deref().unwrap_or("Someone"),
            at,
        )),
    })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Deleting a service removes its links and both directions of its dependencies (cascade).
pub async fn delete(db: &mut PgConnection, slug: &str) -> Result<(), AppError> {
    let done = sqlx::query("DELETE FROM service WHERE slug = $1")
        .bind(slug)
        .execute(&mut *db)
        .await?;
    if done.rows_affected() == 0 {
        return Err(not_found(slug));
    }
    Ok(())
}

/// The slug of the team that owns the service (None: unowned), for permission checks.
pub async fn owner_of(db: impl PgExecutor<'_>, slug: &str) -> Result<Option<String>, AppError> {
    let row: Option<(Option<String>,)> = sqlx::query_as(
        "SELECT t.slug FROM service s LEFT JOIN team t ON t.id = s.owner_team_id WHERE s.slug = $1",
    )
    .bind(slug)
    .fetch_optional(db)
    .await?;
    row.map(|(owner,)| owner).ok_or_else(|| not_found(slug))
}
