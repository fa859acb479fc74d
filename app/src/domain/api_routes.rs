//! Every REST API route, once: the server builds its router from this list, the OpenAPI
//! document is generated from it, and the portal's API page shows it. A route cannot be served
//! without being documented, or documented without being served (the server's tests check both).

/// One route of `/api/v1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiRoute {
    pub method: &'static str,
    /// Below `/api/v1`, with `{name}` path parameters.
    pub path: &'static str,
    /// The token scope it needs ("" for none).
    pub scope: &'static str,
    pub summary: &'static str,
    /// The JSON body it takes (a schema name in the document), if any.
    pub body: Option<&'static str>,
    /// Its success status.
    pub ok: u16,
    /// What a success answers with (a schema name), if anything.
    pub answer: Option<&'static str>,
}

const fn r(
    method: &'static str,
    path: &'static str,
    scope: &'static str,
    summary: &'static str,
    body: Option<&'static str>,
    ok: u16,
    answer: Option<&'static str>,
) -> ApiRoute {
    ApiRoute {
        method,
        path,
        scope,
        summary,
        body,
        ok,
        answer,
    }
}

const READ: &str = "catalog:read";
const WRITE: &str = "catalog:write";

pub const ROUTES: &[ApiRoute] = &[
    r("GET", "/services", READ, "List services (filters q, tier, team, lifecycle, tag; cursor and limit)", None, 200, Some("ServicePage")),
    r("POST", "/services", WRITE, "Create a service", Some("ServiceBody"), 201, Some("Created")),
    r("GET", "/services/{slug}", READ, "Get a service with its owner, links and dependencies (ETag: its version)", None, 200, Some("ServiceDetail")),
    r("PUT", "/services/{slug}", WRITE, "Update a service (If-Match: the ETag read; 412 when it changed since)", Some("ServiceBody"), 200, Some("ServiceDetail")),
    r("DELETE", "/services/{slug}", WRITE, "Delete a service, its links and dependencies", None, 204, None),
    r("POST", "/services/{slug}/links", WRITE, "Add a link", Some("Link"), 201, Some("Created")),
    r("PUT", "/services/{slug}/links/{id}", WRITE, "Change a link", Some("Link"), 204, None),
    r("DELETE", "/services/{slug}/links/{id}", WRITE, "Remove a link", None, 204, None),
    r("POST", "/services/{slug}/dependencies", WRITE, "Declare a dependency", Some("Dependency"), 201, None),
    r("DELETE", "/services/{slug}/dependencies/{target}", WRITE, "Remove a dependency", None, 204, None),
    r("GET", "/services/{slug}/slos", READ, "A service's SLOs with their live figures (budget left, burn rates, alerts, state)", None, 200, Some("SloList")),
    r("POST", "/services/{slug}/slos", WRITE, "Define an SLO", Some("SloBody"), 201, Some("Created")),
    r("GET", "/services/{slug}/slos/{slo}", READ, "Get an SLO with its live figures (ETag: its version)", None, 200, Some("Slo")),
    r("PUT", "/services/{slug}/slos/{slo}", WRITE, "Change an SLO (If-Match: the ETag read; 412 when it changed since)", Some("SloBody"), 200, Some("Slo")),
    r("GET", "/services/{slug}/slos/{slo}/rules", READ, "A Prometheus SLO's recording and multiwindow alerting rules, as Sloth generates them (Prometheus rules YAML)", None, 200, Some("Yaml")),
    r("DELETE", "/services/{slug}/slos/{slo}", WRITE, "Delete an SLO and its counts", None, 204, None),
    r("POST", "/openslo", WRITE, "Import OpenSLO v1 SLO documents (dry_run: only report what would change; digest: apply only what a dry run reported)", Some("ImportBody"), 200, Some("ImportReport")),
    r("GET", "/openslo", READ, "Every SLO (or one service's, with ?service=) as OpenSLO v1 YAML", None, 200, Some("Yaml")),
    r("POST", "/slos/{service}/{slo}/counts", "slo:write", "Push good/total counts in buckets of whole minutes; a bucket pushed again replaces the stored one; a batch with any bad bucket stores nothing", Some("CountsBatch"), 200, Some("CountsStored")),
    r("GET", "/teams", READ, "List teams by name (cursor and limit)", None, 200, Some("TeamPage")),
    r("POST", "/teams", WRITE, "Create a team (organisation-wide tokens)", Some("Team"), 201, Some("Team")),
    r("GET", "/teams/{slug}", READ, "Get a team", None, 200, Some("Team")),
    r("PUT", "/teams/{slug}", WRITE, "Update a team (organisation-wide tokens)", Some("Team"), 200, Some("Team")),
    r("DELETE", "/teams/{slug}", WRITE, "Delete a team that owns no services (organisation-wide tokens)", None, 204, None),
    r("GET", "/tiers", READ, "List the tier policies", None, 200, Some("TierPage")),
    r("GET", "/tiers/{tier}", READ, "Get a tier policy", None, 200, Some("TierPolicy")),
    r("PUT", "/tiers/{tier}", WRITE, "Change a tier policy (organisation-wide tokens)", Some("TierPolicyBody"), 200, Some("TierPolicy")),
    r("POST", "/import", WRITE, "Import Backstage descriptor YAML (dry_run: only say what would change; digest: apply only if the plan is still the one previewed)", Some("ImportBody"), 200, Some("ImportReport")),
    r("GET", "/export", READ, "The catalog as Backstage descriptor YAML, which imports back to the same catalog", None, 200, Some("Export")),
    r("GET", "/audit", "audit:read", "The audit trail, newest first (filters actor, action, entity_type, entity, from, to; cursor before)", None, 200, Some("AuditPage")),
];

/// The path parameters of a route path, in order.
pub fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_unique_and_well_formed() {
        for (i, a) in ROUTES.iter().enumerate() {
            assert!(a.path.starts_with('/'), "{a:?}");
            assert!(
                ["GET", "POST", "PUT", "DELETE"].contains(&a.method),
                "{a:?}"
            );
            assert!(
                ROUTES[i + 1..]
                    .iter()
                    .all(|b| (b.method, b.path) != (a.method, a.path)),
                "{a:?} twice"
            );
            assert_eq!(
                a.method == "GET",
                a.scope.ends_with(":read"),
                "reads need a read scope: {a:?}"
            );
        }
        assert_eq!(
            path_params("/services/{slug}/links/{id}"),
            vec!["slug", "id"]
        );
    }
}
