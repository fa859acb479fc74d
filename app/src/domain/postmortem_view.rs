//! A postmortem as its page shows it, and the organisation's settings for postmortems.
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::action_list::ActionItem;
use super::incident_list::Incident;
use super::postmortem::{Deadline, PostmortemForm, PostmortemStatus, SeverityPolicy, TimelineKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: TimelineKind,
    pub body: String,
}

/// An edit made after publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub at: DateTime<Utc>,
    pub by: String,
    /// Section field names, in `SECTIONS` order.
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Postmortem {
    pub status: PostmortemStatus,
    pub author_id: Option<i64>,
    pub author: String,
    pub approver: Option<String>,
    /// The sections as written (Markdown), the root cause's slug and the no-action reason.
    pub content: PostmortemForm,
    pub root_cause_name: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// An earlier or later incident with the same cause on one of the same services.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedIncident {
    pub id: i64,
    pub title: String,
    pub started_at: DateTime<Utc>,
}

/// Everything the incident and postmortem pages show beyond the incident itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Learning {
    pub incident: Incident,
    /// None: not started, or a draft this reader may not see (`hidden_draft` says which).
    pub postmortem: Option<Postmortem>,
    pub hidden_draft: bool,
    pub timeline: Vec<TimelineEntry>,
    pub revisions: Vec<Revision>,
    pub actions: Vec<ActionItem>,
    pub due_on: Option<NaiveDate>,
    pub deadline: Deadline,
    pub repeat_of: Option<RelatedIncident>,
    pub repeated_by: Vec<RelatedIncident>,
    /// Root-cause categories (slug, name), for the form.
    pub categories: Vec<(String, String)>,
    pub zone: String,
}

/// The organisation's postmortem settings, as the admin page edits them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearningSettings {
    pub zone: String,
    pub repeat_window_days: i16,
    pub policies: Vec<SeverityPolicy>,
    pub holidays: Vec<(NaiveDate, String)>,
    pub categories: Vec<(String, String)>,
}

/// One postmortem found by search, with its highlighted snippet (HTML: `<mark>` around the
/// matches, everything else escaped).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub incident_id: i64,
    pub title: String,
    pub status: PostmortemStatus,
    pub started_at: DateTime<Utc>,
    pub snippet_html: String,
    pub rank: f32,
}

/// A postmortem past its deadline and not published (the overview leads with these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverduePostmortem {
    pub incident_id: i64,
    pub title: String,
    pub severity: super::incident::Severity,
    pub due_on: NaiveDate,
    /// None: not even started.
    pub status: Option<PostmortemStatus>,
    pub deadline: Deadline,
}
