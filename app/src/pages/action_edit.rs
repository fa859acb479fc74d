//! `/actions/{id}/edit`: change an action item (its owning team's editors and admins).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::postmortems::get_action_item;
use crate::components::access::{use_me, NotAllowed};
use crate::components::states::{ErrorView, Loading};
use crate::domain::access::Permission;
use crate::domain::action_item::ActionForm;
use crate::domain::action_list::ActionItem;

use super::postmortem_forms::ActionEditForm;

fn form_of(a: &ActionItem) -> ActionForm {
    ActionForm {
        title: a.title.clone(),
        kind: a.kind.as_str().into(),
        priority: a.priority.number().to_string(),
        team: a.team.clone(),
        owner: a.owner.as_ref().map(|(_, e)| e.clone()).unwrap_or_default(),
        service: a.service.clone().unwrap_or_default(),
        due_on: a.due_on.map(|d| d.to_string()).unwrap_or_default(),
        status: a.status.as_str().into(),
        wont_do_reason: a.wont_do_reason.clone(),
        url: a.url.clone(),
        version: a.version.to_string(),
    }
}

#[component]
pub fn EditActionPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0i64)
    });
    let data = Resource::new(move || id.get(), get_action_item);
    let me = use_me();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let a = match data.await {
                    Ok(a) => a,
                    Err(e) => return view! { <Title text="Not found"/> <ErrorView error=e/> }.into_any(),
                };
                let allowed = me.await.is_ok_and(|m| m.can(&Permission::EditActionItem(a.team.clone())));
                view! {
                    <Title text=format!("Action item #{}", a.id)/>
                    <nav class="crumbs" aria-label="Breadcrumb"><a href="/actions">"Action items"</a>" / "
                        <a href=format!("/incidents/{}/postmortem", a.incident_id)>{format!("#{} {}", a.incident_id, a.incident_title)}</a>" / change"</nav>
                    <h1>{a.title.clone()}</h1>
                    {if allowed {
                        view! { <ActionEditForm id=a.id incident_id=a.incident_id initial=form_of(&a)/> }.into_any()
                    } else {
                        {
                        let message = format!("Only editors in team {} and admins can change this action item.", a.team);
                        view! { <NotAllowed message/> }
                    }.into_any()
                    }}
                }.into_any()
            })}
        </Suspense>
    }
}
