use sqlx::PgConnection;

use crate::domain::dependency::DependencyInput;
use crate::domain::validation::FieldErrors;
use crate::error::AppError;

use super::links::touch;
use super::services::id_of;

/// Adds or re-kinds the dependency `from` → `d.target`. Cycles are allowed.
pub async fn add(db: &mut PgConnection, from: &str, d: &DependencyInput) -> Result<(), AppError> {
    let from_id = id_of(&mut *db, from).await?;
    let target_id: i64 = sqlx::query_scalar("SELECT id FROM service WHERE slug = $1")
        .bind(&d.target)
        .fetch_optional(&mut *db)
        .await?
        .ok_or_else(|| {
            AppError::from(FieldErrors::single(
                "target",
                format!("There is no service \"{}\".", d.target),
            ))
        })?;
    if target_id == from_id {
        // The domain check compares slugs; this catches the same service under a renamed slug.
        return Err(FieldErrors::single("target", "A service cannot depend on itself.").into());
    }
    sqlx::query(
        "INSERT INTO service_dependency (service_id, depends_on_id, kind) VALUES ($1, $2, $3) \
         ON CONFLICT (service_id, depends_on_id) DO UPDATE SET kind = EXCLUDED.kind",
    )
    .bind(from_id)
    .bind(target_id)
    .bind(d.kind.as_str())
    .execute(&mut *db)
    .await?;
    touch(&mut *db, from_id).await
}

pub async fn remove(db: &mut PgConnection, from: &str, target: &str) -> Result<(), AppError> {
    let from_id = id_of(&mut *db, from).await?;
    let done = sqlx::query(
        "DELETE FROM service_dependency WHERE service_id = $1 AND depends_on_id = (SELECT id FROM service WHERE slug = $2)",
    )
    .bind(from_id)
    .bind(target)
    .execute(&mut *db)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound("That dependency".into()));
    }
    touch(&mut *db, from_id).await
}
