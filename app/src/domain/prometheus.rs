//! Prometheus as an SLO's source: the queries the evaluator sends, how it reads the answers,
//! and how per-second rates become the event counts the budget maths take.
//!
//! As in Sloth's spec, a Prometheus SLO's queries give per-second rates of bad and of all events
//! over `{{.window}}` (`sum(rate(x[{{.window}}]))`). Over a window of `s` seconds, a rate `r`
//! is `r × s` events, so the budget, burn rates and "too few events" work exactly as for pushed
//! counts.
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

use super::slo::{burn_windows, Counts, SloCounts};
use super::slo_form::WINDOW_PLACEHOLDER;

/// A range for PromQL: "5m", "1h", "3d", or seconds when nothing larger divides it.
pub fn range(d: Duration) -> String {
    let s = d.num_seconds().max(1);
    if s % 86_400 == 0 {
        format!("{}d", s / 86_400)
    } else if s % 3600 == 0 {
        format!("{}h", s / 3600)
    } else if s % 60 == 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

/// The query with its window placeholder replaced by `d`.
pub fn render(query: &str, d: Duration) -> String {
    query.replace(WINDOW_PLACEHOLDER, &range(d))
}

/// The windows an SLO is evaluated over: its own (so far) and then every burn-rate window,
/// in the order `SloCounts::burn` keeps them.
pub fn windows(slo_window: Duration) -> Vec<Duration> {
    std::iter::once(slo_window).chain(burn_windows()).collect()
}

/// One query's answer, from the body of `/api/v1/query`: the value of its single series, or
/// `None` when no series matched (no bad events is an empty answer, not a failure).
pub fn parse_answer(body: &[u8]) -> Result<Option<f64>, String> {
    #[derive(Deserialize)]
    struct Answer {
        status: String,
        #[serde(default)]
        error: String,
        data: Option<Data>,
    }
    #[derive(Deserialize)]
    #[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
    enum Data {
        Vector(Vec<Sample>),
        Scalar((f64, String)),
        Matrix(serde::de::IgnoredAny),
        String(serde::de::IgnoredAny),
    }
    #[derive(Deserialize)]
    struct Sample {
        value: (f64, String),
    }
    let a: Answer = serde_json::from_slice(body).map_err(|_| {
        "Prometheus answered with something that is not its query API's JSON".to_string()
    })?;
    if a.status != "success" {
        return Err(format!("Prometheus refused the query: {}", clip(&a.error)));
    }
    let raw = match a.data {
        Some(Data::Vector(v)) if v.is_empty() => return Ok(None),
        Some(Data::Vector(v)) if v.len() == 1 => v.into_iter().next().map(|s| s.value.1),
        Some(Data::Vector(v)) => {
            return Err(format!(
                "the query returned {} series; wrap it in sum(…) to return one",
                v.len()
            ))
        }
        Some(Data::Scalar((_, v))) => Some(v),
        _ => return Err("the query must return an instant vector or a scalar".to_string()),
    };
    let value: f64 = raw
        .as_deref()
        .unwrap_or("")
        .parse()
        .map_err(|_| "Prometheus returned a value that is not a number".to_string())?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("the query returned {value}, not a rate of events"));
    }
    Ok(Some(value))
}

/// Long error texts from Prometheus are cut: they are shown on pages.
fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(300).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Events over `d` at a per-second `rate`.
fn events(rate: f64, d: Duration) -> i64 {
    (rate * d.num_seconds() as f64).round() as i64
}

/// Good/total over a window from the bad and total rates over it. Bad events can never exceed
/// all events: scrapes of the two series a moment apart can say so, and are clamped.
pub fn counts(bad_rate: Option<f64>, total_rate: Option<f64>, d: Duration) -> Counts {
    let total = events(total_rate.unwrap_or(0.0), d);
    let bad = events(bad_rate.unwrap_or(0.0), d).min(total);
    Counts {
        good: total - bad,
        total,
    }
}

/// The counts of every window from `(bad, total)` rates in the order of `windows()`.
pub fn slo_counts(rates: &[(Option<f64>, Option<f64>)], slo_window: Duration) -> SloCounts {
    let mut per = windows(slo_window)
        .into_iter()
        .zip(rates)
        .map(|(d, (bad, total))| counts(*bad, *total, d));
    SloCounts {
        window: per.next().unwrap_or_default(),
        burn: per.collect(),
    }
}

/// What the evaluator's results were computed from: figures for another definition are stale.
pub fn signature(
    error_query: &str,
    total_query: &str,
    window_kind: &str,
    days: Option<u16>,
) -> String {
    format!(
        "{window_kind}:{}\n{error_query}\n{total_query}",
        days.unwrap_or(0)
    )
}

/// The evaluator's latest answer for one SLO, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub signature: String,
    pub evaluated_at: DateTime<Utc>,
    pub succeeded_at: Option<DateTime<Utc>>,
    /// Good and total per window, in the order of `windows()`.
    pub good: Vec<i64>,
    pub total: Vec<i64>,
    pub failing_since: Option<DateTime<Utc>>,
    pub failure: String,
}

/// Answers older than this are not figures any more: the evaluator has stopped running.
pub fn stale_after() -> Duration {
    Duration::minutes(5)
}

/// What a page shows for a Prometheus SLO: the counts, the moment they are from, and why they
/// cannot be judged, if they cannot. No answer, an answer for another definition, a failing
/// source and a stale answer are all "unknown" with the reason, never healthy.
pub fn judge(
    answer: Option<&Answer>,
    signature: &str,
    now: DateTime<Utc>,
) -> (SloCounts, DateTime<Utc>, Option<String>) {
    let Some(a) = answer.filter(|a| a.signature == signature) else {
        return (
            SloCounts::default(),
            now,
            Some("Not evaluated yet: the evaluator queries Prometheus every minute.".to_string()),
        );
    };
    let counts = {
        let mut per = a
            .good
            .iter()
            .zip(&a.total)
            .map(|(&good, &total)| Counts { good, total });
        SloCounts {
            window: per.next().unwrap_or_default(),
            burn: per.collect(),
        }
    };
    let at = a.succeeded_at.unwrap_or(a.evaluated_at);
    let error = if let Some(since) = a.failing_since {
        Some(format!(
            "Unknown since {} UTC: {}.",
            since.format("%Y-%m-%d %H:%M"),
            a.failure
        ))
    } else if now - a.evaluated_at > stale_after() {
        Some(format!(
            "The last answer from Prometheus is from {} UTC; the evaluator has not run since.",
            a.evaluated_at.format("%Y-%m-%d %H:%M")
        ))
    } else {
        None
    };
    (counts, at, error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_use_the_largest_whole_unit() {
        assert_eq!(range(Duration::minutes(5)), "5m");
        assert_eq!(range(Duration::hours(6)), "6h");
        assert_eq!(range(Duration::days(30)), "30d");
        assert_eq!(range(Duration::seconds(90)), "90s");
        assert_eq!(range(Duration::minutes(90)), "90m");
        assert_eq!(
            render(
                "sum(rate(x[{{.window}}])) / sum(rate(y[{{.window}}]))",
                Duration::hours(1)
            ),
            "sum(rate(x[1h])) / sum(rate(y[1h]))"
        );
    }

    #[test]
    fn windows_are_the_slo_window_then_every_burn_window() {
        let w = windows(Duration::days(28));
        assert_eq!(w.len(), 1 + burn_windows().len());
        assert_eq!(w[0], Duration::days(28));
        assert_eq!(w[1], Duration::minutes(5));
    }

    #[test]
    fn reads_a_vector_a_scalar_and_an_empty_answer() {
        let one = br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000.5,"0.25"]}]}}"#;
        assert_eq!(parse_answer(one), Ok(Some(0.25)));
        let none = br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;
        assert_eq!(parse_answer(none), Ok(None));
        let scalar =
            br#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"3"]}}"#;
        assert_eq!(parse_answer(scalar), Ok(Some(3.0)));
    }

    #[test]
    fn refuses_what_is_not_one_rate() {
        let two = br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[1,"1"]},{"metric":{"a":"2"},"value":[1,"2"]}]}}"#;
        assert!(parse_answer(two).unwrap_err().contains("2 series"));
        let bad = br#"{"status":"error","errorType":"bad_data","error":"parse error at char 4"}"#;
        assert!(parse_answer(bad)
            .unwrap_err()
            .contains("parse error at char 4"));
        let nan = br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]}]}}"#;
        assert!(parse_answer(nan).is_err());
        let matrix = br#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#;
        assert!(parse_answer(matrix).is_err());
        assert!(parse_answer(b"<html>proxy error</html>").is_err());
    }

    #[test]
    fn rates_become_events_over_the_window() {
        // 10 requests/s over an hour, 0.1 % of them bad.
        let c = counts(Some(0.01), Some(10.0), Duration::hours(1));
        assert_eq!(
            c,
            Counts {
                good: 35_964,
                total: 36_000
            }
        );
        // No bad series at all is no bad events.
        assert_eq!(
            counts(None, Some(1.0), Duration::minutes(5)),
            Counts {
                good: 300,
                total: 300
            }
        );
        // Bad ahead of total (scraped a moment apart) is clamped.
        assert_eq!(
            counts(Some(2.0), Some(1.0), Duration::minutes(1)),
            Counts { good: 0, total: 60 }
        );
    }

    #[test]
    fn slo_counts_follow_the_windows_order() {
        let rates: Vec<(Option<f64>, Option<f64>)> =
            (0..7).map(|_| (Some(0.001), Some(1.0))).collect();
        let c = slo_counts(&rates, Duration::days(30));
        assert_eq!(c.window.total, 30 * 86_400);
        assert_eq!(c.burn.len(), 6);
        assert_eq!(
            c.burn[0],
            Counts {
                good: 300,
                total: 300
            }
        );
        assert_eq!(c.burn[2].total, 3600);
        assert_eq!(c.burn[2].bad(), 4);
    }

    fn answer(at: DateTime<Utc>) -> Answer {
        Answer {
            signature: "s".into(),
            evaluated_at: at,
            succeeded_at: Some(at),
            good: vec![990, 99, 100, 100, 100, 100, 100],
            total: vec![1000, 100, 100, 100, 100, 100, 100],
            failing_since: None,
            failure: String::new(),
        }
    }

    #[test]
    fn a_fresh_answer_is_judged_as_of_its_evaluation() {
        let at = Utc::now() - Duration::seconds(30);
        let (c, when, error) = judge(Some(&answer(at)), "s", Utc::now());
        assert_eq!(error, None);
        assert_eq!(when, at);
        assert_eq!(
            c.window,
            Counts {
                good: 990,
                total: 1000
            }
        );
        assert_eq!(
            c.burn[0],
            Counts {
                good: 99,
                total: 100
            }
        );
    }

    #[test]
    fn missing_foreign_failing_or_stale_answers_are_unknown() {
        let now = Utc::now();
        assert!(judge(None, "s", now)
            .2
            .unwrap()
            .contains("Not evaluated yet"));
        assert!(judge(Some(&answer(now)), "other", now).2.is_some());
        let mut failing = answer(now);
        failing.failing_since = Some(now - Duration::minutes(3));
        failing.failure = "Prometheus is unreachable".into();
        let why = judge(Some(&failing), "s", now).2.unwrap();
        assert!(why.starts_with("Unknown since "), "{why}");
        assert!(why.ends_with("Prometheus is unreachable."), "{why}");
        let stale = judge(Some(&answer(now - Duration::minutes(6))), "s", now)
            .2
            .unwrap();
        assert!(stale.contains("has not run since"), "{stale}");
    }
}
