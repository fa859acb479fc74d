//! Form fields that show their error beside the input and keep what the user typed (the inputs
//! are never re-rendered on error; only the message nodes are reactive).
use leptos::prelude::*;

use crate::domain::validation::FieldErrors;
use crate::error::AppError;

/// The field errors of an action's last result, if it failed validation.
pub fn field_errors<I, O>(action: ServerAction<I>) -> Signal<Option<FieldErrors>>
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .and_then(|e| e.field_errors().cloned())
    })
}

/// `aria-invalid` for the input bound to `name`.
fn invalid(errors: Signal<Option<FieldErrors>>, name: &'static str) -> impl Fn() -> String {
    move || {
        errors
            .get()
            .is_some_and(|e| e.get(name).is_some())
            .to_string()
    }
}

/// Label, hint and error around one input; `children` is the input itself, whose id must be `id`.
#[component]
pub fn FieldShell(
    id: String,
    label: &'static str,
    name: &'static str,
    errors: Signal<Option<FieldErrors>>,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] required: bool,
    children: Children,
) -> impl IntoView {
    let error = move || errors.get().and_then(|e| e.get(name).map(str::to_string));
    let err_id = format!("{id}-error");
    view! {
        <div class="field" class:invalid=move || error().is_some()>
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="req" aria-hidden="true">" *"</span> })}
            </label>
            {children()}
            {(!hint.is_empty()).then(|| view! { <p class="hint">{hint}</p> })}
            <p class="field-error" id=err_id role="alert">{error}</p>
        </div>
    }
}

/// A text-like input bound to `{prefix}[{name}]`, as server functions expect struct fields.
#[component]
pub fn TextField(
    prefix: &'static str,
    name: &'static str,
    label: &'static str,
    value: String,
    errors: Signal<Option<FieldErrors>>,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] required: bool,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional, into)] id_suffix: String,
) -> impl IntoView {
    let id = format!("{prefix}-{name}{id_suffix}");
    let invalid = invalid(errors, name);
    view! {
        <FieldShell id=id.clone() label name errors hint required>
            <input
                id=id.clone()
                type=input_type
                name=format!("{prefix}[{name}]")
                value=value
                placeholder=placeholder
                aria-invalid=invalid
                aria-describedby=format!("{id}-error")
            />
        </FieldShell>
    }
}

#[component]
pub fn TextArea(
    prefix: &'static str,
    name: &'static str,
    label: &'static str,
    value: String,
    errors: Signal<Option<FieldErrors>>,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    let id = format!("{prefix}-{name}");
    let invalid = invalid(errors, name);
    view! {
        <FieldShell id=id.clone() label name errors hint>
            <textarea id=id.clone() name=format!("{prefix}[{name}]") rows="4" aria-invalid=invalid aria-describedby=format!("{id}-error")>
                {value}
            </textarea>
        </FieldShell>
    }
}

/// `options` are (value, label); the one equal to `value` starts selected.
#[component]
pub fn SelectField(
    prefix: &'static str,
    name: &'static str,
    label: &'static str,
    value: String,
    options: Vec<(String, String)>,
    errors: Signal<Option<FieldErrors>>,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] id_suffix: String,
) -> impl IntoView {
    let id = format!("{prefix}-{name}{id_suffix}");
    let invalid = invalid(errors, name);
    view! {
        <FieldShell id=id.clone() label name errors hint required>
            <select id=id.clone() name=format!("{prefix}[{name}]") aria-invalid=invalid aria-describedby=format!("{id}-error")>
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        let selected = v == value;
                        view! { <option value=v selected=selected>{l}</option> }
                    })
                    .collect_view()}
            </select>
        </FieldShell>
    }
}

/// The form-level message: a summary for validation errors, or the whole message otherwise.
#[component]
pub fn FormError<I>(action: ServerAction<I>) -> impl IntoView
where
    I: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    I::Output: Clone + Send + Sync + 'static,
{
    let message = move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    view! {
        <Show when=move || message().is_some()>
            <div class="form-error" role="alert">{message}</div>
        </Show>
    }
}
