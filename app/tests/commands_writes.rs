//! The write path against a real Postgres: optimistic concurrency, and many concurrent writes to
//! one service that neither deadlock nor fail, each recorded once in the audit trail.
mod common;

use app::commands::{self, Caller};
use app::domain::access::{Me, Role};
use app::domain::dependency::DependencyForm;
use app::domain::link::LinkForm;
use app::domain::service::ServiceForm;
use app::state::{AppState, Settings};
use app::store::services::detail;
use common::{count, service, team, today};
use leptos::config::LeptosOptions;
use sqlx::PgPool;

fn state(pool: &PgPool) -> AppState {
    let options = LeptosOptions::builder().output_name("portal").build();
    AppState::new(pool.clone(), Settings::default(), options)
}

fn person(id: i64, email: &str, role: Role, teams: &[&str]) -> Caller {
    let me = Me {
        id,
        name: email.into(),
        email: email.into(),
        role,
        teams: teams.iter().map(|t| t.to_string()).collect(),
    };
    Caller::person(me, format!("req-{id}"))
}

async fn user(pool: &PgPool, email: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO app_user (issuer, subject, email) VALUES ('t', $1, $1) RETURNING id",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn form_of(pool: &PgPool, slug: &str) -> ServiceForm {
    ServiceForm::from(&detail(pool, slug, today(), 180).await.unwrap())
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_save_from_an_outdated_form_is_refused_and_changes_nothing(pool: PgPool) {
    team(&pool, "payments").await;
    service(&pool, "ledger", "Ledger", 0, Some("payments"), "").await;
    let st = state(&pool);
    let alice = person(
        user(&pool, "alice@example.com").await,
        "alice@example.com",
        Role::Admin,
        &[],
    );
    let bob = person(
        user(&pool, "bob@example.com").await,
        "bob@example.com",
        Role::Editor,
        &["payments"],
    );

    // Both open the edit form at the same version.
    let opened = form_of(&pool, "ledger").await;
    let alices = ServiceForm {
        description: "Alice's words".into(),
        ..opened.clone()
    };
    commands::services::update(&st, &alice, "ledger", &alices)
        .await
        .unwrap();

    let bobs = ServiceForm {
        description: "Bob's words".into(),
        ..opened.clone()
    };
    let e = commands::services::update(&st, &bob, "ledger", &bobs)
        .await
        .unwrap_err();
    assert_eq!(e.status(), 409, "{e:?}");
    let message = e.to_string();
    assert!(
        message.starts_with("alice@example.com changed this service at "),
        "{message}"
    );
    assert!(message.contains("UTC since you opened it"), "{message}");
    let now = form_of(&pool, "ledger").await;
    assert_eq!(
        now.description, "Alice's words",
        "Bob's save changed nothing"
    );

    // A link added meanwhile is not a change of the service's own fields: no conflict.
    let link = LinkForm {
        kind: "runbook".into(),
        title: "Runbook".into(),
        url: "https://runbooks.example.com/ledger".into(),
        last_reviewed_on: String::new(),
    };
    commands::services::add_link(&st, &alice, "ledger", &link)
        .await
        .unwrap();
    let fresh = ServiceForm {
        description: "Bob, again".into(),
        ..now.clone()
    };
    commands::services::update(&st, &bob, "ledger", &fresh)
        .await
        .unwrap();
    assert_eq!(form_of(&pool, "ledger").await.description, "Bob, again");

    // A missing service is still a 404, with or without a version.
    let e = commands::services::update(&st, &alice, "nope", &fresh)
        .await
        .unwrap_err();
    assert_eq!(e.status(), 404);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn concurrent_saves_link_and_dependency_adds_neither_deadlock_nor_fail(pool: PgPool) {
    team(&pool, "payments").await;
    service(&pool, "ledger", "Ledger", 0, Some("payments"), "").await;
    const N: usize = 8;
    for i in 0..N {
        service(
            &pool,
            &format!("dep-{i}"),
            &format!("Dep {i}"),
            2,
            Some("payments"),
            "",
        )
        .await;
    }
    sqlx::query("DELETE FROM audit_event")
        .execute(&pool)
        .await
        .unwrap();
    let st = state(&pool);
    let alice = person(
        user(&pool, "alice@example.com").await,
        "alice@example.com",
        Role::Admin,
        &[],
    );
    let base = form_of(&pool, "ledger").await;

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..N {
        let (s, who) = (st.clone(), alice.clone());
        // Saves without a version (an importer, say): every one must land, in some order.
        let form = ServiceForm {
            description: format!("save {i}"),
            version: String::new(),
            ..base.clone()
        };
        tasks.spawn(async move {
            commands::services::update(&s, &who, "ledger", &form)
                .await
                .map(|_| ())
        });
        let (s, who) = (st.clone(), alice.clone());
        let link = LinkForm {
            kind: "dashboard".into(),
            title: format!("Dashboard {i}"),
            url: format!("https://grafana.example.com/d/{i}"),
            last_reviewed_on: String::new(),
        };
        tasks.spawn(async move {
            commands::services::add_link(&s, &who, "ledger", &link)
                .await
                .map(|_| ())
        });
        let (s, who) = (st.clone(), alice.clone());
        let dep = DependencyForm {
            target: format!("dep-{i}"),
            kind: "hard".into(),
        };
        tasks.spawn(
            async move { commands::services::add_dependency(&s, &who, "ledger", &dep).await },
        );
        // And the other direction, which locks the services the other way round.
        let (s, who) = (st.clone(), alice.clone());
        let back = DependencyForm {
            target: "ledger".into(),
            kind: "soft".into(),
        };
        tasks.spawn(async move {
            commands::services::add_dependency(&s, &who, &format!("dep-{i}"), &back).await
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().expect("no write fails");
    }

    assert_eq!(count(&pool, "service_link").await, N as i64);
    assert_eq!(count(&pool, "service_dependency").await, 2 * N as i64);
    let audited = |action: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit_event WHERE action = $1 AND actor_label = 'alice@example.com'")
                .bind(action)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        audited("service.update").await,
        N as i64,
        "every save audited once"
    );
    assert_eq!(audited("link.create").await, N as i64);
    assert_eq!(audited("dependency.create").await, 2 * N as i64);
    let d = detail(&pool, "ledger", today(), 180).await.unwrap();
    assert!(d.service.description.starts_with("save "));
    assert_eq!(d.depends_on_total + d.dependents_total, 2 * N as i64);
}

/// Someone holds a service's row in an open transaction (psql left in BEGIN, a slow import).
/// Writes to other services go on as if nothing happened; a write to the same service waits at
/// most the lock timeout per attempt, takes its turn when the row is free, and otherwise answers
/// 503 "busy" instead of hanging.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn an_open_transaction_holds_up_only_its_own_row_and_not_for_ever(pool: PgPool) {
    team(&pool, "payments").await;
    service(&pool, "ledger", "Ledger", 0, Some("payments"), "").await;
    service(&pool, "payouts", "Payouts", 1, Some("payments"), "").await;
    let st = state(&pool);
    let alice = person(
        user(&pool, "alice@example.com").await,
        "alice@example.com",
        Role::Admin,
        &[],
    );

    let mut holder = pool.begin().await.unwrap();
    sqlx::query("UPDATE service SET description = 'held' WHERE slug = 'ledger'")
        .execute(&mut *holder)
        .await
        .unwrap();

    // Another service: not held up (the generation row is only locked at commit).
    let started = std::time::Instant::now();
    let payouts = ServiceForm {
        description: "changed".into(),
        ..form_of(&pool, "payouts").await
    };
    commands::services::update(&st, &alice, "payouts", &payouts)
        .await
        .unwrap();
    let link = LinkForm {
        kind: "runbook".into(),
        title: "Runbook".into(),
        url: "https://runbooks.example.com/payouts".into(),
        last_reviewed_on: String::new(),
    };
    commands::services::add_link(&st, &alice, "payouts", &link)
        .await
        .unwrap();
    assert!(
        started.elapsed() < std::time::Duration::from_millis(800),
        "{:?}",
        started.elapsed()
    );

    // The held service: refused as busy after the attempts, not left hanging.
    let ledger = ServiceForm {
        description: "mine".into(),
        ..form_of(&pool, "ledger").await
    };
    let started = std::time::Instant::now();
    let e = commands::services::update(&st, &alice, "ledger", &ledger)
        .await
        .unwrap_err();
    assert_eq!(e.status(), 503, "{e:?}");
    assert!(e.to_string().contains("Try again"), "{e}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // Released within the first attempt's wait: the save takes its turn and lands.
    let release = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        holder.rollback().await.unwrap();
    });
    commands::services::update(&st, &alice, "ledger", &ledger)
        .await
        .unwrap();
    release.await.unwrap();
    assert_eq!(form_of(&pool, "ledger").await.description, "mine");
}
