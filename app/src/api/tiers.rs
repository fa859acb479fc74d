use leptos::prelude::*;

use crate::domain::tier::TierPolicy;
use crate::domain::tier_form::TierPolicyForm;
use crate::error::AppError;

#[server(endpoint = "list_tier_policies")]
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

#[server(endpoint = "get_tier_policy")]
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

#[server(endpoint = "update_tier_policy")]
pub async fn update_tier_policy(tier: u8, form: TierPolicyForm) -> Result<(), AppError> {
    use super::ctx::{authorize, me, redirect_to, respond, state, write};
    use crate::domain::access::Permission;
    respond(
        async {
            let (st, me) = (state()?, me()?);
            authorize(
                &st,
                &me,
                Permission::ManageTierPolicies,
                &format!("tier {tier}"),
            )
            .await?;
            let input = form.validate()?;
            write(&st, &me, async |db| {
                crate::store::tiers::update(db, tier, &input).await
            })
            .await?;
            redirect_to("/tiers");
            Ok(())
        }
        .await,
    )
}
