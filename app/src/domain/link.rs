//! Typed links from a service to the places people go during an incident.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::validation::{check_optional, check_required, check_url, FieldErrors};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    Runbook,
    Dashboard,
    Repo,
    Docs,
    Oncall,
    Chat,
    Other,
}

impl LinkKind {
    pub const ALL: [LinkKind; 7] = [
        LinkKind::Runbook,
        LinkKind::Dashboard,
        LinkKind::Repo,
        LinkKind::Docs,
        LinkKind::Oncall,
        LinkKind::Chat,
        LinkKind::Other,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Runbook => "runbook",
            LinkKind::Dashboard => "dashboard",
            LinkKind::Repo => "repo",
            LinkKind::Docs => "docs",
            LinkKind::Oncall => "oncall",
            LinkKind::Chat => "chat",
            LinkKind::Other => "other",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            LinkKind::Runbook => "Runbook",
            LinkKind::Dashboard => "Dashboard",
            LinkKind::Repo => "Repository",
            LinkKind::Docs => "Docs",
            LinkKind::Oncall => "On-call",
            LinkKind::Chat => "Chat",
            LinkKind::Other => "Other",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub id: i64,
    pub kind: LinkKind,
    pub title: String,
    pub url: String,
    pub last_reviewed_on: Option<NaiveDate>,
    /// Days since the last review, as of the request; None when never reviewed.
    pub age_days: Option<i64>,
    pub stale: bool,
}

/// Only runbooks go stale: a runbook nobody has read in months is worse than none at 3 a.m.
/// A runbook never reviewed is stale too.
pub fn is_stale(kind: LinkKind, age_days: Option<i64>, stale_after_days: i64) -> bool {
    kind == LinkKind::Runbook && age_days.is_none_or(|d| d > stale_after_days)
}

pub fn age_days(last_reviewed_on: Option<NaiveDate>, today: NaiveDate) -> Option<i64> {
    last_reviewed_on.map(|d| (today - d).num_days().max(0))
}

/// What the link form posts. Every field is text so that nothing the user typed is lost to a
/// deserialisation error: the validator turns it into messages instead.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkForm {
    pub kind: String,
    pub title: String,
    pub url: String,
    /// yyyy-mm-dd, as an `<input type="date">` sends it; empty for never.
    pub last_reviewed_on: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkInput {
    pub kind: LinkKind,
    pub title: String,
    pub url: String,
    pub last_reviewed_on: Option<NaiveDate>,
}

impl LinkForm {
    pub fn validate(&self, today: NaiveDate) -> Result<LinkInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = LinkKind::parse(&self.kind);
        if kind.is_none() {
            e.add("kind", "Choose what kind of link this is.");
        }
        let url = check_url(&mut e, "url", &self.url, true);
        let mut title = check_optional(&mut e, "title", &self.title, 200);
        if title.is_empty() {
            // A bare URL is a fine title; people should not have to invent one.
            title = kind.map(|k| k.label().to_string()).unwrap_or_default();
        }
        let title = check_required(&mut e, "title", &title, 200);
        let reviewed = self.last_reviewed_on.trim();
        let last_reviewed_on = if reviewed.is_empty() {
            None
        } else {
            match NaiveDate::parse_from_str(reviewed, "%Y-%m-%d") {
                Ok(d) if d > today => {
                    e.add("last_reviewed_on", "Cannot be in the future.");
                    None
                }
                Ok(d) => Some(d),
                Err(_) => {
                    e.add("last_reviewed_on", "Use a date like 2026-01-31.");
                    None
                }
            }
        };
        match kind {
            Some(kind) if e.is_empty() => Ok(LinkInput {
                kind,
                title,
                url,
                last_reviewed_on,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn staleness() {
        assert!(!is_stale(LinkKind::Runbook, Some(180), 180));
        assert!(is_stale(LinkKind::Runbook, Some(181), 180));
        assert!(is_stale(LinkKind::Runbook, None, 180));
        assert!(
            !is_stale(LinkKind::Dashboard, None, 180),
            "only runbooks go stale"
        );
        assert!(
            is_stale(LinkKind::Runbook, Some(31), 30),
            "the window is configurable"
        );
    }

    #[test]
    fn age() {
        let d = NaiveDate::from_ymd_opt(2026, 5, 26).unwrap();
        assert_eq!(age_days(Some(d), today()), Some(180));
        assert_eq!(age_days(None, today()), None);
    }

    #[test]
    fn valid_form() {
        let f = LinkForm {
            kind: "runbook".into(),
            title: "".into(),
            url: " https://wiki.example.com/pay ".into(),
            last_reviewed_on: "2026-11-01".into(),
        };
        let input = f.validate(today()).unwrap();
        assert_eq!(input.kind, LinkKind::Runbook);
        assert_eq!(
            input.title, "Runbook",
            "an empty title defaults to the kind"
        );
        assert_eq!(input.url, "https://wiki.example.com/pay");
        assert_eq!(input.last_reviewed_on, NaiveDate::from_ymd_opt(2026, 11, 1));
    }

    #[test]
    fn invalid_form() {
        let f = LinkForm {
            kind: "pager".into(),
            title: "x".into(),
            url: "javascript:alert(1)".into(),
            last_reviewed_on: "2027-01-01".into(),
        };
        let e = f.validate(today()).unwrap_err();
        assert!(e.get("kind").is_some());
        assert!(e.get("url").is_some());
        assert_eq!(e.get("last_reviewed_on"), Some("Cannot be in the future."));
        let bad_date = LinkForm {
            last_reviewed_on: "yesterday".into(),
            ..LinkForm {
                kind: "docs".into(),
                url: "https://d.example.com".into(),
                ..Default::default()
            }
        };
        assert!(bad_date
            .validate(today())
            .unwrap_err()
            .get("last_reviewed_on")
            .is_some());
    }
}
