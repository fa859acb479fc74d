use sqlx::{PgConnection, PgPool};

use crate::domain::tier::TierPolicy;
use crate::domain::tier_form::TierPolicyInput;
use crate::error::AppError;

use super::rows::TierPolicyRow;

const COLUMNS: &str = "tier, name, description, oncall_required, runbook_required, min_slo_objective, postmortem_due_days, slo_required, budget_at_risk_pct";

pub async fn list(pool: &PgPool) -> Result<Vec<TierPolicy>, AppError> {
    let rows: Vec<TierPolicyRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM tier_policy ORDER BY tier"))
            .fetch_all(pool)
            .await?;
    rows.into_iter().map(TierPolicyRow::into_domain).collect()
}

pub async fn get(pool: &PgPool, tier: u8) -> Result<TierPolicy, AppError> {
    let row: Option<TierPolicyRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM tier_policy WHERE tier = $1"
    ))
    .bind(i16::from(tier))
    .fetch_optional(pool)
    .await?;
    row.ok_or_else(|| AppError::NotFound(format!("Tier {tier}")))?
        .into_domain()
}

pub async fn update(db: &mut PgConnection, tier: u8, p: &TierPolicyInput) -> Result<(), AppError> {
    let done = sqlx::query(
        "UPDATE tier_policy SET name = $2, description = $3, oncall_required = $4, runbook_required = $5, \
         min_slo_objective = $6, postmortem_due_days = $7, slo_required = $8, budget_at_risk_pct = $9, \
         updated_at = now() WHERE tier = $1",
    )
    .bind(i16::from(tier))
    .bind(&p.name)
    .bind(&p.description)
    .bind(p.oncall_required)
    .bind(p.runbook_required)
    .bind(p.min_slo_objective)
    .bind(p.postmortem_due_days)
    .bind(p.slo_required)
    .bind(p.budget_at_risk_pct)
    .execute(db)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound(format!("Tier {tier}")));
    }
    Ok(())
}
