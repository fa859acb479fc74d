use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::catalog::{CatalogPage, CatalogQuery};
use crate::domain::tier::TierPolicy;
use crate::error::AppError;

#[server(input = Json, endpoint = "search_catalog")]
pub async fn search_catalog(query: CatalogQuery) -> Result<CatalogPage, AppError> {
    use super::ctx::{respond, state};
    respond(
        async {
            let st = state()?;
            crate::store::catalog::search(&st.pool, &st.facet_cache, &query).await
        }
        .await,
    )
}

#[server(endpoint = "list_tier_policies")]
pub async fn list_tier_policies() -> Result<Vec<TierPolicy>, AppError> {
    use super::ctx::{respond, state};
    respond(async { crate::store::tiers::list(&state()?.pool).await }.await)
}
