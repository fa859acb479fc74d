use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;

use crate::domain::service::{Service, ServiceDetail, ServiceInput};
use crate::domain::team::Team;
use crate::domain::tier::{policy_gaps, PolicyFacts};
use crate::domain::validation::FieldErrors;
use crate::error::AppError;

use super::is_unique_violation;
use super::rows::{lifecycle, tier, EdgeRow, LinkRow, TeamRow, TierPolicyRow};

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
    owner_team_id: Option<i64>,
}

const SERVICE_COLUMNS: &str =
    "id, slug, name, description, tier, lifecycle, tags, created_at, updated_at, owner_team_id";

impl ServiceDbRow {
    fn into_domain(self) -> Result<(Service, Option<i64>), AppError> {
        Ok((
            Service {
                id: self.id,
                tier: tier(self.tier)?,
                lifecycle: lifecycle(&self.lifecycle)?,
                slug: self.slug,
                name: self.name,
                description: self.description,
                tags: self.tags,
                created_at: self.created_at,
                updated_at: self.updated_at,
            },
            self.owner_team_id,
        ))
    }
}

pub async fn id_of(pool: &PgPool, slug: &str) -> Result<i64, AppError> {
    sqlx::query_scalar("SELECT id FROM service WHERE slug = $1")
        .bind(slug)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| not_found(slug))
}

fn not_found(slug: &str) -> AppError {
    AppError::NotFound(format!("Service \"{slug}\""))
}

/// Everything for the service page: the service, then its owner, policy, links and both
/// directions of dependencies fetched concurrently.
pub async fn detail(
    pool: &PgPool,
    slug: &str,
    today: NaiveDate,
    stale_after_days: i64,
) -> Result<ServiceDetail, AppError> {
    let row: ServiceDbRow = sqlx::query_as(&format!(
        "SELECT {SERVICE_COLUMNS} FROM service WHERE slug = $1"
    ))
    .bind(slug)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| not_found(slug))?;
    let (service, owner_id) = row.into_domain()?;
    let edges = |sql: &'static str| async move {
        let rows: Vec<EdgeRow> = sqlx::query_as(sql)
            .bind(service.id)
            .bind(EDGES_SHOWN)
            .fetch_all(pool)
            .await?;
        let total = rows.first().map_or(0, |r| r.total);
        let edges = rows
            .into_iter()
            .map(EdgeRow::into_domain)
            .collect::<Result<Vec<_>, _>>()?;
        Ok::<_, AppError>((edges, total))
    };
    let (owner, policy, links, (depends_on, depends_on_total), (dependents, dependents_total)) = tokio::try_join!(
        async {
            match owner_id {
                Some(id) => {
                    let t: TeamRow = sqlx::query_as(&format!(
                        "SELECT {} FROM team WHERE id = $1",
                        super::rows::TEAM_COLUMNS
                    ))
                    .bind(id)
                    .fetch_one(pool)
                    .await?;
                    Ok::<_, AppError>(Some(Team::from(t)))
                }
                None => Ok(None),
            }
        },
        async {
            let p: TierPolicyRow = sqlx::query_as(
                "SELECT tier, name, description, oncall_required, runbook_required, min_slo_objective, \
                 postmortem_due_days FROM tier_policy WHERE tier = $1",
            )
            .bind(i16::from(service.tier.number()))
            .fetch_one(pool)
            .await?;
            p.into_domain()
        },
        async {
            let rows: Vec<LinkRow> = sqlx::query_as(
                "SELECT id, kind, title, url, last_reviewed_on FROM service_link WHERE service_id = $1 \
                 ORDER BY array_position(ARRAY['oncall','runbook','dashboard','chat','repo','docs','other'], kind), title, id \
                 LIMIT $2",
            )
            .bind(service.id)
            .bind(LINKS_MAX)
            .fetch_all(pool)
            .await?;
            rows.into_iter()
                .map(|r| r.into_domain(today, stale_after_days))
                .collect::<Result<Vec<_>, _>>()
        },
        edges(
            "SELECT s.slug, s.name, s.tier, s.lifecycle, d.kind, count(*) OVER () AS total \
             FROM service_dependency d JOIN service s ON s.id = d.depends_on_id \
             WHERE d.service_id = $1 ORDER BY d.kind, s.tier, lower(s.name) LIMIT $2"
        ),
        edges(
            "SELECT s.slug, s.name, s.tier, s.lifecycle, d.kind, count(*) OVER () AS total \
             FROM service_dependency d JOIN service s ON s.id = d.service_id \
             WHERE d.depends_on_id = $1 ORDER BY d.kind, s.tier, lower(s.name) LIMIT $2"
        ),
    )?;
    let facts = PolicyFacts::from_links(
        &links,
        owner.as_ref().is_some_and(|t| !t.oncall_url.is_empty()),
        owner.is_some(),
    );
    Ok(ServiceDetail {
        gaps: policy_gaps(&policy, &facts, stale_after_days),
        service,
        owner,
        policy,
        links,
        depends_on,
        depends_on_total,
        dependents,
        dependents_total,
        stale_after_days,
    })
}

/// The owner's team id, or a message on the owner field when no such team exists.
async fn owner_id(pool: &PgPool, owner: &Option<String>) -> Result<Option<i64>, AppError> {
    let Some(slug) = owner else { return Ok(None) };
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM team WHERE slug = $1")
        .bind(slug)
        .fetch_optional(pool)
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

pub async fn create(pool: &PgPool, s: &ServiceInput) -> Result<String, AppError> {
    let owner = owner_id(pool, &s.owner).await?;
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
    .fetch_one(pool)
    .await
    .map_err(slug_taken)
}

/// Updates the service found by `slug`; the slug itself may change. Returns the new slug.
pub async fn update(pool: &PgPool, slug: &str, s: &ServiceInput) -> Result<String, AppError> {
    let owner = owner_id(pool, &s.owner).await?;
    sqlx::query_scalar(
        "UPDATE service SET slug = $2, name = $3, description = $4, tier = $5, lifecycle = $6, \
         owner_team_id = $7, tags = $8, updated_at = now() WHERE slug = $1 RETURNING slug",
    )
    .bind(slug)
    .bind(&s.slug)
    .bind(&s.name)
    .bind(&s.description)
    .bind(i16::from(s.tier.number()))
    .bind(s.lifecycle.as_str())
    .bind(owner)
    .bind(&s.tags)
    .fetch_optional(pool)
    .await
    .map_err(slug_taken)?
    .ok_or_else(|| not_found(slug))
}

/// Deleting a service removes its links and both directions of its dependencies (cascade).
pub async fn delete(pool: &PgPool, slug: &str) -> Result<(), AppError> {
    let done = sqlx::query("DELETE FROM service WHERE slug = $1")
        .bind(slug)
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(not_found(slug));
    }
    Ok(())
}
