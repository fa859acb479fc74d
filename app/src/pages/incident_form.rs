//! Declaring and updating an incident. Editors of an affected service's team and admins; the
//! server checks again, against the services before and after the change.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::incidents::{get_incident, DeclareIncident, UpdateIncident};
use crate::components::access::{use_me, NotAllowed};
use crate::components::fields::{field_errors, FormError, SelectField, TextArea, TextField};
use crate::components::states::{ErrorView, Loading};
use crate::domain::access::Permission;
use crate::domain::incident::{IncidentForm, IncidentStatus, Severity};
use crate::domain::incident_list::Incident;
use crate::domain::validation::FieldErrors;

use super::incident::incident_id;

#[component]
pub fn NewIncidentPage() -> impl IntoView {
    let me = use_me();
    view! {
        <Title text="Declare an incident"/>
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/incidents">"Incidents"</a>" / new"</nav>
        <h1>"Declare an incident"</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let m = me.await;
                let allowed = m.as_ref().is_ok_and(|m| m.can(&Permission::CreateServices));
                let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M").to_string();
                let initial = IncidentForm {
                    severity: "2".into(),
                    status: "investigating".into(),
                    zone: "UTC".into(),
                    commander: m.map(|m| m.email).unwrap_or_default(),
                    started_at: now.clone(),
                    detected_at: now,
                    ..IncidentForm::default()
                };
                if allowed {
                    view! { <DeclareForm initial/> }.into_any()
                } else {
                    view! { <NotAllowed message="Only editors of a team and admins can declare incidents."/> }.into_any()
                }
            })}
        </Suspense>
    }
}

#[island]
fn DeclareForm(initial: IncidentForm) -> impl IntoView {
    let action = ServerAction::<DeclareIncident>::new();
    view! {
        <ActionForm action attr:class="form card" attr:novalidate=true>
            <IncidentFields initial errors=field_errors(action)/>
            <FormError action/>
            <div class="actions">
                <button type="submit" class="button" disabled=move || action.pending().get()>"Declare incident"</button>
                <a href="/incidents" class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
    }
}

fn local(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

fn form_of(i: &Incident) -> IncidentForm {
    let m = &i.milestones;
    IncidentForm {
        title: i.title.clone(),
        severity: i.severity.number().to_string(),
        status: i.status.as_str().into(),
        summary: i.summary.clone(),
        commander: i
            .commander
            .as_ref()
            .map(|(_, e)| e.clone())
            .unwrap_or_default(),
        services: i
            .services
            .iter()
            .map(|s| s.slug.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        zone: "UTC".into(),
        started_at: local(m.started),
        detected_at: local(m.detected),
        acknowledged_at: local(m.acknowledged),
        mitigated_at: local(m.mitigated),
        resolved_at: local(m.resolved),
        version: i.version.to_string(),
    }
}

#[component]
pub fn EditIncidentPage() -> impl IntoView {
    let id = incident_id();
    let data = Resource::new(move || id.get(), get_incident);
    let me = use_me();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let i = match data.await {
                    Ok(i) => i,
                    Err(e) => return view! { <ErrorView error=e/> }.into_any(),
                };
                let allowed = me.await.is_ok_and(|m| m.can(&Permission::EditIncident(i.teams())));
                let back = format!("/incidents/{}", i.id);
                view! {
                    <Title text=format!("Update #{}", i.id)/>
                    <nav class="crumbs" aria-label="Breadcrumb"><a href="/incidents">"Incidents"</a>" / "<a href=back>{format!("#{}", i.id)}</a>" / update"</nav>
                    <h1>"Update " {i.title.clone()}</h1>
                    {if allowed {
                        view! { <UpdateForm id=i.id initial=form_of(&i)/> }.into_any()
                    } else {
                        view! { <NotAllowed message="Only editors of an affected service's team and admins can change this incident."/> }.into_any()
                    }}
                }.into_any()
            })}
        </Suspense>
    }
}

#[island]
fn UpdateForm(id: i64, initial: IncidentForm) -> impl IntoView {
    let action = ServerAction::<UpdateIncident>::new();
    view! {
        <ActionForm action attr:class="form card" attr:novalidate=true>
            <input type="hidden" name="id" value=id.to_string()/>
            <input type="hidden" name="form[version]" value=initial.version.clone()/>
            <IncidentFields initial errors=field_errors(action)/>
            <FormError action/>
            <div class="actions">
                <button type="submit" class="button" disabled=move || action.pending().get()>"Save changes"</button>
                <a href=format!("/incidents/{id}") class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
    }
}

#[component]
fn IncidentFields(initial: IncidentForm, errors: Signal<Option<FieldErrors>>) -> impl IntoView {
    let severities: Vec<(String, String)> = Severity::ALL
        .iter()
        .map(|s| (s.number().to_string(), s.label().to_string()))
        .collect();
    let statuses: Vec<(String, String)> = IncidentStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.label().to_string()))
        .collect();
    view! {
        <div class="form-grid">
            <TextField prefix="form" name="title" label="Title" value=initial.title errors required=true placeholder="Checkout fails for card payments"/>
            <SelectField prefix="form" name="severity" label="Severity" value=initial.severity options=severities errors required=true
                hint="SEV1 is the worst: most users affected, or data at risk."/>
            <SelectField prefix="form" name="status" label="Status" value=initial.status options=statuses errors required=true/>
            <TextField prefix="form" name="services" label="Affected services" value=initial.services errors required=true
                hint="Catalog slugs, separated by commas." placeholder="checkout-web, payments-api"/>
            <TextField prefix="form" name="commander" label="Incident commander" value=initial.commander errors input_type="email"
                hint="The email of someone who has signed in to the portal." placeholder="alice@example.com"/>
            <TextField prefix="form" name="zone" label="Times are in" value=initial.zone errors
                hint="A time zone such as Europe/Berlin; UTC if empty. Stored in UTC." placeholder="UTC"/>
            <TextField prefix="form" name="started_at" label="Impact started" value=initial.started_at errors required=true input_type="datetime-local"/>
            <TextField prefix="form" name="detected_at" label="Detected" value=initial.detected_at errors input_type="datetime-local"/>
            <TextField prefix="form" name="acknowledged_at" label="Acknowledged" value=initial.acknowledged_at errors input_type="datetime-local"/>
            <TextField prefix="form" name="mitigated_at" label="Mitigated" value=initial.mitigated_at errors input_type="datetime-local"/>
            <TextField prefix="form" name="resolved_at" label="Resolved" value=initial.resolved_at errors input_type="datetime-local"
                hint="Set when the status is resolved."/>
        </div>
        <TextArea prefix="form" name="summary" label="Summary" value=initial.summary errors
            hint="What users saw, and what is being done. Blameless: systems and decisions, not people."/>
    }
}
