//! Services, their links and their dependencies.
use crate::domain::access::Permission;
use crate::domain::dependency::DependencyForm;
use crate::domain::link::LinkForm;
use crate::domain::service::ServiceForm;
use crate::error::AppError;
use crate::state::AppState;
use crate::store;

use super::{authorize, write, Caller};

/// The owner a form names, as typed (empty: unowned).
fn owner_of_form(form: &ServiceForm) -> Option<String> {
    Some(form.owner.trim().to_string()).filter(|o| !o.is_empty())
}

/// Checks that `who` may change the service (by its current owner).
pub async fn may_edit(st: &AppState, who: &Caller, slug: &str) -> Result<(), AppError> {
    let owner = store::services::owner_of(&st.pool, slug).await?;
    authorize(st, who, Permission::EditService(owner), slug).await
}

/// Creates a service; returns its slug.
pub async fn create(st: &AppState, who: &Caller, form: &ServiceForm) -> Result<String, AppError> {
    authorize(
        st,
        who,
        Permission::AssignServiceTo(owner_of_form(form)),
        form.slug.trim(),
    )
    .await?;
    let input = form.validate()?;
    write(st, who, async |db| {
        store::services::create(db, &input).await
    })
    .await
}

/// Updates a service from a form opened at `form.version` (if it says); returns the new slug.
pub async fn update(
    st: &AppState,
    who: &Caller,
    slug: &str,
    form: &ServiceForm,
) -> Result<String, AppError> {
    may_edit(st, who, slug).await?;
    // Moving a service is giving it to another team: that team's editors decide.
    authorize(
        st,
        who,
        Permission::AssignServiceTo(owner_of_form(form)),
        slug,
    )
    .await?;
    let input = form.validate()?;
    let expected = form.expected_version()?;
    write(st, who, async |db| {
        store::services::update(db, slug, &input, expected).await
    })
    .await
}

pub async fn delete(st: &AppState, who: &Caller, slug: &str) -> Result<(), AppError> {
    may_edit(st, who, slug).await?;
    write(st, who, async |db| store::services::delete(db, slug).await).await
}

/// Adds a link; returns its id.
pub async fn add_link(
    st: &AppState,
    who: &Caller,
    service: &str,
    form: &LinkForm,
) -> Result<i64, AppError> {
    may_edit(st, who, service).await?;
    let input = form.validate(today())?;
    write(st, who, async |db| {
        store::links::add(db, service, &input).await
    })
    .await
}

pub async fn update_link(
    st: &AppState,
    who: &Caller,
    service: &str,
    id: i64,
    form: &LinkForm,
) -> Result<(), AppError> {
    may_edit(st, who, service).await?;
    let input = form.validate(today())?;
    write(st, who, async |db| {
        store::links::update(db, service, id, &input).await
    })
    .await
}

pub async fn delete_link(
    st: &AppState,
    who: &Caller,
    service: &str,
    id: i64,
) -> Result<(), AppError> {
    may_edit(st, who, service).await?;
    write(st, who, async |db| {
        store::links::delete(db, service, id).await
    })
    .await
}

pub async fn add_dependency(
    st: &AppState,
    who: &Caller,
    service: &str,
    form: &DependencyForm,
) -> Result<(), AppError> {
    may_edit(st, who, service).await?;
    let input = form.validate(service)?;
    write(st, who, async |db| {
        store::dependencies::add(db, service, &input).await
    })
    .await
}

pub async fn remove_dependency(
    st: &AppState,
    who: &Caller,
    service: &str,
    target: &str,
) -> Result<(), AppError> {
    may_edit(st, who, service).await?;
    write(st, who, async |db| {
        store::dependencies::remove(db, service, target).await
    })
    .await
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}
