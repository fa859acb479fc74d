use leptos::prelude::*;

/// Previous / next links with "page x of y"; `href(n)` builds the URL for page n.
#[component]
pub fn Pager(
    page: u32,
    pages: u32,
    total: i64,
    noun: &'static str,
    href: impl Fn(u32) -> String,
) -> impl IntoView {
    let prev = (page > 1).then(|| href(page - 1));
    let next = (page < pages).then(|| href(page + 1));
    view! {
        <nav class="pager" aria-label="Pagination">
            {match prev {
                Some(h) => view! { <a href=h rel="prev" class="button secondary">"← Previous"</a> }.into_any(),
                None => view! { <span class="button secondary disabled" aria-disabled="true">"← Previous"</span> }.into_any(),
            }}
            <span class="pager-status">{format!("Page {page} of {pages} · {total} {noun}")}</span>
            {match next {
                Some(h) => view! { <a href=h rel="next" class="button secondary">"Next →"</a> }.into_any(),
                None => view! { <span class="button secondary disabled" aria-disabled="true">"Next →"</span> }.into_any(),
            }}
        </nav>
    }
}
