//! Sign-in configuration from the environment (documented in the README).
use std::time::Duration;

use app::domain::access::GroupMapping;

use crate::config::ConfigError;

#[derive(Clone)]
pub struct AuthConfig {
    /// The OpenID Provider's issuer URL; discovery is at {issuer}/.well-known/openid-configuration.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Where the provider sends the browser back: {public_url}/auth/callback by default.
    pub redirect_url: String,
    /// The portal's own address as browsers reach it. https makes the cookie Secure and
    /// `__Host-` prefixed.
    pub public_url: String,
    pub scopes: Vec<String>,
    /// The ID token claim that lists the person's groups.
    pub groups_claim: String,
    pub mapping: GroupMapping,
    pub session_idle: Duration,
    pub session_lifetime: Duration,
    /// How far in the future an ID token's `iat` or `nbf` may be (clocks drift a little).
    pub clock_skew: Duration,
    /// When not empty, only members of at least one of these groups may sign in.
    pub required_groups: Vec<String>,
}

// The client secret never reaches a log line.
impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("redirect_url", &self.redirect_url)
            .field("public_url", &self.public_url)
            .field("scopes", &self.scopes)
            .field("groups_claim", &self.groups_claim)
            .field("mapping", &self.mapping)
            .field("session_idle", &self.session_idle)
            .field("session_lifetime", &self.session_lifetime)
            .field("clock_skew", &self.clock_skew)
            .field("required_groups", &self.required_groups)
            .finish()
    }
}

pub const DEFAULT_IDLE: Duration = Duration::from_secs(8 * 3600);
/// A session ends this long after sign-in whatever its use, and the next sign-in reads the
/// person's groups afresh: this is how long a group removed at the provider can keep working.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(12 * 3600);
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(60);

impl AuthConfig {
    /// A configuration with the defaults, for a provider at `issuer` and a portal at `public_url`.
    pub fn new(issuer: &str, client_id: &str, client_secret: &str, public_url: &str) -> AuthConfig {
        let public_url = public_url.trim_end_matches('/').to_string();
        AuthConfig {
            issuer: issuer.trim_end_matches('/').to_string(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_url: format!("{public_url}/auth/callback"),
            public_url,
            scopes: ["openid", "profile", "email", "groups"]
                .map(String::from)
                .to_vec(),
            groups_claim: "groups".into(),
            mapping: GroupMapping::default(),
            session_idle: DEFAULT_IDLE,
            session_lifetime: DEFAULT_LIFETIME,
            clock_skew: DEFAULT_CLOCK_SKEW,
            required_groups: Vec::new(),
        }
    }

    pub fn from_env() -> Result<AuthConfig, ConfigError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let required = |name: &'static str| {
            var(name).ok_or_else(|| {
                ConfigError::new(
                    name,
                    "is not set. The portal signs people in through an OpenID Provider; \
                     scripts/start.sh starts a local one, or see the README to use your own.",
                )
            })
        };
        let public_url = var("PORTAL_PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:3000".into());
        check_http_url("PORTAL_PUBLIC_URL", &public_url)?;
        let issuer = required("PORTAL_OIDC_ISSUER")?;
        check_http_url("PORTAL_OIDC_ISSUER", &issuer)?;
        check_issuer_scheme(&issuer)?;
        let mut c = AuthConfig::new(
            &issuer,
            &required("PORTAL_OIDC_CLIENT_ID")?,
            &required("PORTAL_OIDC_CLIENT_SECRET")?,
            &public_url,
        );
        if let Some(r) = var("PORTAL_OIDC_REDIRECT_URL") {
            check_http_url("PORTAL_OIDC_REDIRECT_URL", &r)?;
            c.redirect_url = r;
        }
        if let Some(s) = var("PORTAL_OIDC_SCOPES") {
            c.scopes = s.split_whitespace().map(String::from).collect();
            if !c.scopes.iter().any(|s| s == "openid") {
                c.scopes.insert(0, "openid".into());
            }
        }
        if let Some(g) = var("PORTAL_OIDC_GROUPS_CLAIM") {
            c.groups_claim = g.trim().to_string();
        }
        if let Some(spec) = var("PORTAL_GROUP_ROLES") {
            c.mapping.roles = GroupMapping::parse_roles(&spec)
                .map_err(|m| ConfigError::new("PORTAL_GROUP_ROLES", m))?;
        }
        if let Ok(p) = std::env::var("PORTAL_GROUP_TEAM_PREFIX") {
            c.mapping.team_prefix = p.trim().to_string();
        }
        if let Some(d) = var("PORTAL_SESSION_IDLE") {
            c.session_idle = parse_duration(&d).ok_or_else(|| {
                ConfigError::new(
                    "PORTAL_SESSION_IDLE",
                    format!("\"{d}\" is not a duration like 30m, 8h or 7d"),
                )
            })?;
        }
        if let Some(d) = var("PORTAL_SESSION_LIFETIME") {
            c.session_lifetime = parse_duration(&d).ok_or_else(|| {
                ConfigError::new(
                    "PORTAL_SESSION_LIFETIME",
                    format!("\"{d}\" is not a duration like 30m, 8h or 7d"),
                )
            })?;
        }
        if let Some(d) = var("PORTAL_OIDC_CLOCK_SKEW") {
            c.clock_skew = parse_duration(&d)
                .filter(|d| *d <= Duration::from_secs(600))
                .ok_or_else(|| {
                    ConfigError::new(
                        "PORTAL_OIDC_CLOCK_SKEW",
                        format!("\"{d}\" is not a duration of at most 10m, like 30s or 2m"),
                    )
                })?;
        }
        if let Some(g) = var("PORTAL_REQUIRED_GROUPS") {
            c.required_groups = parse_group_list(&g);
        }
        Ok(c)
    }

    /// Whether someone in `groups` may sign in at all.
    pub fn admits(&self, groups: &[String]) -> bool {
        self.required_groups.is_empty() || groups.iter().any(|g| self.required_groups.contains(g))
    }

    /// Cookies are Secure (and `__Host-` prefixed) unless the portal is served over plain http,
    /// which browsers only allow for local development.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookies() {
            "__Host-portal_session"
        } else {
            "portal_session"
        }
    }
}

fn check_http_url(name: &'static str, value: &str) -> Result<(), ConfigError> {
    match url::Url::parse(value) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(ConfigError::new(
            name,
            format!("\"{value}\" is not an http(s) URL"),
        )),
    }
}

/// An identity provider is reached over https, except on this machine (development): over
/// plain http anyone on the path could read the codes and forge the keys.
fn check_issuer_scheme(issuer: &str) -> Result<(), ConfigError> {
    let Ok(u) = url::Url::parse(issuer) else {
        return Ok(()); // check_http_url has answered already
    };
    let loopback = match u.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if u.scheme() == "http" && !loopback {
        return Err(ConfigError::new(
            "PORTAL_OIDC_ISSUER",
            format!("\"{issuer}\" is plain http; use https (http is allowed only on localhost)"),
        ));
    }
    Ok(())
}

/// "sre, engineering" or "sre engineering".
pub fn parse_group_list(raw: &str) -> Vec<String> {
    raw.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|g| !g.is_empty())
        .map(String::from)
        .collect()
}

/// "90s", "30m", "8h", "7d".
pub fn parse_duration(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    let split = raw.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = raw.split_at(split);
    let n: u64 = n.parse().ok().filter(|n| *n > 0)?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return None,
    };
    Some(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("8h"), Some(Duration::from_secs(28_800)));
        assert_eq!(parse_duration("7d"), Some(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        for bad in ["", "8", "h", "0h", "8 hours", "-1h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn cookies_follow_the_scheme() {
        let local = AuthConfig::new(
            "http://127.0.0.1:4400",
            "portal",
            "s",
            "http://127.0.0.1:3000/",
        );
        assert!(!local.secure_cookies());
        assert_eq!(local.cookie_name(), "portal_session");
        assert_eq!(local.redirect_url, "http://127.0.0.1:3000/auth/callback");
        let prod = AuthConfig::new(
            "https://idp.example",
            "portal",
            "s",
            "https://portal.example",
        );
        assert_eq!(prod.cookie_name(), "__Host-portal_session");
    }

    #[test]
    fn the_secret_is_not_printed() {
        let c = AuthConfig::new(
            "http://idp",
            "portal",
            "hunter2-secret",
            "http://127.0.0.1:3000",
        );
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn a_plain_http_issuer_is_only_for_this_machine() {
        for ok in [
            "https://idp.example",
            "http://127.0.0.1:4400",
            "http://localhost:4400",
            "http://[::1]:4400",
        ] {
            assert!(check_issuer_scheme(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://idp.example",
            "http://10.0.0.5",
            "http://127.0.0.1.evil.example",
        ] {
            assert!(check_issuer_scheme(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn required_groups_admit_members_only() {
        let mut c = AuthConfig::new("https://idp", "portal", "s", "https://portal");
        assert!(c.admits(&[]), "no requirement admits everyone");
        c.required_groups = parse_group_list("sre, engineering");
        assert_eq!(c.required_groups, ["sre", "engineering"]);
        assert!(c.admits(&["engineering".into()]));
        assert!(!c.admits(&["marketing".into()]));
        assert!(!c.admits(&[]));
    }
}
