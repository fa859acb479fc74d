//! `/help/slos`: every formula and state the SLO pages use, in plain words, with a worked example.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::slo::{alert_rules, burn_threshold, duration_label, human_duration, Objective};

#[component]
pub fn HelpSlosPage() -> impl IntoView {
    let o = Objective::from_milli(99_900).unwrap_or(Objective::from_milli(1).expect("1 is valid"));
    let month = chrono::Duration::days(30);
    let rules = alert_rules();
    view! {
        <Title text="How SLOs work"/>
        <div class="help">
            <h1>"How SLOs work here"</h1>
            <p class="lead">"An SLO promises that a share of events is good over a window, e.g. 99.9 % of checkout requests succeed over 30 days. The portal counts good and total events and says how much of the allowed failure (the error budget) is left and how fast it is going."</p>

            <h2>"The figures"</h2>
            <dl class="kv">
                <dt>"Attainment"</dt><dd><span class="formula">"good ÷ total"</span>" over the window."</dd>
                <dt>"Error budget"</dt><dd><span class="formula">"(1 − objective) × total"</span>": how many events may be bad. As time: "<span class="formula">"(1 − objective) × window length"</span>"."</dd>
                <dt>"Budget left"</dt><dd><span class="formula">"1 − bad ÷ budget"</span>". Negative when overspent."</dd>
                <dt>"Burn rate"</dt><dd><span class="formula">"(bad ÷ total over a window) ÷ (1 − objective)"</span>". 1 spends exactly the budget over the SLO's window; 2 spends it in half the time."</dd>
                <dt>"Time left"</dt><dd>"When the budget is gone if the last hour goes on: at burn rate b above 1 it lasts another "<span class="formula">"budget left × events so far ÷ (b − 1)"</span>" events, at the last hour's event rate. At 1× or less it never runs out; a calendar window that ends first starts afresh."</dd>
            </dl>

            <h2>"Worked example"</h2>
            <p>{format!("An objective of {} % over 30 days allows {} of failure: 0.1 % of 43,200 minutes. With 1,000,000 requests so far, the budget is 1,000 bad requests; 500 bad ones leave 50 %.", o, human_duration(o.budget_time(month).num_seconds()))}</p>
            <p>"Burning at 14.4× for one hour spends 14.4 × 1 h ÷ 720 h = 2 % of the budget. That is the fastest alert below."</p>

            <h2>"Alerts"</h2>
            <p>"Multiwindow, multi-burn-rate alerts, from the Google SRE Workbook (chapter 5). A rule fires when both its long window and its short window burn at least its threshold: the long window proves the burn matters, the short one that it is still going on. Thresholds follow from the share of budget a rule allows to be spent, so they are right for any SLO window (never below 1×: burning no faster than the budget allows is no alarm):"</p>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr><th scope="col">"Severity"</th><th scope="col">"Fires when"</th><th scope="col" class="num">"Threshold over 30 days"</th><th scope="col" class="num">"over 28 days"</th></tr></thead>
                    <tbody>
                        {rules.iter().map(|r| view! {
                            <tr>
                                <td>{r.severity.label()}</td>
                                <td>{format!("{} % of the budget is spent in {} (and the last {} agree)", r.budget_share * 100.0, duration_label(r.long), duration_label(r.short))}</td>
                                <td class="num">{format!("{:.2}×", burn_threshold(r.budget_share, month, r.long))}</td>
                                <td class="num">{format!("{:.2}×", burn_threshold(r.budget_share, chrono::Duration::days(28), r.long))}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>

            <h2>"States (the error-budget policy)"</h2>
            <dl class="kv">
                <dt>"OK"</dt><dd>"Within budget and no alert firing."</dd>
                <dt>"At risk"</dt><dd>"A page or ticket alert fires, or less than the tier's share of the budget is left (25 % unless the tier policy says otherwise)."</dd>
                <dt>"Exhausted · freeze"</dt><dd>"No budget left: the service is in feature freeze until the budget recovers; reliability work comes first."</dd>
                <dt>"Unknown"</dt><dd>"No data, too few events to judge (fewer than 100 in the window), or a failing source. Never counted as healthy."</dd>
            </dl>
            <p>"A service takes the worst state of its SLOs."</p>

            <h2>"Windows and counts"</h2>
            <p>"A rolling window of N days starts at the top of the hour N days ago; calendar weeks (from Monday), months and quarters are in UTC. Counts arrive in buckets of whole minutes within a clock hour; pushing a bucket again replaces it, so a retried push never counts twice. Minute buckets older than seven hours are merged into hour buckets and counts older than 93 days (longer than any quarter) are deleted: windows start on the hour, so every figure stays exact. A bucket counts in a burn-rate window when it starts inside it, so the 1-day and 3-day rates may differ from a minute-exact count by up to an hour at their far edge."</p>
        </div>
    }
}
