use leptos::prelude::*;

/// The "delete this record" section at the foot of an edit page: what deleting does, then the
/// form (`children`: the delete button and its error) for whatever record the page edits.
#[component]
pub fn DangerZone(title: &'static str, warning: &'static str, children: Children) -> impl IntoView {
    view! {
        <section class="card danger-zone" aria-labelledby="delete-h">
            <h2 id="delete-h">{title}</h2>
            <p>{warning}</p>
            {children()}
        </section>
    }
}
