//! The forms of the postmortem pages, as islands (compiled for the browser too): starting a
//! postmortem, its sections, lifecycle steps, timeline entries, action items and the admin's
//! settings. Each posts to a server function that checks again.
use leptos::prelude::*;

use crate::api::postmortems::{
    AddTimelineEntry, CreateActionItem, DeleteTimelineEntry, PostmortemStep, SavePostmortem,
    SavePostmortemSettings, StartPostmortem, UpdateActionItem,
};
use crate::components::fields::{field_errors, FormError, SelectField, TextArea, TextField};
use crate::domain::action_item::{ActionForm, ActionKind, ActionStatus, Priority};
use crate::domain::postmortem::{PostmortemForm, TimelineKind, SECTIONS};
use crate::domain::postmortem_settings::SettingsForm;
use crate::domain::validation::FieldErrors;

#[island]
pub fn StartPostmortemForm(id: i64) -> impl IntoView {
    let action = ServerAction::<StartPostmortem>::new();
    view! {
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="id" value=id.to_string()/>
            <button type="submit" class="button" disabled=move || action.pending().get()>"Start the postmortem"</button>
            <FormError action/>
        </ActionForm>
    }
}

/// One lifecycle step: submit, request_changes or publish.
#[island]
pub fn StepForm(id: i64, step: String, label: String, secondary: bool) -> impl IntoView {
    let action = ServerAction::<PostmortemStep>::new();
    let class = if secondary {
        "button secondary"
    } else {
        "button"
    };
    view! {
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="id" value=id.to_string()/>
            <input type="hidden" name="step" value=step/>
            <button type="submit" class=class disabled=move || action.pending().get()>{label}</button>
            <FormError action/>
        </ActionForm>
    }
}

#[island]
pub fn PostmortemEditForm(
    id: i64,
    initial: PostmortemForm,
    categories: Vec<(String, String)>,
) -> impl IntoView {
    let action = ServerAction::<SavePostmortem>::new();
    let errors = field_errors(action);
    let mut options = vec![(String::new(), "Not decided yet".to_string())];
    options.extend(categories);
    let values: Vec<String> = initial.sections().into_iter().cloned().collect();
    view! {
        <ActionForm action attr:class="form card postmortem-form" attr:novalidate=true>
            <input type="hidden" name="id" value=id.to_string()/>
            <input type="hidden" name="form[version]" value=initial.version.clone()/>
            <p class="muted small">"Markdown: **bold**, _italic_, lists, links, tables. Blameless: write about systems and decisions, not people."</p>
            <SelectField prefix="form" name="root_cause" label="Root-cause category" value=initial.root_cause.clone() options errors
                hint="Incidents on the same service with the same category within the repeat window are marked as repeats."/>
            {SECTIONS.iter().zip(values).map(|((name, label, hint), value)| view! {
                <TextArea prefix="form" name=*name label=*label value errors hint=*hint/>
            }).collect_view()}
            <TextArea prefix="form" name="no_action_reason" label="No action items because" value=initial.no_action_reason.clone() errors
                hint="Only when the postmortem has no action items: it cannot be published without them or a reason (\"no action needed: …\")."/>
            <FormError action/>
            <div class="actions">
                <button type="submit" class="button" disabled=move || action.pending().get()>"Save postmortem"</button>
                <a href=format!("/incidents/{id}/postmortem") class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
    }
}

#[island]
pub fn TimelineAddForm(id: i64, zone: String) -> impl IntoView {
    let action = ServerAction::<AddTimelineEntry>::new();
    let errors = field_errors(action);
    let kinds: Vec<(String, String)> = TimelineKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), k.label().to_string()))
        .collect();
    // The action item form on the same page has a "kind" too: ids apart, names alike.
    view! {
        <ActionForm action attr:class="form timeline-form" attr:novalidate=true>
            <input type="hidden" name="id" value=id.to_string()/>
            <div class="form-grid">
                <TextField prefix="form" name="at" label="When" value=String::new() errors required=true input_type="datetime-local"/>
                <TextField prefix="form" name="zone" label="Time zone" value=zone errors hint="The zone the time is in; stored in UTC."/>
                <SelectField prefix="form" name="kind" label="Kind" value="diagnosis".to_string() options=kinds errors required=true id_suffix="-tl"/>
            </div>
            <TextArea prefix="form" name="body" label="What happened" value=String::new() errors/>
            <FormError action/>
            <div class="actions"><button type="submit" class="button secondary" disabled=move || action.pending().get()>"Add to the timeline"</button></div>
        </ActionForm>
    }
}

#[island]
pub fn TimelineDeleteForm(id: i64, entry: i64) -> impl IntoView {
    let action = ServerAction::<DeleteTimelineEntry>::new();
    view! {
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="id" value=id.to_string()/>
            <input type="hidden" name="entry" value=entry.to_string()/>
            <button type="submit" class="link-button small" disabled=move || action.pending().get()>"Remove"<span class="visually-hidden">" this timeline entry"</span></button>
            <FormError action/>
        </ActionForm>
    }
}

fn kind_options() -> Vec<(String, String)> {
    ActionKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), k.label().to_string()))
        .collect()
}

fn priority_options() -> Vec<(String, String)> {
    Priority::ALL
        .iter()
        .map(|p| (p.number().to_string(), p.label()))
        .collect()
}

#[component]
fn ActionFields(
    initial: ActionForm,
    errors: Signal<Option<FieldErrors>>,
    with_status: bool,
) -> impl IntoView {
    let statuses: Vec<(String, String)> = ActionStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.label().to_string()))
        .collect();
    view! {
        <div class="form-grid">
            <TextField prefix="form" name="title" label="Action" value=initial.title errors required=true placeholder="Alert on replication lag over 30 s"/>
            <SelectField prefix="form" name="kind" label="Kind" value=initial.kind options=kind_options() errors required=true
                hint="Mitigate the next one, prevent it, detect it sooner, or change a process."/>
            <SelectField prefix="form" name="priority" label="Priority" value=initial.priority options=priority_options() errors required=true
                hint="P0 is the most urgent."/>
            <TextField prefix="form" name="team" label="Owning team" value=initial.team errors required=true hint="The team's slug." placeholder="payments"/>
            <TextField prefix="form" name="owner" label="Owner" value=initial.owner errors input_type="email"
                hint="Optional: the email of someone who has signed in." placeholder="bob@example.com"/>
            <TextField prefix="form" name="service" label="Service" value=initial.service errors hint="Optional: a catalog slug."/>
            <TextField prefix="form" name="due_on" label="Due" value=initial.due_on errors input_type="date"/>
            <TextField prefix="form" name="url" label="Tracker link" value=initial.url errors input_type="url"
                hint="The item in the team's own tracker." placeholder="https://tracker.example.com/PAY-123"/>
            {with_status.then(|| view! {
                <SelectField prefix="form" name="status" label="Status" value=initial.status.clone() options=statuses errors required=true/>
            })}
        </div>
        {with_status.then(|| view! {
            <TextArea prefix="form" name="wont_do_reason" label="Won't do because" value=initial.wont_do_reason errors
                hint="Required when the status is won't do."/>
        })}
    }
}

#[island]
pub fn ActionCreateForm(id: i64, team: String) -> impl IntoView {
    let action = ServerAction::<CreateActionItem>::new();
    let initial = ActionForm {
        kind: "prevent".into(),
        priority: "2".into(),
        team,
        ..Default::default()
    };
    view! {
        <ActionForm action attr:class="form" attr:novalidate=true>
            <input type="hidden" name="id" value=id.to_string()/>
            <ActionFields initial errors=field_errors(action) with_status=false/>
            <FormError action/>
            <div class="actions"><button type="submit" class="button secondary" disabled=move || action.pending().get()>"Add action item"</button></div>
        </ActionForm>
    }
}

#[island]
pub fn ActionEditForm(id: i64, incident_id: i64, initial: ActionForm) -> impl IntoView {
    let action = ServerAction::<UpdateActionItem>::new();
    view! {
        <ActionForm action attr:class="form card" attr:novalidate=true>
            <input type="hidden" name="id" value=id.to_string()/>
            <input type="hidden" name="form[version]" value=initial.version.clone()/>
            <ActionFields initial errors=field_errors(action) with_status=true/>
            <FormError action/>
            <div class="actions">
                <button type="submit" class="button" disabled=move || action.pending().get()>"Save action item"</button>
                <a href=format!("/incidents/{incident_id}/postmortem") class="button secondary">"Cancel"</a>
            </div>
        </ActionForm>
    }
}

#[island]
pub fn SettingsEditForm(initial: SettingsForm) -> impl IntoView {
    let action = ServerAction::<SavePostmortemSettings>::new();
    let errors = field_errors(action);
    let rows = [
        (
            "SEV1",
            "required_1",
            "due_days_1",
            initial.required_1.clone(),
            initial.due_days_1.clone(),
        ),
        (
            "SEV2",
            "required_2",
            "due_days_2",
            initial.required_2.clone(),
            initial.due_days_2.clone(),
        ),
        (
            "SEV3",
            "required_3",
            "due_days_3",
            initial.required_3.clone(),
            initial.due_days_3.clone(),
        ),
        (
            "SEV4",
            "required_4",
            "due_days_4",
            initial.required_4.clone(),
            initial.due_days_4.clone(),
        ),
    ];
    view! {
        <ActionForm action attr:class="form card" attr:novalidate=true>
            <div class="form-grid">
                <TextField prefix="form" name="zone" label="Business days are counted in" value=initial.zone.clone() errors required=true
                    hint="A time zone such as Europe/Berlin: a day ends at midnight there."/>
                <TextField prefix="form" name="repeat_window_days" label="Repeat window (days)" value=initial.repeat_window_days.clone() errors required=true input_type="number"
                    hint="An incident on the same service with the same root cause within this many days is a repeat."/>
            </div>
            <fieldset class="fieldset">
                <legend>"Postmortems by severity"</legend>
                <p class="hint">"A tier whose policy asks for postmortems sooner shortens the deadline for its services."</p>
                {rows.into_iter().map(|(sev, req, days, r, d)| view! {
                    <div class="sev-policy">
                        <label><input type="checkbox" name=format!("form[{req}]") value="on" checked=!r.is_empty()/>{format!(" {sev}: postmortem required, due in")}</label>
                        <TextField prefix="form" name=days label="business days" value=d errors input_type="number"/>
                    </div>
                }).collect_view()}
            </fieldset>
            <TextArea prefix="form" name="holidays" label="Holidays" value=initial.holidays.clone() errors
                hint="One a line: a date and its name, like 2026-12-25 Christmas Day. They do not count as business days."/>
            <TextArea prefix="form" name="categories" label="Root-cause categories" value=initial.categories.clone() errors
                hint="One a line: a slug and a name, like config-change Config change, in the order the form lists them. A category in use stays."/>
            <FormError action/>
            <div class="actions"><button type="submit" class="button" disabled=move || action.pending().get()>"Save settings"</button></div>
        </ActionForm>
    }
}
