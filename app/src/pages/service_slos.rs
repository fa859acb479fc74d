//! The service page's SLO section: each SLO's objective, budget left, burn rates, alerts and
//! policy state, computed from the counts at request time (never from a cached page).
use leptos::prelude::*;

use crate::components::badges::BudgetBadge;
use crate::components::states::EmptyState;
use crate::domain::slo::{human_duration, percent, BudgetState};
use crate::domain::slo_view::SloView;

/// Renders the section; `slo_required` says whether the tier asks for one (the empty state
/// says so).
#[component]
pub fn SloSection(
    service: String,
    slos: Vec<SloView>,
    may_edit: bool,
    slo_required: bool,
) -> impl IntoView {
    let worst = BudgetState::worst(slos.iter().map(|s| s.figures.state));
    let computed = slos.first().map(|s| {
        s.figures
            .computed_at
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string()
    });
    let new_slo = format!("/services/{service}/slos/new");
    view! {
        <section class="card slos" aria-labelledby="slos-h">
            <div class="card-head">
                <h2 id="slos-h">"SLOs" {worst.map(|w| view! { " " <BudgetBadge state=w/> })}</h2>
                {may_edit.then(|| view! { <a href=new_slo.clone() class="button secondary small">"New SLO"</a> })}
            </div>
            {if slos.is_empty() {
                view! {
                    <EmptyState title="No SLOs yet">
                        <p>{if slo_required { "This service's tier requires an SLO. " } else { "" }}
                        "Define what good service means (for example 99.9 % of requests succeed over 30 days), then push good/total counts with an API token. "
                        <a href="/help/slos">"How SLOs work"</a></p>
                    </EmptyState>
                }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table slo-table">
                            <thead><tr>
                                <th scope="col">"SLO"</th>
                                <th scope="col" class="num">"Objective"</th>
                                <th scope="col" class="num">"Attainment"</th>
                                <th scope="col">"Budget left"</th>
                                <th scope="col" class="num">"Burn 1h"</th>
                                <th scope="col" class="num">"Burn 6h"</th>
                                <th scope="col" class="num">"Burn 3d"</th>
                                <th scope="col">"State"</th>
                            </tr></thead>
                            <tbody>
                                {slos.into_iter().map(|v| view! { <SloRow v/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {computed.map(|c| view! { <p class="muted small">"Figures computed " {c} " from the stored counts. " <a href="/help/slos">"What these mean"</a></p> })}
        </section>
    }
}

fn burn(v: &SloView, label: &str) -> String {
    v.figures
        .burn_rates
        .iter()
        .find(|(l, _)| l == label)
        .and_then(|(_, b)| *b)
        .map(|b| format!("{b:.2}×"))
        .unwrap_or_else(|| "—".into())
}

#[component]
fn SloRow(v: SloView) -> impl IntoView {
    let f = v.figures.clone();
    let href = format!("/services/{}/slos/{}", v.slo.service, v.slo.input.slug);
    let left = f.budget_remaining;
    // The bar shows 0–100 %; an overspent budget shows empty, with the figure beside it.
    let width = left
        .map(|l| (l.clamp(0.0, 1.0) * 100.0).round())
        .unwrap_or(0.0);
    let bar_class = match f.state {
        BudgetState::Exhausted => "bar bar-bad",
        BudgetState::AtRisk => "bar bar-warn",
        BudgetState::Unknown => "bar bar-unknown",
        BudgetState::Ok => "bar bar-ok",
    };
    let left_text = left.map(percent).unwrap_or_else(|| "—".into());
    let firing: Vec<String> = f
        .alerts
        .iter()
        .filter(|a| a.firing)
        .map(|a| format!("{}: {}", a.severity.label(), a.description))
        .collect();
    let (b1, b6, b3) = (burn(&v, "1h"), burn(&v, "6h"), burn(&v, "3d"));
    view! {
        <tr>
            <td>
                <a href=href>{v.slo.input.name.clone()}</a>
                <div class="muted small">{v.slo.input.sli_kind.label()} " · " {v.slo.input.window.label()} " · " {v.slo.input.source.as_str()}</div>
                {v.slo.below_floor.map(|floor| view! { <div><span class="badge warn">{format!("Below tier minimum {floor} %")}</span></div> })}
            </td>
            <td class="num">{format!("{} %", v.slo.input.objective)}</td>
            <td class="num">{f.attainment.map(percent).unwrap_or_else(|| "—".into())}</td>
            <td>
                <div class="budget-cell">
                    // An SVG width, not a style attribute: the CSP allows no inline styles.
                    <svg class=bar_class viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label=format!("Budget left: {left_text}")>
                        <rect class="bar-track" width="100" height="10" rx="5"></rect>
                        <rect class="bar-fill" width=width.to_string() height="10" rx="5"></rect>
                    </svg>
                    <span class="num">{left_text.clone()}</span>
                </div>
                <div class="muted small">{format!("of {} over the window", human_duration(f.budget_time_secs))}
                    {f.exhausted_in_secs.map(|s| format!(" · gone in {} at the 1h rate", human_duration(s)))}</div>
            </td>
            <td class="num">{b1}</td>
            <td class="num">{b6}</td>
            <td class="num">{b3}</td>
            <td>
                <BudgetBadge state=f.state/>
                <div class="muted small">{f.reason.clone()}</div>
                {firing.into_iter().map(|a| view! { <div class="small alert-firing">{a}</div> }).collect_view()}
            </td>
        </tr>
    }
}
