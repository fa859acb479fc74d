//! Tiers and what each one requires of a service.
use serde::{Deserialize, Serialize};

use super::link::{Link, LinkKind};

/// Criticality, 0 (business-critical platform) to 3 (best effort).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Tier(u8);

impl Tier {
    pub const MAX: u8 = 3;
    pub fn new(n: u8) -> Option<Tier> {
        (n <= Self::MAX).then_some(Tier(n))
    }
    pub fn all() -> impl Iterator<Item = Tier> {
        (0..=Self::MAX).map(Tier)
    }
    pub fn number(self) -> u8 {
        self.0
    }
    /// Accepts "2" or "tier 2"/"t2" as people type them; anything else, or out of range, is None.
    pub fn parse(s: &str) -> Option<Tier> {
        let s = s.trim().to_ascii_lowercase();
        let digits = s.trim_start_matches("tier").trim_start_matches('t').trim();
        digits.parse::<u8>().ok().and_then(Tier::new)
    }
    pub fn short_label(self) -> String {
        format!("T{}", self.0)
    }
    pub fn label(self) -> String {
        format!("Tier {}", self.0)
    }
}

/// What a tier requires, stored per tier in `tier_policy` and edited by admins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierPolicy {
    pub tier: Tier,
    pub name: String,
    pub description: String,
    pub oncall_required: bool,
    pub runbook_required: bool,
    /// Percent, e.g. 99.9.
    pub min_slo_objective: Option<f64>,
    /// Business days after resolution.
    pub postmortem_due_days: Option<i16>,
    /// Every service of the tier must have an SLO.
    pub slo_required: bool,
    /// An SLO with less than this share of its budget left (percent) is at risk.
    pub budget_at_risk_pct: i16,
}

impl TierPolicy {
    /// "Tier 1 · Customer-facing" → "Customer-facing".
    pub fn short_name(&self) -> &str {
        self.name
            .split_once('·')
            .map(|(_, rest)| rest.trim())
            .unwrap_or(&self.name)
    }
}

/// A way a service falls short of its tier's policy today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PolicyGap {
    NoOwner,
    NoOncall,
    NoRunbook,
    /// Every runbook is past the review window; `days` since the freshest review, None if never.
    StaleRunbook {
        days: Option<i64>,
    },
    /// The tier requires an SLO and the service has none.
    NoSlo,
    /// `count` SLOs promise less than the tier's minimum objective.
    SloBelowFloor {
        count: i64,
    },
}

impl PolicyGap {
    pub fn message(&self, stale_after_days: i64) -> String {
        match self {
            PolicyGap::NoOwner => "No owning team: nobody is accountable for this service.".into(),
            PolicyGap::NoOncall => {
                "No on-call: the tier requires a pager, but neither the service nor its team has an on-call link."
                    .into()
            }
            PolicyGap::NoRunbook => "No runbook: the tier requires one.".into(),
            PolicyGap::NoSlo => {
                "No SLO: the tier requires at least one, so nobody can say whether this service keeps its promise."
                    .into()
            }
            PolicyGap::SloBelowFloor { count: 1 } => {
                "One SLO's objective is below the tier's minimum.".into()
            }
            PolicyGap::SloBelowFloor { count } => {
                format!("{count} SLOs have objectives below the tier's minimum.")
            }
            PolicyGap::StaleRunbook { days: Some(d) } => format!(
                "Runbook is stale: last reviewed {d} days ago (reviews are due every {stale_after_days} days)."
            ),
            PolicyGap::StaleRunbook { days: None } => {
                "Runbook has never been reviewed.".into()
            }
        }
    }
    pub fn short(&self) -> &'static str {
        match self {
            PolicyGap::NoOwner => "no owner",
            PolicyGap::NoOncall => "no on-call",
            PolicyGap::NoRunbook => "no runbook",
            PolicyGap::StaleRunbook { .. } => "stale runbook",
            PolicyGap::NoSlo => "no SLO",
            PolicyGap::SloBelowFloor { .. } => "SLO below floor",
        }
    }
}

/// The facts about one service that its tier policy is checked against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyFacts {
    pub has_owner: bool,
    /// An on-call link on the service, or a pager URL on the owning team.
    pub has_oncall: bool,
    pub runbook_count: i64,
    /// Age in days of the most recently reviewed runbook; None if none was ever reviewed.
    pub freshest_runbook_age_days: Option<i64>,
    pub slo_count: i64,
    /// SLOs whose objective is below the tier's minimum.
    pub slos_below_floor: i64,
}

impl PolicyFacts {
    /// Facts from the service's links; its SLO counts are filled in by the caller.
    pub fn from_links(links: &[Link], team_has_oncall: bool, has_owner: bool) -> PolicyFacts {
        let runbooks: Vec<&Link> = links
            .iter()
            .filter(|l| l.kind == LinkKind::Runbook)
            .collect();
        PolicyFacts {
            has_owner,
            has_oncall: team_has_oncall || links.iter().any(|l| l.kind == LinkKind::Oncall),
            runbook_count: runbooks.len() as i64,
            freshest_runbook_age_days: runbooks.iter().filter_map(|l| l.age_days).min(),
            slo_count: 0,
            slos_below_floor: 0,
        }
    }
}

/// Where a service falls short of its tier. An owner is expected of every service whatever the
/// tier; on-call and runbook only where the policy says so. One fresh runbook is enough.
pub fn policy_gaps(
    policy: &TierPolicy,
    facts: &PolicyFacts,
    stale_after_days: i64,
) -> Vec<PolicyGap> {
    let mut gaps = Vec::new();
    if !facts.has_owner {
        gaps.push(PolicyGap::NoOwner);
    }
    if policy.oncall_required && !facts.has_oncall {
        gaps.push(PolicyGap::NoOncall);
    }
    if policy.runbook_required {
        if facts.runbook_count == 0 {
            gaps.push(PolicyGap::NoRunbook);
        } else if facts
            .freshest_runbook_age_days
            .is_none_or(|d| d > stale_after_days)
        {
            gaps.push(PolicyGap::StaleRunbook {
                days: facts.freshest_runbook_age_days,
            });
        }
    }
    if policy.slo_required && facts.slo_count == 0 {
        gaps.push(PolicyGap::NoSlo);
    }
    if facts.slos_below_floor > 0 {
        gaps.push(PolicyGap::SloBelowFloor {
            count: facts.slos_below_floor,
        });
    }
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(oncall: bool, runbook: bool) -> TierPolicy {
        TierPolicy {
            tier: Tier(1),
            name: "Tier 1 · Customer-facing".into(),
            description: String::new(),
            oncall_required: oncall,
            runbook_required: runbook,
            min_slo_objective: Some(99.9),
            postmortem_due_days: Some(5),
            slo_required: false,
            budget_at_risk_pct: 25,
        }
    }
    fn facts(oncall: bool, runbooks: i64, age: Option<i64>) -> PolicyFacts {
        PolicyFacts {
            has_owner: true,
            has_oncall: oncall,
            runbook_count: runbooks,
            freshest_runbook_age_days: age,
            slo_count: 1,
            slos_below_floor: 0,
        }
    }

    #[test]
    fn slo_requirements_follow_the_tier() {
        let mut p = policy(false, false);
        let none = PolicyFacts {
            slo_count: 0,
            ..facts(true, 1, Some(1))
        };
        assert!(policy_gaps(&p, &none, 180).is_empty());
        p.slo_required = true;
        assert_eq!(policy_gaps(&p, &none, 180), vec![PolicyGap::NoSlo]);
        let low = PolicyFacts {
            slos_below_floor: 2,
            ..facts(true, 1, Some(1))
        };
        assert_eq!(
            policy_gaps(&p, &low, 180),
            vec![PolicyGap::SloBelowFloor { count: 2 }]
        );
        assert!(PolicyGap::SloBelowFloor { count: 2 }
            .message(180)
            .contains("2 SLOs"));
    }

    #[test]
    fn tier_parsing_and_range() {
        assert_eq!(Tier::parse("0"), Tier::new(0));
        assert_eq!(Tier::parse(" 3 "), Tier::new(3));
        assert_eq!(Tier::parse("tier 2"), Tier::new(2));
        assert_eq!(Tier::parse("T1"), Tier::new(1));
        assert_eq!(Tier::parse("4"), None);
        assert_eq!(Tier::parse("-1"), None);
        assert_eq!(Tier::parse("critical"), None);
        assert_eq!(Tier::all().count(), 4);
        assert_eq!(policy(true, true).short_name(), "Customer-facing");
    }

    #[test]
    fn compliant_service_has_no_gaps() {
        assert!(policy_gaps(&policy(true, true), &facts(true, 1, Some(10)), 180).is_empty());
    }

    #[test]
    fn missing_oncall_and_runbook() {
        let gaps = policy_gaps(&policy(true, true), &facts(false, 0, None), 180);
        assert_eq!(gaps, vec![PolicyGap::NoOncall, PolicyGap::NoRunbook]);
    }

    #[test]
    fn not_required_means_no_gap() {
        assert!(policy_gaps(&policy(false, false), &facts(false, 0, None), 180).is_empty());
    }

    #[test]
    fn stale_runbook_boundary() {
        let p = policy(false, true);
        assert!(
            policy_gaps(&p, &facts(false, 1, Some(180)), 180).is_empty(),
            "day 180 is still fresh"
        );
        assert_eq!(
            policy_gaps(&p, &facts(false, 1, Some(181)), 180),
            vec![PolicyGap::StaleRunbook { days: Some(181) }]
        );
        assert_eq!(
            policy_gaps(&p, &facts(false, 2, None), 180),
            vec![PolicyGap::StaleRunbook { days: None }],
            "a runbook never reviewed is stale"
        );
        assert!(PolicyGap::StaleRunbook { days: Some(200) }
            .message(180)
            .contains("200 days"));
    }

    #[test]
    fn unowned_is_always_a_gap() {
        let mut f = facts(true, 1, Some(1));
        f.has_owner = false;
        assert_eq!(
            policy_gaps(&policy(false, false), &f, 180),
            vec![PolicyGap::NoOwner]
        );
    }

    #[test]
    fn facts_from_links_use_freshest_runbook_and_team_pager() {
        let link = |kind, age| Link {
            id: 1,
            kind,
            title: "x".into(),
            url: "https://x.example.com".into(),
            last_reviewed_on: None,
            age_days: age,
            stale: false,
        };
        let links = vec![
            link(LinkKind::Runbook, Some(400)),
            link(LinkKind::Runbook, Some(30)),
            link(LinkKind::Dashboard, Some(1)),
        ];
        let f = PolicyFacts::from_links(&links, false, true);
        assert_eq!(f.runbook_count, 2);
        assert_eq!(f.freshest_runbook_age_days, Some(30));
        assert!(!f.has_oncall);
        assert!(PolicyFacts::from_links(&links, true, true).has_oncall);
        let with_oncall = vec![link(LinkKind::Oncall, None)];
        assert!(PolicyFacts::from_links(&with_oncall, false, true).has_oncall);
    }
}
