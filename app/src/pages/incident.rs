//! An incident: what happened, where, who led it, the milestones and the times between them.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::postmortems::get_learning;
use crate::components::access::use_me;
use crate::components::actions::ActionTable;
use crate::components::badges::{
    DeadlineBadge, IncidentStatusBadge, PostmortemStatusBadge, SeverityBadge, TierBadge,
};
use crate::components::states::{ErrorView, Loading};
use crate::components::time::LocalTime;
use crate::domain::access::Permission;
use crate::domain::incident::{mttx, MILESTONES};
use crate::domain::postmortem_view::Learning;
use crate::domain::slo::human_duration;

/// The `:id` route parameter; anything that is not a number is no incident.
pub fn incident_id() -> Memo<i64> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    })
}

#[component]
pub fn IncidentPage() -> impl IntoView {
    let id = incident_id();
    let data = Resource::new(move || id.get(), get_learning);
    let me = use_me();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="Not found"/> <ErrorView error=e/> }.into_any(),
                    Ok(l) => {
                        let may_edit = me.await.is_ok_and(|m| m.can(&Permission::EditIncident(l.incident.teams())));
                        view! { <IncidentBody l may_edit/> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

fn at(t: Option<chrono::DateTime<chrono::Utc>>) -> impl IntoView {
    match t {
        Some(at) => view! { <LocalTime at/> }.into_any(),
        None => "—".into_any(),
    }
}

#[component]
fn IncidentBody(l: Learning, may_edit: bool) -> impl IntoView {
    let i = l.incident.clone();
    let m = mttx(&i.milestones);
    let times = i.milestones.all();
    let lasted = crate::domain::incident::duration(&i.milestones, chrono::Utc::now())
        .map(|d| human_duration(d.num_seconds()))
        .unwrap_or_else(|| "—".into());
    let since = |s: Option<i64>| s.map(human_duration).unwrap_or_else(|| "—".into());
    view! {
        <Title text=format!("#{} {}", i.id, i.title)/>
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/incidents">"Incidents"</a>" / "<span>{format!("#{}", i.id)}</span></nav>
        <div class="page-head">
            <div>
                <h1>{i.title.clone()} " " <SeverityBadge severity=i.severity/> " " <IncidentStatusBadge status=i.status/></h1>
                <p class="lead">{format!("Lasted {lasted}{}", if i.milestones.resolved.is_none() { " so far" } else { "" })}
                    " · Commander: " {match i.commander.clone() {
                        Some((name, email)) => view! { <a href=format!("mailto:{email}")>{name}</a> }.into_any(),
                        None => view! { <span class="muted">"nobody named"</span> }.into_any(),
                    }}</p>
            </div>
            {may_edit.then(|| view! { <a href=format!("/incidents/{}/edit", i.id) class="button secondary">"Update"</a> })}
        </div>
        <div class="stats">
            <div class="stat"><span class="stat-n">{since(m.detect)}</span><span class="stat-l">"Time to detect"</span></div>
            <div class="stat"><span class="stat-n">{since(m.acknowledge)}</span><span class="stat-l">"Time to acknowledge"</span></div>
            <div class="stat"><span class="stat-n">{since(m.mitigate)}</span><span class="stat-l">"Time to mitigate"</span></div>
            <div class="stat"><span class="stat-n">{since(m.resolve)}</span><span class="stat-l">"Time to resolve"</span></div>
        </div>
        <LearningCard l=l.clone() may_edit/>
        <section class="card" aria-labelledby="milestones-h">
            <h2 id="milestones-h">"Milestones"</h2>
            <p class="muted small">"Times in your time zone (UTC without JavaScript), stored in UTC. Each is measured from the start of the impact."</p>
            <dl class="milestones">
                {MILESTONES.iter().zip(times).map(|((_, label), t)| view! {
                    <div><dt>{*label}</dt><dd>{at(t)}</dd></div>
                }).collect_view()}
            </dl>
        </section>
        <section class="card" aria-labelledby="services-h">
            <h2 id="services-h">"Affected services"</h2>
            <ul class="bare">
                {i.services.iter().map(|s| view! {
                    <li><TierBadge tier=s.tier/> " " <a href=format!("/services/{}", s.slug)>{s.name.clone()}</a>
                        {s.team.clone().map(|t| view! { <span class="muted small">" · " <a href=format!("/teams/{t}")>{t.clone()}</a></span> })}</li>
                }).collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="summary-h">
            <h2 id="summary-h">"Summary"</h2>
            {if i.summary.is_empty() {
                view! { <p class="muted">"No summary yet."</p> }.into_any()
            } else {
                view! { <p class="prewrap">{i.summary.clone()}</p> }.into_any()
            }}
            <p class="muted small">{format!("Version {}, changed ", i.version)}<LocalTime at=i.updated_at/>"."</p>
        </section>
    }
}

/// Where the incident's learning stands: the postmortem's state and deadline, repeats, and
/// its action items.
#[component]
fn LearningCard(l: Learning, may_edit: bool) -> impl IntoView {
    let id = l.incident.id;
    let link = format!("/incidents/{id}/postmortem");
    let status = match (&l.postmortem, l.hidden_draft) {
        (Some(p), _) => view! { <PostmortemStatusBadge status=p.status/> }.into_any(),
        (None, true) => {
            view! { <span class="badge muted-badge">"Draft (not visible to you)"</span> }.into_any()
        }
        (None, false) => view! { <span class="badge muted-badge">"Not started"</span> }.into_any(),
    };
    let open = l.actions.iter().filter(|a| a.status.is_open()).count();
    let overdue = l.actions.iter().filter(|a| a.overdue).count();
    view! {
        <section class="card" aria-labelledby="learning-h">
            <div class="card-head">
                <h2 id="learning-h">"Postmortem"</h2>
                <a href=link.clone() class="small">{if l.postmortem.is_none() && may_edit { "Start it" } else { "Read it" }}</a>
            </div>
            <p>{status} " " <DeadlineBadge deadline=l.deadline/>
                {l.due_on.map(|d| view! { <span class="muted small">{format!(" due {d} ({})", l.zone)}</span> })}</p>
            {l.repeat_of.clone().map(|r| view! {
                <p class="notice warn-notice"><strong>"Repeat: "</strong>"the same cause hit the same service in "
                    <a href=format!("/incidents/{}", r.id)>{format!("#{} {}", r.id, r.title)}</a>"."</p>
            })}
            {(!l.repeated_by.is_empty()).then(|| view! {
                <p class="notice"><strong>"Repeated by: "</strong>
                    {l.repeated_by.iter().map(|r| view! { <a href=format!("/incidents/{}", r.id)>{format!("#{} {}", r.id, r.title)}</a>" " }).collect_view()}</p>
            })}
            {if l.actions.is_empty() {
                view! { <p class="muted">"No action items yet."</p> }.into_any()
            } else {
                view! {
                    <p class="small">{format!("{} action items, {open} open", l.actions.len())}
                        {(overdue > 0).then(|| view! { ", " <span class="badge overdue">{format!("{overdue} overdue")}</span> })}</p>
                    <ActionTable rows=l.actions.clone() caption="Action items of this incident"/>
                }.into_any()
            }}
        </section>
    }
}
