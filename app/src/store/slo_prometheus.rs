//! The Prometheus evaluator's side of the database: which SLOs to query, and their latest
//! answers (`slo_prometheus`).
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::domain::prometheus::{signature, Answer};
use crate::domain::slo::{Counts, SloWindow};
use crate::error::AppError;

/// A Prometheus-sourced SLO as the evaluator needs it.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: i64,
    pub window: SloWindow,
    pub error_query: String,
    pub total_query: String,
    pub signature: String,
}

/// Prometheus SLOs with an id above `after`, by id, at most `limit` (the evaluator pages).
pub async fn targets(pool: &PgPool, after: i64, limit: i64) -> Result<Vec<Target>, AppError> {
    let rows: Vec<(i64, String, Option<i16>, String, String)> = sqlx::query_as(
        "SELECT id, window_kind, window_days, error_query, total_query FROM slo \
         WHERE source = 'prometheus' AND id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(id, kind, days, error_query, total_query)| {
            let window = SloWindow::from_parts(&kind, days.map(i32::from))
                .ok_or_else(|| AppError::internal("stored SLO has an impossible window"))?;
            Ok(Target {
                id,
                signature: signature(&error_query, &total_query, window.kind(), window.days()),
                window,
                error_query,
                total_query,
            })
        })
        .collect()
}

/// One evaluation of one SLO: counts per window, or why there are none.
pub struct Outcome {
    pub slo_id: i64,
    pub signature: String,
    pub result: Result<Vec<Counts>, String>,
}

/// Stores a batch of outcomes as of `now`. A success replaces the counts and ends a failure; a
/// failure keeps the last counts of the same definition and the moment failing began.
pub async fn store(
    pool: &PgPool,
    now: DateTime<Utc>,
    outcomes: &[Outcome],
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    for o in outcomes {
        match &o.result {
            Ok(counts) => {
                let good: Vec<i64> = counts.iter().map(|c| c.good).collect();
                let total: Vec<i64> = counts.iter().map(|c| c.total).collect();
                sqlx::query(
                    "INSERT INTO slo_prometheus (slo_id, signature, evaluated_at, succeeded_at, good, total) \
                     SELECT id, $2, $3, $3, $4, $5 FROM slo WHERE id = $1 \
                     ON CONFLICT (slo_id) DO UPDATE SET signature = excluded.signature, \
                         evaluated_at = excluded.evaluated_at, succeeded_at = excluded.succeeded_at, \
                         good = excluded.good, total = excluded.total, failing_since = NULL, failure = '' \
                     WHERE slo_prometheus.evaluated_at <= excluded.evaluated_at",
                )
                .bind(o.slo_id)
                .bind(&o.signature)
                .bind(now)
                .bind(&good)
                .bind(&total)
                .execute(&mut *tx)
                .await?;
            }
            Err(why) => {
                let why: String = why.chars().take(1000).collect();
                sqlx::query(
                    "INSERT INTO slo_prometheus (slo_id, signature, evaluated_at, failing_since, failure) \
                     SELECT id, $2, $3, $3, $4 FROM slo WHERE id = $1 \
                     ON CONFLICT (slo_id) DO UPDATE SET evaluated_at = excluded.evaluated_at, \
                         failure = excluded.failure, \
                         failing_since = CASE WHEN slo_prometheus.signature = excluded.signature \
                             THEN coalesce(slo_prometheus.failing_since, excluded.failing_since) \
                             ELSE excluded.failing_since END, \
                         succeeded_at = CASE WHEN slo_prometheus.signature = excluded.signature \
                             THEN slo_prometheus.succeeded_at END, \
                         good = CASE WHEN slo_prometheus.signature = excluded.signature \
                             THEN slo_prometheus.good ELSE '{}' END, \
                         total = CASE WHEN slo_prometheus.signature = excluded.signature \
                             THEN slo_prometheus.total ELSE '{}' END, \
                         signature = excluded.signature \
                     WHERE slo_prometheus.evaluated_at <= excluded.evaluated_at",
                )
                .bind(o.slo_id)
                .bind(&o.signature)
                .bind(now)
                .bind(&why)
                .execute(&mut *tx)
                .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The latest answers of these SLOs, by id.
pub async fn answers(pool: &PgPool, ids: &[i64]) -> Result<HashMap<i64, Answer>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    type Row = (
        i64,
        String,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        Vec<i64>,
        Vec<i64>,
        Option<DateTime<Utc>>,
        String,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT slo_id, signature, evaluated_at, succeeded_at, good, total, failing_since, failure \
         FROM slo_prometheus WHERE slo_id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, signature, evaluated_at, succeeded_at, good, total, failing_since, failure)| {
                (
                    id,
                    Answer {
                        signature,
                        evaluated_at,
                        succeeded_at,
                        good,
                        total,
                        failing_since,
                        failure,
                    },
                )
            },
        )
        .collect())
}
