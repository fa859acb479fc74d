use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::access::IfCan;
use crate::domain::access::Permission;
use leptos_router::hooks::use_query_map;

use crate::components::badges::{LifecycleBadge, TierBadge, Unowned};
use crate::components::paging::Pager;
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::domain::catalog::{CatalogPage as Page, CatalogQuery, FacetValue, Sort, TeamFilter};
use crate::domain::lifecycle::Lifecycle;
use crate::domain::slo::BudgetState;
use crate::domain::tier::Tier;

#[component]
pub fn CatalogPage() -> impl IntoView {
    // Server-only (islands mode), so read once: no reactivity, and nothing to hydrate.
    let q = use_query_map().with_untracked(|m| CatalogQuery::from_params(|k| m.get(k)));
    view! {
        <Title text="Services"/>
        <div class="page-head">
            <div>
                <h1>"Services"</h1>
                <p class="muted">"Every service, who owns it, and how critical it is."</p>
            </div>
            <div class="head-actions">
                <IfCan perm=Permission::CreateServices><a href="/import" class="button secondary">"Import from Backstage"</a></IfCan>
                <IfCan perm=Permission::CreateServices><a href="/services/new" class="button">"+ New service"</a></IfCan>
            </div>
        </div>
        <Results q/>
    }
}

/// Filters, table and pager: the same HTML for everyone who may read the catalog, so it is
/// rendered once per distinct page of data (rows at the current catalog generation, facet
/// counts at most a few seconds behind; see `store::cache`) and reused until that data changes.
#[component]
fn Results(q: CatalogQuery) -> impl IntoView {
    use std::sync::Arc;

    use crate::api::ctx;
    use crate::store::catalog;

    async fn html(q: CatalogQuery) -> Result<Arc<str>, crate::error::AppError> {
        ctx::respond(
            async {
                ctx::me()?;
                let st = ctx::state()?;
                let page = catalog::search_at(&st.pool, &st.cache, &q, ctx::generation()).await?;
                // The key is everything the HTML is rendered from, so a hit cannot be stale.
                let input =
                    serde_json::to_vec(&(&q, &page)).map_err(crate::error::AppError::internal)?;
                Ok(st
                    .cache
                    .catalog_html
                    .get_or_render(input, || view! { <Catalog q=q.clone() page/> }.to_html()))
            }
            .await,
        )
    }

    view! {
        <Suspense fallback=Loading>
            {move || {
                let q = q.clone();
                Suspend::new(async move {
                    match html(q).await {
                        // Rendered above by `to_html`, which escapes every text and attribute.
                        Ok(html) => view! { <div class="catalog" inner_html=html></div> }.into_any(),
                        Err(e) => view! { <ErrorView error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Catalog(q: CatalogQuery, page: Page) -> impl IntoView {
    let pages = page.page_count();
    let total = page.total;
    let current = q.page;
    let q_pager = q.clone();
    let (q_tier, q_lc, q_team, q_tag) = (q.clone(), q.clone(), q.clone(), q.clone());
    let q_budget = q.clone();
    view! {
        <aside class="facets" aria-label="Filters">
            <SearchBox q=q.clone()/>
            <FacetGroup
                title="Tier"
                values=page.facets.tiers.clone()
                selected=q.filter.tier.map(|t| t.number().to_string())
                href=move |v| q_href(&q_tier, |q| q.filter.tier = v.and_then(|v| Tier::parse(&v)))
                more=false
            />
            <FacetGroup
                title="Error budget"
                values=page.budgets.clone()
                selected=q.filter.budget.map(|b| b.as_str().to_string())
                href=move |v| q_href(&q_budget, |q| q.filter.budget = v.and_then(|v| BudgetState::parse(&v)))
                more=false
            />
            <FacetGroup
                title="Lifecycle"
                values=page.facets.lifecycles.clone()
                selected=q.filter.lifecycle.map(|l| l.as_str().to_string())
                href=move |v| q_href(&q_lc, |q| q.filter.lifecycle = v.and_then(|v| Lifecycle::parse(&v)))
                more=false
            />
            <FacetGroup
                title="Owner"
                values=page.facets.teams.clone()
                selected=q.filter.team.as_ref().map(|t| t.as_param().to_string())
                href=move |v| q_href(&q_team, |q| q.filter.team = v.map(|v| if v == "none" { TeamFilter::Unowned } else { TeamFilter::Team(v) }))
                more=page.facets.teams_more
            />
            <FacetGroup
                title="Tag"
                values=page.facets.tags.clone()
                selected=q.filter.tag.clone()
                href=move |v| q_href(&q_tag, |q| q.filter.tag = v)
                more=page.facets.tags_more
            />
        </aside>
        <section class="results" aria-label="Services">
            <ResultBar q=q.clone() total/>
            {if page.rows.is_empty() {
                view! {
                    <EmptyState title="No services match these filters">
                        {if q.has_filters() {
                            view! { <p>"Try fewer filters, or " <a href="/services">"clear them all"</a> "."</p> }.into_any()
                        } else {
                            view! { <p>"The catalog is empty. " <a href="/services/new">"Add the first service"</a> " or load the demo data (see the README)."</p> }.into_any()
                        }}
                    </EmptyState>
                }
                    .into_any()
            } else {
                view! { <ServiceTable q=q.clone() rows=page.rows/> }.into_any()
            }}
            <Pager page=current pages total noun="services" href=move |n| { let mut q = q_pager.clone(); q.page = n; q.href() }/>
        </section>
    }
}

fn q_href(q: &CatalogQuery, change: impl FnOnce(&mut CatalogQuery)) -> String {
    q.with(change).href()
}

#[component]
fn SearchBox(q: CatalogQuery) -> impl IntoView {
    // A plain GET form: works without JavaScript and keeps the other filters as hidden fields.
    let f = q.filter.clone();
    view! {
        <form method="get" action="/services" class="searchbox" role="search" aria-label="Search the catalog">
            <label for="catalog-q">"Search"</label>
            <div class="inline">
                <input id="catalog-q" type="search" name="q" value=f.q.clone() placeholder="Name or description"/>
                <button type="submit" class="button">"Search"</button>
            </div>
            {f.tier.map(|t| view! { <input type="hidden" name="tier" value=t.number().to_string()/> })}
            {f.team.map(|t| view! { <input type="hidden" name="team" value=t.as_param().to_string()/> })}
            {f.lifecycle.map(|l| view! { <input type="hidden" name="lifecycle" value=l.as_str()/> })}
            {f.tag.map(|t| view! { <input type="hidden" name="tag" value=t/> })}
            {f.budget.map(|b| view! { <input type="hidden" name="budget" value=b.as_str()/> })}
            {(q.sort != Sort::Name && q.sort != Sort::Relevance).then(|| view! { <input type="hidden" name="sort" value=q.sort.as_str()/> })}
        </form>
    }
}

#[component]
pub fn FacetGroup(
    title: &'static str,
    values: Vec<FacetValue>,
    selected: Option<String>,
    href: impl Fn(Option<String>) -> String + 'static,
    more: bool,
) -> impl IntoView {
    let clear = selected.as_ref().map(|_| href(None));
    let items = values
        .into_iter()
        .map(|v| {
            let is_selected = selected.as_deref() == Some(v.value.as_str());
            // Selecting a selected value clears it: facets toggle.
            let link = if is_selected {
                href(None)
            } else {
                href(Some(v.value.clone()))
            };
            let empty = v.count == 0 && !is_selected;
            view! {
                <li class:selected=is_selected class:zero=empty>
                    <a href=link aria-current=is_selected.then_some("true")>
                        <span class="facet-label">{v.label}</span>
                        <span class="facet-count">{v.count}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="facet">
            <h2>
                {title}
                {clear.map(|h| view! { <a class="facet-clear" href=h>"clear"</a> })}
            </h2>
            <ul>{items}</ul>
            {more.then(|| view! { <p class="hint">"Showing the most common; search to narrow."</p> })}
        </div>
    }
}

#[component]
fn ResultBar(q: CatalogQuery, total: i64) -> impl IntoView {
    let mut chips: Vec<(String, String)> = Vec::new();
    let f = &q.filter;
    if !f.q.is_empty() {
        chips.push((format!("“{}”", f.q), q.with(|q| q.filter.q.clear()).href()));
    }
    if let Some(t) = f.tier {
        chips.push((t.label(), q.with(|q| q.filter.tier = None).href()));
    }
    if let Some(t) = &f.team {
        let label = match t {
            TeamFilter::Unowned => "Unowned".to_string(),
            TeamFilter::Team(s) => format!("Team: {s}"),
        };
        chips.push((label, q.with(|q| q.filter.team = None).href()));
    }
    if let Some(l) = f.lifecycle {
        chips.push((
            l.label().to_string(),
            q.with(|q| q.filter.lifecycle = None).href(),
        ));
    }
    if let Some(t) = &f.tag {
        chips.push((format!("#{t}"), q.with(|q| q.filter.tag = None).href()));
    }
    if let Some(b) = f.budget {
        chips.push((
            format!("Budget: {}", b.label()),
            q.with(|q| q.filter.budget = None).href(),
        ));
    }
    let noun = if total == 1 { "service" } else { "services" };
    let best_match = (q.filter.default_sort() == Sort::Relevance).then(|| {
        let active = q.sort == Sort::Relevance;
        let href = q.with(|q| q.sort = Sort::Relevance).href();
        view! { <a class="chip" class:active=active href=href>"Best match first"</a> }
    });
    view! {
        <div class="resultbar">
            <p class="count" data-testid="result-count">{format!("{total} {noun}")}</p>
            {best_match}
            <ul class="chips" aria-label="Active filters">
                {chips
                    .into_iter()
                    .map(|(label, h)| view! { <li><a class="chip" href=h title="Remove this filter">{label}" ×"</a></li> })
                    .collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn ServiceTable(q: CatalogQuery, rows: Vec<crate::domain::service::ServiceRow>) -> impl IntoView {
    let sort_link = |label: &'static str, sort: Sort| {
        let active = q.sort == sort;
        let href = q.with(|q| q.sort = sort).href();
        view! {
            <a href=href class:active=active aria-current=active.then_some("true")>{label}{active.then_some(" ↓")}</a>
        }
    };
    view! {
        <div class="table-wrap">
            <table class="table services">
                <thead>
                    <tr>
                        <th scope="col">{sort_link("Service", Sort::Name)}</th>
                        <th scope="col">{sort_link("Tier", Sort::Tier)}</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col" class="hide-sm">"Lifecycle"</th>
                        <th scope="col" class="hide-sm">"Tags"</th>
                        <th scope="col" class="hide-sm">{sort_link("Updated", Sort::Updated)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|s| {
                            let href = format!("/services/{}", s.slug);
                            view! {
                                <tr>
                                    <td>
                                        <a href=href class="strong">{s.name}</a>
                                        <div class="sub mono">{s.slug}</div>
                                        <div class="sub clamp">{s.description}</div>
                                    </td>
                                    <td><TierBadge tier=s.tier/></td>
                                    <td>
                                        {match s.owner {
                                            Some(t) => view! { <a href=format!("/teams/{}", t.slug)>{t.name}</a> }.into_any(),
                                            None => view! { <Unowned/> }.into_any(),
                                        }}
                                    </td>
                                    <td class="hide-sm"><LifecycleBadge lifecycle=s.lifecycle/></td>
                                    <td class="hide-sm">
                                        {s.tags.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}
                                    </td>
                                    <td class="hide-sm nowrap muted">{s.updated_at.date_naive().to_string()}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
