//! Action items from postmortems: what, how urgent, whose, by when, and where they stand.
//! Overdue is a state of its own, computed from the due day in the organisation's zone.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::validation::{
    check_email, check_optional, check_required, check_slug, check_url, FieldErrors,
};

pub const TITLE_MAX: usize = 200;
/// Action items one postmortem may hold.
pub const PER_POSTMORTEM_MAX: i64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Mitigate,
    Prevent,
    Detect,
    Process,
}

impl ActionKind {
    pub const ALL: [ActionKind; 4] = [
        ActionKind::Mitigate,
        ActionKind::Prevent,
        ActionKind::Detect,
        ActionKind::Process,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::Mitigate => "mitigate",
            ActionKind::Prevent => "prevent",
            ActionKind::Detect => "detect",
            ActionKind::Process => "process",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Mitigate => "Mitigate",
            ActionKind::Prevent => "Prevent",
            ActionKind::Detect => "Detect",
            ActionKind::Process => "Process",
        }
    }
    pub fn parse(s: &str) -> Option<ActionKind> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }
}

/// P0 is the most urgent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Priority(u8);

impl Priority {
    pub const ALL: [Priority; 4] = [Priority(0), Priority(1), Priority(2), Priority(3)];
    pub fn new(n: u8) -> Option<Priority> {
        (n <= 3).then_some(Priority(n))
    }
    pub fn number(self) -> u8 {
        self.0
    }
    pub fn label(self) -> String {
        format!("P{}", self.0)
    }
    /// "1", "p1" or "P1".
    pub fn parse(s: &str) -> Option<Priority> {
        let s = s.trim().to_ascii_lowercase();
        s.strip_prefix('p')
            .unwrap_or(&s)
            .parse()
            .ok()
            .and_then(Priority::new)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    InProgress,
    Done,
    WontDo,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 4] = [
        ActionStatus::Open,
        ActionStatus::InProgress,
        ActionStatus::Done,
        ActionStatus::WontDo,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::WontDo => "wont_do",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ActionStatus::Open => "Open",
            ActionStatus::InProgress => "In progress",
            ActionStatus::Done => "Done",
            ActionStatus::WontDo => "Won't do",
        }
    }
    pub fn parse(s: &str) -> Option<ActionStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }
    /// Still to be done (open or in progress).
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Open | ActionStatus::InProgress)
    }
}

/// An open item past its due day (in the organisation's zone) is overdue; a closed one never is.
pub fn is_overdue(status: ActionStatus, due_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    status.is_open() && due_on.is_some_and(|d| d < today)
}

/// What the action item form posts, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub title: String,
    pub kind: String,
    pub priority: String,
    /// The owning team's slug.
    pub team: String,
    /// A person's email (someone who has signed in); empty: the team as a whole.
    pub owner: String,
    /// A service's slug; empty: none in particular.
    pub service: String,
    /// "2026-12-24"; empty: no due day.
    pub due_on: String,
    pub status: String,
    pub wont_do_reason: String,
    /// The item in the team's own tracker.
    pub url: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionInput {
    pub title: String,
    pub kind: ActionKind,
    pub priority: Priority,
    pub team: String,
    pub owner: Option<String>,
    pub service: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub status: ActionStatus,
    pub wont_do_reason: String,
    pub url: String,
}

impl ActionForm {
    pub fn validate(&self) -> Result<ActionInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = check_required(&mut e, "title", &self.title, TITLE_MAX);
        let kind = ActionKind::parse(&self.kind);
        if kind.is_none() {
            e.add("kind", "Choose mitigate, prevent, detect or process.");
        }
        let priority = Priority::parse(&self.priority);
        if priority.is_none() {
            e.add("priority", "Choose P0 (most urgent) to P3.");
        }
        let team = check_slug(&mut e, "team", &self.team);
        let owner = (!self.owner.trim().is_empty())
            .then(|| check_email(&mut e, "owner", &self.owner).to_lowercase());
        let service =
            (!self.service.trim().is_empty()).then(|| check_slug(&mut e, "service", &self.service));
        let due_on = match self.due_on.trim() {
            "" => None,
            d => match NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(d) if (2000..=2100).contains(&chrono::Datelike::year(&d)) => Some(d),
                _ => {
                    e.add("due_on", "A date like 2026-12-24.");
                    None
                }
            },
        };
        let status = match self.status.trim() {
            "" => Some(ActionStatus::Open),
            s => ActionStatus::parse(s),
        };
        if status.is_none() {
            e.add("status", "Choose open, in progress, done or won't do.");
        }
        let wont_do_reason = check_optional(&mut e, "wont_do_reason", &self.wont_do_reason, 2_000);
        if status == Some(ActionStatus::WontDo) && wont_do_reason.is_empty() {
            e.add("wont_do_reason", "Say why it will not be done.");
        }
        let url = check_url(&mut e, "url", &self.url, false);
        let (Some(kind), Some(priority), Some(status)) = (kind, priority, status) else {
            return Err(e);
        };
        e.into_result(ActionInput {
            title,
            kind,
            priority,
            team,
            owner,
            service,
            due_on,
            status,
            wont_do_reason,
            url,
        })
    }

    pub fn expected_version(&self) -> Result<Option<i64>, FieldErrors> {
        super::validation::optional_version(&self.version)
    }
}

/// When an item closes: now as it becomes done or won't-do, kept while it stays closed, and
/// cleared when it is reopened.
pub fn completed_at(
    before: Option<(ActionStatus, Option<DateTime<Utc>>)>,
    after: ActionStatus,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    match (before, after.is_open()) {
        (_, true) => None,
        (Some((was, Some(t))), false) if !was.is_open() => Some(t),
        _ => Some(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn form() -> ActionForm {
        ActionForm {
            title: "Alert on ledger replication lag".into(),
            kind: "detect".into(),
            priority: "P1".into(),
            team: "payments".into(),
            due_on: "2026-12-24".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_valid_item_defaults_to_open() {
        let a = form().validate().unwrap();
        assert_eq!(a.kind, ActionKind::Detect);
        assert_eq!(a.priority, Priority::new(1).unwrap());
        assert_eq!(a.status, ActionStatus::Open);
        assert_eq!(a.due_on, Some(day("2026-12-24")));
        assert_eq!(a.owner, None);
    }

    #[test]
    fn each_bad_field_is_named() {
        let f = ActionForm {
            title: " ".into(),
            kind: "blame".into(),
            priority: "P7".into(),
            team: "Payments Team".into(),
            owner: "bob".into(),
            due_on: "next week".into(),
            status: "wont_do".into(),
            url: "javascript:alert(1)".into(),
            ..Default::default()
        };
        let e = f.validate().unwrap_err();
        for field in [
            "title",
            "kind",
            "priority",
            "team",
            "owner",
            "due_on",
            "wont_do_reason",
            "url",
        ] {
            assert!(e.get(field).is_some(), "{field}: {e}");
        }
    }

    #[test]
    fn overdue_means_open_and_past_its_day() {
        let today = day("2026-12-07");
        assert!(is_overdue(
            ActionStatus::Open,
            Some(day("2026-12-06")),
            today
        ));
        assert!(is_overdue(
            ActionStatus::InProgress,
            Some(day("2026-11-01")),
            today
        ));
        assert!(!is_overdue(ActionStatus::Open, Some(today), today));
        assert!(!is_overdue(
            ActionStatus::Done,
            Some(day("2026-12-01")),
            today
        ));
        assert!(!is_overdue(
            ActionStatus::WontDo,
            Some(day("2026-12-01")),
            today
        ));
        assert!(!is_overdue(ActionStatus::Open, None, today));
    }

    #[test]
    fn completion_time_is_set_kept_and_cleared() {
        let t0 = "2026-12-01T10:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let t1 = "2026-12-05T10:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(completed_at(None, ActionStatus::Open, t1), None);
        assert_eq!(
            completed_at(Some((ActionStatus::Open, None)), ActionStatus::Done, t1),
            Some(t1)
        );
        assert_eq!(
            completed_at(Some((ActionStatus::Done, Some(t0))), ActionStatus::Done, t1),
            Some(t0)
        );
        assert_eq!(
            completed_at(Some((ActionStatus::Done, Some(t0))), ActionStatus::Open, t1),
            None
        );
        assert_eq!(Priority::parse("p0"), Priority::new(0));
        assert_eq!(Priority::parse("4"), None);
    }
}
