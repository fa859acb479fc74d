//! Postmortems, timelines, action items and their settings: thin server functions over
//! `store` reads and `commands` writes.
use leptos::prelude::*;

use crate::domain::action_item::ActionForm;
use crate::domain::action_list::ActionItem;
use crate::domain::postmortem::{PostmortemForm, TimelineForm};
use crate::domain::postmortem_settings::SettingsForm;
use crate::domain::postmortem_view::{Learning, LearningSettings};
use crate::error::AppError;

/// The incident with its postmortem (if this reader may see it), timeline, action items,
/// deadline and repeats.
#[server(prefix = "/fn", endpoint = "get_learning")]
pub async fn get_learning(id: i64) -> Result<Learning, AppError> {
    use super::ctx::{me, respond, state};
    respond(
        async {
            let me = me()?;
            crate::store::postmortems::learning(&state()?.pool, id, &me, chrono::Utc::now()).await
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "start_postmortem")]
pub async fn start_postmortem(id: i64) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            crate::commands::postmortems::start(&state()?, &caller()?, id).await?;
            redirect_to(&format!("/incidents/{id}/postmortem/edit"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "save_postmortem")]
pub async fn save_postmortem(id: i64, form: PostmortemForm) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            crate::commands::postmortems::save(&state()?, &caller()?, id, &form).await?;
            redirect_to(&format!("/incidents/{id}/postmortem"));
            Ok(())
        }
        .await,
    )
}

/// `step`: submit, request_changes or publish.
#[server(prefix = "/fn", endpoint = "postmortem_step")]
pub async fn postmortem_step(id: i64, step: String) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            let t = crate::domain::postmortem::Transition::parse(&step)
                .ok_or_else(|| AppError::BadRequest("Unknown step.".into()))?;
            crate::commands::postmortems::step(&state()?, &caller()?, id, t).await?;
            redirect_to(&format!("/incidents/{id}/postmortem"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "add_timeline_entry")]
pub async fn add_timeline_entry(id: i64, form: TimelineForm) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            crate::commands::postmortems::add_timeline(&state()?, &caller()?, id, &form).await?;
            redirect_to(&format!("/incidents/{id}/postmortem"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "delete_timeline_entry")]
pub async fn delete_timeline_entry(id: i64, entry: i64) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            crate::commands::postmortems::delete_timeline(&state()?, &caller()?, id, entry).await?;
            redirect_to(&format!("/incidents/{id}/postmortem"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "create_action_item")]
pub async fn create_action_item(id: i64, form: ActionForm) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            crate::commands::action_items::create(&state()?, &caller()?, id, &form).await?;
            redirect_to(&format!("/incidents/{id}/postmortem"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "get_action_item")]
pub async fn get_action_item(id: i64) -> Result<ActionItem, AppError> {
    use super::ctx::{me, respond, state};
    respond(
        async {
            me()?;
            crate::store::action_items::get(&state()?.pool, id, chrono::Utc::now()).await
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "update_action_item")]
pub async fn update_action_item(id: i64, form: ActionForm) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            let st = state()?;
            crate::commands::action_items::update(&st, &caller()?, id, &form).await?;
            let incident: i64 =
                sqlx::query_scalar("SELECT incident_id FROM action_item WHERE id = $1")
                    .bind(id)
                    .fetch_one(&st.pool)
                    .await?;
            redirect_to(&format!("/incidents/{incident}/postmortem"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "get_postmortem_settings")]
pub async fn get_postmortem_settings() -> Result<LearningSettings, AppError> {
    use super::ctx::{me, respond, state};
    respond(
        async {
            me()?;
            let mut db = state()?.pool.acquire().await?;
            crate::store::postmortems::settings(&mut db).await
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "save_postmortem_settings")]
pub async fn save_postmortem_settings(form: SettingsForm) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            crate::commands::postmortems::save_settings(&state()?, &caller()?, &form).await?;
            redirect_to("/admin/postmortems?saved=1");
            Ok(())
        }
        .await,
    )
}
