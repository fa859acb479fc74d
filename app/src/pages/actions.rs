//! `/actions`: every open action item in the organisation, overdue first, filtered by team,
//! service, priority, overdue and "mine", with counts. Server-only.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::actions::ActionTable;
use crate::components::paging::Pager;
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::domain::access::{Me, Permission};
use crate::domain::action_item::Priority;
use crate::domain::action_list::{ActionListQuery, ActionPage};

use super::catalog::FacetGroup;

async fn load(q: ActionListQuery) -> Result<(ActionPage, Me), crate::error::AppError> {
    use crate::api::ctx;
    ctx::respond(
        async {
            let me = ctx::me()?;
            let st = ctx::state()?;
            let page = crate::store::action_items::list_cached(
                &st.pool,
                &st.cache,
                &q,
                me.id,
                chrono::Utc::now(),
            )
            .await?;
            Ok((page, me))
        }
        .await,
    )
}

#[component]
pub fn ActionsPage() -> impl IntoView {
    let q = use_query_map().with_untracked(|m| ActionListQuery::from_params(|k| m.get(k)));
    view! {
        <Title text="Action items"/>
        <div class="page-head">
            <div>
                <h1>"Action items"</h1>
                <p class="muted">"What postmortems decided to change, and whether it is getting done. Overdue first."</p>
            </div>
        </div>
        <Suspense fallback=Loading>
            {move || {
                let q = q.clone();
                Suspend::new(async move {
                    match load(q.clone()).await {
                        Ok((page, me)) => view! { <div class="catalog"><ActionList q page me/></div> }.into_any(),
                        Err(e) => view! { <ErrorView error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn ActionList(q: ActionListQuery, page: ActionPage, me: Me) -> impl IntoView {
    let pages = page.page_count();
    let (total, current) = (page.total, q.page);
    let (q1, qp) = (q.clone(), q.clone());
    let toggles = [
        (
            "Overdue only",
            q.overdue,
            q.with(|x| x.overdue = !x.overdue).href(),
        ),
        ("Mine", q.mine, q.with(|x| x.mine = !x.mine).href()),
        (
            "Closed ones too",
            q.closed,
            q.with(|x| x.closed = !x.closed).href(),
        ),
    ];
    let scope: Vec<(String, String)> = [
        q.team
            .as_ref()
            .map(|t| (format!("Team: {t}"), q.with(|x| x.team = None).href())),
        q.service
            .as_ref()
            .map(|s| (format!("Service: {s}"), q.with(|x| x.service = None).href())),
    ]
    .into_iter()
    .flatten()
    .collect();
    let editable: Vec<i64> = page
        .rows
        .iter()
        .filter(|a| me.can(&Permission::EditActionItem(a.team.clone())))
        .map(|a| a.id)
        .collect();
    let filtered =
        q.team.is_some() || q.service.is_some() || q.priority.is_some() || q.overdue || q.mine;
    view! {
        <aside class="facets" aria-label="Filters">
            <FacetGroup title="Priority" values=page.priorities.clone()
                selected=q.priority.map(|p| p.number().to_string())
                href=move |v| q1.with(|x| x.priority = v.and_then(|v| Priority::parse(&v))).href() more=false/>
            <div class="facet">
                <h2>"Show"</h2>
                <ul>
                    {toggles.into_iter().map(|(label, on, href)| view! {
                        <li class:selected=on><a href=href aria-current=on.then_some("true")><span class="facet-label">{label}</span></a></li>
                    }).collect_view()}
                </ul>
            </div>
        </aside>
        <section class="results" aria-label="Action items">
            <div class="resultbar">
                <p class="count"><strong>{total}</strong>{if q.closed { " items" } else { " open items" }}
                    {(page.overdue > 0).then(|| view! { ", " <span class="badge overdue">{format!("{} overdue", page.overdue)}</span> })}</p>
                {(!scope.is_empty()).then(|| view! {
                    <ul class="chips" aria-label="Active filters">
                        {scope.into_iter().map(|(label, href)| view! {
                            <li><a class="chip" href=href title="Remove this filter">{label}" ×"</a></li>
                        }).collect_view()}
                    </ul>
                })}
            </div>
            {if page.rows.is_empty() {
                view! {
                    <EmptyState title="No action items match">
                        {if filtered {
                            view! { <p>"Try fewer filters, or " <a href="/actions">"see every open item"</a> "."</p> }.into_any()
                        } else {
                            view! { <p>"Nothing is open. Action items are added on a postmortem; find one from " <a href="/incidents">"Incidents"</a> "."</p> }.into_any()
                        }}
                    </EmptyState>
                }.into_any()
            } else {
                view! { <ActionTable rows=page.rows caption="Action items, overdue first" with_incident=true editable/> }.into_any()
            }}
            <Pager page=current pages total noun="items" href=move |n| { let mut x = qp.clone(); x.page = n; x.href() }/>
        </section>
    }
}
