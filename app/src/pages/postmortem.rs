//! `/incidents/{id}/postmortem`: the blameless write-up, rendered from Markdown on the server
//! (sanitised), with its timeline, action items, lifecycle and revisions; and its edit page.
//! Server-only: the forms on it are the islands of `postmortem_forms`.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::access::NotAllowed;
use crate::components::actions::ActionTable;
use crate::components::badges::{DeadlineBadge, PostmortemStatusBadge, SeverityBadge};
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::components::time::LocalTime;
use crate::domain::access::{Me, Permission};
use crate::domain::markdown::to_safe_html;
use crate::domain::postmortem::{PostmortemStatus, SECTIONS};
use crate::domain::postmortem_view::Learning;
use crate::error::AppError;

use super::incident::incident_id;
use super::postmortem_forms::{
    ActionCreateForm, PostmortemEditForm, StartPostmortemForm, StepForm, TimelineAddForm,
    TimelineDeleteForm,
};

/// The incident's learning record as this reader may see it, and who they are.
async fn load(id: i64) -> Result<(Learning, Me), AppError> {
    use crate::api::ctx;
    ctx::respond(
        async {
            let me = ctx::me()?;
            let l = crate::store::postmortems::learning(
                &ctx::state()?.pool,
                id,
                &me,
                chrono::Utc::now(),
            )
            .await?;
            Ok((l, me))
        }
        .await,
    )
}

#[component]
pub fn PostmortemPage() -> impl IntoView {
    let id = incident_id().get_untracked();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match load(id).await {
                    Err(e) => view! { <Title text="Not found"/> <ErrorView error=e/> }.into_any(),
                    Ok((l, me)) => view! { <PostmortemBody l me/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PostmortemBody(l: Learning, me: Me) -> impl IntoView {
    let i = &l.incident;
    let id = i.id;
    let may_write = me.can(&Permission::EditIncident(i.teams()));
    let crumbs = view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/incidents">"Incidents"</a>" / "
            <a href=format!("/incidents/{id}")>{format!("#{id}")}</a>" / postmortem"</nav>
    };
    let head = view! {
        <div class="page-head">
            <div>
                <h1>"Postmortem: " {i.title.clone()} " " <SeverityBadge severity=i.severity/></h1>
                <p class="lead">
                    {l.postmortem.as_ref().map(|p| view! { <PostmortemStatusBadge status=p.status/> " " })}
                    <DeadlineBadge deadline=l.deadline/>
                    {l.due_on.map(|d| format!(" · due {d} ({})", l.zone))}
                </p>
            </div>
        </div>
    };
    let Some(p) = l.postmortem.clone() else {
        let body = if l.hidden_draft {
            view! { <NotAllowed message="This postmortem is not published yet: only members of an affected service's team and admins can read it."/> }.into_any()
        } else if may_write {
            view! {
                <EmptyState title="No postmortem yet">
                    <p>"Write down what happened and what will change, while it is fresh. You will be its author; someone else approves it."</p>
                    <StartPostmortemForm id/>
                </EmptyState>
            }.into_any()
        } else {
            view! {
                <EmptyState title="No postmortem yet">
                    <p>"An editor of an affected service's team starts it."</p>
                </EmptyState>
            }
            .into_any()
        };
        return view! { <Title text=format!("Postmortem #{id}")/> {crumbs} {head} {body} }
            .into_any();
    };
    let is_author = p.author_id.is_some() && p.author_id == Some(me.id);
    let steps = may_write.then(|| match p.status {
        PostmortemStatus::Draft => view! {
            <StepForm id step="submit".to_string() label="Submit for review".to_string() secondary=false/>
        }.into_any(),
        PostmortemStatus::InReview if is_author => view! {
            <p class="muted small">"Waiting for a reviewer: someone other than the author approves it."</p>
            <StepForm id step="request_changes".to_string() label="Back to draft".to_string() secondary=true/>
        }.into_any(),
        PostmortemStatus::InReview => view! {
            <StepForm id step="publish".to_string() label="Approve and publish".to_string() secondary=false/>
            <StepForm id step="request_changes".to_string() label="Request changes".to_string() secondary=true/>
        }.into_any(),
        PostmortemStatus::Published => ().into_any(),
    });
    let default_team = i
        .services
        .iter()
        .find_map(|s| s.team.clone())
        .unwrap_or_default();
    let editable: Vec<i64> = l
        .actions
        .iter()
        .filter(|a| me.can(&Permission::EditActionItem(a.team.clone())))
        .map(|a| a.id)
        .collect();
    let sections = SECTIONS
        .iter()
        .zip(p.content.sections())
        .map(|((field, title, _), md)| {
            let hid = format!("s-{field}");
            let html = to_safe_html(md);
            view! {
                <section class="pm-section" aria-labelledby=hid.clone()>
                    <h2 id=hid.clone()>{*title}</h2>
                    {if md.trim().is_empty() {
                        view! { <p class="muted">"Not written yet."</p> }.into_any()
                    } else {
                        view! { <div class="markdown" inner_html=html></div> }.into_any()
                    }}
                </section>
            }
        })
        .collect_view();
    view! {
        <Title text=format!("Postmortem #{id} {}", i.title)/>
        {crumbs}
        {head}
        <div class="card pm-meta">
            <dl class="facts">
                <div><dt>"Author"</dt><dd>{p.author.clone()}</dd></div>
                <div><dt>"Approver"</dt><dd>{p.approver.clone().unwrap_or_else(|| "—".into())}</dd></div>
                <div><dt>"Root cause"</dt><dd>{p.root_cause_name.clone().unwrap_or_else(|| "not decided".into())}</dd></div>
                <div><dt>"Published"</dt><dd>{match p.published_at {
                    Some(at) => view! { <LocalTime at/> }.into_any(),
                    None => "—".into_any(),
                }}</dd></div>
            </dl>
            {l.repeat_of.clone().map(|r| view! {
                <p class="notice warn-notice"><strong>"Repeat incident: "</strong>"the same cause hit the same service in "
                    <a href=format!("/incidents/{}", r.id)>{format!("#{} {}", r.id, r.title)}</a>{format!(" ({}).", r.started_at.format("%Y-%m-%d"))}</p>
            })}
            {(!l.repeated_by.is_empty()).then(|| view! {
                <p class="notice"><strong>"Repeated by: "</strong>
                    {l.repeated_by.iter().map(|r| view! { <a href=format!("/incidents/{}", r.id)>{format!("#{} {}", r.id, r.title)}</a>" " }).collect_view()}</p>
            })}
            <div class="actions">
                {may_write.then(|| view! { <a href=format!("/incidents/{id}/postmortem/edit") class="button secondary">"Edit sections"</a> })}
                {steps}
            </div>
        </div>
        <div class="pm-sections">{sections}</div>
        {(!p.content.no_action_reason.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="no-action-h"><h2 id="no-action-h">"Why no action items"</h2><p>{p.content.no_action_reason.clone()}</p></section>
        })}
        <section class="card" aria-labelledby="timeline-h">
            <h2 id="timeline-h">"Timeline"</h2>
            {if l.timeline.is_empty() {
                view! { <p class="muted">"No entries yet. Add the moments that mattered: when it was noticed, diagnosed, repaired, and what was said."</p> }.into_any()
            } else {
                view! {
                    <ol class="timeline">
                        {l.timeline.iter().map(|t| view! {
                            <li>
                                <LocalTime at=t.at/>" "
                                <span class=format!("badge tl tl-{}", t.kind.as_str())>{t.kind.label()}</span>" "
                                <span>{t.body.clone()}</span>
                                {may_write.then(|| view! { <TimelineDeleteForm id entry=t.id/> })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
            {may_write.then(|| view! { <TimelineAddForm id zone=l.zone.clone()/> })}
        </section>
        <section class="card" aria-labelledby="actions-h">
            <h2 id="actions-h">"Action items"</h2>
            {if l.actions.is_empty() {
                view! { <p class="muted">"None yet. Each names the team that will do it, a priority and a due day; overdue items show on the team's and service's pages."</p> }.into_any()
            } else {
                view! { <ActionTable rows=l.actions.clone() caption="Action items of this postmortem" editable/> }.into_any()
            }}
            {may_write.then(|| view! {
                <details class="add-action"><summary>"Add an action item"</summary><ActionCreateForm id team=default_team/></details>
            })}
        </section>
        {(!l.revisions.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="revisions-h">
                <h2 id="revisions-h">"Revisions since publication"</h2>
                <ul class="bare">
                    {l.revisions.iter().map(|r| view! {
                        <li><LocalTime at=r.at/>{format!(" · {} changed {}", r.by, r.fields.iter().map(|f| section_title(f)).collect::<Vec<_>>().join(", "))}</li>
                    }).collect_view()}
                </ul>
                <p class="muted small">"The audit trail keeps each revision's text before and after."</p>
            </section>
        })}
    }
    .into_any()
}

fn section_title(field: &str) -> &str {
    SECTIONS
        .iter()
        .find(|(f, _, _)| *f == field)
        .map(|(_, t, _)| *t)
        .unwrap_or(match field {
            "root_cause" => "Root cause",
            "no_action_reason" => "No-action reason",
            other => other,
        })
}

#[component]
pub fn EditPostmortemPage() -> impl IntoView {
    let id = incident_id().get_untracked();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let (l, me) = match load(id).await {
                    Ok(x) => x,
                    Err(e) => return view! { <ErrorView error=e/> }.into_any(),
                };
                let back = format!("/incidents/{id}/postmortem");
                let allowed = me.can(&Permission::EditIncident(l.incident.teams()));
                let body = match (&l.postmortem, allowed) {
                    (Some(p), true) => view! { <PostmortemEditForm id initial=p.content.clone() categories=l.categories.clone()/> }.into_any(),
                    (None, true) => view! { <EmptyState title="No postmortem yet"><p>"Start it first."</p><StartPostmortemForm id/></EmptyState> }.into_any(),
                    (_, false) => view! { <NotAllowed message="Only editors of an affected service's team and admins can write this postmortem."/> }.into_any(),
                };
                view! {
                    <Title text=format!("Edit postmortem #{id}")/>
                    <nav class="crumbs" aria-label="Breadcrumb"><a href="/incidents">"Incidents"</a>" / "
                        <a href=format!("/incidents/{id}")>{format!("#{id}")}</a>" / "<a href=back>"postmortem"</a>" / edit"</nav>
                    <h1>"Edit the postmortem of " {l.incident.title.clone()}</h1>
                    {l.postmortem.as_ref().filter(|p| p.status == PostmortemStatus::Published).map(|_| view! {
                        <p class="notice">"It is published: your edit is kept as a revision, with your name."</p>
                    })}
                    {body}
                }.into_any()
            })}
        </Suspense>
    }
}
