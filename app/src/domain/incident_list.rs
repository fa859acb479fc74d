//! Incidents as the pages show them: one incident with its services and people, and the
//! `/incidents` list (filters with counts, newest first, a page at a time).
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::catalog::FacetValue;
use super::incident::{IncidentStatus, Milestones, Severity};
use super::tier::Tier;
use super::validation::SLUG_MAX;

pub const PER_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedService {
    pub slug: String,
    pub name: String,
    pub tier: Tier,
    /// The owning team's slug.
    pub team: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub summary: String,
    /// (name, email)
    pub commander: Option<(String, String)>,
    pub services: Vec<AffectedService>,
    pub milestones: Milestones,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl Incident {
    /// The teams whose editors may change it.
    pub fn teams(&self) -> Vec<Option<String>> {
        self.services.iter().map(|s| s.team.clone()).collect()
    }
}

/// Which incidents by status: all, the ones still open, or one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StatusFilter {
    Open,
    Is(IncidentStatus),
}

impl StatusFilter {
    pub fn as_param(self) -> &'static str {
        match self {
            StatusFilter::Open => "open",
            StatusFilter::Is(s) => s.as_str(),
        }
    }
    pub fn parse(s: &str) -> Option<StatusFilter> {
        match s.trim() {
            "open" => Some(StatusFilter::Open),
            other => IncidentStatus::parse(other).map(StatusFilter::Is),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IncidentListQuery {
    pub severity: Option<Severity>,
    pub status: Option<StatusFilter>,
    /// A service's slug.
    pub service: Option<String>,
    /// A team's slug: incidents on any of its services.
    pub team: Option<String>,
    pub tier: Option<Tier>,
    /// Has a postmortem (any state) or lacks one.
    pub postmortem: Option<bool>,
    /// Only repeats: the same cause on one of the same services within the repeat window.
    pub repeat: bool,
    /// Started on or after / on or before these days (UTC).
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub page: u32,
}

fn date_param(v: Option<String>) -> Option<chrono::NaiveDate> {
    v.and_then(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .filter(|d| (2000..=2100).contains(&chrono::Datelike::year(d)))
}

fn slug_param(v: Option<String>) -> Option<String> {
    v.map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty() && t.len() <= SLUG_MAX)
}

impl IncidentListQuery {
    /// From URL parameters; anything unknown is dropped (a hand-edited URL still lists).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> IncidentListQuery {
        IncidentListQuery {
            severity: get("severity").and_then(|s| Severity::parse(&s)),
            status: get("status").and_then(|s| StatusFilter::parse(&s)),
            service: slug_param(get("service")),
            team: slug_param(get("team")),
            tier: get("tier").and_then(|t| Tier::parse(&t)),
            postmortem: match get("postmortem").as_deref().map(str::trim) {
                Some("has") => Some(true),
                Some("lacks") => Some(false),
                _ => None,
            },
            repeat: matches!(get("repeat").as_deref().map(str::trim), Some("1" | "true")),
            from: date_param(get("from")),
            to: date_param(get("to")),
            page: get("page")
                .and_then(|p| p.trim().parse::<u32>().ok())
                .unwrap_or(1)
                .clamp(1, MAX_PAGE),
        }
    }

    pub fn href(&self) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.severity {
            parts.push(format!("severity={}", s.number()));
        }
        if let Some(s) = self.status {
            parts.push(format!("status={}", s.as_param()));
        }
        // Slugs are URL-safe; from_params only keeps short ones, and anything else is escaped.
        if let Some(s) = &self.service {
            parts.push(format!("service={}", escape(s)));
        }
        if let Some(t) = &self.team {
            parts.push(format!("team={}", escape(t)));
        }
        if let Some(t) = self.tier {
            parts.push(format!("tier={}", t.number()));
        }
        if let Some(p) = self.postmortem {
            parts.push(format!("postmortem={}", if p { "has" } else { "lacks" }));
        }
        if self.repeat {
            parts.push("repeat=1".into());
        }
        if let Some(d) = self.from {
            parts.push(format!("from={d}"));
        }
        if let Some(d) = self.to {
            parts.push(format!("to={d}"));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if parts.is_empty() {
            "/incidents".into()
        } else {
            format!("/incidents?{}", parts.join("&"))
        }
    }

    pub fn with(&self, f: impl FnOnce(&mut IncidentListQuery)) -> IncidentListQuery {
        let mut q = self.clone();
        f(&mut q);
        q.page = 1;
        q
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page.max(1) - 1) * i64::from(PER_PAGE)
    }

    pub fn has_filters(&self) -> bool {
        self.severity.is_some()
            || self.status.is_some()
            || self.service.is_some()
            || self.team.is_some()
            || self.tier.is_some()
            || self.postmortem.is_some()
            || self.repeat
            || self.from.is_some()
            || self.to.is_some()
    }
}

fn escape(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRow {
    pub id: i64,
    pub title: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub started_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Service slugs, by name.
    pub services: Vec<String>,
    /// Its postmortem's state, if one was started.
    pub postmortem: Option<super::postmortem::PostmortemStatus>,
    /// It repeats an earlier incident (same cause, same service, within the window).
    pub repeat: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentFacets {
    pub severities: Vec<FacetValue>,
    pub statuses: Vec<FacetValue>,
    /// "has" and "lacks" a postmortem, then "repeat".
    pub learning: Vec<FacetValue>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentPage {
    pub rows: Vec<IncidentRow>,
    pub total: i64,
    pub facets: IncidentFacets,
}

impl IncidentPage {
    pub fn page_count(&self) -> u32 {
        let pages = (self.total + i64::from(PER_PAGE) - 1) / i64::from(PER_PAGE);
        u32::try_from(pages).unwrap_or(u32::MAX).clamp(1, MAX_PAGE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_round_trips_through_its_url() {
        let q = IncidentListQuery {
            severity: Some(Severity::Sev1),
            status: Some(StatusFilter::Open),
            service: Some("payments-api".into()),
            team: Some("payments".into()),
            tier: Tier::new(0),
            postmortem: Some(false),
            repeat: true,
            from: chrono::NaiveDate::from_ymd_opt(2026, 6, 1),
            to: chrono::NaiveDate::from_ymd_opt(2026, 12, 31),
            page: 3,
        };
        let href = q.href();
        assert_eq!(
            href,
            "/incidents?severity=1&status=open&service=payments-api&team=payments&tier=0&postmortem=lacks&repeat=1&from=2026-06-01&to=2026-12-31&page=3"
        );
        let query: std::collections::HashMap<String, String> =
            url::form_urlencoded::parse(href.split_once('?').unwrap().1.as_bytes())
                .into_owned()
                .collect();
        assert_eq!(IncidentListQuery::from_params(|k| query.get(k).cloned()), q);
        assert_eq!(q.with(|q| q.severity = None).page, 1);
    }

    #[test]
    fn unknown_values_are_dropped() {
        let q = IncidentListQuery::from_params(|k| match k {
            "severity" => Some("9".into()),
            "status" => Some("burning".into()),
            "page" => Some("0".into()),
            "team" => Some("x".repeat(100)),
            _ => None,
        });
        assert_eq!(
            q,
            IncidentListQuery {
                page: 1,
                ..Default::default()
            }
        );
        assert_eq!(q.href(), "/incidents");
    }
}
