use leptos::prelude::*;

use crate::domain::dependency::DependencyForm;
use crate::domain::link::LinkForm;
use crate::domain::service::{ServiceDetail, ServiceForm};
use crate::error::AppError;

#[server(endpoint = "get_service")]
pub async fn get_service(slug: String) -> Result<ServiceDetail, AppError> {
    use super::ctx::{generation, me, respond, state, today};
    respond(
        async {
            let st = state()?;
            me()?;
            crate::store::services::detail_cached(
                &st.pool,
                &st.cache,
                &slug,
                today(),
                st.settings.runbook_stale_days,
                generation(),
            )
            .await
            .map(std::sync::Arc::unwrap_or_clone)
        }
        .await,
    )
}

/// The owner a form names, as typed (empty: unowned).
#[cfg(feature = "ssr")]
fn owner_of_form(form: &ServiceForm) -> Option<String> {
    Some(form.owner.trim().to_string()).filter(|o| !o.is_empty())
}

#[server(endpoint = "create_service")]
pub async fn create_service(form: ServiceForm) -> Result<(), AppError> {
    use super::ctx::{authorize, me, redirect_to, respond, state, write};
    use crate::domain::access::Permission;
    respond(
        async {
            let (st, me) = (state()?, me()?);
            authorize(
                &st,
                &me,
                Permission::AssignServiceTo(owner_of_form(&form)),
                form.slug.trim(),
            )
            .await?;
            let input = form.validate()?;
            let slug = write(&st, &me, async |db| {
                crate::store::services::create(db, &input).await
            })
            .await?;
            redirect_to(&format!("/services/{slug}"));
            Ok(())
        }
        .await,
    )
}

/// Loads the service's owner and checks that `me` may change the service.
#[cfg(feature = "ssr")]
async fn may_edit(
    st: &crate::state::AppState,
    me: &crate::domain::access::Me,
    slug: &str,
) -> Result<(), AppError> {
    use crate::domain::access::Permission;
    let owner = crate::store::services::owner_of(&st.pool, slug).await?;
    super::ctx::authorize(st, me, Permission::EditService(owner), slug).await
}

#[server(endpoint = "update_service")]
pub async fn update_service(slug: String, form: ServiceForm) -> Result<(), AppError> {
    use super::ctx::{authorize, me, redirect_to, respond, state, write};
    use crate::domain::access::Permission;
    respond(
        async {
            let (st, me) = (state()?, me()?);
            may_edit(&st, &me, &slug).await?;
            // Moving a service is giving it to another team: that team's editors decide.
            authorize(
                &st,
                &me,
                Permission::AssignServiceTo(owner_of_form(&form)),
                &slug,
            )
            .await?;
            let input = form.validate()?;
            let slug = write(&st, &me, async |db| {
                crate::store::services::update(db, &slug, &input).await
            })
            .await?;
            redirect_to(&format!("/services/{slug}"));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "delete_service")]
pub async fn delete_service(slug: String) -> Result<(), AppError> {
    use super::ctx::{me, redirect_to, respond, state, write};
    respond(
        async {
            let (st, me) = (state()?, me()?);
            may_edit(&st, &me, &slug).await?;
            write(&st, &me, async |db| {
                crate::store::services::delete(db, &slug).await
            })
            .await?;
            redirect_to("/services");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "add_link")]
pub async fn add_link(service: String, form: LinkForm) -> Result<(), AppError> {
    use super::ctx::{me, respond, state, today, write};
    respond(
        async {
            let (st, me) = (state()?, me()?);
            may_edit(&st, &me, &service).await?;
            let input = form.validate(today())?;
            write(&st, &me, async |db| {
                crate::store::links::add(db, &service, &input).await
            })
            .await?;
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "update_link")]
pub async fn update_link(service: String, id: i64, form: LinkForm) -> Result<(), AppError> {
    use super::ctx::{me, respond, state, today, write};
    respond(
        async {
            let (st, me) = (state()?, me()?);
            may_edit(&st, &me, &service).await?;
            let input = form.validate(today())?;
            write(&st, &me, async |db| {
                crate::store::links::update(db, &service, id, &input).await
            })
            .await
        }
        .await,
    )
}

#[server(endpoint = "delete_link")]
pub async fn delete_link(service: String, id: i64) -> Result<(), AppError> {
    use super::ctx::{me, respond, state, write};
    respond(
        async {
            let (st, me) = (state()?, me()?);
            may_edit(&st, &me, &service).await?;
            write(&st, &me, async |db| {
                crate::store::links::delete(db, &service, id).await
            })
            .await
        }
        .await,
    )
}

#[server(endpoint = "add_dependency")]
pub async fn add_dependency(service: String, form: DependencyForm) -> Result<(), AppError> {
    use super::ctx::{me, respond, state, write};
    respond(
        async {
            let (st, me) = (state()?, me()?);
            may_edit(&st, &me, &service).await?;
            let input = form.validate(&service)?;
            write(&st, &me, async |db| {
                crate::store::dependencies::add(db, &service, &input).await
            })
            .await
        }
        .await,
    )
}

#[server(endpoint = "remove_dependency")]
pub async fn remove_dependency(service: String, target: String) -> Result<(), AppError> {
    use super::ctx::{me, respond, state, write};
    respond(
        async {
            let (st, me) = (state()?, me()?);
            may_edit(&st, &me, &service).await?;
            write(&st, &me, async |db| {
                crate::store::dependencies::remove(db, &service, &target).await
            })
            .await
        }
        .await,
    )
}
