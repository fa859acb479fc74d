//! Pushed good/total counts: replace-on-push ingest, roll-up of old minutes into hours, and
//! retention. Each SLO's row is locked while its counts change, so a push and a roll-up of the
//! same SLO never interleave (and pushes to different SLOs never wait for each other).
use chrono::{DateTime, Duration, Utc};
use sqlx::{PgConnection, PgPool};

use crate::domain::slo_counts::{Bucket, RETENTION_DAYS, ROLLUP_AFTER_HOURS};
use crate::domain::validation::FieldErrors;
use crate::error::AppError;

/// Stores `buckets` (already validated, sorted by start) for one push-sourced SLO.
pub async fn push(
    db: &mut PgConnection,
    service: &str,
    slo: &str,
    buckets: &[Bucket],
    pushed_by: &str,
) -> Result<usize, AppError> {
    let found: Option<(i64, String)> = sqlx::query_as(
        "SELECT o.id, o.source FROM slo o JOIN service s ON s.id = o.service_id \
         WHERE s.slug = $1 AND o.slug = $2 FOR NO KEY UPDATE OF o",
    )
    .bind(service)
    .bind(slo)
    .fetch_optional(&mut *db)
    .await?;
    let Some((id, source)) = found else {
        return Err(super::slos::not_found(service, slo));
    };
    if source != "push" {
        return Err(AppError::Conflict(format!(
            "SLO \"{slo}\" reads its counts from {source}; counts cannot be pushed to it."
        )));
    }
    let starts: Vec<DateTime<Utc>> = buckets.iter().map(|b| b.start).collect();
    let minutes: Vec<i16> = buckets.iter().map(|b| b.minutes).collect();
    let good: Vec<i64> = buckets.iter().map(|b| b.good).collect();
    let total: Vec<i64> = buckets.iter().map(|b| b.total).collect();
    // A stored bucket of another shape over the same minutes (an hour already rolled up, or a
    // 5-minute bucket where minutes now arrive) cannot be replaced exactly: refuse, say which.
    let clash: Option<(i32, DateTime<Utc>, i16)> = sqlx::query_as(
        "SELECT n.i::int4, c.start, c.minutes \
         FROM unnest($2::timestamptz[], $3::int2[]) WITH ORDINALITY AS n(start, minutes, i) \
         JOIN slo_count c ON c.slo_id = $1 \
              AND c.start > n.start - interval '60 minutes' \
              AND c.start < n.start + make_interval(mins => n.minutes) \
              AND c.start + make_interval(mins => c.minutes) > n.start \
         WHERE NOT (c.start = n.start AND c.minutes = n.minutes) \
         ORDER BY n.i LIMIT 1",
    )
    .bind(id)
    .bind(&starts)
    .bind(&minutes)
    .fetch_optional(&mut *db)
    .await?;
    if let Some((i, start, mins)) = clash {
        let b = &buckets[(i - 1) as usize];
        return Err(FieldErrors::single(
            &format!("buckets[{}].start", b.index),
            format!(
                "Overlaps a stored {mins}-minute bucket starting at {}; push buckets of the \
                 same shape to replace it.",
                start.format("%Y-%m-%dT%H:%MZ")
            ),
        )
        .into());
    }
    sqlx::query(
        "INSERT INTO slo_count (slo_id, start, minutes, good, total) \
         SELECT $1, * FROM unnest($2::timestamptz[], $3::int2[], $4::int8[], $5::int8[]) \
         ON CONFLICT (slo_id, start) DO UPDATE SET good = excluded.good, total = excluded.total",
    )
    .bind(id)
    .bind(&starts)
    .bind(&minutes)
    .bind(&good)
    .bind(&total)
    .execute(&mut *db)
    .await?;
    sqlx::query(
        "INSERT INTO slo_push (slo_id, pushed_at, pushed_by, buckets) VALUES ($1, now(), $2, $3) \
         ON CONFLICT (slo_id) DO UPDATE SET pushed_at = now(), pushed_by = excluded.pushed_by, \
             buckets = slo_push.buckets + excluded.buckets",
    )
    .bind(id)
    .bind(pushed_by)
    .bind(buckets.len() as i64)
    .execute(&mut *db)
    .await?;
    Ok(buckets.len())
}

/// What one pass of `maintain` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Maintenance {
    pub rolled_up: u64,
    pub expired: u64,
}

/// SLOs handled per transaction: short transactions, so pushes wait for at most one batch.
const BATCH: i64 = 50;

/// Rolls minute buckets older than `ROLLUP_AFTER_HOURS` into hour buckets and deletes buckets
/// past the retention. The sums of every SLO window stay the same: windows start on the hour.
pub async fn maintain(pool: &PgPool, now: DateTime<Utc>) -> Result<Maintenance, AppError> {
    let cut = now - Duration::hours(ROLLUP_AFTER_HOURS);
    let oldest = now - Duration::days(RETENTION_DAYS);
    let mut done = Maintenance::default();
    let mut after = 0i64;
    loop {
        let mut tx = pool.begin().await?;
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM slo WHERE id > $1 ORDER BY id LIMIT $2 FOR NO KEY UPDATE",
        )
        .bind(after)
        .bind(BATCH)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = ids.last().copied() else {
            break;
        };
        // The hour's first minute bucket (if any) becomes the hour bucket; the rest go.
        let rolled = sqlx::query(
            "INSERT INTO slo_count (slo_id, start, minutes, good, total) \
             SELECT slo_id, date_trunc('hour', start, 'UTC'), 60, sum(good), sum(total) FROM slo_count \
             WHERE slo_id = ANY($1) AND minutes < 60 AND start < date_trunc('hour', $2::timestamptz, 'UTC') \
             GROUP BY slo_id, date_trunc('hour', start, 'UTC') \
             ON CONFLICT (slo_id, start) DO UPDATE \
                 SET minutes = 60, good = excluded.good, total = excluded.total",
        )
        .bind(&ids)
        .bind(cut)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM slo_count WHERE slo_id = ANY($1) AND minutes < 60 \
             AND start < date_trunc('hour', $2::timestamptz, 'UTC')",
        )
        .bind(&ids)
        .bind(cut)
        .execute(&mut *tx)
        .await?;
        let expired = sqlx::query(
            "DELETE FROM slo_count WHERE slo_id = ANY($1) AND start < $2 \
             AND start + make_interval(mins => minutes) <= $2",
        )
        .bind(&ids)
        .bind(oldest)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        done.rolled_up += rolled.rows_affected();
        done.expired += expired.rows_affected();
        after = last;
    }
    Ok(done)
}
