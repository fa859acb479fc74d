use leptos::prelude::*;

use crate::domain::access::Me;
use crate::error::AppError;

/// Who is signed in: the layout shows them and hides the controls they cannot use.
#[server(prefix = "/fn", endpoint = "me")]
pub async fn get_me() -> Result<Me, AppError> {
    use super::ctx::{me, respond};
    respond(me())
}
