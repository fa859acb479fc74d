use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::admin::{list_users, SetUserDisabled, SetUserRole};
use crate::components::fields::FormError;
use crate::components::paging::Pager;
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::domain::access::Role;
use crate::domain::user::{UserSummary, USERS_PER_PAGE};

/// Admin: everyone who has signed in, what their groups make them, and role overrides.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let page = super::page_param().get_untracked();
    view! {
        <Title text="People"/>
        <div class="page-head">
            <div>
                <h1>"People"</h1>
                <p class="muted">"Everyone who has signed in. Roles and teams come from the identity provider's groups at each sign-in; an override set here wins until it is cleared."</p>
            </div>
        </div>
        <PeopleDirectory page/>
    }
}

/// One island: after each role change the table is re-read, so it shows what is stored.
#[island]
fn PeopleDirectory(page: u32) -> impl IntoView {
    let action = ServerAction::<SetUserRole>::new();
    let access = ServerAction::<SetUserDisabled>::new();
    let data = Resource::new(
        move || (action.version().get(), access.version().get()),
        move |_| list_users(page),
    );
    view! {
        <FormError action/>
        <FormError action=access/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let (users, total) = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <ErrorView error=e/> }.into_any(),
                };
                if users.is_empty() {
                    return view! {
                        <EmptyState title="Nobody has signed in yet">
                            <p>"People appear here after their first sign-in through the identity provider."</p>
                        </EmptyState>
                    }.into_any();
                }
                let pages = ((total + USERS_PER_PAGE - 1) / USERS_PER_PAGE).max(1) as u32;
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead><tr>
                                <th scope="col">"Person"</th><th scope="col">"Teams"</th><th scope="col">"Groups"</th>
                                <th scope="col">"Role"</th><th scope="col">"Last sign-in"</th><th scope="col">"Change role"</th><th scope="col">"Access"</th>
                            </tr></thead>
                            <tbody>
                                {users.into_iter().map(|u| view! { <PersonRow u action access/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <Pager page pages total noun="people" href=|n| format!("/admin/people?page={n}")/>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
fn PersonRow(
    u: UserSummary,
    action: ServerAction<SetUserRole>,
    access: ServerAction<SetUserDisabled>,
) -> impl IntoView {
    let disabled = u.disabled_at.is_some();
    let access_label = format!("{} {}", if disabled { "Enable" } else { "Disable" }, u.name);
    let role = u.role();
    let source = if u.role_override.is_some() {
        "set by an admin"
    } else {
        "from groups"
    };
    let current = u.role_override.map(|r| r.as_str()).unwrap_or("idp");
    let select_id = format!("role-{}", u.id);
    let options: Vec<(String, String)> = std::iter::once((
        "idp".to_string(),
        format!("From groups ({})", u.idp_role.as_str()),
    ))
    .chain(
        Role::ALL
            .into_iter()
            .map(|r| (r.as_str().to_string(), r.label().to_string())),
    )
    .collect();
    view! {
        <tr>
            <td><strong>{u.name.clone()}</strong><br/><span class="muted">{u.email.clone()}</span></td>
            <td>{if u.teams.is_empty() { "—".to_string() } else { u.teams.join(", ") }}</td>
            <td class="muted small">{u.groups.join(", ")}</td>
            <td>
                <span class=format!("badge role-{}", role.as_str())>{role.label()}</span>
                {disabled.then(|| view! { " " <span class="badge status-bad">"Disabled"</span> })}
                <br/><span class="muted small">{source}</span>
            </td>
            <td class="muted">{u.last_login_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_else(|| "—".into())}</td>
            <td>
                <ActionForm action attr:class="inline-form">
                    <input type="hidden" name="user" value=u.id.to_string()/>
                    <label for=select_id.clone() class="visually-hidden">{format!("Role for {}", u.name)}</label>
                    <select id=select_id name="role">
                        {options.into_iter().map(|(v, l)| {
                            let selected = v == current;
                            view! { <option value=v selected=selected>{l}</option> }
                        }).collect_view()}
                    </select>
                    <button type="submit" class="button secondary small">"Save"</button>
                </ActionForm>
            </td>
            <td>
                // Disabling ends every session of theirs at its next request and refuses sign-in.
                {if u.is_you {
                    view! { <span class="muted small">"You"</span> }.into_any()
                } else {
                    view! {
                        <ActionForm action=access attr:class="inline-form">
                            <input type="hidden" name="user" value=u.id.to_string()/>
                            <input type="hidden" name="disable" value=(!disabled).to_string()/>
                            <button type="submit" class="button secondary small" aria-label=access_label>
                                {if disabled { "Enable" } else { "Disable" }}
                            </button>
                        </ActionForm>
                    }.into_any()
                }}
            </td>
        </tr>
    }
}
