//! An SLO as the pages and the API show it: its definition and its figures at one moment.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::slo::{Objective, SloFigures};
use super::slo_form::SloInput;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slo {
    pub id: i64,
    /// The service's slug.
    pub service: String,
    pub service_tier: i16,
    #[serde(flatten)]
    pub input: SloInput,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    /// The tier's minimum objective, when this SLO's is below it.
    pub below_floor: Option<Objective>,
    pub pushed_at: Option<DateTime<Utc>>,
    pub pushed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloView {
    #[serde(flatten)]
    pub slo: Slo,
    pub figures: SloFigures,
}

/// The SLO page: the SLO, its service, and the burn-down over the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloPage {
    pub view: SloView,
    pub service_name: String,
    /// The owning team's slug, for the edit permission.
    pub owner: Option<String>,
    pub days: Vec<super::slo::DayPoint>,
    /// For a Prometheus SLO, its recording and alerting rules (Prometheus YAML).
    pub rules: Option<String>,
}
