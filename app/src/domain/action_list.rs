//! Action items as lists show them, and the `/actions` query (filters in the URL).
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::action_item::{ActionKind, ActionStatus, Priority};
use super::catalog::FacetValue;
use super::validation::SLUG_MAX;

pub const PER_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    pub id: i64,
    pub incident_id: i64,
    pub incident_title: String,
    pub title: String,
    pub kind: ActionKind,
    pub priority: Priority,
    pub team: String,
    pub team_name: String,
    /// (name, email)
    pub owner: Option<(String, String)>,
    pub service: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub status: ActionStatus,
    pub wont_do_reason: String,
    pub url: String,
    pub completed_at: Option<DateTime<Utc>>,
    pub version: i64,
    /// Open and past its due day, as of the request.
    pub overdue: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ActionListQuery {
    pub team: Option<String>,
    pub service: Option<String>,
    pub priority: Option<Priority>,
    /// Only the overdue ones.
    pub overdue: bool,
    /// Only the reader's own (owner is the signed-in person).
    pub mine: bool,
    /// Closed ones too (done, won't do); the list is of open items otherwise.
    pub closed: bool,
    pub page: u32,
}

fn slug_param(v: Option<String>) -> Option<String> {
    v.map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty() && t.len() <= SLUG_MAX)
}

fn flag(v: Option<String>) -> bool {
    matches!(v.as_deref().map(str::trim), Some("1" | "true" | "yes"))
}

impl ActionListQuery {
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> ActionListQuery {
        ActionListQuery {
            team: slug_param(get("team")),
            service: slug_param(get("service")),
            priority: get("priority").and_then(|p| Priority::parse(&p)),
            overdue: flag(get("overdue")),
            mine: flag(get("mine")),
            closed: flag(get("closed")),
            page: get("page")
                .and_then(|p| p.trim().parse::<u32>().ok())
                .unwrap_or(1)
                .clamp(1, MAX_PAGE),
        }
    }

    pub fn href(&self) -> String {
        let mut parts = Vec::new();
        if let Some(t) = &self.team {
            parts.push(format!("team={}", escape(t)));
        }
        if let Some(s) = &self.service {
            parts.push(format!("service={}", escape(s)));
        }
        if let Some(p) = self.priority {
            parts.push(format!("priority={}", p.number()));
        }
        for (on, name) in [
            (self.overdue, "overdue"),
            (self.mine, "mine"),
            (self.closed, "closed"),
        ] {
            if on {
                parts.push(format!("{name}=1"));
            }
        }
        if self.page > 1 {
            parts.push(format!("page={}", self.page));
        }
        if parts.is_empty() {
            "/actions".into()
        } else {
            format!("/actions?{}", parts.join("&"))
        }
    }

    /// A copy changed by `f`, back on the first page (a changed filter starts over).
    pub fn with(&self, f: impl FnOnce(&mut ActionListQuery)) -> ActionListQuery {
        let mut q = self.clone();
        q.page = 1;
        f(&mut q);
        q
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(PER_PAGE)
    }
}

fn escape(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionPage {
    pub rows: Vec<ActionItem>,
    pub total: i64,
    /// By priority, with the other filters applied.
    pub priorities: Vec<FacetValue>,
    /// Overdue among the filtered items.
    pub overdue: i64,
}

impl ActionPage {
    pub fn page_count(&self) -> u32 {
        u32::try_from((self.total + i64::from(PER_PAGE) - 1) / i64::from(PER_PAGE))
            .unwrap_or(MAX_PAGE)
            .clamp(1, MAX_PAGE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_round_trips_through_its_url_and_drops_nonsense() {
        let q = ActionListQuery::from_params(|k| match k {
            "team" => Some("payments".into()),
            "priority" => Some("P1".into()),
            "overdue" => Some("1".into()),
            "page" => Some("99999999".into()),
            "service" => Some("x".repeat(500)),
            _ => None,
        });
        assert_eq!(q.team.as_deref(), Some("payments"));
        assert_eq!(q.priority, Priority::new(1));
        assert!(q.overdue && !q.mine);
        assert_eq!(q.page, MAX_PAGE);
        assert_eq!(q.service, None);
        let href = q.href();
        assert_eq!(
            href,
            "/actions?team=payments&priority=1&overdue=1&page=1000"
        );
        let back = ActionListQuery::from_params(|k| {
            url::Url::parse(&format!("http://x{href}"))
                .unwrap()
                .query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.into_owned())
        });
        assert_eq!(back, q);
    }
}
