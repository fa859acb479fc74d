//! The OpenID Connect relying party: discovery, the authorization request (PKCE, state, nonce)
//! and the code exchange with full ID token validation, all through `openidconnect`.
use std::time::{Duration, Instant};

use base64::Engine as _;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, LogoutRequest, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;

use super::config::AuthConfig;

/// Provider metadata (and its signing keys) are re-read this often, so key rotation at the
/// provider reaches the portal without a restart.
const METADATA_TTL: Duration = Duration::from_secs(300);

/// Why a sign-in failed. Shown to the person in general terms; the detail goes to the log.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the identity provider could not be reached: {0}")]
    Unreachable(String),
    #[error("the identity provider refused the code: {0}")]
    Exchange(String),
    #[error("the ID token is not valid: {0}")]
    InvalidToken(String),
    #[error("configuration: {0}")]
    Config(String),
}

/// What a login in progress keeps in the (pre-sign-in) session until the provider sends the
/// browser back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: String,
}

/// The validated facts of a sign-in.
#[derive(Debug, Clone)]
pub struct SignInClaims {
    pub issuer: String,
    pub subject: String,
    pub name: String,
    pub email: String,
    pub groups: Vec<String>,
    /// The raw ID token, kept for RP-initiated logout's id_token_hint.
    pub id_token: String,
}

pub struct Oidc {
    pub config: AuthConfig,
    http: openidconnect::reqwest::Client,
    metadata: RwLock<Option<(Instant, ProviderMetadataWithLogout)>>,
}

impl Oidc {
    pub fn new(config: AuthConfig) -> Result<Oidc, OidcError> {
        // No redirects: a provider endpoint that redirects elsewhere is not followed (SSRF).
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| OidcError::Config(e.to_string()))?;
        Ok(Oidc {
            config,
            http,
            metadata: RwLock::new(None),
        })
    }

    async fn metadata(&self) -> Result<ProviderMetadataWithLogout, OidcError> {
        if let Some((at, m)) = &*self.metadata.read().await {
            if at.elapsed() < METADATA_TTL {
                return Ok(m.clone());
            }
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| OidcError::Config(e.to_string()))?;
        let m = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Unreachable(error_chain(&e)))?;
        *self.metadata.write().await = Some((Instant::now(), m.clone()));
        Ok(m)
    }

    /// Forgets the cached metadata, so the next sign-in re-reads the provider's keys.
    pub async fn refresh(&self) {
        *self.metadata.write().await = None;
    }

    fn client(
        &self,
        m: ProviderMetadataWithLogout,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        OidcError,
    > {
        let redirect = RedirectUrl::new(self.config.redirect_url.clone())
            .map_err(|e| OidcError::Config(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            m,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// The provider URL to send the browser to, and what to remember until it comes back.
    pub async fn begin(&self, next: String) -> Result<(String, PendingLogin), OidcError> {
        let client = self.client(self.metadata().await?)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for s in self.config.scopes.iter().filter(|s| *s != "openid") {
            req = req.add_scope(Scope::new(s.clone()));
        }
        let (url, state, nonce) = req.set_pkce_challenge(challenge).url();
        Ok((
            url.to_string(),
            PendingLogin {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                next,
            },
        ))
    }

    /// Exchanges the code (with the PKCE verifier) and validates the ID token: signature
    /// against the provider's keys, issuer, audience, expiry and nonce.
    pub async fn finish(
        &self,
        pending: &PendingLogin,
        code: &str,
    ) -> Result<SignInClaims, OidcError> {
        let client = self.client(self.metadata().await?)?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::Config(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Exchange(error_chain(&e)))?;
        let id_token = token
            .id_token()
            .ok_or_else(|| OidcError::InvalidToken("the token response has no ID token".into()))?;
        let verifier = client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(pending.nonce.clone()))
            .map_err(|e| OidcError::InvalidToken(error_chain(&e)))?;
        let raw = id_token.to_string();
        Ok(SignInClaims {
            issuer: claims.issuer().as_str().to_string(),
            subject: claims.subject().as_str().to_string(),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_string())
                .or_else(|| claims.preferred_username().map(|u| u.as_str().to_string()))
                .unwrap_or_else(|| claims.subject().as_str().to_string()),
            email: claims
                .email()
                .map(|e| e.as_str().to_string())
                .unwrap_or_default(),
            groups: groups_claim(&raw, &self.config.groups_claim),
            id_token: raw,
        })
    }

    /// The provider's end-session URL (RP-initiated logout), when it offers one.
    pub async fn logout_url(&self, id_token: &str) -> Option<String> {
        let m = self.metadata().await.ok()?;
        let end = m.additional_metadata().end_session_endpoint.clone()?;
        let token: CoreIdToken = id_token.parse().ok()?;
        let back =
            PostLogoutRedirectUrl::new(format!("{}/signed-out", self.config.public_url)).ok()?;
        Some(
            LogoutRequest::from(end)
                .set_id_token_hint(&token)
                .set_client_id(ClientId::new(self.config.client_id.clone()))
                .set_post_logout_redirect_uri(back)
                .http_get_url()
                .to_string(),
        )
    }
}

/// Groups from the named claim of an ID token whose signature has already been verified. (The
/// claim's name is configurable, so it is read from the payload rather than a fixed type.)
/// A single string is one group; anything else is no groups.
fn groups_claim(id_token: &str, claim: &str) -> Vec<String> {
    let payload = id_token.split('.').nth(1).unwrap_or_default();
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload) else {
        return Vec::new();
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Vec::new();
    };
    match json.get(claim) {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|g| g.as_str().map(str::to_string))
            .take(500)
            .collect(),
        Some(serde_json::Value::String(g)) => vec![g.clone()],
        _ => Vec::new(),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_with(payload: &str) -> String {
        let b = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", b(r#"{"alg":"RS256"}"#), b(payload))
    }

    #[test]
    fn groups_come_from_the_configured_claim() {
        let t = token_with(r#"{"groups":["a","b",3],"roles":"admins"}"#);
        assert_eq!(groups_claim(&t, "groups"), vec!["a", "b"]);
        assert_eq!(groups_claim(&t, "roles"), vec!["admins"]);
        assert!(groups_claim(&t, "missing").is_empty());
        assert!(groups_claim("garbage", "groups").is_empty());
    }
}
