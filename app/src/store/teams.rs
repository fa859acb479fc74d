use sqlx::{PgConnection, PgExecutor, PgPool};

use crate::domain::api::{Cursor, TeamList};
use crate::domain::team::{Team, TeamInput, TeamRef, TeamSummary};
use crate::domain::validation::FieldErrors;
use crate::error::AppError;

use super::rows::{TeamRow, TEAM_COLUMNS};
use super::{is_fk_violation, is_unique_violation};

pub const TEAMS_PER_PAGE: i64 = 50;
/// The owner picker lists teams by name; past this many a typed slug is the better interface.
pub const TEAM_CHOICES_MAX: i64 = 2000;

#[derive(sqlx::FromRow)]
struct SummaryRow {
    slug: String,
    name: String,
    description: String,
    email: String,
    chat_channel: String,
    has_oncall: bool,
    service_count: i64,
}

/// One page of teams by name, with how many services each owns, and the total.
pub async fn list(pool: &PgPool, page: u32) -> Result<(Vec<TeamSummary>, i64), AppError> {
    let offset = i64::from(page.max(1) - 1) * TEAMS_PER_PAGE;
    let (rows, total): (Vec<SummaryRow>, i64) = tokio::try_join!(
        async {
            sqlx::query_as(
                "SELECT t.slug, t.name, left(t.description, 240) AS description, t.email, t.chat_channel, \
                 t.oncall_url <> '' AS has_oncall, \
                 (SELECT count(*) FROM service s WHERE s.owner_team_id = t.id) AS service_count \
                 FROM team t ORDER BY lower(t.name), t.id LIMIT $1 OFFSET $2",
            )
            .bind(TEAMS_PER_PAGE)
            .bind(offset)
            .fetch_all(pool)
            .await
        },
        async {
            sqlx::query_scalar("SELECT count(*) FROM team")
                .fetch_one(pool)
                .await
        }
    )?;
    Ok((rows.into_iter().map(summary).collect(), total))
}

#[derive(sqlx::FromRow)]
struct SummaryRowWithId {
    id: i64,
    #[sqlx(flatten)]
    row: SummaryRow,
}

fn summary(r: SummaryRow) -> TeamSummary {
    TeamSummary {
        slug: r.slug,
        name: r.name,
        description: r.description,
        email: r.email,
        chat_channel: r.chat_channel,
        has_oncall: r.has_oncall,
        service_count: r.service_count,
    }
}

/// The API's page of teams: by name after `list.after`, and the cursor of the next page (if
/// there is one). Keyset paging on `team_name_idx`: stable while teams are added or removed.
pub async fn api_list(
    pool: &PgPool,
    list: &TeamList,
) -> Result<(Vec<TeamSummary>, Option<Cursor>), AppError> {
    let (after_name, after_id) = match &list.after {
        Some(c) => (Some(c.name.as_str()), c.id),
        None => (None, 0),
    };
    let mut rows: Vec<(i64, SummaryRow)> = sqlx::query_as::<_, SummaryRowWithId>(
        "SELECT t.id, t.slug, t.name, left(t.description, 240) AS description, t.email, t.chat_channel, \
         t.oncall_url <> '' AS has_oncall, \
         (SELECT count(*) FROM service s WHERE s.owner_team_id = t.id) AS service_count \
         FROM team t WHERE $1::text IS NULL OR (lower(t.name), t.id) > ($1, $2) \
         ORDER BY lower(t.name), t.id LIMIT $3",
    )
    .bind(after_name)
    .bind(after_id)
    .bind(list.limit + 1)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.row))
    .collect();
    let next = if rows.len() as i64 > list.limit {
        rows.truncate(list.limit as usize);
        rows.last().map(|(id, r)| Cursor {
            name: r.name.to_lowercase(),
            id: *id,
        })
    } else {
        None
    };
    Ok((rows.into_iter().map(|(_, r)| summary(r)).collect(), next))
}

pub async fn choices(pool: &PgPool) -> Result<Vec<TeamRef>, AppError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT slug, name FROM team ORDER BY lower(name), id LIMIT $1")
            .bind(TEAM_CHOICES_MAX)
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(slug, name)| TeamRef { slug, name })
        .collect())
}

pub async fn get(db: impl PgExecutor<'_>, slug: &str) -> Result<Team, AppError> {
    let row: Option<TeamRow> =
        sqlx::query_as(&format!("SELECT {TEAM_COLUMNS} FROM team WHERE slug = $1"))
            .bind(slug)
            .fetch_optional(db)
            .await?;
    row.map(Team::from)
        .ok_or_else(|| AppError::NotFound(format!("Team \"{slug}\"")))
}

fn slug_taken(e: sqlx::Error) -> AppError {
    if is_unique_violation(&e, "team_slug_key") {
        FieldErrors::single("slug", "Another team already uses this slug.").into()
    } else {
        e.into()
    }
}

pub async fn create(db: &mut PgConnection, t: &TeamInput) -> Result<Team, AppError> {
    let row: TeamRow = sqlx::query_as(&format!(
        "INSERT INTO team (slug, name, description, email, chat_channel, oncall_url, escalation_policy) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {TEAM_COLUMNS}"
    ))
    .bind(&t.slug)
    .bind(&t.name)
    .bind(&t.description)
    .bind(&t.email)
    .bind(&t.chat_channel)
    .bind(&t.oncall_url)
    .bind(&t.escalation_policy)
    .fetch_one(&mut *db)
    .await
    .map_err(slug_taken)?;
    Ok(row.into())
}

/// Updates the team found by `slug`; the slug itself may change.
pub async fn update(db: &mut PgConnection, slug: &str, t: &TeamInput) -> Result<Team, AppError> {
    let row: Option<TeamRow> = sqlx::query_as(&format!(
        "UPDATE team SET slug = $2, name = $3, description = $4, email = $5, chat_channel = $6, \
         oncall_url = $7, escalation_policy = $8, updated_at = now() WHERE slug = $1 RETURNING {TEAM_COLUMNS}"
    ))
    .bind(slug)
    .bind(&t.slug)
    .bind(&t.name)
    .bind(&t.description)
    .bind(&t.email)
    .bind(&t.chat_channel)
    .bind(&t.oncall_url)
    .bind(&t.escalation_policy)
    .fetch_optional(&mut *db)
    .await
    .map_err(slug_taken)?;
    row.map(Team::from)
        .ok_or_else(|| AppError::NotFound(format!("Team \"{slug}\"")))
}

pub async fn owned_service_count(db: &mut PgConnection, team_id: i64) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM service WHERE owner_team_id = $1")
            .bind(team_id)
            .fetch_one(&mut *db)
            .await?,
    )
}

/// A team that still owns services cannot be deleted: its services would silently become
/// unowned. The foreign key enforces the same under concurrent writes.
pub async fn delete(db: &mut PgConnection, slug: &str) -> Result<(), AppError> {
    let team = get(&mut *db, slug).await?;
    let owned = owned_service_count(&mut *db, team.id).await?;
    if owned > 0 {
        return Err(cannot_delete(owned));
    }
    sqlx::query("DELETE FROM team WHERE id = $1")
        .bind(team.id)
        .execute(&mut *db)
        .await
        .map_err(|e| {
            if is_fk_violation(&e, "service_owner_team_id_fkey") {
                cannot_delete(1)
            } else {
                e.into()
            }
        })?;
    Ok(())
}

fn cannot_delete(owned: i64) -> AppError {
    let noun = if owned == 1 { "service" } else { "services" };
    AppError::Conflict(format!(
        "This team still owns {owned} {noun}. Move {} to another team first, then delete the team.",
        if owned == 1 { "it" } else { "them" }
    ))
}
