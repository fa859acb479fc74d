use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::tiers::{get_tier_policy, UpdateTierPolicy};
use crate::components::access::{IfCan, NotAllowed};
use crate::components::badges::TierBadge;
use crate::components::fields::{field_errors, FormError, TextArea, TextField};
use crate::components::states::{ErrorView, Loading};
use crate::domain::access::Permission;
use crate::domain::tier_form::TierPolicyForm;

/// Admins edit what a tier requires; every service page measures itself against it.
#[component]
pub fn EditTierPage() -> impl IntoView {
    let params = use_params_map();
    let tier = Memo::new(move |_| {
        params
            .read()
            .get("tier")
            .and_then(|t| t.parse::<u8>().ok())
            .unwrap_or(u8::MAX)
    });
    let data = Resource::new(move || tier.get(), get_tier_policy);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let p = match data.await {
                    Ok(p) => p,
                    Err(e) => return view! { <ErrorView error=e/> }.into_any(),
                };
                let initial = TierPolicyForm::from_policy(&p);
                let n = p.tier.number();
                view! {
                    <Title text=format!("Edit {}", p.tier.label())/>
                    <nav class="crumbs" aria-label="Breadcrumb"><a href="/tiers">"Tiers"</a>" / " {p.tier.label()} " / edit"</nav>
                    <h1><TierBadge tier=p.tier/> " " {p.short_name().to_string()}</h1>
                    <IfCan perm=Permission::ManageTierPolicies
                        fallback=|| view! { <NotAllowed message="Only admins can change tier policies."/> }>
                        <TierPolicyEditor tier=n initial=initial.clone()/>
                    </IfCan>
                }.into_any()
            })}
        </Suspense>
    }
}

#[island]
fn TierPolicyEditor(tier: u8, initial: TierPolicyForm) -> impl IntoView {
    let action = ServerAction::<UpdateTierPolicy>::new();
    let errors = field_errors(action);
    view! {
        <ActionForm action attr:class="form card" attr:novalidate=true>
            <input type="hidden" name="tier" value=tier.to_string()/>
            <div class="form-grid">
                <TextField prefix="form" name="name" label="Name" value=initial.name.clone() errors required=true/>
                <TextField prefix="form" name="min_slo_objective" label="Minimum SLO objective (%)" value=initial.min_slo_objective.clone() errors
                    hint="e.g. 99.9; empty when no SLO is required." placeholder="99.9"/>
                <TextField prefix="form" name="postmortem_due_days" label="Postmortem due (business days)" value=initial.postmortem_due_days.clone() errors
                    hint="After resolution; empty when none is required." placeholder="5"/>
                <TextField prefix="form" name="budget_at_risk_pct" label="At risk below (% of error budget left)" value=initial.budget_at_risk_pct.clone() errors
                    hint="An SLO with less budget left is at risk; empty for 25." placeholder="25"/>
            </div>
            <fieldset class="checks">
                <legend>"Requirements"</legend>
                <label><input type="checkbox" name="form[oncall_required]" value="on" checked=!initial.oncall_required.is_empty()/> " On-call (a pager for the owning team)"</label>
                <label><input type="checkbox" name="form[runbook_required]" value="on" checked=!initial.runbook_required.is_empty()/> " A current runbook"</label>
                <label><input type="checkbox" name="form[slo_required]" value="on" checked=!initial.slo_required.is_empty()/> " At least one SLO"</label>
            </fieldset>
            <TextArea prefix="form" name="description" label="What this tier means" value=initial.description.clone() errors/>
            <FormError action/>
            <div class="actions">
                <button type="submit" class="button" disabled=move || action.pending().get()>"Save policy"</button>
                <a href="/tiers" class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
    }
}
