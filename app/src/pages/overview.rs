use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::overview::get_overview;
use crate::components::badges::{BudgetBadge, TierBadge, Unowned};
use crate::components::states::{EmptyState, ErrorView, Loading};

#[component]
pub fn OverviewPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_overview());
    let learning = Resource::new(|| (), |_| crate::api::overview::get_overdue_learning());
    view! {
        <Title text=""/>
        <section class="hero">
            <h1>"Who owns it, how to page them, and is it ready?"</h1>
            <form method="get" action="/services" role="search" class="hero-search">
                <label for="hero-q" class="visually-hidden">"Search services"</label>
                <input id="hero-q" type="search" name="q" placeholder="Search services by name or description…"/>
                <button type="submit" class="button">"Search"</button>
            </form>
        </section>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let o = match data.await {
                    Ok(o) => o,
                    Err(e) => return view! { <ErrorView error=e/> }.into_any(),
                };
                if o.services == 0 {
                    return view! {
                        <EmptyState title="The catalog is empty">
                            <p><a href="/teams/new">"Create a team"</a>", then " <a href="/services/new">"add its services"</a>
                            ". To explore with a believable organisation, start the portal with " <code>"--demo"</code> "."</p>
                        </EmptyState>
                    }.into_any();
                }
                let shown = o.shortfalls.len();
                let (actions, postmortems, overdue_pms) = match learning.await {
                    Ok(l) => l,
                    Err(e) => return view! { <ErrorView error=e/> }.into_any(),
                };
                view! {
                    <div class="stats">
                        <a class="stat" href="/services"><span class="stat-n">{o.services}</span><span class="stat-l">"services"</span></a>
                        <a class="stat" href="/teams"><span class="stat-n">{o.teams}</span><span class="stat-l">"teams"</span></a>
                        <a class="stat" class:stat-warn={o.unowned > 0} href="/services?team=none"><span class="stat-n">{o.unowned}</span><span class="stat-l">"unowned"</span></a>
                        <span class="stat" class:stat-warn={o.shortfall_total > 0}><span class="stat-n">{o.shortfall_total}</span><span class="stat-l">"short of their tier"</span></span>
                    </div>
                    <div class="tier-strip">
                        {o.by_tier.into_iter().map(|t| view! {
                            <a class="chip" href=format!("/services?tier={}", t.tier.number())><TierBadge tier=t.tier/> {format!(" {} active", t.services)}</a>
                        }).collect_view()}
                    </div>
                    <OverdueLearning actions postmortems overdue_pms/>
                    <section class="card" aria-labelledby="budgets-h">
                        <h2 id="budgets-h">"Error budgets"</h2>
                        <p class="muted">"Services in feature freeze (an SLO's budget is spent) and SLOs paging now, most critical tier first. " <a href="/slos">"All SLOs"</a></p>
                        {if o.budgets.is_empty() {
                            view! { <p class="policy-ok">"✓ No SLO is paging and no service is in freeze."</p> }.into_any()
                        } else {
                            view! {
                                <table class="table">
                                    <thead><tr><th scope="col">"Service"</th><th scope="col">"Tier"</th><th scope="col">"SLO"</th><th scope="col" class="num">"Budget left"</th><th scope="col">"State"</th></tr></thead>
                                    <tbody>
                                        {o.budgets.into_iter().map(|b| view! {
                                            <tr>
                                                <td><a class="strong" href=format!("/services/{}", b.service)>{b.service_name.clone()}</a></td>
                                                <td><TierBadge tier=b.tier/></td>
                                                <td><a href=format!("/services/{}/slos/{}", b.service, b.slug)>{b.name.clone()}</a></td>
                                                <td class="num">{b.budget_remaining.map(crate::domain::slo::percent).unwrap_or_else(|| "—".into())}</td>
                                                <td><BudgetBadge state=b.state/>{b.paging.then(|| view! { " " <span class="badge status-bad">"Paging"</span> })}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }}
                    </section>
                    <section class="card" aria-labelledby="attention-h">
                        <h2 id="attention-h">"Needs attention"</h2>
                        <p class="muted">{format!("Services that fall short of their tier's policy, most critical first. Runbooks go stale after {} days.", o.stale_after_days)}</p>
                        {if o.shortfalls.is_empty() {
                            view! { <p class="policy-ok">"✓ Every service meets its tier's requirements."</p> }.into_any()
                        } else {
                            view! {
                                <table class="table">
                                    <thead><tr><th scope="col">"Service"</th><th scope="col">"Tier"</th><th scope="col">"Owner"</th><th scope="col">"Falls short on"</th></tr></thead>
                                    <tbody>
                                        {o.shortfalls.into_iter().map(|s| view! {
                                            <tr>
                                                <td><a class="strong" href=format!("/services/{}", s.service.slug)>{s.service.name}</a></td>
                                                <td><TierBadge tier=s.service.tier/></td>
                                                <td>{match s.service.owner {
                                                    Some(t) => view! { <a href=format!("/teams/{}", t.slug)>{t.name}</a> }.into_any(),
                                                    None => view! { <Unowned/> }.into_any(),
                                                }}</td>
                                                <td>{s.gaps.iter().map(|g| view! { <span class="badge warn">{g.short()}</span> " " }).collect_view()}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {(o.shortfall_total > shown as i64).then(|| view! { <p class="hint">{format!("Showing the {shown} most critical of {}.", o.shortfall_total)}</p> })}
                            }.into_any()
                        }}
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

/// What the overview leads with: overdue urgent action items and overdue postmortems.
#[component]
fn OverdueLearning(
    actions: Vec<crate::domain::action_list::ActionItem>,
    postmortems: Vec<crate::domain::postmortem_view::OverduePostmortem>,
    overdue_pms: i64,
) -> impl IntoView {
    use crate::components::badges::{DeadlineBadge, PostmortemStatusBadge, SeverityBadge};
    view! {
        <section class="card" aria-labelledby="learning-h">
            <h2 id="learning-h">"Overdue learning"</h2>
            <p class="muted">"Postmortems past their deadline, and P0/P1 action items past their due day. "
                <a href="/actions?overdue=1">"All overdue action items"</a></p>
            {if actions.is_empty() && postmortems.is_empty() {
                view! { <p class="policy-ok">"✓ No postmortem is overdue and no urgent action item is late."</p> }.into_any()
            } else {
                view! {
                    {(!postmortems.is_empty()).then(|| view! {
                        <h3>{format!("Postmortems overdue ({overdue_pms})")}</h3>
                        <table class="table">
                            <thead><tr><th scope="col">"Incident"</th><th scope="col">"Severity"</th><th scope="col">"Postmortem"</th><th scope="col">"Due"</th></tr></thead>
                            <tbody>
                                {postmortems.into_iter().map(|p| view! {
                                    <tr>
                                        <td><a class="strong" href=format!("/incidents/{}/postmortem", p.incident_id)>{format!("#{} {}", p.incident_id, p.title)}</a></td>
                                        <td><SeverityBadge severity=p.severity/></td>
                                        <td>{match p.status {
                                            Some(s) => view! { <PostmortemStatusBadge status=s/> }.into_any(),
                                            None => view! { <span class="badge muted-badge">"Not started"</span> }.into_any(),
                                        }}</td>
                                        <td>{p.due_on.to_string()} " " <DeadlineBadge deadline=p.deadline/></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    })}
                    {(!actions.is_empty()).then(|| view! {
                        <h3>"Urgent action items overdue"</h3>
                        <crate::components::actions::ActionTable rows=actions caption="Overdue P0 and P1 action items" with_incident=true/>
                    })}
                }.into_any()
            }}
        </section>
    }
}
