//! Link and dependency editors on the service edit page. Each link row has its own action so an
//! error shows on the row it belongs to.
use leptos::prelude::*;

use crate::api::services::{
    get_service, AddDependency, AddLink, DeleteLink, RemoveDependency, UpdateLink,
};
use crate::components::badges::TierBadge;
use crate::components::fields::{field_errors, FormError, SelectField, TextField};
use crate::components::states::EmptyState;
use crate::domain::dependency::DependencyEdge;
use crate::domain::link::{Link, LinkKind};

fn kind_options() -> Vec<(String, String)> {
    LinkKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), k.label().to_string()))
        .collect()
}

/// After each successful action: bump `version` so the lists are re-read, and empty `clear` (an
/// "add" form) for the next entry. The lists re-render in place, which would keep what was typed.
fn refetch_on_success<I>(
    action: ServerAction<I>,
    version: RwSignal<u32>,
    clear: Option<NodeRef<leptos::html::Form>>,
) where
    I: leptos::server_fn::ServerFn<Output = (), Error = crate::error::AppError>
        + Clone
        + Send
        + Sync
        + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            if let Some(form) = clear.and_then(|f| f.get_untracked()) {
                form.reset();
            }
            version.update(|v| *v += 1);
        }
    });
}

/// The page's links and dependencies, one island: after a change both lists are re-read (they
/// are one record on the server), and only the editor whose list changed re-renders.
#[island]
pub fn ServiceConnections(
    service: String,
    links: Vec<Link>,
    edges: Vec<DependencyEdge>,
) -> impl IntoView {
    let version = RwSignal::new(0u32);
    let links = RwSignal::new(links);
    let edges = RwSignal::new(edges);
    let reread_failed = RwSignal::new(None::<String>);
    let slug = service.clone();
    // Effects run only in the browser; the first run is the page as served.
    Effect::new(move |_| {
        let v = version.get();
        if v == 0 {
            return;
        }
        let slug = slug.clone();
        leptos::task::spawn_local(async move {
            let result = get_service(slug).await;
            // Only the reply to the latest change counts: an earlier one may arrive after it.
            if version.get_untracked() != v {
                return;
            }
            match result {
                Ok(d) => {
                    reread_failed.set(None);
                    if links.with_untracked(|l| *l != d.links) {
                        links.set(d.links);
                    }
                    if edges.with_untracked(|e| *e != d.depends_on) {
                        edges.set(d.depends_on);
                    }
                }
                Err(e) => reread_failed.set(Some(format!(
                    "Saved, but the lists could not be re-read: {e} Reload the page to see them."
                ))),
            }
        });
    });
    let service2 = service.clone();
    view! {
        {move || reread_failed.get().map(|m| view! { <div class="form-error" role="alert">{m}</div> })}
        {move || view! { <LinkEditor service=service.clone() links=links.get() version/> }}
        {move || view! { <DependencyEditor service=service2.clone() edges=edges.get() version/> }}
    }
}

#[component]
fn LinkEditor(service: String, links: Vec<Link>, version: RwSignal<u32>) -> impl IntoView {
    let add = ServerAction::<AddLink>::new();
    let add_form = NodeRef::new();
    refetch_on_success(add, version, Some(add_form));
    let errors = field_errors(add);
    view! {
        <section class="card" id="links" aria-labelledby="links-edit-h">
            <h2 id="links-edit-h">"Links"</h2>
            {if links.is_empty() {
                view! { <EmptyState title="No links yet"><p>"Start with the runbook and the dashboard."</p></EmptyState> }.into_any()
            } else {
                view! {
                    <ul class="link-rows">
                        {links.into_iter().map(|l| view! { <LinkRow service=service.clone() l version/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <h3>"Add a link"</h3>
            <ActionForm action=add node_ref=add_form attr:class="form inline-form" attr:novalidate=true>
                <input type="hidden" name="service" value=service.clone()/>
                <SelectField prefix="form" name="kind" label="Kind" value="runbook".to_string() options=kind_options() errors id_suffix="-new"/>
                <TextField prefix="form" name="title" label="Title" value=String::new() errors id_suffix="-new" placeholder="Runbook"/>
                <TextField prefix="form" name="url" label="URL" value=String::new() errors required=true input_type="url" id_suffix="-new" placeholder="https://"/>
                <TextField prefix="form" name="last_reviewed_on" label="Last reviewed" value=String::new() errors input_type="date" id_suffix="-new"/>
                <div class="actions"><button type="submit" class="button">"Add link"</button></div>
            </ActionForm>
            <FormError action=add/>
        </section>
    }
}

#[component]
fn LinkRow(service: String, l: Link, version: RwSignal<u32>) -> impl IntoView {
    let update = ServerAction::<UpdateLink>::new();
    let delete = ServerAction::<DeleteLink>::new();
    // A saved row already shows what was saved; only deletion changes the list.
    refetch_on_success(delete, version, None);
    let errors = field_errors(update);
    let suffix = format!("-{}", l.id);
    let saved = move || matches!(update.value().get(), Some(Ok(())));
    let (service2, id) = (service.clone(), l.id.to_string());
    let delete_label = format!("Delete link {}", l.title);
    view! {
        <li class="link-row" data-link-id=l.id.to_string()>
            <ActionForm action=update attr:class="form inline-form" attr:novalidate=true>
                <input type="hidden" name="service" value=service.clone()/>
                <input type="hidden" name="id" value=l.id.to_string()/>
                <SelectField prefix="form" name="kind" label="Kind" value=l.kind.as_str().to_string() options=kind_options() errors id_suffix=suffix.clone()/>
                <TextField prefix="form" name="title" label="Title" value=l.title.clone() errors id_suffix=suffix.clone()/>
                <TextField prefix="form" name="url" label="URL" value=l.url.clone() errors required=true input_type="url" id_suffix=suffix.clone()/>
                <TextField prefix="form" name="last_reviewed_on" label="Last reviewed" input_type="date" errors id_suffix=suffix.clone()
                    value=l.last_reviewed_on.map(|d| d.to_string()).unwrap_or_default()/>
                <div class="actions">
                    <button type="submit" class="button secondary">"Save"</button>
                    <Show when=saved><span class="saved" role="status">"Saved"</span></Show>
                </div>
            </ActionForm>
            <ActionForm action=delete attr:class="inline-delete">
                <input type="hidden" name="service" value=service2/>
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="button link-danger" aria-label=delete_label>"Delete"</button>
            </ActionForm>
            <FormError action=update/>
            <FormError action=delete/>
        </li>
    }
}

#[component]
fn DependencyEditor(
    service: String,
    edges: Vec<DependencyEdge>,
    version: RwSignal<u32>,
) -> impl IntoView {
    let add = ServerAction::<AddDependency>::new();
    let remove = ServerAction::<RemoveDependency>::new();
    let add_form = NodeRef::new();
    refetch_on_success(add, version, Some(add_form));
    refetch_on_success(remove, version, None);
    let errors = field_errors(add);
    let kinds = vec![
        ("hard".to_string(), "Hard — fails when it fails".to_string()),
        (
            "soft".to_string(),
            "Soft — degrades when it fails".to_string(),
        ),
    ];
    let rows = edges
        .into_iter()
        .map(|e| {
            let service = service.clone();
            view! {
                <li>
                    <TierBadge tier=e.tier/> " "
                    <a href=format!("/services/{}", e.slug)>{e.name.clone()}</a> " "
                    <span class=format!("badge dep-{}", e.kind.as_str())>{e.kind.as_str()}</span>
                    <ActionForm action=remove attr:class="inline-delete">
                        <input type="hidden" name="service" value=service/>
                        <input type="hidden" name="target" value=e.slug.clone()/>
                        <button type="submit" class="button link-danger" aria-label=format!("Remove dependency on {}", e.slug)>"Remove"</button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    let empty = rows.is_empty();
    view! {
        <section class="card" id="dependencies" aria-labelledby="deps-edit-h">
            <h2 id="deps-edit-h">"Depends on"</h2>
            {if empty {
                view! { <p class="muted">"No dependencies declared."</p> }.into_any()
            } else {
                view! { <ul class="edges">{rows}</ul> }.into_any()
            }}
            <FormError action=remove/>
            <h3>"Add a dependency"</h3>
            <ActionForm action=add node_ref=add_form attr:class="form inline-form" attr:novalidate=true>
                <input type="hidden" name="service" value=service.clone()/>
                <TextField prefix="form" name="target" label="Service slug" value=String::new() errors required=true placeholder="ledger"/>
                <SelectField prefix="form" name="kind" label="Kind" value="hard".to_string() options=kinds errors/>
                <div class="actions"><button type="submit" class="button">"Add dependency"</button></div>
            </ActionForm>
            <FormError action=add/>
        </section>
    }
}
