//! API tokens: what a token may do (scopes), and the form that makes one.
use serde::{Deserialize, Serialize};

use super::validation::{check_required, FieldErrors};

/// What a token may do; each API route needs one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    CatalogRead,
    CatalogWrite,
    AuditRead,
    /// Push SLO counts (within the token's team, or everywhere).
    SloWrite,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::CatalogRead,
        Scope::CatalogWrite,
        Scope::AuditRead,
        Scope::SloWrite,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CatalogRead => "catalog:read",
            Scope::CatalogWrite => "catalog:write",
            Scope::AuditRead => "audit:read",
            Scope::SloWrite => "slo:write",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    pub fn describe(self) -> &'static str {
        match self {
            Scope::CatalogRead => "read teams, services, links, dependencies and tier policies",
            Scope::CatalogWrite => "change them (within the token's team, or everywhere)",
            Scope::AuditRead => "read the audit trail (organisation-wide tokens only)",
            Scope::SloWrite => {
                "push SLO good/total counts (within the token's team, or everywhere)"
            }
        }
    }
}

/// The longest a token may live, and the default.
pub const MAX_DAYS: i64 = 365;
pub const DEFAULT_DAYS: i64 = 90;
/// Tokens shown per page of the admin list.
pub const TOKENS_PER_PAGE: i64 = 50;

/// What the token form posts: all text, like every form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    pub name: String,
    /// A team slug; empty for organisation-wide.
    pub team: String,
    /// Comma-separated scopes, e.g. "catalog:read,catalog:write".
    pub scopes: String,
    /// Days until it expires (1–365).
    pub expires_in_days: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInput {
    pub name: String,
    pub team: Option<String>,
    pub scopes: Vec<Scope>,
    pub expires_in_days: i64,
}

impl TokenForm {
    pub fn validate(&self) -> Result<TokenInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = check_required(&mut e, "name", &self.name, 80);
        let team = Some(self.team.trim().to_string()).filter(|t| !t.is_empty());
        let mut scopes = Vec::new();
        for raw in self
            .scopes
            .split([',', ' '])
            .filter(|s| !s.trim().is_empty())
        {
            match Scope::parse(raw) {
                Some(s) if !scopes.contains(&s) => scopes.push(s),
                Some(_) => {}
                None => e.add(
                    "scopes",
                    format!(
                        "\"{}\" is not a scope; use {}.",
                        raw.trim().chars().take(40).collect::<String>(),
                        Scope::ALL.map(Scope::as_str).join(", ")
                    ),
                ),
            }
        }
        if scopes.is_empty() && e.get("scopes").is_none() {
            e.add("scopes", "Choose at least one scope.");
        }
        if team.is_some() && scopes.contains(&Scope::AuditRead) {
            e.add(
                "scopes",
                "audit:read reads the whole organisation's trail: only organisation-wide tokens may have it.",
            );
        }
        let days = self.expires_in_days.trim();
        let expires_in_days = if days.is_empty() {
            DEFAULT_DAYS
        } else {
            match days.parse::<i64>() {
                Ok(d) if (1..=MAX_DAYS).contains(&d) => d,
                _ => {
                    e.add(
                        "expires_in_days",
                        format!("A whole number of days from 1 to {MAX_DAYS}."),
                    );
                    0
                }
            }
        };
        if !e.is_empty() {
            return Err(e);
        }
        Ok(TokenInput {
            name,
            team,
            scopes,
            expires_in_days,
        })
    }
}

/// A token as the admin list shows it (never the secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenSummary {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub team: Option<String>,
    pub scopes: Vec<String>,
    pub created_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    /// active, expired or revoked, as of when it was read (the server's clock, not the browser's).
    pub state: String,
}

/// A token's state at `now`.
pub fn token_state(
    revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> &'static str {
    if revoked_at.is_some() {
        "revoked"
    } else if expires_at.is_some_and(|e| e <= now) {
        "expired"
    } else {
        "active"
    }
}

/// A newly made token: the only time its secret is known outside the caller's hands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewToken {
    pub id: i64,
    pub name: String,
    pub secret: String,
}

/// Secrets look like `rpt_<43 url-safe characters>`: the prefix makes a leaked one easy to find
/// by secret scanners. The shown prefix is the first 12 characters.
pub const SECRET_PREFIX: &str = "rpt_";

pub fn shown_prefix(secret: &str) -> String {
    secret.chars().take(12).collect()
}

/// A well-formed secret (before any lookup), so junk is refused without touching the database.
pub fn looks_like_secret(s: &str) -> bool {
    s.len() <= 128
        && s.strip_prefix(SECRET_PREFIX).is_some_and(|rest| {
            rest.len() >= 32
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> TokenForm {
        TokenForm {
            name: "ci deployer".into(),
            team: "payments".into(),
            scopes: "catalog:read, catalog:write catalog:read".into(),
            expires_in_days: "30".into(),
        }
    }

    #[test]
    fn valid_token_form() {
        let t = form().validate().unwrap();
        assert_eq!(t.team.as_deref(), Some("payments"));
        assert_eq!(t.scopes, vec![Scope::CatalogRead, Scope::CatalogWrite]);
        assert_eq!(t.expires_in_days, 30);
        let t = TokenForm {
            expires_in_days: "".into(),
            team: " ".into(),
            ..form()
        }
        .validate()
        .unwrap();
        assert_eq!((t.team, t.expires_in_days), (None, DEFAULT_DAYS));
    }

    #[test]
    fn bad_token_forms_say_which_field() {
        let e = TokenForm {
            name: "".into(),
            scopes: "catalog:admin".into(),
            expires_in_days: "400".into(),
            ..form()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.get("name"), Some("Required."));
        assert!(e
            .get("scopes")
            .unwrap()
            .contains("\"catalog:admin\" is not a scope"));
        assert!(e.get("expires_in_days").unwrap().contains("1 to 365"));
        let e = TokenForm {
            scopes: "".into(),
            ..form()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.get("scopes"), Some("Choose at least one scope."));
        let e = TokenForm {
            scopes: "audit:read".into(),
            ..form()
        }
        .validate()
        .unwrap_err();
        assert!(e.get("scopes").unwrap().contains("organisation-wide"));
    }

    #[test]
    fn state_follows_revocation_then_expiry() {
        let now = chrono::Utc::now();
        let day = chrono::Duration::days(1);
        assert_eq!(token_state(None, Some(now + day), now), "active");
        assert_eq!(token_state(None, None, now), "active");
        assert_eq!(token_state(None, Some(now - day), now), "expired");
        assert_eq!(token_state(Some(now), Some(now - day), now), "revoked");
    }

    #[test]
    fn secrets_are_recognised_before_any_lookup() {
        let s = format!("{SECRET_PREFIX}{}", "a".repeat(43));
        assert!(looks_like_secret(&s));
        assert_eq!(shown_prefix(&s), "rpt_aaaaaaaa");
        assert!(!looks_like_secret("rpt_short"));
        assert!(!looks_like_secret(&"a".repeat(47)));
        assert!(!looks_like_secret(&format!(
            "{SECRET_PREFIX}{}",
            "a b".repeat(20)
        )));
    }
}
