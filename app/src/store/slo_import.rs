//! OpenSLO import and export: what the portal holds of the SLOs a file names, and SLOs to write.
use sqlx::{PgConnection, PgPool};

use crate::domain::openslo_plan::{Current, CurrentSlo};
use crate::domain::slo_view::Slo;
use crate::error::AppError;

use super::slos::{SloRow, SELECT};

/// SLOs one export writes at most (a hundred times the SLOs of the benchmark's organisation
/// would still fit; beyond that, export per service).
pub const EXPORT_MAX: i64 = 10_000;

/// The services named (with their owners) and the SLOs named that exist, in one snapshot.
pub async fn current(
    db: &mut PgConnection,
    services: &[String],
    keys: &[(String, String)],
) -> Result<Current, AppError> {
    let owners: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT s.slug, t.slug FROM service s LEFT JOIN team t ON t.id = s.owner_team_id \
         WHERE s.slug = ANY($1)",
    )
    .bind(services)
    .fetch_all(&mut *db)
    .await?;
    let (svc, slo): (Vec<String>, Vec<String>) = keys.iter().cloned().unzip();
    let rows: Vec<SloRow> = sqlx::query_as(&format!(
        "{SELECT} JOIN unnest($1::text[], $2::text[]) AS k(service, slo) \
         ON k.service = s.slug AND k.slo = o.slug"
    ))
    .bind(&svc)
    .bind(&slo)
    .fetch_all(&mut *db)
    .await?;
    let mut current = Current {
        services: owners.into_iter().collect(),
        ..Current::default()
    };
    for r in rows {
        let (s, _) = r.into_domain()?;
        current.slos.insert(
            (s.service.clone(), s.input.slug.clone()),
            CurrentSlo {
                input: s.input,
                version: s.version,
            },
        );
    }
    Ok(current)
}

/// SLOs to export: one service's, or everyone's, by service and slug.
pub async fn export(pool: &PgPool, service: Option<&str>) -> Result<Vec<Slo>, AppError> {
    let rows: Vec<SloRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE ($1::text IS NULL OR s.slug = $1) ORDER BY s.slug, o.slug LIMIT $2"
    ))
    .bind(service)
    .bind(EXPORT_MAX)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| r.into_domain().map(|(s, _)| s))
        .collect()
}
