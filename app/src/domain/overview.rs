use serde::{Deserialize, Serialize};

use super::service::ServiceRow;
use super::tier::PolicyGap;

/// A service that falls short of its tier's policy, with how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shortfall {
    pub service: ServiceRow,
    pub gaps: Vec<PolicyGap>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierCount {
    pub tier: super::tier::Tier,
    pub services: i64,
}

/// The home page: what needs attention across the catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub services: i64,
    pub teams: i64,
    pub unowned: i64,
    pub by_tier: Vec<TierCount>,
    /// Worst first (lowest tier number), bounded; `shortfall_total` counts them all.
    pub shortfalls: Vec<Shortfall>,
    pub shortfall_total: i64,
    pub stale_after_days: i64,
    /// SLOs with their budget spent (freeze) or paging now, most critical tier first.
    pub budgets: Vec<super::slo_list::SloListRow>,
}
