//! `/incidents`: every incident, newest first, with severity and status counts and filters by
//! service, team and tier (from links on service and team pages).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::access::IfCan;
use crate::components::incidents::IncidentTable;
use crate::components::paging::Pager;
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::domain::access::Permission;
use crate::domain::incident::Severity;
use crate::domain::incident_list::{IncidentListQuery, IncidentPage, StatusFilter};

use super::catalog::FacetGroup;

#[component]
pub fn IncidentsPage() -> impl IntoView {
    // Server-only (islands mode): read once.
    let q = use_query_map().with_untracked(|m| IncidentListQuery::from_params(|k| m.get(k)));
    async fn load(q: IncidentListQuery) -> Result<IncidentPage, crate::error::AppError> {
        use crate::api::ctx;
        ctx::respond(
            async {
                ctx::me()?;
                let st = ctx::state()?;
                crate::store::incidents::list_cached(&st.pool, &st.cache, &q).await
            }
            .await,
        )
    }
    view! {
        <Title text="Incidents"/>
        <div class="page-head">
            <div>
                <h1>"Incidents"</h1>
                <p class="muted">"What went wrong, where, and how long it took to notice and fix. Newest first."</p>
            </div>
            <div class="head-actions">
                <IfCan perm=Permission::CreateServices><a href="/incidents/new" class="button">"Declare an incident"</a></IfCan>
            </div>
        </div>
        <Suspense fallback=Loading>
            {move || {
                let q = q.clone();
                Suspend::new(async move {
                    match load(q.clone()).await {
                        Ok(page) => view! { <div class="catalog"><IncidentList q page/></div> }.into_any(),
                        Err(e) => view! { <ErrorView error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn IncidentList(q: IncidentListQuery, page: IncidentPage) -> impl IntoView {
    let pages = page.page_count();
    let (total, current) = (page.total, q.page);
    let (q1, q2, q3, qp) = (q.clone(), q.clone(), q.clone(), q.clone());
    let learning_selected = if q.repeat {
        Some("repeat".to_string())
    } else {
        q.postmortem
            .map(|p| if p { "has" } else { "lacks" }.to_string())
    };
    let scope: Vec<(String, String)> = [
        q.service
            .as_ref()
            .map(|s| (format!("Service: {s}"), q.with(|q| q.service = None).href())),
        q.team
            .as_ref()
            .map(|t| (format!("Team: {t}"), q.with(|q| q.team = None).href())),
        q.tier
            .map(|t| (t.label(), q.with(|q| q.tier = None).href())),
        q.from
            .map(|d| (format!("From {d}"), q.with(|q| q.from = None).href())),
        q.to.map(|d| (format!("To {d}"), q.with(|q| q.to = None).href())),
    ]
    .into_iter()
    .flatten()
    .collect();
    view! {
        <aside class="facets" aria-label="Filters">
            <FacetGroup title="Status" values=page.facets.statuses.clone()
                selected=q.status.map(|s| s.as_param().to_string())
                href=move |v| q1.with(|q| q.status = v.and_then(|v| StatusFilter::parse(&v))).href() more=false/>
            <FacetGroup title="Severity" values=page.facets.severities.clone()
                selected=q.severity.map(|s| s.number().to_string())
                href=move |v| q2.with(|q| q.severity = v.and_then(|v| Severity::parse(&v))).href() more=false/>
            <FacetGroup title="Learning" values=page.facets.learning.clone()
                selected=learning_selected
                href=move |v| q3.with(|q| {
                    q.repeat = v.as_deref() == Some("repeat");
                    q.postmortem = match v.as_deref() { Some("has") => Some(true), Some("lacks") => Some(false), _ => None };
                }).href() more=false/>
            <form method="get" action="/incidents" class="facet date-range">
                <h2>"Started"</h2>
                {q.severity.map(|s| view! { <input type="hidden" name="severity" value=s.number().to_string()/> })}
                {q.status.map(|s| view! { <input type="hidden" name="status" value=s.as_param()/> })}
                {q.service.clone().map(|s| view! { <input type="hidden" name="service" value=s/> })}
                {q.team.clone().map(|s| view! { <input type="hidden" name="team" value=s/> })}
                {q.tier.map(|t| view! { <input type="hidden" name="tier" value=t.number().to_string()/> })}
                <label for="inc-from">"From"</label>
                <input id="inc-from" type="date" name="from" value=q.from.map(|d| d.to_string()).unwrap_or_default()/>
                <label for="inc-to">"To"</label>
                <input id="inc-to" type="date" name="to" value=q.to.map(|d| d.to_string()).unwrap_or_default()/>
                <button type="submit" class="button secondary">"Apply"</button>
            </form>
        </aside>
        <section class="results" aria-label="Incidents">
            {(!scope.is_empty()).then(|| view! {
                <div class="resultbar">
                    <ul class="chips" aria-label="Active filters">
                        {scope.into_iter().map(|(label, href)| view! {
                            <li><a class="chip" href=href title="Remove this filter">{label}" ×"</a></li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
            {if page.rows.is_empty() {
                view! {
                    <EmptyState title="No incidents match">
                        {if q.has_filters() {
                            view! { <p>"Try fewer filters, or " <a href="/incidents">"see every incident"</a> "."</p> }.into_any()
                        } else {
                            view! { <p>"Nothing has gone wrong yet, or nobody said so. When something does, choose " <strong>"Declare an incident"</strong> "."</p> }.into_any()
                        }}
                    </EmptyState>
                }.into_any()
            } else {
                view! { <IncidentTable rows=page.rows caption="Incidents, newest first"/> }.into_any()
            }}
            <Pager page=current pages total noun="incidents" href=move |n| { let mut q = qp.clone(); q.page = n; q.href() }/>
        </section>
    }
}
