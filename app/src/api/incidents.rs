//! Incidents: read by everyone signed in; declared and changed through `commands::incidents`.
use leptos::prelude::*;

use crate::domain::incident::IncidentForm;
use crate::domain::incident_list::{Incident, IncidentRow};
use crate::error::AppError;

#[server(prefix = "/fn", endpoint = "get_incident")]
pub async fn get_incident(id: i64) -> Result<Incident, AppError> {
    use super::ctx::{me, respond, state};
    respond(
        async {
            me()?;
            crate::store::incidents::get(&state()?.pool, id).await
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "declare_incident")]
pub async fn declare_incident(form: IncidentForm) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            let id = crate::commands::incidents::declare(&state()?, &caller()?, &form).await?;
            redirect_to(&format!("/incidents/{id}"));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "update_incident")]
pub async fn update_incident(id: i64, form: IncidentForm) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            crate::commands::incidents::update(&state()?, &caller()?, id, &form).await?;
            redirect_to(&format!("/incidents/{id}"));
            Ok(())
        }
        .await,
    )
}

/// A team's latest incidents (on any of its services), for the team page.
#[server(prefix = "/fn", endpoint = "team_incidents")]
pub async fn team_incidents(team: String) -> Result<Vec<IncidentRow>, AppError> {
    use super::ctx::{me, respond, state};
    respond(
        async {
            me()?;
            crate::store::incidents::recent(&state()?.pool, None, Some(&team), 5).await
        }
        .await,
    )
}

/// A team's open action items, overdue first, and how many are open, for the team page.
#[server(prefix = "/fn", endpoint = "team_actions")]
pub async fn team_actions(
    team: String,
) -> Result<(Vec<crate::domain::action_list::ActionItem>, i64), AppError> {
    use super::ctx::{me, respond, state};
    respond(
        async {
            me()?;
            crate::store::action_items::open_for(
                &state()?.pool,
                None,
                Some(&team),
                5,
                chrono::Utc::now(),
            )
            .await
        }
        .await,
    )
}
