//! API routes for teams, services, links, dependencies, tier policies and the audit trail.
//! Handlers are thin: scope, parse, call the write path or a read, shape the answer.
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};

use app::commands;
use app::domain::access::Permission;
use app::domain::api::{if_match_version, ServiceListParams, TeamListParams};
use app::domain::audit::AuditQuery;
use app::domain::dependency::DependencyForm;
use app::domain::link::LinkForm;
use app::domain::service::ServiceForm;
use app::domain::team::TeamForm;
use app::domain::tier_form::TierPolicyForm;
use app::domain::token::Scope;
use app::error::AppError;
use app::state::AppState;
use app::store;

use super::auth::ApiCaller;
use super::error::{bad_body, ApiError};

type ApiResult<T> = Result<T, ApiError>;

pub(super) fn body<T>(b: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    b.map(|Json(v)| v).map_err(bad_body)
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> ApiResult<T> {
    q.map(|Query(v)| v).map_err(|e| {
        let mut text = e.body_text();
        text.truncate(300);
        ApiError::new(400, "bad_request", text)
    })
}

fn created(location: String, v: Value) -> Response {
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(v)).into_response()
}

pub(super) fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The version an `If-Match` header names, if it is there (a malformed one is a field error).
pub(super) fn if_match(headers: &HeaderMap) -> ApiResult<Option<i64>> {
    match headers.get(header::IF_MATCH) {
        None => Ok(None),
        Some(v) => Ok(if_match_version(v.to_str().unwrap_or("")).map_err(AppError::from)?),
    }
}

/// A service as clients send it: JSON types, not the form's text.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceBody {
    slug: String,
    name: String,
    #[serde(default)]
    description: String,
    tier: u8,
    lifecycle: String,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

impl ServiceBody {
    fn into_form(self, version: Option<i64>) -> ServiceForm {
        ServiceForm {
            slug: self.slug,
            name: self.name,
            description: self.description,
            tier: self.tier.to_string(),
            lifecycle: self.lifecycle,
            owner: self.owner.unwrap_or_default(),
            tags: self.tags.join(","),
            version: version.map(|v| v.to_string()).unwrap_or_default(),
        }
    }
}

pub async fn list_services(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    generation: Option<Extension<app::state::CatalogGeneration>>,
    q: Result<Query<ServiceListParams>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    c.need(Scope::CatalogRead)?;
    let list = query(q)?.validate().map_err(AppError::from)?;
    let known = generation.map(|Extension(g)| g);
    let page = store::catalog::api_list_cached(&st.pool, &st.cache, &list, known).await?;
    let (items, next) = &*page;
    Ok(Json(
        json!({ "items": items, "next_cursor": next.as_ref().map(|c| c.encode()) }),
    ))
}

pub async fn get_service(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path(slug): Path<String>,
) -> ApiResult<Response> {
    c.need(Scope::CatalogRead)?;
    let d = store::services::detail(
        &st.pool,
        &slug,
        chrono::Utc::now().date_naive(),
        st.settings.runbook_stale_days,
    )
    .await?;
    Ok(([(header::ETAG, etag(d.service.version))], Json(d)).into_response())
}

pub async fn create_service(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    b: Result<Json<ServiceBody>, JsonRejection>,
) -> ApiResult<Response> {
    let who = c.need(Scope::CatalogWrite)?;
    let form = body(b)?.into_form(None);
    let slug = commands::services::create(&st, who, &form).await?;
    Ok(created(
        format!("/api/v1/services/{slug}"),
        json!({ "slug": slug }),
    ))
}

/// `If-Match` (the ETag from a read) makes the save conditional: a service changed since then
/// is refused with 412 and changes nothing. Without it the save is last-writer-wins.
pub async fn update_service(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    b: Result<Json<ServiceBody>, JsonRejection>,
) -> ApiResult<Response> {
    let who = c.need(Scope::CatalogWrite)?;
    let version = if_match(&headers)?;
    let form = body(b)?.into_form(version);
    match commands::services::update(&st, who, &slug, &form).await {
        Ok(slug) => {
            let d = store::services::detail(
                &st.pool,
                &slug,
                chrono::Utc::now().date_naive(),
                st.settings.runbook_stale_days,
            )
            .await?;
            Ok(([(header::ETAG, etag(d.service.version))], Json(d)).into_response())
        }
        Err(AppError::Conflict(m)) if version.is_some() => {
            Err(ApiError::new(412, "precondition_failed", m))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete_service(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path(slug): Path<String>,
) -> ApiResult<StatusCode> {
    let who = c.need(Scope::CatalogWrite)?;
    commands::services::delete(&st, who, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn add_link(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path(slug): Path<String>,
    b: Result<Json<LinkForm>, JsonRejection>,
) -> ApiResult<Response> {
    let who = c.need(Scope::CatalogWrite)?;
    let id = commands::services::add_link(&st, who, &slug, &body(b)?).await?;
    Ok(created(
        format!("/api/v1/services/{slug}/links/{id}"),
        json!({ "id": id }),
    ))
}

/// A link id from the path; anything else is a missing link, in the error shape.
fn link_id(raw: &str) -> ApiResult<i64> {
    raw.parse()
        .map_err(|_| ApiError::new(404, "not_found", "The link was not found."))
}

pub async fn update_link(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path((slug, id)): Path<(String, String)>,
    b: Result<Json<LinkForm>, JsonRejection>,
) -> ApiResult<StatusCode> {
    let who = c.need(Scope::CatalogWrite)?;
    let id = link_id(&id)?;
    commands::services::update_link(&st, who, &slug, id, &body(b)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete_link(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path((slug, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let who = c.need(Scope::CatalogWrite)?;
    let id = link_id(&id)?;
    commands::services::delete_link(&st, who, &slug, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn add_dependency(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path(slug): Path<String>,
    b: Result<Json<DependencyForm>, JsonRejection>,
) -> ApiResult<StatusCode> {
    let who = c.need(Scope::CatalogWrite)?;
    commands::services::add_dependency(&st, who, &slug, &body(b)?).await?;
    Ok(StatusCode::CREATED)
}

pub async fn remove_dependency(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path((slug, target)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let who = c.need(Scope::CatalogWrite)?;
    commands::services::remove_dependency(&st, who, &slug, &target).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_teams(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    q: Result<Query<TeamListParams>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    c.need(Scope::CatalogRead)?;
    let list = query(q)?.validate().map_err(AppError::from)?;
    let (items, next) = store::teams::api_list(&st.pool, &list).await?;
    Ok(Json(
        json!({ "items": items, "next_cursor": next.map(|c| c.encode()) }),
    ))
}

pub async fn get_team(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path(slug): Path<String>,
) -> ApiResult<Json<Value>> {
    c.need(Scope::CatalogRead)?;
    Ok(Json(json!(store::teams::get(&st.pool, &slug).await?)))
}

pub async fn create_team(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    b: Result<Json<TeamForm>, JsonRejection>,
) -> ApiResult<Response> {
    let who = c.need(Scope::CatalogWrite)?;
    let team = commands::teams::create(&st, who, &body(b)?).await?;
    Ok(created(format!("/api/v1/teams/{}", team.slug), json!(team)))
}

pub async fn update_team(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path(slug): Path<String>,
    b: Result<Json<TeamForm>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let who = c.need(Scope::CatalogWrite)?;
    Ok(Json(json!(
        commands::teams::update(&st, who, &slug, &body(b)?).await?
    )))
}

pub async fn delete_team(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path(slug): Path<String>,
) -> ApiResult<StatusCode> {
    let who = c.need(Scope::CatalogWrite)?;
    commands::teams::delete(&st, who, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_tiers(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
) -> ApiResult<Json<Value>> {
    c.need(Scope::CatalogRead)?;
    Ok(Json(
        json!({ "items": store::tiers::list(&st.pool).await? }),
    ))
}

fn tier_number(raw: &str) -> ApiResult<u8> {
    raw.parse::<u8>().ok().filter(|t| *t <= 3).ok_or_else(|| {
        ApiError::new(
            404,
            "not_found",
            format!("There is no tier \"{raw}\"; tiers are 0 to 3."),
        )
    })
}

pub async fn get_tier(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path(tier): Path<String>,
) -> ApiResult<Json<Value>> {
    c.need(Scope::CatalogRead)?;
    Ok(Json(json!(
        store::tiers::get(&st.pool, tier_number(&tier)?).await?
    )))
}

pub async fn update_tier(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    Path(tier): Path<String>,
    b: Result<Json<TierPolicyForm>, JsonRejection>,
) -> ApiResult<Json<Value>> {
    let who = c.need(Scope::CatalogWrite)?;
    let tier = tier_number(&tier)?;
    commands::tiers::update(&st, who, tier, &body(b)?).await?;
    Ok(Json(json!(store::tiers::get(&st.pool, tier).await?)))
}

/// The trail, newest first; `next_cursor` is the `before` of the next page.
pub async fn list_audit(
    State(st): State<AppState>,
    Extension(c): Extension<ApiCaller>,
    q: Result<Query<AuditQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let who = c.need(Scope::AuditRead)?;
    commands::authorize(&st, who, Permission::ViewAudit, "audit").await?;
    let filter = query(q)?.validate().map_err(AppError::from)?;
    let (items, next) = store::audit::list(&st.pool, &filter).await?;
    Ok(Json(
        json!({ "items": items, "next_cursor": next.map(|n| n.to_string()) }),
    ))
}
