//! Postmortems and action items in the database: search ranked and filtered by who may read,
//! list counts, revisions only after publication, and the list's repeat filter agreeing with
//! the rule the incident page applies.
mod common;

use app::commands::{self, Caller};
use app::domain::access::{Me, Role};
use app::domain::action_item::ActionForm;
use app::domain::action_list::ActionListQuery;
use app::domain::incident::IncidentForm;
use app::domain::incident_list::IncidentListQuery;
use app::domain::postmortem::{repeat_of, PastIncident, PostmortemForm, TimelineForm, Transition};
use app::state::{AppState, Settings};
use app::store::{action_items, incidents, postmortems};
use common::{service, team};
use leptos::config::LeptosOptions;
use sqlx::PgPool;

fn state(pool: &PgPool) -> AppState {
    let options = LeptosOptions::builder().output_name("portal").build();
    AppState::new(pool.clone(), Settings::default(), options)
}

async fn person(pool: &PgPool, email: &str, role: Role, teams: &[&str]) -> Caller {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO app_user (issuer, subject, email, name) VALUES ('t', $1, $1, $1) RETURNING id",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .unwrap();
    let me = Me {
        id,
        name: email.into(),
        email: email.into(),
        role,
        teams: teams.iter().map(|t| t.to_string()).collect(),
    };
    Caller::person(me, format!("req-{id}"))
}

async fn incident(st: &AppState, who: &Caller, title: &str, services: &str, day: u32) -> i64 {
    let form = IncidentForm {
        title: title.into(),
        severity: "2".into(),
        status: "resolved".into(),
        services: services.into(),
        zone: "UTC".into(),
        started_at: format!("2026-10-{day:02}T10:00"),
        resolved_at: format!("2026-10-{day:02}T12:00"),
        ..Default::default()
    };
    commands::incidents::declare(st, who, &form).await.unwrap()
}

async fn write_up(st: &AppState, who: &Caller, id: i64, summary: &str, cause: &str) {
    commands::postmortems::start(st, who, id).await.unwrap();
    let form = PostmortemForm {
        summary: summary.into(),
        root_cause: cause.into(),
        ..Default::default()
    };
    commands::postmortems::save(st, who, id, &form)
        .await
        .unwrap();
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn search_ranks_and_never_shows_a_draft_to_someone_who_may_not_read_it(pool: PgPool) {
    let st = state(&pool);
    team(&pool, "payments").await;
    team(&pool, "search").await;
    service(&pool, "ledger", "Ledger", 0, Some("payments"), "").await;
    service(&pool, "indexer", "Indexer", 2, Some("search"), "").await;
    let admin = person(&pool, "admin@example.com", Role::Admin, &[]).await;
    let approver = person(&pool, "approver@example.com", Role::Admin, &[]).await;
    let member = person(&pool, "viewer@example.com", Role::Viewer, &["payments"]).await;
    let outsider = person(&pool, "other@example.com", Role::Viewer, &["search"]).await;

    // Three mention a failover: in the title, in the summary, and only in the timeline.
    let a = incident(&st, &admin, "Failover stalled the ledger", "ledger", 1).await;
    write_up(&st, &admin, a, "Writes stopped.", "infrastructure").await;
    let b = incident(&st, &admin, "Indexer lag", "indexer", 2).await;
    write_up(
        &st,
        &admin,
        b,
        "A failover of the index primary lagged.",
        "capacity",
    )
    .await;
    let c = incident(&st, &admin, "Ledger slow", "ledger", 3).await;
    write_up(&st, &admin, c, "Slow queries.", "data").await;
    let t = TimelineForm {
        at: "2026-10-03T10:30".into(),
        zone: "UTC".into(),
        kind: "repair".into(),
        body: "Manual failover to the replica".into(),
    };
    commands::postmortems::add_timeline(&st, &admin, c, &t)
        .await
        .unwrap();
    // A and B are published; C stays a draft of the payments team's.
    for id in [a, b] {
        let item = ActionForm {
            title: "Follow up".into(),
            kind: "process".into(),
            priority: "2".into(),
            team: "payments".into(),
            ..Default::default()
        };
        commands::action_items::create(&st, &admin, id, &item)
            .await
            .unwrap();
        commands::postmortems::step(&st, &admin, id, Transition::Submit)
            .await
            .unwrap();
        commands::postmortems::step(&st, &approver, id, Transition::Publish)
            .await
            .unwrap();
    }

    let ids = |hits: Vec<app::domain::postmortem_view::SearchHit>| -> Vec<i64> {
        hits.into_iter().map(|h| h.incident_id).collect()
    };
    // The title outranks the summary, which outranks the timeline.
    let all = ids(postmortems::search(&pool, "failover", &admin.me, 1)
        .await
        .unwrap());
    assert_eq!(all, vec![a, b, c]);
    // A member of the draft's team finds it; someone outside does not, whatever they type.
    assert_eq!(
        ids(postmortems::search(&pool, "failover", &member.me, 1)
            .await
            .unwrap()),
        vec![a, b, c]
    );
    assert_eq!(
        ids(postmortems::search(&pool, "failover", &outsider.me, 1)
            .await
            .unwrap()),
        vec![a, b]
    );
    assert!(postmortems::search(&pool, "replica", &outsider.me, 1)
        .await
        .unwrap()
        .is_empty());
    // Snippets mark the match and escape the rest.
    let hit = &postmortems::search(&pool, "lagged", &outsider.me, 1)
        .await
        .unwrap()[0];
    assert!(
        hit.snippet_html.contains("<mark>lagged</mark>"),
        "{}",
        hit.snippet_html
    );
    // Nonsense and operators never fail the query.
    for q in ["", "!!!", "\"unterminated", "a & | b", "-", "or or or"] {
        postmortems::search(&pool, q, &outsider.me, 1)
            .await
            .unwrap();
    }

    // Revisions: none for edits before publication, one per edit after, naming the fields.
    let revisions = |id: i64| {
        let pool = pool.clone();
        async move {
            sqlx::query_as::<_, (String, Vec<String>)>(
                "SELECT actor_label, fields FROM postmortem_revision WHERE incident_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    assert!(revisions(a).await.is_empty() && revisions(c).await.is_empty());
    let form = PostmortemForm {
        summary: "Writes stopped for 20 minutes.".into(),
        root_cause: "capacity".into(),
        ..Default::default()
    };
    commands::postmortems::save(&st, &admin, a, &form)
        .await
        .unwrap();
    assert_eq!(
        revisions(a).await,
        vec![(
            "admin@example.com".to_string(),
            vec!["summary".to_string(), "root_cause".to_string()]
        )]
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn lists_count_by_postmortem_repeat_priority_and_overdue(pool: PgPool) {
    let st = state(&pool);
    team(&pool, "payments").await;
    service(&pool, "ledger", "Ledger", 0, Some("payments"), "").await;
    service(&pool, "cards", "Cards", 1, Some("payments"), "").await;
    let admin = person(&pool, "admin@example.com", Role::Admin, &[]).await;

    // Ledger: deploy on the 1st, deploy again on the 20th (a repeat), capacity on the 25th.
    // Cards: deploy on the 22nd (another service: no repeat). One incident has no postmortem.
    let first = incident(&st, &admin, "One", "ledger", 1).await;
    let again = incident(&st, &admin, "Two", "ledger", 20).await;
    let other = incident(&st, &admin, "Three", "ledger", 25).await;
    let cards = incident(&st, &admin, "Four", "cards", 22).await;
    let bare = incident(&st, &admin, "Five", "ledger, cards", 27).await;
    for (id, cause) in [
        (first, "deploy"),
        (again, "deploy"),
        (other, "capacity"),
        (cards, "deploy"),
    ] {
        write_up(&st, &admin, id, "What happened.", cause).await;
    }

    let list = |q: IncidentListQuery| {
        let pool = pool.clone();
        async move { incidents::list(&pool, &q).await.unwrap() }
    };
    let all = list(IncidentListQuery {
        page: 1,
        ..Default::default()
    })
    .await;
    let counts: Vec<(String, i64)> = all
        .facets
        .learning
        .iter()
        .map(|f| (f.value.clone(), f.count))
        .collect();
    assert_eq!(
        counts,
        vec![("has".into(), 4), ("lacks".into(), 1), ("repeat".into(), 1)]
    );
    let repeats = list(IncidentListQuery {
        repeat: true,
        page: 1,
        ..Default::default()
    })
    .await;
    assert_eq!(
        repeats.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![again]
    );
    let lacking = list(IncidentListQuery {
        postmortem: Some(false),
        page: 1,
        ..Default::default()
    })
    .await;
    assert_eq!(
        lacking.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![bare]
    );
    let dated = list(IncidentListQuery {
        from: chrono::NaiveDate::from_ymd_opt(2026, 10, 20),
        to: chrono::NaiveDate::from_ymd_opt(2026, 10, 22),
        page: 1,
        ..Default::default()
    })
    .await;
    assert_eq!(
        dated.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![cards, again]
    );

    // The list's SQL and the page's rule agree on every incident.
    type Facts = (i64, chrono::DateTime<chrono::Utc>, Vec<i64>, Option<String>);
    let facts: Vec<Facts> = sqlx::query_as(
        "SELECT i.id, i.started_at, i.service_ids, p.root_cause FROM incident i \
         LEFT JOIN postmortem p ON p.incident_id = i.id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let past: Vec<PastIncident> = facts
        .into_iter()
        .map(|(id, started_at, service_ids, root_cause)| PastIncident {
            id,
            started_at,
            service_ids,
            root_cause,
        })
        .collect();
    let by_rule: Vec<i64> = past
        .iter()
        .filter(|p| repeat_of(p, &past, 90).is_some())
        .map(|p| p.id)
        .collect();
    assert_eq!(by_rule, vec![again]);
    // The page links both ways.
    let l = postmortems::learning(&pool, again, &admin.me, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(l.repeat_of.map(|r| r.id), Some(first));
    let l = postmortems::learning(&pool, first, &admin.me, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(
        l.repeated_by.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![again]
    );
    // Re-classing the earlier one changes the repeats in the same transaction: the later
    // capacity incident now repeats it, the deploy one repeats nothing.
    let recat = PostmortemForm {
        summary: "What happened.".into(),
        root_cause: "capacity".into(),
        ..Default::default()
    };
    commands::postmortems::save(&st, &admin, first, &recat)
        .await
        .unwrap();
    let repeats = list(IncidentListQuery {
        repeat: true,
        page: 1,
        ..Default::default()
    })
    .await;
    assert_eq!(
        repeats.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![other]
    );
    let l = postmortems::learning(&pool, again, &admin.me, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(l.repeat_of, None);

    // Action items: counts by priority with the other filters, overdue against the day.
    for (title, priority, due) in [
        ("a", "0", "2026-11-01"),
        ("b", "1", "2026-11-02"),
        ("c", "1", "2099-01-01"),
        ("d", "3", ""),
    ] {
        let f = ActionForm {
            title: title.into(),
            kind: "prevent".into(),
            priority: priority.into(),
            team: "payments".into(),
            due_on: due.into(),
            ..Default::default()
        };
        commands::action_items::create(&st, &admin, first, &f)
            .await
            .unwrap();
    }
    let now = chrono::Utc::now();
    let page = action_items::list(
        &pool,
        &ActionListQuery {
            page: 1,
            ..Default::default()
        },
        admin.me.id,
        now,
    )
    .await
    .unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(page.overdue, 2);
    // Overdue first, then by priority.
    assert_eq!(
        page.rows
            .iter()
            .map(|r| r.title.as_str())
            .collect::<Vec<_>>(),
        vec!["a", "b", "c", "d"]
    );
    let p1 = action_items::list(
        &pool,
        &ActionListQuery {
            priority: app::domain::action_item::Priority::new(1),
            page: 1,
            ..Default::default()
        },
        admin.me.id,
        now,
    )
    .await
    .unwrap();
    assert_eq!((p1.total, p1.overdue), (2, 1));
    // Counts by priority ignore the priority filter itself, so each choice shows its number.
    let by_priority: Vec<i64> = p1.priorities.iter().map(|f| f.count).collect();
    assert_eq!(by_priority, vec![1, 2, 0, 1]);
    let overdue = action_items::list(
        &pool,
        &ActionListQuery {
            overdue: true,
            page: 1,
            ..Default::default()
        },
        admin.me.id,
        now,
    )
    .await
    .unwrap();
    assert_eq!(
        overdue
            .rows
            .iter()
            .map(|r| r.title.as_str())
            .collect::<Vec<_>>(),
        vec!["a", "b"]
    );
}
