//! Postmortems: the SRE book's sections, the draft → in review → published lifecycle with its
//! separation of duties, the deadline a postmortem is owed by, and repeat incidents. Plain Rust,
//! unit-tested; the Markdown of the sections is rendered by `domain::markdown` on the server.
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::business_days::{due_date, due_status, Due};
use super::incident::{parse_local, parse_zone, Severity};
use super::validation::{check_optional, check_required, FieldErrors};

/// Characters one section may hold.
pub const SECTION_MAX: usize = 20_000;
pub const REASON_MAX: usize = 2_000;
pub const TIMELINE_BODY_MAX: usize = 2_000;
/// Timeline entries one postmortem may hold; a longer story links to the chat log.
pub const TIMELINE_MAX: i64 = 200;

/// The sections, in the order the page shows them: form field, heading, what goes in it.
pub const SECTIONS: [(&str, &str, &str); 10] = [
    (
        "summary",
        "Summary",
        "What happened, in two or three sentences a stakeholder understands.",
    ),
    (
        "impact",
        "Impact",
        "Who was affected and how: users, requests, money, data.",
    ),
    (
        "root_causes",
        "Root causes",
        "Why it happened: the conditions, not the people.",
    ),
    (
        "trigger",
        "Trigger",
        "What set it off (a deploy, a config change, a traffic spike…).",
    ),
    (
        "detection",
        "Detection",
        "How we found out, and how we could have found out sooner.",
    ),
    (
        "resolution",
        "Resolution",
        "What stopped the impact and what fixed it.",
    ),
    (
        "contributing_factors",
        "Contributing factors",
        "What made it worse or harder to handle.",
    ),
    ("went_well", "What went well", ""),
    ("went_wrong", "What went wrong", ""),
    (
        "got_lucky",
        "Where we got lucky",
        "Luck is a risk we have not fixed yet.",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostmortemStatus {
    Draft,
    InReview,
    Published,
}

impl PostmortemStatus {
    pub const ALL: [PostmortemStatus; 3] = [
        PostmortemStatus::Draft,
        PostmortemStatus::InReview,
        PostmortemStatus::Published,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            PostmortemStatus::Draft => "draft",
            PostmortemStatus::InReview => "in_review",
            PostmortemStatus::Published => "published",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            PostmortemStatus::Draft => "Draft",
            PostmortemStatus::InReview => "In review",
            PostmortemStatus::Published => "Published",
        }
    }
    pub fn parse(s: &str) -> Option<PostmortemStatus> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }
}

/// A step in the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// The author asks for review: draft → in review.
    Submit,
    /// A reviewer sends it back: in review → draft.
    RequestChanges,
    /// A reviewer who is not the author approves and publishes: in review → published.
    Publish,
}

impl Transition {
    pub fn parse(s: &str) -> Option<Transition> {
        match s.trim() {
            "submit" => Some(Transition::Submit),
            "request_changes" => Some(Transition::RequestChanges),
            "publish" => Some(Transition::Publish),
            _ => None,
        }
    }
}

/// What a transition needs to know about the postmortem and the person asking.
pub struct TransitionFacts<'a> {
    pub status: PostmortemStatus,
    pub actor_is_author: bool,
    pub action_items: i64,
    pub no_action_reason: &'a str,
}

/// The status after `t`, or why it cannot happen (the message a person reads).
pub fn transition(t: Transition, f: &TransitionFacts) -> Result<PostmortemStatus, String> {
    use PostmortemStatus::*;
    match (t, f.status) {
        (Transition::Submit, Draft) => Ok(InReview),
        (Transition::RequestChanges, InReview) => Ok(Draft),
        (Transition::Publish, InReview) => {
            if f.actor_is_author {
                Err("The author cannot approve their own postmortem: ask someone else to review it.".into())
            } else if f.action_items == 0 && f.no_action_reason.trim().is_empty() {
                Err("A postmortem with no action items needs the author's reason (\"no action needed: …\") before it is published.".into())
            } else {
                Ok(Published)
            }
        }
        (_, Published) => Err("It is published already; edits are kept as revisions.".into()),
        (Transition::Submit, InReview) => Err("It is in review already.".into()),
        (_, Draft) => Err("It is a draft: submit it for review first.".into()),
    }
}

/// What the postmortem form posts: the sections as typed, Markdown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostmortemForm {
    pub summary: String,
    pub impact: String,
    pub root_causes: String,
    pub trigger: String,
    pub detection: String,
    pub resolution: String,
    pub contributing_factors: String,
    pub went_well: String,
    pub went_wrong: String,
    pub got_lucky: String,
    /// A root-cause category's slug; empty: not decided yet.
    pub root_cause: String,
    pub no_action_reason: String,
    pub version: String,
}

impl PostmortemForm {
    /// The sections by field name, in `SECTIONS` order.
    pub fn sections(&self) -> [&String; 10] {
        [
            &self.summary,
            &self.impact,
            &self.root_causes,
            &self.trigger,
            &self.detection,
            &self.resolution,
            &self.contributing_factors,
            &self.went_well,
            &self.went_wrong,
            &self.got_lucky,
        ]
    }

    /// Trimmed, bounded; `categories` are the root-cause slugs an admin has defined.
    pub fn validate(&self, categories: &[String]) -> Result<PostmortemForm, FieldErrors> {
        let mut e = FieldErrors::new();
        let mut out = PostmortemForm::default();
        let targets: [&mut String; 10] = [
            &mut out.summary,
            &mut out.impact,
            &mut out.root_causes,
            &mut out.trigger,
            &mut out.detection,
            &mut out.resolution,
            &mut out.contributing_factors,
            &mut out.went_well,
            &mut out.went_wrong,
            &mut out.got_lucky,
        ];
        for ((field, _, _), (raw, target)) in SECTIONS
            .iter()
            .zip(self.sections().into_iter().zip(targets))
        {
            *target = check_optional(&mut e, field, raw, SECTION_MAX);
        }
        out.root_cause = self.root_cause.trim().to_string();
        if !out.root_cause.is_empty() && !categories.contains(&out.root_cause) {
            e.add("root_cause", "Choose a category from the list.");
        }
        out.no_action_reason = check_optional(
            &mut e,
            "no_action_reason",
            &self.no_action_reason,
            REASON_MAX,
        );
        out.version = self.version.trim().to_string();
        e.into_result(out)
    }

    pub fn expected_version(&self) -> Result<Option<i64>, FieldErrors> {
        super::validation::optional_version(&self.version)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    Detection,
    Diagnosis,
    Repair,
    KeyMoment,
    Communication,
}

impl TimelineKind {
    pub const ALL: [TimelineKind; 5] = [
        TimelineKind::Detection,
        TimelineKind::Diagnosis,
        TimelineKind::Repair,
        TimelineKind::KeyMoment,
        TimelineKind::Communication,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            TimelineKind::Detection => "detection",
            TimelineKind::Diagnosis => "diagnosis",
            TimelineKind::Repair => "repair",
            TimelineKind::KeyMoment => "key_moment",
            TimelineKind::Communication => "communication",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TimelineKind::Detection => "Detection",
            TimelineKind::Diagnosis => "Diagnosis",
            TimelineKind::Repair => "Repair",
            TimelineKind::KeyMoment => "Key moment",
            TimelineKind::Communication => "Communication",
        }
    }
    pub fn parse(s: &str) -> Option<TimelineKind> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TimelineForm {
    /// "2026-12-03T14:05", in `zone`.
    pub at: String,
    pub zone: String,
    pub kind: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineInput {
    pub at: DateTime<Utc>,
    pub kind: TimelineKind,
    pub body: String,
}

impl TimelineForm {
    pub fn validate(&self, now: DateTime<Utc>) -> Result<TimelineInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let body = check_required(&mut e, "body", &self.body, TIMELINE_BODY_MAX);
        let kind = TimelineKind::parse(&self.kind);
        if kind.is_none() {
            e.add(
                "kind",
                "Choose detection, diagnosis, repair, key moment or communication.",
            );
        }
        let zone = parse_zone(&self.zone).unwrap_or_else(|| {
            e.add("zone", "A time zone such as Europe/Berlin, or UTC.");
            chrono_tz::UTC
        });
        let at = match parse_local(&self.at, zone) {
            Ok(Some(t)) if t > now + Duration::minutes(5) => {
                e.add("at", "Cannot be in the future.");
                None
            }
            Ok(Some(t)) => Some(t),
            Ok(None) => {
                e.add("at", "Required: when it happened.");
                None
            }
            Err(m) => {
                e.add("at", m);
                None
            }
        };
        match (at, kind) {
            (Some(at), Some(kind)) => e.into_result(TimelineInput { at, kind, body }),
            _ => Err(e),
        }
    }
}

/// How the organisation owes postmortems for one severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityPolicy {
    pub severity: Severity,
    pub required: bool,
    pub due_business_days: i16,
}

/// The day a postmortem is due: `None` when none is owed (not resolved yet, or the severity
/// does not require one). The severity's days, shortened by the strictest affected tier's
/// `postmortem_due_days` where a tier sets one.
pub fn postmortem_due_on(
    resolved: Option<DateTime<Utc>>,
    policy: &SeverityPolicy,
    strictest_tier_days: Option<i16>,
    zone: chrono_tz::Tz,
    holidays: &[NaiveDate],
) -> Option<NaiveDate> {
    let resolved = resolved?;
    if !policy.required {
        return None;
    }
    let days = strictest_tier_days.map_or(policy.due_business_days, |t| {
        t.min(policy.due_business_days)
    });
    Some(due_date(
        resolved,
        zone,
        u32::try_from(days.max(1)).unwrap_or(1),
        holidays,
    ))
}

/// Where a postmortem owed by `due_on` stands: done (published, and whether on time), or due
/// in / overdue by business days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Deadline {
    NotRequired,
    Published { late: bool },
    Open(Due),
}

pub fn deadline(
    due_on: Option<NaiveDate>,
    published_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
    holidays: &[NaiveDate],
) -> Deadline {
    match (due_on, published_at) {
        (None, _) => Deadline::NotRequired,
        (Some(due), Some(p)) => Deadline::Published {
            late: p.with_timezone(&zone).date_naive() > due,
        },
        (Some(due), None) => Deadline::Open(due_status(due, now, zone, holidays)),
    }
}

impl Deadline {
    pub fn label(self) -> String {
        match self {
            Deadline::NotRequired => "not required".into(),
            Deadline::Published { late: false } => "published on time".into(),
            Deadline::Published { late: true } => "published late".into(),
            Deadline::Open(d) => d.label(),
        }
    }
    pub fn is_overdue(self) -> bool {
        matches!(self, Deadline::Open(d) if d.is_overdue())
    }
}

/// An earlier incident, as repeat detection sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastIncident {
    pub id: i64,
    pub started_at: DateTime<Utc>,
    pub service_ids: Vec<i64>,
    pub root_cause: Option<String>,
}

/// The most recent earlier incident on one of the same services with the same root-cause
/// category that started within `window_days` before this one: this incident repeats it.
/// No category (not decided yet, or "unknown") never makes a repeat: "we don't know twice" is
/// not the same cause. This is the rule; migration 0016 keeps it on every incident
/// (`repeat_of_id`) so lists filter and count repeats without a join per row, and a database
/// test checks the two agree.
pub fn repeat_of<'a>(
    this: &PastIncident,
    earlier: &'a [PastIncident],
    window_days: i64,
) -> Option<&'a PastIncident> {
    let cause = this.root_cause.as_deref().filter(|c| *c != "unknown")?;
    let from = this.started_at - Duration::days(window_days);
    earlier
        .iter()
        .filter(|e| e.id != this.id)
        .filter(|e| e.started_at < this.started_at && e.started_at >= from)
        .filter(|e| e.root_cause.as_deref() == Some(cause))
        .filter(|e| e.service_ids.iter().any(|s| this.service_ids.contains(s)))
        .max_by_key(|e| (e.started_at, e.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn facts(
        status: PostmortemStatus,
        author: bool,
        items: i64,
        reason: &str,
    ) -> TransitionFacts<'_> {
        TransitionFacts {
            status,
            actor_is_author: author,
            action_items: items,
            no_action_reason: reason,
        }
    }

    #[test]
    fn the_lifecycle_runs_draft_review_published_and_the_author_never_approves() {
        use PostmortemStatus::*;
        assert_eq!(
            transition(Transition::Submit, &facts(Draft, true, 0, "")),
            Ok(InReview)
        );
        assert_eq!(
            transition(Transition::RequestChanges, &facts(InReview, false, 0, "")),
            Ok(Draft)
        );
        let own = transition(Transition::Publish, &facts(InReview, true, 3, "")).unwrap_err();
        assert!(own.contains("cannot approve their own"), "{own}");
        assert_eq!(
            transition(Transition::Publish, &facts(InReview, false, 3, "")),
            Ok(Published)
        );
        assert!(transition(Transition::Publish, &facts(Draft, false, 3, "")).is_err());
        assert!(transition(Transition::Submit, &facts(Published, true, 3, "")).is_err());
    }

    #[test]
    fn no_action_items_needs_a_reason_to_publish() {
        use PostmortemStatus::*;
        let e = transition(Transition::Publish, &facts(InReview, false, 0, "  ")).unwrap_err();
        assert!(e.contains("no action needed"), "{e}");
        assert_eq!(
            transition(
                Transition::Publish,
                &facts(InReview, false, 0, "no action needed: the vendor fixed it")
            ),
            Ok(Published)
        );
    }

    fn sev(required: bool, days: i16) -> SeverityPolicy {
        SeverityPolicy {
            severity: Severity::Sev1,
            required,
            due_business_days: days,
        }
    }

    #[test]
    fn a_postmortem_is_due_in_business_days_after_resolution() {
        let utc = chrono_tz::UTC;
        // Resolved Friday evening 4 December 2026, 3 business days: Wednesday the 9th.
        let fri = Some(at("2026-12-04T19:30:00Z"));
        assert_eq!(
            postmortem_due_on(fri, &sev(true, 3), None, utc, &[]),
            Some(day("2026-12-09"))
        );
        // A tier that wants postmortems within 2 days shortens it; a laxer tier does not.
        assert_eq!(
            postmortem_due_on(fri, &sev(true, 3), Some(2), utc, &[]),
            Some(day("2026-12-08"))
        );
        assert_eq!(
            postmortem_due_on(fri, &sev(true, 3), Some(10), utc, &[]),
            Some(day("2026-12-09"))
        );
        // Across a holiday: Monday the 7th off → Thursday.
        assert_eq!(
            postmortem_due_on(fri, &sev(true, 3), None, utc, &[day("2026-12-07")]),
            Some(day("2026-12-10"))
        );
        // Not owed: unresolved, or a severity that needs none.
        assert_eq!(postmortem_due_on(None, &sev(true, 3), None, utc, &[]), None);
        assert_eq!(postmortem_due_on(fri, &sev(false, 3), None, utc, &[]), None);
        // At a month end in a non-UTC zone: 30 April 2026 23:30 UTC is already Friday 1 May in
        // Tokyo, so 5 business days run 4–8 May.
        let tokyo: chrono_tz::Tz = "Asia/Tokyo".parse().unwrap();
        assert_eq!(
            postmortem_due_on(
                Some(at("2026-04-30T23:30:00Z")),
                &sev(true, 5),
                None,
                tokyo,
                &[]
            ),
            Some(day("2026-05-08"))
        );
        assert_eq!(
            postmortem_due_on(
                Some(at("2026-04-30T23:30:00Z")),
                &sev(true, 5),
                None,
                utc,
                &[]
            ),
            Some(day("2026-05-07"))
        );
    }

    #[test]
    fn the_deadline_says_due_overdue_on_time_or_late() {
        let utc = chrono_tz::UTC;
        let due = Some(day("2026-12-09"));
        let now = at("2026-12-14T10:00:00Z"); // Monday after
        assert_eq!(
            deadline(due, None, now, utc, &[]).label(),
            "overdue by 3 business days"
        );
        assert!(deadline(due, None, now, utc, &[]).is_overdue());
        assert_eq!(
            deadline(due, None, at("2026-12-07T10:00:00Z"), utc, &[]).label(),
            "due in 2 business days"
        );
        assert_eq!(
            deadline(due, Some(at("2026-12-09T22:00:00Z")), now, utc, &[]),
            Deadline::Published { late: false }
        );
        assert_eq!(
            deadline(due, Some(at("2026-12-10T08:00:00Z")), now, utc, &[]),
            Deadline::Published { late: true }
        );
        assert_eq!(deadline(None, None, now, utc, &[]), Deadline::NotRequired);
    }

    fn past(id: i64, started: &str, services: &[i64], cause: Option<&str>) -> PastIncident {
        PastIncident {
            id,
            started_at: at(started),
            service_ids: services.to_vec(),
            root_cause: cause.map(str::to_string),
        }
    }

    #[test]
    fn a_repeat_shares_a_service_and_a_cause_within_the_window() {
        let this = past(10, "2026-12-01T00:00:00Z", &[1, 2], Some("deploy"));
        let earlier = vec![
            past(1, "2026-08-01T00:00:00Z", &[1], Some("deploy")), // 122 days: too old
            past(2, "2026-10-01T00:00:00Z", &[3], Some("deploy")), // another service
            past(3, "2026-10-15T00:00:00Z", &[2], Some("capacity")), // another cause
            past(4, "2026-11-01T00:00:00Z", &[2, 9], Some("deploy")), // a repeat
            past(5, "2026-11-20T00:00:00Z", &[1], Some("deploy")), // the latest repeat
            past(6, "2026-12-02T00:00:00Z", &[1], Some("deploy")), // later, not earlier
        ];
        assert_eq!(repeat_of(&this, &earlier, 90).map(|e| e.id), Some(5));
        assert_eq!(repeat_of(&this, &earlier[..4], 90).map(|e| e.id), Some(4));
        assert_eq!(repeat_of(&this, &earlier[..3], 90), None);
        // A wider window reaches the old one.
        assert_eq!(repeat_of(&this, &earlier[..2], 150).map(|e| e.id), Some(1));
        // No category, or "unknown", is never a repeat.
        let unknown = past(10, "2026-12-01T00:00:00Z", &[1], Some("unknown"));
        let earlier_unknown = vec![past(7, "2026-11-30T00:00:00Z", &[1], Some("unknown"))];
        assert_eq!(repeat_of(&unknown, &earlier_unknown, 90), None);
        let none = past(10, "2026-12-01T00:00:00Z", &[1], None);
        assert_eq!(repeat_of(&none, &earlier, 90), None);
    }

    #[test]
    fn sections_are_bounded_and_the_category_must_exist() {
        let cats = vec!["deploy".to_string()];
        let f = PostmortemForm {
            summary: "  A deploy broke checkout.  ".into(),
            root_cause: "deploy".into(),
            ..Default::default()
        };
        let ok = f.validate(&cats).unwrap();
        assert_eq!(ok.summary, "A deploy broke checkout.");
        let f = PostmortemForm {
            impact: "x".repeat(SECTION_MAX + 1),
            root_cause: "gremlins".into(),
            ..Default::default()
        };
        let e = f.validate(&cats).unwrap_err();
        assert!(
            e.get("impact").is_some() && e.get("root_cause").is_some(),
            "{e}"
        );
    }

    #[test]
    fn timeline_entries_need_a_time_a_kind_and_words() {
        let now = at("2026-12-03T12:00:00Z");
        let f = TimelineForm {
            at: "2026-12-03T10:05".into(),
            zone: "Europe/Berlin".into(),
            kind: "diagnosis".into(),
            body: "Found the bad config".into(),
        };
        let t = f.validate(now).unwrap();
        assert_eq!(t.at, at("2026-12-03T09:05:00Z"));
        assert_eq!(t.kind, TimelineKind::Diagnosis);
        let e = TimelineForm {
            at: "2026-12-04T10:00".into(),
            kind: "gossip".into(),
            ..Default::default()
        }
        .validate(now)
        .unwrap_err();
        for f in ["at", "kind", "body"] {
            assert!(e.get(f).is_some(), "{f}: {e}");
        }
    }
}
