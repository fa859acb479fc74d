use leptos::prelude::*;

use crate::domain::team::{Team, TeamForm, TeamRef, TeamSummary};
use crate::domain::user::Member;
use crate::error::AppError;

#[server(endpoint = "list_teams")]
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

#[server(endpoint = "team_choices")]
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

#[server(endpoint = "get_team")]
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
#[server(endpoint = "team_members")]
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

#[server(endpoint = "create_team")]
pub async fn create_team(form: TeamForm) -> Result<(), AppError> {
    use super::ctx::{authorize, me, redirect_to, respond, state, write};
    use crate::domain::access::Permission;
    respond(
        async {
            let (st, me) = (state()?, me()?);
            authorize(&st, &me, Permission::ManageTeams, form.slug.trim()).await?;
            let input = form.validate()?;
            let team = write(&st, &me, async |db| {
                crate::store::teams::create(db, &input).await
            })
            .await?;
            redirect_to(&format!("/teams/{}", team.slug));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "update_team")]
pub async fn update_team(slug: String, form: TeamForm) -> Result<(), AppError> {
    use super::ctx::{authorize, me, redirect_to, respond, state, write};
    use crate::domain::access::Permission;
    respond(
        async {
            let (st, me) = (state()?, me()?);
            authorize(&st, &me, Permission::ManageTeams, &slug).await?;
            let input = form.validate()?;
            let team = write(&st, &me, async |db| {
                crate::store::teams::update(db, &slug, &input).await
            })
            .await?;
            redirect_to(&format!("/teams/{}", team.slug));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "delete_team")]
pub async fn delete_team(slug: String) -> Result<(), AppError> {
    use super::ctx::{authorize, me, redirect_to, respond, state, write};
    use crate::domain::access::Permission;
    respond(
        async {
            let (st, me) = (state()?, me()?);
            authorize(&st, &me, Permission::ManageTeams, &slug).await?;
            write(&st, &me, async |db| {
                crate::store::teams::delete(db, &slug).await
            })
            .await?;
            redirect_to("/teams");
            Ok(())
        }
        .await,
    )
}
