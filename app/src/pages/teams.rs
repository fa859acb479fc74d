use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::access::IfCan;
use crate::domain::access::Permission;

use crate::api::teams::list_teams;
use crate::components::paging::Pager;
use crate::components::states::{EmptyState, ErrorView, Loading};

const PER_PAGE: i64 = 50;

#[component]
pub fn TeamsPage() -> impl IntoView {
    let page = super::page_param();
    let data = Resource::new(move || page.get(), list_teams);
    view! {
        <Title text="Teams"/>
        <div class="page-head">
            <div>
                <h1>"Teams"</h1>
                <p class="muted">"Who owns what, and how to reach them."</p>
            </div>
            <IfCan perm=Permission::ManageTeams><a href="/teams/new" class="button">"+ New team"</a></IfCan>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let current = page.get_untracked();
                match data.await {
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                    Ok((teams, _)) if teams.is_empty() && current == 1 => view! {
                        <EmptyState title="No teams yet">
                            <p>"Teams own services and carry the pager. " <a href="/teams/new">"Create the first team"</a> "."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok((teams, total)) => {
                        let pages = u32::try_from(((total + PER_PAGE - 1) / PER_PAGE).max(1)).unwrap_or(u32::MAX);
                        view! {
                            <div class="table-wrap">
                                <table class="table">
                                    <thead><tr>
                                        <th scope="col">"Team"</th>
                                        <th scope="col" class="num">"Services"</th>
                                        <th scope="col">"On-call"</th>
                                        <th scope="col" class="hide-sm">"Contact"</th>
                                    </tr></thead>
                                    <tbody>
                                        {teams.into_iter().map(|t| view! {
                                            <tr>
                                                <td>
                                                    <a href=format!("/teams/{}", t.slug) class="strong">{t.name}</a>
                                                    <div class="sub mono">{t.slug.clone()}</div>
                                                    <div class="sub clamp">{t.description}</div>
                                                </td>
                                                <td class="num"><a href=format!("/services?team={}", t.slug)>{t.service_count}</a></td>
                                                <td>{if t.has_oncall {
                                                    view! { <span class="badge ok">"Paged"</span> }.into_any()
                                                } else {
                                                    view! { <span class="badge warn">"No pager"</span> }.into_any()
                                                }}</td>
                                                <td class="hide-sm">
                                                    <div>{t.email}</div>
                                                    <div class="sub">{t.chat_channel}</div>
                                                </td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pager page=current pages total noun="teams" href=|n| format!("/teams?page={n}")/>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
