use leptos::prelude::*;

use crate::domain::dependency::DependencyForm;
use crate::domain::link::LinkForm;
use crate::domain::service::{ServiceDetail, ServiceForm};
use crate::error::AppError;

#[server(endpoint = "get_service")]
pub async fn get_service(slug: String) -> Result<ServiceDetail, AppError> {
    use super::ctx::{respond, state, today};
    respond(
        async {
            let st = state()?;
            crate::store::services::detail(&st.pool, &slug, today(), st.settings.runbook_stale_days)
                .await
        }
        .await,
    )
}

#[server(endpoint = "create_service")]
pub async fn create_service(form: ServiceForm) -> Result<(), AppError> {
    use super::ctx::{redirect_to, respond, state};
    respond(
        async {
            let input = form.validate()?;
            let slug = crate::store::services::create(&state()?.pool, &input).await?;
            redirect_to(&format!("/services/{slug}"));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "update_service")]
pub async fn update_service(slug: String, form: ServiceForm) -> Result<(), AppError> {
    use super::ctx::{redirect_to, respond, state};
    respond(
        async {
            let input = form.validate()?;
            let slug = crate::store::services::update(&state()?.pool, &slug, &input).await?;
            redirect_to(&format!("/services/{slug}"));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "delete_service")]
pub async fn delete_service(slug: String) -> Result<(), AppError> {
    use super::ctx::{redirect_to, respond, state};
    respond(
        async {
            crate::store::services::delete(&state()?.pool, &slug).await?;
            redirect_to("/services");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "add_link")]
pub async fn add_link(service: String, form: LinkForm) -> Result<(), AppError> {
    use super::ctx::{respond, state, today};
    respond(
        async {
            let input = form.validate(today())?;
            crate::store::links::add(&state()?.pool, &service, &input).await?;
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "update_link")]
pub async fn update_link(service: String, id: i64, form: LinkForm) -> Result<(), AppError> {
    use super::ctx::{respond, state, today};
    respond(
        async {
            let input = form.validate(today())?;
            crate::store::links::update(&state()?.pool, &service, id, &input).await
        }
        .await,
    )
}

#[server(endpoint = "delete_link")]
pub async fn delete_link(service: String, id: i64) -> Result<(), AppError> {
    use super::ctx::{respond, state};
    respond(async { crate::store::links::delete(&state()?.pool, &service, id).await }.await)
}

#[server(endpoint = "add_dependency")]
pub async fn add_dependency(service: String, form: DependencyForm) -> Result<(), AppError> {
    use super::ctx::{respond, state};
    respond(
        async {
            let input = form.validate(&service)?;
            crate::store::dependencies::add(&state()?.pool, &service, &input).await
        }
        .await,
    )
}

#[server(endpoint = "remove_dependency")]
pub async fn remove_dependency(service: String, target: String) -> Result<(), AppError> {
    use super::ctx::{respond, state};
    respond(
        async { crate::store::dependencies::remove(&state()?.pool, &service, &target).await }.await,
    )
}
