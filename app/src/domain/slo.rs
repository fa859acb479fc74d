//! SLO maths: objectives without float drift, windows, error budgets, burn rates, the
//! multiwindow multi-burn-rate alerts of the Google SRE Workbook (chapter 5) and the
//! error-budget policy state. Pure functions; the store only supplies good/total counts.
use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};

/// An objective in thousandths of a percent (99.95 % is 99 950), so 99.9 stays 99.9 in storage
/// and on screen: a float would store 99.9 as 99.900000000000006. In JSON it is the percentage
/// as a number (99.95), the shortest form that reads back to the same objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Objective(u32);

impl Serialize for Objective {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(f64::from(self.0) / 1000.0)
    }
}

impl<'de> Deserialize<'de> for Objective {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(f64),
            Text(String),
        }
        let parsed = match Raw::deserialize(d)? {
            Raw::Number(n) => Objective::parse(&n.to_string()),
            Raw::Text(t) => Objective::parse(&t),
        };
        parsed.map_err(serde::de::Error::custom)
    }
}

/// 100 % in the objective's unit.
const WHOLE: u32 = 100_000;

impl Objective {
    /// Above 0 and below 100, in thousandths of a percent.
    pub fn from_milli(milli: u32) -> Option<Objective> {
        (milli > 0 && milli < WHOLE).then_some(Objective(milli))
    }
    pub fn milli(self) -> u32 {
        self.0
    }
    /// Reads "99.95" or "99.95 %" as typed: digits, at most three decimals, above 0, below 100.
    pub fn parse(raw: &str) -> Result<Objective, String> {
        let s = raw.trim().trim_end_matches('%').trim();
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
        if s.is_empty() || int.is_empty() || !digits(int) || !digits(frac) || int.len() > 3 {
            return Err("Enter a percentage such as 99.9.".into());
        }
        if frac.len() > 3 {
            return Err("At most three decimals (for example 99.995).".into());
        }
        let whole: u32 = int
            .parse()
            .map_err(|_| "Enter a percentage such as 99.9.")?;
        let frac_milli: u32 = format!("{frac:0<3}").parse().unwrap_or(0);
        let milli = whole * 1000 + frac_milli;
        Objective::from_milli(milli).ok_or_else(|| "Above 0 and below 100.".to_string())
    }
    /// The share of events allowed to be bad, 1 − objective.
    pub fn error_ratio(self) -> f64 {
        f64::from(WHOLE - self.0) / f64::from(WHOLE)
    }
    /// The error budget as time: the share of `window` that may be bad, to the millisecond.
    pub fn budget_time(self, window: Duration) -> Duration {
        let ms =
            i128::from(window.num_milliseconds()) * i128::from(WHOLE - self.0) / i128::from(WHOLE);
        Duration::milliseconds(ms as i64)
    }
    /// From a tier policy's floor, stored as a percentage (rounded to the objective's unit).
    pub fn from_percent(p: f64) -> Option<Objective> {
        let milli = (p * 1000.0).round();
        (milli.is_finite() && milli > 0.0 && milli < f64::from(WHOLE))
            .then_some(Objective(milli as u32))
    }
}

impl std::fmt::Display for Objective {
    /// "99.95", "99.9", "99": no trailing zeros, never a float artefact.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (int, frac) = (self.0 / 1000, self.0 % 1000);
        if frac == 0 {
            write!(f, "{int}")
        } else {
            let frac = format!("{frac:03}");
            write!(f, "{int}.{}", frac.trim_end_matches('0'))
        }
    }
}

/// The period an SLO is judged over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SloWindow {
    /// The last `days` days (1–90), counted from the start of the current hour `days` ago.
    Rolling {
        days: u16,
    },
    /// Calendar periods in UTC: weeks start on Monday.
    Week,
    Month,
    Quarter,
}

pub const MAX_WINDOW_DAYS: u16 = 90;

impl SloWindow {
    /// The stored kind: "rolling", "week", "month" or "quarter".
    pub fn kind(self) -> &'static str {
        match self {
            SloWindow::Rolling { .. } => "rolling",
            SloWindow::Week => "week",
            SloWindow::Month => "month",
            SloWindow::Quarter => "quarter",
        }
    }
    pub fn days(self) -> Option<u16> {
        match self {
            SloWindow::Rolling { days } => Some(days),
            _ => None,
        }
    }
    pub fn from_parts(kind: &str, days: Option<i32>) -> Option<SloWindow> {
        match (kind, days) {
            ("rolling", Some(d)) if (1..=i32::from(MAX_WINDOW_DAYS)).contains(&d) => {
                Some(SloWindow::Rolling { days: d as u16 })
            }
            ("week", None) => Some(SloWindow::Week),
            ("month", None) => Some(SloWindow::Month),
            ("quarter", None) => Some(SloWindow::Quarter),
            _ => None,
        }
    }
    pub fn label(self) -> String {
        match self {
            SloWindow::Rolling { days: 1 } => "rolling 1 day".into(),
            SloWindow::Rolling { days } => format!("rolling {days} days"),
            SloWindow::Week => "calendar week".into(),
            SloWindow::Month => "calendar month".into(),
            SloWindow::Quarter => "calendar quarter".into(),
        }
    }

    /// The window that holds `now`: its start and its full length. Both start on a whole hour,
    /// so counts rolled up into hour buckets still sum exactly over any window.
    pub fn span(self, now: DateTime<Utc>) -> (DateTime<Utc>, Duration) {
        let day = |y: i32, m: u32, d: u32| {
            Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
                .single()
                .unwrap_or(now)
        };
        let next_month = |y: i32, m: u32, months: u32| {
            let idx = (m - 1) + months;
            day(y + (idx / 12) as i32, idx % 12 + 1, 1)
        };
        match self {
            SloWindow::Rolling { days } => {
                let hour = now
                    .with_minute(0)
                    .and_then(|t| t.with_second(0))
                    .and_then(|t| t.with_nanosecond(0))
                    .unwrap_or(now);
                let len = Duration::days(i64::from(days));
                (hour - len, len)
            }
            SloWindow::Week => {
                let monday = now.date_naive()
                    - Duration::days(i64::from(now.weekday().num_days_from_monday()));
                let start = day(monday.year(), monday.month(), monday.day());
                (start, Duration::days(7))
            }
            SloWindow::Month => {
                let start = day(now.year(), now.month(), 1);
                (start, next_month(now.year(), now.month(), 1) - start)
            }
            SloWindow::Quarter => {
                let first = (now.month() - 1) / 3 * 3 + 1;
                let start = day(now.year(), first, 1);
                (start, next_month(now.year(), first, 3) - start)
            }
        }
    }
}

/// Good and total events counted over some window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub good: i64,
    pub total: i64,
}

impl Counts {
    pub fn bad(self) -> i64 {
        self.total - self.good
    }
    /// good / total; None without events.
    pub fn attainment(self) -> Option<f64> {
        (self.total > 0).then(|| self.good as f64 / self.total as f64)
    }
    /// (bad / total) / (1 − objective): 1 spends the budget exactly over the window.
    pub fn burn_rate(self, objective: Objective) -> Option<f64> {
        (self.total > 0).then(|| (self.bad() as f64 / self.total as f64) / objective.error_ratio())
    }
    /// 1 − bad / ((1 − objective) × total): the share of the budget left, negative when overspent.
    pub fn budget_remaining(self, objective: Objective) -> Option<f64> {
        (self.total > 0).then(|| {
            let budget = objective.error_ratio() * self.total as f64;
            1.0 - self.bad() as f64 / budget
        })
    }
    /// The error budget in events: (1 − objective) × total.
    pub fn budget_events(self, objective: Objective) -> f64 {
        objective.error_ratio() * self.total as f64
    }
}

/// Burn rate that spends `share` of a `window`'s budget within `over`: share × window / over.
/// For 30 days, 2 % in 1 h is 14.4; the same share gives the right rate for any window.
pub fn burn_threshold(share: f64, window: Duration, over: Duration) -> f64 {
    share * window.num_seconds() as f64 / over.num_seconds() as f64
}

/// The share of a `window`'s budget that burning at `rate` for `over` spends.
pub fn budget_spent(rate: f64, window: Duration, over: Duration) -> f64 {
    rate * over.num_seconds() as f64 / window.num_seconds() as f64
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AlertSeverity {
    Ticket,
    Page,
}

impl AlertSeverity {
    pub fn label(self) -> &'static str {
        match self {
            AlertSeverity::Page => "page",
            AlertSeverity::Ticket => "ticket",
        }
    }
}

/// One multiwindow rule: fires when both the long and the short window burn at least the rate
/// that spends `budget_share` of the budget within the long window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertRule {
    pub severity: AlertSeverity,
    pub budget_share: f64,
    pub long: Duration,
    pub short: Duration,
}

/// The Workbook's recommended set: page on 2 % in 1 h or 5 % in 6 h, ticket on 10 % in 3 days.
pub fn alert_rules() -> [AlertRule; 3] {
    let rule = |severity, budget_share, long, short| AlertRule {
        severity,
        budget_share,
        long,
        short,
    };
    [
        rule(
            AlertSeverity::Page,
            0.02,
            Duration::hours(1),
            Duration::minutes(5),
        ),
        rule(
            AlertSeverity::Page,
            0.05,
            Duration::hours(6),
            Duration::minutes(30),
        ),
        rule(
            AlertSeverity::Ticket,
            0.10,
            Duration::days(3),
            Duration::hours(6),
        ),
    ]
}

/// The windows burn rates are reported over, shortest first: every alert rule's long and short
/// window. The store counts events over each of these.
pub fn burn_windows() -> [Duration; 6] {
    [
        Duration::minutes(5),
        Duration::minutes(30),
        Duration::hours(1),
        Duration::hours(6),
        Duration::days(1),
        Duration::days(3),
    ]
}

/// "5m", "1h", "3d".
pub fn duration_label(d: Duration) -> String {
    let m = d.num_minutes();
    if m % 1440 == 0 {
        format!("{}d", m / 1440)
    } else if m % 60 == 0 {
        format!("{}h", m / 60)
    } else {
        format!("{m}m")
    }
}

/// The error-budget policy state of an SLO (and of a service: its worst SLO's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum BudgetState {
    Ok,
    /// Not judged: no data, too few events, or a failing source. Never counted as healthy.
    Unknown,
    /// A ticket or page alert fires, or less than the policy's share of budget is left.
    AtRisk,
    /// No budget left: feature freeze for the service until it recovers.
    Exhausted,
}

impl BudgetState {
    pub const ALL: [BudgetState; 4] = [
        BudgetState::Exhausted,
        BudgetState::AtRisk,
        BudgetState::Unknown,
        BudgetState::Ok,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetState::Ok => "ok",
            BudgetState::Unknown => "unknown",
            BudgetState::AtRisk => "at-risk",
            BudgetState::Exhausted => "exhausted",
        }
    }
    pub fn parse(s: &str) -> Option<BudgetState> {
        BudgetState::ALL
            .into_iter()
            .find(|b| b.as_str() == s.trim())
    }
    pub fn label(self) -> &'static str {
        match self {
            BudgetState::Ok => "OK",
            BudgetState::Unknown => "Unknown",
            BudgetState::AtRisk => "At risk",
            BudgetState::Exhausted => "Exhausted · freeze",
        }
    }
    /// The worst of several (a service's state); None when there are none.
    pub fn worst(states: impl IntoIterator<Item = BudgetState>) -> Option<BudgetState> {
        states.into_iter().max()
    }
}

/// The thresholds of the error-budget policy (per tier, with these defaults).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BudgetPolicy {
    /// At risk below this share of budget left.
    pub at_risk_below: f64,
    /// Fewer events than this in the window: too few to judge.
    pub min_events: i64,
}

impl Default for BudgetPolicy {
    fn default() -> Self {
        BudgetPolicy {
            at_risk_below: 0.25,
            min_events: 100,
        }
    }
}

/// Counts over the SLO's window and over each of `burn_windows()`, in that order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SloCounts {
    pub window: Counts,
    pub burn: Vec<Counts>,
}

/// An alert rule's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertStatus {
    pub severity: AlertSeverity,
    /// "2 % in 1h (14.4×, confirmed over 5m)".
    pub description: String,
    pub threshold: f64,
    pub long_burn: Option<f64>,
    pub short_burn: Option<f64>,
    pub firing: bool,
}

/// Everything the pages show about one SLO at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloFigures {
    pub computed_at: DateTime<Utc>,
    pub window_start: DateTime<Utc>,
    pub counts: Counts,
    pub attainment: Option<f64>,
    pub budget_remaining: Option<f64>,
    /// The budget as time over the full window (99.9 % over 30 days: 43.2 minutes).
    pub budget_time_secs: i64,
    /// (window label, burn rate) for each of `burn_windows()`.
    pub burn_rates: Vec<(String, Option<f64>)>,
    pub alerts: Vec<AlertStatus>,
    /// At the last hour's burn rate, when the budget runs out; None if it does not.
    pub exhausted_in_secs: Option<i64>,
    pub state: BudgetState,
    /// Why the state is what it is, in a sentence.
    pub reason: String,
}

/// Evaluates one SLO from its counts. `source_error` is a failing source's message: then the
/// state is unknown, whatever the counts say.
pub fn evaluate(
    objective: Objective,
    window: SloWindow,
    now: DateTime<Utc>,
    counts: &SloCounts,
    policy: &BudgetPolicy,
    source_error: Option<&str>,
) -> SloFigures {
    let (window_start, window_len) = window.span(now);
    let burn_at = |d: Duration| {
        burn_windows()
            .iter()
            .position(|w| *w == d)
            .and_then(|i| counts.burn.get(i))
            .and_then(|c| c.burn_rate(objective))
    };
    let alerts: Vec<AlertStatus> = alert_rules()
        .iter()
        .map(|r| {
            // Never below 1×: burning no faster than the budget allows is no reason to alert,
            // though in a short window a share-derived threshold would fall under it.
            let threshold = burn_threshold(r.budget_share, window_len, r.long).max(1.0);
            let (long_burn, short_burn) = (burn_at(r.long), burn_at(r.short));
            let firing = matches!((long_burn, short_burn), (Some(l), Some(s)) if l >= threshold && s >= threshold);
            AlertStatus {
                severity: r.severity,
                description: format!(
                    "{} % of budget in {} ({}×, confirmed over {})",
                    r.budget_share * 100.0,
                    duration_label(r.long),
                    round2(threshold),
                    duration_label(r.short)
                ),
                threshold,
                long_burn,
                short_burn,
                firing,
            }
        })
        .collect();
    let remaining = counts.window.budget_remaining(objective);
    let hour_burn = burn_at(Duration::hours(1));
    let hour_total = burn_windows()
        .iter()
        .position(|w| *w == Duration::hours(1))
        .and_then(|i| counts.burn.get(i))
        .map_or(0, |c| c.total);
    // At burn b > 1 and the last hour's event rate, the budget left (a share of the budget of
    // the window's T events so far) is gone after n more events: left·T / (b − 1). At b ≤ 1
    // it never is. A calendar window starts afresh at its end, so later is "not in this window".
    let window_end = window_start + window_len;
    let exhausted_in_secs = match (remaining, hour_burn) {
        (Some(left), Some(b)) if left > 0.0 && b > 1.0 && hour_total > 0 => {
            let rate = hour_total as f64 / 3600.0;
            let secs = (left * counts.window.total as f64 / ((b - 1.0) * rate)) as i64;
            let calendar = !matches!(window, SloWindow::Rolling { .. });
            (!calendar || now + Duration::seconds(secs) < window_end).then_some(secs)
        }
        _ => None,
    };
    let firing = alerts.iter().filter(|a| a.firing).map(|a| a.severity).max();
    let (state, reason) = if let Some(e) = source_error {
        (BudgetState::Unknown, e.to_string())
    } else if counts.window.total < policy.min_events {
        (
            BudgetState::Unknown,
            format!(
                "Too few events to judge: {} in the window, at least {} needed.",
                counts.window.total, policy.min_events
            ),
        )
    } else {
        let left = remaining.unwrap_or(0.0);
        if left <= 0.0 {
            (
                BudgetState::Exhausted,
                "The error budget is spent: feature freeze until it recovers.".to_string(),
            )
        } else if let Some(sev) = firing {
            (
                BudgetState::AtRisk,
                format!("A {} alert is firing.", sev.label()),
            )
        } else if left < policy.at_risk_below {
            (
                BudgetState::AtRisk,
                format!(
                    "Less than {} % of the budget is left.",
                    round2(policy.at_risk_below * 100.0)
                ),
            )
        } else {
            (BudgetState::Ok, "Within budget.".to_string())
        }
    };
    SloFigures {
        computed_at: now,
        window_start,
        counts: counts.window,
        attainment: counts.window.attainment(),
        budget_remaining: remaining,
        budget_time_secs: objective.budget_time(window_len).num_seconds(),
        burn_rates: burn_windows()
            .iter()
            .map(|d| (duration_label(*d), burn_at(*d)))
            .collect(),
        alerts,
        exhausted_in_secs,
        state,
        reason,
    }
}

/// One day of an SLO's window: that day's SLI and the budget left at its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayPoint {
    pub day: chrono::NaiveDate,
    /// good / total of the day alone; None on a day without events.
    pub sli: Option<f64>,
    /// Budget left from the window's start to the end of the day; None before any event.
    pub budget_remaining: Option<f64>,
}

/// The burn-down: per-day counts (in order, days without a row have none) accumulated from
/// the window's start.
pub fn burn_down(objective: Objective, days: &[(chrono::NaiveDate, Counts)]) -> Vec<DayPoint> {
    let mut sum = Counts::default();
    days.iter()
        .map(|(day, c)| {
            sum.good += c.good;
            sum.total += c.total;
            DayPoint {
                day: *day,
                sli: c.attainment(),
                budget_remaining: sum.budget_remaining(objective),
            }
        })
        .collect()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// "43m 12s", "2d 4h": how people read a budget or a time left.
pub fn human_duration(secs: i64) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) if s == 0 => format!("{m}m"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

/// 10040830 → "10,040,830".
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("−{out}")
    } else {
        out
    }
}

/// A share as people read it: "99.93 %", "−12.5 %".
pub fn percent(x: f64) -> String {
    let p = x * 100.0;
    let s = if p.abs() >= 99.0 && p.abs() < 100.0 {
        format!("{p:.3}")
    } else {
        format!("{p:.1}")
    };
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{} %", s.replace('-', "−"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn obj(s: &str) -> Objective {
        Objective::parse(s).unwrap()
    }

    #[test]
    fn objectives_parse_and_print_without_float_drift() {
        for s in ["99", "99.5", "99.9", "99.95", "99.999", "0.001", "50"] {
            assert_eq!(obj(s).to_string(), s);
        }
        assert_eq!(obj("99.90").to_string(), "99.9");
        assert_eq!(obj(" 99.9 % ").milli(), 99_900);
        for bad in [
            "", "100", "0", "0.000", "99.9999", "abc", "-1", "99,9", "1e2", ".",
        ] {
            assert!(Objective::parse(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(Objective::from_percent(99.95), Some(obj("99.95")));
        // JSON carries the percentage, and reads back to the same objective.
        let json = serde_json::to_string(&obj("99.95")).unwrap();
        assert_eq!(json, "99.95");
        assert_eq!(
            serde_json::from_str::<Objective>(&json).unwrap(),
            obj("99.95")
        );
        assert!(serde_json::from_str::<Objective>("99.9999").is_err());
    }

    #[test]
    fn workbook_budget_of_99_9_over_30_days_is_43_2_minutes() {
        let (_, len) = SloWindow::Rolling { days: 30 }.span(at("2026-12-03T10:17:00Z"));
        assert_eq!(
            obj("99.9").budget_time(len),
            Duration::milliseconds(2_592_000)
        );
        assert_eq!(
            human_duration(obj("99.9").budget_time(len).num_seconds()),
            "43m 12s"
        );
    }

    #[test]
    fn workbook_burn_thresholds_for_30_days() {
        let w = Duration::days(30);
        let t: Vec<f64> = alert_rules()
            .iter()
            .map(|r| round2(burn_threshold(r.budget_share, w, r.long)))
            .collect();
        assert_eq!(t, vec![14.4, 6.0, 1.0]);
        // 14.4× for an hour spends 2 % of a 30-day budget.
        assert!((budget_spent(14.4, w, Duration::hours(1)) - 0.02).abs() < 1e-12);
    }

    #[test]
    fn thresholds_follow_the_window_28_days_and_a_calendar_month() {
        let t28 = burn_threshold(0.02, Duration::days(28), Duration::hours(1));
        assert!((t28 - 13.44).abs() < 1e-9);
        // December has 31 days: 2 % of its budget in an hour is 14.88×.
        let (start, len) = SloWindow::Month.span(at("2026-12-15T08:00:00Z"));
        assert_eq!(start, at("2026-12-01T00:00:00Z"));
        assert_eq!(len, Duration::days(31));
        assert!((burn_threshold(0.02, len, Duration::hours(1)) - 14.88).abs() < 1e-9);
        // February 2027 has 28.
        assert_eq!(
            SloWindow::Month.span(at("2027-02-10T00:00:00Z")).1,
            Duration::days(28)
        );
    }

    #[test]
    fn calendar_windows_start_where_people_expect() {
        // 2026-12-03 is a Thursday.
        let now = at("2026-12-03T10:17:42Z");
        assert_eq!(
            SloWindow::Week.span(now),
            (at("2026-11-30T00:00:00Z"), Duration::days(7))
        );
        let (q, qlen) = SloWindow::Quarter.span(now);
        assert_eq!(q, at("2026-10-01T00:00:00Z"));
        assert_eq!(qlen, Duration::days(92));
        let (q1, _) = SloWindow::Quarter.span(at("2027-03-31T23:59:00Z"));
        assert_eq!(q1, at("2027-01-01T00:00:00Z"));
        // Rolling windows start on the hour, so hour buckets sum exactly.
        let (r, rlen) = SloWindow::Rolling { days: 7 }.span(now);
        assert_eq!(r, at("2026-11-26T10:00:00Z"));
        assert_eq!(rlen, Duration::days(7));
    }

    #[test]
    fn windows_parse_from_their_stored_parts() {
        assert_eq!(
            SloWindow::from_parts("rolling", Some(28)),
            Some(SloWindow::Rolling { days: 28 })
        );
        assert_eq!(SloWindow::from_parts("rolling", Some(0)), None);
        assert_eq!(SloWindow::from_parts("rolling", Some(91)), None);
        assert_eq!(SloWindow::from_parts("rolling", None), None);
        assert_eq!(SloWindow::from_parts("month", None), Some(SloWindow::Month));
        assert_eq!(SloWindow::from_parts("month", Some(3)), None);
    }

    #[test]
    fn budget_attainment_and_burn_rate() {
        let c = Counts {
            good: 999_500,
            total: 1_000_000,
        };
        let o = obj("99.9");
        assert_eq!(c.attainment(), Some(0.9995));
        // 500 bad of a 1,000-event budget: half left, burning at half the sustainable rate.
        assert!((c.budget_remaining(o).unwrap() - 0.5).abs() < 1e-9);
        assert!((c.burn_rate(o).unwrap() - 0.5).abs() < 1e-9);
        let over = Counts {
            good: 998_000,
            total: 1_000_000,
        };
        assert!((over.budget_remaining(o).unwrap() + 1.0).abs() < 1e-9);
        assert_eq!(Counts::default().budget_remaining(o), None);
        assert_eq!(Counts::default().burn_rate(o), None);
    }

    fn counts(window: (i64, i64), burn: (i64, i64)) -> SloCounts {
        let c = |(good, total)| Counts { good, total };
        SloCounts {
            window: c(window),
            burn: vec![c(burn); burn_windows().len()],
        }
    }

    #[test]
    fn states_from_counts() {
        let o = obj("99.9");
        let now = at("2026-12-03T10:00:00Z");
        let w = SloWindow::Rolling { days: 30 };
        let p = BudgetPolicy::default();
        let ok = evaluate(
            o,
            w,
            now,
            &counts((1_000_000, 1_000_000), (1000, 1000)),
            &p,
            None,
        );
        assert_eq!(ok.state, BudgetState::Ok);
        assert!(ok.alerts.iter().all(|a| !a.firing));
        assert_eq!(ok.exhausted_in_secs, None);
        // 2 % bad right now: 20× burn in every window pages, though the budget is half left.
        let paging = evaluate(
            o,
            w,
            now,
            &counts((999_500, 1_000_000), (980, 1000)),
            &p,
            None,
        );
        assert_eq!(paging.state, BudgetState::AtRisk);
        assert!(paging.alerts[0].firing && paging.alerts[0].severity == AlertSeverity::Page);
        // Half of a 1,000-event budget left, at 20× and 1,000 events an hour: 500 more bad
        // events need 500 / (0.001 × 19) ≈ 26,316 more events, 26.3 hours.
        let secs = paging.exhausted_in_secs.unwrap();
        assert!((secs - 94_736).abs() <= 1, "{secs}");
        // At or below 1× the budget never runs out.
        let slow = evaluate(
            o,
            w,
            now,
            &counts((999_500, 1_000_000), (1000, 1000)),
            &p,
            None,
        );
        assert_eq!(slow.exhausted_in_secs, None);
        let low = evaluate(
            o,
            w,
            now,
            &counts((999_200, 1_000_000), (1000, 1000)),
            &p,
            None,
        );
        assert_eq!(low.state, BudgetState::AtRisk, "{}", low.reason);
        let spent = evaluate(
            o,
            w,
            now,
            &counts((998_000, 1_000_000), (1000, 1000)),
            &p,
            None,
        );
        assert_eq!(spent.state, BudgetState::Exhausted);
        let few = evaluate(o, w, now, &counts((10, 10), (10, 10)), &p, None);
        assert_eq!(few.state, BudgetState::Unknown);
        let failing = evaluate(
            o,
            w,
            now,
            &counts((1_000_000, 1_000_000), (1000, 1000)),
            &p,
            Some("connection refused"),
        );
        assert_eq!(failing.state, BudgetState::Unknown);
        assert!(failing.reason.contains("connection refused"));
    }

    #[test]
    fn no_alert_threshold_is_below_one_in_a_short_window() {
        // A 7-day window would give the ticket rule 10 % × 7d / 3d = 0.23×: floored at 1×.
        let o = obj("99.9");
        let f = evaluate(
            o,
            SloWindow::Rolling { days: 7 },
            at("2026-12-03T10:00:00Z"),
            &counts((999_500, 1_000_000), (9995, 10_000)),
            &BudgetPolicy::default(),
            None,
        );
        assert!(
            f.alerts.iter().all(|a| a.threshold >= 1.0),
            "{:?}",
            f.alerts
        );
        assert!(f.alerts.iter().all(|a| !a.firing), "0.5× fired");
        assert_eq!(f.state, BudgetState::Ok);
    }

    #[test]
    fn a_short_spike_alone_does_not_page() {
        // The multiwindow rule: 5 minutes at 100 % bad but a calm hour is not a page.
        let o = obj("99.9");
        let mut c = counts((1_000_000, 1_000_000), (10_000, 10_000));
        c.burn[0] = Counts {
            good: 0,
            total: 100,
        };
        let f = evaluate(
            o,
            SloWindow::Rolling { days: 30 },
            at("2026-12-03T10:00:00Z"),
            &c,
            &BudgetPolicy::default(),
            None,
        );
        assert!(f.alerts.iter().all(|a| !a.firing));
        assert_eq!(f.state, BudgetState::Ok);
    }

    #[test]
    fn a_service_takes_its_worst_state() {
        use BudgetState::*;
        assert_eq!(BudgetState::worst([Ok, Unknown, AtRisk]), Some(AtRisk));
        assert_eq!(BudgetState::worst([Ok, Unknown]), Some(Unknown));
        assert_eq!(BudgetState::worst([Exhausted, Ok]), Some(Exhausted));
        assert_eq!(BudgetState::worst([]), None);
        for s in BudgetState::ALL {
            assert_eq!(BudgetState::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn the_burn_down_accumulates_from_the_window_start() {
        let d = |n: u32| chrono::NaiveDate::from_ymd_opt(2026, 12, n).unwrap();
        let c = |good, total| Counts { good, total };
        let points = burn_down(
            obj("99"),
            &[(d(1), c(0, 0)), (d(2), c(995, 1000)), (d(3), c(985, 1000))],
        );
        assert_eq!(points[0].budget_remaining, None);
        assert_eq!(points[0].sli, None);
        // Day 2: 5 bad of a 10-event budget; day 3: 20 bad of 20.
        assert!((points[1].budget_remaining.unwrap() - 0.5).abs() < 1e-9);
        assert!((points[2].budget_remaining.unwrap() - 0.0).abs() < 1e-9);
        assert_eq!(points[2].sli, Some(0.985));
    }

    #[test]
    fn figures_read_as_people_write_them() {
        assert_eq!(percent(0.9995), "99.95 %");
        assert_eq!(percent(0.5), "50 %");
        assert_eq!(thousands(10_040_830), "10,040,830");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(-1000), "−1,000");
        assert_eq!(percent(-0.125), "−12.5 %");
        assert_eq!(human_duration(18 * 3600), "18h 0m");
        assert_eq!(human_duration(3 * 86_400 + 7200), "3d 2h");
        assert_eq!(duration_label(Duration::minutes(30)), "30m");
        assert_eq!(duration_label(Duration::days(3)), "3d");
    }
}
