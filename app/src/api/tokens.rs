//! Admin only: API tokens for machine clients.
use leptos::prelude::*;

use crate::domain::token::{NewToken, TokenForm, TokenSummary};
use crate::error::AppError;

#[server(prefix = "/fn", endpoint = "list_tokens")]
pub async fn list_tokens(page: u32) -> Result<(Vec<TokenSummary>, i64), AppError> {
    use super::ctx::{caller, respond, state};
    use crate::domain::access::Permission;
    respond(
        async {
            let st = state()?;
            crate::commands::authorize(&st, &caller()?, Permission::ManageTokens, "tokens").await?;
            crate::store::tokens::list(&st.pool, page).await
        }
        .await,
    )
}

/// Makes a token and answers its secret: the only time anyone sees it.
#[server(prefix = "/fn", endpoint = "create_token")]
pub async fn create_token(form: TokenForm) -> Result<NewToken, AppError> {
    use super::ctx::{caller, respond, state};
    respond(crate::commands::tokens::create(&state()?, &caller()?, &form).await)
}

#[server(prefix = "/fn", endpoint = "revoke_token")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    use super::ctx::{caller, respond, state};
    respond(crate::commands::tokens::revoke(&state()?, &caller()?, id).await)
}
