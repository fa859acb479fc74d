//! Sign-in through OpenID Connect, sessions, and sign-out, against a provider under test control.
mod common;

use axum::http::StatusCode;
use sqlx::PgPool;

use common::op::{Tamper, ALICE_ADMIN, BOB_EDITOR, DAVE_OTHER_EDITOR};
use common::TestApp;

async fn users(app: &TestApp) -> i64 {
    app.scalar_i64("SELECT count(*) FROM app_user").await
}

async fn sessions(app: &TestApp) -> i64 {
    app.scalar_i64("SELECT count(*) FROM tower_sessions.session")
        .await
}

/// True when the cookie gets the page (not a trip to sign in).
async fn grants_access(app: &TestApp, cookie: &str) -> bool {
    let r = app.with_cookie(Some(cookie.into())).get("/services").await;
    match r.status {
        StatusCode::OK => true,
        StatusCode::SEE_OTHER => {
            assert!(r.location().unwrap().starts_with("/auth/login"));
            false
        }
        other => panic!("unexpected {other}: {}", r.body),
    }
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_deep_link_goes_through_the_provider_and_comes_back(pool: PgPool) {
    let app = TestApp::anonymous(pool, |_| {}).await;
    // Anonymous: every page and server function is closed, except health and sign-in.
    let r = app.get("/services/payments-api?tab=links").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.location(),
        Some("/auth/login?next=%2Fservices%2Fpayments-api%3Ftab%3Dlinks")
    );
    let api = app.post("/fn/search_catalog", &[]).await;
    assert_eq!(api.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api.error(), app::error::AppError::Unauthenticated);
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);

    // The authorization request: code flow, PKCE S256, state and nonce, our client and scopes.
    let start = app.start_login("/services/payments-api?tab=links").await;
    let q = |k: &str| {
        start
            .authorize_url
            .query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
    };
    assert!(start
        .authorize_url
        .as_str()
        .starts_with(&format!("{}/authorize?", app.op.issuer)));
    assert_eq!(q("response_type").as_deref(), Some("code"));
    assert_eq!(q("client_id").as_deref(), Some("portal"));
    assert_eq!(q("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(
        q("redirect_uri").as_deref(),
        Some("http://portal.test/auth/callback")
    );
    assert!(q("scope").unwrap().contains("openid") && q("scope").unwrap().contains("groups"));
    assert!(start.state.len() >= 16 && start.nonce.len() >= 16 && start.challenge.len() >= 43);

    let code = app
        .op
        .issue_code(&BOB_EDITOR, &start.nonce, &start.challenge, Tamper::None);
    let back = app.callback(&start.cookie, &code, &start.state).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(back.location(), Some("/services/payments-api?tab=links"));
    let cookie = back.session_cookie().unwrap();
    assert_ne!(cookie, start.cookie, "a new session id at sign-in");
    assert!(
        !grants_access(&app, &start.cookie).await,
        "the pre-sign-in id is worthless"
    );

    // The person exists with what the provider said, and their team from the groups.
    let (name, email, role): (String, String, String) =
        sqlx::query_as("SELECT name, email, idp_role FROM app_user WHERE subject = 'bob'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (name.as_str(), email.as_str(), role.as_str()),
        ("Bob Editor", "bob@example.com", "editor")
    );
    let page = app.with_cookie(Some(cookie)).get("/services").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Bob Editor"));
    assert_eq!(
        app.scalar_i64("SELECT count(*) FROM audit_event WHERE action = 'auth.sign_in' AND actor_label = 'bob@example.com'").await,
        1
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn the_return_path_stays_on_this_site(pool: PgPool) {
    let app = TestApp::anonymous(pool, |_| {}).await;
    for evil in [
        "//evil.example/x",
        "https://evil.example",
        "/\\evil.example",
    ] {
        let start = app.start_login(evil).await;
        let code = app
            .op
            .issue_code(&BOB_EDITOR, &start.nonce, &start.challenge, Tamper::None);
        let back = app.callback(&start.cookie, &code, &start.state).await;
        assert_eq!(back.location(), Some("/"), "{evil}");
    }
}

/// Every way a callback can be wrong is refused, and leaves no user and no session behind.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn bad_callbacks_create_no_session(pool: PgPool) {
    let app = TestApp::anonymous(pool, |_| {}).await;
    let refused = |r: &common::Reply, case: &str| {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{case}: {}", r.body);
        assert!(r.session_cookie().is_none(), "{case}: no session cookie");
        assert!(
            !r.body.contains("InvalidToken") && !r.body.contains("nonce"),
            "{case}: no detail leaks"
        );
    };

    for tamper in [
        Tamper::WrongIssuer,
        Tamper::WrongAudience,
        Tamper::Expired,
        Tamper::WrongNonce,
        Tamper::BadSignature,
        Tamper::FutureIat,
        Tamper::FutureNbf,
        Tamper::ForeignAzp,
    ] {
        let start = app.start_login("/").await;
        let code = app
            .op
            .issue_code(&BOB_EDITOR, &start.nonce, &start.challenge, tamper);
        let r = app.callback(&start.cookie, &code, &start.state).await;
        refused(&r, &format!("{tamper:?}"));
        assert!(!grants_access(&app, &start.cookie).await, "{tamper:?}");
    }

    // Tampered state, and no state at all.
    let start = app.start_login("/").await;
    let code = app
        .op
        .issue_code(&BOB_EDITOR, &start.nonce, &start.challenge, Tamper::None);
    let r = app.callback(&start.cookie, &code, "forged-state").await;
    refused(&r, "tampered state");
    let start = app.start_login("/").await;
    let code = app
        .op
        .issue_code(&BOB_EDITOR, &start.nonce, &start.challenge, Tamper::None);
    let r = app
        .with_cookie(Some(start.cookie.clone()))
        .get(&format!("/auth/callback?code={code}"))
        .await;
    refused(&r, "missing state");
    // A callback with no login in progress (no cookie at all).
    let r = app
        .callback("portal_session=nonsense", &code, &start.state)
        .await;
    refused(&r, "no pending login");

    assert_eq!(users(&app).await, 0, "nobody was signed in");
    assert_eq!(sessions(&app).await, 0, "no session rows survive");

    // A replayed authorization code: it worked once; presented again (in a fresh login whose
    // state matches), the provider refuses it and so does the portal.
    let start = app.start_login("/").await;
    let code = app
        .op
        .issue_code(&BOB_EDITOR, &start.nonce, &start.challenge, Tamper::None);
    let ok = app.callback(&start.cookie, &code, &start.state).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let again = app.start_login("/").await;
    let r = app.callback(&again.cookie, &code, &again.state).await;
    refused(&r, "replayed code");
    assert!(!grants_access(&app, &again.cookie).await);
    // And the same callback URL replayed with the first cookie finds no pending login.
    let r = app.callback(&start.cookie, &code, &start.state).await;
    refused(&r, "replayed callback");
    assert_eq!(
        sessions(&app).await,
        1,
        "only the one good sign-in has a session"
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn sign_out_deletes_the_session_and_ends_the_providers(pool: PgPool) {
    let anon = TestApp::anonymous(pool, |_| {}).await;
    let app = anon.signed_in_as(&ALICE_ADMIN).await;
    let cookie = app.cookie.clone().unwrap();
    let id = cookie.trim_start_matches("portal_session=").to_string();
    let stored = |app: &TestApp, id: String| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM tower_sessions.session WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(stored(&app, id.clone()).await, 1);
    // Sign-out is a POST; a GET does nothing.
    assert_eq!(
        app.get("/auth/logout").await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    let out = app.post("/auth/logout", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let to = url::Url::parse(out.location().unwrap()).unwrap();
    assert!(
        to.as_str()
            .starts_with(&format!("{}/logout?", app.op.issuer)),
        "RP-initiated logout: {to}"
    );
    let param = |k: &str| {
        to.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
    };
    assert!(param("id_token_hint").unwrap().split('.').count() == 3);
    assert_eq!(
        param("post_logout_redirect_uri").as_deref(),
        Some("http://portal.test/signed-out")
    );
    assert!(out.clears_session_cookie());
    assert_eq!(stored(&app, id).await, 0, "the stored session is deleted");
    assert!(
        !grants_access(&app, &cookie).await,
        "the old cookie is worthless"
    );
    assert_eq!(
        app.scalar_i64("SELECT count(*) FROM audit_event WHERE action = 'auth.sign_out'")
            .await,
        1
    );
    // Signing out again (an ended session, or none) just lands on the signed-out page.
    let again = app.post("/auth/logout", &[]).await;
    assert_eq!(again.location(), Some("/signed-out"));
    let bye = anon.get("/signed-out").await;
    assert_eq!(bye.status, StatusCode::OK);
    assert!(bye.body.contains("You are signed out"));
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn idle_sessions_expire(pool: PgPool) {
    let anon =
        TestApp::anonymous(pool, |c| c.session_idle = std::time::Duration::from_secs(2)).await;
    let app = anon.signed_in_as(&BOB_EDITOR).await;
    let cookie = app.cookie.clone().unwrap();
    // Activity keeps it alive past the idle limit ...
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        assert!(grants_access(&app, &cookie).await);
    }
    // ... and a pause longer than the limit ends it.
    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    assert!(!grants_access(&app, &cookie).await);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn sessions_end_at_their_absolute_lifetime(pool: PgPool) {
    let anon = TestApp::anonymous(pool, |c| {
        c.session_lifetime = std::time::Duration::from_secs(3)
    })
    .await;
    let app = anon.signed_in_as(&BOB_EDITOR).await;
    let cookie = app.cookie.clone().unwrap();
    for _ in 0..2 {
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
        assert!(grants_access(&app, &cookie).await, "active and young");
    }
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert!(
        !grants_access(&app, &cookie).await,
        "active but past its lifetime"
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_cookie_is_only_its_own_session(pool: PgPool) {
    let anon = TestApp::anonymous(pool, |_| {}).await;
    let bob = anon.signed_in_as(&BOB_EDITOR).await;
    let alice = anon.signed_in_as(&ALICE_ADMIN).await;
    assert_ne!(bob.cookie, alice.cookie);
    // Each cookie is its own person.
    assert!(bob.get("/services").await.body.contains("Bob Editor"));
    assert!(alice.get("/services").await.body.contains("Alice Admin"));
    // Made-up or altered ids grant nothing.
    assert!(!grants_access(&anon, "portal_session=AAAAAAAAAAAAAAAAAAAAAA").await);
    let mut altered = bob.cookie.clone().unwrap();
    altered.pop();
    altered.push('x');
    assert!(!grants_access(&anon, &altered).await);
    // Bob signing out ends Bob's session only.
    bob.post("/auth/logout", &[]).await;
    assert!(!grants_access(&anon, bob.cookie.as_deref().unwrap()).await);
    assert!(grants_access(&anon, alice.cookie.as_deref().unwrap()).await);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn sign_in_refreshes_the_person_from_the_provider(pool: PgPool) {
    sqlx::raw_sql(
        "INSERT INTO team (slug, name) VALUES ('payments', 'Payments'), ('checkout', 'Checkout')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let app = TestApp::anonymous(pool, |_| {}).await;
    app.signed_in_as(&BOB_EDITOR).await;
    let moved = common::op::TestUser {
        name: "Robert Editor",
        email: "robert@example.com",
        groups: &["team-checkout"],
        ..BOB_EDITOR
    };
    app.signed_in_as(&moved).await;
    // Issuer + subject is the identity: still one person, with the new name, email and team.
    let rows: Vec<(String, String, Vec<String>)> = sqlx::query_as(
        "SELECT u.name, u.email, array(SELECT t.slug FROM team_member m JOIN team t ON t.id = m.team_id WHERE m.user_id = u.id) FROM app_user u",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![(
            "Robert Editor".into(),
            "robert@example.com".into(),
            vec!["checkout".into()]
        )]
    );
}

/// Nothing session-related lives in a server process: a session made on one replica works on
/// another that shares the database, and ends on both.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_session_works_on_every_replica(pool: PgPool) {
    let one = TestApp::anonymous(pool.clone(), |_| {}).await;
    let two = TestApp::anonymous(pool, |_| {}).await;
    let signed_in = one.signed_in_as(&BOB_EDITOR).await;
    let cookie = signed_in.cookie.clone().unwrap();
    assert!(grants_access(&two, &cookie).await);
    two.with_cookie(Some(cookie.clone()))
        .post("/auth/logout", &[])
        .await;
    assert!(!grants_access(&one, &cookie).await);
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn mutations_are_post_only(pool: PgPool) {
    let app = TestApp::new(pool).await;
    for path in [
        "/fn/delete_team?slug=x",
        "/fn/set_user_role?user=1&role=admin",
    ] {
        let r = app.get(path).await;
        assert_eq!(
            r.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{path}: {}",
            r.body
        );
    }
}

/// Claims of a few KB are cut to size rather than failing the sign-in, and an unverified e-mail
/// address does not name the person in the trail.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn odd_claims_are_bounded_and_unverified_email_is_not_a_label(pool: PgPool) {
    let app = TestApp::anonymous(pool, |_| {}).await;
    let start = app.start_login("/").await;
    let code = app.op.issue_code(
        &BOB_EDITOR,
        &start.nonce,
        &start.challenge,
        Tamper::HugeClaims,
    );
    let r = app.callback(&start.cookie, &code, &start.state).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let name_len = app
        .scalar_i64("SELECT length(name)::int8 FROM app_user WHERE subject = 'bob'")
        .await;
    assert_eq!(name_len, 200, "the name is cut to 200 characters");
    let email_len = app
        .scalar_i64("SELECT length(email)::int8 FROM app_user WHERE subject = 'bob'")
        .await;
    assert_eq!(email_len, 0, "an address too long to be one is dropped");

    let start = app.start_login("/").await;
    let code = app.op.issue_code(
        &DAVE_OTHER_EDITOR,
        &start.nonce,
        &start.challenge,
        Tamper::UnverifiedEmail,
    );
    let r = app.callback(&start.cookie, &code, &start.state).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let labels = app
        .scalar_i64(
            "SELECT count(*) FROM audit_event WHERE action = 'auth.sign_in' \
             AND actor_label = 'dave' AND entity_label = 'dave'",
        )
        .await;
    assert_eq!(
        labels, 1,
        "the trail names dave by subject, not the unverified address"
    );
}

/// A callback link followed from another site (no login in progress) leaves a live session
/// alone: it only ever removes a pending login.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_stray_callback_does_not_sign_anyone_out(pool: PgPool) {
    let anon = TestApp::anonymous(pool, |_| {}).await;
    let app = anon.signed_in_as(&ALICE_ADMIN).await;
    let cookie = app.cookie.clone().unwrap();
    let r = app.get("/auth/callback?code=x&state=y").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(!r.clears_session_cookie(), "the session cookie is kept");
    assert!(grants_access(&app, &cookie).await, "still signed in");
}

/// With PORTAL_REQUIRED_GROUPS, someone outside them is refused a session, and the refusal is
/// in the trail.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn only_required_groups_may_sign_in(pool: PgPool) {
    let app = TestApp::anonymous(pool, |c| c.required_groups = vec!["sre-admins".into()]).await;
    let start = app.start_login("/").await;
    let code = app
        .op
        .issue_code(&BOB_EDITOR, &start.nonce, &start.challenge, Tamper::None);
    let r = app.callback(&start.cookie, &code, &start.state).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("not open to you"));
    assert!(!grants_access(&app, &start.cookie).await);
    assert_eq!(users(&app).await, 0, "no account is made");
    assert_eq!(
        app.scalar_i64(
            "SELECT count(*) FROM audit_event WHERE action = 'auth.sign_in_refused' \
             AND entity_id = 'bob'"
        )
        .await,
        1
    );
    let ok = app.signed_in_as(&ALICE_ADMIN).await;
    assert!(ok.cookie.is_some(), "a member signs in");
}

/// An admin disables a person: every session of theirs stops at once, their sign-in is refused
/// (and recorded) until an admin enables them again. Nobody can disable themselves.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn a_disabled_person_loses_every_session_and_cannot_sign_in(pool: PgPool) {
    let anon = TestApp::anonymous(pool, |_| {}).await;
    let alice = anon.signed_in_as(&ALICE_ADMIN).await;
    let laptop = anon.signed_in_as(&BOB_EDITOR).await;
    let phone = anon.signed_in_as(&BOB_EDITOR).await;
    let bob = alice
        .scalar_i64("SELECT id FROM app_user WHERE subject = 'bob'")
        .await;
    let me = alice
        .scalar_i64("SELECT id FROM app_user WHERE subject = 'alice'")
        .await;

    let r = alice
        .post(
            "/fn/set_user_disabled",
            &[("user", &me.to_string()), ("disable", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.error().field_errors().unwrap().get("user").is_some());
    assert!(grants_access(&alice, alice.cookie.as_deref().unwrap()).await);

    let r = alice
        .post(
            "/fn/set_user_disabled",
            &[("user", &bob.to_string()), ("disable", "true")],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    for session in [&laptop, &phone] {
        assert!(!grants_access(&anon, session.cookie.as_deref().unwrap()).await);
    }
    let start = anon.start_login("/").await;
    let code = anon
        .op
        .issue_code(&BOB_EDITOR, &start.nonce, &start.challenge, Tamper::None);
    let r = anon.callback(&start.cookie, &code, &start.state).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("disabled"), "{}", r.body);
    assert!(!grants_access(&anon, &start.cookie).await);
    let trail = |action: &'static str| {
        let alice = alice.clone();
        async move {
            alice
                .scalar_i64(&format!(
                    "SELECT count(*) FROM audit_event WHERE action = '{action}' \
                     AND entity_label = 'bob@example.com'"
                ))
                .await
        }
    };
    assert_eq!(trail("user.disable").await, 1);
    assert_eq!(trail("auth.sign_in_refused").await, 1);

    let r = alice
        .post(
            "/fn/set_user_disabled",
            &[("user", &bob.to_string()), ("disable", "false")],
        )
        .await;
    assert!(r.status.is_success(), "{}", r.body);
    assert_eq!(trail("user.enable").await, 1);
    let back = anon.signed_in_as(&BOB_EDITOR).await;
    assert!(grants_access(&anon, back.cookie.as_deref().unwrap()).await);
}
