use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::admin::list_audit;
use crate::components::fields::FieldShell;
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::domain::audit::{AuditEvent, AuditQuery, ACTIONS, ENTITY_TYPES};
use crate::domain::validation::FieldErrors;

/// Admin: every change, sign-in and refusal, newest first, filtered by actor, action, record and
/// time. Filters live in the URL (a GET form), so a view can be shared.
#[component]
pub fn AuditPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let m = params.read();
        let get = |k: &str| m.get(k).unwrap_or_default();
        AuditQuery {
            actor: get("actor"),
            action: get("action"),
            entity_type: get("entity_type"),
            entity: get("entity"),
            from: get("from"),
            to: get("to"),
            before: get("before"),
        }
    });
    let data = Resource::new(move || query.get(), list_audit);
    view! {
        <Title text="Audit trail"/>
        <h1>"Audit trail"</h1>
        <p class="muted">"Every change with its values before and after, every sign-in and sign-out, and every refused attempt."</p>
        // The filters show the data's field errors, so they wait for it too (reading the
        // resource outside a Suspense would make the first render disagree with hydration).
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let errors = Signal::stored(data.await.err().and_then(|e| e.field_errors().cloned()));
                view! { <Filters q=query.get_untracked() errors/> }
            })}
        </Suspense>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let (events, next) = match data.await {
                    Ok(d) => d,
                    Err(e) if e.field_errors().is_some() => return ().into_any(),
                    Err(e) => return view! { <ErrorView error=e/> }.into_any(),
                };
                let q = query.get_untracked();
                if events.is_empty() {
                    return view! {
                        <EmptyState title="No events match">
                            <p>"Widen the filters, or " <a href="/admin/audit">"show everything"</a> "."</p>
                        </EmptyState>
                    }.into_any();
                }
                let first_page = q.before.trim().is_empty();
                view! {
                    <div class="table-wrap">
                        <table class="table audit">
                            <thead><tr>
                                <th scope="col">"When (UTC)"</th><th scope="col">"Who"</th><th scope="col">"Action"</th>
                                <th scope="col">"Record"</th><th scope="col">"Details"</th>
                            </tr></thead>
                            <tbody>{events.into_iter().map(|e| view! { <EventRow e/> }).collect_view()}</tbody>
                        </table>
                    </div>
                    <nav class="pager" aria-label="Pagination">
                        {(!first_page).then(|| view! { <a class="button secondary" href=format!("/admin/audit{}", q.to_query_string(None))>"← Newest"</a> })}
                        {match next {
                            Some(n) => view! { <a class="button secondary" rel="next" href=format!("/admin/audit{}", q.to_query_string(Some(n)))>"Older →"</a> }.into_any(),
                            None => view! { <span class="pager-status">"End of the trail"</span> }.into_any(),
                        }}
                    </nav>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn EventRow(e: AuditEvent) -> impl IntoView {
    let has_detail = e.before.is_some() || e.after.is_some();
    let tone = if e.action == "denied" {
        "badge status-bad"
    } else {
        "badge"
    };
    view! {
        <tr>
            <td class="nowrap">{e.at.format("%Y-%m-%d %H:%M:%S").to_string()}</td>
            <td>{e.actor_label.clone()}</td>
            <td><span class=tone>{e.action.clone()}</span></td>
            <td><span class="muted small">{e.entity_type.clone()}</span><br/>{e.entity_label.clone()}</td>
            <td>
                {has_detail.then(|| view! {
                    <details>
                        <summary>"Before / after"</summary>
                        <div class="diff">
                            <div><p class="muted small">"Before"</p><pre>{e.before.clone().unwrap_or_else(|| "—".into())}</pre></div>
                            <div><p class="muted small">"After"</p><pre>{e.after.clone().unwrap_or_else(|| "—".into())}</pre></div>
                        </div>
                    </details>
                })}
                <p class="muted small mono">{(!e.request_id.is_empty()).then(|| format!("request {}", e.request_id))}</p>
            </td>
        </tr>
    }
}

#[component]
fn Filters(q: AuditQuery, errors: Signal<Option<FieldErrors>>) -> impl IntoView {
    let select = |name: &'static str,
                  current: String,
                  choices: &'static [&'static str],
                  any: &'static str| {
        let id = format!("audit-{name}");
        view! {
            <select id=id name=name>
                <option value="" selected=current.is_empty()>{any}</option>
                {choices.iter().map(|c| view! { <option value=*c selected=current == *c>{*c}</option> }).collect_view()}
            </select>
        }
    };
    let text =
        |name: &'static str, value: String, kind: &'static str, placeholder: &'static str| {
            let id = format!("audit-{name}");
            view! { <input id=id type=kind name=name value=value placeholder=placeholder/> }
        };
    view! {
        <form class="form card filters-form" method="get" action="/admin/audit">
            <div class="form-grid">
                <FieldShell id="audit-actor".into() label="Who (email)" name="actor" errors>{text("actor", q.actor.clone(), "text", "bob@example.com")}</FieldShell>
                <FieldShell id="audit-action".into() label="Action" name="action" errors>{select("action", q.action.clone(), ACTIONS, "Any action")}</FieldShell>
                <FieldShell id="audit-entity_type".into() label="Kind of record" name="entity_type" errors>{select("entity_type", q.entity_type.clone(), ENTITY_TYPES, "Any kind")}</FieldShell>
                <FieldShell id="audit-entity".into() label="Record" name="entity" errors hint="A slug, e.g. payments-api (includes its links and dependencies).">{text("entity", q.entity.clone(), "text", "payments-api")}</FieldShell>
                <FieldShell id="audit-from".into() label="From" name="from" errors>{text("from", q.from.clone(), "date", "")}</FieldShell>
                <FieldShell id="audit-to".into() label="To" name="to" errors>{text("to", q.to.clone(), "date", "")}</FieldShell>
            </div>
            <p class="field-error" role="alert">{move || errors.get().and_then(|e| e.get("before").map(str::to_string))}</p>
            <div class="actions">
                <button type="submit" class="button">"Filter"</button>
                <a href="/admin/audit" class="button secondary">"Clear"</a>
            </div>
        </form>
    }
}
