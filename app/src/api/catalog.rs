use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::domain::catalog::{CatalogPage, CatalogQuery};
use crate::error::AppError;

#[server(prefix = "/fn", input = Json, endpoint = "search_catalog")]
pub async fn search_catalog(query: CatalogQuery) -> Result<CatalogPage, AppError> {
    use super::ctx::{generation, me, respond, state};
    respond(
        async {
            me()?;
            let st = state()?;
            crate::store::catalog::search_at(&st.pool, &st.cache, &query, generation()).await
        }
        .await,
    )
}
