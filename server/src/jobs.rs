//! Background jobs, run once per interval across every replica: each replica wakes up often,
//! and only the one that claims the run in the database (`app::store::jobs::claim`) does it.
use std::future::Future;
use std::time::Duration;

use sqlx::PgPool;

/// Runs `job` about every `every`, on whichever replica claims it, for as long as the server
/// runs. A failed run is logged and tried again at the next interval.
pub fn spawn<F, Fut>(pool: PgPool, name: &'static str, every: Duration, job: F)
where
    F: Fn(PgPool) -> Fut + Send + 'static,
    Fut: Future<Output = Result<String, app::error::AppError>> + Send,
{
    // Wake a few times per interval, so a run is late by at most a quarter of it when the
    // replica that ran last has gone away.
    let tick = (every / 4).clamp(Duration::from_millis(200), Duration::from_secs(60));
    let every = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::minutes(5));
    tokio::spawn(async move {
        let mut timer = tokio::time::interval(tick);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            timer.tick().await;
            match app::store::jobs::claim(&pool, name, every).await {
                Ok(true) => match job(pool.clone()).await {
                    Ok(report) => tracing::info!(job = name, %report, "background job ran"),
                    Err(e) => tracing::error!(job = name, error = %e, "background job failed"),
                },
                Ok(false) => {}
                // The database may be down; the next tick tries again.
                Err(e) => {
                    tracing::warn!(job = name, error = %e, "could not claim a background job")
                }
            }
        }
    });
}

/// One evaluation round: Prometheus's answers first, then every SLO's figures for the lists.
pub async fn evaluate_slos(
    pool: &PgPool,
    prometheus: Option<&crate::prometheus::Prometheus>,
) -> Result<String, app::error::AppError> {
    let started = std::time::Instant::now();
    let queried = crate::prometheus::evaluate_all(pool, prometheus, chrono::Utc::now()).await?;
    let queried_ms = started.elapsed().as_millis();
    let n = app::store::slos::evaluate_all(pool, chrono::Utc::now()).await?;
    Ok(format!(
        "{n} SLOs evaluated in {} ms ({queried} from Prometheus in {queried_ms} ms)",
        started.elapsed().as_millis()
    ))
}

/// The portal's jobs: session clean-up and the SLO counts' roll-up and retention.
pub fn spawn_all(
    pool: &PgPool,
    sessions: tower_sessions_sqlx_store::PostgresStore,
    prometheus: Option<crate::prometheus::Prometheus>,
) {
    spawn(
        pool.clone(),
        "session-cleanup",
        Duration::from_secs(300),
        move |_| {
            let store = sessions.clone();
            async move {
                use tower_sessions::session_store::ExpiredDeletion;
                store
                    .delete_expired()
                    .await
                    .map_err(app::error::AppError::internal)?;
                Ok("expired sessions deleted".to_string())
            }
        },
    );
    // The lists' figures (/slos, the overview) are at most this old; pages of one service or
    // one SLO compute their own per request.
    spawn(
        pool.clone(),
        "slo-evaluate",
        Duration::from_secs(60),
        move |pool| {
            let prometheus = prometheus.clone();
            async move { evaluate_slos(&pool, prometheus.as_ref()).await }
        },
    );
    spawn(
        pool.clone(),
        "slo-counts-maintenance",
        Duration::from_secs(600),
        |pool| async move {
            let done = app::store::slo_counts::maintain(&pool, chrono::Utc::now()).await?;
            Ok(format!(
                "{} hour buckets rolled up, {} expired buckets deleted",
                done.rolled_up, done.expired
            ))
        },
    );
}
