use leptos::prelude::*;

use crate::domain::lifecycle::Lifecycle;
use crate::domain::link::LinkKind;
use crate::domain::tier::Tier;

#[component]
pub fn TierBadge(tier: Tier) -> impl IntoView {
    let class = format!("badge tier tier-{}", tier.number());
    view! { <span class=class title=tier.label()>{tier.short_label()}</span> }
}

#[component]
pub fn LifecycleBadge(lifecycle: Lifecycle) -> impl IntoView {
    let class = format!("badge lifecycle lc-{}", lifecycle.as_str());
    view! { <span class=class>{lifecycle.label()}</span> }
}

#[component]
pub fn LinkKindBadge(kind: LinkKind) -> impl IntoView {
    let class = format!("badge kind kind-{}", kind.as_str());
    view! { <span class=class>{kind.label()}</span> }
}

#[component]
pub fn Unowned() -> impl IntoView {
    view! { <span class="badge warn" title="No team owns this service">"Unowned"</span> }
}

/// An SLO's (or a service's) error-budget policy state; "unknown" looks unlike both ok and bad.
#[component]
pub fn BudgetBadge(state: crate::domain::slo::BudgetState) -> impl IntoView {
    let class = format!("badge budget budget-{}", state.as_str());
    view! { <span class=class>{state.label()}</span> }
}

/// SEV1 (worst) to SEV4, coloured like tiers: SEV1 as loud as tier 0.
#[component]
pub fn SeverityBadge(severity: crate::domain::incident::Severity) -> impl IntoView {
    let class = format!("badge sev sev-{}", severity.number());
    view! { <span class=class>{severity.label()}</span> }
}

#[component]
pub fn IncidentStatusBadge(status: crate::domain::incident::IncidentStatus) -> impl IntoView {
    let class = format!("badge incident-status is-{}", status.as_str());
    view! { <span class=class>{status.label()}</span> }
}

#[component]
pub fn PostmortemStatusBadge(status: crate::domain::postmortem::PostmortemStatus) -> impl IntoView {
    let class = format!("badge pm-status pm-{}", status.as_str());
    view! { <span class=class>{status.label()}</span> }
}

/// P0 (most urgent) to P3, loud to quiet like severities.
#[component]
pub fn PriorityBadge(priority: crate::domain::action_item::Priority) -> impl IntoView {
    let class = format!("badge prio prio-{}", priority.number());
    view! { <span class=class>{priority.label()}</span> }
}

#[component]
pub fn ActionStatusBadge(status: crate::domain::action_item::ActionStatus) -> impl IntoView {
    let class = format!("badge action-status as-{}", status.as_str());
    view! { <span class=class>{status.label()}</span> }
}

/// Past its due day and still open: a state people must see wherever the item appears.
#[component]
pub fn OverdueBadge() -> impl IntoView {
    view! { <span class="badge overdue">"Overdue"</span> }
}

/// Where a postmortem's deadline stands: overdue loud, due soon plain, done quiet.
#[component]
pub fn DeadlineBadge(deadline: crate::domain::postmortem::Deadline) -> impl IntoView {
    use crate::domain::postmortem::Deadline;
    let class = match deadline {
        Deadline::Open(d) if d.is_overdue() => "badge overdue",
        Deadline::Open(_) => "badge due",
        Deadline::Published { late: true } => "badge late",
        _ => "badge muted-badge",
    };
    view! { <span class=class>{deadline.label()}</span> }
}
