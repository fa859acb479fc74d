//! Admin only: people and their roles, and the audit trail.
use leptos::prelude::*;

use crate::domain::audit::{AuditEvent, AuditQuery};
use crate::domain::user::UserSummary;
use crate::error::AppError;

#[server(prefix = "/fn", endpoint = "list_users")]
pub async fn list_users(page: u32) -> Result<(Vec<UserSummary>, i64), AppError> {
    use super::ctx::{caller, respond, state};
    use crate::commands::authorize;
    use crate::domain::access::Permission;
    respond(
        async {
            let (st, who) = (state()?, caller()?);
            authorize(&st, &who, Permission::ManageUsers, "users").await?;
            let (mut users, total) = crate::store::users::list(&st.pool, page).await?;
            for u in &mut users {
                u.is_you = u.id == who.me.id;
            }
            Ok((users, total))
        }
        .await,
    )
}

/// `role` is viewer, editor, admin, or "idp" to go back to what the groups give.
#[server(prefix = "/fn", endpoint = "set_user_role")]
pub async fn set_user_role(user: i64, role: String) -> Result<(), AppError> {
    use super::ctx::{caller, respond, state};
    respond(crate::commands::people::set_role(&state()?, &caller()?, user, &role).await)
}

/// `disable` true ends every session of the person and refuses their sign-in; false re-enables.
#[server(prefix = "/fn", endpoint = "set_user_disabled")]
pub async fn set_user_disabled(user: i64, disable: bool) -> Result<(), AppError> {
    use super::ctx::{caller, respond, state};
    respond(crate::commands::people::set_disabled(&state()?, &caller()?, user, disable).await)
}

#[server(prefix = "/fn", input = leptos::server_fn::codec::Json, endpoint = "list_audit")]
pub async fn list_audit(query: AuditQuery) -> Result<(Vec<AuditEvent>, Option<i64>), AppError> {
    use super::ctx::{caller, respond, state};
    use crate::commands::authorize;
    use crate::domain::access::Permission;
    respond(
        async {
            let st = state()?;
            authorize(&st, &caller()?, Permission::ViewAudit, "audit").await?;
            let filter = query.validate()?;
            crate::store::audit::list(&st.pool, &filter).await
        }
        .await,
    )
}
