use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::access::IfCan;
use crate::domain::access::Permission;

use crate::api::tiers::list_tier_policies;
use crate::components::badges::TierBadge;
use crate::components::states::{ErrorView, Loading};

#[component]
pub fn TiersPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| list_tier_policies());
    let yes_no = |b: bool| if b { "Required" } else { "—" };
    view! {
        <Title text="Tiers"/>
        <h1>"Tiers and their policies"</h1>
        <p class="muted">"A service's tier says how critical it is; the policy says what that tier requires. Service pages flag where a service falls short."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorView error=e/> }.into_any(),
                    Ok(policies) => view! {
                        <div class="table-wrap">
                            <table class="table">
                                <thead><tr>
                                    <th scope="col">"Tier"</th><th scope="col">"Meaning"</th><th scope="col">"On-call"</th>
                                    <th scope="col">"Runbook"</th><th scope="col">"SLO required"</th><th scope="col" class="num">"Min. SLO"</th><th scope="col" class="num">"Postmortem due"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr></thead>
                                <tbody>
                                    {policies.into_iter().map(|p| view! {
                                        <tr>
                                            <td><TierBadge tier=p.tier/> " " <a href=format!("/services?tier={}", p.tier.number())>{p.short_name().to_string()}</a></td>
                                            <td class="muted">{p.description.clone()}</td>
                                            <td>{yes_no(p.oncall_required)}</td>
                                            <td>{yes_no(p.runbook_required)}</td>
                                            <td>{yes_no(p.slo_required)}</td>
                                            <td class="num">{p.min_slo_objective.map(|o| format!("{o}%")).unwrap_or_else(|| "—".into())}</td>
                                            <td class="num">{p.postmortem_due_days.map(|d| format!("{d} business days")).unwrap_or_else(|| "—".into())}</td>
                                            <td><IfCan perm=Permission::ManageTierPolicies><a href=format!("/tiers/{}/edit", p.tier.number()) aria-label=format!("Edit {}", p.tier.label())>"Edit"</a></IfCan></td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
