//! Incidents. Editors of any affected service's team and admins declare and change them; the
//! check runs against the services before and after the change, so nobody moves an incident
//! onto or off services they have no say over.
use crate::domain::access::Permission;
use crate::domain::incident::{IncidentForm, IncidentInput};
use crate::error::AppError;
use crate::state::AppState;
use crate::store;

use super::{authorize, write, Caller};

/// The services and commander by name (unknown ones are field errors), then the right to put
/// the incident on those services.
async fn resolve(
    st: &AppState,
    who: &Caller,
    input: &IncidentInput,
    target: &str,
) -> Result<(Vec<i64>, Option<i64>), AppError> {
    let mut db = st.pool.acquire().await?;
    let services = store::incidents::resolve_services(&mut db, &input.services).await?;
    let commander = store::incidents::commander_id(&mut db, input.commander.as_deref()).await?;
    drop(db);
    let teams = services.iter().map(|(_, t)| t.clone()).collect();
    authorize(st, who, Permission::EditIncident(teams), target).await?;
    Ok((services.into_iter().map(|(id, _)| id).collect(), commander))
}

/// Declares an incident; returns its id.
pub async fn declare(st: &AppState, who: &Caller, form: &IncidentForm) -> Result<i64, AppError> {
    let input = form.validate(chrono::Utc::now())?;
    let (ids, commander) = resolve(st, who, &input, &input.title).await?;
    write(st, who, async |db| {
        let id = store::incidents::create(db, &input, &ids, commander).await?;
        store::postmortems::refresh_due(db, Some(id)).await?;
        Ok(id)
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
    let target = format!("incident #{id}");
    let current = store::incidents::teams_of(&st.pool, id).await?;
    authorize(st, who, Permission::EditIncident(current), &target).await?;
    let input = form.validate(chrono::Utc::now())?;
    let expected = form.expected_version()?;
    let (ids, commander) = resolve(st, who, &input, &target).await?;
    write(st, who, async |db| {
        store::incidents::update(db, id, &input, &ids, commander, expected).await?;
        // The deadline moves with the resolution time, the severity and the services.
        store::postmortems::refresh_due(db, Some(id)).await
    })
    .await
}
