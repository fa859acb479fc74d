//! Defining and editing an SLO. Editors of the owning team and admins; the server checks again.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::services::get_service;
use crate::api::slos::{get_slo_page, CreateSlo, DeleteSlo, UpdateSlo};
use crate::components::access::{use_me, NotAllowed};
use crate::components::danger_zone::DangerZone;
use crate::components::fields::{field_errors, FormError, SelectField, TextArea, TextField};
use crate::components::states::{ErrorView, Loading};
use crate::domain::access::Permission;
use crate::domain::slo_form::{SliKind, SloForm};
use crate::domain::validation::FieldErrors;

use super::slug_param;

fn options(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect()
}

#[component]
pub fn NewSloPage() -> impl IntoView {
    let slug = slug_param();
    let data = Resource::new(move || slug.get(), get_service);
    let me = use_me();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <ErrorView error=e/> }.into_any(),
                };
                let s = d.service.clone();
                let owner = d.owner.as_ref().map(|t| t.slug.clone());
                let allowed = me.await.is_ok_and(|m| m.can(&Permission::EditService(owner)));
                let initial = SloForm {
                    sli_kind: "availability".into(),
                    objective: d.policy.min_slo_objective.map(|o| o.to_string()).unwrap_or_else(|| "99.9".into()),
                    window: "rolling".into(),
                    window_days: "30".into(),
                    source: "push".into(),
                    ..SloForm::default()
                };
                view! {
                    <Title text=format!("New SLO · {}", s.name)/>
                    <nav class="crumbs" aria-label="Breadcrumb">
                        <a href="/services">"Services"</a>" / "<a href=format!("/services/{}", s.slug)>{s.slug.clone()}</a>" / new SLO"
                    </nav>
                    <h1>"New SLO for " {s.name.clone()}</h1>
                    {if allowed {
                        view! { <NewSloForm service=s.slug.clone() initial/> }.into_any()
                    } else {
                        view! { <NotAllowed message="Only editors of the owning team and admins can define this service's SLOs."/> }.into_any()
                    }}
                }.into_any()
            })}
        </Suspense>
    }
}

#[island]
fn NewSloForm(service: String, initial: SloForm) -> impl IntoView {
    let action = ServerAction::<CreateSlo>::new();
    let cancel = format!("/services/{service}");
    view! {
        <ActionForm action attr:class="form card" attr:novalidate=true>
            <input type="hidden" name="service" value=service/>
            <SloFields initial errors=field_errors(action)/>
            <FormError action/>
            <div class="actions">
                <button type="submit" class="button" disabled=move || action.pending().get()>"Create SLO"</button>
                <a href=cancel class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn EditSloPage() -> impl IntoView {
    let key = super::slo_params();
    let data = Resource::new(move || key.get(), |(s, o)| get_slo_page(s, o));
    let me = use_me();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let p = match data.await {
                    Ok(p) => p,
                    Err(e) => return view! { <ErrorView error=e/> }.into_any(),
                };
                let slo = p.view.slo.clone();
                let allowed = me.await.is_ok_and(|m| m.can(&Permission::EditService(p.owner.clone())));
                let mut initial = SloForm::from(&slo.input);
                initial.version = slo.version.to_string();
                let back = format!("/services/{}/slos/{}", slo.service, slo.input.slug);
                view! {
                    <Title text=format!("Edit {}", slo.input.name)/>
                    <nav class="crumbs" aria-label="Breadcrumb">
                        <a href="/services">"Services"</a>" / "<a href=format!("/services/{}", slo.service)>{slo.service.clone()}</a>
                        " / "<a href=back>{slo.input.slug.clone()}</a>" / edit"
                    </nav>
                    <h1>"Edit " {slo.input.name.clone()}</h1>
                    {if allowed {
                        view! { <EditSloForms service=slo.service.clone() slo=slo.input.slug.clone() initial/> }.into_any()
                    } else {
                        view! { <NotAllowed message="Only editors of the owning team and admins can change this service's SLOs."/> }.into_any()
                    }}
                }.into_any()
            })}
        </Suspense>
    }
}

#[island]
fn EditSloForms(service: String, slo: String, initial: SloForm) -> impl IntoView {
    let update = ServerAction::<UpdateSlo>::new();
    let delete = ServerAction::<DeleteSlo>::new();
    let cancel = format!("/services/{service}/slos/{slo}");
    let (service2, slo2) = (service.clone(), slo.clone());
    view! {
        <ActionForm action=update attr:class="form card" attr:novalidate=true>
            <input type="hidden" name="service" value=service/>
            <input type="hidden" name="slo" value=slo/>
            <input type="hidden" name="form[version]" value=initial.version.clone()/>
            <SloFields initial errors=field_errors(update)/>
            <FormError action=update/>
            <div class="actions">
                <button type="submit" class="button" disabled=move || update.pending().get()>"Save changes"</button>
                <a href=cancel class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
        <DangerZone title="Delete this SLO" warning="Its definition and every stored count are removed; the audit trail keeps the definition.">
            <ActionForm action=delete>
                <input type="hidden" name="service" value=service2/>
                <input type="hidden" name="slo" value=slo2.clone()/>
                <button type="submit" class="button danger">"Delete " {slo2}</button>
            </ActionForm>
            <FormError action=delete/>
        </DangerZone>
    }
}

#[component]
fn SloFields(initial: SloForm, errors: Signal<Option<FieldErrors>>) -> impl IntoView {
    let kinds: Vec<(String, String)> = SliKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), k.label().to_string()))
        .collect();
    let windows = options(&[
        ("rolling", "Rolling window"),
        ("week", "Calendar week (UTC, from Monday)"),
        ("month", "Calendar month (UTC)"),
        ("quarter", "Calendar quarter (UTC)"),
    ]);
    let sources = options(&[
        ("push", "Pushed counts (API token with slo:write)"),
        ("prometheus", "Prometheus queries"),
    ]);
    view! {
        <div class="form-grid">
            <TextField prefix="form" name="name" label="Name" value=initial.name errors required=true placeholder="Checkout availability"/>
            <TextField prefix="form" name="slug" label="Slug" value=initial.slug errors required=true
                hint="Lowercase letters, digits and hyphens; unique within the service." placeholder="availability"/>
            <SelectField prefix="form" name="sli_kind" label="SLI kind" value=initial.sli_kind options=kinds errors required=true/>
            <TextField prefix="form" name="objective" label="Objective (%)" value=initial.objective errors required=true
                hint="Above 0 and below 100, up to three decimals, e.g. 99.95." placeholder="99.9"/>
            <SelectField prefix="form" name="window" label="Window" value=initial.window options=windows errors required=true/>
            <TextField prefix="form" name="window_days" label="Rolling window (days)" value=initial.window_days errors input_type="number"
                hint="1 to 90; only for a rolling window." placeholder="30"/>
            <TextField prefix="form" name="good_events" label="A good event is" value=initial.good_events errors
                placeholder="an HTTP request answered without a 5xx"/>
            <TextField prefix="form" name="total_events" label="An event is" value=initial.total_events errors
                placeholder="an HTTP request to the public API"/>
            <SelectField prefix="form" name="source" label="Counts come from" value=initial.source options=sources errors required=true/>
        </div>
        <TextArea prefix="form" name="description" label="Why this objective" value=initial.description errors
            hint="What users feel when it is missed, and who agreed to the number."/>
        <TextArea prefix="form" name="error_query" label="Prometheus: bad events" value=initial.error_query errors
            hint="Only for a Prometheus SLO. PromQL with {{.window}} for the range, e.g. sum(rate(http_requests_total{code=~\"5..\"}[{{.window}}]))."/>
        <TextArea prefix="form" name="total_query" label="Prometheus: all events" value=initial.total_query errors
            hint="Only for a Prometheus SLO, e.g. sum(rate(http_requests_total[{{.window}}]))."/>
    }
}
