use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::access::IfCan;
use crate::domain::access::Permission;

use crate::api::catalog::search_catalog;
use crate::api::teams::{get_team, team_members};
use crate::components::badges::{LifecycleBadge, TierBadge};
use crate::components::contacts::TeamContacts;
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::domain::catalog::{CatalogFilter, CatalogQuery, TeamFilter};
use crate::domain::user::Member;

use super::slug_param;

#[component]
pub fn TeamPage() -> impl IntoView {
    let slug = slug_param();
    let team = Resource::new(move || slug.get(), get_team);
    let members = Resource::new(move || slug.get(), team_members);
    // The team's services are the catalog filtered by team: same query, same paging, same facets.
    let incidents = Resource::new(move || slug.get(), crate::api::incidents::team_incidents);
    let actions = Resource::new(move || slug.get(), crate::api::incidents::team_actions);
    let services = Resource::new(
        move || slug.get(),
        |s| {
            search_catalog(CatalogQuery {
                filter: CatalogFilter {
                    team: Some(TeamFilter::Team(s)),
                    ..Default::default()
                },
                page: 1,
                ..Default::default()
            })
        },
    );
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let (t, page, members, incidents) = match (team.await, services.await, members.await, incidents.await) {
                    (Ok(t), Ok(p), Ok(m), Ok(i)) => (t, p, m, i),
                    (Err(e), _, _, _) | (_, Err(e), _, _) | (_, _, Err(e), _) | (_, _, _, Err(e)) => return view! { <Title text="Not found"/> <ErrorView error=e/> }.into_any(),
                };
                let (actions, open_actions) = match actions.await {
                    Ok(a) => a,
                    Err(e) => return view! { <ErrorView error=e/> }.into_any(),
                };
                let more_actions = format!("/actions?team={}", t.slug);
                let more_incidents = format!("/incidents?team={}", t.slug);
                let all_href = format!("/services?team={}", t.slug);
                let slug_edit = t.slug.clone();
                let pager = (!t.oncall_url.is_empty()).then(|| (format!("Page {}", t.name), t.oncall_url.clone()));
                let shown = page.rows.len() as i64;
                view! {
                    <Title text=t.name.clone()/>
                    <nav class="crumbs" aria-label="Breadcrumb"><a href="/teams">"Teams"</a>" / "<span>{t.slug.clone()}</span></nav>
                    <div class="page-head">
                        <div>
                            <h1>{t.name.clone()}</h1>
                            <p class="mono muted">{t.slug.clone()}</p>
                            <p class="lead">{t.description.clone()}</p>
                        </div>
                        <IfCan perm=Permission::ManageTeams><a href=format!("/teams/{}/edit", slug_edit) class="button secondary">"Edit"</a></IfCan>
                    </div>
                    <div class="grid-2">
                        <section class="card" aria-labelledby="contact-h">
                            <h2 id="contact-h">"Contact and escalation"</h2>
                            <TeamContacts team=t.clone() pager=pager.clone()/>
                        </section>
                        <section class="card" aria-labelledby="members-h">
                            <h2 id="members-h">"Members"</h2>
                            <MemberList members/>
                        </section>
                    </div>
                    <section class="card" aria-labelledby="owned-h">
                        <h2 id="owned-h">"Services owned " <span class="count-pill">{page.total}</span></h2>
                        <p class="tier-mix">
                            {page.facets.tiers.iter().filter(|f| f.count > 0).map(|f| view! {
                                <a class="chip" href=format!("/services?team={}&tier={}", t.slug, f.value)>{format!("{}: {}", f.label, f.count)}</a>
                            }).collect_view()}
                        </p>
                        {if page.rows.is_empty() {
                            view! {
                                <EmptyState title="This team owns no services">
                                    <p><a href=format!("/services/new?team={}", t.slug)>"Add a service"</a> " owned by this team, or assign an existing one from its edit page."</p>
                                </EmptyState>
                            }.into_any()
                        } else {
                            view! {
                                <table class="table">
                                    <thead><tr><th scope="col">"Service"</th><th scope="col">"Tier"</th><th scope="col">"Lifecycle"</th></tr></thead>
                                    <tbody>
                                        {page.rows.into_iter().map(|s| view! {
                                            <tr>
                                                <td><a href=format!("/services/{}", s.slug) class="strong">{s.name}</a><div class="sub mono">{s.slug}</div></td>
                                                <td><TierBadge tier=s.tier/></td>
                                                <td><LifecycleBadge lifecycle=s.lifecycle/></td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {(page.total > shown).then(|| view! { <p><a href=all_href.clone()>{format!("See all {} in the catalog →", page.total)}</a></p> })}
                            }.into_any()
                        }}
                    </section>
                    <crate::components::incidents::RecentIncidents rows=incidents more=more_incidents/>
                    <crate::components::actions::OpenActions rows=actions total=open_actions more=more_actions/>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn MemberList(members: Vec<Member>) -> impl IntoView {
    if members.is_empty() {
        return view! {
            <p class="muted">"Nobody yet. People join a team through the identity provider's group for it (e.g. team-payments) and appear here after they sign in."</p>
        }
        .into_any();
    }
    view! {
        <ul class="members">
            {members.into_iter().map(|m| view! {
                <li>
                    <span class="member-name">{m.name.clone()}</span>
                    " "
                    <span class=format!("badge role-{}", m.role.as_str())>{m.role.label()}</span>
                    <div class="sub"><a href=format!("mailto:{}", m.email)>{m.email.clone()}</a></div>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}
