use leptos::prelude::*;

use crate::domain::team::Team;

/// How to reach a team: the pager first (it is what people come for), then chat, email and the
/// escalation policy. `pager` is (label, url); None shows that nobody can be paged.
#[component]
pub fn TeamContacts(
    team: Team,
    pager: Option<(String, String)>,
    #[prop(optional)] show_team: bool,
) -> impl IntoView {
    let dash = |s: &str| {
        if s.is_empty() {
            "—".to_string()
        } else {
            s.to_string()
        }
    };
    view! {
        <dl class="kv">
            {show_team.then(|| view! {
                <dt>"Team"</dt>
                <dd><a href=format!("/teams/{}", team.slug) class="strong">{team.name.clone()}</a></dd>
            })}
            <dt>"Page"</dt>
            <dd>{match pager {
                Some((label, url)) => view! { <a href=url rel="noopener noreferrer" class="button small danger">{label}</a> }.into_any(),
                None => view! { <span class="badge warn">"No on-call"</span> }.into_any(),
            }}</dd>
            <dt>"Chat"</dt><dd>{dash(&team.chat_channel)}</dd>
            <dt>"Email"</dt>
            <dd>{if team.email.is_empty() {
                view! { <span class="muted">"—"</span> }.into_any()
            } else {
                view! { <a href=format!("mailto:{}", team.email)>{team.email.clone()}</a> }.into_any()
            }}</dd>
            <dt>"Escalation"</dt><dd class="prewrap">{dash(&team.escalation_policy)}</dd>
        </dl>
    }
}
