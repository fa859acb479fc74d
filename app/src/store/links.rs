use sqlx::PgConnection;

use crate::domain::link::LinkInput;
use crate::error::AppError;

use super::services::{id_of, LINKS_MAX};

pub async fn add(
    db: &mut PgConnection,
    service_slug: &str,
    l: &LinkInput,
) -> Result<i64, AppError> {
    let service_id = id_of(&mut *db, service_slug).await?;
    // Bounded per service so the service page stays bounded.
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM service_link WHERE service_id = $1")
        .bind(service_id)
        .fetch_one(&mut *db)
        .await?;
    if count >= LINKS_MAX {
        return Err(AppError::Conflict(format!(
            "A service can have at most {LINKS_MAX} links."
        )));
    }
    let id = sqlx::query_scalar(
        "INSERT INTO service_link (service_id, kind, title, url, last_reviewed_on) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(service_id)
    .bind(l.kind.as_str())
    .bind(&l.title)
    .bind(&l.url)
    .bind(l.last_reviewed_on)
    .fetch_one(&mut *db)
    .await?;
    touch(&mut *db, service_id).await?;
    Ok(id)
}

/// The link must belong to the named service; a link id from another service is "not found".
pub async fn update(
    db: &mut PgConnection,
    service_slug: &str,
    link_id: i64,
    l: &LinkInput,
) -> Result<(), AppError> {
    let service_id = id_of(&mut *db, service_slug).await?;
    let done = sqlx::query(
        "UPDATE service_link SET kind = $3, title = $4, url = $5, last_reviewed_on = $6, updated_at = now() \
         WHERE id = $1 AND service_id = $2",
    )
    .bind(link_id)
    .bind(service_id)
    .bind(l.kind.as_str())
    .bind(&l.title)
    .bind(&l.url)
    .bind(l.last_reviewed_on)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound("The link".into()));
    }
    touch(&mut *db, service_id).await
}

pub async fn delete(
    db: &mut PgConnection,
    service_slug: &str,
    link_id: i64,
) -> Result<(), AppError> {
    let service_id = id_of(&mut *db, service_slug).await?;
    let done = sqlx::query("DELETE FROM service_link WHERE id = $1 AND service_id = $2")
        .bind(link_id)
        .bind(service_id)
        .execute(&mut *db)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound("The link".into()));
    }
    touch(&mut *db, service_id).await
}

/// A service's "updated" time covers its links and dependencies too: that is what people sort by.
pub(crate) async fn touch(db: &mut PgConnection, service_id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE service SET updated_at = now() WHERE id = $1")
        .bind(service_id)
        .execute(&mut *db)
        .await?;
    Ok(())
}
