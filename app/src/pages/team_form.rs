use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::teams::{get_team, CreateTeam, DeleteTeam, UpdateTeam};
use crate::components::access::{IfCan, NotAllowed};
use crate::components::danger_zone::DangerZone;
use crate::components::fields::{field_errors, FormError, TextArea, TextField};
use crate::components::states::{ErrorView, Loading};
use crate::domain::access::Permission;
use crate::domain::team::TeamForm;
use crate::domain::validation::FieldErrors;

use super::slug_param;

#[component]
pub fn NewTeamPage() -> impl IntoView {
    view! {
        <Title text="New team"/>
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/teams">"Teams"</a>" / new"</nav>
        <h1>"New team"</h1>
        <IfCan perm=Permission::ManageTeams fallback=|| view! { <NotAllowed message="Only admins can create teams."/> }>
            <NewTeamForm/>
        </IfCan>
    }
}

#[island]
fn NewTeamForm() -> impl IntoView {
    let action = ServerAction::<CreateTeam>::new();
    view! {
        <ActionForm action attr:class="form card" attr:novalidate=true>
            <TeamFields initial=TeamForm::default() errors=field_errors(action)/>
            <FormError action/>
            <div class="actions">
                <button type="submit" class="button" disabled=move || action.pending().get()>"Create team"</button>
                <a href="/teams" class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn EditTeamPage() -> impl IntoView {
    let slug = slug_param();
    let data = Resource::new(move || slug.get(), get_team);
    let me = crate::components::access::use_me();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let t = match data.await {
                    Ok(t) => t,
                    Err(e) => return view! { <ErrorView error=e/> }.into_any(),
                };
                let allowed = me.await.is_ok_and(|m| m.can(&Permission::ManageTeams));
                if !allowed {
                    return view! {
                        <Title text=format!("Edit {}", t.name)/>
                        <nav class="crumbs" aria-label="Breadcrumb"><a href="/teams">"Teams"</a>" / "<a href=format!("/teams/{}", t.slug)>{t.slug.clone()}</a>" / edit"</nav>
                        <h1>"Edit " {t.name.clone()}</h1>
                        <NotAllowed message="Only admins can change or delete teams."/>
                    }.into_any();
                }
                let slug = t.slug.clone();
                let initial = TeamForm::from(&t);
                view! {
                    <Title text=format!("Edit {}", t.name)/>
                    <nav class="crumbs" aria-label="Breadcrumb">
                        <a href="/teams">"Teams"</a>" / "<a href=format!("/teams/{slug}")>{slug.clone()}</a>" / edit"
                    </nav>
                    <h1>"Edit " {t.name.clone()}</h1>
                    <EditTeamForms slug initial/>
                }.into_any()
            })}
        </Suspense>
    }
}

/// The edit form and the delete button: the page's interactive part.
#[island]
fn EditTeamForms(slug: String, initial: TeamForm) -> impl IntoView {
    let update = ServerAction::<UpdateTeam>::new();
    let delete = ServerAction::<DeleteTeam>::new();
    let (slug_update, slug_delete) = (slug.clone(), slug.clone());
    let cancel = format!("/teams/{slug}");
    view! {
        <ActionForm action=update attr:class="form card" attr:novalidate=true>
            <input type="hidden" name="slug" value=slug_update/>
            <TeamFields initial errors=field_errors(update)/>
            <FormError action=update/>
            <div class="actions">
                <button type="submit" class="button" disabled=move || update.pending().get()>"Save changes"</button>
                <a href=cancel class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
        <DangerZone title="Delete this team"
            warning="Only a team that owns no services can be deleted; move its services first.">
            <ActionForm action=delete>
                <input type="hidden" name="slug" value=slug_delete.clone()/>
                <button type="submit" class="button danger">"Delete " {slug_delete}</button>
            </ActionForm>
            <FormError action=delete/>
        </DangerZone>
    }
}

#[component]
fn TeamFields(initial: TeamForm, errors: Signal<Option<FieldErrors>>) -> impl IntoView {
    view! {
        <div class="form-grid">
            <TextField prefix="form" name="name" label="Name" value=initial.name errors required=true placeholder="Payments"/>
            <TextField prefix="form" name="slug" label="Slug" value=initial.slug errors required=true
                hint="Lowercase letters, digits and hyphens; used in URLs." placeholder="payments"/>
            <TextField prefix="form" name="email" label="Email" value=initial.email errors input_type="email" placeholder="payments@example.com"/>
            <TextField prefix="form" name="chat_channel" label="Chat channel" value=initial.chat_channel errors placeholder="#payments"/>
            <TextField prefix="form" name="oncall_url" label="On-call / pager URL" value=initial.oncall_url errors input_type="url"
                hint="The schedule or service to page, e.g. in PagerDuty or Opsgenie." placeholder="https://"/>
        </div>
        <TextArea prefix="form" name="description" label="Description" value=initial.description errors/>
        <TextArea prefix="form" name="escalation_policy" label="Escalation policy" value=initial.escalation_policy errors
            hint="Who is paged, in what order, after how long."/>
    }
}
