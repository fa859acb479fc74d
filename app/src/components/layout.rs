use leptos::prelude::*;
use leptos_router::hooks::use_location;

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
                <a href="/teams" aria-current=current("/teams")>"Teams"</a>
                <a href="/tiers" aria-current=current("/tiers")>"Tiers"</a>
            </nav>
            <form class="topsearch" method="get" action="/services" role="search">
                <label for="topsearch-q" class="visually-hidden">"Search services"</label>
                <input id="topsearch-q" type="search" name="q" placeholder="Search services…" autocomplete="off"/>
            </form>
        </header>
        <main id="main" class="content">{children()}</main>
        <footer class="footer">"Reliability Portal · service catalog, tiers and ownership"</footer>
    }
}
