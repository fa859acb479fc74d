//! The one write path. Every change to the portal's data is one function here:
//! authorise → validate → a transaction acting as the caller → store → audit (the catalog's
//! triggers record the change in the same transaction; other changes record it explicitly).
//! The `#[server]` functions, the REST API and the importers all call these, so none of them
//! repeats a permission check, a validation or an audit step.
pub mod action_items;
pub mod import;
pub mod incidents;
pub mod people;
pub mod postmortems;
pub mod services;
pub mod slo_import;
pub mod slos;
pub mod teams;
pub mod tiers;
pub mod tokens;

use std::time::Duration;

use crate::domain::access::{Me, Permission};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::audit::{self, Actor, Event};

/// Who is asking, with the rights they act with, and how the trail names them.
#[derive(Debug, Clone)]
pub struct Caller {
    pub me: Me,
    pub actor: Actor,
    /// An API token, not a person: some steps (approving a postmortem) are a person's.
    pub is_token: bool,
}

impl Caller {
    /// A signed-in person, acting in the request `request_id`.
    pub fn person(me: Me, request_id: String) -> Caller {
        let actor = Actor {
            id: Some(me.id),
            label: me.email.clone(),
            request_id,
        };
        Caller {
            me,
            actor,
            is_token: false,
        }
    }

    /// An API token: a team's token has that team's editors' rights, an organisation-wide one
    /// an admin's; the API's scopes narrow either further. The trail names the token.
    pub fn token(t: &crate::store::tokens::TokenAuth, request_id: String) -> Caller {
        let label = format!("token {} ({})", t.prefix, t.name);
        let me = Me {
            // Not a person: no app_user row, so the trail's actor id stays empty.
            id: 0,
            name: label.clone(),
            email: label.clone(),
            role: if t.team.is_some() {
                crate::domain::access::Role::Editor
            } else {
                crate::domain::access::Role::Admin
            },
            teams: t.team.iter().cloned().collect(),
        };
        let actor = Actor {
            id: None,
            label,
            request_id,
        };
        Caller {
            me,
            actor,
            is_token: true,
        }
    }
}

impl Caller {
    /// The operator at the command line (`server import`, `server demo`): whoever can run the
    /// server against its database already holds every right, so this acts as an admin. The
    /// trail names it by `label`. Nothing reachable over HTTP builds one.
    pub fn operator(label: &str) -> Caller {
        let me = Me {
            id: 0,
            name: label.to_string(),
            email: label.to_string(),
            role: crate::domain::access::Role::Admin,
            teams: vec![],
        };
        let actor = Actor {
            id: None,
            label: label.to_string(),
            request_id: String::new(),
        };
        Caller {
            me,
            actor,
            is_token: false,
        }
    }
}

/// How long a write waits for a row another write holds, and how long any of its statements may
/// run: nothing can hold the catalog hostage, and a waiting save answers instead of hanging.
pub const LOCK_TIMEOUT: &str = "1s";
pub const STATEMENT_TIMEOUT: &str = "5s";
/// Attempts of a write that lost a deadlock or serialization race (the database picked it).
const ATTEMPTS: u32 = 3;

/// Allowed, or a 403 with what would allow it. A refusal is logged and written to the audit
/// trail on its own (the refused change has no transaction to join); the refusal stands even if
/// recording it fails (that failure is logged by `AppError`).
pub async fn authorize(
    st: &AppState,
    who: &Caller,
    p: Permission,
    target: &str,
) -> Result<(), AppError> {
    let Err(message) = who.me.check(&p) else {
        return Ok(());
    };
    tracing::warn!(user = who.me.id, permission = ?p, target = ?target, "permission denied");
    let permission = audit::bounded(&format!("{p:?}")).into_owned();
    let recorded = audit::record(
        &st.pool,
        &who.actor,
        Event {
            action: "denied",
            entity_type: "permission",
            entity_id: String::new(),
            entity_label: target.to_string(),
            before: None,
            after: Some(
                serde_json::json!({ "permission": permission, "role": who.me.role.as_str() }),
            ),
        },
    )
    .await;
    if let Err(e) = recorded {
        // The refusal stands either way; a lost record is worth a loud line.
        tracing::error!(error = ?e.to_string(), "recording a refusal");
    }
    Err(AppError::Forbidden(message))
}

/// A write transaction acting as `who` (the audit triggers name them), with the lock and
/// statement limits above.
pub async fn begin(
    st: &AppState,
    who: &Caller,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, AppError> {
    let mut tx = st.pool.begin().await?;
    sqlx::query(
        "SELECT set_config('lock_timeout', $1, TRUE), set_config('statement_timeout', $2, TRUE)",
    )
    .bind(LOCK_TIMEOUT)
    .bind(STATEMENT_TIMEOUT)
    .execute(&mut *tx)
    .await?;
    audit::act_as(&mut tx, &who.actor).await?;
    Ok(tx)
}

/// Runs `f` in a write transaction acting as `who` and commits; a transaction the database
/// aborted to break a deadlock (or a serialization race) is run again, a few times, so that
/// concurrent saves never surface as errors.
pub async fn write<T>(
    st: &AppState,
    who: &Caller,
    // Clone, not Fn: calling an async closure by reference makes its future's Send-ness
    // unprovable to rustc; the closures here only capture references, so cloning is free.
    f: impl AsyncFnOnce(&mut sqlx::PgConnection) -> Result<T, AppError> + Clone,
) -> Result<T, AppError> {
    let mut attempt = 1;
    loop {
        let result = async {
            let mut tx = begin(st, who).await?;
            let out = f.clone()(&mut tx).await?;
            tx.commit().await?;
            Ok(out)
        }
        .await;
        match result {
            Err(AppError::Busy(_)) if attempt < ATTEMPTS => {
                tracing::info!(attempt, "write lost a lock race; trying again");
                tokio::time::sleep(Duration::from_millis(10 * u64::from(attempt))).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}
