use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::layout::Layout;
use crate::components::states::NotFoundPage;
use crate::pages::{
    action_edit, actions, api_docs, audit, catalog, help_slos, import, incident, incident_form,
    incidents, overview, people, postmortem, postmortem_search, postmortem_settings, service,
    service_form, slo, slo_form, slos, team, team_form, teams, tier_form, tiers, tokens,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    // The server chose this response's CSP nonce; the hydration script must carry the same one.
    #[cfg(feature = "ssr")]
    if let Some(n) = use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<crate::state::CspNonce>().cloned())
    {
        provide_context(leptos::nonce::Nonce::from_value(n.0));
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::components::access::provide_me();
    // Islands mode: everything here renders on the server only, and a read-only page sends its data
    // once, as HTML. The forms are `#[island]`s that hydrate on their own, with what they need
    // passed as props (serialized into the page). Async (on every route): the whole page is
    // rendered before it is sent, so reading works without JavaScript and a missing record can
    // still answer 404.
    view! {
        <Stylesheet id="leptos" href="/pkg/portal.css"/>
        <Title formatter=|t: String| if t.is_empty() { "Reliability Portal".to_string() } else { format!("{t} · Reliability Portal") }/>
        <Router>
            <Layout>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=overview::OverviewPage ssr=SsrMode::Async/>
                    <Route path=path!("/services") view=catalog::CatalogPage ssr=SsrMode::Async/>
                    <Route path=path!("/services/new") view=service_form::NewServicePage ssr=SsrMode::Async/>
                    <Route path=path!("/services/:slug") view=service::ServicePage ssr=SsrMode::Async/>
                    <Route path=path!("/services/:slug/edit") view=service_form::EditServicePage ssr=SsrMode::Async/>
                    <Route path=path!("/services/:slug/slos/new") view=slo_form::NewSloPage ssr=SsrMode::Async/>
                    <Route path=path!("/services/:slug/slos/:slo") view=slo::SloPage ssr=SsrMode::Async/>
                    <Route path=path!("/services/:slug/slos/:slo/edit") view=slo_form::EditSloPage ssr=SsrMode::Async/>
                    <Route path=path!("/slos") view=slos::SlosPage ssr=SsrMode::Async/>
                    <Route path=path!("/slos/import") view=import::SloImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/help/slos") view=help_slos::HelpSlosPage ssr=SsrMode::Async/>
                    <Route path=path!("/incidents") view=incidents::IncidentsPage ssr=SsrMode::Async/>
                    <Route path=path!("/incidents/new") view=incident_form::NewIncidentPage ssr=SsrMode::Async/>
                    <Route path=path!("/incidents/:id") view=incident::IncidentPage ssr=SsrMode::Async/>
                    <Route path=path!("/incidents/:id/edit") view=incident_form::EditIncidentPage ssr=SsrMode::Async/>
                    <Route path=path!("/incidents/:id/postmortem") view=postmortem::PostmortemPage ssr=SsrMode::Async/>
                    <Route path=path!("/incidents/:id/postmortem/edit") view=postmortem::EditPostmortemPage ssr=SsrMode::Async/>
                    <Route path=path!("/postmortems") view=postmortem_search::PostmortemSearchPage ssr=SsrMode::Async/>
                    <Route path=path!("/actions") view=actions::ActionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/actions/:id/edit") view=action_edit::EditActionPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/postmortems") view=postmortem_settings::PostmortemSettingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/teams") view=teams::TeamsPage ssr=SsrMode::Async/>
                    <Route path=path!("/teams/new") view=team_form::NewTeamPage ssr=SsrMode::Async/>
                    <Route path=path!("/teams/:slug") view=team::TeamPage ssr=SsrMode::Async/>
                    <Route path=path!("/teams/:slug/edit") view=team_form::EditTeamPage ssr=SsrMode::Async/>
                    <Route path=path!("/tiers") view=tiers::TiersPage ssr=SsrMode::Async/>
                    <Route path=path!("/tiers/:tier/edit") view=tier_form::EditTierPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/people") view=people::PeoplePage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view=audit::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/tokens") view=tokens::TokensPage ssr=SsrMode::Async/>
                    <Route path=path!("/import") view=import::ImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/api-docs") view=api_docs::ApiDocsPage ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}
