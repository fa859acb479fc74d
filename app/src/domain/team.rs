use serde::{Deserialize, Serialize};

use super::validation::{
    check_email, check_optional, check_required, check_slug, check_url, FieldErrors,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRef {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub email: String,
    pub chat_channel: String,
    pub oncall_url: String,
    pub escalation_policy: String,
}

/// One row of the team list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamSummary {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub email: String,
    pub chat_channel: String,
    pub has_oncall: bool,
    pub service_count: i64,
}

/// What the team form posts; all text, see `LinkForm`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TeamForm {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub email: String,
    pub chat_channel: String,
    pub oncall_url: String,
    pub escalation_policy: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamInput {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub email: String,
    pub chat_channel: String,
    pub oncall_url: String,
    pub escalation_policy: String,
}

impl TeamForm {
    pub fn validate(&self) -> Result<TeamInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let input = TeamInput {
            slug: check_slug(&mut e, "slug", &self.slug),
            name: check_required(&mut e, "name", &self.name, 120),
            description: check_optional(&mut e, "description", &self.description, 4000),
            email: check_email(&mut e, "email", &self.email),
            chat_channel: check_optional(&mut e, "chat_channel", &self.chat_channel, 200),
            oncall_url: check_url(&mut e, "oncall_url", &self.oncall_url, false),
            escalation_policy: check_optional(
                &mut e,
                "escalation_policy",
                &self.escalation_policy,
                4000,
            ),
        };
        e.into_result(input)
    }
}

impl From<&Team> for TeamForm {
    fn from(t: &Team) -> Self {
        TeamForm {
            slug: t.slug.clone(),
            name: t.name.clone(),
            description: t.description.clone(),
            email: t.email.clone(),
            chat_channel: t.chat_channel.clone(),
            oncall_url: t.oncall_url.clone(),
            escalation_policy: t.escalation_policy.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_team() {
        let f = TeamForm {
            slug: "payments".into(),
            name: " Payments ".into(),
            email: "payments@example.com".into(),
            oncall_url: "https://pager.example.com/payments".into(),
            ..Default::default()
        };
        let t = f.validate().unwrap();
        assert_eq!(t.name, "Payments");
        assert_eq!(t.description, "");
    }

    #[test]
    fn every_bad_field_is_reported() {
        let f = TeamForm {
            slug: "Payments Team".into(),
            name: "".into(),
            email: "payments".into(),
            oncall_url: "pager".into(),
            ..Default::default()
        };
        let e = f.validate().unwrap_err();
        for field in ["slug", "name", "email", "oncall_url"] {
            assert!(e.get(field).is_some(), "{field} should have an error: {e}");
        }
        assert!(e.get("description").is_none());
    }
}
