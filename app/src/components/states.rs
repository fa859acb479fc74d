use leptos::prelude::*;

use crate::error::AppError;

/// An empty list says why it is empty and what to do next.
#[component]
pub fn EmptyState(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="empty">
            <p class="empty-title">{title}</p>
            <div class="empty-body">{children()}</div>
        </div>
    }
}

#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    let (title, hint) = match &error {
        AppError::NotFound(_) => (
            "Not found",
            "It may have been renamed or deleted. Try the catalog search.",
        ),
        AppError::Internal(_) => ("Something went wrong", "Try again in a moment."),
        AppError::Unavailable => (
            "Database unavailable",
            "The portal cannot reach its database. It recovers by itself; reload in a moment.",
        ),
        AppError::Busy(_) => ("Busy", "Try again in a moment."),
        AppError::Unauthenticated => ("Signed out", ""),
        AppError::Forbidden(_) => ("Not allowed", "Ask an admin if you need access."),
        _ => ("That did not work", ""),
    };
    // A session that ended mid-visit: sign in again and come back here.
    let next = matches!(error, AppError::Unauthenticated).then(|| {
        let path = current_path();
        format!(
            "/auth/login?next={}",
            url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>()
        )
    });
    view! {
        <div class="error-page" role="alert">
            <h1>{title}</h1>
            <p>{error.to_string()}</p>
            <p class="muted">{hint}</p>
            {match next {
                Some(href) => view! { <p><a href=href class="button" rel="external">"Sign in again"</a></p> }.into_any(),
                None => view! { <p><a href="/services" class="button">"Go to the catalog"</a></p> }.into_any(),
            }}
        </div>
    }
}

/// The path of the page being shown. Not the router's location: an island (in the browser) has
/// no router.
fn current_path() -> String {
    #[cfg(feature = "ssr")]
    let path = use_context::<http::request::Parts>().map(|p| p.uri.path().to_string());
    #[cfg(not(feature = "ssr"))]
    let path = window().location().pathname().ok();
    path.unwrap_or_else(|| "/".to_string())
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="muted loading">"Loading…"</p> }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    // leptos_axum answers 404 for unmatched routes; this is what the person sees.
    view! {
        <leptos_meta::Title text="Page not found"/>
        <div class="error-page">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address. It may have moved, or the link may be mistyped."</p>
            <p>
                <a href="/services" class="button">"Browse the catalog"</a>
                " "
                <a href="/" class="button secondary">"Overview"</a>
            </p>
        </div>
    }
}
