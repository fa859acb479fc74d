//! An OpenID Provider under the tests' control: real discovery, JWKS and token endpoints on a
//! local port, issuing ID tokens signed with a test key, or deliberately wrong ones.
#![allow(dead_code)]
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::Engine as _;
use openidconnect::core::{
    CoreGenderClaim, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    AdditionalClaims, Audience, EndUserEmail, EndUserName, IdToken, IdTokenClaims, IssuerUrl,
    JsonWebKeyId, LocalizedClaim, Nonce, PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use serde::{Deserialize, Serialize};
use sha2::Digest;

pub const CLIENT_ID: &str = "portal";
pub const CLIENT_SECRET: &str = "test-secret";

const KEY: &str = include_str!("../fixtures/test-op-key.pem");
/// Not the provider's key: a token signed with it must be refused.
const ATTACKER_KEY: &str = include_str!("../fixtures/attacker-key.pem");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tamper {
    None,
    WrongIssuer,
    WrongAudience,
    Expired,
    WrongNonce,
    BadSignature,
    /// `iat` an hour ahead.
    FutureIat,
    /// `nbf` a day ahead.
    FutureNbf,
    /// `azp` names another client.
    ForeignAzp,
    /// A 5 KB name and a 3 KB e-mail address.
    HugeClaims,
    /// `email_verified` false.
    UnverifiedEmail,
}

#[derive(Debug, Clone)]
pub struct TestUser {
    pub sub: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub groups: &'static [&'static str],
}

pub const ALICE_ADMIN: TestUser = TestUser {
    sub: "alice",
    name: "Alice Admin",
    email: "alice@example.com",
    groups: &["sre-admins", "team-platform"],
};
pub const BOB_EDITOR: TestUser = TestUser {
    sub: "bob",
    name: "Bob Editor",
    email: "bob@example.com",
    groups: &["team-payments"],
};
pub const DAVE_OTHER_EDITOR: TestUser = TestUser {
    sub: "dave",
    name: "Dave Editor",
    email: "dave@example.com",
    groups: &["team-checkout"],
};
pub const CAROL_VIEWER: TestUser = TestUser {
    sub: "carol",
    name: "Carol Viewer",
    email: "carol@example.com",
    groups: &["engineering"],
};

struct Grant {
    user: TestUser,
    nonce: String,
    challenge: String,
    tamper: Tamper,
    used: bool,
}

#[derive(Default)]
struct OpState {
    issuer: String,
    codes: HashMap<String, Grant>,
    next: u64,
}

#[derive(Clone)]
pub struct TestOp {
    pub issuer: String,
    state: Arc<Mutex<OpState>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Groups {
    groups: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nbf: Option<i64>,
}
impl AdditionalClaims for Groups {}

fn key(pem: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new("test-key".into()))).unwrap()
}

impl TestOp {
    pub async fn start() -> TestOp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(OpState {
            issuer: issuer.clone(),
            ..Default::default()
        }));
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .with_state(state.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        TestOp { issuer, state }
    }

    /// What the provider would do after the person signs in: a one-time code bound to the
    /// nonce and PKCE challenge the portal sent.
    pub fn issue_code(
        &self,
        user: &TestUser,
        nonce: &str,
        challenge: &str,
        tamper: Tamper,
    ) -> String {
        let mut s = self.state.lock().unwrap();
        s.next += 1;
        let code = format!("code-{}", s.next);
        s.codes.insert(
            code.clone(),
            Grant {
                user: user.clone(),
                nonce: nonce.into(),
                challenge: challenge.into(),
                tamper,
                used: false,
            },
        );
        code
    }
}

async fn discovery(State(s): State<Arc<Mutex<OpState>>>) -> Json<serde_json::Value> {
    let iss = s.lock().unwrap().issuer.clone();
    Json(serde_json::json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "jwks_uri": format!("{iss}/jwks"),
        "end_session_endpoint": format!("{iss}/logout"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "groups"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks() -> Json<CoreJsonWebKeySet> {
    Json(CoreJsonWebKeySet::new(vec![key(KEY).as_verification_key()]))
}

#[derive(Deserialize)]
struct TokenForm {
    grant_type: String,
    code: String,
    code_verifier: Option<String>,
}

fn oauth_error(code: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": code })),
    )
        .into_response()
}

async fn token(
    State(s): State<Arc<Mutex<OpState>>>,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> Response {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some(expected.as_str()) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({ "error": "invalid_client" })),
        )
            .into_response();
    }
    if f.grant_type != "authorization_code" {
        return oauth_error("unsupported_grant_type");
    }
    let mut st = s.lock().unwrap();
    let issuer = st.issuer.clone();
    let Some(grant) = st.codes.get_mut(&f.code) else {
        return oauth_error("invalid_grant");
    };
    // A code works once (RFC 6749 §4.1.2).
    if grant.used {
        return oauth_error("invalid_grant");
    }
    grant.used = true;
    let verifier = f.code_verifier.unwrap_or_default();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    if challenge != grant.challenge {
        return oauth_error("invalid_grant");
    }
    let now = chrono::Utc::now();
    let t = grant.tamper;
    let (iat, exp) = if t == Tamper::Expired {
        (
            now - chrono::Duration::minutes(30),
            now - chrono::Duration::minutes(20),
        )
    } else if t == Tamper::FutureIat {
        (
            now + chrono::Duration::hours(1),
            now + chrono::Duration::hours(2),
        )
    } else {
        (now, now + chrono::Duration::minutes(10))
    };
    let iss = if t == Tamper::WrongIssuer {
        "http://evil.example".to_string()
    } else {
        issuer
    };
    let aud = if t == Tamper::WrongAudience {
        "someone-else"
    } else {
        CLIENT_ID
    };
    let nonce = if t == Tamper::WrongNonce {
        "another-nonce".to_string()
    } else {
        grant.nonce.clone()
    };
    let u = &grant.user;
    let (name, email) = if t == Tamper::HugeClaims {
        (
            "N".repeat(5000),
            format!("{}@example.com", "e".repeat(3000)),
        )
    } else {
        (u.name.to_string(), u.email.to_string())
    };
    let standard = StandardClaims::<CoreGenderClaim>::new(SubjectIdentifier::new(u.sub.into()))
        .set_email(Some(EndUserEmail::new(email)))
        .set_email_verified(Some(t != Tamper::UnverifiedEmail))
        .set_name(Some(LocalizedClaim::from(EndUserName::new(name))));
    let claims = IdTokenClaims::new(
        IssuerUrl::new(iss).unwrap(),
        vec![Audience::new(aud.into())],
        exp,
        iat,
        standard,
        Groups {
            groups: u.groups.iter().map(|g| g.to_string()).collect(),
            nbf: (t == Tamper::FutureNbf).then(|| (now + chrono::Duration::days(1)).timestamp()),
        },
    )
    .set_nonce(Some(Nonce::new(nonce)))
    .set_authorized_party(
        (t == Tamper::ForeignAzp).then(|| openidconnect::ClientId::new("another-app".into())),
    );
    let signer = if t == Tamper::BadSignature {
        key(ATTACKER_KEY)
    } else {
        key(KEY)
    };
    let id_token: IdToken<
        Groups,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    > = IdToken::new(
        claims,
        &signer,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .unwrap();
    Json(serde_json::json!({
        "access_token": format!("at-{}", f.code),
        "token_type": "Bearer",
        "expires_in": 600,
        "id_token": id_token.to_string(),
    }))
    .into_response()
}
