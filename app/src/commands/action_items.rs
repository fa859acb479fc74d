//! Action items. Whoever may write the postmortem adds them (for any team: the owning team is
//! who will do the work); afterwards the owning team's editors and admins change them, and an
//! item moved to another team needs the right over both.
use crate::domain::access::Permission;
use crate::domain::action_item::{completed_at, ActionForm};
use crate::error::AppError;
use crate::state::AppState;
use crate::store;

use super::{authorize, write, Caller};

pub async fn create(
    st: &AppState,
    who: &Caller,
    incident_id: i64,
    form: &ActionForm,
) -> Result<i64, AppError> {
    let teams = store::incidents::teams_of(&st.pool, incident_id).await?;
    authorize(
        st,
        who,
        Permission::EditIncident(teams),
        &format!("action item of #{incident_id}"),
    )
    .await?;
    let input = form.validate()?;
    let now = chrono::Utc::now();
    write(st, who, async |db| {
        store::action_items::create(db, incident_id, &input, now).await
    })
    .await
}

/// Changes an item; returns its incident's id (the page to go back to).
pub async fn update(
    st: &AppState,
    who: &Caller,
    id: i64,
    form: &ActionForm,
) -> Result<i64, AppError> {
    let target = format!("action item #{id}");
    let team = store::action_items::team_of(&st.pool, id).await?;
    authorize(st, who, Permission::EditActionItem(team.clone()), &target).await?;
    let input = form.validate()?;
    if input.team != team {
        authorize(
            st,
            who,
            Permission::EditActionItem(input.team.clone()),
            &target,
        )
        .await?;
    }
    let expected = form.expected_version()?;
    let now = chrono::Utc::now();
    write(st, who, async |db| {
        let cur = store::action_items::lock(db, id).await?;
        if cur.team != team || expected.is_some_and(|v| v != cur.version) {
            return Err(AppError::Conflict(
                "Someone changed this action item since you opened it. Reload to see their change; your changes are still in the form.".into(),
            ));
        }
        let done = completed_at(Some((cur.status, cur.completed_at)), input.status, now);
        store::action_items::update(db, id, &input, done).await?;
        Ok(cur.incident_id)
    })
    .await
}
