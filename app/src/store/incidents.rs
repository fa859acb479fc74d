//! Incidents: one row each, its affected services as an array of ids (see migration 0013).
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};

use crate::domain::catalog::FacetValue;
use crate::domain::incident::{IncidentInput, IncidentStatus, Milestones, Severity};
use crate::domain::incident_list::{
    AffectedService, Incident, IncidentFacets, IncidentListQuery, IncidentPage, IncidentRow,
    StatusFilter, PER_PAGE,
};
use crate::domain::postmortem::PostmortemStatus;
use crate::domain::tier::Tier;
use crate::domain::validation::FieldErrors;
use crate::error::AppError;

/// The affected services by slug, with their owning teams; an unknown slug is a field error.
pub async fn resolve_services(
    db: &mut PgConnection,
    slugs: &[String],
) -> Result<Vec<(i64, Option<String>)>, AppError> {
    let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT s.id, s.slug, t.slug FROM service s LEFT JOIN team t ON t.id = s.owner_team_id \
         WHERE s.slug = ANY($1)",
    )
    .bind(slugs)
    .fetch_all(&mut *db)
    .await?;
    let missing: Vec<&str> = slugs
        .iter()
        .filter(|s| !rows.iter().any(|(_, slug, _)| slug == *s))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(FieldErrors::single(
            "services",
            format!("Not in the catalog: {}.", missing.join(", ")),
        )
        .into());
    }
    Ok(rows.into_iter().map(|(id, _, team)| (id, team)).collect())
}

/// The commander by email; someone who has never signed in is a field error.
pub async fn commander_id(
    db: &mut PgConnection,
    email: Option<&str>,
) -> Result<Option<i64>, AppError> {
    let Some(email) = email else { return Ok(None) };
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM app_user WHERE lower(email) = $1 AND disabled_at IS NULL ORDER BY id LIMIT 1",
    )
    .bind(email)
    .fetch_optional(&mut *db)
    .await?;
    id.map(Some).ok_or_else(|| {
        FieldErrors::single(
            "commander",
            "No one with this email has signed in to the portal (or they are disabled).",
        )
        .into()
    })
}

fn times(m: &Milestones) -> [Option<DateTime<Utc>>; 5] {
    m.all()
}

pub async fn create(
    db: &mut PgConnection,
    i: &IncidentInput,
    service_ids: &[i64],
    commander: Option<i64>,
) -> Result<i64, AppError> {
    let t = times(&i.milestones);
    Ok(sqlx::query_scalar(
        "INSERT INTO incident (title, severity, status, summary, commander_id, service_ids, \
         started_at, detected_at, acknowledged_at, mitigated_at, resolved_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(&i.title)
    .bind(i.severity.number())
    .bind(i.status.as_str())
    .bind(&i.summary)
    .bind(commander)
    .bind(service_ids)
    .bind(t[0])
    .bind(t[1])
    .bind(t[2])
    .bind(t[3])
    .bind(t[4])
    .fetch_one(&mut *db)
    .await?)
}

/// Updates an incident; with `expected_version`, one changed since is refused (409) naming who
/// changed it.
pub async fn update(
    db: &mut PgConnection,
    id: i64,
    i: &IncidentInput,
    service_ids: &[i64],
    commander: Option<i64>,
    expected_version: Option<i64>,
) -> Result<(), AppError> {
    let t = times(&i.milestones);
    let done = sqlx::query(
        "UPDATE incident SET title = $2, severity = $3, status = $4, summary = $5, commander_id = $6, \
         service_ids = $7, started_at = $8, detected_at = $9, acknowledged_at = $10, \
         mitigated_at = $11, resolved_at = $12, updated_at = now() \
         WHERE id = $1 AND ($13::bigint IS NULL OR version = $13)",
    )
    .bind(id)
    .bind(&i.title)
    .bind(i.severity.number())
    .bind(i.status.as_str())
    .bind(&i.summary)
    .bind(commander)
    .bind(service_ids)
    .bind(t[0])
    .bind(t[1])
    .bind(t[2])
    .bind(t[3])
    .bind(t[4])
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    Err(
        super::audit::changed_since(db, "incident", "id", "incident", id)
            .await?
            .unwrap_or_else(|| not_found(id)),
    )
}

pub fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("incident #{id}"))
}

type IncidentDbRow = (
    i64,
    String,
    i16,
    String,
    String,
    Option<String>,
    Option<String>,
    [Option<DateTime<Utc>>; 5],
    i64,
    DateTime<Utc>,
);

fn severity(n: i16) -> Result<Severity, AppError> {
    Severity::from_number(n)
        .ok_or_else(|| AppError::internal("stored incident has an impossible severity"))
}

fn status(s: &str) -> Result<IncidentStatus, AppError> {
    IncidentStatus::parse(s)
        .ok_or_else(|| AppError::internal("stored incident has an impossible status"))
}

/// One incident with its services (by name) and commander.
pub async fn get(pool: &PgPool, id: i64) -> Result<Incident, AppError> {
    use sqlx::Row;
    let row = sqlx::query(
        "SELECT i.id, i.title, i.severity, i.status, i.summary, u.name, u.email, i.started_at, \
         i.detected_at, i.acknowledged_at, i.mitigated_at, i.resolved_at, i.version, i.updated_at, \
         i.service_ids FROM incident i LEFT JOIN app_user u ON u.id = i.commander_id WHERE i.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| not_found(id))?;
    let ids: Vec<i64> = row.try_get("service_ids")?;
    let services: Vec<(String, String, i16, Option<String>)> = sqlx::query_as(
        "SELECT s.slug, s.name, s.tier, t.slug FROM service s LEFT JOIN team t ON t.id = s.owner_team_id \
         WHERE s.id = ANY($1) ORDER BY lower(s.name), s.id",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    let r: IncidentDbRow = (
        row.try_get(0)?,
        row.try_get(1)?,
        row.try_get(2)?,
        row.try_get(3)?,
        row.try_get(4)?,
        row.try_get(5)?,
        row.try_get(6)?,
        [
            row.try_get(7)?,
            row.try_get(8)?,
            row.try_get(9)?,
            row.try_get(10)?,
            row.try_get(11)?,
        ],
        row.try_get(12)?,
        row.try_get(13)?,
    );
    Ok(Incident {
        id: r.0,
        title: r.1,
        severity: severity(r.2)?,
        status: status(&r.3)?,
        summary: r.4,
        commander: r.5.zip(r.6),
        services: services
            .into_iter()
            .map(
                |(slug, name, tier, team)| -> Result<AffectedService, AppError> {
                    Ok(AffectedService {
                        slug,
                        name,
                        tier: Tier::new(u8::try_from(tier).unwrap_or(u8::MAX)).ok_or_else(
                            || AppError::internal("stored service has an impossible tier"),
                        )?,
                        team,
                    })
                },
            )
            .collect::<Result<Vec<_>, _>>()?,
        milestones: Milestones {
            started: r.7[0],
            detected: r.7[1],
            acknowledged: r.7[2],
            mitigated: r.7[3],
            resolved: r.7[4],
        },
        version: r.8,
        updated_at: r.9,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Skip {
    Nothing,
    Severity,
    Status,
    Learning,
}

fn push_filters(qb: &mut QueryBuilder<'_, Postgres>, q: &IncidentListQuery, skip: Skip) {
    qb.push(" WHERE TRUE");
    if let (Some(s), false) = (q.severity, skip == Skip::Severity) {
        qb.push(" AND i.severity = ");
        qb.push_bind(s.number());
    }
    match (q.status, skip == Skip::Status) {
        (Some(StatusFilter::Open), false) => {
            qb.push(" AND i.status <> 'resolved'");
        }
        (Some(StatusFilter::Is(s)), false) => {
            qb.push(" AND i.status = ");
            qb.push_bind(s.as_str());
        }
        _ => {}
    }
    if let Some(s) = &q.service {
        qb.push(" AND i.service_ids @> ARRAY[(SELECT id FROM service WHERE slug = ");
        qb.push_bind(s.clone());
        qb.push(")]::bigint[]");
    }
    // Overlap with the services of a team or tier: one GIN-indexed test per incident.
    if let Some(t) = &q.team {
        qb.push(" AND i.service_ids && ARRAY(SELECT s.id FROM service s JOIN team t ON t.id = s.owner_team_id WHERE t.slug = ");
        qb.push_bind(t.clone());
        qb.push(")");
    }
    if let Some(t) = q.tier {
        qb.push(" AND i.service_ids && ARRAY(SELECT id FROM service WHERE tier = ");
        qb.push_bind(i16::from(t.number()));
        qb.push(")");
    }
    if let (Some(has), false) = (q.postmortem, skip == Skip::Learning) {
        qb.push(if has { " AND " } else { " AND NOT " });
        qb.push("EXISTS (SELECT 1 FROM postmortem p WHERE p.incident_id = i.id)");
    }
    if q.repeat && skip != Skip::Learning {
        qb.push(" AND ");
        qb.push(REPEAT);
    }
    if let Some(d) = q.from {
        qb.push(" AND i.started_at >= ");
        qb.push_bind(d);
        qb.push("::date");
    }
    if let Some(d) = q.to {
        qb.push(" AND i.started_at < ");
        qb.push_bind(d);
        qb.push("::date + 1");
    }
}

/// An incident repeats an earlier one (migration 0016 keeps `repeat_of_id` by the rule of
/// `domain::postmortem::repeat_of`).
const REPEAT: &str = "i.repeat_of_id IS NOT NULL";

async fn facet(
    pool: &PgPool,
    q: &IncidentListQuery,
    column: &str,
    skip: Skip,
) -> Result<Vec<(String, i64)>, AppError> {
    let mut qb = QueryBuilder::new(format!("SELECT {column}::text, count(*) FROM incident i"));
    push_filters(&mut qb, q, skip);
    qb.push(" GROUP BY 1");
    Ok(qb.build_query_as().fetch_all(pool).await?)
}

/// With and without a postmortem, and repeats, with the other filters applied: one scan.
async fn learning_counts(
    pool: &PgPool,
    q: &IncidentListQuery,
) -> Result<Vec<FacetValue>, AppError> {
    let mut qb = QueryBuilder::new(format!(
        "SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM postmortem p WHERE p.incident_id = i.id)), \
                count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM postmortem p WHERE p.incident_id = i.id)), \
                count(*) FILTER (WHERE {REPEAT}) FROM incident i"
    ));
    push_filters(&mut qb, q, Skip::Learning);
    let (has, lacks, repeats): (i64, i64, i64) = qb.build_query_as().fetch_one(pool).await?;
    Ok(vec![
        FacetValue {
            value: "has".into(),
            label: "Has a postmortem".into(),
            count: has,
        },
        FacetValue {
            value: "lacks".into(),
            label: "No postmortem".into(),
            count: lacks,
        },
        FacetValue {
            value: "repeat".into(),
            label: "Repeats".into(),
            count: repeats,
        },
    ])
}

const ROW_SELECT: &str =
    "SELECT i.id, i.title, i.severity, i.status, i.started_at, i.resolved_at, \
    ARRAY(SELECT s.slug FROM service s WHERE s.id = ANY(i.service_ids) ORDER BY lower(s.name)), \
    (SELECT p.status FROM postmortem p WHERE p.incident_id = i.id), i.repeat_of_id IS NOT NULL \
    FROM incident i";

type Row = (
    i64,
    String,
    i16,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Vec<String>,
    Option<String>,
    bool,
);

async fn rows(
    pool: &PgPool,
    q: &IncidentListQuery,
    limit: i64,
    offset: i64,
) -> Result<Vec<IncidentRow>, AppError> {
    let mut qb = QueryBuilder::new(ROW_SELECT);
    push_filters(&mut qb, q, Skip::Nothing);
    qb.push(format_args!(
        " ORDER BY i.started_at DESC, i.id DESC LIMIT {limit} OFFSET {offset}"
    ));
    let found: Vec<Row> = qb.build_query_as().fetch_all(pool).await?;
    found
        .into_iter()
        .map(|r| {
            Ok(IncidentRow {
                id: r.0,
                title: r.1,
                severity: severity(r.2)?,
                status: status(&r.3)?,
                started_at: r.4,
                resolved_at: r.5,
                services: r.6,
                postmortem: r.7.as_deref().and_then(PostmortemStatus::parse),
                repeat: r.8,
            })
        })
        .collect()
}

/// `list`, from the cache when nothing the list shows has changed since: the key holds the
/// facet generation (services' tiers, owners, slugs and names), the entry the learning
/// generation (incidents, postmortems, people's names), both read before the data.
pub async fn list_cached(
    pool: &PgPool,
    cache: &super::cache::ReadCache,
    q: &IncidentListQuery,
) -> Result<IncidentPage, AppError> {
    let (learning, facets) = super::cache::learning_generations(pool).await?;
    cache
        .incidents
        .get_or_compute(&(q.clone(), facets), learning, || list(pool, q))
        .await
}

/// A page of incidents, newest first, with severity and status counts (each counted with the
/// other filters applied).
pub async fn list(pool: &PgPool, q: &IncidentListQuery) -> Result<IncidentPage, AppError> {
    let (rows, severities, statuses, learning) = tokio::try_join!(
        rows(pool, q, i64::from(PER_PAGE), q.offset()),
        facet(pool, q, "i.severity", Skip::Severity),
        facet(pool, q, "i.status", Skip::Status),
        learning_counts(pool, q),
    )?;
    let count =
        |list: &[(String, i64)], v: &str| list.iter().find(|(k, _)| k == v).map_or(0, |(_, n)| *n);
    let severities_f: Vec<FacetValue> = Severity::ALL
        .iter()
        .map(|s| FacetValue {
            value: s.number().to_string(),
            label: s.label().to_string(),
            count: count(&severities, &s.number().to_string()),
        })
        .collect();
    let open: i64 = statuses
        .iter()
        .filter(|(k, _)| k != "resolved")
        .map(|(_, n)| n)
        .sum();
    let mut statuses_f = vec![FacetValue {
        value: "open".into(),
        label: "Open (not resolved)".into(),
        count: open,
    }];
    statuses_f.extend(IncidentStatus::ALL.iter().map(|s| FacetValue {
        value: s.as_str().to_string(),
        label: s.label().to_string(),
        count: count(&statuses, s.as_str()),
    }));
    let total = match q.status {
        None => statuses.iter().map(|(_, n)| n).sum(),
        Some(StatusFilter::Open) => open,
        Some(StatusFilter::Is(s)) => count(&statuses, s.as_str()),
    };
    Ok(IncidentPage {
        rows,
        total,
        facets: IncidentFacets {
            severities: severities_f,
            statuses: statuses_f,
            learning,
        },
    })
}

/// The most recent incidents of a service (or of a team's services), newest first.
pub async fn recent(
    pool: &PgPool,
    service: Option<&str>,
    team: Option<&str>,
    limit: i64,
) -> Result<Vec<IncidentRow>, AppError> {
    let q = IncidentListQuery {
        service: service.map(str::to_string),
        team: team.map(str::to_string),
        page: 1,
        ..Default::default()
    };
    rows(pool, &q, limit.clamp(1, 50), 0).await
}

/// The owning teams of an incident's services, for the permission check.
pub async fn teams_of(pool: &PgPool, id: i64) -> Result<Vec<Option<String>>, AppError> {
    let found: Option<Vec<Option<String>>> = sqlx::query_scalar(
        "SELECT ARRAY(SELECT t.slug FROM service s LEFT JOIN team t ON t.id = s.owner_team_id \
                      WHERE s.id = ANY(i.service_ids)) FROM incident i WHERE i.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    found.ok_or_else(|| not_found(id))
}
