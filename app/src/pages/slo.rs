//! An SLO's own page: its figures now, the burn-down over the window, the burn-rate alerts and
//! the definition. Everything is computed at request time from the stored counts.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::slos::get_slo_page;
use crate::components::access::use_me;
use crate::components::badges::BudgetBadge;
use crate::components::chart::LineChart;
use crate::components::states::{ErrorView, Loading};
use crate::domain::access::Permission;
use crate::domain::slo::{human_duration, percent, thousands};
use crate::domain::slo_form::SloSource;
use crate::domain::slo_view::SloPage as Data;

#[component]
pub fn SloPage() -> impl IntoView {
    let key = super::slo_params();
    let data = Resource::new(move || key.get(), |(s, o)| get_slo_page(s, o));
    let me = use_me();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="Not found"/> <ErrorView error=e/> }.into_any(),
                    Ok(d) => {
                        let may_edit = me.await.is_ok_and(|m| m.can(&Permission::EditService(d.owner.clone())));
                        view! { <SloBody d may_edit/> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn SloBody(d: Data, may_edit: bool) -> impl IntoView {
    let slo = d.view.slo.clone();
    let f = d.view.figures.clone();
    let i = slo.input.clone();
    let service_href = format!("/services/{}", slo.service);
    let edit = format!("/services/{}/slos/{}/edit", slo.service, i.slug);
    let rules_href = format!("/export/slos/{}/{}/rules.yaml", slo.service, i.slug);
    let (_, window_len) = i.window.span(f.computed_at);
    let slots = (window_len.num_days().max(1) as usize).max(d.days.len());
    let budget: Vec<Option<f64>> = d.days.iter().map(|p| p.budget_remaining).collect();
    let sli: Vec<Option<f64>> = d.days.iter().map(|p| p.sli).collect();
    let lowest = budget
        .iter()
        .flatten()
        .copied()
        .fold(0.0_f64, f64::min)
        .max(-1.0);
    let objective = 1.0 - i.objective.error_ratio();
    let sli_floor = sli
        .iter()
        .flatten()
        .copied()
        .fold(objective, f64::min)
        .min(objective - i.objective.error_ratio() * 2.0)
        .max(0.0);
    let first_day = d
        .days
        .first()
        .map(|p| p.day.to_string())
        .unwrap_or_default();
    let budget_desc = format!(
        "Error budget left, from {first_day} to today, one point per day: {} now.",
        f.budget_remaining
            .map(percent)
            .unwrap_or_else(|| "no data".into())
    );
    let sli_desc = format!(
        "Share of good events per day against the objective of {} %.",
        i.objective
    );
    let push_example = format!(
        "curl -X POST $PORTAL/api/v1/slos/{}/{}/counts \\\n  -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\\n  -d '{{\"buckets\": [{{\"start\": \"2026-12-03T10:00:00Z\", \"good\": 998, \"total\": 1000}}]}}'",
        slo.service, i.slug
    );
    view! {
        <Title text=format!("{} · {}", i.name, d.service_name)/>
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/services">"Services"</a>" / "<a href=service_href.clone()>{slo.service.clone()}</a>" / SLOs / "<span>{i.slug.clone()}</span>
        </nav>
        <div class="page-head">
            <div>
                <h1>{i.name.clone()} " " <BudgetBadge state=f.state/></h1>
                <p class="lead">{format!("{} % of events good over a {}", i.objective, i.window.label())} " · " <a href=service_href>{d.service_name.clone()}</a></p>
                <p class="muted">{f.reason.clone()}</p>
                {slo.below_floor.map(|floor| view! { <p><span class="badge warn">{format!("Below the tier minimum of {floor} %")}</span></p> })}
            </div>
            {may_edit.then(|| view! { <a href=edit class="button secondary">"Edit"</a> })}
        </div>
        <div class="stats">
            <div class="stat"><span class="stat-n">{f.attainment.map(percent).unwrap_or_else(|| "—".into())}</span><span class="stat-l">"Attainment"</span></div>
            <div class="stat"><span class="stat-n">{f.budget_remaining.map(percent).unwrap_or_else(|| "—".into())}</span><span class="stat-l">"Budget left"</span></div>
            <div class="stat"><span class="stat-n">{human_duration(f.budget_time_secs)}</span><span class="stat-l">"Budget over the window"</span></div>
            <div class="stat"><span class="stat-n">{f.exhausted_in_secs.map(human_duration).unwrap_or_else(|| "—".into())}</span><span class="stat-l">"Gone at the 1h burn rate"</span></div>
            <div class="stat"><span class="stat-n">{format!("{} / {}", thousands(f.counts.good), thousands(f.counts.total))}</span><span class="stat-l">"Good / total events"</span></div>
        </div>
        <section class="card" aria-labelledby="burn-down-h">
            <h2 id="burn-down-h">"Burn-down"</h2>
            {(i.source == SloSource::Prometheus).then(|| view! {
                <p class="notice">"The daily history is drawn from pushed counts; Prometheus keeps this SLO's. Load the rules below and graph "
                    <code>"slo:period_error_budget_remaining:ratio"</code>" there; the figures above are the evaluator's latest answer."</p>
            })}
            <LineChart title="Error budget left".to_string() description=budget_desc values=budget slots
                y_min=lowest y_max=1.0 y_top_label="100 %".to_string() y_bottom_label=percent(lowest)
                reference=(0.0, "budget spent".to_string())/>
            <LineChart title="SLI per day".to_string() description=sli_desc values=sli slots
                y_min=sli_floor y_max=1.0 y_top_label="100 %".to_string() y_bottom_label=percent(sli_floor)
                reference=(objective, format!("objective {} %", i.objective))/>
            <details>
                <summary>"The figures per day"</summary>
                <div class="table-wrap">
                    <table class="table">
                        <thead><tr><th scope="col">"Day (UTC)"</th><th scope="col" class="num">"SLI"</th><th scope="col" class="num">"Budget left at day end"</th></tr></thead>
                        <tbody>
                            {d.days.iter().rev().map(|p| view! {
                                <tr><td>{p.day.to_string()}</td>
                                <td class="num">{p.sli.map(percent).unwrap_or_else(|| "—".into())}</td>
                                <td class="num">{p.budget_remaining.map(percent).unwrap_or_else(|| "—".into())}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </details>
        </section>
        <section class="card" aria-labelledby="alerts-h">
            <h2 id="alerts-h">"Burn-rate alerts"</h2>
            <p class="muted small">"Multiwindow, multi-burn-rate alerts (Google SRE Workbook, chapter 5): a rule fires when both its long and its short window burn at least its threshold."</p>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr><th scope="col">"Rule"</th><th scope="col" class="num">"Threshold"</th><th scope="col" class="num">"Long window"</th><th scope="col" class="num">"Short window"</th><th scope="col">"Now"</th></tr></thead>
                    <tbody>
                        {f.alerts.iter().map(|a| view! {
                            <tr>
                                <td>{format!("{}: {}", a.severity.label(), a.description)}</td>
                                <td class="num">{format!("{:.2}×", a.threshold)}</td>
                                <td class="num">{a.long_burn.map(|b| format!("{b:.2}×")).unwrap_or_else(|| "—".into())}</td>
                                <td class="num">{a.short_burn.map(|b| format!("{b:.2}×")).unwrap_or_else(|| "—".into())}</td>
                                <td>{if a.firing { view! { <span class="badge status-bad">"Firing"</span> }.into_any() } else { view! { <span class="badge ok">"Quiet"</span> }.into_any() }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <h3>"Burn rate by window"</h3>
            <ul class="burn-list">
                {f.burn_rates.iter().map(|(w, b)| view! { <li><span class="muted">{w.clone()}</span> " " <strong>{b.map(|b| format!("{b:.2}×")).unwrap_or_else(|| "—".into())}</strong></li> }).collect_view()}
            </ul>
        </section>
        <section class="card" aria-labelledby="definition-h">
            <h2 id="definition-h">"Definition"</h2>
            <dl class="kv">
                <dt>"SLI kind"</dt><dd>{i.sli_kind.label()}</dd>
                <dt>"A good event is"</dt><dd>{if i.good_events.is_empty() { "—".to_string() } else { i.good_events.clone() }}</dd>
                <dt>"An event is"</dt><dd>{if i.total_events.is_empty() { "—".to_string() } else { i.total_events.clone() }}</dd>
                <dt>"Objective"</dt><dd>{format!("{} %", i.objective)}</dd>
                <dt>"Window"</dt><dd>{i.window.label()}</dd>
                <dt>"Source"</dt><dd>{i.source.as_str()}</dd>
                <dt>"Why"</dt><dd>{if i.description.is_empty() { "—".to_string() } else { i.description.clone() }}</dd>
                <dt>"Last push"</dt><dd>{match (&slo.pushed_at, &slo.pushed_by) {
                    (Some(at), Some(by)) => format!("{} by {by}", at.format("%Y-%m-%d %H:%M UTC")),
                    _ => "never".to_string(),
                }}</dd>
            </dl>
            {(i.source == SloSource::Push).then(|| view! {
                <h3>"Push counts"</h3>
                <p class="muted small">"With an API token that has the slo:write scope (admins make them under API tokens). A bucket pushed again replaces the stored one."</p>
                <pre class="code">{push_example}</pre>
            })}
            {(i.source == SloSource::Prometheus).then(|| view! {
                <h3>"Prometheus queries"</h3>
                <pre class="code">{format!("bad:   {}\ntotal: {}", i.error_query, i.total_query)}</pre>
            })}
            {d.rules.clone().map(|rules| view! {
                <h3 id="rules-h">"Prometheus rules"</h3>
                <p class="muted small">"Recording rules and the multiwindow alerts (page and ticket) at the thresholds above, laid out as Sloth generates them. "
                    <a href=rules_href.clone() download="">"Download rules.yaml"</a>"."</p>
                <pre class="code" aria-labelledby="rules-h" tabindex="0">{rules}</pre>
            })}
            <p class="muted small">{format!("Figures computed {}; definition version {}, changed {}.",
                f.computed_at.format("%Y-%m-%d %H:%M:%S UTC"), slo.version, slo.updated_at.format("%Y-%m-%d %H:%M UTC"))}</p>
        </section>
    }
}
