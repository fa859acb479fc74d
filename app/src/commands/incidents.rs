//! Incidents. Editors of any affected service's team and admins declare and change them; the
//! check runs against the services before and after the change, so nobody moves an incident
//! onto or off services they have no say over.
use crate::domain::access::Permission;
use crate::domain::incident::IncidentForm;
use crate::error::AppError;
use crate::state::AppState;
use crate::store;

use super::{authorize, begin, write, Caller};

/// Declares an incident; returns its id.
pub async fn declare(st: &AppState, who: &Caller, form: &IncidentForm) -> Result<i64, AppError> {
    let input = form.validate(chrono::Utc::now())?;
    // Resolve names first (unknown services and people are field errors), then authorise.
    let mut tx = begin(st, who).await?;
    let services = store::incidents::resolve_services(&mut tx, &input.services).await?;
    store::incidents::commander_id(&mut tx, input.commander.as_deref()).await?;
    tx.rollback().await?;
    let teams = services.iter().map(|(_, t)| t.clone()).collect();
    authorize(st, who, Permission::EditIncident(teams), &input.title).await?;
    write(st, who, async |db| {
        let services = store::incidents::resolve_services(db, &input.services).await?;
        let ids: Vec<i64> = services.iter().map(|(id, _)| *id).collect();
        let commander = store::incidents::commander_id(db, input.commander.as_deref()).await?;
        store::incidents::create(db, &input, &ids, commander).await
    })
    .await
}

/// Changes an incident from a form opened at `form.version` (if it says).
pub async fn update(
    st: &AppState,
    who: &Caller,
    id: i64,
    form: &IncidentForm,
) -> Result<(), AppError> {
    let current = store::incidents::teams_of(&st.pool, id).await?;
    authorize(
        st,
        who,
        Permission::EditIncident(current),
        &format!("incident #{id}"),
    )
    .await?;
    let input = form.validate(chrono::Utc::now())?;
    let expected = form.expected_version()?;
    let mut tx = begin(st, who).await?;
    let services = store::incidents::resolve_services(&mut tx, &input.services).await?;
    store::incidents::commander_id(&mut tx, input.commander.as_deref()).await?;
    tx.rollback().await?;
    let teams = services.iter().map(|(_, t)| t.clone()).collect();
    authorize(
        st,
        who,
        Permission::EditIncident(teams),
        &format!("incident #{id}"),
    )
    .await?;
    write(st, who, async |db| {
        let services = store::incidents::resolve_services(db, &input.services).await?;
        let ids: Vec<i64> = services.iter().map(|(id, _)| *id).collect();
        let commander = store::incidents::commander_id(db, input.commander.as_deref()).await?;
        store::incidents::update(db, id, &input, &ids, commander, expected).await
    })
    .await
}
