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

/// The most any provider answer (discovery, keys, tokens) may hold. Real ones are a few KB; a
/// hostile one of many megabytes would otherwise be read whole and kept in the session.
const MAX_PROVIDER_ANSWER: usize = 256 * 1024;
/// Claims are cut to what the portal stores and shows: a name of a few KB must not break the
/// sign-in (index rows are limited), and nobody reads one that long.
const MAX_NAME_CHARS: usize = 200;
const MAX_EMAIL_BYTES: usize = 254;
const MAX_SUBJECT_BYTES: usize = 255;
const MAX_GROUPS: usize = 500;
const MAX_GROUP_BYTES: usize = 256;
/// The raw ID token is kept only for sign-out's `id_token_hint`; a larger one is dropped (and
/// sign-out ends the portal session without the hint) rather than bloating every session row.
const MAX_KEPT_ID_TOKEN: usize = 8 * 1024;

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
    http: BoundedHttp,
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
            http: BoundedHttp(http),
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
        let payload = payload(&raw);
        let now = chrono::Utc::now();
        let skew = chrono::Duration::from_std(self.config.clock_skew).unwrap_or_default();
        if claims.issue_time() > now + skew {
            return Err(OidcError::InvalidToken("iat is in the future".into()));
        }
        let nbf = payload.get("nbf").and_then(serde_json::Value::as_i64);
        if nbf.is_some_and(|nbf| nbf > (now + skew).timestamp()) {
            return Err(OidcError::InvalidToken("nbf is in the future".into()));
        }
        // The party the token was issued to, when named, must be this portal (OIDC Core 3.1.3.7).
        match payload.get("azp") {
            None => {}
            Some(serde_json::Value::String(azp)) if *azp == self.config.client_id => {}
            Some(_) => {
                return Err(OidcError::InvalidToken("azp names another client".into()));
            }
        }
        let subject = claims.subject().as_str();
        if subject.len() > MAX_SUBJECT_BYTES {
            return Err(OidcError::InvalidToken(
                "sub is longer than 255 bytes".into(),
            ));
        }
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_string())
            .or_else(|| claims.preferred_username().map(|u| u.as_str().to_string()))
            .unwrap_or_else(|| subject.to_string());
        // Only a verified address names a person in the trail; else they go by their subject.
        let email = claims
            .email()
            .filter(|_| claims.email_verified() == Some(true))
            .map(|e| e.as_str().to_string())
            .filter(|e| e.len() <= MAX_EMAIL_BYTES)
            .unwrap_or_default();
        Ok(SignInClaims {
            issuer: claims.issuer().as_str().to_string(),
            subject: subject.to_string(),
            name: name.chars().take(MAX_NAME_CHARS).collect(),
            email,
            groups: groups_claim(&payload, &self.config.groups_claim),
            id_token: if raw.len() <= MAX_KEPT_ID_TOKEN {
                raw
            } else {
                String::new()
            },
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

/// The payload of an ID token whose signature has already been verified, as JSON (claims whose
/// names are configurable or that `openidconnect` does not model are read from here).
fn payload(id_token: &str) -> serde_json::Value {
    let part = id_token.split('.').nth(1).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Groups from the named claim. A single string is one group; anything else is no groups.
/// Bounded: at most 500 groups, and a group name longer than 256 bytes is not one we map.
fn groups_claim(payload: &serde_json::Value, claim: &str) -> Vec<String> {
    let fits = |g: &&str| g.len() <= MAX_GROUP_BYTES;
    match payload.get(claim) {
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|g| g.as_str())
            .filter(fits)
            .take(MAX_GROUPS)
            .map(str::to_string)
            .collect(),
        Some(serde_json::Value::String(g)) if fits(&g.as_str()) => vec![g.clone()],
        _ => Vec::new(),
    }
}

#[derive(Debug, thiserror::Error)]
enum HttpError {
    #[error(transparent)]
    Request(#[from] openidconnect::reqwest::Error),
    #[error(transparent)]
    Http(#[from] openidconnect::http::Error),
    #[error("the answer is larger than {MAX_PROVIDER_ANSWER} bytes")]
    TooLarge,
}

/// The HTTP client `openidconnect` calls for every provider request.
struct BoundedHttp(openidconnect::reqwest::Client);

impl<'c> openidconnect::AsyncHttpClient<'c> for BoundedHttp {
    type Error = HttpError;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<openidconnect::HttpResponse, HttpError>>
                + Send
                + 'c,
        >,
    >;

    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(bounded_call(&self.0, request))
    }
}

/// One request to the provider whose answer is read up to `MAX_PROVIDER_ANSWER` bytes, then
/// refused: what `openidconnect` calls for every provider request.
async fn bounded_call(
    client: &openidconnect::reqwest::Client,
    req: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, HttpError> {
    let (parts, body) = req.into_parts();
    let mut res = client
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    if res
        .content_length()
        .is_some_and(|n| n > MAX_PROVIDER_ANSWER as u64)
    {
        return Err(HttpError::TooLarge);
    }
    let (status, headers) = (res.status(), res.headers().clone());
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await? {
        if body.len() + chunk.len() > MAX_PROVIDER_ANSWER {
            return Err(HttpError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let mut out = openidconnect::http::Response::builder()
        .status(status)
        .body(body)?;
    *out.headers_mut() = headers;
    Ok(out)
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
        let t = payload(&token_with(r#"{"groups":["a","b",3],"roles":"admins"}"#));
        assert_eq!(groups_claim(&t, "groups"), vec!["a", "b"]);
        assert_eq!(groups_claim(&t, "roles"), vec!["admins"]);
        assert!(groups_claim(&t, "missing").is_empty());
        assert!(groups_claim(&payload("garbage"), "groups").is_empty());
        let long = "g".repeat(MAX_GROUP_BYTES + 1);
        let many: Vec<String> = (0..MAX_GROUPS + 10).map(|i| format!("g{i}")).collect();
        let t = serde_json::json!({ "groups": [long.clone(), "ok"], "many": many, "one": long });
        assert_eq!(groups_claim(&t, "groups"), vec!["ok"]);
        assert_eq!(groups_claim(&t, "many").len(), MAX_GROUPS);
        assert!(groups_claim(&t, "one").is_empty());
    }
}
