//! The server's database role (migration 0009) appends to the audit trail but cannot rewrite
//! it: no UPDATE, DELETE or TRUNCATE of audit rows, no disabling of the triggers that write
//! them. Every other HTTP test serves through this role too (common::TestApp), so each kind of
//! change the portal makes is shown to land in the trail under it.
mod common;

use sqlx::PgPool;

use common::as_server_role;

const SERVICE: &str = "
INSERT INTO team (slug, name) VALUES ('payments', 'Payments');
INSERT INTO service (slug, name, tier, lifecycle, owner_team_id)
SELECT 'ledger', 'Ledger', 1, 'production', id FROM team WHERE slug = 'payments';
";

async fn refused(pool: &PgPool, sql: &str) -> String {
    match sqlx::raw_sql(sql).execute(pool).await {
        Ok(_) => panic!("the server's role was allowed: {sql}"),
        Err(sqlx::Error::Database(e)) => e.code().unwrap_or_default().into_owned(),
        Err(e) => panic!("{sql}: {e}"),
    }
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_server_role_cannot_rewrite_the_trail(owner: PgPool) {
    sqlx::raw_sql(SERVICE).execute(&owner).await.unwrap();
    let server = as_server_role(&owner).await;
    let events = count(&owner, "SELECT count(*) FROM audit_event").await;
    assert!(events >= 2, "the fixture's inserts are in the trail");

    // 42501: insufficient_privilege, whatever the statement.
    for sql in [
        "UPDATE audit_event SET actor_label = 'someone else'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
        "ALTER TABLE service DISABLE TRIGGER service_audit",
        "ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate",
        "DROP TRIGGER service_audit ON service",
        "SET session_replication_role = replica",
        "TRUNCATE service_dependency",
        "TRUNCATE service CASCADE",
        "DELETE FROM _sqlx_migrations",
        "DELETE FROM app_user",
    ] {
        assert_eq!(refused(&server, sql).await, "42501", "{sql}");
    }
    let kept: Vec<String> = sqlx::query_scalar("SELECT actor_label FROM audit_event")
        .fetch_all(&owner)
        .await
        .unwrap();
    assert_eq!(kept.len() as i64, events, "no audit row went");
    assert!(kept.iter().all(|l| l != "someone else"), "none was altered");

    // What it may do: change the catalog, which the triggers record.
    sqlx::raw_sql("UPDATE service SET description = 'moves money' WHERE slug = 'ledger'")
        .execute(&server)
        .await
        .unwrap();
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM audit_event WHERE action = 'service.update' \
             AND after ->> 'description' = 'moves money'"
        )
        .await,
        1
    );
}

/// The owner may truncate a catalog table, but it leaves a record; the trail itself cannot be
/// truncated even by its owner.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn truncating_is_recorded_or_refused(owner: PgPool) {
    sqlx::raw_sql(SERVICE).execute(&owner).await.unwrap();
    let e = sqlx::raw_sql("TRUNCATE audit_event")
        .execute(&owner)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    sqlx::raw_sql("TRUNCATE service_dependency")
        .execute(&owner)
        .await
        .unwrap();
    assert_eq!(
        count(
            &owner,
            "SELECT count(*) FROM audit_event WHERE action = 'service_dependency.truncate'"
        )
        .await,
        1
    );
}
