//! Action items (migration 0015). Lists are of open items unless asked, overdue first, and a
//! page at a time; "overdue" is decided against the organisation's today in the query.
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};

use crate::domain::action_item::{
    completed_at, is_overdue, ActionInput, ActionKind, ActionStatus, Priority, PER_POSTMORTEM_MAX,
};
use crate::domain::action_list::{ActionItem, ActionListQuery, ActionPage, PER_PAGE};
use crate::domain::catalog::FacetValue;
use crate::domain::validation::FieldErrors;
use crate::error::AppError;

/// Today in the organisation's zone: the day "overdue" is judged by.
pub async fn today(
    db: impl sqlx::PgExecutor<'_>,
    now: DateTime<Utc>,
) -> Result<NaiveDate, AppError> {
    let zone: String = sqlx::query_scalar("SELECT zone FROM learning_settings")
        .fetch_one(db)
        .await?;
    let tz = crate::domain::incident::parse_zone(&zone).unwrap_or(chrono_tz::UTC);
    Ok(now.with_timezone(&tz).date_naive())
}

const SELECT: &str = "SELECT a.id, a.incident_id, i.title AS incident_title, a.title, a.kind, a.priority, \
    t.slug AS team, t.name AS team_name, u.name AS owner_name, u.email AS owner_email, s.slug AS service, \
    a.due_on, a.status, a.wont_do_reason, a.url, a.completed_at, a.version \
    FROM action_item a JOIN incident i ON i.id = a.incident_id JOIN team t ON t.id = a.team_id \
    LEFT JOIN app_user u ON u.id = a.owner_id LEFT JOIN service s ON s.id = a.service_id";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    incident_id: i64,
    incident_title: String,
    title: String,
    kind: String,
    priority: i16,
    team: String,
    team_name: String,
    owner_name: Option<String>,
    owner_email: Option<String>,
    service: Option<String>,
    due_on: Option<NaiveDate>,
    status: String,
    wont_do_reason: String,
    url: String,
    completed_at: Option<DateTime<Utc>>,
    version: i64,
}

fn item(r: Row, today: NaiveDate) -> Result<ActionItem, AppError> {
    let bad = || AppError::internal("stored action item has an impossible value");
    let status = ActionStatus::parse(&r.status).ok_or_else(bad)?;
    Ok(ActionItem {
        id: r.id,
        incident_id: r.incident_id,
        incident_title: r.incident_title,
        title: r.title,
        kind: ActionKind::parse(&r.kind).ok_or_else(bad)?,
        priority: u8::try_from(r.priority)
            .ok()
            .and_then(Priority::new)
            .ok_or_else(bad)?,
        team: r.team,
        team_name: r.team_name,
        owner: r.owner_name.zip(r.owner_email),
        service: r.service,
        due_on: r.due_on,
        overdue: is_overdue(status, r.due_on, today),
        status,
        wont_do_reason: r.wont_do_reason,
        url: r.url,
        completed_at: r.completed_at,
        version: r.version,
    })
}

/// Every item of one postmortem, open ones first.
pub async fn of_incident(
    pool: &PgPool,
    incident_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<ActionItem>, AppError> {
    let today = today(pool, now).await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE a.incident_id = $1 \
         ORDER BY a.status IN ('done', 'wont_do'), a.priority, a.due_on NULLS LAST, a.id LIMIT 100"
    ))
    .bind(incident_id)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(|r| item(r, today)).collect()
}

pub async fn get(pool: &PgPool, id: i64, now: DateTime<Utc>) -> Result<ActionItem, AppError> {
    let today = today(pool, now).await?;
    let row: Row = sqlx::query_as(&format!("{SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| not_found(id))?;
    item(row, today)
}

pub fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("Action item #{id}"))
}

/// The names an item refers to, as ids: team, owner (someone who has signed in) and service.
/// Unknown ones are field errors.
async fn resolve(
    db: &mut PgConnection,
    a: &ActionInput,
) -> Result<(i64, Option<i64>, Option<i64>), AppError> {
    let (team, owner, service): (Option<i64>, Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT (SELECT id FROM team WHERE slug = $1), \
                (SELECT id FROM app_user WHERE lower(email) = $2 AND disabled_at IS NULL ORDER BY id LIMIT 1), \
                (SELECT id FROM service WHERE slug = $3)",
    )
    .bind(&a.team)
    .bind(a.owner.as_deref())
    .bind(a.service.as_deref())
    .fetch_one(&mut *db)
    .await?;
    let mut e = FieldErrors::new();
    if team.is_none() {
        e.add("team", format!("No team \"{}\" in the catalog.", a.team));
    }
    if a.owner.is_some() && owner.is_none() {
        e.add(
            "owner",
            "No one with this email has signed in to the portal (or they are disabled).",
        );
    }
    if a.service.is_some() && service.is_none() {
        e.add("service", "Not in the catalog.");
    }
    e.into_result((team.unwrap_or_default(), owner, service))
        .map_err(AppError::from)
}

pub async fn create(
    db: &mut PgConnection,
    incident_id: i64,
    a: &ActionInput,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let (team, owner, service) = resolve(db, a).await?;
    let count: Option<i64> = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM action_item WHERE incident_id = p.incident_id) FROM postmortem p \
         WHERE p.incident_id = $1 FOR UPDATE",
    )
    .bind(incident_id)
    .fetch_optional(&mut *db)
    .await?;
    match count {
        None => return Err(super::postmortems::not_found(incident_id)),
        Some(n) if n >= PER_POSTMORTEM_MAX => {
            return Err(AppError::Conflict(format!(
                "A postmortem holds at most {PER_POSTMORTEM_MAX} action items."
            )))
        }
        _ => {}
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO action_item (incident_id, title, kind, priority, team_id, owner_id, service_id, due_on, \
            status, wont_do_reason, url, completed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(incident_id)
    .bind(&a.title)
    .bind(a.kind.as_str())
    .bind(i16::from(a.priority.number()))
    .bind(team)
    .bind(owner)
    .bind(service)
    .bind(a.due_on)
    .bind(a.status.as_str())
    .bind(&a.wont_do_reason)
    .bind(&a.url)
    .bind(completed_at(None, a.status, now))
    .fetch_one(&mut *db)
    .await?)
}

/// An action item as a change finds it, locked.
pub struct Locked {
    pub incident_id: i64,
    pub team: String,
    pub status: ActionStatus,
    pub completed_at: Option<DateTime<Utc>>,
    pub version: i64,
}

type LockRow = (i64, String, String, Option<DateTime<Utc>>, i64);

pub async fn lock(db: &mut PgConnection, id: i64) -> Result<Locked, AppError> {
    let row: Option<LockRow> = sqlx::query_as(
        "SELECT a.incident_id, t.slug, a.status, a.completed_at, a.version FROM action_item a \
         JOIN team t ON t.id = a.team_id WHERE a.id = $1 FOR UPDATE OF a",
    )
    .bind(id)
    .fetch_optional(&mut *db)
    .await?;
    let (incident_id, team, status, completed_at, version) = row.ok_or_else(|| not_found(id))?;
    Ok(Locked {
        incident_id,
        team,
        status: ActionStatus::parse(&status)
            .ok_or_else(|| AppError::internal("stored action item has an impossible status"))?,
        completed_at,
        version,
    })
}

/// The owning team's slug, for the permission check before the write.
pub async fn team_of(pool: &PgPool, id: i64) -> Result<String, AppError> {
    sqlx::query_scalar(
        "SELECT t.slug FROM action_item a JOIN team t ON t.id = a.team_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| not_found(id))
}

pub async fn update(
    db: &mut PgConnection,
    id: i64,
    a: &ActionInput,
    done: Option<DateTime<Utc>>,
) -> Result<(), AppError> {
    let (team, owner, service) = resolve(db, a).await?;
    sqlx::query(
        "UPDATE action_item SET title = $2, kind = $3, priority = $4, team_id = $5, owner_id = $6, service_id = $7, \
            due_on = $8, status = $9, wont_do_reason = $10, url = $11, completed_at = $12, updated_at = now() \
         WHERE id = $1",
    )
    .bind(id)
    .bind(&a.title)
    .bind(a.kind.as_str())
    .bind(i16::from(a.priority.number()))
    .bind(team)
    .bind(owner)
    .bind(service)
    .bind(a.due_on)
    .bind(a.status.as_str())
    .bind(&a.wont_do_reason)
    .bind(&a.url)
    .bind(done)
    .execute(&mut *db)
    .await?;
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Skip {
    Nothing,
    Priority,
}

fn push_filters(
    qb: &mut QueryBuilder<'_, Postgres>,
    q: &ActionListQuery,
    me_id: i64,
    today: NaiveDate,
    skip: Skip,
) {
    if q.closed {
        qb.push(" WHERE TRUE");
    } else {
        qb.push(" WHERE a.status IN ('open', 'in_progress')");
    }
    if let Some(t) = &q.team {
        qb.push(" AND a.team_id = (SELECT id FROM team WHERE slug = ");
        qb.push_bind(t.clone());
        qb.push(")");
    }
    if let Some(s) = &q.service {
        qb.push(" AND a.service_id = (SELECT id FROM service WHERE slug = ");
        qb.push_bind(s.clone());
        qb.push(")");
    }
    if let (Some(p), false) = (q.priority, skip == Skip::Priority) {
        qb.push(" AND a.priority = ");
        qb.push_bind(i16::from(p.number()));
    }
    if q.overdue {
        qb.push(" AND a.status IN ('open', 'in_progress') AND a.due_on < ");
        qb.push_bind(today);
    }
    if q.mine {
        qb.push(" AND a.owner_id = ");
        qb.push_bind(me_id);
    }
}

/// `list`, from the cache when nothing it shows changed since (see `cache::ActionsKey`).
pub async fn list_cached(
    pool: &PgPool,
    cache: &super::cache::ReadCache,
    q: &ActionListQuery,
    me_id: i64,
    now: DateTime<Utc>,
) -> Result<ActionPage, AppError> {
    let (learning, facets) = super::cache::learning_generations(pool).await?;
    let key = (
        (
            q.clone(),
            if q.mine { me_id } else { 0 },
            today(pool, now).await?,
        ),
        facets,
    );
    cache
        .actions
        .get_or_compute(&key, learning, || list(pool, q, me_id, now))
        .await
}

/// A page of items (overdue first, then by priority and due day) with counts by priority and
/// the number overdue, each with the other filters applied.
pub async fn list(
    pool: &PgPool,
    q: &ActionListQuery,
    me_id: i64,
    now: DateTime<Utc>,
) -> Result<ActionPage, AppError> {
    let today = today(pool, now).await?;
    let rows = async {
        let mut qb = QueryBuilder::new(SELECT);
        push_filters(&mut qb, q, me_id, today, Skip::Nothing);
        qb.push(" ORDER BY (a.status IN ('open', 'in_progress') AND a.due_on IS NOT NULL AND a.due_on < ");
        qb.push_bind(today);
        qb.push(format_args!(
            ") DESC, a.priority, a.due_on NULLS LAST, a.id LIMIT {} OFFSET {}",
            PER_PAGE,
            q.offset()
        ));
        let found: Vec<Row> = qb.build_query_as().fetch_all(pool).await?;
        found
            .into_iter()
            .map(|r| item(r, today))
            .collect::<Result<Vec<_>, AppError>>()
    };
    let counts = async {
        let mut qb = QueryBuilder::new("SELECT a.priority, count(*), count(*) FILTER (WHERE a.status IN ('open', 'in_progress') AND a.due_on < ");
        qb.push_bind(today);
        qb.push(") FROM action_item a");
        push_filters(&mut qb, q, me_id, today, Skip::Priority);
        qb.push(" GROUP BY 1");
        let c: Vec<(i16, i64, i64)> = qb.build_query_as().fetch_all(pool).await?;
        Ok::<_, AppError>(c)
    };
    let (rows, counts) = tokio::try_join!(rows, counts)?;
    let priorities: Vec<FacetValue> = Priority::ALL
        .iter()
        .map(|p| FacetValue {
            value: p.number().to_string(),
            label: p.label(),
            count: counts
                .iter()
                .find(|(n, _, _)| *n == i16::from(p.number()))
                .map_or(0, |c| c.1),
        })
        .collect();
    let selected = |n: i16| q.priority.is_none_or(|p| i16::from(p.number()) == n);
    let total = counts.iter().filter(|c| selected(c.0)).map(|c| c.1).sum();
    let overdue = counts.iter().filter(|c| selected(c.0)).map(|c| c.2).sum();
    Ok(ActionPage {
        rows,
        total,
        priorities,
        overdue,
    })
}

/// The open items of a service or a team, overdue first (for their pages), at most `limit`.
pub async fn open_for(
    pool: &PgPool,
    service: Option<&str>,
    team: Option<&str>,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<(Vec<ActionItem>, i64), AppError> {
    let q = ActionListQuery {
        service: service.map(str::to_string),
        team: team.map(str::to_string),
        page: 1,
        ..Default::default()
    };
    let mut page = list(pool, &q, 0, now).await?;
    page.rows.truncate(limit as usize);
    Ok((page.rows, page.total))
}

/// The overdue P0 and P1 items across the organisation, most urgent first (the overview).
pub async fn overdue_urgent(
    pool: &PgPool,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<Vec<ActionItem>, AppError> {
    let today = today(pool, now).await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "{SELECT} WHERE a.status IN ('open', 'in_progress') AND a.due_on < $1 AND a.priority <= 1 \
         ORDER BY a.priority, a.due_on, a.id LIMIT $2"
    ))
    .bind(today)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(|r| item(r, today)).collect()
}
