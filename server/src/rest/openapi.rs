//! The OpenAPI 3.1 document of `/api/v1`, generated from the one route list.
use axum::Json;
use serde_json::{json, Map, Value};

use app::domain::api_routes::{path_params, ApiRoute, ROUTES};

fn string() -> Value {
    json!({ "type": "string" })
}

fn object(required: &[&str], props: &[(&str, Value)]) -> Value {
    let mut p = Map::new();
    for (k, v) in props {
        p.insert((*k).to_string(), v.clone());
    }
    json!({ "type": "object", "required": required, "properties": p })
}

fn schemas() -> Value {
    let service_row = object(
        &["slug", "name", "tier", "lifecycle", "version"],
        &[
            ("slug", string()),
            ("name", string()),
            ("description", string()),
            (
                "tier",
                json!({ "type": "integer", "minimum": 0, "maximum": 3 }),
            ),
            (
                "lifecycle",
                json!({ "enum": ["experimental", "production", "deprecated", "retired"] }),
            ),
            ("owner", json!({ "type": ["string", "null"] })),
            (
                "tags",
                json!({ "type": "array", "items": { "type": "string" } }),
            ),
            ("version", json!({ "type": "integer" })),
            (
                "created_at",
                json!({ "type": "string", "format": "date-time" }),
            ),
            (
                "updated_at",
                json!({ "type": "string", "format": "date-time" }),
            ),
        ],
    );
    let page = |item: &str| {
        object(
            &["items"],
            &[
                (
                    "items",
                    json!({ "type": "array", "items": { "$ref": format!("#/components/schemas/{item}") } }),
                ),
                ("next_cursor", json!({ "type": ["string", "null"] })),
            ],
        )
    };
    let open = json!({ "type": "object" });
    let finding_source = object(
        &["file", "document"],
        &[
            ("file", string()),
            ("document", json!({ "type": "integer", "minimum": 1 })),
        ],
    );
    let finding = object(
        &["source", "field", "message"],
        &[
            ("source", finding_source.clone()),
            ("entity", string()),
            ("field", string()),
            ("message", string()),
        ],
    );
    json!({
        "Error": object(&["code", "message"], &[
            ("code", json!({ "type": "string", "examples": ["validation_failed", "not_found", "forbidden", "rate_limited"] })),
            ("message", string()),
            ("fields", json!({ "type": "object", "additionalProperties": { "type": "string" } })),
        ]),
        "ServiceRow": service_row,
        "ServicePage": page("ServiceRow"),
        "ServiceBody": object(&["slug", "name", "tier", "lifecycle"], &[
            ("slug", string()), ("name", string()), ("description", string()),
            ("tier", json!({ "type": "integer", "minimum": 0, "maximum": 3 })),
            ("lifecycle", json!({ "enum": ["experimental", "production", "deprecated", "retired"] })),
            ("owner", json!({ "type": ["string", "null"], "description": "a team slug" })),
            ("tags", json!({ "type": "array", "items": { "type": "string" } })),
        ]),
        "ServiceDetail": open.clone(),
        "Created": open.clone(),
        "Link": object(&["kind", "title", "url"], &[
            ("kind", json!({ "enum": ["oncall", "runbook", "dashboard", "chat", "repo", "docs", "other"] })),
            ("title", string()), ("url", json!({ "type": "string", "format": "uri" })),
            ("last_reviewed_on", json!({ "type": "string", "description": "yyyy-mm-dd, or empty" })),
        ]),
        "Dependency": object(&["target", "kind"], &[
            ("target", json!({ "type": "string", "description": "the slug of the service depended on" })),
            ("kind", json!({ "enum": ["hard", "soft"] })),
        ]),
        "Team": open.clone(),
        "TeamPage": page("Team"),
        "TierPolicy": open.clone(),
        "TierPolicyBody": open.clone(),
        "TierPage": object(&["items"], &[("items", json!({ "type": "array", "items": { "$ref": "#/components/schemas/TierPolicy" } }))]),
        "ImportBody": object(&["files"], &[
            ("files", json!({ "type": "array", "maxItems": app::domain::import::MAX_FILES, "items": object(&["name", "content"], &[
                ("name", json!({ "type": "string", "maxLength": app::domain::import::MAX_FILE_NAME })),
                ("content", json!({ "type": "string", "description": "Backstage descriptor YAML; several documents per file" })),
            ]) })),
            ("dry_run", json!({ "type": "boolean", "default": false })),
            ("digest", json!({ "type": "string", "description": "the digest of a dry run; the import is refused (409) if its plan changed since" })),
        ]),
        "ImportReport": object(&["rows", "errors", "skipped", "notes", "digest", "applied"], &[
            ("rows", json!({ "type": "array", "items": object(&["entity_type", "slug", "action"], &[
                ("source", finding_source.clone()), ("entity_type", json!({ "enum": ["team", "service"] })),
                ("slug", string()), ("name", string()),
                ("action", json!({ "enum": ["create", "update", "unchanged"] })),
                ("changes", json!({ "type": "array", "items": { "type": "string" } })),
            ]) })),
            ("errors", json!({ "type": "array", "items": finding.clone() })),
            ("skipped", json!({ "type": "array", "items": finding.clone() })),
            ("notes", json!({ "type": "array", "items": finding })),
            ("digest", string()),
            ("applied", json!({ "type": "boolean" })),
        ]),
        "SloBody": object(&["slug", "name", "sli_kind", "objective", "window", "source"], &[
            ("slug", string()), ("name", string()), ("description", string()),
            ("sli_kind", json!({ "enum": ["availability", "latency", "freshness", "correctness", "other"] })),
            ("good_events", json!({ "type": "string", "description": "what counts as a good event" })),
            ("total_events", json!({ "type": "string", "description": "what counts as an event" })),
            ("objective", json!({ "type": ["number", "string"], "description": "a percentage above 0 and below 100, at most three decimals, e.g. 99.95" })),
            ("window", json!({ "enum": ["rolling", "week", "month", "quarter"] })),
            ("window_days", json!({ "type": "integer", "minimum": 1, "maximum": app::domain::slo::MAX_WINDOW_DAYS, "description": "days of a rolling window" })),
            ("source", json!({ "enum": ["push", "prometheus"] })),
            ("error_query", json!({ "type": "string", "description": "PromQL for bad events, with {{.window}} for the range" })),
            ("total_query", json!({ "type": "string", "description": "PromQL for all events, with {{.window}} for the range" })),
        ]),
        "Slo": open.clone(),
        "SloList": object(&["items"], &[("items", json!({ "type": "array", "items": { "$ref": "#/components/schemas/Slo" } }))]),
        "CountsBatch": object(&["buckets"], &[
            ("buckets", json!({ "type": "array", "minItems": 1, "maxItems": app::domain::slo_counts::MAX_BUCKETS, "items": object(&["start", "good", "total"], &[
                ("start", json!({ "type": "string", "format": "date-time", "description": "a whole minute, not in the future, within the retention" })),
                ("minutes", json!({ "type": "integer", "minimum": 1, "maximum": 60, "default": 1, "description": "the bucket's length; it stays within one clock hour" })),
                ("good", json!({ "type": "integer", "minimum": 0 })),
                ("total", json!({ "type": "integer", "minimum": 0, "maximum": app::domain::slo_counts::MAX_EVENTS })),
            ]) })),
        ]),
        "CountsStored": object(&["stored"], &[("stored", json!({ "type": "integer" }))]),
        "AuditEvent": open,
        "AuditPage": page("AuditEvent"),
    })
}

fn operation(r: &ApiRoute) -> Value {
    let mut params: Vec<Value> = path_params(r.path)
        .into_iter()
        .map(|p| json!({ "name": p, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect();
    let query: &[&str] = match (r.method, r.path) {
        ("GET", "/services") => &[
            "q",
            "tier",
            "team",
            "lifecycle",
            "tag",
            "budget",
            "cursor",
            "limit",
        ],
        ("GET", "/teams") => &["cursor", "limit"],
        ("GET", "/audit") => &[
            "actor",
            "action",
            "entity_type",
            "entity",
            "from",
            "to",
            "before",
        ],
        _ => &[],
    };
    params.extend(query.iter().map(
        |q| json!({ "name": q, "in": "query", "required": false, "schema": { "type": "string" } }),
    ));
    if r.method == "PUT" && r.path == "/services/{slug}" {
        params.push(json!({ "name": "If-Match", "in": "header", "required": false, "schema": { "type": "string" } }));
    }
    let error = json!({ "description": "the error shape", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let mut responses = Map::new();
    responses.insert(
        r.ok.to_string(),
        match r.answer {
            // The export is YAML, Backstage's own format.
            Some("Export" | "Yaml") => json!({ "description": "success", "content": { "application/yaml": { "schema": { "type": "string" } } } }),
            Some(s) => json!({ "description": "success", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{s}") } } } }),
            None => json!({ "description": "success" }),
        },
    );
    responses.insert("4XX".into(), error.clone());
    responses.insert("5XX".into(), error);
    let mut op = json!({
        "operationId": operation_id(r),
        "summary": r.summary,
        "parameters": params,
        "responses": responses,
        "security": [{ "token": [r.scope] }],
        "x-scope": r.scope,
    });
    if let Some(b) = r.body {
        op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{b}") } } } });
    }
    op
}

/// `get_services_slug_links`: unique per method and path.
fn operation_id(r: &ApiRoute) -> String {
    let path: String = r
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_matches(|c| c == '{' || c == '}'))
        .collect::<Vec<_>>()
        .join("_");
    format!("{}_{path}", r.method.to_lowercase())
}

pub fn build() -> Value {
    let mut paths = Map::new();
    for r in ROUTES {
        let full = format!("/api/v1{}", r.path);
        let entry = paths.entry(full).or_insert_with(|| json!({}));
        entry[r.method.to_lowercase()] = operation(r);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Reliability Portal API",
            "version": "1",
            "description": "The service catalog for machines. Send an API token (made by an admin at /admin/tokens) as `Authorization: Bearer <token>`. Every error is `{code, message, fields}`.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": { "token": { "type": "http", "scheme": "bearer" } },
            "schemas": schemas(),
        },
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}
