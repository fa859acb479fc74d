//! The permission matrix: each role × each mutating server function. Allowed calls change the
//! database and write exactly one audit event; refused ones answer 403, change nothing, and are
//! recorded as refusals.
mod common;

use axum::http::StatusCode;
use sqlx::PgPool;

use common::op::{TestUser, ALICE_ADMIN, BOB_EDITOR, CAROL_VIEWER, DAVE_OTHER_EDITOR};
use common::TestApp;

const FIXTURE: &str = "
INSERT INTO team (slug, name) VALUES ('payments', 'Payments'), ('checkout', 'Checkout'), ('spare', 'Spare');
INSERT INTO service (slug, name, tier, lifecycle, owner_team_id) VALUES
  ('pay-api', 'Pay API', 1, 'production', (SELECT id FROM team WHERE slug = 'payments')),
  ('pay-ledger', 'Pay Ledger', 1, 'production', (SELECT id FROM team WHERE slug = 'payments')),
  ('pay-old', 'Pay Old', 3, 'deprecated', (SELECT id FROM team WHERE slug = 'payments')),
  ('checkout-web', 'Checkout Web', 1, 'production', (SELECT id FROM team WHERE slug = 'checkout'));
INSERT INTO service_link (service_id, kind, title, url)
  SELECT id, 'runbook', 'Runbook', 'https://wiki.example/pay-api' FROM service WHERE slug = 'pay-api';
INSERT INTO service_link (service_id, kind, title, url)
  SELECT id, 'repo', 'Repo', 'https://git.example/pay-ledger' FROM service WHERE slug = 'pay-ledger';
INSERT INTO service_dependency (service_id, depends_on_id, kind)
  SELECT a.id, b.id, 'hard' FROM service a, service b WHERE a.slug = 'pay-api' AND b.slug = 'pay-ledger';
INSERT INTO slo (service_id, slug, name, sli_kind, objective_milli, window_kind, window_days, source)
  SELECT id, 'ledger-latency', 'Ledger latency', 'latency', 99000, 'rolling', 30, 'push' FROM service WHERE slug = 'pay-ledger';
INSERT INTO slo (service_id, slug, name, sli_kind, objective_milli, window_kind, window_days, source)
  SELECT id, 'old-availability', 'Old availability', 'availability', 99000, 'rolling', 30, 'push' FROM service WHERE slug = 'pay-api';
INSERT INTO incident (title, severity, status, service_ids, started_at)
  SELECT 'Ledger slow', 3, 'investigating', ARRAY[id], now() - interval '1 hour' FROM service WHERE slug = 'pay-ledger';
INSERT INTO api_token (name, prefix, secret_hash, scopes) VALUES ('old-ci', 'rp_old', '\\x01', '{catalog:read}');
INSERT INTO incident (title, severity, status, service_ids, started_at, resolved_at)
  SELECT 'Ledger down', 2, 'resolved', ARRAY[id], now() - interval '2 days', now() - interval '1 day' FROM service WHERE slug = 'pay-ledger';
INSERT INTO postmortem (incident_id, status, author_label, submitted_at)
  SELECT id, 'in_review', 'someone@example.com', now() FROM incident WHERE title = 'Ledger down';
INSERT INTO timeline_entry (incident_id, at, kind, body)
  SELECT id, now() - interval '2 days', 'detection', 'Alert fired' FROM incident WHERE title = 'Ledger down';
INSERT INTO action_item (incident_id, title, kind, priority, team_id)
  SELECT i.id, 'Fix the pool', 'prevent', 1, t.id FROM incident i, team t WHERE i.title = 'Ledger down' AND t.slug = 'payments';
";

struct Case {
    name: &'static str,
    path: &'static str,
    form: Vec<(&'static str, String)>,
    /// A value that differs once the call has taken effect.
    probe: &'static str,
    /// The audit action an allowed call records.
    action: &'static str,
    /// Which of (admin, payments editor, checkout editor, viewer) may make it.
    allowed: [bool; 4],
}

fn f(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

/// The postmortem's incident, its timeline entry and its action item (see FIXTURE).
struct Learning {
    incident: i64,
    entry: i64,
    item: i64,
}

fn cases(
    runbook: i64,
    ledger_repo: i64,
    carol: i64,
    token: i64,
    incident: i64,
    pm: Learning,
) -> Vec<Case> {
    let service_ops = [true, true, false, false];
    let admin_only = [true, false, false, false];
    let service_form = |slug: &str, name: &str| {
        f(&[
            ("form[slug]", slug),
            ("form[name]", name),
            ("form[tier]", "1"),
            ("form[lifecycle]", "production"),
            ("form[owner]", "payments"),
        ])
    };
    let incident_form = |title: &str| {
        f(&[
            ("form[title]", title),
            ("form[severity]", "3"),
            ("form[status]", "identified"),
            ("form[services]", "pay-api"),
            ("form[started_at]", "2026-11-30T10:00"),
        ])
    };
    let slo_form = |slug: &str, name: &str| {
        f(&[
            ("service", "pay-api"),
            ("form[slug]", slug),
            ("form[name]", name),
            ("form[sli_kind]", "availability"),
            ("form[objective]", "99.9"),
            ("form[window]", "rolling"),
            ("form[window_days]", "30"),
            ("form[source]", "push"),
        ])
    };
    vec![
        Case {
            name: "create_service",
            path: "/fn/create_service",
            form: service_form("pay-new", "Pay New"),
            probe: "SELECT count(*)::text FROM service WHERE slug = 'pay-new'",
            action: "service.create",
            allowed: service_ops,
        },
        Case {
            name: "update_service",
            path: "/fn/update_service",
            form: [vec![("slug", "pay-api".to_string())], service_form("pay-api", "Pay API v2")].concat(),
            probe: "SELECT name FROM service WHERE slug = 'pay-api'",
            action: "service.update",
            allowed: service_ops,
        },
        Case {
            name: "add_link",
            path: "/fn/add_link",
            form: f(&[("service", "pay-api"), ("form[kind]", "dashboard"), ("form[title]", "Grafana"), ("form[url]", "https://grafana.example/pay")]),
            probe: "SELECT count(*)::text FROM service_link WHERE title = 'Grafana'",
            action: "link.create",
            allowed: service_ops,
        },
        Case {
            name: "update_link",
            path: "/fn/update_link",
            form: f(&[("service", "pay-api"), ("id", &runbook.to_string()), ("form[kind]", "runbook"), ("form[title]", "Runbook v2"), ("form[url]", "https://wiki.example/pay-api-v2")]),
            probe: "SELECT string_agg(title, ',') FROM service_link",
            action: "link.update",
            allowed: service_ops,
        },
        Case {
            name: "delete_link",
            path: "/fn/delete_link",
            form: f(&[("service", "pay-ledger"), ("id", &ledger_repo.to_string())]),
            probe: "SELECT count(*)::text FROM service_link WHERE title = 'Repo'",
            action: "link.delete",
            allowed: service_ops,
        },
        Case {
            name: "add_dependency",
            path: "/fn/add_dependency",
            form: f(&[("service", "pay-ledger"), ("form[target]", "checkout-web"), ("form[kind]", "soft")]),
            probe: "SELECT count(*)::text FROM service_dependency",
            action: "dependency.create",
            allowed: service_ops,
        },
        Case {
            name: "remove_dependency",
            path: "/fn/remove_dependency",
            form: f(&[("service", "pay-api"), ("target", "pay-ledger")]),
            probe: "SELECT count(*)::text FROM service_dependency d JOIN service s ON s.id = d.service_id WHERE s.slug = 'pay-api'",
            action: "dependency.delete",
            allowed: service_ops,
        },
        Case {
            name: "delete_service",
            path: "/fn/delete_service",
            form: f(&[("slug", "pay-old")]),
            probe: "SELECT count(*)::text FROM service WHERE slug = 'pay-old'",
            action: "service.delete",
            allowed: service_ops,
        },
        Case {
            name: "create_team",
            path: "/fn/create_team",
            form: f(&[("form[slug]", "new-team"), ("form[name]", "New Team")]),
            probe: "SELECT count(*)::text FROM team WHERE slug = 'new-team'",
            action: "team.create",
            allowed: admin_only,
        },
        Case {
            name: "update_team",
            path: "/fn/update_team",
            form: f(&[("slug", "checkout"), ("form[slug]", "checkout"), ("form[name]", "Checkout Two")]),
            probe: "SELECT name FROM team WHERE slug = 'checkout'",
            action: "team.update",
            allowed: admin_only,
        },
        Case {
            name: "delete_team",
            path: "/fn/delete_team",
            form: f(&[("slug", "spare")]),
            probe: "SELECT count(*)::text FROM team WHERE slug = 'spare'",
            action: "team.delete",
            allowed: admin_only,
        },
        Case {
            name: "update_tier_policy",
            path: "/fn/update_tier_policy",
            form: f(&[("tier", "3"), ("form[name]", "Tier 3 · Sandbox"), ("form[description]", "Try things.")]),
            probe: "SELECT name FROM tier_policy WHERE tier = 3",
            action: "tier_policy.update",
            allowed: admin_only,
        },
        Case {
            name: "set_user_role",
            path: "/fn/set_user_role",
            form: f(&[("user", &carol.to_string()), ("role", "editor")]),
            probe: "SELECT coalesce(role_override, '-') FROM app_user WHERE subject = 'carol'",
            action: "user.role",
            allowed: admin_only,
        },
        Case {
            name: "create_token",
            path: "/fn/create_token",
            form: f(&[("form[name]", "deploys"), ("form[team]", "payments"), ("form[scopes]", "catalog:read"), ("form[expires_in_days]", "30")]),
            probe: "SELECT count(*)::text FROM api_token WHERE name = 'deploys'",
            action: "token.create",
            allowed: admin_only,
        },
        Case {
            name: "revoke_token",
            path: "/fn/revoke_token",
            form: f(&[("id", &token.to_string())]),
            probe: "SELECT (revoked_at IS NULL)::text FROM api_token WHERE name = 'old-ci'",
            action: "token.revoke",
            allowed: admin_only,
        },
        Case {
            name: "create_slo",
            path: "/fn/create_slo",
            form: slo_form("availability", "Pay API availability"),
            probe: "SELECT count(*)::text FROM slo WHERE slug = 'availability'",
            action: "slo.create",
            allowed: service_ops,
        },
        Case {
            name: "update_slo",
            path: "/fn/update_slo",
            form: {
                let mut form = slo_form("ledger-latency", "Ledger latency, tighter");
                form[0] = ("service", "pay-ledger".into());
                form.push(("slo", "ledger-latency".into()));
                form
            },
            probe: "SELECT name FROM slo WHERE slug = 'ledger-latency'",
            action: "slo.update",
            allowed: service_ops,
        },
        Case {
            name: "delete_slo",
            path: "/fn/delete_slo",
            form: f(&[("service", "pay-api"), ("slo", "old-availability")]),
            probe: "SELECT count(*)::text FROM slo WHERE slug = 'old-availability'",
            action: "slo.delete",
            allowed: service_ops,
        },
        Case {
            name: "declare_incident",
            path: "/fn/declare_incident",
            form: incident_form("Pay API errors"),
            probe: "SELECT count(*)::text FROM incident WHERE title = 'Pay API errors'",
            action: "incident.create",
            allowed: service_ops,
        },
        Case {
            name: "update_incident",
            path: "/fn/update_incident",
            form: {
                let mut form = incident_form("Ledger slow, identified");
                form[3] = ("form[services]", "pay-ledger".into());
                form.push(("id", incident.to_string()));
                form
            },
            probe: "SELECT title FROM incident WHERE id = (SELECT min(id) FROM incident)",
            action: "incident.update",
            allowed: service_ops,
        },
        Case {
            name: "start_postmortem",
            path: "/fn/start_postmortem",
            form: f(&[("id", &incident.to_string())]),
            probe: "SELECT count(*)::text FROM postmortem WHERE incident_id = (SELECT min(id) FROM incident)",
            action: "postmortem.create",
            allowed: service_ops,
        },
        Case {
            name: "save_postmortem",
            path: "/fn/save_postmortem",
            form: f(&[("id", &pm.incident.to_string()), ("form[summary]", "The pool ran dry."), ("form[root_cause]", "capacity")]),
            probe: "SELECT summary FROM postmortem WHERE status <> 'draft'",
            action: "postmortem.update",
            allowed: service_ops,
        },
        Case {
            name: "postmortem_step",
            path: "/fn/postmortem_step",
            form: f(&[("id", &pm.incident.to_string()), ("step", "publish")]),
            probe: "SELECT string_agg(status, ',' ORDER BY incident_id) FROM postmortem",
            action: "postmortem.update",
            allowed: service_ops,
        },
        Case {
            name: "add_timeline_entry",
            path: "/fn/add_timeline_entry",
            form: f(&[("id", &pm.incident.to_string()), ("form[at]", "2026-11-30T10:05"), ("form[kind]", "repair"), ("form[body]", "Raised the pool size")]),
            probe: "SELECT count(*)::text FROM timeline_entry WHERE kind = 'repair'",
            action: "timeline_entry.create",
            allowed: service_ops,
        },
        Case {
            name: "delete_timeline_entry",
            path: "/fn/delete_timeline_entry",
            form: f(&[("id", &pm.incident.to_string()), ("entry", &pm.entry.to_string())]),
            probe: "SELECT count(*)::text FROM timeline_entry WHERE kind = 'detection'",
            action: "timeline_entry.delete",
            allowed: service_ops,
        },
        Case {
            name: "create_action_item",
            path: "/fn/create_action_item",
            form: f(&[("id", &pm.incident.to_string()), ("form[title]", "Alert on pool use"), ("form[kind]", "detect"), ("form[priority]", "P1"), ("form[team]", "payments")]),
            probe: "SELECT count(*)::text FROM action_item",
            action: "action_item.create",
            allowed: service_ops,
        },
        Case {
            name: "update_action_item",
            path: "/fn/update_action_item",
            form: f(&[("id", &pm.item.to_string()), ("form[title]", "Fix the pool"), ("form[kind]", "prevent"), ("form[priority]", "P1"), ("form[team]", "payments"), ("form[status]", "done")]),
            probe: "SELECT status FROM action_item WHERE title = 'Fix the pool'",
            action: "action_item.update",
            allowed: service_ops,
        },
        Case {
            name: "save_postmortem_settings",
            path: "/fn/save_postmortem_settings",
            form: f(&[
                ("form[zone]", "UTC"),
                ("form[repeat_window_days]", "90"),
                ("form[required_1]", "on"),
                ("form[required_2]", "on"),
                ("form[due_days_1]", "3"),
                ("form[due_days_2]", "5"),
                ("form[due_days_3]", "10"),
                ("form[due_days_4]", "10"),
                ("form[holidays]", "2026-12-25 Christmas Day"),
                ("form[categories]", "deploy Deploy\nconfig-change Config change\ncapacity Capacity\ndependency Dependency\ndata Data\ninfrastructure Infrastructure\nsecurity Security\nunknown Unknown"),
            ]),
            probe: "SELECT count(*)::text FROM holiday",
            action: "holiday.create",
            allowed: admin_only,
        },
        Case {
            name: "set_user_disabled",
            path: "/fn/set_user_disabled",
            form: f(&[("user", &carol.to_string()), ("disable", "true")]),
            probe: "SELECT (disabled_at IS NOT NULL)::text FROM app_user WHERE subject = 'carol'",
            action: "user.disable",
            allowed: admin_only,
        },
    ]
}

async fn text(app: &TestApp, sql: &str) -> String {
    sqlx::query_scalar::<_, Option<String>>(sql)
        .fetch_one(&app.pool)
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn run_matrix_for(pool: PgPool, who: &TestUser, column: usize) {
    sqlx::raw_sql(FIXTURE).execute(&pool).await.unwrap();
    let anon = TestApp::anonymous(pool, |_| {}).await;
    // Everyone signs in once, so the viewer exists for set_user_role.
    anon.signed_in_as(&CAROL_VIEWER).await;
    let app = anon.signed_in_as(who).await;
    let id = |sql: &'static str| {
        let app = app.clone();
        async move { app.scalar_i64(sql).await }
    };
    let runbook = id("SELECT id FROM service_link WHERE title = 'Runbook'").await;
    let ledger_repo = id("SELECT id FROM service_link WHERE title = 'Repo'").await;
    let carol = id("SELECT id FROM app_user WHERE subject = 'carol'").await;
    let token = id("SELECT id FROM api_token WHERE name = 'old-ci'").await;
    let incident = id("SELECT min(id) FROM incident").await;
    let pm = Learning {
        incident: id("SELECT id FROM incident WHERE title = 'Ledger down'").await,
        entry: id("SELECT id FROM timeline_entry").await,
        item: id("SELECT id FROM action_item").await,
    };
    for case in cases(runbook, ledger_repo, carol, token, incident, pm) {
        let before = text(&app, case.probe).await;
        let events_before = app.scalar_i64("SELECT count(*) FROM audit_event").await;
        let form: Vec<(&str, &str)> = case.form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app.post(case.path, &form).await;
        let after = text(&app, case.probe).await;
        let events: Vec<(String, String)> = sqlx::query_as(
            "SELECT action, actor_label FROM audit_event WHERE id > (SELECT coalesce(max(id), 0) FROM audit_event) - $1 ORDER BY id",
        )
        .bind(app.scalar_i64("SELECT count(*) FROM audit_event").await - events_before)
        .fetch_all(&app.pool)
        .await
        .unwrap();
        let label = format!("{} as {}", case.name, who.sub);
        if case.allowed[column] {
            assert!(
                r.status.is_success() || r.status.is_redirection(),
                "{label}: {} {}",
                r.status,
                r.body
            );
            assert_ne!(before, after, "{label}: the database changed");
            assert_eq!(
                events,
                vec![(case.action.to_string(), who.email.to_string())],
                "{label}: one audit event"
            );
        } else {
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{label}: {}", r.body);
            assert!(
                matches!(r.error(), app::error::AppError::Forbidden(m) if m.contains("Only")),
                "{label}: a clear message"
            );
            assert_eq!(before, after, "{label}: nothing changed");
            assert_eq!(
                events,
                vec![("denied".to_string(), who.email.to_string())],
                "{label}: the refusal is recorded"
            );
        }
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn admins_may_do_everything(pool: PgPool) {
    run_matrix_for(pool, &ALICE_ADMIN, 0).await;
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn editors_change_their_own_teams_services(pool: PgPool) {
    run_matrix_for(pool, &BOB_EDITOR, 1).await;
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn editors_of_other_teams_change_nothing_here(pool: PgPool) {
    run_matrix_for(pool, &DAVE_OTHER_EDITOR, 2).await;
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn viewers_change_nothing(pool: PgPool) {
    run_matrix_for(pool, &CAROL_VIEWER, 3).await;
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn admin_pages_are_for_admins(pool: PgPool) {
    let anon = TestApp::anonymous(pool, |_| {}).await;
    let bob = anon.signed_in_as(&BOB_EDITOR).await;
    let alice = anon.signed_in_as(&ALICE_ADMIN).await;
    let page = bob.get("/admin/audit").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("Only admins can read the audit trail"));
    assert_eq!(bob.get("/admin/people").await.status, StatusCode::FORBIDDEN);
    let audit = alice.get("/admin/audit?action=auth.sign_in").await;
    assert_eq!(audit.status, StatusCode::OK);
    assert!(audit.body.contains("bob@example.com") && audit.body.contains("alice@example.com"));
    let people = alice.get("/admin/people").await;
    assert!(people.body.contains("Bob Editor") && people.body.contains("team-payments"));
    // A bad filter is a message beside the field, not an error page; the typed value stays.
    let bad = alice.get("/admin/audit?from=yesterday").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Use a date like") && bad.body.contains(r#"value="yesterday""#));
    // Viewers see no edit controls.
    let carol = anon.signed_in_as(&CAROL_VIEWER).await;
    sqlx::raw_sql(FIXTURE).execute(&carol.pool).await.unwrap();
    let svc = carol.get("/services/pay-api").await;
    assert!(!svc.body.contains("/services/pay-api/edit"));
    assert!(alice
        .get("/services/pay-api")
        .await
        .body
        .contains("/services/pay-api/edit"));
    let form = carol.get("/services/pay-api/edit").await;
    assert!(form.body.contains("You can read this, but not change it"));
    assert!(!carol.get("/services").await.body.contains("New service"));
}

/// The import server functions act with the caller's rights, row by row: a service owned by
/// payments is created (and audited once) for an admin and a payments editor; for anyone else
/// it is the document's error, nothing is written, and the refusal is recorded.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn imports_follow_the_callers_rights(pool: PgPool) {
    sqlx::raw_sql(FIXTURE).execute(&pool).await.unwrap();
    let anon = TestApp::anonymous(pool, |_| {}).await;
    let who = [
        (&ALICE_ADMIN, true),
        (&BOB_EDITOR, true),
        (&DAVE_OTHER_EDITOR, false),
        (&CAROL_VIEWER, false),
    ];
    for (user, allowed) in who {
        let app = anon.signed_in_as(user).await;
        let slug = format!("pay-imported-{}", user.sub);
        let yaml = format!(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {slug}\n  \
             annotations: {{reliability.portal/tier: \"2\"}}\nspec:\n  type: service\n  \
             lifecycle: production\n  owner: group:default/payments\n"
        );
        let files = serde_json::json!([{ "name": "c.yaml", "content": yaml }]);
        let call = |path: &'static str, body: serde_json::Value| {
            let app = app.clone();
            async move {
                let r = app.post_json(path, &body).await;
                assert_eq!(
                    r.status,
                    StatusCode::OK,
                    "{path} as {}: {}",
                    user.sub,
                    r.body
                );
                serde_json::from_str::<serde_json::Value>(&r.body).unwrap()
            }
        };
        let preview = call("/fn/preview_import", serde_json::json!({ "files": files })).await;
        let events_before = app.scalar_i64("SELECT count(*) FROM audit_event").await;
        let report = call(
            "/fn/apply_import",
            serde_json::json!({ "files": files, "digest": preview["digest"] }),
        )
        .await;
        let created = app
            .scalar_i64(&format!(
                "SELECT count(*) FROM service WHERE slug = '{slug}'"
            ))
            .await;
        let events: Vec<(String, String)> =
            sqlx::query_as("SELECT action, actor_label FROM audit_event WHERE id > $1 ORDER BY id")
                .bind(
                    app.scalar_i64("SELECT coalesce(max(id), 0) FROM audit_event")
                        .await
                        - (app.scalar_i64("SELECT count(*) FROM audit_event").await
                            - events_before),
                )
                .fetch_all(&app.pool)
                .await
                .unwrap();
        let label = format!("import as {}", user.sub);
        if allowed {
            assert_eq!(created, 1, "{label}: {report}");
            assert_eq!(
                events,
                vec![("service.create".to_string(), user.email.to_string())],
                "{label}: one audit event"
            );
        } else {
            assert_eq!(created, 0, "{label}: nothing written");
            assert!(
                report["errors"].as_array().is_some_and(|e| !e.is_empty()),
                "{label}: the document's error: {report}"
            );
            assert!(
                events.contains(&("denied".to_string(), user.email.to_string())),
                "{label}: the refusal is recorded: {events:?}"
            );
        }
    }
}
