use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::badges::{LifecycleBadge, LinkKindBadge, TierBadge, Unowned};
use crate::components::contacts::TeamContacts;
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::domain::access::Permission;
use crate::domain::dependency::{DependencyEdge, DependencyKind};
use crate::domain::link::{Link, LinkKind};
use crate::domain::service::ServiceDetail;
use crate::domain::team::Team;
use crate::domain::tier::TierPolicy;

use super::service_slos::SloSection;
use super::slug_param;
use crate::components::incidents::RecentIncidents;

#[component]
pub fn ServicePage() -> impl IntoView {
    // Server-only (islands mode): read once.
    let slug = slug_param().get_untracked();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let slug = slug.clone();
                Suspend::new(async move {
                    match rendered(slug).await {
                        // Rendered by `to_html`, which escapes every text and attribute.
                        Ok((name, html)) => view! { <Title text=name.to_string()/> <div class="service-page" inner_html=html></div> }.into_any(),
                        Err(e) => view! { <Title text="Not found"/> <ErrorView error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The service's name and its page body. The data is read at the current catalog generation;
/// the body is rendered once per distinct data and right to edit (all that differs between
/// readers) and reused until either changes.
async fn rendered(slug: String) -> Result<(String, std::sync::Arc<str>), crate::error::AppError> {
    use crate::api::ctx;
    use crate::store::services;

    ctx::respond(
        async {
            let me = ctx::me()?;
            let st = ctx::state()?;
            let d = services::detail_cached(
                &st.pool,
                &st.cache,
                &slug,
                ctx::today(),
                st.settings.runbook_stale_days,
                ctx::generation(),
            )
            .await?;
            let owner = d.owner.as_ref().map(|t| t.slug.clone());
            let may_edit = me.can(&Permission::EditService(owner));
            let name = d.service.name.clone();
            // The key is everything the body is rendered from, so a hit cannot be stale.
            let input =
                serde_json::to_vec(&(&*d, may_edit)).map_err(crate::error::AppError::internal)?;
            let html = st.cache.service_html.get_or_render(input, || {
                let d = (*d).clone();
                view! { <ServiceView d may_edit/> }.to_html()
            });
            // SLO figures move with every pushed minute: read and rendered per request, into
            // the slot the cached body leaves for them.
            let slos =
                crate::store::slos::for_service(&st.pool, Some(&st.cache.slo_counts), &slug, crate::store::slos::page_now()).await?;
            // Incidents too: declared and resolved without touching the catalog generation.
            let incidents = crate::store::incidents::recent(&st.pool, Some(&slug), None, 5).await?;
            // And its open action items, overdue first: overdue is a state of the day.
            let (actions, open_actions) =
                crate::store::action_items::open_for(&st.pool, Some(&slug), None, 5, chrono::Utc::now()).await?;
            let section = view! {
                <SloSection service=d.service.slug.clone() slos may_edit slo_required=d.policy.slo_required/>
                <RecentIncidents rows=incidents more=format!("/incidents?service={}", d.service.slug)/>
                <crate::components::actions::OpenActions rows=actions total=open_actions more=format!("/actions?service={}", d.service.slug)/>
            }
            .to_html();
            let html: std::sync::Arc<str> = html.replacen(SLO_SLOT, &section, 1).into();
            Ok((name, html))
        }
        .await,
    )
}

/// Where the live SLO section goes in the cached page body.
const SLO_SLOT: &str = "<div class=\"slo-slot\"></div>";

/// `may_edit` shows the links to the edit page (the server checks again there).
#[component]
fn ServiceView(d: ServiceDetail, may_edit: bool) -> impl IntoView {
    let s = d.service.clone();
    let edit = format!("/services/{}/edit", s.slug);
    let add_links = format!("/services/{}/edit#links", s.slug);
    let add_deps = format!("/services/{}/edit#dependencies", s.slug);
    let (primary, other): (Vec<Link>, Vec<Link>) = d.links.iter().cloned().partition(|l| {
        matches!(
            l.kind,
            LinkKind::Oncall | LinkKind::Runbook | LinkKind::Dashboard
        )
    });
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/services">"Services"</a>" / "<span>{s.slug.clone()}</span></nav>
        <div class="page-head">
            <div>
                <h1>{s.name.clone()} " " <TierBadge tier=s.tier/> " " <LifecycleBadge lifecycle=s.lifecycle/></h1>
                <p class="mono muted">{s.slug.clone()}</p>
                <p class="lead">{s.description.clone()}</p>
                <p>{s.tags.iter().map(|t| view! { <a class="tag" href=format!("/services?tag={t}")>{t.clone()}</a> }).collect_view()}</p>
            </div>
            {may_edit.then(|| view! { <a href=edit.clone() class="button secondary">"Edit"</a> })}
        </div>
        <PolicyPanel d=d.clone()/>
        <div class="slo-slot"></div>
        <div class="grid-2">
            <OwnerCard owner=d.owner.clone() oncall_link=primary.iter().find(|l| l.kind == LinkKind::Oncall).cloned()/>
            <section class="card" aria-labelledby="links-h">
                <h2 id="links-h">"Links"</h2>
                {if d.links.is_empty() {
                    view! {
                        <EmptyState title="No links yet">
                            <p>"Add the runbook, dashboard and repository so responders can find them. "
                            {may_edit.then(|| view! { <a href=add_links.clone()>"Add links"</a> })}</p>
                        </EmptyState>
                    }.into_any()
                } else {
                    view! {
                        <ul class="links">
                            {primary.into_iter().chain(other).map(|l| view! { <LinkItem l stale_after=d.stale_after_days/> }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        </div>
        <div class="grid-2">
            <EdgeList title="Depends on" id="deps-h" edges=d.depends_on.clone() total=d.depends_on_total
                empty="This service declares no dependencies." edit=add_deps may_edit/>
            <EdgeList title="Depended on by" id="dependents-h" edges=d.dependents.clone() total=d.dependents_total
                empty="Nothing in the catalog depends on this service." edit=String::new() may_edit/>
        </div>
        <p class="muted small">{format!("Created {} · updated {}", s.created_at.format("%Y-%m-%d"), s.updated_at.format("%Y-%m-%d %H:%M UTC"))}</p>
    }
}

#[component]
fn PolicyPanel(d: ServiceDetail) -> impl IntoView {
    let p: TierPolicy = d.policy.clone();
    let requirements = requirement_list(&p);
    let ok = d.gaps.is_empty();
    view! {
        <section class="card policy" class:ok=ok class:short=!ok aria-labelledby="policy-h">
            <h2 id="policy-h">{p.name.clone()}</h2>
            <p class="muted">{p.description.clone()}</p>
            <p class="requirements"><strong>"This tier requires: "</strong>{requirements}</p>
            {if ok {
                view! { <p class="policy-ok">"✓ Meets its tier's requirements."</p> }.into_any()
            } else {
                view! {
                    <ul class="gaps" data-testid="policy-gaps">
                        {d.gaps.iter().map(|g| view! { <li>"⚠ " {g.message(d.stale_after_days)}</li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

pub fn requirement_list(p: &TierPolicy) -> String {
    let mut r = vec!["an owning team".to_string()];
    if p.oncall_required {
        r.push("a paged on-call".into());
    }
    if p.runbook_required {
        r.push("a reviewed runbook".into());
    }
    if let Some(o) = p.min_slo_objective {
        r.push(format!("an SLO of at least {o}%"));
    }
    if let Some(d) = p.postmortem_due_days {
        r.push(format!("postmortems within {d} business days"));
    }
    r.join(", ")
}

#[component]
fn OwnerCard(owner: Option<Team>, oncall_link: Option<Link>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="owner-h">
            <h2 id="owner-h">"Owner and on-call"</h2>
            {match owner {
                None => view! {
                    <p><Unowned/></p>
                    <p>"Nobody is accountable for this service. Assign a team on the edit page."</p>
                    {oncall_link.map(|l| view! { <p>"On-call: " <a href=l.url.clone() rel="noopener noreferrer">{l.title}</a></p> })}
                }.into_any(),
                Some(t) => {
                    let pager = oncall_link
                        .map(|l| (format!("Page: {}", l.title), l.url))
                        .or_else(|| (!t.oncall_url.is_empty()).then(|| ("Page: team on-call schedule".to_string(), t.oncall_url.clone())));
                    view! { <TeamContacts team=t pager show_team=true/>                     }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn LinkItem(l: Link, stale_after: i64) -> impl IntoView {
    let reviewed = match (l.kind, l.last_reviewed_on, l.age_days) {
        (_, Some(d), Some(age)) => format!("reviewed {d} ({age} days ago)"),
        (LinkKind::Runbook, None, _) => "never reviewed".to_string(),
        _ => String::new(),
    };
    view! {
        <li class:stale=l.stale>
            <LinkKindBadge kind=l.kind/>
            " "
            <a href=l.url.clone() rel="noopener noreferrer">{l.title.clone()}</a>
            {l.stale.then(|| view! { <span class="badge warn" title=format!("Not reviewed in the last {stale_after} days")>"Stale"</span> })}
            <div class="sub">
                <span class="mono url">{l.url.clone()}</span>
                {(!reviewed.is_empty()).then(|| view! { " · " {reviewed} })}
            </div>
        </li>
    }
}

#[component]
fn EdgeList(
    title: &'static str,
    id: &'static str,
    edges: Vec<DependencyEdge>,
    total: i64,
    empty: &'static str,
    edit: String,
    may_edit: bool,
) -> impl IntoView {
    let shown = edges.len() as i64;
    view! {
        <section class="card" aria-labelledby=id>
            <h2 id=id>{title} " " <span class="count-pill">{total}</span></h2>
            {if edges.is_empty() {
                view! {
                    <p class="muted">{empty} " "
                        {(may_edit && !edit.is_empty()).then(|| view! { <a href=edit.clone()>"Declare dependencies"</a> })}
                    </p>
                }.into_any()
            } else {
                view! {
                    <ul class="edges">
                        {edges.into_iter().map(|e| view! {
                            <li>
                                <TierBadge tier=e.tier/>
                                " "
                                <a href=format!("/services/{}", e.slug)>{e.name}</a>
                                " "
                                <span class=format!("badge dep-{}", e.kind.as_str())>{if e.kind == DependencyKind::Hard { "hard" } else { "soft" }}</span>
                                {(e.lifecycle != crate::domain::lifecycle::Lifecycle::Production).then(|| view! { " " <LifecycleBadge lifecycle=e.lifecycle/> })}
                            </li>
                        }).collect_view()}
                    </ul>
                    {(total > shown).then(|| view! { <p class="hint">{format!("Showing {shown} of {total}.")}</p> })}
                }.into_any()
            }}
        </section>
    }
}
