//! An SLO's definition as a form or an API body posts it, and the rules it must meet.
use serde::{Deserialize, Serialize};

use super::slo::{Objective, SloWindow};
use super::validation::{check_optional, check_required, check_slug, FieldErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SliKind {
    Availability,
    Latency,
    Freshness,
    Correctness,
    Other,
}

impl SliKind {
    pub const ALL: [SliKind; 5] = [
        SliKind::Availability,
        SliKind::Latency,
        SliKind::Freshness,
        SliKind::Correctness,
        SliKind::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            SliKind::Availability => "availability",
            SliKind::Latency => "latency",
            SliKind::Freshness => "freshness",
            SliKind::Correctness => "correctness",
            SliKind::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SliKind::Availability => "Availability",
            SliKind::Latency => "Latency",
            SliKind::Freshness => "Freshness",
            SliKind::Correctness => "Correctness",
            SliKind::Other => "Other",
        }
    }
    pub fn parse(s: &str) -> Option<SliKind> {
        SliKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// Where an SLO's good/total counts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SloSource {
    /// Counts pushed to the API with a token.
    Push,
    /// Queries the background evaluator runs against Prometheus.
    Prometheus,
}

impl SloSource {
    pub fn as_str(self) -> &'static str {
        match self {
            SloSource::Push => "push",
            SloSource::Prometheus => "prometheus",
        }
    }
    pub fn parse(s: &str) -> Option<SloSource> {
        [SloSource::Push, SloSource::Prometheus]
            .into_iter()
            .find(|k| k.as_str() == s.trim())
    }
}

pub const NAME_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 2000;
pub const EVENTS_MAX: usize = 500;
pub const QUERY_MAX: usize = 2000;
/// Where a Prometheus query takes the window, as in Sloth's spec.
pub const WINDOW_PLACEHOLDER: &str = "{{.window}}";

/// What the SLO form (and the API's JSON) posts: text, as typed, so a refused form keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SloForm {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub sli_kind: String,
    pub good_events: String,
    pub total_events: String,
    pub objective: String,
    /// "rolling", "week", "month" or "quarter".
    pub window: String,
    /// Days of a rolling window.
    pub window_days: String,
    pub source: String,
    pub error_query: String,
    pub total_query: String,
    /// The version the form was opened at; empty on create.
    pub version: String,
}

/// A definition that passed every rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloInput {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub sli_kind: SliKind,
    pub good_events: String,
    pub total_events: String,
    pub objective: Objective,
    pub window: SloWindow,
    pub source: SloSource,
    pub error_query: String,
    pub total_query: String,
}

impl SloForm {
    pub fn validate(&self) -> Result<SloInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let slug = check_slug(&mut e, "slug", &self.slug);
        let name = check_required(&mut e, "name", &self.name, NAME_MAX);
        let description = check_optional(&mut e, "description", &self.description, DESCRIPTION_MAX);
        let sli_kind = SliKind::parse(&self.sli_kind);
        if sli_kind.is_none() {
            e.add(
                "sli_kind",
                "Choose availability, latency, freshness, correctness or other.",
            );
        }
        let good_events = check_optional(&mut e, "good_events", &self.good_events, EVENTS_MAX);
        let total_events = check_optional(&mut e, "total_events", &self.total_events, EVENTS_MAX);
        let objective = Objective::parse(&self.objective)
            .map_err(|m| e.add("objective", m))
            .ok();
        let window = self.window(&mut e);
        let source = SloSource::parse(&self.source);
        if source.is_none() {
            e.add("source", "Choose push or prometheus.");
        }
        let error_query = check_optional(&mut e, "error_query", &self.error_query, QUERY_MAX);
        let total_query = check_optional(&mut e, "total_query", &self.total_query, QUERY_MAX);
        if source == Some(SloSource::Prometheus) {
            for (field, q) in [("error_query", &error_query), ("total_query", &total_query)] {
                if q.is_empty() {
                    e.add(field, "Required for a Prometheus SLO.");
                } else if !q.contains(WINDOW_PLACEHOLDER) {
                    e.add(
                        field,
                        format!("Put {WINDOW_PLACEHOLDER} where the range goes, e.g. rate(http_requests_total[{WINDOW_PLACEHOLDER}])."),
                    );
                }
            }
        }
        let (Some(sli_kind), Some(objective), Some(window), Some(source)) =
            (sli_kind, objective, window, source)
        else {
            return Err(e);
        };
        e.into_result(SloInput {
            slug,
            name,
            description,
            sli_kind,
            good_events,
            total_events,
            objective,
            window,
            source,
            error_query,
            total_query,
        })
    }

    fn window(&self, e: &mut FieldErrors) -> Option<SloWindow> {
        let kind = self.window.trim();
        if kind == "rolling" {
            let days = self.window_days.trim().parse::<i32>().ok();
            let w = days.and_then(|d| SloWindow::from_parts("rolling", Some(d)));
            if w.is_none() {
                e.add("window_days", "A whole number of days from 1 to 90.");
            }
            return w;
        }
        let w = SloWindow::from_parts(kind, None);
        if w.is_none() {
            e.add(
                "window",
                "Choose a rolling window or a calendar week, month or quarter.",
            );
        }
        w
    }

    /// The version the form was opened at; None on create or when not given.
    pub fn expected_version(&self) -> Result<Option<i64>, FieldErrors> {
        super::validation::optional_version(&self.version)
    }
}

/// A definition as the form shows it again (editing an existing SLO).
impl From<&SloInput> for SloForm {
    fn from(i: &SloInput) -> SloForm {
        SloForm {
            slug: i.slug.clone(),
            name: i.name.clone(),
            description: i.description.clone(),
            sli_kind: i.sli_kind.as_str().into(),
            good_events: i.good_events.clone(),
            total_events: i.total_events.clone(),
            objective: i.objective.to_string(),
            window: i.window.kind().into(),
            window_days: i.window.days().map(|d| d.to_string()).unwrap_or_default(),
            source: i.source.as_str().into(),
            error_query: i.error_query.clone(),
            total_query: i.total_query.clone(),
            version: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SloForm {
        SloForm {
            slug: "availability".into(),
            name: "Checkout availability".into(),
            sli_kind: "availability".into(),
            objective: "99.9".into(),
            window: "rolling".into(),
            window_days: "30".into(),
            source: "push".into(),
            ..SloForm::default()
        }
    }

    #[test]
    fn a_valid_form_round_trips() {
        let input = form().validate().unwrap();
        assert_eq!(input.objective.milli(), 99_900);
        assert_eq!(input.window, SloWindow::Rolling { days: 30 });
        let again = SloForm::from(&input).validate().unwrap();
        assert_eq!(again, input);
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad = SloForm {
            slug: "Not A Slug".into(),
            name: " ".into(),
            sli_kind: "speed".into(),
            objective: "100".into(),
            window: "rolling".into(),
            window_days: "91".into(),
            source: "prometheus".into(),
            error_query: "sum(rate(errors[5m]))".into(),
            ..SloForm::default()
        };
        let e = bad.validate().unwrap_err();
        for f in [
            "slug",
            "name",
            "sli_kind",
            "objective",
            "window_days",
            "error_query",
            "total_query",
        ] {
            assert!(e.get(f).is_some(), "{f} not reported: {e}");
        }
        assert!(e.get("error_query").unwrap().contains(WINDOW_PLACEHOLDER));
    }

    #[test]
    fn calendar_windows_need_no_days() {
        let f = SloForm {
            window: "quarter".into(),
            window_days: String::new(),
            ..form()
        };
        assert_eq!(f.validate().unwrap().window, SloWindow::Quarter);
        let f = SloForm {
            window: "fortnight".into(),
            ..form()
        };
        assert!(f.validate().unwrap_err().get("window").is_some());
    }
}
