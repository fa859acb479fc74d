//! Postmortems and action items over HTTP: who may write, read and approve them (separation
//! of duties), sanitised Markdown, drafts kept from those who may not read them (pages and
//! search alike), revisions after publication, deadlines that follow the settings, one audit
//! event per change.
mod common;

use axum::http::StatusCode;
use common::op::{ALICE_ADMIN, BOB_EDITOR, CAROL_VIEWER, DAVE_OTHER_EDITOR};
use common::{Reply, TestApp};
use sqlx::PgPool;

async fn post(app: &TestApp, path: &str, f: &[(&str, String)]) -> Reply {
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post(path, &pairs).await
}

fn ok(r: &Reply) {
    assert!(
        r.status.is_redirection() || r.status.is_success(),
        "{} {}",
        r.status,
        r.body
    );
}

/// A resolved SEV1 on payments-api (Bob's team), declared by Bob; its id.
async fn declare(bob: &TestApp, title: &str) -> i64 {
    let f = [
        ("form[title]", title.to_string()),
        ("form[severity]", "1".into()),
        ("form[status]", "resolved".into()),
        ("form[services]", "payments-api".into()),
        ("form[zone]", "UTC".into()),
        // Friday 4 December 2026, evening.
        ("form[started_at]", "2026-12-04T17:00".into()),
        ("form[resolved_at]", "2026-12-04T19:30".into()),
    ];
    ok(&post(bob, "/fn/declare_incident", &f).await);
    sqlx::query_scalar("SELECT id FROM incident WHERE title = $1")
        .bind(title)
        .fetch_one(&bob.pool)
        .await
        .unwrap()
}

async fn events(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM audit_event WHERE action = $1")
        .bind(action)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn status(app: &TestApp, id: i64) -> Option<String> {
    sqlx::query_scalar("SELECT status FROM postmortem WHERE incident_id = $1")
        .bind(id)
        .fetch_optional(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_postmortem_is_written_reviewed_by_someone_else_and_published(pool: PgPool) {
    let anon = TestApp::with_demo(pool).await;
    let bob = anon.signed_in_as(&BOB_EDITOR).await;
    let dave = anon.signed_in_as(&DAVE_OTHER_EDITOR).await;
    let carol = anon.signed_in_as(&CAROL_VIEWER).await;
    let alice = anon.signed_in_as(&ALICE_ADMIN).await;
    let id = declare(&bob, "Ledger writes failed").await;
    let sid = id.to_string();

    // Due three business days after a Friday-evening resolution: Wednesday.
    let due: chrono::NaiveDate =
        sqlx::query_scalar("SELECT postmortem_due_on FROM incident WHERE id = $1")
            .bind(id)
            .fetch_one(&bob.pool)
            .await
            .unwrap();
    assert_eq!(due.to_string(), "2026-12-09");

    // Another team's editor and a viewer may not start it: refused, nothing written.
    let denied = events(&bob, "denied").await;
    for who in [&dave, &carol] {
        let r = post(who, "/fn/start_postmortem", &[("id", sid.clone())]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    }
    assert_eq!(status(&bob, id).await, None);
    assert_eq!(events(&bob, "denied").await, denied + 2);

    // Bob starts it and writes it, Markdown with something hostile in it.
    let created = events(&bob, "postmortem.create").await;
    ok(&post(&bob, "/fn/start_postmortem", &[("id", sid.clone())]).await);
    assert_eq!(events(&bob, "postmortem.create").await, created + 1);
    let again = post(&bob, "/fn/start_postmortem", &[("id", sid.clone())]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let sections = vec![
        ("id", sid.clone()),
        (
            "form[summary]",
            "The **ledger** rejected writes. <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>"
                .to_string(),
        ),
        ("form[root_causes]", "A connection pool sized for last year's traffic.".into()),
        ("form[root_cause]", "capacity".into()),
        ("form[version]", "1".into()),
    ];
    let bad = [
        ("id", sid.clone()),
        ("form[root_cause]", "gremlins".to_string()),
        ("form[impact]", "x".repeat(20_001)),
    ];
    let r = post(&bob, "/fn/save_postmortem", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let fields = r.error().field_errors().cloned().expect("field errors");
    assert!(
        fields.get("root_cause").is_some() && fields.get("impact").is_some(),
        "{fields}"
    );
    ok(&post(&bob, "/fn/save_postmortem", &sections).await);
    // A save from the version before is refused, naming who changed it.
    let stale = post(&bob, "/fn/save_postmortem", &sections).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    assert!(stale.body.contains("bob@example.com"), "{}", stale.body);

    // A draft: its team's members and admins read it; a viewer outside them does not, on the
    // page or in search.
    let page = bob.get(&format!("/incidents/{id}/postmortem")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<strong>ledger</strong>"),
        "Markdown not rendered"
    );
    for bad in ["<script>alert(1)", "javascript:alert(2)", "onerror"] {
        assert!(!page.body.contains(bad), "{bad} reached the page");
    }
    let hidden = carol.get(&format!("/incidents/{id}/postmortem")).await;
    assert!(
        hidden.body.contains("not published yet"),
        "the draft is not said to be hidden"
    );
    assert!(
        !hidden.body.contains("connection pool sized"),
        "a viewer read the draft"
    );
    let found = alice.get("/postmortems?q=connection+pool").await;
    assert!(
        found.body.contains("Ledger writes failed"),
        "an admin finds the draft"
    );
    let not_found = carol.get("/postmortems?q=connection+pool").await;
    assert!(
        !not_found.body.contains("Ledger writes failed"),
        "a viewer found the draft"
    );

    // Timeline entries, in the zone they were typed in.
    let entry = [
        ("id", sid.clone()),
        ("form[at]", "2026-12-04T18:05".to_string()),
        ("form[zone]", "Europe/Berlin".into()),
        ("form[kind]", "diagnosis".into()),
        ("form[body]", "Saw the pool at its limit".into()),
    ];
    ok(&post(&bob, "/fn/add_timeline_entry", &entry).await);
    let at: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT at FROM timeline_entry WHERE incident_id = $1")
            .bind(id)
            .fetch_one(&bob.pool)
            .await
            .unwrap();
    assert_eq!(at.to_rfc3339(), "2026-12-04T17:05:00+00:00");

    // Submitted; the author may not approve it, nor may it be published without action items
    // or a reason.
    ok(&post(
        &bob,
        "/fn/postmortem_step",
        &[("id", sid.clone()), ("step", "submit".into())],
    )
    .await);
    assert_eq!(status(&bob, id).await.as_deref(), Some("in_review"));
    let own = post(
        &bob,
        "/fn/postmortem_step",
        &[("id", sid.clone()), ("step", "publish".into())],
    )
    .await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{}", own.body);
    assert!(
        own.body.contains("cannot approve their own"),
        "{}",
        own.body
    );
    let bare = post(
        &alice,
        "/fn/postmortem_step",
        &[("id", sid.clone()), ("step", "publish".into())],
    )
    .await;
    assert_eq!(bare.status, StatusCode::CONFLICT, "{}", bare.body);
    assert!(bare.body.contains("no action needed"), "{}", bare.body);
    assert_eq!(status(&bob, id).await.as_deref(), Some("in_review"));

    // An action item for Bob's team, overdue already.
    let item = |title: &str, status: &str| {
        vec![
            ("id", sid.clone()),
            ("form[title]", title.to_string()),
            ("form[kind]", "prevent".to_string()),
            ("form[priority]", "P1".to_string()),
            ("form[team]", "payments".to_string()),
            ("form[owner]", "bob@example.com".to_string()),
            ("form[service]", "payments-api".to_string()),
            ("form[due_on]", "2026-12-01".to_string()),
            ("form[status]", status.to_string()),
        ]
    };
    let r = post(&dave, "/fn/create_action_item", &item("Size the pool", "")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = post(&bob, "/fn/create_action_item", &item("", "")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    ok(&post(
        &bob,
        "/fn/create_action_item",
        &item("Size the pool for peak", ""),
    )
    .await);
    let action: i64 =
        sqlx::query_scalar("SELECT id FROM action_item WHERE title = 'Size the pool for peak'")
            .fetch_one(&bob.pool)
            .await
            .unwrap();

    // Now Alice (not the author) approves: published, with her as the approver.
    ok(&post(
        &alice,
        "/fn/postmortem_step",
        &[("id", sid.clone()), ("step", "publish".into())],
    )
    .await);
    let (st, approver): (String, Option<String>) =
        sqlx::query_as("SELECT status, approver_label FROM postmortem WHERE incident_id = $1")
            .bind(id)
            .fetch_one(&bob.pool)
            .await
            .unwrap();
    assert_eq!(
        (st.as_str(), approver.as_deref()),
        ("published", Some("alice@example.com"))
    );

    // Published: everyone reads and finds it, ranked, with the match highlighted.
    let page = carol.get(&format!("/incidents/{id}/postmortem")).await;
    assert!(
        page.body.contains("connection pool sized"),
        "a viewer cannot read the published postmortem"
    );
    let found = carol.get("/postmortems?q=connection+pool").await;
    assert!(
        found.body.contains("Ledger writes failed"),
        "published postmortem not found"
    );
    assert!(found.body.contains("<mark>"), "no highlight");

    // The overdue item is badged where its team and service look, and in /actions.
    let actions = carol.get("/actions?overdue=1&team=payments").await;
    assert!(actions.body.contains("Size the pool for peak") && actions.body.contains("Overdue"));
    let svc = carol.get("/services/payments-api").await;
    assert!(svc.body.contains("Open action items") && svc.body.contains("Size the pool for peak"));

    // Only the owning team's editors and admins change it; won't-do needs a reason; done
    // records when.
    let mut update = item("Size the pool for peak", "wont_do");
    update[0] = ("id", action.to_string());
    let r = post(&dave, "/fn/update_action_item", &update).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = post(&bob, "/fn/update_action_item", &update).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    update[8].1 = "done".into();
    ok(&post(&bob, "/fn/update_action_item", &update).await);
    let done: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT completed_at FROM action_item WHERE id = $1")
            .bind(action)
            .fetch_one(&bob.pool)
            .await
            .unwrap();
    assert!(done.is_some(), "completion time not recorded");
    let actions = carol.get("/actions?overdue=1&team=payments").await;
    assert!(
        !actions.body.contains("Size the pool for peak"),
        "a done item is still overdue"
    );

    // An edit after publication is kept as a revision naming who changed which section.
    let version: i64 = sqlx::query_scalar("SELECT version FROM postmortem WHERE incident_id = $1")
        .bind(id)
        .fetch_one(&bob.pool)
        .await
        .unwrap();
    let mut edit = sections.clone();
    edit[1].1 = "The ledger rejected writes for 25 minutes.".into();
    edit[4].1 = version.to_string();
    ok(&post(&bob, "/fn/save_postmortem", &edit).await);
    let (by, fields): (String, Vec<String>) = sqlx::query_as(
        "SELECT actor_label, fields FROM postmortem_revision WHERE incident_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_one(&bob.pool)
    .await
    .unwrap();
    assert_eq!(
        (by.as_str(), fields),
        ("bob@example.com", vec!["summary".to_string()])
    );
    let page = carol.get(&format!("/incidents/{id}/postmortem")).await;
    assert!(page.body.contains("Revisions since publication"));

    // Each change above is one audit event of its kind.
    assert_eq!(events(&bob, "postmortem.create").await, created + 1);
    assert_eq!(
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM audit_event WHERE entity_type = 'action_item' AND entity_id = $1"
        )
        .bind(action.to_string())
        .fetch_one(&bob.pool)
        .await
        .unwrap(),
        2,
        "create and one update"
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn deadlines_follow_the_settings_only_admins_change(pool: PgPool) {
    let anon = TestApp::with_demo(pool).await;
    let bob = anon.signed_in_as(&BOB_EDITOR).await;
    let alice = anon.signed_in_as(&ALICE_ADMIN).await;
    let id = declare(&bob, "Card auth timeouts").await;
    let due = |app: TestApp| async move {
        sqlx::query_scalar::<_, chrono::NaiveDate>(
            "SELECT postmortem_due_on FROM incident WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
        .to_string()
    };
    assert_eq!(due(bob.clone()).await, "2026-12-09");
    let version: i64 = sqlx::query_scalar("SELECT version FROM incident WHERE id = $1")
        .bind(id)
        .fetch_one(&bob.pool)
        .await
        .unwrap();

    let settings = |holidays: &str, categories: &str| {
        vec![
            ("form[zone]", "UTC".to_string()),
            ("form[repeat_window_days]", "90".to_string()),
            ("form[required_1]", "on".to_string()),
            ("form[required_2]", "on".to_string()),
            ("form[due_days_1]", "3".to_string()),
            ("form[due_days_2]", "5".to_string()),
            ("form[due_days_3]", "10".to_string()),
            ("form[due_days_4]", "10".to_string()),
            ("form[holidays]", holidays.to_string()),
            ("form[categories]", categories.to_string()),
        ]
    };
    let cats = "deploy Deploy\nconfig-change Config change\ncapacity Capacity\ndependency Dependency\ndata Data\ninfrastructure Infrastructure\nsecurity Security\nunknown Unknown";
    // An editor may not; bad lines are named and change nothing.
    let r = post(
        &bob,
        "/fn/save_postmortem_settings",
        &settings("2026-12-07 Founders' day", cats),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = post(
        &alice,
        "/fn/save_postmortem_settings",
        &settings("2026-12-07", cats),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(due(bob.clone()).await, "2026-12-09");

    // A holiday on the Monday moves the deadline a day, without moving the incident's version
    // (a form open on it still saves) or writing an incident event.
    let updates = events(&bob, "incident.update").await;
    ok(&post(
        &alice,
        "/fn/save_postmortem_settings",
        &settings("2026-12-07 Founders' day", cats),
    )
    .await);
    assert_eq!(due(bob.clone()).await, "2026-12-10");
    let after: i64 = sqlx::query_scalar("SELECT version FROM incident WHERE id = $1")
        .bind(id)
        .fetch_one(&bob.pool)
        .await
        .unwrap();
    assert_eq!(after, version);
    assert_eq!(events(&bob, "incident.update").await, updates);
    assert_eq!(events(&bob, "holiday.create").await, 1);
}

/// The incident, action and search lists are cached at the learning generation: a second read
/// is served from the cache (a change made behind the triggers' back does not show), and any
/// real change (from the app or from psql) shows on the next read.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn cached_lists_are_never_older_than_the_data(pool: PgPool) {
    let anon = TestApp::with_demo(pool).await;
    let carol = anon.signed_in_as(&CAROL_VIEWER).await;
    let (id, title): (i64, String) = sqlx::query_as(
        "SELECT a.id, a.title FROM action_item a WHERE a.status = 'open' ORDER BY a.id LIMIT 1",
    )
    .fetch_one(&carol.pool)
    .await
    .unwrap();
    let incident: String =
        sqlx::query_scalar("SELECT title FROM incident ORDER BY started_at DESC LIMIT 1")
            .fetch_one(&carol.pool)
            .await
            .unwrap();
    for path in ["/actions", "/incidents", "/postmortems?q=symptom"] {
        assert_eq!(carol.get(path).await.status, StatusCode::OK, "{path}");
    }
    assert!(carol.get("/actions").await.body.contains(&title));
    // Behind the triggers' back: no generation moves, so the cached pages still show the old.
    let mut tx = carol.pool.begin().await.unwrap();
    for sql in [
        "ALTER TABLE action_item DISABLE TRIGGER USER",
        "ALTER TABLE incident DISABLE TRIGGER USER",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    sqlx::query("UPDATE action_item SET title = 'Unseen title' WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE incident SET title = 'Unseen incident' WHERE title = $1")
        .bind(&incident)
        .execute(&mut *tx)
        .await
        .unwrap();
    for sql in [
        "ALTER TABLE action_item ENABLE TRIGGER USER",
        "ALTER TABLE incident ENABLE TRIGGER USER",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let page = carol.get("/actions").await;
    assert!(
        page.body.contains(&title) && !page.body.contains("Unseen title"),
        "not cached"
    );
    let page = carol.get("/incidents").await;
    assert!(
        !page.body.contains("Unseen incident"),
        "incidents not cached"
    );
    // A real change, from psql: every list shows it on the next read.
    sqlx::query("UPDATE action_item SET title = 'Seen title' WHERE id = $1")
        .bind(id)
        .execute(&carol.pool)
        .await
        .unwrap();
    let page = carol.get("/actions").await;
    assert!(page.body.contains("Seen title"), "a stale /actions");
    let page = carol.get("/incidents").await;
    assert!(page.body.contains("Unseen incident"), "a stale /incidents");
}
