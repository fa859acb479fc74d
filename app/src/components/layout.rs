use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::access::{use_me, IfCan};
use crate::domain::access::Permission;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let location = use_location();
    let current = move |prefix: &'static str| {
        move || {
            let path = location.pathname.get();
            let on = if prefix == "/" {
                path == "/"
            } else {
                path.starts_with(prefix)
            };
            on.then_some("page")
        }
    };
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <header class="topbar">
            <a href="/" class="brand">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                " Reliability Portal"
            </a>
            <nav class="mainnav" aria-label="Main">
                <a href="/" aria-current=current("/")>"Overview"</a>
                <a href="/services" aria-current=current("/services")>"Services"</a>
                <a href="/slos" aria-current=current("/slos")>"SLOs"</a>
                <a href="/incidents" aria-current=current("/incidents")>"Incidents"</a>
                <a href="/actions" aria-current=current("/actions")>"Actions"</a>
                <a href="/postmortems" aria-current=current("/postmortems")>"Postmortems"</a>
                <a href="/teams" aria-current=current("/teams")>"Teams"</a>
                <a href="/tiers" aria-current=current("/tiers")>"Tiers"</a>
                <a href="/api-docs" aria-current=current("/api-docs")>"API"</a>
                <IfCan perm=Permission::ViewAudit>
                    <a href="/admin/people" aria-current=current("/admin/people")>"People"</a>
                    <a href="/admin/audit" aria-current=current("/admin/audit")>"Audit"</a>
                    <a href="/admin/tokens" aria-current=current("/admin/tokens")>"Tokens"</a>
                    <a href="/admin/postmortems" aria-current=current("/admin/postmortems")>"PM settings"</a>
                </IfCan>
            </nav>
            <form class="topsearch" method="get" action="/services" role="search" aria-label="Site search">
                <label for="topsearch-q" class="visually-hidden">"Search services"</label>
                <input id="topsearch-q" type="search" name="q" placeholder="Search services…" autocomplete="off"/>
            </form>
            <UserMenu/>
        </header>
        <main id="main" class="content">{children()}</main>
        <footer class="footer">"Reliability Portal · service catalog, tiers and ownership"</footer>
        <super::time::LocalTimes/>
    }
}

/// Who is signed in, their role, and sign-out (a POST: signing out is a change).
#[component]
fn UserMenu() -> impl IntoView {
    let me = use_me();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                me.await.ok().map(|m| view! {
                    <div class="usermenu">
                        <span class="user-name" title=m.email.clone()>{m.name.clone()}</span>
                        <span class=format!("badge role-{}", m.role.as_str()) title=m.role.describe()>{m.role.label()}</span>
                        <form method="post" action="/auth/logout">
                            <button type="submit" class="button secondary small">"Sign out"</button>
                        </form>
                    </div>
                })
            })}
        </Suspense>
    }
}
