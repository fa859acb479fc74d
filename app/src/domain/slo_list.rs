//! The `/slos` list: every SLO in the organisation, filtered by tier, team, state and source,
//! sorted by budget left (least first), one page at a time.
use serde::{Deserialize, Serialize};

use super::catalog::FacetValue;
use super::slo::{BudgetState, Objective, SloWindow};
use super::slo_form::SloSource;
use super::tier::Tier;
use super::validation::SLUG_MAX;

pub const PER_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 1000;

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SloListQuery {
    pub tier: Option<Tier>,
    /// A team's slug.
    pub team: Option<String>,
    pub state: Option<BudgetState>,
    pub source: Option<SloSource>,
    pub page: u32,
}

impl SloListQuery {
    /// From URL parameters; anything unknown or out of range is dropped, not an error (a
    /// hand-edited URL still shows a list).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> SloListQuery {
        let team = get("team")
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty() && t.len() <= SLUG_MAX);
        SloListQuery {
            tier: get("tier").and_then(|t| Tier::parse(&t)),
            team,
            state: get("state").and_then(|s| BudgetState::parse(&s)),
            source: get("source").and_then(|s| SloSource::parse(&s)),
            page: get("page")
                .and_then(|p| p.trim().parse::<u32>().ok())
                .unwrap_or(1)
                .clamp(1, MAX_PAGE),
        }
    }

    pub fn href(&self) -> String {
        let mut parts = Vec::new();
        if let Some(t) = self.tier {
            parts.push(format!("tier={}", t.number()));
        }
        if let Some(t) = &self.team {
            parts.push(format!("team={}", urlencoding(t)));
        }
        if let Some(s) = self.state {
            parts.push(format!("state={}", s.as_str()));
        }
        if let Some(s) = self.source {
            parts.push(format!("source={}", s.as_str()));
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if parts.is_empty() {
            "/slos".into()
        } else {
            format!("/slos?{}", parts.join("&"))
        }
    }

    /// The same query changed by `f`, back on its first page.
    pub fn with(&self, f: impl FnOnce(&mut SloListQuery)) -> SloListQuery {
        let mut q = self.clone();
        f(&mut q);
        q.page = 1;
        q
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(PER_PAGE)
    }

    pub fn has_filters(&self) -> bool {
        self.tier.is_some() || self.team.is_some() || self.state.is_some() || self.source.is_some()
    }
}

/// Team slugs are URL-safe already; anything else a hand-edited URL brings is escaped.
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'0'..=b'9' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloListRow {
    pub service: String,
    pub service_name: String,
    pub tier: Tier,
    pub team: Option<String>,
    pub team_name: Option<String>,
    pub slug: String,
    pub name: String,
    pub objective: Objective,
    pub window: SloWindow,
    pub source: SloSource,
    pub state: BudgetState,
    pub budget_remaining: Option<f64>,
    pub burn_1h: Option<f64>,
    pub paging: bool,
    /// None: not evaluated yet.
    pub computed_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SloFacets {
    pub tiers: Vec<FacetValue>,
    pub teams: Vec<FacetValue>,
    pub states: Vec<FacetValue>,
    pub sources: Vec<FacetValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloListPage {
    pub rows: Vec<SloListRow>,
    pub total: i64,
    pub facets: SloFacets,
}

impl SloListPage {
    pub fn page_count(&self) -> u32 {
        let pages = (self.total + i64::from(PER_PAGE) - 1) / i64::from(PER_PAGE);
        u32::try_from(pages).unwrap_or(u32::MAX).clamp(1, MAX_PAGE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn q(pairs: &[(&str, &str)]) -> SloListQuery {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        SloListQuery::from_params(|k| m.get(k).cloned())
    }

    #[test]
    fn params_are_bounded_and_round_trip() {
        let query = q(&[
            ("tier", "1"),
            ("team", "payments"),
            ("state", "at-risk"),
            ("source", "push"),
            ("page", "3"),
        ]);
        assert_eq!(
            query.href(),
            "/slos?tier=1&team=payments&state=at-risk&source=push&page=3"
        );
        let nonsense = q(&[
            ("tier", "9"),
            ("state", "fine"),
            ("page", "4000000000"),
            ("team", &"x".repeat(100)),
        ]);
        assert_eq!(nonsense.tier, None);
        assert_eq!(nonsense.state, None);
        assert_eq!(nonsense.team, None);
        assert_eq!(nonsense.page, MAX_PAGE);
        assert_eq!(q(&[("team", "a b")]).href(), "/slos?team=a%20b");
        // Changing a filter goes back to the first page.
        assert_eq!(query.with(|q| q.state = None).page, 1);
    }
}
