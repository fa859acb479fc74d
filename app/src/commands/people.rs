//! People's roles (admins only).
use crate::domain::access::Permission;
use crate::error::AppError;
use crate::state::AppState;
use crate::store;
use crate::store::audit::{record, Event};

use super::{authorize, write, Caller};

/// `role` is viewer, editor, admin, or "idp" to go back to what the groups give. Role changes
/// are not catalog rows, so the trail gets an explicit event in the same transaction.
pub async fn set_role(st: &AppState, who: &Caller, user: i64, role: &str) -> Result<(), AppError> {
    authorize(st, who, Permission::ManageUsers, &format!("user {user}")).await?;
    let choice = crate::domain::user::parse_role_choice(role)?;
    write(st, who, async |db| {
        let (before, after) = store::users::set_role_override(&mut *db, user, choice).await?;
        let event = Event {
            action: "user.role",
            entity_type: "user",
            entity_id: user.to_string(),
            entity_label: format!("user {user}"),
            before: Some(serde_json::json!({ "role_override": before })),
            after: Some(serde_json::json!({ "role_override": after })),
        };
        record(&mut *db, &who.actor, event).await
    })
    .await
}

/// Disables a person (every session of theirs ends at its next request; sign-in is refused
/// until re-enabled) or re-enables them. Audited with who did it.
pub async fn set_disabled(
    st: &AppState,
    who: &Caller,
    user: i64,
    disable: bool,
) -> Result<(), AppError> {
    authorize(st, who, Permission::ManageUsers, &format!("user {user}")).await?;
    crate::domain::user::check_disable(who.me.id, user, disable)?;
    write(st, who, async |db| {
        let (label, was) = store::users::set_disabled(&mut *db, user, disable).await?;
        if was == disable {
            return Ok(());
        }
        let event = Event {
            action: if disable {
                "user.disable"
            } else {
                "user.enable"
            },
            entity_type: "user",
            entity_id: user.to_string(),
            entity_label: label,
            before: Some(serde_json::json!({ "disabled": was })),
            after: Some(serde_json::json!({ "disabled": disable })),
        };
        record(&mut *db, &who.actor, event).await
    })
    .await
}
