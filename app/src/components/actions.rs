//! Action items as a table: on the postmortem, the `/actions` list, and service and team pages.
use leptos::prelude::*;

use crate::components::badges::{ActionStatusBadge, OverdueBadge, PriorityBadge};
use crate::domain::action_list::ActionItem;

#[component]
pub fn ActionTable(
    rows: Vec<ActionItem>,
    caption: &'static str,
    /// Show which incident each item came from (not on the postmortem's own page).
    #[prop(optional)]
    with_incident: bool,
    /// Ids of the items this reader may change (an "Edit" link each).
    #[prop(optional)]
    editable: Vec<i64>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table actions-table">
                <caption class="visually-hidden">{caption}</caption>
                <thead><tr>
                    <th scope="col">"Action"</th><th scope="col">"Priority"</th><th scope="col">"Status"</th>
                    <th scope="col">"Team"</th><th scope="col">"Owner"</th><th scope="col">"Due"</th>
                    {with_incident.then(|| view! { <th scope="col">"From"</th> })}
                    {(!editable.is_empty()).then(|| view! { <th scope="col"><span class="visually-hidden">"Change"</span></th> })}
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|a| {
                        let may_edit = editable.contains(&a.id);
                        view! {
                            <tr class:overdue-row=a.overdue>
                                <td>
                                    {if a.url.is_empty() {
                                        view! { <span>{a.title.clone()}</span> }.into_any()
                                    } else {
                                        view! { <a href=a.url.clone() rel="noopener noreferrer">{a.title.clone()}</a> }.into_any()
                                    }}
                                    <div class="muted small">{a.kind.label()}{a.service.clone().map(|s| view! { " · " <a href=format!("/services/{s}")>{s.clone()}</a> })}
                                        {(!a.wont_do_reason.is_empty()).then(|| format!(" · won't do: {}", a.wont_do_reason))}</div>
                                </td>
                                <td><PriorityBadge priority=a.priority/></td>
                                <td><ActionStatusBadge status=a.status/> {a.overdue.then(|| view! { <OverdueBadge/> })}</td>
                                <td><a href=format!("/teams/{}", a.team)>{a.team_name.clone()}</a></td>
                                <td class="small">{match a.owner.clone() {
                                    Some((name, email)) => view! { <a href=format!("mailto:{email}")>{name}</a> }.into_any(),
                                    None => view! { <span class="muted">"the team"</span> }.into_any(),
                                }}</td>
                                <td class="small">{a.due_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</td>
                                {with_incident.then(|| view! {
                                    <td class="small"><a href=format!("/incidents/{}/postmortem", a.incident_id)>{format!("#{} {}", a.incident_id, a.incident_title)}</a></td>
                                })}
                                {(!editable.is_empty()).then(|| view! {
                                    <td>{may_edit.then(|| view! { <a href=format!("/actions/{}/edit", a.id) class="small">"Change"<span class="visually-hidden">{format!(" {}", a.title)}</span></a> })}</td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A service's or team's open action items, overdue first, with a link to all of them.
#[component]
pub fn OpenActions(rows: Vec<ActionItem>, total: i64, more: String) -> impl IntoView {
    let overdue = rows.iter().filter(|a| a.overdue).count();
    view! {
        <section class="card" aria-labelledby="open-actions-h">
            <div class="card-head">
                <h2 id="open-actions-h">"Open action items"
                    {(overdue > 0).then(|| view! { " " <span class="badge overdue">{format!("{overdue} overdue")}</span> })}</h2>
                <a href=more class="small">{format!("All {total} open")}</a>
            </div>
            {if rows.is_empty() {
                view! { <p class="muted">"Nothing open. Action items come from postmortems; each names the team that will do it."</p> }.into_any()
            } else {
                view! { <ActionTable rows caption="Open action items, overdue first" with_incident=true/> }.into_any()
            }}
        </section>
    }
}
