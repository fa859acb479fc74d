use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::overview::get_overview;
use crate::components::badges::{BudgetBadge, TierBadge, Unowned};
use crate::components::states::{EmptyState, ErrorView, Loading};

#[component]
pub fn OverviewPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_overview());
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
