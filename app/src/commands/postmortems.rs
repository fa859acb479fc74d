//! Postmortems and their timelines. Editors of an affected service's team and admins write
//! them; the lifecycle's last step (publishing) is someone else's than the author's, checked
//! here and by the table's own constraint.
use crate::domain::access::Permission;
use crate::domain::postmortem::{
    transition, PostmortemForm, TimelineForm, Transition, TransitionFacts,
};
use crate::domain::postmortem_view::LearningSettings;
use crate::domain::validation::FieldErrors;
use crate::error::AppError;
use crate::state::AppState;
use crate::store;

use super::{authorize, write, Caller};

/// The right to write the incident's postmortem.
async fn may_write(st: &AppState, who: &Caller, incident_id: i64) -> Result<(), AppError> {
    let teams = store::incidents::teams_of(&st.pool, incident_id).await?;
    authorize(
        st,
        who,
        Permission::EditIncident(teams),
        &format!("postmortem of #{incident_id}"),
    )
    .await
}

/// A person, not a token: the author and the approver are people.
fn person(who: &Caller) -> Option<i64> {
    (who.me.id > 0).then_some(who.me.id)
}

pub async fn start(st: &AppState, who: &Caller, incident_id: i64) -> Result<(), AppError> {
    may_write(st, who, incident_id).await?;
    write(st, who, async |db| {
        store::postmortems::start(db, incident_id, person(who), &who.actor.label).await
    })
    .await
}

pub async fn save(
    st: &AppState,
    who: &Caller,
    incident_id: i64,
    form: &PostmortemForm,
) -> Result<(), AppError> {
    may_write(st, who, incident_id).await?;
    let categories: Vec<String> = store::postmortems::categories(&st.pool)
        .await?
        .into_iter()
        .map(|(slug, _)| slug)
        .collect();
    let clean = form.validate(&categories)?;
    let expected = form.expected_version()?;
    write(st, who, async |db| {
        store::postmortems::save(db, incident_id, &clean, expected).await
    })
    .await
}

pub async fn step(
    st: &AppState,
    who: &Caller,
    incident_id: i64,
    t: Transition,
) -> Result<(), AppError> {
    may_write(st, who, incident_id).await?;
    write(st, who, async |db| {
        let (status, author, author_label, items, reason) =
            store::postmortems::lock_for_transition(db, incident_id).await?;
        if t == Transition::Publish && who.is_token {
            return Err(AppError::Forbidden(
                "A person approves a postmortem, not an API token.".into(),
            ));
        }
        // The same person by id; without ids (the operator at the command line), by name.
        let actor_is_author = match (author, person(who)) {
            (Some(a), Some(p)) => a == p,
            _ => author_label == who.actor.label,
        };
        let facts = TransitionFacts {
            status,
            actor_is_author,
            action_items: items,
            no_action_reason: &reason,
        };
        let to = transition(t, &facts).map_err(AppError::Conflict)?;
        let approver = (t == Transition::Publish).then(|| (person(who), who.actor.label.as_str()));
        store::postmortems::set_status(db, incident_id, to, approver).await
    })
    .await
}

pub async fn add_timeline(
    st: &AppState,
    who: &Caller,
    incident_id: i64,
    form: &TimelineForm,
) -> Result<(), AppError> {
    may_write(st, who, incident_id).await?;
    let entry = form.validate(chrono::Utc::now())?;
    write(st, who, async |db| {
        store::postmortems::add_timeline(db, incident_id, &entry).await
    })
    .await
}

pub async fn delete_timeline(
    st: &AppState,
    who: &Caller,
    incident_id: i64,
    entry: i64,
) -> Result<(), AppError> {
    may_write(st, who, incident_id).await?;
    write(st, who, async |db| {
        store::postmortems::delete_timeline(db, incident_id, entry).await
    })
    .await
}

/// Replaces the settings (admins) and derives every incident's deadline again under them.
pub async fn save_settings(
    st: &AppState,
    who: &Caller,
    form: &crate::domain::postmortem_settings::SettingsForm,
) -> Result<(), AppError> {
    authorize(
        st,
        who,
        Permission::ManagePostmortemSettings,
        "postmortem settings",
    )
    .await?;
    let s: LearningSettings = form
        .validate()
        .map_err(|e: FieldErrors| AppError::from(e))?;
    write(st, who, async |db| {
        store::postmortems::save_settings(db, &s).await?;
        store::postmortems::refresh_due(db, None).await
    })
    .await
}
