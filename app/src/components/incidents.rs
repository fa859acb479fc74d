//! Incidents as tables: the list page's, and the latest on service and team pages.
use leptos::prelude::*;

use crate::components::badges::{IncidentStatusBadge, PostmortemStatusBadge, SeverityBadge};
use crate::domain::incident_list::IncidentRow;
use crate::domain::slo::human_duration;

/// Incidents as a table, for the list and for service and team pages.
#[component]
pub fn IncidentTable(rows: Vec<IncidentRow>, caption: &'static str) -> impl IntoView {
    let now = chrono::Utc::now();
    view! {
        <div class="table-wrap">
            <table class="table">
                <caption class="visually-hidden">{caption}</caption>
                <thead><tr>
                    <th scope="col">"Incident"</th><th scope="col">"Severity"</th><th scope="col">"Status"</th>
                    <th scope="col">"Services"</th><th scope="col">"Postmortem"</th><th scope="col">"Started"</th><th scope="col" class="num">"Duration"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let lasted = (r.resolved_at.unwrap_or(now) - r.started_at).num_seconds();
                        view! {
                            <tr>
                                <td><a href=format!("/incidents/{}", r.id)>{r.title.clone()}</a><div class="muted small">{format!("#{}", r.id)}</div></td>
                                <td><SeverityBadge severity=r.severity/></td>
                                <td><IncidentStatusBadge status=r.status/></td>
                                <td class="small">{r.services.iter().map(|s| view! { <a href=format!("/services/{s}")>{s.clone()}</a>" " }).collect_view()}</td>
                                <td>{match r.postmortem {
                                    Some(status) => view! { <a href=format!("/incidents/{}/postmortem", r.id)><PostmortemStatusBadge status/></a> }.into_any(),
                                    None => view! { <span class="muted small">"—"</span> }.into_any(),
                                }}{r.repeat.then(|| view! { " " <span class="badge warn" title="Same cause on the same service as an earlier incident">"Repeat"</span> })}</td>
                                <td class="small"><crate::components::time::LocalTime at=r.started_at/></td>
                                <td class="num">{human_duration(lasted)}{r.resolved_at.is_none().then_some(" so far")}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The latest incidents of a service or team, with a link to all of them.
#[component]
pub fn RecentIncidents(rows: Vec<IncidentRow>, more: String) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="incidents-h">
            <div class="card-head">
                <h2 id="incidents-h">"Recent incidents"</h2>
                <a href=more class="small">"All incidents"</a>
            </div>
            {if rows.is_empty() {
                view! { <p class="muted">"No incidents recorded. When something goes wrong, declare one from the Incidents page."</p> }.into_any()
            } else {
                view! { <IncidentTable rows caption="Recent incidents, newest first"/> }.into_any()
            }}
        </section>
    }
}
