//! The demo's learning loop: postmortems for the demo incidents in every state (published on
//! time and late, in review, draft, overdue and not started, two repeats), with timelines and
//! action items in every state, some overdue. Written through the write path as two demo
//! people (an author and a different approver), so separation of duties holds for them too.
use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::commands::{self, Caller};
use crate::domain::action_item::ActionForm;
use crate::domain::postmortem::{PostmortemForm, TimelineForm, Transition};
use crate::error::AppError;
use crate::state::AppState;

/// Root causes by incident position: positions twelve apart share a service (see
/// `demo_incidents`), so 1/13 and 5/17 (all SEV2, so all written up) are repeats.
fn cause(k: usize) -> &'static str {
    const CYCLE: [&str; 8] = [
        "capacity",
        "dependency",
        "data",
        "infrastructure",
        "security",
        "unknown",
        "deploy",
        "config-change",
    ];
    match k {
        5 | 17 => "deploy",
        1 | 13 => "config-change",
        _ => CYCLE[(k * 3) % 8],
    }
}

#[derive(sqlx::FromRow)]
struct Demo {
    id: i64,
    severity: i16,
    title: String,
    started: DateTime<Utc>,
    resolved: Option<DateTime<Utc>>,
    due_on: Option<NaiveDate>,
    team: Option<String>,
    service: Option<String>,
}

pub async fn load(st: &AppState) -> Result<usize, AppError> {
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM postmortem")
        .fetch_one(&st.pool)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let incidents: Vec<Demo> =
        sqlx::query_as(
            "SELECT i.id, i.severity, i.title, i.started_at AS started, i.resolved_at AS resolved, \
                    i.postmortem_due_on AS due_on, (SELECT t.slug FROM service s JOIN team t ON t.id = s.owner_team_id \
                      WHERE s.id = ANY(i.service_ids) ORDER BY s.tier, s.slug LIMIT 1) AS team, \
                    (SELECT s.slug FROM service s WHERE s.id = ANY(i.service_ids) ORDER BY s.tier, s.slug LIMIT 1) AS service \
             FROM incident i ORDER BY i.started_at, i.id",
        )
        .fetch_all(&st.pool)
        .await?;
    let author = Caller::operator("bob@example.com (demo)");
    let approver = Caller::operator("alice@example.com (demo)");
    let required: Vec<usize> = (0..incidents.len())
        .filter(|k| incidents[*k].due_on.is_some())
        .collect();
    let n = required.len();
    let mut written = 0;
    for (k, d) in incidents.iter().enumerate() {
        let Some(team) = d.team.clone() else { continue };
        let Some(resolved) = d.resolved else { continue };
        // Where this incident's postmortem stands, by its place among the required ones.
        let place = required.iter().position(|r| *r == k);
        let state = match place {
            Some(p) if p + 1 == n => "none", // the newest: due soon, not started
            Some(p) if p + 2 == n => "in_review",
            Some(p) if p + 3 == n => "draft", // overdue, still a draft
            Some(p) if p + 5 == n => "none",  // overdue, never started
            Some(p) if p % 4 == 1 => "late",
            Some(_) => "published",
            None if k % 3 == 0 => "published", // optional, written anyway
            None => "none",
        };
        if state == "none" {
            continue;
        }
        commands::postmortems::start(st, &author, d.id).await?;
        let form = sections(d, cause(k));
        commands::postmortems::save(st, &author, d.id, &form).await?;
        for (at, kind, body) in [
            (
                d.started + Duration::minutes(4),
                "detection",
                "An alert fired on the error rate; the on-call engineer was paged.",
            ),
            (
                d.started + Duration::minutes(20),
                "diagnosis",
                "The dashboard tied the errors to the change made shortly before.",
            ),
            (
                d.started + Duration::minutes(35),
                "communication",
                "Status page updated; support told which customers were affected.",
            ),
            (
                resolved,
                "repair",
                "The fix was rolled out and the error rate returned to normal.",
            ),
        ] {
            let t = TimelineForm {
                at: at.format("%Y-%m-%dT%H:%M").to_string(),
                zone: "UTC".into(),
                kind: kind.into(),
                body: body.into(),
            };
            commands::postmortems::add_timeline(st, &author, d.id, &t).await?;
        }
        for (j, (title, kind)) in [
            (
                "Alert on the symptom users saw, not only the cause",
                "detect",
            ),
            (
                "Add a canary stage to the rollout of this service",
                "prevent",
            ),
            ("Write the runbook step that fixed it", "process"),
        ]
        .iter()
        .enumerate()
        .take(1 + k % 3)
        {
            let status = ["done", "open", "in_progress", "wont_do"][(k + j) % 4];
            // Closed ones were due after the incident; about one open item in five is overdue.
            let due = if matches!(status, "open" | "in_progress") {
                Utc::now().date_naive() + Duration::days(((k + j) % 5) as i64 * 9 - 9)
            } else {
                resolved.date_naive() + Duration::days(14 + 7 * j as i64)
            };
            let a = ActionForm {
                title: (*title).into(),
                kind: (*kind).into(),
                priority: ((k / 2 + j * 3) % 4).to_string(),
                team: team.clone(),
                service: d.service.clone().unwrap_or_default(),
                due_on: due.to_string(),
                status: status.into(),
                wont_do_reason: if status == "wont_do" {
                    "Superseded by the platform team's rollout work.".into()
                } else {
                    String::new()
                },
                url: format!(
                    "https://tracker.example.com/{}-{}",
                    team.to_uppercase(),
                    100 + k * 3 + j
                ),
                ..Default::default()
            };
            let id = commands::action_items::create(
                st,
                &author,
                d.id,
                &ActionForm {
                    status: String::new(),
                    wont_do_reason: String::new(),
                    ..a.clone()
                },
            )
            .await?;
            if a.status != "open" {
                commands::action_items::update(st, &author, id, &a).await?;
            }
        }
        if state == "draft" {
            written += 1;
            continue;
        }
        commands::postmortems::step(st, &author, d.id, Transition::Submit).await?;
        if state != "in_review" {
            commands::postmortems::step(st, &approver, d.id, Transition::Publish).await?;
            // History, not today: published a day before its deadline, or three days after.
            let due = d
                .due_on
                .unwrap_or_else(|| resolved.date_naive() + Duration::days(5));
            let days = if state == "late" { 3 } else { -1 };
            let at = due
                .and_hms_opt(15, 0, 0)
                .map(|t| t.and_utc() + Duration::days(days))
                .unwrap_or(resolved);
            commands::write(st, &approver, async |db| {
                sqlx::query("UPDATE postmortem SET published_at = $2, submitted_at = $2 - interval '1 day' WHERE incident_id = $1")
                    .bind(d.id)
                    .bind(at.max(resolved))
                    .execute(&mut *db)
                    .await?;
                Ok(())
            })
            .await?;
        }
        written += 1;
    }
    Ok(written)
}

fn sections(d: &Demo, cause: &str) -> PostmortemForm {
    let sev = d.severity;
    PostmortemForm {
        summary: format!("**{}** (SEV{sev}). Customers saw errors for part of the incident; the team restored service and is making sure it does not happen again.", d.title),
        impact: "- A share of requests failed or were slow while it lasted\n- Support received a handful of tickets\n- No data was lost".into(),
        root_causes: format!("The root cause was classed as *{cause}*. A safeguard that would have caught it earlier was missing."),
        trigger: "A routine change met a condition nobody had tested.".into(),
        detection: "Our alerting noticed the error rate; the page reached the on-call engineer within minutes.".into(),
        resolution: "The change was reverted and the service recovered; a proper fix followed the next day.".into(),
        contributing_factors: "- The runbook did not cover this case\n- The dashboard lacked the one graph that showed it".into(),
        went_well: "Paging worked and the incident commander kept the channel calm.".into(),
        went_wrong: "It took too long to connect the errors to the change.".into(),
        got_lucky: "It happened during working hours.".into(),
        root_cause: cause.into(),
        no_action_reason: String::new(),
        version: String::new(),
    }
}
