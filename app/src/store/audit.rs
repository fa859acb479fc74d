//! The audit trail. Catalog changes are recorded by database triggers in the change's own
//! transaction (migrations/0003); `act_as` tells them who is acting. Sign-in, sign-out, role
//! changes and refusals are recorded here explicitly.
use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, PgExecutor, PgPool, Postgres, QueryBuilder};

use crate::domain::audit::{AuditEvent, AuditFilter, EVENTS_PER_PAGE};
use crate::error::AppError;

/// Who is acting, for the trail.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<i64>,
    pub label: String,
    pub request_id: String,
}

/// Marks the transaction as acting for `actor`: every audited row it writes names them.
/// The settings are transaction-local, so a pooled connection never carries them further.
pub async fn act_as(db: &mut PgConnection, actor: &Actor) -> Result<(), AppError> {
    sqlx::query(
        "SELECT set_config('portal.actor_id', $1, TRUE), set_config('portal.actor_label', $2, TRUE), \
         set_config('portal.request_id', $3, TRUE)",
    )
    .bind(actor.id.map(|i| i.to_string()).unwrap_or_default())
    .bind(&actor.label)
    .bind(&actor.request_id)
    .execute(db)
    .await?;
    Ok(())
}

/// One explicit event (sign-in, sign-out, a role change, a refusal).
pub struct Event<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: String,
    pub entity_label: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Recording must not fail because of what a caller typed (a refused 3 KB slug would break the
/// index insert and the refusal go unrecorded), so labels and ids are cut to a fixed size.
pub use crate::domain::audit::bounded;

pub async fn record(db: impl PgExecutor<'_>, actor: &Actor, e: Event<'_>) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO audit_event (actor_id, actor_label, action, entity_type, entity_id, entity_label, before, after, request_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(actor.id)
    .bind(bounded(&actor.label))
    .bind(e.action)
    .bind(e.entity_type)
    .bind(bounded(&e.entity_id))
    .bind(bounded(&e.entity_label))
    .bind(e.before)
    .bind(e.after)
    .bind(&actor.request_id)
    .execute(db)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: DateTime<Utc>,
    actor_label: String,
    action: String,
    entity_type: String,
    entity_id: String,
    entity_label: String,
    before: Option<Value>,
    after: Option<Value>,
    request_id: String,
}

/// One page of events, newest first, and the cursor for the next (older) page if there is one.
pub async fn list(
    pool: &PgPool,
    f: &AuditFilter,
) -> Result<(Vec<AuditEvent>, Option<i64>), AppError> {
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT id, at, actor_label, action, entity_type, entity_id, entity_label, before, after, request_id \
         FROM audit_event WHERE TRUE",
    );
    // Only the filters in use become SQL, so each can use its index.
    if let Some(a) = &f.actor {
        q.push(" AND actor_label = ").push_bind(a);
    }
    if let Some(a) = &f.action {
        q.push(" AND action = ").push_bind(a);
    }
    if let Some(t) = &f.entity_type {
        q.push(" AND entity_type = ").push_bind(t);
    }
    if let Some(e) = &f.entity {
        q.push(" AND (entity_label = ")
            .push_bind(e)
            .push(" OR entity_label LIKE ")
            .push_bind(format!("{} %", like_escape(e)))
            .push(")");
    }
    if let Some(d) = f.from {
        q.push(" AND at >= ").push_bind(d).push("::date");
    }
    if let Some(d) = f.to {
        q.push(" AND at < ").push_bind(d).push("::date + 1");
    }
    if let Some(b) = f.before {
        q.push(" AND id < ").push_bind(b);
    }
    q.push(" ORDER BY id DESC LIMIT ")
        .push_bind(EVENTS_PER_PAGE + 1);
    let mut rows: Vec<Row> = q.build_query_as().fetch_all(pool).await?;
    let more = rows.len() as i64 > EVENTS_PER_PAGE;
    rows.truncate(EVENTS_PER_PAGE as usize);
    let next = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let pretty = |v: Option<Value>| v.map(|v| serde_json::to_string_pretty(&v).unwrap_or_default());
    let events = rows
        .into_iter()
        .map(|r| AuditEvent {
            id: r.id,
            at: r.at,
            actor_label: r.actor_label,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            entity_label: r.entity_label,
            before: pretty(r.before),
            after: pretty(r.after),
            request_id: r.request_id,
        })
        .collect();
    Ok((events, next))
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The refusal of a save from an outdated form: who last changed the record (from the trail)
/// and when (its `updated_at` if the trail has nothing), or `None` when the record is gone.
/// `table` and `key` are the record's table and id column (names from the code, never input).
pub async fn changed_since(
    db: &mut PgConnection,
    table: &'static str,
    key: &'static str,
    entity_type: &str,
    id: i64,
) -> Result<Option<AppError>, AppError> {
    let last: Option<(Option<String>, DateTime<Utc>)> = sqlx::query_as(&format!(
        "SELECT a.actor_label, coalesce(a.at, r.updated_at) FROM {table} r \
         LEFT JOIN LATERAL (SELECT actor_label, at FROM audit_event \
             WHERE entity_type = $2 AND entity_id = r.{key}::text ORDER BY id DESC LIMIT 1) a ON TRUE \
         WHERE r.{key} = $1"
    ))
    .bind(id)
    .bind(entity_type)
    .fetch_optional(&mut *db)
    .await?;
    Ok(last.map(|(by, at)| {
        AppError::Conflict(crate::domain::service::changed_since_message(
            entity_type,
            by.as_deref().unwrap_or("Someone"),
            at,
        ))
    }))
}
