use leptos::prelude::*;

use crate::domain::tier::TierPolicy;
use crate::domain::tier_form::TierPolicyForm;
use crate::error::AppError;

#[server(prefix = "/fn", endpoint = "list_tier_policies")]
pub async fn list_tier_policies() -> Result<Vec<TierPolicy>, AppError> {
    use super::ctx::{me, respond, state};
    respond(
        async {
            me()?;
            crate::store::tiers::list(&state()?.pool).await
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "get_tier_policy")]
pub async fn get_tier_policy(tier: u8) -> Result<TierPolicy, AppError> {
    use super::ctx::{me, respond, state};
    respond(
        async {
            me()?;
            crate::store::tiers::get(&state()?.pool, tier).await
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "update_tier_policy")]
pub async fn update_tier_policy(tier: u8, form: TierPolicyForm) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            crate::commands::tiers::update(&state()?, &caller()?, tier, &form).await?;
            redirect_to("/tiers");
            Ok(())
        }
        .await,
    )
}
