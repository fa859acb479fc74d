use leptos::prelude::*;

use crate::domain::team::{Team, TeamForm, TeamRef, TeamSummary};
use crate::error::AppError;

#[server(endpoint = "list_teams")]
pub async fn list_teams(page: u32) -> Result<(Vec<TeamSummary>, i64), AppError> {
    use super::ctx::{respond, state};
    respond(async { crate::store::teams::list(&state()?.pool, page).await }.await)
}

#[server(endpoint = "team_choices")]
pub async fn team_choices() -> Result<Vec<TeamRef>, AppError> {
    use super::ctx::{respond, state};
    respond(async { crate::store::teams::choices(&state()?.pool).await }.await)
}

#[server(endpoint = "get_team")]
pub async fn get_team(slug: String) -> Result<Team, AppError> {
    use super::ctx::{respond, state};
    respond(async { crate::store::teams::get(&state()?.pool, &slug).await }.await)
}

#[server(endpoint = "create_team")]
pub async fn create_team(form: TeamForm) -> Result<(), AppError> {
    use super::ctx::{redirect_to, respond, state};
    respond(
        async {
            let input = form.validate()?;
            let team = crate::store::teams::create(&state()?.pool, &input).await?;
            redirect_to(&format!("/teams/{}", team.slug));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "update_team")]
pub async fn update_team(slug: String, form: TeamForm) -> Result<(), AppError> {
    use super::ctx::{redirect_to, respond, state};
    respond(
        async {
            let input = form.validate()?;
            let team = crate::store::teams::update(&state()?.pool, &slug, &input).await?;
            redirect_to(&format!("/teams/{}", team.slug));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "delete_team")]
pub async fn delete_team(slug: String) -> Result<(), AppError> {
    use super::ctx::{redirect_to, respond, state};
    respond(
        async {
            crate::store::teams::delete(&state()?.pool, &slug).await?;
            redirect_to("/teams");
            Ok(())
        }
        .await,
    )
}
