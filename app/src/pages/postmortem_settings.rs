//! `/admin/postmortems`: the zone business days are counted in, the repeat window, the
//! postmortem policy by severity, holidays and root-cause categories (admins).
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::postmortems::get_postmortem_settings;
use crate::components::access::{use_me, NotAllowed};
use crate::components::states::{ErrorView, Loading};
use crate::domain::access::Permission;
use crate::domain::postmortem_settings::SettingsForm;

use super::postmortem_forms::SettingsEditForm;

#[component]
pub fn PostmortemSettingsPage() -> impl IntoView {
    let saved = use_query_map().with_untracked(|m| m.get("saved").is_some());
    let data = Resource::new(|| (), |_| get_postmortem_settings());
    let me = use_me();
    view! {
        <Title text="Postmortem settings"/>
        <h1>"Postmortem settings"</h1>
        <p class="muted">"When postmortems are owed and how their deadlines are counted. Saving recomputes every incident's deadline."</p>
        {saved.then(|| view! { <p class="notice" role="status">"Saved. Every incident's postmortem deadline was recomputed."</p> })}
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let s = match data.await {
                    Ok(s) => s,
                    Err(e) => return view! { <ErrorView error=e/> }.into_any(),
                };
                if me.await.is_ok_and(|m| m.can(&Permission::ManagePostmortemSettings)) {
                    view! { <SettingsEditForm initial=SettingsForm::from_settings(&s)/> }.into_any()
                } else {
                    view! { <NotAllowed message="Only admins can change these settings."/> }.into_any()
                }
            })}
        </Suspense>
    }
}
