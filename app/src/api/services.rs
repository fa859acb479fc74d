use leptos::prelude::*;

use crate::domain::dependency::DependencyForm;
use crate::domain::link::LinkForm;
use crate::domain::service::{ServiceDetail, ServiceForm};
use crate::error::AppError;

#[server(prefix = "/fn", endpoint = "get_service")]
pub async fn get_service(slug: String) -> Result<ServiceDetail, AppError> {
    use super::ctx::{me, respond, state, today};
    respond(
        async {
            let st = state()?;
            me()?;
            crate::store::services::detail(&st.pool, &slug, today(), st.settings.runbook_stale_days)
                .await
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "create_service")]
pub async fn create_service(form: ServiceForm) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            let slug = crate::commands::services::create(&state()?, &caller()?, &form).await?;
            redirect_to(&format!("/services/{slug}"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "update_service")]
pub async fn update_service(slug: String, form: ServiceForm) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            let slug =
                crate::commands::services::update(&state()?, &caller()?, &slug, &form).await?;
            redirect_to(&format!("/services/{slug}"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "delete_service")]
pub async fn delete_service(slug: String) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            crate::commands::services::delete(&state()?, &caller()?, &slug).await?;
            redirect_to("/services");
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "add_link")]
pub async fn add_link(service: String, form: LinkForm) -> Result<(), AppError> {
    use super::ctx::{caller, respond, state};
    respond(
        crate::commands::services::add_link(&state()?, &caller()?, &service, &form)
            .await
            .map(|_| ()),
    )
}

#[server(prefix = "/fn", endpoint = "update_link")]
pub async fn update_link(service: String, id: i64, form: LinkForm) -> Result<(), AppError> {
    use super::ctx::{caller, respond, state};
    respond(
        crate::commands::services::update_link(&state()?, &caller()?, &service, id, &form).await,
    )
}

#[server(prefix = "/fn", endpoint = "delete_link")]
pub async fn delete_link(service: String, id: i64) -> Result<(), AppError> {
    use super::ctx::{caller, respond, state};
    respond(crate::commands::services::delete_link(&state()?, &caller()?, &service, id).await)
}

#[server(prefix = "/fn", endpoint = "add_dependency")]
pub async fn add_dependency(service: String, form: DependencyForm) -> Result<(), AppError> {
    use super::ctx::{caller, respond, state};
    respond(crate::commands::services::add_dependency(&state()?, &caller()?, &service, &form).await)
}

#[server(prefix = "/fn", endpoint = "remove_dependency")]
pub async fn remove_dependency(service: String, target: String) -> Result<(), AppError> {
    use super::ctx::{caller, respond, state};
    respond(
        crate::commands::services::remove_dependency(&state()?, &caller()?, &service, &target)
            .await,
    )
}
