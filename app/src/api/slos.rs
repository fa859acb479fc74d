use leptos::prelude::*;

use crate::domain::slo_form::SloForm;
use crate::domain::slo_view::SloPage;
use crate::error::AppError;

#[server(prefix = "/fn", endpoint = "get_slo_page")]
pub async fn get_slo_page(service: String, slo: String) -> Result<SloPage, AppError> {
    use super::ctx::{me, respond, state};
    respond(
        async {
            me()?;
            {
                let st = state()?;
                crate::store::slos::page(
                    &st.pool,
                    &st.cache.slo_counts,
                    &service,
                    &slo,
                    crate::store::slos::page_now(),
                )
                .await
            }
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "create_slo")]
pub async fn create_slo(service: String, form: SloForm) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            let slo = crate::commands::slos::create(&state()?, &caller()?, &service, &form).await?;
            redirect_to(&format!("/services/{service}/slos/{slo}"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "update_slo")]
pub async fn update_slo(service: String, slo: String, form: SloForm) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            let slo =
                crate::commands::slos::update(&state()?, &caller()?, &service, &slo, &form).await?;
            redirect_to(&format!("/services/{service}/slos/{slo}"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "delete_slo")]
pub async fn delete_slo(service: String, slo: String) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            crate::commands::slos::delete(&state()?, &caller()?, &service, &slo).await?;
            redirect_to(&format!("/services/{service}"));
            Ok(())
        }
        .await,
    )
}
