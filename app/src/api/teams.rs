use leptos::prelude::*;

use crate::domain::team::{Team, TeamForm, TeamRef, TeamSummary};
use crate::domain::user::Member;
use crate::error::AppError;

#[server(prefix = "/fn", endpoint = "list_teams")]
pub async fn list_teams(page: u32) -> Result<(Vec<TeamSummary>, i64), AppError> {
    use super::ctx::{me, respond, state};
    respond(
        async {
            me()?;
            crate::store::teams::list(&state()?.pool, page).await
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "team_choices")]
pub async fn team_choices() -> Result<Vec<TeamRef>, AppError> {
    use super::ctx::{me, respond, state};
    respond(
        async {
            me()?;
            crate::store::teams::choices(&state()?.pool).await
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "get_team")]
pub async fn get_team(slug: String) -> Result<Team, AppError> {
    use super::ctx::{me, respond, state};
    respond(
        async {
            me()?;
            crate::store::teams::get(&state()?.pool, &slug).await
        }
        .await,
    )
}

/// People in the team, from the identity provider's groups at their last sign-in.
#[server(prefix = "/fn", endpoint = "team_members")]
pub async fn team_members(slug: String) -> Result<Vec<Member>, AppError> {
    use super::ctx::{me, respond, state};
    respond(
        async {
            me()?;
            crate::store::users::members_of(&state()?.pool, &slug).await
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "create_team")]
pub async fn create_team(form: TeamForm) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            let team = crate::commands::teams::create(&state()?, &caller()?, &form).await?;
            redirect_to(&format!("/teams/{}", team.slug));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "update_team")]
pub async fn update_team(slug: String, form: TeamForm) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            let team = crate::commands::teams::update(&state()?, &caller()?, &slug, &form).await?;
            redirect_to(&format!("/teams/{}", team.slug));
            Ok(())
        }
        .await,
    )
}

#[server(prefix = "/fn", endpoint = "delete_team")]
pub async fn delete_team(slug: String) -> Result<(), AppError> {
    use super::ctx::{caller, redirect_to, respond, state};
    respond(
        async {
            crate::commands::teams::delete(&state()?, &caller()?, &slug).await?;
            redirect_to("/teams");
            Ok(())
        }
        .await,
    )
}
