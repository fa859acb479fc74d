//! Fixtures for database tests: build rows through the same store functions the app uses.
#![allow(dead_code)]
use app::domain::service::ServiceForm;
use app::domain::team::TeamForm;
use app::store::{services, teams};
use chrono::NaiveDate;
use sqlx::PgPool;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

pub async fn team(pool: &PgPool, slug: &str) {
    let form = TeamForm {
        slug: slug.into(),
        name: format!("Team {slug}"),
        ..Default::default()
    };
    teams::create(
        &mut pool.acquire().await.unwrap(),
        &form.validate().unwrap(),
    )
    .await
    .unwrap();
}

pub async fn service(
    pool: &PgPool,
    slug: &str,
    name: &str,
    tier: u8,
    owner: Option<&str>,
    tags: &str,
) {
    let form = ServiceForm {
        slug: slug.into(),
        name: name.into(),
        description: format!("The {name} service"),
        tier: tier.to_string(),
        lifecycle: "production".into(),
        owner: owner.unwrap_or_default().into(),
        tags: tags.into(),
        ..Default::default()
    };
    services::create(
        &mut pool.acquire().await.unwrap(),
        &form.validate().unwrap(),
    )
    .await
    .unwrap();
}

/// Runs SQL as an outsider would (psql, another tool): not through the app.
pub async fn exec(pool: &PgPool, sql: &str) {
    sqlx::query(sql).execute(pool).await.unwrap();
}

/// Writes to `service` with its triggers off (generations, version, audit): a change the read
/// caches cannot know about, so a repeat read that still shows the old data proves it came from
/// a cache.
pub async fn exec_unseen(pool: &PgPool, sql: &str) {
    let mut tx = pool.begin().await.unwrap();
    for s in [
        "ALTER TABLE service DISABLE TRIGGER USER",
        sql,
        "ALTER TABLE service ENABLE TRIGGER USER",
    ] {
        sqlx::query(s).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
}

pub async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .unwrap()
}
