use leptos::prelude::*;

use crate::domain::overview::Overview;
use crate::error::AppError;

#[server(prefix = "/fn", endpoint = "get_overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    use super::ctx::{me, respond, state, today};
    respond(
        async {
            me()?;
            let st = state()?;
            crate::store::overview::overview(&st.pool, today(), st.settings.runbook_stale_days)
                .await
        }
        .await,
    )
}
