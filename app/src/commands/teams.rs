//! Teams (admins only).
use crate::domain::access::Permission;
use crate::domain::team::{Team, TeamForm};
use crate::error::AppError;
use crate::state::AppState;
use crate::store;

use super::{authorize, write, Caller};

pub async fn create(st: &AppState, who: &Caller, form: &TeamForm) -> Result<Team, AppError> {
    authorize(st, who, Permission::ManageTeams, form.slug.trim()).await?;
    let input = form.validate()?;
    write(st, who, async |db| store::teams::create(db, &input).await).await
}

pub async fn update(
    st: &AppState,
    who: &Caller,
    slug: &str,
    form: &TeamForm,
) -> Result<Team, AppError> {
    authorize(st, who, Permission::ManageTeams, slug).await?;
    let input = form.validate()?;
    write(st, who, async |db| {
        store::teams::update(db, slug, &input).await
    })
    .await
}

pub async fn delete(st: &AppState, who: &Caller, slug: &str) -> Result<(), AppError> {
    authorize(st, who, Permission::ManageTeams, slug).await?;
    write(st, who, async |db| store::teams::delete(db, slug).await).await
}
