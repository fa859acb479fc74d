use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::api_routes::ROUTES;

/// The REST API, readable: the same route list the server is built from.
#[component]
pub fn ApiDocsPage() -> impl IntoView {
    let groups = ["services", "teams", "tiers", "audit"];
    view! {
        <Title text="API"/>
        <div class="page-head">
            <div>
                <h1>"REST API"</h1>
                <p class="muted">"The catalog for machines: CI jobs, importers, SLO pushers. Everything the pages can change, with the same rules, the same audit trail and the same permissions."</p>
            </div>
        </div>
        <section class="card" aria-labelledby="api-auth-h">
            <h2 id="api-auth-h">"Authentication"</h2>
            <p>"Send an API token as "<code>"Authorization: Bearer rpt_…"</code>". Admins make tokens at "
            <a href="/admin/tokens">"API tokens"</a>". A team's token changes only that team's services; its scopes ("
            <code>"catalog:read"</code>", "<code>"catalog:write"</code>", "<code>"audit:read"</code>", "<code>"slo:write"</code>") narrow it further. Sessions never authorise the API."</p>
            <p>"Errors are always JSON: "<code>"{\"code\": \"validation_failed\", \"message\": \"…\", \"fields\": {\"slug\": \"…\"}}"</code>
            ". Lists page with "<code>"cursor"</code>" and "<code>"limit"</code>" (at most 200). Reads of a service give an "<code>"ETag"</code>
            "; send it back as "<code>"If-Match"</code>" and a save over someone else's change answers 412. Too many requests answer 429 with "<code>"Retry-After"</code>"."</p>
            <p>"Machine-readable: "<a href="/api/v1/openapi.json">"OpenAPI 3.1 document"</a>"."</p>
            <pre class="code"><code>"curl -H \"Authorization: Bearer $TOKEN\" '"{"/api/v1/services?tier=0&limit=20"}"'"</code></pre>
        </section>
        {groups.into_iter().map(|g| {
            let routes: Vec<_> = ROUTES.iter().filter(|r| r.path.trim_start_matches('/').starts_with(g)).collect();
            let heading = format!("api-{g}-h");
            let labelled_by = heading.clone();
            view! {
                <section class="card" aria-labelledby=labelled_by>
                    <h2 id=heading>{g}</h2>
                    <div class="table-wrap">
                        <table class="table">
                            <thead><tr><th scope="col">"Method"</th><th scope="col">"Path"</th><th scope="col">"Scope"</th><th scope="col">"What it does"</th><th scope="col">"Success"</th></tr></thead>
                            <tbody>
                                {routes.into_iter().map(|r| view! {
                                    <tr>
                                        <td><span class=format!("badge method-{}", r.method.to_lowercase())>{r.method}</span></td>
                                        <td><code>{format!("/api/v1{}", r.path)}</code></td>
                                        <td><code>{r.scope}</code></td>
                                        <td>{r.summary}</td>
                                        <td>{r.ok}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </section>
            }
        }).collect_view()}
    }
}
