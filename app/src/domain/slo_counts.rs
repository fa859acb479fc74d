//! A batch of pushed good/total counts, and the rules every bucket must meet before any of the
//! batch is stored.
use chrono::{DateTime, Duration, Timelike, Utc};
use serde::{Deserialize, Serialize};

use super::validation::FieldErrors;

/// Counts are kept this long; older buckets are refused and deleted. Longer than the longest
/// window (a 92-day quarter), so no window ever loses its first days.
pub const RETENTION_DAYS: i64 = 93;
/// Minute buckets older than this are rolled up into hour buckets. The short burn-rate windows
/// (5m to 6h) still see minutes; the 1-day and 3-day ones count hour buckets that start inside
/// them (at most an hour's difference at their far edge, far below what moves an alert), and
/// SLO windows start on the hour (`SloWindow::span`), so their sums stay exact. Keeping four
/// days of minutes made the evaluator read 6,400 rows per SLO (56 s for 5,000 SLOs in
/// bench/run.sh); seven hours of minutes keep it near 1,100.
pub const ROLLUP_AFTER_HOURS: i64 = 7;
/// Buckets in one push: a day of minutes.
pub const MAX_BUCKETS: usize = 1440;
/// Events in one bucket, far above any real minute, low enough that sums never overflow.
pub const MAX_EVENTS: i64 = 1_000_000_000_000;

/// One bucket as pushed: `minutes` whole minutes from `start` (default 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketIn {
    pub start: DateTime<Utc>,
    #[serde(default = "one")]
    pub minutes: i64,
    pub good: i64,
    pub total: i64,
}

fn one() -> i64 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountsBatch {
    pub buckets: Vec<BucketIn>,
}

/// A bucket that passed the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    /// Its place in the push, for messages about it.
    pub index: usize,
    pub start: DateTime<Utc>,
    pub minutes: i16,
    pub good: i64,
    pub total: i64,
}

impl Bucket {
    pub fn end(&self) -> DateTime<Utc> {
        self.start + Duration::minutes(i64::from(self.minutes))
    }
}

/// Checks every bucket; any problem refuses the whole batch, naming the item
/// (`buckets[3].good`). Buckets come back sorted by start.
pub fn validate(batch: &CountsBatch, now: DateTime<Utc>) -> Result<Vec<Bucket>, FieldErrors> {
    let mut e = FieldErrors::new();
    if batch.buckets.is_empty() {
        e.add("buckets", "Send at least one bucket.");
    }
    if batch.buckets.len() > MAX_BUCKETS {
        e.add(
            "buckets",
            format!(
                "At most {MAX_BUCKETS} buckets per push; this one has {}.",
                batch.buckets.len()
            ),
        );
        return Err(e);
    }
    let oldest = now - Duration::days(RETENTION_DAYS);
    let mut out: Vec<(usize, Bucket)> = Vec::with_capacity(batch.buckets.len());
    for (i, b) in batch.buckets.iter().enumerate() {
        let f = |name: &str| format!("buckets[{i}].{name}");
        let before = e.0.len();
        if b.start.second() != 0 || b.start.nanosecond() != 0 {
            e.add(&f("start"), "Buckets start on a whole minute (seconds 0).");
        } else if b.start > now {
            e.add(&f("start"), "In the future.");
        } else if (1..=60).contains(&b.minutes) && b.start + Duration::minutes(b.minutes - 1) > now
        {
            // The current minute may be pushed as it fills; minutes not yet begun may not.
            e.add(
                &f("minutes"),
                "Ends in the future: the bucket covers minutes that have not begun.",
            );
        } else if b.start < oldest {
            e.add(
                &f("start"),
                format!("Older than the {RETENTION_DAYS}-day retention."),
            );
        }
        if !(1..=60).contains(&b.minutes) {
            e.add(&f("minutes"), "From 1 to 60.");
        } else if i64::from(b.start.minute()) + b.minutes > 60 {
            e.add(
                &f("minutes"),
                "A bucket stays within one clock hour (a 60-minute bucket starts on the hour).",
            );
        }
        if b.total < 0 || b.total > MAX_EVENTS {
            e.add(&f("total"), format!("From 0 to {MAX_EVENTS}."));
        }
        if b.good < 0 {
            e.add(&f("good"), "Not negative.");
        } else if b.good > b.total {
            e.add(&f("good"), "Cannot be more than total.");
        }
        if e.0.len() == before {
            out.push((
                i,
                Bucket {
                    index: i,
                    start: b.start,
                    minutes: b.minutes as i16,
                    good: b.good,
                    total: b.total,
                },
            ));
        }
    }
    out.sort_by_key(|(_, b)| b.start);
    for pair in out.windows(2) {
        let ((_, a), (j, b)) = (pair[0], pair[1]);
        if b.start < a.end() {
            e.add(
                &format!("buckets[{j}].start"),
                format!(
                    "Overlaps another bucket of this push starting at {}.",
                    a.start.format("%Y-%m-%dT%H:%MZ")
                ),
            );
        }
    }
    e.into_result(out.into_iter().map(|(_, b)| b).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }
    fn b(start: &str, minutes: i64, good: i64, total: i64) -> BucketIn {
        BucketIn {
            start: at(start),
            minutes,
            good,
            total,
        }
    }
    const NOW: &str = "2026-12-03T10:30:20Z";

    #[test]
    fn good_buckets_pass_sorted() {
        let batch = CountsBatch {
            buckets: vec![
                b("2026-12-03T10:01:00Z", 1, 5, 5),
                b("2026-12-03T10:00:00Z", 1, 9, 10),
                b("2026-12-03T09:00:00Z", 60, 0, 0),
            ],
        };
        let out = validate(&batch, at(NOW)).unwrap();
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].minutes, 60);
        assert_eq!(out[2].start, at("2026-12-03T10:01:00Z"));
    }

    #[test]
    fn each_bad_bucket_is_named() {
        let batch = CountsBatch {
            buckets: vec![
                b("2026-12-03T10:00:00Z", 1, 11, 10),
                b("2026-12-03T10:00:30Z", 1, 1, 1),
                b("2026-12-03T11:00:00Z", 1, 1, 1),
                b("2026-08-01T10:00:00Z", 1, 1, 1),
                b("2026-12-03T09:30:00Z", 60, 1, 1),
                b("2026-12-03T08:00:00Z", 1, -1, -1),
                b("2026-12-03T10:00:00Z", 60, 1, 1),
            ],
        };
        let e = validate(&batch, at(NOW)).unwrap_err();
        assert!(e
            .get("buckets[0].good")
            .unwrap()
            .contains("more than total"));
        assert!(e.get("buckets[1].start").unwrap().contains("whole minute"));
        assert_eq!(e.get("buckets[2].start"), Some("In the future."));
        assert!(e.get("buckets[3].start").unwrap().contains("retention"));
        assert!(e.get("buckets[4].minutes").unwrap().contains("clock hour"));
        assert!(e.get("buckets[5].total").is_some());
        assert!(e.get("buckets[5].good").is_some());
        assert!(e
            .get("buckets[6].minutes")
            .unwrap()
            .contains("Ends in the future"));
    }

    #[test]
    fn overlapping_buckets_in_one_push_are_refused() {
        let batch = CountsBatch {
            buckets: vec![
                b("2026-12-03T10:00:00Z", 5, 1, 1),
                b("2026-12-03T10:03:00Z", 1, 1, 1),
            ],
        };
        let e = validate(&batch, at(NOW)).unwrap_err();
        assert!(e.get("buckets[1].start").unwrap().contains("Overlaps"));
    }

    #[test]
    fn batch_size_is_bounded() {
        assert!(validate(&CountsBatch { buckets: vec![] }, at(NOW)).is_err());
        let many = CountsBatch {
            buckets: vec![b("2026-12-03T10:00:00Z", 1, 1, 1); MAX_BUCKETS + 1],
        };
        assert!(validate(&many, at(NOW))
            .unwrap_err()
            .get("buckets")
            .unwrap()
            .contains("At most"));
    }
}
