//! What an import compares against, and the catalog as Backstage YAML. Each read is one query
//! per table over all the slugs at once (no query per service).
use std::collections::BTreeMap;

use chrono::NaiveDate;
use sqlx::{PgConnection, PgPool};

use crate::domain::backstage::{render_service, render_team, ExportService, ExportTeam, Options};
use crate::domain::dependency::DependencyKind;
use crate::domain::import_plan::{Current, CurrentLink, CurrentService};
use crate::domain::link::LinkKind;
use crate::domain::service::ServiceInput;
use crate::domain::team::Team;
use crate::error::AppError;

use super::rows::{lifecycle, tier, TeamRow, TEAM_COLUMNS};

#[derive(sqlx::FromRow)]
struct ServiceRow {
    id: i64,
    slug: String,
    name: String,
    description: String,
    tier: i16,
    lifecycle: String,
    owner: Option<String>,
    tags: Vec<String>,
    version: i64,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    service_id: i64,
    id: i64,
    kind: String,
    title: String,
    url: String,
    last_reviewed_on: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct EdgeRow {
    service_id: i64,
    target: String,
    kind: String,
}

const SERVICE_COLUMNS: &str = "s.id, s.slug, s.name, s.description, s.tier, s.lifecycle, \
     t.slug AS owner, s.tags, s.version";

const SERVICES_FROM: &str = "FROM service s LEFT JOIN team t ON t.id = s.owner_team_id";

async fn services_by_slug(
    db: &mut PgConnection,
    slugs: &[String],
) -> Result<Vec<(ServiceRow, Vec<LinkRow>, Vec<EdgeRow>)>, AppError> {
    let rows: Vec<ServiceRow> = sqlx::query_as(&format!(
        "SELECT {SERVICE_COLUMNS} {SERVICES_FROM} WHERE s.slug = ANY($1) ORDER BY s.slug"
    ))
    .bind(slugs)
    .fetch_all(&mut *db)
    .await?;
    with_links_and_edges(db, rows).await
}

/// One page of services in slug order, after `after`.
async fn services_after(
    db: &mut PgConnection,
    after: &str,
    limit: i64,
) -> Result<Vec<(ServiceRow, Vec<LinkRow>, Vec<EdgeRow>)>, AppError> {
    let rows: Vec<ServiceRow> = sqlx::query_as(&format!(
        "SELECT {SERVICE_COLUMNS} {SERVICES_FROM} WHERE s.slug > $1 ORDER BY s.slug LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *db)
    .await?;
    with_links_and_edges(db, rows).await
}

/// The links and dependencies of `rows`, in one query each.
async fn with_links_and_edges(
    db: &mut PgConnection,
    rows: Vec<ServiceRow>,
) -> Result<Vec<(ServiceRow, Vec<LinkRow>, Vec<EdgeRow>)>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let links: Vec<LinkRow> = sqlx::query_as(
        "SELECT service_id, id, kind, title, url, last_reviewed_on FROM service_link \
         WHERE service_id = ANY($1) ORDER BY service_id, id",
    )
    .bind(&ids)
    .fetch_all(&mut *db)
    .await?;
    let edges: Vec<EdgeRow> = sqlx::query_as(
        "SELECT d.service_id, b.slug AS target, d.kind FROM service_dependency d \
         JOIN service b ON b.id = d.depends_on_id WHERE d.service_id = ANY($1) ORDER BY d.service_id, b.slug",
    )
    .bind(&ids)
    .fetch_all(&mut *db)
    .await?;
    let mut links_of: BTreeMap<i64, Vec<LinkRow>> = BTreeMap::new();
    for l in links {
        links_of.entry(l.service_id).or_default().push(l);
    }
    let mut edges_of: BTreeMap<i64, Vec<EdgeRow>> = BTreeMap::new();
    for e in edges {
        edges_of.entry(e.service_id).or_default().push(e);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let l = links_of.remove(&r.id).unwrap_or_default();
            let e = edges_of.remove(&r.id).unwrap_or_default();
            (r, l, e)
        })
        .collect())
}

/// The teams and services an import names, as they are now (`slugs` from `import_plan::wanted`).
pub async fn current(
    db: &mut PgConnection,
    team_slugs: &[String],
    service_slugs: &[String],
    defined: &[String],
) -> Result<Current, AppError> {
    let teams: Vec<TeamRow> = sqlx::query_as(&format!(
        "SELECT {TEAM_COLUMNS} FROM team WHERE slug = ANY($1)"
    ))
    .bind(team_slugs)
    .fetch_all(&mut *db)
    .await?;
    let mut out = Current::default();
    for t in teams {
        let t = Team::from(t);
        out.teams.insert(t.slug.clone(), t);
    }
    let found = services_by_slug(db, service_slugs).await?;
    for (r, links, edges) in found {
        if !defined.contains(&r.slug) {
            // Only a dependency target: whether it exists is all the planner needs.
            out.other_services.insert(r.slug);
            continue;
        }
        let service = current_service(r, links, edges)?;
        out.services.insert(service.input.slug.clone(), service);
    }
    Ok(out)
}

fn current_service(
    r: ServiceRow,
    links: Vec<LinkRow>,
    edges: Vec<EdgeRow>,
) -> Result<CurrentService, AppError> {
    let links = links
        .into_iter()
        .map(|l| {
            Ok(CurrentLink {
                id: l.id,
                kind: LinkKind::parse(&l.kind)
                    .ok_or_else(|| AppError::internal(format!("unknown link kind {}", l.kind)))?,
                title: l.title,
                url: l.url,
                last_reviewed_on: l.last_reviewed_on,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let depends_on = edges
        .into_iter()
        .map(|e| {
            let kind = DependencyKind::parse(&e.kind)
                .ok_or_else(|| AppError::internal(format!("unknown dependency kind {}", e.kind)))?;
            Ok((e.target, kind))
        })
        .collect::<Result<BTreeMap<_, _>, AppError>>()?;
    Ok(CurrentService {
        input: ServiceInput {
            tier: tier(r.tier)?,
            lifecycle: lifecycle(&r.lifecycle)?,
            slug: r.slug,
            name: r.name,
            description: r.description,
            owner: r.owner,
            tags: r.tags,
        },
        version: r.version,
        links,
        depends_on,
    })
}

/// How many teams or services one export query reads.
const EXPORT_PAGE: i64 = 500;

/// The whole catalog as Backstage YAML: teams, then services, each in slug order, read a page
/// at a time (so memory per query stays bounded however large the catalog).
pub async fn export(pool: &PgPool, opts: &Options) -> Result<String, AppError> {
    let mut db = pool.acquire().await?;
    let mut out = String::from(
        "# The reliability portal's catalog as Backstage descriptors; `server import` reads it back.\n",
    );
    let mut after = String::new();
    loop {
        let teams: Vec<TeamRow> = sqlx::query_as(&format!(
            "SELECT {TEAM_COLUMNS} FROM team WHERE slug > $1 ORDER BY slug LIMIT $2"
        ))
        .bind(&after)
        .bind(EXPORT_PAGE)
        .fetch_all(&mut *db)
        .await?;
        let Some(last) = teams.last() else { break };
        after = last.slug.clone();
        for t in teams {
            let t = Team::from(t);
            out.push_str(&render_team(&ExportTeam {
                slug: &t.slug,
                name: &t.name,
                description: &t.description,
                email: &t.email,
                chat_channel: &t.chat_channel,
                oncall_url: &t.oncall_url,
                escalation_policy: &t.escalation_policy,
            }));
        }
    }
    let mut after = String::new();
    loop {
        let page = services_after(&mut db, &after, EXPORT_PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.0.slug.clone();
        for (r, links, edges) in page {
            let s = current_service(r, links, edges)?;
            let links = s
                .links
                .iter()
                .map(|l| {
                    let reviewed = l.last_reviewed_on.map(|d| d.format("%Y-%m-%d").to_string());
                    (l.kind.as_str(), l.title.as_str(), l.url.as_str(), reviewed)
                })
                .collect();
            let depends_on = s
                .depends_on
                .iter()
                .map(|(t, k)| (t.as_str(), k.as_str()))
                .collect();
            out.push_str(&render_service(
                &ExportService {
                    slug: &s.input.slug,
                    name: &s.input.name,
                    description: &s.input.description,
                    tier: s.input.tier.number(),
                    lifecycle: s.input.lifecycle.as_str(),
                    owner: s.input.owner.as_deref(),
                    tags: &s.input.tags,
                    links,
                    depends_on,
                },
                opts,
            ));
        }
    }
    Ok(out)
}
