//! `server backup` and `server restore`, run as the binary an operator runs: a restored
//! database holds exactly what was backed up, audit trail included, and the server's role has
//! its rights (and no more) there.
mod common;

use std::process::Command;

use sqlx::postgres::PgConnectOptions;
use sqlx::PgPool;

use common::{as_server_role, TestApp};

fn url_of(o: &PgConnectOptions, database: &str) -> String {
    format!(
        "postgres://{}@{}:{}/{database}",
        o.get_username(),
        o.get_host(),
        o.get_port()
    )
}

fn server(args: &[&str], database_url: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env_remove("PORTAL_MIGRATE_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("the server binary runs")
}

/// Every table's rows, as one fingerprint per table.
async fn fingerprint(pool: &PgPool) -> Vec<(String, i64, String)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT schemaname || '.' || tablename FROM pg_tables \
         WHERE schemaname IN ('public', 'tower_sessions') ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let (n, md5): (i64, String) = sqlx::query_as(&format!(
            "SELECT count(*), coalesce(md5(string_agg(r::text, E'\\n' ORDER BY r::text)), '') \
             FROM {t} r"
        ))
        .fetch_one(pool)
        .await
        .unwrap();
        out.push((t, n, md5));
    }
    out
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_restored_database_holds_exactly_what_was_backed_up(pool: PgPool) {
    // A portal with history: the demo, a sign-in, an edit.
    let app = TestApp::with_demo(pool.clone()).await;
    let r = app
        .post("/fn/set_user_role", &[("user", "1"), ("role", "admin")])
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    let events = app.scalar_i64("SELECT count(*) FROM audit_event").await;
    assert!(
        events > 60,
        "the trail has the demo's creations and more ({events})"
    );

    let opts = pool.connect_options();
    let source = url_of(&opts, opts.get_database().unwrap());
    let dir = std::env::temp_dir().join(format!("portal-backup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("portal.dump");
    let out = server(&["backup", file.to_str().unwrap()], &source);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Short: PostgreSQL cuts names at 63 bytes, and the test database's name is that long.
    let target_db = format!("portal_restored_{}", std::process::id());
    sqlx::raw_sql(&format!("CREATE DATABASE {target_db}"))
        .execute(&pool)
        .await
        .unwrap();
    let target_url = url_of(&opts, &target_db);
    let out = server(&["restore", file.to_str().unwrap()], &target_url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let restored = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(&target_url)
        .await
        .unwrap();
    let mut before = fingerprint(&pool).await;
    let after = fingerprint(&restored).await;
    // Sessions are left out of a backup on purpose: a restored portal signs everyone in again.
    let sessions = before
        .iter_mut()
        .find(|t| t.0 == "tower_sessions.session")
        .expect("the session table");
    assert!(sessions.1 > 0);
    *sessions = ("tower_sessions.session".into(), 0, String::new());
    assert_eq!(before, after);
    let next_id = |p: PgPool| async move {
        sqlx::query_scalar::<_, i64>("SELECT last_value FROM audit_event_id_seq")
            .fetch_one(&p)
            .await
            .unwrap()
    };
    assert_eq!(next_id(pool.clone()).await, next_id(restored.clone()).await);

    // The server's role works there, and still cannot rewrite the trail.
    let served = as_server_role(&restored).await;
    let services: i64 = sqlx::query_scalar("SELECT count(*) FROM service")
        .fetch_one(&served)
        .await
        .unwrap();
    assert_eq!(services, 60);
    assert!(sqlx::raw_sql("DELETE FROM audit_event")
        .execute(&served)
        .await
        .is_err());

    // A restore never lands on a database that holds a portal.
    let out = server(&["restore", file.to_str().unwrap()], &target_url);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already holds a portal"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(after, fingerprint(&restored).await, "and changes nothing");

    served.close().await;
    restored.close().await;
    sqlx::raw_sql(&format!("DROP DATABASE {target_db} WITH (FORCE)"))
        .execute(&pool)
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
