//! Background jobs that run once per interval across every replica. A replica claims a run by
//! moving the job's `last_run_at` forward; the row lock serialises claims, so of several replicas
//! asking at once exactly one wins, and the others see the moved time and skip.
use chrono::Duration;
use sqlx::PgPool;

use crate::error::AppError;

/// True when this caller should run `job` now (and it is recorded as run).
pub async fn claim(pool: &PgPool, job: &str, every: Duration) -> Result<bool, AppError> {
    sqlx::query("INSERT INTO job_run (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
        .bind(job)
        .execute(pool)
        .await?;
    let claimed = sqlx::query(
        "UPDATE job_run SET last_run_at = now(), runs = runs + 1 \
         WHERE name = $1 AND last_run_at <= now() - make_interval(secs => $2)",
    )
    .bind(job)
    .bind(every.num_seconds() as f64)
    .execute(pool)
    .await?;
    Ok(claimed.rows_affected() == 1)
}
