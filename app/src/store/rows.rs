//! Database rows and their conversion to domain types, shared by the store modules.
use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::dependency::{DependencyEdge, DependencyKind};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::link::{age_days, is_stale, Link, LinkKind};
use crate::domain::service::{summary, ServiceRow, SUMMARY_CHARS};
use crate::domain::team::{Team, TeamRef};
use crate::domain::tier::{Tier, TierPolicy};
use crate::error::AppError;

// The CHECK constraints make these conversions total; a failure means the schema and the code
// disagree, which is a bug to log, not a user error.
pub fn tier(n: i16) -> Result<Tier, AppError> {
    u8::try_from(n)
        .ok()
        .and_then(Tier::new)
        .ok_or_else(|| AppError::internal(format!("tier {n} out of range")))
}

pub fn lifecycle(s: &str) -> Result<Lifecycle, AppError> {
    Lifecycle::parse(s).ok_or_else(|| AppError::internal(format!("unknown lifecycle {s}")))
}

#[derive(sqlx::FromRow)]
pub struct ServiceListRow {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub tier: i16,
    pub lifecycle: String,
    pub team_slug: Option<String>,
    pub team_name: Option<String>,
    pub tags: Vec<String>,
    pub updated_at: DateTime<Utc>,
}

/// Columns for `ServiceListRow`; the query must join `team t` on the owner. The description is
/// read one character past `SUMMARY_CHARS`, so `summary` can tell that it was cut.
pub const SERVICE_LIST_COLUMNS: &str = "s.slug, s.name, left(s.description, 141) AS description, \
     s.tier, s.lifecycle, t.slug AS team_slug, t.name AS team_name, s.tags, s.updated_at";

impl ServiceListRow {
    pub fn into_domain(self) -> Result<ServiceRow, AppError> {
        Ok(ServiceRow {
            tier: tier(self.tier)?,
            lifecycle: lifecycle(&self.lifecycle)?,
            owner: match (self.team_slug, self.team_name) {
                (Some(slug), Some(name)) => Some(TeamRef { slug, name }),
                _ => None,
            },
            slug: self.slug,
            name: self.name,
            description: summary(&self.description, SUMMARY_CHARS),
            tags: self.tags,
            updated_at: self.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct TeamRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub email: String,
    pub chat_channel: String,
    pub oncall_url: String,
    pub escalation_policy: String,
}

pub const TEAM_COLUMNS: &str =
    "id, slug, name, description, email, chat_channel, oncall_url, escalation_policy";

impl From<TeamRow> for Team {
    fn from(r: TeamRow) -> Team {
        Team {
            id: r.id,
            slug: r.slug,
            name: r.name,
            description: r.description,
            email: r.email,
            chat_channel: r.chat_channel,
            oncall_url: r.oncall_url,
            escalation_policy: r.escalation_policy,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct TierPolicyRow {
    pub tier: i16,
    pub name: String,
    pub description: String,
    pub oncall_required: bool,
    pub runbook_required: bool,
    pub min_slo_objective: Option<f64>,
    pub postmortem_due_days: Option<i16>,
    pub slo_required: bool,
    pub budget_at_risk_pct: i16,
}

impl TierPolicyRow {
    pub fn into_domain(self) -> Result<TierPolicy, AppError> {
        Ok(TierPolicy {
            tier: tier(self.tier)?,
            name: self.name,
            description: self.description,
            oncall_required: self.oncall_required,
            runbook_required: self.runbook_required,
            min_slo_objective: self.min_slo_objective,
            postmortem_due_days: self.postmortem_due_days,
            slo_required: self.slo_required,
            budget_at_risk_pct: self.budget_at_risk_pct,
        })
    }
}

/// A link as aggregated into the service page's JSON column.
#[derive(serde::Deserialize)]
pub struct LinkRow {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub url: String,
    pub last_reviewed_on: Option<NaiveDate>,
}

impl LinkRow {
    pub fn into_domain(self, today: NaiveDate, stale_after_days: i64) -> Result<Link, AppError> {
        let kind = LinkKind::parse(&self.kind)
            .ok_or_else(|| AppError::internal(format!("unknown link kind {}", self.kind)))?;
        let age = age_days(self.last_reviewed_on, today);
        Ok(Link {
            id: self.id,
            kind,
            title: self.title,
            url: self.url,
            last_reviewed_on: self.last_reviewed_on,
            age_days: age,
            stale: is_stale(kind, age, stale_after_days),
        })
    }
}

/// One end of a dependency, as aggregated into the service page's JSON columns.
#[derive(serde::Deserialize)]
pub struct EdgeRow {
    pub slug: String,
    pub name: String,
    pub tier: i16,
    pub lifecycle: String,
    pub kind: String,
}

impl EdgeRow {
    pub fn into_domain(self) -> Result<DependencyEdge, AppError> {
        Ok(DependencyEdge {
            tier: tier(self.tier)?,
            lifecycle: lifecycle(&self.lifecycle)?,
            kind: DependencyKind::parse(&self.kind).ok_or_else(|| {
                AppError::internal(format!("unknown dependency kind {}", self.kind))
            })?,
            slug: self.slug,
            name: self.name,
        })
    }
}
