//! People who have signed in, their team membership and roles.
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::domain::access::{Me, Role};
use crate::domain::user::{Member, UserSummary, USERS_PER_PAGE};
use crate::error::AppError;
use crate::state::CatalogGeneration;

/// The CHECK constraints allow only known roles; anything else is a schema/code mismatch.
fn role(s: &str) -> Result<Role, AppError> {
    Role::parse(s).ok_or_else(|| AppError::internal(format!("unknown role {s}")))
}

/// What the identity provider said about a person at sign-in.
#[derive(Debug, Clone)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub name: String,
    pub email: String,
    pub groups: Vec<String>,
    pub idp_role: Role,
    /// Team slugs the groups name; teams that do not exist are ignored.
    pub teams: Vec<String>,
}

/// Creates or refreshes the person (issuer + subject is the identity) and rebuilds their team
/// membership from the groups. Returns the user id.
pub async fn upsert_at_sign_in(db: &mut PgConnection, who: &Identity) -> Result<i64, AppError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO app_user (issuer, subject, name, email, groups, idp_role, last_login_at) \
         VALUES ($1, $2, $3, $4, $5, $6, now()) \
         ON CONFLICT (issuer, subject) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, \
           groups = EXCLUDED.groups, idp_role = EXCLUDED.idp_role, last_login_at = now() \
         RETURNING id",
    )
    .bind(&who.issuer)
    .bind(&who.subject)
    .bind(&who.name)
    .bind(&who.email)
    .bind(&who.groups)
    .bind(who.idp_role.as_str())
    .fetch_one(&mut *db)
    .await?;
    sqlx::query("DELETE FROM team_member WHERE user_id = $1")
        .bind(id)
        .execute(&mut *db)
        .await?;
    sqlx::query(
        "INSERT INTO team_member (team_id, user_id) SELECT t.id, $1 FROM team t WHERE t.slug = ANY($2)",
    )
    .bind(id)
    .bind(&who.teams)
    .execute(&mut *db)
    .await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct MeRow {
    id: i64,
    name: String,
    email: String,
    role: String,
    teams: Vec<String>,
    catalog_generation: i64,
    facet_generation: i64,
}

/// The person behind a session, with their effective role and teams: one indexed query per
/// request, so a role change or a removed membership applies at once.
pub async fn me(pool: &PgPool, id: i64) -> Result<Option<Me>, AppError> {
    Ok(me_and_generation(pool, id).await?.map(|(me, _)| me))
}

/// `me`, plus the catalog generation read in the same statement. The sign-in gate runs this on
/// every request, so the pages' read cache (`store::cache`) costs them no extra round trip.
/// A disabled person is nobody: their sessions end at the next request.
pub async fn me_and_generation(
    pool: &PgPool,
    id: i64,
) -> Result<Option<(Me, CatalogGeneration)>, AppError> {
    let row: Option<MeRow> = sqlx::query_as(
        "SELECT u.id, u.name, coalesce(nullif(u.email, ''), u.subject) AS email, \
         coalesce(u.role_override, u.idp_role) AS role, \
         array(SELECT t.slug FROM team_member m JOIN team t ON t.id = m.team_id \
               WHERE m.user_id = u.id ORDER BY t.slug) AS teams, \
         g.value AS catalog_generation, g.facets AS facet_generation \
         FROM app_user u, catalog_generation g WHERE u.id = $1 AND u.disabled_at IS NULL",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok((
            Me {
                role: role(&r.role)?,
                id: r.id,
                name: r.name,
                email: r.email,
                teams: r.teams,
            },
            CatalogGeneration {
                all: r.catalog_generation,
                facets: r.facet_generation,
            },
        ))
    })
    .transpose()
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    name: String,
    email: String,
    groups: Vec<String>,
    idp_role: String,
    role_override: Option<String>,
    teams: Vec<String>,
    last_login_at: Option<DateTime<Utc>>,
    disabled_at: Option<DateTime<Utc>>,
}

/// One page of people by name, and the total.
pub async fn list(pool: &PgPool, page: u32) -> Result<(Vec<UserSummary>, i64), AppError> {
    let offset = i64::from(page.max(1) - 1) * USERS_PER_PAGE;
    let (rows, total): (Vec<ListRow>, i64) = tokio::try_join!(
        sqlx::query_as(
            "SELECT u.id, u.name, u.email, u.groups, u.idp_role, u.role_override, u.last_login_at, u.disabled_at, \
             array(SELECT t.slug FROM team_member m JOIN team t ON t.id = m.team_id \
                   WHERE m.user_id = u.id ORDER BY t.slug) AS teams \
             FROM app_user u ORDER BY lower(u.name), u.id LIMIT $1 OFFSET $2",
        )
        .bind(USERS_PER_PAGE)
        .bind(offset)
        .fetch_all(pool),
        sqlx::query_scalar("SELECT count(*) FROM app_user").fetch_one(pool)
    )?;
    let users = rows
        .into_iter()
        .map(|r| {
            Ok(UserSummary {
                idp_role: role(&r.idp_role)?,
                role_override: r.role_override.as_deref().map(role).transpose()?,
                id: r.id,
                name: r.name,
                email: r.email,
                groups: r.groups,
                teams: r.teams,
                last_login_at: r.last_login_at,
                disabled_at: r.disabled_at,
                is_you: false,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok((users, total))
}

/// Sets (or with None clears) an admin's override of a person's role. Returns the role before
/// and after, for the audit trail.
pub async fn set_role_override(
    db: &mut PgConnection,
    user_id: i64,
    role: Option<Role>,
) -> Result<(Option<String>, Option<String>), AppError> {
    let before: Option<Option<String>> =
        sqlx::query_scalar("SELECT role_override FROM app_user WHERE id = $1 FOR UPDATE")
            .bind(user_id)
            .fetch_optional(&mut *db)
            .await?;
    let Some(before) = before else {
        return Err(AppError::NotFound("That person".into()));
    };
    sqlx::query("UPDATE app_user SET role_override = $2 WHERE id = $1")
        .bind(user_id)
        .bind(role.map(Role::as_str))
        .execute(&mut *db)
        .await?;
    Ok((before, role.map(|r| r.as_str().to_string())))
}

/// Whether the person with this identity has been disabled by an admin (unknown: not).
pub async fn is_disabled(pool: &PgPool, issuer: &str, subject: &str) -> Result<bool, AppError> {
    let disabled: Option<bool> = sqlx::query_scalar(
        "SELECT disabled_at IS NOT NULL FROM app_user WHERE issuer = $1 AND subject = $2",
    )
    .bind(issuer)
    .bind(subject)
    .fetch_optional(pool)
    .await?;
    Ok(disabled.unwrap_or(false))
}

/// Disables (or re-enables) a person. Returns the label the trail names them by and whether
/// they were disabled before.
pub async fn set_disabled(
    db: &mut PgConnection,
    user_id: i64,
    disabled: bool,
) -> Result<(String, bool), AppError> {
    let before: Option<(String, bool)> = sqlx::query_as(
        "SELECT coalesce(nullif(email, ''), subject), disabled_at IS NOT NULL FROM app_user \
         WHERE id = $1 FOR UPDATE",
    )
    .bind(user_id)
    .fetch_optional(&mut *db)
    .await?;
    let Some((label, was)) = before else {
        return Err(AppError::NotFound("That person".into()));
    };
    if was != disabled {
        sqlx::query("UPDATE app_user SET disabled_at = CASE WHEN $2 THEN now() END WHERE id = $1")
            .bind(user_id)
            .bind(disabled)
            .execute(&mut *db)
            .await?;
    }
    Ok((label, was))
}

/// Members of a team, for the team page (bounded: a team page lists at most this many).
pub const MEMBERS_SHOWN: i64 = 200;

pub async fn members_of(pool: &PgPool, team_slug: &str) -> Result<Vec<Member>, AppError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT u.name, u.email, coalesce(u.role_override, u.idp_role) FROM team_member m \
         JOIN team t ON t.id = m.team_id JOIN app_user u ON u.id = m.user_id \
         WHERE t.slug = $1 ORDER BY lower(u.name), u.id LIMIT $2",
    )
    .bind(team_slug)
    .bind(MEMBERS_SHOWN)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(name, email, stored)| {
            Ok(Member {
                name,
                email,
                role: role(&stored)?,
            })
        })
        .collect()
}
