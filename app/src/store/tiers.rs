use sqlx::PgPool;

use crate::domain::tier::TierPolicy;
use crate::error::AppError;

use super::rows::TierPolicyRow;

const COLUMNS: &str = "tier, name, description, oncall_required, runbook_required, min_slo_objective, postmortem_due_days";

pub async fn list(pool: &PgPool) -> Result<Vec<TierPolicy>, AppError> {
    let rows: Vec<TierPolicyRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM tier_policy ORDER BY tier"))
            .fetch_all(pool)
            .await?;
    rows.into_iter().map(TierPolicyRow::into_domain).collect()
}
