//! Import Backstage descriptors: paste or upload, preview exactly what would change, apply.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::import::{apply_import, apply_slo_import, preview_import, preview_slo_import};
// `Action` is Leptos' own; the plan's is `PlanAction` here.
use crate::domain::import::{
    Action as PlanAction, Finding, ImportFile, ImportReport, PlanRow, MAX_FILES, MAX_TOTAL_BYTES,
};
use crate::error::AppError;

#[component]
pub fn ImportPage() -> impl IntoView {
    view! {
        <Title text="Import from Backstage"/>
        <div class="page-head">
            <div>
                <h1>"Import from Backstage"</h1>
                <p class="muted">"Paste or upload "<code>"catalog-info.yaml"</code>" files. "
                "Groups become teams and Components become services, with their links, owners and dependencies. "
                "You see exactly what would change before anything does; teams and services the files do not name are left alone."</p>
            </div>
            <a href="/export/catalog.yaml" class="button secondary" download="catalog-info.yaml">"Export the catalog as YAML"</a>
        </div>
        <ImportTool openslo=false/>
    }
}

#[component]
pub fn SloImportPage() -> impl IntoView {
    view! {
        <Title text="Import SLOs from OpenSLO"/>
        <div class="page-head">
            <div>
                <h1>"Import SLOs from OpenSLO"</h1>
                <p class="muted">"Paste or upload OpenSLO v1 files: "<code>"SLO"</code>" documents with a ratio metric (inline or an "<code>"SLI"</code>" they reference), "
                "a rolling or calendar window and Occurrences budgeting. Each SLO goes to the catalog service its "<code>"spec.service"</code>" names. "
                "You see exactly what would change before anything does; SLOs the files do not name are left alone."</p>
            </div>
            <a href="/export/openslo.yaml" class="button secondary" download="slos.openslo.yaml">"Export every SLO as OpenSLO"</a>
        </div>
        <ImportTool openslo=true/>
    }
}

/// What the tool holds: the files chosen or pasted, and the last preview of exactly those.
#[island]
fn ImportTool(openslo: bool) -> impl IntoView {
    let uploaded = RwSignal::new(Vec::<ImportFile>::new());
    let pasted = RwSignal::new(String::new());
    let files = move || {
        let mut f = uploaded.get();
        if !pasted.get().trim().is_empty() {
            f.push(ImportFile {
                name: "pasted YAML".into(),
                content: pasted.get(),
            });
        }
        f
    };
    let preview = Action::new(move |f: &Vec<ImportFile>| {
        let f = f.clone();
        async move {
            if openslo {
                preview_slo_import(f).await
            } else {
                preview_import(f).await
            }
        }
    });
    let apply = Action::new(move |(f, d): &(Vec<ImportFile>, String)| {
        let (f, d) = (f.clone(), d.clone());
        async move {
            if openslo {
                apply_slo_import(f, d).await
            } else {
                apply_import(f, d).await
            }
        }
    });
    let placeholder = if openslo {
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: availability\nspec:\n  service: payments-api"
    } else {
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: payments-api"
    };
    // A preview answers for the files it was made from; change them and it is stale.
    let previewed_files = RwSignal::new(Vec::<ImportFile>::new());
    let stale = move || previewed_files.get() != files();
    let upload_error = RwSignal::new(None::<String>);

    let on_files = move |ev: leptos::ev::Event| {
        use leptos::wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(list) = input.files() else { return };
        let chosen: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        if chosen.len() > MAX_FILES {
            upload_error.set(Some(format!("Choose at most {MAX_FILES} files.")));
            return;
        }
        let total: f64 = chosen.iter().map(|f| f.size()).sum();
        if total > MAX_TOTAL_BYTES as f64 {
            upload_error.set(Some(format!(
                "These files hold more than {} MiB; import them in parts.",
                MAX_TOTAL_BYTES / 1024 / 1024
            )));
            return;
        }
        upload_error.set(None);
        leptos::task::spawn_local(async move {
            let mut read = Vec::new();
            for f in chosen {
                let text = wasm_bindgen_futures::JsFuture::from(f.text()).await;
                match text.ok().and_then(|t| t.as_string()) {
                    Some(content) => read.push(ImportFile {
                        name: f.name(),
                        content,
                    }),
                    None => {
                        upload_error.set(Some(format!("{} could not be read as text.", f.name())))
                    }
                }
            }
            uploaded.set(read);
        });
    };

    let run_preview = move |_| {
        let f = files();
        previewed_files.set(f.clone());
        apply.value().set(None);
        preview.dispatch(f);
    };
    let report = move || preview.value().get();
    let applied = move || apply.value().get();
    let can_apply = move || {
        !stale()
            && !apply.pending().get()
            && applied().is_none()
            && matches!(report(), Some(Ok(r)) if r.has_changes())
    };
    let run_apply = move |_| {
        if let Some(Ok(r)) = report() {
            apply.dispatch((previewed_files.get(), r.digest));
        }
    };

    view! {
        <section class="card" aria-labelledby="import-input-h">
            <h2 id="import-input-h">{if openslo { "1. Choose the OpenSLO files" } else { "1. Choose the descriptors" }}</h2>
            <div class="form-grid">
                <div class="field">
                    <label for="import-files">"Upload files"</label>
                    <input id="import-files" type="file" multiple=true accept=".yaml,.yml,text/yaml" on:change=on_files
                        aria-describedby="import-files-hint import-files-error"/>
                    <p class="hint" id="import-files-hint">{format!("Up to {MAX_FILES} files, {} MiB in all; several documents per file (---).", MAX_TOTAL_BYTES / 1024 / 1024)}</p>
                    <p class="field-error" id="import-files-error" role="alert">{move || upload_error.get()}</p>
                    <Show when=move || !uploaded.get().is_empty()>
                        <p class="small">{move || {
                            let u = uploaded.get();
                            format!("{} file{} ready: {}", u.len(), if u.len() == 1 { "" } else { "s" },
                                u.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", "))
                        }}</p>
                    </Show>
                </div>
                <div class="field">
                    <label for="import-paste">"Or paste YAML"</label>
                    <textarea id="import-paste" rows="10" class="mono" spellcheck="false"
                        placeholder=placeholder
                        prop:value=move || pasted.get()
                        on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
                </div>
            </div>
            <div class="actions">
                <button type="button" class="button" on:click=run_preview
                    disabled=move || preview.pending().get() || files().is_empty()>
                    {move || if preview.pending().get() { "Reading…" } else { "Preview import" }}
                </button>
            </div>
        </section>
        {move || report().map(|r| match r {
            Err(e) => view! { <FailedPreview e/> }.into_any(),
            Ok(r) => view! {
                <Preview r=r.clone() openslo/>
                <section class="card" aria-labelledby="import-apply-h">
                    <h2 id="import-apply-h">"3. Apply"</h2>
                    <Show when=stale>
                        <p class="notice warn" role="status">"The files changed since this preview. Preview again before applying."</p>
                    </Show>
                    <Show when=move || !r.has_changes()>
                        <p class="muted">"Nothing to change: the portal already says what these files say."</p>
                    </Show>
                    <div class="actions">
                        <button type="button" class="button" on:click=run_apply disabled=move || !can_apply()>
                            {move || if apply.pending().get() { "Importing…" } else { "Apply import" }}
                        </button>
                    </div>
                    {move || applied().map(|a| match a {
                        Ok(done) => view! { <Applied r=done/> }.into_any(),
                        Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                    })}
                </section>
            }.into_any(),
        })}
    }
}

#[component]
fn FailedPreview(e: AppError) -> impl IntoView {
    let message = e
        .field_errors()
        .and_then(|f| f.get("files").map(str::to_string))
        .unwrap_or_else(|| e.to_string());
    view! { <p class="form-error" role="alert">{message}</p> }
}

fn counts(r: &ImportReport, entity: &str) -> String {
    format!(
        "{} to create · {} to update · {} unchanged",
        r.count(entity, PlanAction::Create),
        r.count(entity, PlanAction::Update),
        r.count(entity, PlanAction::Unchanged)
    )
}

#[component]
fn Preview(r: ImportReport, openslo: bool) -> impl IntoView {
    let teams: Vec<PlanRow> = r
        .rows
        .iter()
        .filter(|x| x.entity_type == "team")
        .cloned()
        .collect();
    let services: Vec<PlanRow> = r
        .rows
        .iter()
        .filter(|x| x.entity_type == "service")
        .cloned()
        .collect();
    let slos: Vec<PlanRow> = r
        .rows
        .iter()
        .filter(|x| x.entity_type == "slo")
        .cloned()
        .collect();

    view! {
        <section class="card" aria-labelledby="import-preview-h">
            <h2 id="import-preview-h">"2. Preview"</h2>
            <ul class="import-summary" aria-label="Summary">
                {if openslo {
                    view! { <li><strong>"SLOs: "</strong>{counts(&r, "slo")}</li> }.into_any()
                } else {
                    view! {
                        <li><strong>"Teams: "</strong>{counts(&r, "team")}</li>
                        <li><strong>"Services: "</strong>{counts(&r, "service")}</li>
                    }.into_any()
                }}
                <li class=if r.errors.is_empty() { "" } else { "danger-text" }><strong>"Documents with errors: "</strong>{r.errors.len()}" (left out; the rest still import)"</li>
                <li><strong>"Skipped: "</strong>{r.skipped.len()}<strong>" · Notes: "</strong>{r.notes.len()}</li>
            </ul>
            <Findings title="Errors" caption="Documents that will not be imported" items=r.errors.clone()/>
            <PlanTable title="Teams" rows=teams/>
            <PlanTable title="Services" rows=services/>
            <PlanTable title="SLOs" rows=slos/>
            <Findings title="Skipped" caption="Documents the portal does not import" items=r.skipped.clone()/>
            <Findings title="Notes" caption="Parts of documents that are ignored" items=r.notes.clone()/>
        </section>
    }
}

#[component]
fn PlanTable(title: &'static str, rows: Vec<PlanRow>) -> impl IntoView {
    if rows.is_empty() {
        return ().into_any();
    }
    view! {
        <h3>{title}</h3>
        <div class="table-wrap">
            <table class="table">
                <caption class="visually-hidden">{format!("{title} in the import")}</caption>
                <thead><tr>
                    <th scope="col">"Action"</th><th scope="col">"Name"</th><th scope="col">"What changes"</th><th scope="col">"From"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr>
                            <td><span class=format!("badge action-{}", row.action.as_str())>{row.action.as_str()}</span></td>
                            <td><strong>{row.name.clone()}</strong><br/><code class="muted small">{row.slug.clone()}</code></td>
                            <td class="small">
                                {match row.action {
                                    PlanAction::Create => view! { <span>"new"</span> }.into_any(),
                                    PlanAction::Unchanged => view! { <span class="muted">"—"</span> }.into_any(),
                                    PlanAction::Update => view! {
                                        <ul class="changes">{row.changes.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}</ul>
                                    }.into_any(),
                                }}
                            </td>
                            <td class="muted small">{row.source.to_string()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn Findings(title: &'static str, caption: &'static str, items: Vec<Finding>) -> impl IntoView {
    if items.is_empty() {
        return ().into_any();
    }
    view! {
        <h3>{title}</h3>
        <div class="table-wrap">
            <table class="table">
                <caption class="visually-hidden">{caption}</caption>
                <thead><tr>
                    <th scope="col">"File and document"</th><th scope="col">"Entity"</th><th scope="col">"Field"</th><th scope="col">"Message"</th>
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|f| view! {
                        <tr>
                            <td class="small">{f.source.to_string()}</td>
                            <td>{f.entity}</td>
                            <td><code class="small">{f.field}</code></td>
                            <td>{f.message}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn Applied(r: ImportReport) -> impl IntoView {
    let changed: Vec<PlanRow> = r
        .rows
        .iter()
        .filter(|x| x.action != PlanAction::Unchanged)
        .cloned()
        .collect();
    view! {
        <div class="notice" role="status">
            <p><strong>{format!("Imported: {} created, {} updated.",
                r.rows.iter().filter(|x| x.action == PlanAction::Create).count(),
                r.rows.iter().filter(|x| x.action == PlanAction::Update).count())}</strong>
                " Every change is in the audit trail."</p>
            <ul class="changes">
                {changed.into_iter().map(|x| {
                    let href = match x.entity_type.as_str() {
                        "team" => format!("/teams/{}", x.slug),
                        // "service/slo"
                        "slo" => format!("/services/{}", x.slug.replacen('/', "/slos/", 1)),
                        _ => format!("/services/{}", x.slug),
                    };
                    view! { <li><a href=href>{x.name}</a>" "<span class="muted small">{format!("({})", x.action.as_str())}</span></li> }
                }).collect_view()}
            </ul>
        </div>
    }
}
