use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::services::{get_service, CreateService, DeleteService, UpdateService};
use crate::api::teams::team_choices;
use crate::components::access::{refusal, use_me, NotAllowed};
use crate::components::danger_zone::DangerZone;
use crate::components::fields::{field_errors, FormError, SelectField, TextArea, TextField};
use crate::components::states::{ErrorView, Loading};
use crate::domain::access::Permission;
use crate::domain::lifecycle::Lifecycle;
use crate::domain::service::ServiceForm;
use crate::domain::team::TeamRef;
use crate::domain::tier::Tier;

use super::service_edit::ServiceConnections;
use super::slug_param;

#[component]
pub fn NewServicePage() -> impl IntoView {
    let teams = Resource::new(|| (), |_| team_choices());
    let me = use_me();
    // Preselect an owner when arriving from a team page (?team=payments).
    let owner = leptos_router::hooks::use_query_map()
        .get_untracked()
        .get("team")
        .unwrap_or_default();
    view! {
        <Title text="New service"/>
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/services">"Services"</a>" / new"</nav>
        <h1>"New service"</h1>
        <Suspense fallback=Loading>
            {move || {
                let owner = owner.clone();
                Suspend::new(async move {
                    let me = me.await;
                    if let Some(why) = refusal(&me, &Permission::CreateServices) {
                        return view! { <NotAllowed message=why/> }.into_any();
                    }
                    match teams.await {
                        Ok(teams) => {
                            let teams = assignable(&me, teams);
                            let initial = ServiceForm { tier: "2".into(), lifecycle: "production".into(), owner, ..Default::default() };
                            view! { <NewServiceForm initial teams/> }.into_any()
                        }
                        Err(e) => view! { <ErrorView error=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[island]
fn NewServiceForm(initial: ServiceForm, teams: Vec<TeamRef>) -> impl IntoView {
    let action = ServerAction::<CreateService>::new();
    view! {
        <ActionForm action attr:class="form card" attr:novalidate=true>
            <ServiceFields initial teams errors=field_errors(action)/>
            <FormError action/>
            <div class="actions">
                <button type="submit" class="button" disabled=move || action.pending().get()>"Create service"</button>
                <a href="/services" class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn EditServicePage() -> impl IntoView {
    let slug = slug_param();
    let teams = Resource::new(|| (), |_| team_choices());
    let me = use_me();
    let data = Resource::new(move || slug.get(), get_service);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let (detail, teams) = match (data.await, teams.await) {
                    (Ok(d), Ok(t)) => (d, t),
                    (Err(e), _) | (_, Err(e)) => return view! { <ErrorView error=e/> }.into_any(),
                };
                let me = me.await;
                let owner = detail.owner.as_ref().map(|t| t.slug.clone());
                if let Some(why) = refusal(&me, &Permission::EditService(owner)) {
                    let slug = detail.service.slug.clone();
                    return view! {
                        <Title text=format!("Edit {}", detail.service.name)/>
                        <nav class="crumbs" aria-label="Breadcrumb">
                            <a href="/services">"Services"</a>" / "<a href=format!("/services/{slug}")>{slug.clone()}</a>" / edit"
                        </nav>
                        <h1>"Edit " {detail.service.name.clone()}</h1>
                        <NotAllowed message=why/>
                        <p><a href=format!("/services/{slug}") class="button secondary">"Back to the service"</a></p>
                    }.into_any();
                }
                let teams = assignable(&me, teams);
                let slug = detail.service.slug.clone();
                let initial = ServiceForm::from(&detail);
                view! {
                    <Title text=format!("Edit {}", detail.service.name)/>
                    <nav class="crumbs" aria-label="Breadcrumb">
                        <a href="/services">"Services"</a>" / "
                        <a href=format!("/services/{slug}")>{slug.clone()}</a>" / edit"
                    </nav>
                    <h1>"Edit " {detail.service.name.clone()}</h1>
                    <EditServiceForm slug=slug.clone() initial teams/>
                    <ServiceConnections service=slug.clone() links=detail.links edges=detail.depends_on/>
                    <DeleteServiceForm slug/>
                }.into_any()
            })}
        </Suspense>
    }
}

#[island]
fn EditServiceForm(slug: String, initial: ServiceForm, teams: Vec<TeamRef>) -> impl IntoView {
    let update = ServerAction::<UpdateService>::new();
    let cancel = format!("/services/{slug}");
    view! {
        <ActionForm action=update attr:class="form card" attr:novalidate=true>
            <input type="hidden" name="slug" value=slug/>
            // The version the form was opened at: a save after someone else's is refused, not
            // silently written over theirs.
            <input type="hidden" name="form[version]" value=initial.version.clone()/>
            <ServiceFields initial teams errors=field_errors(update)/>
            <FormError action=update/>
            <div class="actions">
                <button type="submit" class="button" disabled=move || update.pending().get()>"Save changes"</button>
                <a href=cancel class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
    }
}

#[island]
fn DeleteServiceForm(slug: String) -> impl IntoView {
    let delete = ServerAction::<DeleteService>::new();
    view! {
        <DangerZone title="Delete this service"
            warning="Removes the service, its links and its dependencies in both directions. This cannot be undone.">
            <ActionForm action=delete>
                <input type="hidden" name="slug" value=slug.clone()/>
                <button type="submit" class="button danger">"Delete " {slug}</button>
            </ActionForm>
            <FormError action=delete/>
        </DangerZone>
    }
}

/// The owners this person may give a service to (an editor: their own teams).
fn assignable(
    me: &Result<crate::domain::access::Me, crate::error::AppError>,
    teams: Vec<TeamRef>,
) -> Vec<TeamRef> {
    match me {
        Ok(m) => teams
            .into_iter()
            .filter(|t| m.can(&Permission::AssignServiceTo(Some(t.slug.clone()))))
            .collect(),
        Err(_) => Vec::new(),
    }
}

#[component]
fn ServiceFields(
    initial: ServiceForm,
    teams: Vec<TeamRef>,
    errors: Signal<Option<crate::domain::validation::FieldErrors>>,
) -> impl IntoView {
    let tiers: Vec<(String, String)> = Tier::all()
        .map(|t| {
            (
                t.number().to_string(),
                format!("{} — {}", t.label(), tier_hint(t)),
            )
        })
        .collect();
    let lifecycles: Vec<(String, String)> = Lifecycle::ALL
        .iter()
        .map(|l| (l.as_str().to_string(), l.label().to_string()))
        .collect();
    let owners: Vec<(String, String)> = std::iter::once((String::new(), "— Unowned —".to_string()))
        .chain(teams.into_iter().map(|t| (t.slug, t.name)))
        .collect();
    view! {
        <div class="form-grid">
            <TextField prefix="form" name="name" label="Name" value=initial.name errors required=true placeholder="Payments API"/>
            <TextField prefix="form" name="slug" label="Slug" value=initial.slug errors required=true
                hint="Lowercase letters, digits and hyphens; used in URLs." placeholder="payments-api"/>
            <SelectField prefix="form" name="tier" label="Tier" value=initial.tier options=tiers errors required=true/>
            <SelectField prefix="form" name="lifecycle" label="Lifecycle" value=initial.lifecycle options=lifecycles errors required=true/>
            <SelectField prefix="form" name="owner" label="Owning team" value=initial.owner options=owners errors
                hint="The team accountable for it and paged when it breaks."/>
            <TextField prefix="form" name="tags" label="Tags" value=initial.tags errors hint="Comma-separated, e.g. pci, go, public-api."/>
        </div>
        <TextArea prefix="form" name="description" label="Description" value=initial.description errors hint="What it does, in a sentence or two."/>
    }
}

fn tier_hint(t: Tier) -> &'static str {
    match t.number() {
        0 => "critical platform",
        1 => "customer-facing",
        2 => "internal",
        _ => "best effort",
    }
}
