//! API tokens: only the secret's hash is stored; authenticating a use also counts it against
//! the token's rate limit, in the database, so the limit holds across every replica.
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use crate::domain::token::{token_state, Scope, TokenInput, TokenSummary, TOKENS_PER_PAGE};
use crate::domain::validation::FieldErrors;
use crate::error::AppError;

/// A live token that presented its secret, with its use counted.
#[derive(Debug, Clone)]
pub struct TokenAuth {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub team: Option<String>,
    pub scopes: Vec<Scope>,
    /// Uses in the current minute, this one included.
    pub window_count: i32,
    pub window_start: DateTime<Utc>,
    /// The catalog generation, read in the same statement: the API's read cache keys on it, so
    /// a cached list costs no round trip of its own (as the sign-in gate does for pages).
    pub generation: crate::state::CatalogGeneration,
}

pub async fn create(
    db: &mut PgConnection,
    t: &TokenInput,
    prefix: &str,
    secret_hash: &[u8],
    created_by: &str,
) -> Result<i64, AppError> {
    let team_id: Option<i64> = match &t.team {
        None => None,
        Some(slug) => Some(
            sqlx::query_scalar("SELECT id FROM team WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&mut *db)
                .await?
                .ok_or_else(|| {
                    FieldErrors::single("team", format!("There is no team \"{slug}\"."))
                })?,
        ),
    };
    let scopes: Vec<&str> = t.scopes.iter().map(|s| s.as_str()).collect();
    Ok(sqlx::query_scalar(
        "INSERT INTO api_token (name, prefix, secret_hash, team_id, scopes, created_by, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(days => $7)) RETURNING id",
    )
    .bind(&t.name)
    .bind(prefix)
    .bind(secret_hash)
    .bind(team_id)
    .bind(&scopes)
    .bind(created_by)
    .bind(t.expires_in_days as i32)
    .fetch_one(&mut *db)
    .await?)
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    name: String,
    prefix: String,
    team: Option<String>,
    scopes: Vec<String>,
    created_by: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

/// Newest first, a page at a time, with the total.
pub async fn list(pool: &PgPool, page: u32) -> Result<(Vec<TokenSummary>, i64), AppError> {
    let offset = i64::from(page.clamp(1, 10_000) - 1) * TOKENS_PER_PAGE;
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "SELECT k.id, k.name, k.prefix, t.slug AS team, k.scopes, k.created_by, k.created_at, \
         k.expires_at, k.revoked_at, k.last_used_at \
         FROM api_token k LEFT JOIN team t ON t.id = k.team_id \
         ORDER BY k.created_at DESC, k.id DESC LIMIT $1 OFFSET $2",
    )
    .bind(TOKENS_PER_PAGE)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let total = sqlx::query_scalar("SELECT count(*) FROM api_token")
        .fetch_one(pool)
        .await?;
    let now = Utc::now();
    Ok((
        rows.into_iter()
            .map(|r| TokenSummary {
                state: token_state(r.revoked_at, r.expires_at, now).to_string(),
                id: r.id,
                name: r.name,
                prefix: r.prefix,
                team: r.team,
                scopes: r.scopes,
                created_by: r.created_by,
                created_at: r.created_at,
                expires_at: r.expires_at,
                revoked_at: r.revoked_at,
                last_used_at: r.last_used_at,
            })
            .collect(),
        total,
    ))
}

/// Revokes a live token; returns its name and prefix for the trail.
pub async fn revoke(db: &mut PgConnection, id: i64) -> Result<(String, String), AppError> {
    sqlx::query_as(
        "UPDATE api_token SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL \
         RETURNING name, prefix",
    )
    .bind(id)
    .fetch_optional(&mut *db)
    .await?
    .ok_or_else(|| AppError::NotFound("A live token with that id".into()))
}

/// The live (unrevoked, unexpired) token with this secret hash, its use recorded and counted in
/// the current minute. One round trip: one simple-query message whose implicit transaction
/// holds the token's row only for the statement, and whose commit need not wait for the disk
/// (a lost count or last-use time after a crash harms nobody). The hash is our own SHA-256,
/// written as a hex literal (a simple query takes no parameters).
pub async fn authenticate(
    pool: &PgPool,
    secret_hash: &[u8],
) -> Result<Option<TokenAuth>, AppError> {
    use sqlx::Row;
    let hex: String = secret_hash.iter().map(|b| format!("{b:02x}")).collect();
    let sql = format!(
        "SET LOCAL synchronous_commit = off; \
         UPDATE api_token k SET last_used_at = now(), \
             window_count = CASE WHEN k.window_start = date_trunc('minute', now()) THEN k.window_count + 1 ELSE 1 END, \
             window_start = date_trunc('minute', now()) \
         WHERE k.secret_hash = '\\x{hex}'::bytea AND k.revoked_at IS NULL \
           AND (k.expires_at IS NULL OR k.expires_at > now()) \
         RETURNING k.id, k.name, k.prefix, (SELECT slug FROM team WHERE id = k.team_id) AS team, \
                   k.scopes, k.window_count, k.window_start, \
                   (SELECT value FROM catalog_generation) AS catalog_generation, \
                   (SELECT facets FROM catalog_generation) AS facet_generation"
    );
    let row = sqlx::raw_sql(&sql)
        .fetch_all(pool)
        .await?
        .into_iter()
        .next();
    let Some(r) = row else { return Ok(None) };
    let scopes: Vec<String> = r.try_get("scopes")?;
    Ok(Some(TokenAuth {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        prefix: r.try_get("prefix")?,
        team: r.try_get("team")?,
        scopes: scopes.iter().filter_map(|s| Scope::parse(s)).collect(),
        window_count: r.try_get("window_count")?,
        window_start: r.try_get("window_start")?,
        generation: crate::state::CatalogGeneration {
            all: r.try_get("catalog_generation")?,
            facets: r.try_get("facet_generation")?,
        },
    }))
}
