//! The admin's tier policy form: text in, a checked policy out.
use serde::{Deserialize, Serialize};

use super::tier::TierPolicy;
use super::validation::{check_optional, check_required, FieldErrors};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TierPolicyForm {
    pub name: String,
    pub description: String,
    /// Checkboxes post "on" when ticked and nothing when not.
    pub oncall_required: String,
    pub runbook_required: String,
    /// Percent, e.g. "99.9"; empty: no SLO required.
    pub min_slo_objective: String,
    /// Business days; empty: no postmortem required.
    pub postmortem_due_days: String,
    pub slo_required: String,
    /// Percent of budget left below which an SLO is at risk; empty: the default, 25.
    pub budget_at_risk_pct: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TierPolicyInput {
    pub name: String,
    pub description: String,
    pub oncall_required: bool,
    pub runbook_required: bool,
    pub min_slo_objective: Option<f64>,
    pub postmortem_due_days: Option<i16>,
    pub slo_required: bool,
    pub budget_at_risk_pct: i16,
}

/// The share of budget left (percent) below which an SLO is at risk, unless a tier says otherwise.
pub const DEFAULT_AT_RISK_PCT: i16 = 25;

fn ticked(raw: &str) -> bool {
    matches!(raw.trim(), "on" | "true" | "yes" | "1")
}

impl TierPolicyForm {
    pub fn from_policy(p: &TierPolicy) -> TierPolicyForm {
        let tick = |b: bool| if b { "on" } else { "" }.to_string();
        TierPolicyForm {
            name: p.name.clone(),
            description: p.description.clone(),
            oncall_required: tick(p.oncall_required),
            runbook_required: tick(p.runbook_required),
            min_slo_objective: p
                .min_slo_objective
                .map(|o| o.to_string())
                .unwrap_or_default(),
            postmortem_due_days: p
                .postmortem_due_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
            slo_required: tick(p.slo_required),
            budget_at_risk_pct: p.budget_at_risk_pct.to_string(),
        }
    }

    pub fn validate(&self) -> Result<TierPolicyInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = check_required(&mut errors, "name", &self.name, 120);
        let description = check_optional(&mut errors, "description", &self.description, 2000);
        let min_slo_objective = match self.min_slo_objective.trim().trim_end_matches('%') {
            "" => None,
            raw => match raw.parse::<f64>() {
                Ok(o) if o > 0.0 && o < 100.0 => Some(o),
                _ => {
                    errors.add(
                        "min_slo_objective",
                        "Give a percentage above 0 and below 100, such as 99.9, or leave it empty.",
                    );
                    None
                }
            },
        };
        let postmortem_due_days = match self.postmortem_due_days.trim() {
            "" => None,
            raw => match raw.parse::<i16>() {
                Ok(d) if (1..=90).contains(&d) => Some(d),
                _ => {
                    errors.add(
                        "postmortem_due_days",
                        "Give a whole number of business days from 1 to 90, or leave it empty.",
                    );
                    None
                }
            },
        };
        let budget_at_risk_pct = match self.budget_at_risk_pct.trim().trim_end_matches('%').trim() {
            "" => DEFAULT_AT_RISK_PCT,
            raw => match raw.parse::<i16>() {
                Ok(p) if (1..=99).contains(&p) => p,
                _ => {
                    errors.add(
                        "budget_at_risk_pct",
                        "Give a whole percentage from 1 to 99, or leave it empty for 25.",
                    );
                    DEFAULT_AT_RISK_PCT
                }
            },
        };
        errors.into_result(TierPolicyInput {
            name,
            description,
            oncall_required: ticked(&self.oncall_required),
            runbook_required: ticked(&self.runbook_required),
            min_slo_objective,
            postmortem_due_days,
            slo_required: ticked(&self.slo_required),
            budget_at_risk_pct,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_policy() {
        let f = TierPolicyForm {
            name: "Tier 1 · Customer-facing".into(),
            oncall_required: "on".into(),
            min_slo_objective: "99.9%".into(),
            postmortem_due_days: "5".into(),
            ..Default::default()
        };
        let p = f.validate().unwrap();
        assert!(p.oncall_required && !p.runbook_required);
        assert_eq!(p.min_slo_objective, Some(99.9));
        assert_eq!(p.postmortem_due_days, Some(5));
    }

    #[test]
    fn out_of_range_values_are_refused_per_field() {
        let f = TierPolicyForm {
            name: " ".into(),
            min_slo_objective: "100".into(),
            postmortem_due_days: "0".into(),
            ..Default::default()
        };
        let e = f.validate().unwrap_err();
        for field in ["name", "min_slo_objective", "postmortem_due_days"] {
            assert!(e.get(field).is_some(), "{field}");
        }
    }
}
