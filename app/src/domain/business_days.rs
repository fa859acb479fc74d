//! The business-day clock postmortem deadlines run on: weekends and the organisation's holidays
//! do not count, and days are the days of the organisation's time zone, not UTC's.
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

pub fn is_business_day(d: NaiveDate, holidays: &[NaiveDate]) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !holidays.contains(&d)
}

/// The day, in `zone`, the deadline of `days` business days after `from` falls on: the
/// `days`-th business day after the local day of `from` (that day itself never counts, so an
/// incident resolved on Friday evening with 3 days is due on Wednesday). Zero days is the next
/// business day at the latest: a deadline never falls on a weekend or holiday.
pub fn due_date(
    from: DateTime<Utc>,
    zone: chrono_tz::Tz,
    days: u32,
    holidays: &[NaiveDate],
) -> NaiveDate {
    let mut d = from.with_timezone(&zone).date_naive();
    let mut left = days.max(1);
    // Bounded: a year of holidays cannot hide every weekday for long.
    for _ in 0..3660 {
        d += Duration::days(1);
        if is_business_day(d, holidays) {
            left -= 1;
            if left == 0 {
                break;
            }
        }
    }
    d
}

/// Where a deadline stands, counted in business days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Due {
    /// Due after today: this many business days from today to the due day.
    In(i64),
    Today,
    /// Past: this many business days since the due day.
    Overdue(i64),
}

impl Due {
    pub fn label(self) -> String {
        match self {
            Due::In(1) => "due tomorrow".into(),
            Due::In(n) => format!("due in {n} business days"),
            Due::Today => "due today".into(),
            Due::Overdue(1) => "overdue by 1 business day".into(),
            Due::Overdue(n) => format!("overdue by {n} business days"),
        }
    }
    pub fn is_overdue(self) -> bool {
        matches!(self, Due::Overdue(_))
    }
}

/// Business days strictly after `a` up to and including `b` (a < b).
fn business_days_between(a: NaiveDate, b: NaiveDate, holidays: &[NaiveDate]) -> i64 {
    let mut n = 0;
    let mut d = a;
    while d < b {
        d += Duration::days(1);
        if is_business_day(d, holidays) {
            n += 1;
        }
    }
    n
}

/// A deadline on day `due` (through its end, in `zone`) as of `now`.
pub fn due_status(
    due: NaiveDate,
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
    holidays: &[NaiveDate],
) -> Due {
    let today = now.with_timezone(&zone).date_naive();
    if today == due {
        Due::Today
    } else if today < due {
        Due::In(business_days_between(today, due, holidays).max(1))
    } else {
        Due::Overdue(business_days_between(due, today, holidays).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }
    const UTC: chrono_tz::Tz = chrono_tz::UTC;

    #[test]
    fn friday_evening_skips_the_weekend() {
        // Friday 2026-12-04, 19:00: Monday, Tuesday, Wednesday.
        assert_eq!(
            due_date(at("2026-12-04T19:00:00Z"), UTC, 3, &[]),
            day("2026-12-09")
        );
        assert_eq!(
            due_date(at("2026-12-04T19:00:00Z"), UTC, 1, &[]),
            day("2026-12-07")
        );
        // Saturday counts as the Friday before it would: Monday is the first business day.
        assert_eq!(
            due_date(at("2026-12-05T09:00:00Z"), UTC, 1, &[]),
            day("2026-12-07")
        );
    }

    #[test]
    fn holidays_do_not_count() {
        let holidays = [day("2026-12-24"), day("2026-12-25"), day("2026-12-28")];
        // Wednesday 23 December: 24, 25 holidays, 26-27 weekend, 28 holiday → 29, 30, 31.
        assert_eq!(
            due_date(at("2026-12-23T10:00:00Z"), UTC, 3, &holidays),
            day("2026-12-31")
        );
    }

    #[test]
    fn month_and_year_ends_roll_over() {
        // Thursday 30 April 2026, 5 days: 1 (Fri), 4, 5, 6, 7 May.
        assert_eq!(
            due_date(at("2026-04-30T12:00:00Z"), UTC, 5, &[]),
            day("2026-05-07")
        );
        // Thursday 31 December 2026, 3 days: 1 (Fri), 4, 5 January.
        assert_eq!(
            due_date(at("2026-12-31T12:00:00Z"), UTC, 3, &[]),
            day("2027-01-05")
        );
    }

    #[test]
    fn days_are_the_zones_days() {
        // 23:30 UTC on Friday is already Saturday in Tokyo, but still Friday afternoon in Los
        // Angeles: the same moment has different first business days.
        let t = at("2026-12-04T23:30:00Z");
        let tokyo: chrono_tz::Tz = "Asia/Tokyo".parse().unwrap();
        let la: chrono_tz::Tz = "America/Los_Angeles".parse().unwrap();
        assert_eq!(due_date(t, tokyo, 1, &[]), day("2026-12-07"));
        assert_eq!(due_date(t, la, 1, &[]), day("2026-12-07"));
        // Thursday 23:30 UTC: Friday in Tokyo (due Monday), Thursday in LA (due Friday).
        let t = at("2026-12-03T23:30:00Z");
        assert_eq!(due_date(t, tokyo, 1, &[]), day("2026-12-07"));
        assert_eq!(due_date(t, la, 1, &[]), day("2026-12-04"));
    }

    #[test]
    fn due_and_overdue_count_business_days() {
        let due = day("2026-12-09"); // Wednesday
        assert_eq!(
            due_status(due, at("2026-12-09T08:00:00Z"), UTC, &[]),
            Due::Today
        );
        assert_eq!(
            due_status(due, at("2026-12-04T08:00:00Z"), UTC, &[]),
            Due::In(3)
        );
        assert_eq!(
            due_status(due, at("2026-12-14T08:00:00Z"), UTC, &[]),
            Due::Overdue(3)
        );
        assert_eq!(Due::Overdue(3).label(), "overdue by 3 business days");
        assert!(Due::Overdue(1).is_overdue() && !Due::Today.is_overdue());
        // The end of the due day in the zone, not UTC: 23:30 UTC Wednesday is Thursday in Tokyo.
        let tokyo: chrono_tz::Tz = "Asia/Tokyo".parse().unwrap();
        assert_eq!(
            due_status(due, at("2026-12-09T23:30:00Z"), tokyo, &[]),
            Due::Overdue(1)
        );
    }
}
