//! Admin only: people and their roles, and the audit trail.
use leptos::prelude::*;

use crate::domain::audit::{AuditEvent, AuditQuery};
use crate::domain::user::UserSummary;
use crate::error::AppError;

#[server(endpoint = "list_users")]
pub async fn list_users(page: u32) -> Result<(Vec<UserSummary>, i64), AppError> {
    use super::ctx::{authorize, me, respond, state};
    use crate::domain::access::Permission;
    respond(
        async {
            let (st, me) = (state()?, me()?);
            authorize(&st, &me, Permission::ManageUsers, "users").await?;
            crate::store::users::list(&st.pool, page).await
        }
        .await,
    )
}

/// `role` is viewer, editor, admin, or "idp" to go back to what the groups give.
#[server(endpoint = "set_user_role")]
pub async fn set_user_role(user: i64, role: String) -> Result<(), AppError> {
    use super::ctx::{actor, authorize, me, respond, state, write};
    use crate::domain::access::Permission;
    use crate::store::audit::{record, Event};
    respond(
        async {
            let (st, me) = (state()?, me()?);
            authorize(&st, &me, Permission::ManageUsers, &format!("user {user}")).await?;
            let choice = crate::domain::user::parse_role_choice(&role)?;
            let who = actor(&me);
            write(&st, &me, async |db| {
                let (before, after) =
                    crate::store::users::set_role_override(&mut *db, user, choice).await?;
                let event = Event {
                    action: "user.role",
                    entity_type: "user",
                    entity_id: user.to_string(),
                    entity_label: format!("user {user}"),
                    before: Some(serde_json::json!({ "role_override": before })),
                    after: Some(serde_json::json!({ "role_override": after })),
                };
                record(&mut *db, &who, event).await
            })
            .await
        }
        .await,
    )
}

#[server(input = leptos::server_fn::codec::Json, endpoint = "list_audit")]
pub async fn list_audit(query: AuditQuery) -> Result<(Vec<AuditEvent>, Option<i64>), AppError> {
    use super::ctx::{authorize, me, respond, state};
    use crate::domain::access::Permission;
    respond(
        async {
            let (st, me) = (state()?, me()?);
            authorize(&st, &me, Permission::ViewAudit, "audit").await?;
            let filter = query.validate()?;
            crate::store::audit::list(&st.pool, &filter).await
        }
        .await,
    )
}
