//! Postmortems, their timelines and revisions, the settings their deadlines run on, the
//! deadline each incident owes, repeats, and search (migration 0015).
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};

use crate::domain::access::{Me, Permission};
use crate::domain::incident::{parse_zone, Severity};
use crate::domain::postmortem::{
    deadline, postmortem_due_on, PostmortemForm, PostmortemStatus, SeverityPolicy, TimelineInput,
    TimelineKind, TIMELINE_MAX,
};
use crate::domain::postmortem_view::{
    Learning, LearningSettings, OverduePostmortem, Postmortem, RelatedIncident, Revision,
    SearchHit, TimelineEntry,
};
use crate::error::AppError;

pub async fn settings(db: &mut PgConnection) -> Result<LearningSettings, AppError> {
    let (zone, repeat_window_days): (String, i16) =
        sqlx::query_as("SELECT zone, repeat_window_days FROM learning_settings")
            .fetch_one(&mut *db)
            .await?;
    let policies: Vec<(i16, bool, i16)> = sqlx::query_as(
        "SELECT severity, required, due_business_days FROM postmortem_policy ORDER BY severity",
    )
    .fetch_all(&mut *db)
    .await?;
    let holidays: Vec<(NaiveDate, String)> =
        sqlx::query_as("SELECT day, name FROM holiday ORDER BY day LIMIT 500")
            .fetch_all(&mut *db)
            .await?;
    let categories = categories(&mut *db).await?;
    Ok(LearningSettings {
        zone,
        repeat_window_days,
        policies: policies
            .into_iter()
            .filter_map(|(s, required, due_business_days)| {
                Some(SeverityPolicy {
                    severity: Severity::from_number(s)?,
                    required,
                    due_business_days,
                })
            })
            .collect(),
        holidays,
        categories,
    })
}

pub async fn categories(db: impl sqlx::PgExecutor<'_>) -> Result<Vec<(String, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT slug, name FROM root_cause_category ORDER BY position, slug LIMIT 50",
    )
    .fetch_all(db)
    .await?)
}

/// The organisation's zone (UTC if the stored one no longer parses).
pub fn zone_of(s: &LearningSettings) -> chrono_tz::Tz {
    parse_zone(&s.zone).unwrap_or(chrono_tz::UTC)
}

fn holiday_days(s: &LearningSettings) -> Vec<NaiveDate> {
    s.holidays.iter().map(|(d, _)| *d).collect()
}

/// An incident's id, severity, resolution and strictest affected tier's postmortem days.
type DueFacts = (i64, i16, Option<DateTime<Utc>>, Option<i16>);

/// Derives `incident.postmortem_due_on` again, for one incident or (None) every resolved one:
/// after an incident changes, and after the settings change. One read, one batched write.
pub async fn refresh_due(db: &mut PgConnection, only: Option<i64>) -> Result<(), AppError> {
    let s = settings(&mut *db).await?;
    let zone = zone_of(&s);
    let holidays = holiday_days(&s);
    let facts: Vec<DueFacts> = sqlx::query_as(
        "SELECT i.id, i.severity, i.resolved_at, \
                (SELECT min(p.postmortem_due_days) FROM service sv JOIN tier_policy p ON p.tier = sv.tier \
                  WHERE sv.id = ANY(i.service_ids)) \
         FROM incident i WHERE ($1::bigint IS NULL OR i.id = $1) \
           AND (i.resolved_at IS NOT NULL OR i.postmortem_due_on IS NOT NULL)",
    )
    .bind(only)
    .fetch_all(&mut *db)
    .await?;
    let mut ids = Vec::with_capacity(facts.len());
    let mut days: Vec<Option<NaiveDate>> = Vec::with_capacity(facts.len());
    for (id, sev, resolved, tier_days) in facts {
        let policy = Severity::from_number(sev)
            .and_then(|sev| s.policies.iter().find(|p| p.severity == sev))
            .copied();
        ids.push(id);
        days.push(policy.and_then(|p| postmortem_due_on(resolved, &p, tier_days, zone, &holidays)));
    }
    sqlx::query(
        "UPDATE incident i SET postmortem_due_on = v.due FROM unnest($1::bigint[], $2::date[]) AS v(id, due) \
         WHERE i.id = v.id AND i.postmortem_due_on IS DISTINCT FROM v.due",
    )
    .bind(&ids)
    .bind(&days)
    .execute(&mut *db)
    .await?;
    Ok(())
}

type PmRow = (
    String,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    [String; 10],
    String,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    i64,
    DateTime<Utc>,
);

async fn postmortem_row(db: &PgPool, incident_id: i64) -> Result<Option<Postmortem>, AppError> {
    use sqlx::Row;
    let Some(r) = sqlx::query(
        "SELECT p.status, p.author_id, p.author_label, p.approver_label, p.root_cause, c.name, \
                p.summary, p.impact, p.root_causes, p.trigger, p.detection, p.resolution, \
                p.contributing_factors, p.went_well, p.went_wrong, p.got_lucky, p.no_action_reason, \
                p.submitted_at, p.published_at, p.version, p.updated_at \
         FROM postmortem p LEFT JOIN root_cause_category c ON c.slug = p.root_cause \
         WHERE p.incident_id = $1",
    )
    .bind(incident_id)
    .fetch_optional(db)
    .await?
    else {
        return Ok(None);
    };
    let mut sections: [String; 10] = Default::default();
    for (i, s) in sections.iter_mut().enumerate() {
        *s = r.try_get(6 + i)?;
    }
    let row: PmRow = (
        r.try_get(0)?,
        r.try_get(1)?,
        r.try_get(2)?,
        r.try_get(3)?,
        r.try_get(4)?,
        r.try_get(5)?,
        sections,
        r.try_get(16)?,
        r.try_get(17)?,
        r.try_get(18)?,
        r.try_get(19)?,
        r.try_get(20)?,
    );
    let [summary, impact, root_causes, trigger, detection, resolution, contributing_factors, went_well, went_wrong, got_lucky] =
        row.6;
    Ok(Some(Postmortem {
        status: PostmortemStatus::parse(&row.0)
            .ok_or_else(|| AppError::internal("stored postmortem has an impossible status"))?,
        author_id: row.1,
        author: row.2,
        approver: row.3,
        content: PostmortemForm {
            summary,
            impact,
            root_causes,
            trigger,
            detection,
            resolution,
            contributing_factors,
            went_well,
            went_wrong,
            got_lucky,
            root_cause: row.4.unwrap_or_default(),
            no_action_reason: row.7,
            version: row.10.to_string(),
        },
        root_cause_name: row.5,
        submitted_at: row.8,
        published_at: row.9,
        version: row.10,
        updated_at: row.11,
    }))
}

/// May `me` read this postmortem as it stands? Published: everyone signed in. Otherwise the
/// affected teams' members and admins.
pub fn may_read(me: &Me, status: PostmortemStatus, teams: &[Option<String>]) -> bool {
    status == PostmortemStatus::Published
        || me.can(&Permission::ReadPostmortemDraft(teams.to_vec()))
}

/// The incident with its postmortem, timeline, revisions, action items, deadline and repeats,
/// as `me` may see them.
pub async fn learning(
    pool: &PgPool,
    id: i64,
    me: &Me,
    now: DateTime<Utc>,
) -> Result<Learning, AppError> {
    let incident = super::incidents::get(pool, id).await?;
    let (pm, s, due_on, actions, related) = tokio::try_join!(
        postmortem_row(pool, id),
        async { settings(&mut *pool.acquire().await?).await },
        async {
            Ok::<Option<NaiveDate>, AppError>(
                sqlx::query_scalar("SELECT postmortem_due_on FROM incident WHERE id = $1")
                    .bind(id)
                    .fetch_one(pool)
                    .await?,
            )
        },
        super::action_items::of_incident(pool, id, now),
        related(pool, id),
    )?;
    let zone = zone_of(&s);
    let holidays = holiday_days(&s);
    let hidden_draft = pm
        .as_ref()
        .is_some_and(|p| !may_read(me, p.status, &incident.teams()));
    let visible = pm.filter(|_| !hidden_draft);
    let (timeline, revisions) = if visible.is_some() {
        tokio::try_join!(timeline(pool, id), revisions(pool, id))?
    } else {
        (Vec::new(), Vec::new())
    };
    let (repeat, repeated_by) = related;
    Ok(Learning {
        deadline: deadline(
            due_on,
            visible.as_ref().and_then(|p| p.published_at),
            now,
            zone,
            &holidays,
        ),
        repeat_of: repeat,
        repeated_by,
        incident,
        postmortem: visible,
        hidden_draft,
        timeline,
        revisions,
        actions,
        due_on,
        categories: s.categories.clone(),
        zone: s.zone.clone(),
    })
}

/// The incident this one repeats, and the incidents that repeat it (migration 0016 keeps
/// `repeat_of_id` by the rule of `domain::postmortem::repeat_of`), in one read.
async fn related(
    pool: &PgPool,
    id: i64,
) -> Result<(Option<RelatedIncident>, Vec<RelatedIncident>), AppError> {
    let rows: Vec<(bool, i64, String, DateTime<Utc>)> = sqlx::query_as(
        "(SELECT TRUE, e.id, e.title, e.started_at FROM incident i JOIN incident e ON e.id = i.repeat_of_id \
          WHERE i.id = $1) \
         UNION ALL \
         (SELECT FALSE, l.id, l.title, l.started_at FROM incident l WHERE l.repeat_of_id = $1 \
          ORDER BY l.started_at, l.id LIMIT 20)",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let mut repeat_of = None;
    let mut repeated_by = Vec::new();
    for (earlier, id, title, started_at) in rows {
        let r = RelatedIncident {
            id,
            title,
            started_at,
        };
        if earlier {
            repeat_of = Some(r);
        } else {
            repeated_by.push(r);
        }
    }
    Ok((repeat_of, repeated_by))
}

async fn timeline(pool: &PgPool, id: i64) -> Result<Vec<TimelineEntry>, AppError> {
    let rows: Vec<(i64, DateTime<Utc>, String, String)> = sqlx::query_as(
        "SELECT id, at, kind, body FROM timeline_entry WHERE incident_id = $1 ORDER BY at, id LIMIT 200",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, at, kind, body)| {
            Ok(TimelineEntry {
                id,
                at,
                kind: TimelineKind::parse(&kind).ok_or_else(|| {
                    AppError::internal("stored timeline entry has an impossible kind")
                })?,
                body,
            })
        })
        .collect()
}

async fn revisions(pool: &PgPool, id: i64) -> Result<Vec<Revision>, AppError> {
    let rows: Vec<(DateTime<Utc>, String, Vec<String>)> = sqlx::query_as(
        "SELECT at, actor_label, fields FROM postmortem_revision WHERE incident_id = $1 ORDER BY id DESC LIMIT 50",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, by, fields)| Revision { at, by, fields })
        .collect())
}

/// Starts the incident's postmortem as a draft by `author`. One per incident: a second start
/// is a conflict.
pub async fn start(
    db: &mut PgConnection,
    incident_id: i64,
    author: Option<i64>,
    label: &str,
) -> Result<(), AppError> {
    let done = sqlx::query(
        "INSERT INTO postmortem (incident_id, author_id, author_label) \
         SELECT id, $2, $3 FROM incident WHERE id = $1 ON CONFLICT (incident_id) DO NOTHING",
    )
    .bind(incident_id)
    .bind(author)
    .bind(super::audit::bounded(label).as_ref())
    .execute(&mut *db)
    .await?;
    if done.rows_affected() == 0 {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM incident WHERE id = $1)")
                .bind(incident_id)
                .fetch_one(&mut *db)
                .await?;
        return Err(if exists {
            AppError::Conflict("This incident has a postmortem already.".into())
        } else {
            super::incidents::not_found(incident_id)
        });
    }
    Ok(())
}

/// The status, author and number of action items, locked for a lifecycle step.
pub async fn lock_for_transition(
    db: &mut PgConnection,
    incident_id: i64,
) -> Result<(PostmortemStatus, Option<i64>, String, i64, String), AppError> {
    let row: Option<(String, Option<i64>, String, i64, String)> = sqlx::query_as(
        "SELECT p.status, p.author_id, p.author_label, \
                (SELECT count(*) FROM action_item a WHERE a.incident_id = p.incident_id), p.no_action_reason \
         FROM postmortem p WHERE p.incident_id = $1 FOR UPDATE",
    )
    .bind(incident_id)
    .fetch_optional(&mut *db)
    .await?;
    let (status, author, label, items, reason) = row.ok_or_else(|| not_found(incident_id))?;
    Ok((
        PostmortemStatus::parse(&status)
            .ok_or_else(|| AppError::internal("stored postmortem has an impossible status"))?,
        author,
        label,
        items,
        reason,
    ))
}

pub fn not_found(incident_id: i64) -> AppError {
    AppError::NotFound(format!("The postmortem of incident #{incident_id}"))
}

/// Moves the lifecycle to `to`; publishing names the approver.
pub async fn set_status(
    db: &mut PgConnection,
    incident_id: i64,
    to: PostmortemStatus,
    approver: Option<(Option<i64>, &str)>,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE postmortem SET status = $2, \
            submitted_at = CASE WHEN $2 = 'in_review' THEN now() ELSE submitted_at END, \
            published_at = CASE WHEN $2 = 'published' THEN now() ELSE NULL END, \
            approver_id = CASE WHEN $2 = 'published' THEN $3 ELSE NULL END, \
            approver_label = CASE WHEN $2 = 'published' THEN $4 ELSE NULL END, \
            updated_at = now() \
         WHERE incident_id = $1",
    )
    .bind(incident_id)
    .bind(to.as_str())
    .bind(approver.and_then(|a| a.0))
    .bind(approver.map(|a| super::audit::bounded(a.1).into_owned()))
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Saves the sections; with `expected_version`, a postmortem changed since is refused (409).
pub async fn save(
    db: &mut PgConnection,
    incident_id: i64,
    f: &PostmortemForm,
    expected_version: Option<i64>,
) -> Result<(), AppError> {
    let done = sqlx::query(
        "UPDATE postmortem SET summary = $2, impact = $3, root_causes = $4, trigger = $5, detection = $6, \
            resolution = $7, contributing_factors = $8, went_well = $9, went_wrong = $10, got_lucky = $11, \
            root_cause = nullif($12, ''), no_action_reason = $13, updated_at = now() \
         WHERE incident_id = $1 AND ($14::bigint IS NULL OR version = $14)",
    )
    .bind(incident_id)
    .bind(&f.summary)
    .bind(&f.impact)
    .bind(&f.root_causes)
    .bind(&f.trigger)
    .bind(&f.detection)
    .bind(&f.resolution)
    .bind(&f.contributing_factors)
    .bind(&f.went_well)
    .bind(&f.went_wrong)
    .bind(&f.got_lucky)
    .bind(&f.root_cause)
    .bind(&f.no_action_reason)
    .bind(expected_version)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    Err(
        super::audit::changed_since(db, "postmortem", "incident_id", "postmortem", incident_id)
            .await?
            .unwrap_or_else(|| not_found(incident_id)),
    )
}

pub async fn add_timeline(
    db: &mut PgConnection,
    incident_id: i64,
    t: &TimelineInput,
) -> Result<(), AppError> {
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM timeline_entry WHERE incident_id = $1")
            .bind(incident_id)
            .fetch_one(&mut *db)
            .await?;
    if count >= TIMELINE_MAX {
        return Err(AppError::Conflict(format!(
            "A timeline holds at most {TIMELINE_MAX} entries; link the full chat log from a section instead."
        )));
    }
    sqlx::query("INSERT INTO timeline_entry (incident_id, at, kind, body) VALUES ($1, $2, $3, $4)")
        .bind(incident_id)
        .bind(t.at)
        .bind(t.kind.as_str())
        .bind(&t.body)
        .execute(&mut *db)
        .await?;
    Ok(())
}

pub async fn delete_timeline(
    db: &mut PgConnection,
    incident_id: i64,
    entry: i64,
) -> Result<(), AppError> {
    let done = sqlx::query("DELETE FROM timeline_entry WHERE incident_id = $1 AND id = $2")
        .bind(incident_id)
        .bind(entry)
        .execute(&mut *db)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound("The timeline entry".into()));
    }
    Ok(())
}

pub const SEARCH_PER_PAGE: i64 = 20;
/// Characters of a search the store looks at; longer is cut (as the catalog's search is).
pub const SEARCH_MAX: usize = 200;

/// Postmortems matching `q` (web-search syntax: words, "phrases", -not, or), best first, with a
/// highlighted snippet. Drafts only for those who may read them, decided in the query.
pub async fn search(
    pool: &PgPool,
    q: &str,
    me: &Me,
    page: u32,
) -> Result<Vec<SearchHit>, AppError> {
    let q: String = q.trim().chars().take(SEARCH_MAX).collect();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let admin = me.role == crate::domain::access::Role::Admin;
    let offset = i64::from(page.clamp(1, 50) - 1) * SEARCH_PER_PAGE;
    let rows: Vec<(i64, String, String, DateTime<Utc>, String, f32)> = sqlx::query_as(
        "WITH q AS (SELECT websearch_to_tsquery('english', $1) AS q), \
         hits AS ( \
           SELECT p.incident_id, i.title, p.status, i.started_at, ts_rank_cd(p.search, q.q) AS rank, \
                  p.summary, p.impact, p.root_causes, p.resolution, q.q \
           FROM postmortem p JOIN incident i ON i.id = p.incident_id, q \
           WHERE p.search @@ q.q \
             AND (p.status = 'published' OR $2 OR EXISTS ( \
                  SELECT 1 FROM service s JOIN team t ON t.id = s.owner_team_id \
                  WHERE s.id = ANY(i.service_ids) AND t.slug = ANY($3))) \
           ORDER BY rank DESC, i.started_at DESC LIMIT $4 OFFSET $5) \
         SELECT incident_id, title, status, started_at, \
                ts_headline('english', title || ' — ' || summary || ' ' || impact || ' ' || root_causes || ' ' || resolution, q, \
                            'StartSel=<mark>, StopSel=</mark>, MaxFragments=2, MaxWords=30, MinWords=10'), rank \
         FROM hits ORDER BY rank DESC, started_at DESC",
    )
    .bind(&q)
    .bind(admin)
    .bind(&me.teams)
    .bind(SEARCH_PER_PAGE)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(incident_id, title, status, started_at, snippet, rank)| {
            Ok(SearchHit {
                incident_id,
                title,
                status: PostmortemStatus::parse(&status).ok_or_else(|| {
                    AppError::internal("stored postmortem has an impossible status")
                })?,
                started_at,
                snippet_html: safe_snippet(&snippet),
                rank,
            })
        })
        .collect()
}

/// `search`, from the cache when no postmortem (nor who owns the services) changed since.
pub async fn search_cached(
    pool: &PgPool,
    cache: &super::cache::ReadCache,
    q: &str,
    me: &Me,
    page: u32,
) -> Result<Vec<SearchHit>, AppError> {
    let (learning, facets) = super::cache::learning_generations(pool).await?;
    let admin = me.role == crate::domain::access::Role::Admin;
    let mut teams = if admin { Vec::new() } else { me.teams.clone() };
    teams.sort();
    let key = ((q.trim().to_string(), page, admin, teams), facets);
    cache
        .postmortem_search
        .get_or_compute(&key, learning, || search(pool, q, me, page))
        .await
}

/// ts_headline returns the text as written, with `<mark>` around matches: everything else is
/// escaped here, so a section's own markup can never become HTML in the results.
pub fn safe_snippet(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while !rest.is_empty() {
        let (tag, len) = if rest.starts_with("<mark>") {
            (Some("<mark>"), 6)
        } else if rest.starts_with("</mark>") {
            (Some("</mark>"), 7)
        } else {
            (None, 0)
        };
        if let Some(t) = tag {
            out.push_str(t);
            rest = &rest[len..];
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Replaces the organisation's postmortem settings (admins, through the command).
pub async fn save_settings(db: &mut PgConnection, s: &LearningSettings) -> Result<(), AppError> {
    sqlx::query("UPDATE learning_settings SET zone = $1, repeat_window_days = $2")
        .bind(&s.zone)
        .bind(s.repeat_window_days)
        .execute(&mut *db)
        .await?;
    for p in &s.policies {
        sqlx::query("UPDATE postmortem_policy SET required = $2, due_business_days = $3 WHERE severity = $1")
            .bind(p.severity.number())
            .bind(p.required)
            .bind(p.due_business_days)
            .execute(&mut *db)
            .await?;
    }
    let days: Vec<NaiveDate> = s.holidays.iter().map(|(d, _)| *d).collect();
    let names: Vec<&str> = s.holidays.iter().map(|(_, n)| n.as_str()).collect();
    sqlx::query("DELETE FROM holiday WHERE day <> ALL($1)")
        .bind(&days)
        .execute(&mut *db)
        .await?;
    sqlx::query(
        "INSERT INTO holiday (day, name) SELECT * FROM unnest($1::date[], $2::text[]) \
         ON CONFLICT (day) DO UPDATE SET name = EXCLUDED.name WHERE holiday.name <> EXCLUDED.name",
    )
    .bind(&days)
    .bind(&names)
    .execute(&mut *db)
    .await?;
    let slugs: Vec<&str> = s.categories.iter().map(|(s, _)| s.as_str()).collect();
    let cnames: Vec<&str> = s.categories.iter().map(|(_, n)| n.as_str()).collect();
    let positions: Vec<i16> = (1..=i16::try_from(s.categories.len()).unwrap_or(i16::MAX)).collect();
    sqlx::query(
        "INSERT INTO root_cause_category (slug, name, position) SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[]) \
         ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, position = EXCLUDED.position \
         WHERE (root_cause_category.name, root_cause_category.position) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.position)",
    )
    .bind(&slugs)
    .bind(&cnames)
    .bind(&positions)
    .execute(&mut *db)
    .await?;
    // A category in use stays (postmortems name it); one nobody uses goes.
    sqlx::query(
        "DELETE FROM root_cause_category c WHERE c.slug <> ALL($1) \
           AND NOT EXISTS (SELECT 1 FROM postmortem p WHERE p.root_cause = c.slug)",
    )
    .bind(&slugs)
    .execute(&mut *db)
    .await?;
    Ok(())
}

/// Postmortems past their deadline and not published, most overdue first, with how many there
/// are in all.
pub async fn overdue(
    pool: &PgPool,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<(Vec<OverduePostmortem>, i64), AppError> {
    let s = settings(&mut *pool.acquire().await?).await?;
    let zone = zone_of(&s);
    let holidays = holiday_days(&s);
    let today = now.with_timezone(&zone).date_naive();
    let rows: Vec<(i64, String, i16, NaiveDate, Option<String>, i64)> = sqlx::query_as(
        "SELECT i.id, i.title, i.severity, i.postmortem_due_on, p.status, count(*) OVER () \
         FROM incident i LEFT JOIN postmortem p ON p.incident_id = i.id \
         WHERE i.postmortem_due_on < $1 AND (p.status IS NULL OR p.status <> 'published') \
         ORDER BY i.postmortem_due_on, i.severity, i.id LIMIT $2",
    )
    .bind(today)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.5);
    let list = rows
        .into_iter()
        .map(|(id, title, sev, due_on, status, _)| {
            Ok(OverduePostmortem {
                incident_id: id,
                title,
                severity: Severity::from_number(sev).ok_or_else(|| {
                    AppError::internal("stored incident has an impossible severity")
                })?,
                due_on,
                status: status.as_deref().and_then(PostmortemStatus::parse),
                deadline: deadline(Some(due_on), None, now, zone, &holidays),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok((list, total))
}

#[cfg(test)]
mod tests {
    use super::safe_snippet;

    #[test]
    fn snippets_keep_only_their_marks() {
        assert_eq!(
            safe_snippet("a <mark>deploy</mark> <script>x</script> & \"q\""),
            "a <mark>deploy</mark> &lt;script&gt;x&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
