//! `/slos`: every SLO in the organisation, least budget left first, with filters and counts.
//! Figures come from the evaluator, at most one evaluation interval old; each row says when.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::badges::{BudgetBadge, TierBadge};
use crate::components::paging::Pager;
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::domain::slo::{percent, BudgetState};
use crate::domain::slo_form::SloSource;
use crate::domain::slo_list::{SloListPage, SloListQuery};
use crate::domain::tier::Tier;

use super::catalog::FacetGroup;

#[component]
pub fn SlosPage() -> impl IntoView {
    // Server-only (islands mode): read once.
    let q = use_query_map().with_untracked(|m| SloListQuery::from_params(|k| m.get(k)));
    async fn load(q: SloListQuery) -> Result<SloListPage, crate::error::AppError> {
        use crate::api::ctx;
        ctx::respond(
            async {
                ctx::me()?;
                let st = ctx::state()?;
                crate::store::slo_list::list_cached(&st.pool, &st.cache, &q).await
            }
            .await,
        )
    }
    view! {
        <Title text="SLOs"/>
        <div class="page-head">
            <div>
                <h1>"SLOs"</h1>
                <p class="muted">"Every service level objective, least error budget left first. " <a href="/help/slos">"How SLOs work"</a></p>
            </div>
            <div class="actions">
                <a href="/slos/import" class="button secondary">"Import OpenSLO"</a>
                <a href="/export/openslo.yaml" class="button secondary" download="slos.openslo.yaml">"Export as OpenSLO"</a>
            </div>
        </div>
        <Suspense fallback=Loading>
            {move || {
                let q = q.clone();
                Suspend::new(async move {
                    match load(q.clone()).await {
                        Ok(page) => view! { <div class="catalog"><SloList q page/></div> }.into_any(),
                        Err(e) => view! { <ErrorView error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn SloList(q: SloListQuery, page: SloListPage) -> impl IntoView {
    let pages = page.page_count();
    let (total, current) = (page.total, q.page);
    let (q1, q2, q3, q4, qp) = (q.clone(), q.clone(), q.clone(), q.clone(), q.clone());
    view! {
        <aside class="facets" aria-label="Filters">
            <FacetGroup title="Budget state" values=page.facets.states.clone()
                selected=q.state.map(|s| s.as_str().to_string())
                href=move |v| q1.with(|q| q.state = v.and_then(|v| BudgetState::parse(&v))).href() more=false/>
            <FacetGroup title="Tier" values=page.facets.tiers.clone()
                selected=q.tier.map(|t| t.number().to_string())
                href=move |v| q2.with(|q| q.tier = v.and_then(|v| Tier::parse(&v))).href() more=false/>
            <FacetGroup title="Team" values=page.facets.teams.clone()
                selected=q.team.clone()
                href=move |v| q3.with(|q| q.team = v).href() more=false/>
            <FacetGroup title="Source" values=page.facets.sources.clone()
                selected=q.source.map(|s| s.as_str().to_string())
                href=move |v| q4.with(|q| q.source = v.and_then(|v| SloSource::parse(&v))).href() more=false/>
        </aside>
        <section class="results" aria-label="SLOs">
            {if page.rows.is_empty() {
                view! {
                    <EmptyState title="No SLOs match">
                        {if q.has_filters() {
                            view! { <p>"Try fewer filters, or " <a href="/slos">"clear them all"</a> "."</p> }.into_any()
                        } else {
                            view! { <p>"No service has an SLO yet. Open a service and choose " <strong>"New SLO"</strong> "; tiers 0 and 1 require one."</p> }.into_any()
                        }}
                    </EmptyState>
                }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table slo-list">
                            <thead><tr>
                                <th scope="col">"SLO"</th><th scope="col">"Service"</th><th scope="col">"Team"</th>
                                <th scope="col" class="num">"Objective"</th><th scope="col" class="num">"Budget left"</th>
                                <th scope="col" class="num">"Burn 1h"</th><th scope="col">"State"</th>
                            </tr></thead>
                            <tbody>
                                {page.rows.into_iter().map(|r| {
                                    let href = format!("/services/{}/slos/{}", r.service, r.slug);
                                    view! {
                                        <tr>
                                            <td><a href=href>{r.name.clone()}</a><div class="muted small">{r.window.label()} " · " {r.source.as_str()}</div></td>
                                            <td><TierBadge tier=r.tier/> " " <a href=format!("/services/{}", r.service)>{r.service_name.clone()}</a></td>
                                            <td>{match (r.team.clone(), r.team_name.clone()) {
                                                (Some(t), Some(n)) => view! { <a href=format!("/teams/{t}")>{n}</a> }.into_any(),
                                                _ => view! { <span class="muted">"Unowned"</span> }.into_any(),
                                            }}</td>
                                            <td class="num">{format!("{} %", r.objective)}</td>
                                            <td class="num">{r.budget_remaining.map(percent).unwrap_or_else(|| "—".into())}</td>
                                            <td class="num">{r.burn_1h.map(|b| format!("{b:.2}×")).unwrap_or_else(|| "—".into())}</td>
                                            <td>
                                                <BudgetBadge state=r.state/>
                                                {r.paging.then(|| view! { " " <span class="badge status-bad">"Paging"</span> })}
                                                <div class="muted small">{r.computed_at.map(|t| format!("as of {}", t.format("%H:%M UTC"))).unwrap_or_else(|| "not evaluated yet".into())}</div>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <Pager page=current pages total noun="SLOs" href=move |n| { let mut q = qp.clone(); q.page = n; q.href() }/>
        </section>
    }
}
