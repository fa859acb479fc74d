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

/// What the learning loop owes: overdue P0/P1 action items and overdue postmortems, each with
/// how many there are in all.
#[server(prefix = "/fn", endpoint = "get_overdue_learning")]
pub async fn get_overdue_learning() -> Result<
    (
        Vec<crate::domain::action_list::ActionItem>,
        Vec<crate::domain::postmortem_view::OverduePostmortem>,
        i64,
    ),
    crate::error::AppError,
> {
    use super::ctx::{me, respond, state};
    respond(
        async {
            me()?;
            let st = state()?;
            let now = chrono::Utc::now();
            let (actions, (postmortems, total)) = tokio::try_join!(
                crate::store::action_items::overdue_urgent(&st.pool, 10, now),
                crate::store::postmortems::overdue(&st.pool, 10, now),
            )?;
            Ok((actions, postmortems, total))
        }
        .await,
    )
}
