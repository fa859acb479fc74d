//! `/postmortems?q=`: full-text search over postmortems, best match first, with highlighted
//! snippets. Drafts only for those who may read them (decided in the query). Server-only.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::badges::PostmortemStatusBadge;
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::domain::postmortem_view::SearchHit;
use crate::store::postmortems::{SEARCH_MAX, SEARCH_PER_PAGE};

async fn load(q: String, page: u32) -> Result<Vec<SearchHit>, crate::error::AppError> {
    use crate::api::ctx;
    ctx::respond(
        async {
            let me = ctx::me()?;
            let st = ctx::state()?;
            crate::store::postmortems::search_cached(&st.pool, &st.cache, &q, &me, page).await
        }
        .await,
    )
}

fn href(q: &str, page: u32) -> String {
    let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    if page > 1 {
        format!("/postmortems?q={q}&page={page}")
    } else {
        format!("/postmortems?q={q}")
    }
}

#[component]
pub fn PostmortemSearchPage() -> impl IntoView {
    let (q, page) = use_query_map().with_untracked(|m| {
        let q: String = m
            .get("q")
            .unwrap_or_default()
            .trim()
            .chars()
            .take(SEARCH_MAX)
            .collect();
        let page = m
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
            .clamp(1, 50);
        (q, page)
    });
    let shown = q.clone();
    view! {
        <Title text="Postmortems"/>
        <h1>"Postmortems"</h1>
        <p class="muted">"Search what we learned: titles, summaries, every section and the timelines. Words, \"a phrase\", -without, or."</p>
        <search>
            <form method="get" action="/postmortems" class="searchbar" role="search" aria-label="Postmortems">
                <label for="pm-q" class="visually-hidden">"Search postmortems"</label>
                <input id="pm-q" type="search" name="q" value=shown maxlength=SEARCH_MAX.to_string() placeholder="database failover"/>
                <button type="submit" class="button">"Search"</button>
            </form>
        </search>
        <Suspense fallback=Loading>
            {move || {
                let q = q.clone();
                Suspend::new(async move {
                    if q.is_empty() {
                        return view! { <EmptyState title="Search postmortems"><p>"Type a few words: a service, a symptom, a cause."</p></EmptyState> }.into_any();
                    }
                    match load(q.clone(), page).await {
                        Err(e) => view! { <ErrorView error=e/> }.into_any(),
                        Ok(hits) if hits.is_empty() => view! {
                            <EmptyState title="Nothing found"><p>"Try other words, or fewer of them."</p></EmptyState>
                        }.into_any(),
                        Ok(hits) => {
                            let more = hits.len() as i64 == SEARCH_PER_PAGE;
                            view! {
                                <ol class="search-hits">
                                    {hits.into_iter().map(|h| view! {
                                        <li class="card">
                                            <a href=format!("/incidents/{}/postmortem", h.incident_id) class="hit-title">{format!("#{} {}", h.incident_id, h.title)}</a>
                                            " " <PostmortemStatusBadge status=h.status/>
                                            <span class="muted small">{format!(" · {}", h.started_at.format("%Y-%m-%d"))}</span>
                                            <p class="snippet" inner_html=h.snippet_html></p>
                                        </li>
                                    }).collect_view()}
                                </ol>
                                <nav class="pager" aria-label="Pagination">
                                    {(page > 1).then(|| view! { <a href=href(&q, page - 1) rel="prev" class="button secondary">"← Previous"</a> })}
                                    {more.then(|| view! { <a href=href(&q, page + 1) rel="next" class="button secondary">"Next →"</a> })}
                                </nav>
                            }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}
