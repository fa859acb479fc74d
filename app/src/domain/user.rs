//! People as the admin pages and team pages show them.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::access::Role;
use super::validation::FieldErrors;

pub const USERS_PER_PAGE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub groups: Vec<String>,
    pub teams: Vec<String>,
    /// What the identity provider's groups give ...
    pub idp_role: Role,
    /// ... and an admin's override, which wins while set.
    pub role_override: Option<Role>,
    pub last_login_at: Option<DateTime<Utc>>,
    /// Set while an admin has disabled them: no session works and sign-in is refused.
    pub disabled_at: Option<DateTime<Utc>>,
    /// The person looking at the list (who cannot disable themselves).
    pub is_you: bool,
}

impl UserSummary {
    pub fn role(&self) -> Role {
        self.role_override.unwrap_or(self.idp_role)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// The role form posts text: a role name, or "idp" to go back to what the groups give.
pub fn parse_role_choice(raw: &str) -> Result<Option<Role>, FieldErrors> {
    match raw.trim() {
        "idp" | "" => Ok(None),
        other => Role::parse(other).map(Some).ok_or_else(|| {
            FieldErrors::single(
                "role",
                "Choose viewer, editor, admin or the identity provider's role.",
            )
        }),
    }
}

/// Whether `actor` may disable `target`. Nobody disables themselves: the last admin could lock
/// the organisation out of the portal, and an admin who wants out signs out.
pub fn check_disable(actor: i64, target: i64, disable: bool) -> Result<(), FieldErrors> {
    if disable && actor == target {
        return Err(FieldErrors::single(
            "user",
            "You cannot disable yourself. Ask another admin.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_disables_themselves() {
        assert!(check_disable(7, 7, true).unwrap_err().get("user").is_some());
        assert_eq!(check_disable(7, 8, true), Ok(()));
        // Re-enabling is never refused (one cannot be signed in while disabled anyway).
        assert_eq!(check_disable(7, 7, false), Ok(()));
    }

    #[test]
    fn role_choices() {
        assert_eq!(parse_role_choice("idp"), Ok(None));
        assert_eq!(parse_role_choice("admin"), Ok(Some(Role::Admin)));
        assert!(parse_role_choice("root").unwrap_err().get("role").is_some());
    }
}
