//! Tier policies (admins only).
use crate::domain::access::Permission;
use crate::domain::tier_form::TierPolicyForm;
use crate::error::AppError;
use crate::state::AppState;
use crate::store;

use super::{authorize, write, Caller};

pub async fn update(
    st: &AppState,
    who: &Caller,
    tier: u8,
    form: &TierPolicyForm,
) -> Result<(), AppError> {
    authorize(
        st,
        who,
        Permission::ManageTierPolicies,
        &format!("tier {tier}"),
    )
    .await?;
    let input = form.validate()?;
    write(st, who, async |db| {
        store::tiers::update(db, tier, &input).await
    })
    .await
}
