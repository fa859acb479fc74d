//! API tokens (admins only). The secret is made here, shown once, and only its hash is kept.
use sha2::{Digest, Sha256};

use crate::domain::access::Permission;
use crate::domain::token::{shown_prefix, NewToken, TokenForm, SECRET_PREFIX};
use crate::error::AppError;
use crate::state::AppState;
use crate::store;
use crate::store::audit::{record, Event};

use super::{authorize, write, Caller};

/// The hash a secret is stored and looked up by.
pub fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// 244 random bits (two v4 UUIDs, from the OS's generator), URL-safe.
fn new_secret() -> String {
    let bits: String = [uuid::Uuid::new_v4(), uuid::Uuid::new_v4()]
        .iter()
        .map(|u| u.simple().to_string())
        .collect();
    format!("{SECRET_PREFIX}{bits}")
}

pub async fn create(st: &AppState, who: &Caller, form: &TokenForm) -> Result<NewToken, AppError> {
    authorize(st, who, Permission::ManageTokens, form.name.trim()).await?;
    let input = form.validate()?;
    let secret = new_secret();
    let prefix = shown_prefix(&secret);
    let digest = hash(&secret);
    let id = write(st, who, async |db| {
        let id =
            store::tokens::create(&mut *db, &input, &prefix, &digest, &who.actor.label).await?;
        let event = Event {
            action: "token.create",
            entity_type: "token",
            entity_id: id.to_string(),
            entity_label: format!("{prefix}… ({})", input.name),
            before: None,
            after: Some(serde_json::json!({
                "name": input.name,
                "team": input.team,
                "scopes": input.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                "expires_in_days": input.expires_in_days,
            })),
        };
        record(&mut *db, &who.actor, event).await?;
        Ok(id)
    })
    .await?;
    Ok(NewToken {
        id,
        name: input.name,
        secret,
    })
}

pub async fn revoke(st: &AppState, who: &Caller, id: i64) -> Result<(), AppError> {
    authorize(st, who, Permission::ManageTokens, &format!("token {id}")).await?;
    write(st, who, async |db| {
        let (name, prefix) = store::tokens::revoke(&mut *db, id).await?;
        let event = Event {
            action: "token.revoke",
            entity_type: "token",
            entity_id: id.to_string(),
            entity_label: format!("{prefix}… ({name})"),
            before: None,
            after: None,
        };
        record(&mut *db, &who.actor, event).await
    })
    .await
}
