//! Pages render the right data, answer 404 for what does not exist, and carry security headers.
mod common;

use axum::http::StatusCode;
use common::TestApp;
use sqlx::PgPool;

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn catalog_lists_and_filters(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let all = app.get("/services").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.body.contains("60 services"), "total shown");
    assert!(all.body.contains("API Gateway") && all.body.contains("Account Recovery"));
    assert!(all.body.contains("Page 1 of 2"));

    let tier0 = app.get("/services?tier=0").await;
    let expected = app
        .scalar_i64("SELECT count(*) FROM service WHERE tier = 0")
        .await;
    assert!(
        tier0.body.contains(&format!("{expected} services")),
        "tier 0 count"
    );
    assert!(tier0.body.contains("Payments API"));
    assert!(
        !tier0.body.contains("Checkout Web"),
        "a tier 1 service is filtered out"
    );
    // The active filter is a removable chip and the facet link toggles it off.
    assert!(tier0
        .body
        .contains(r#"href="/services" title="Remove this filter""#));

    let unowned = app.get("/services?team=none").await;
    assert!(unowned.body.contains("Shipping Labels") && unowned.body.contains("Unowned"));
    assert!(!unowned.body.contains("Payments API"));

    let search = app.get("/services?q=reconcil").await;
    assert!(search.body.contains(">1 service<"), "one match");
    assert!(search.body.contains("Payments Reconciler"));
    // Prefixes match descriptions too: "ledg" finds the ledger and what mentions it.
    let search = app.get("/services?q=ledg").await;
    assert!(search.body.contains(r#"href="/services/ledger""#));
    assert!(search
        .body
        .contains(r#"href="/services/payments-reconciler""#));
    assert!(!search.body.contains(r#"href="/services/cart""#));

    let empty = app.get("/services?tag=no-such-tag").await;
    assert!(empty.body.contains("No services match these filters"));
    assert!(empty.body.contains("clear them all"));
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn service_page_has_everything_on_one_page(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let page = app.get("/services/payments-api").await;
    assert_eq!(page.status, StatusCode::OK);
    let b = &page.body;
    assert!(b.contains("<title>Payments API · Reliability Portal</title>"));
    assert!(b.contains(r#"href="/teams/payments""#), "owner link");
    assert!(b.contains("Tier 0 · Critical platform"), "tier policy");
    assert!(
        b.contains(r#"href="/services/ledger""#),
        "depends on ledger"
    );
    assert!(
        b.contains(r#"href="/services/checkout-web""#),
        "checkout-web depends on it"
    );
    assert!(
        b.contains(r#"<a href="https://acme.pagerduty.example/services/payments-api" rel="noopener noreferrer" class="button small danger">Page: "#),
        "the service's own on-call link is the pager button"
    );
    assert!(b.contains("Runbook"));
    assert!(
        b.contains("T0") && b.contains("Production"),
        "tier and lifecycle badges"
    );
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn shortfalls_are_flagged_on_the_service_page(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let stale: String = sqlx::query_scalar(
        "SELECT s.slug FROM service s JOIN service_link l ON l.service_id = s.id \
         WHERE l.kind = 'runbook' AND l.last_reviewed_on < current_date - 180 AND s.tier <= 2 \
         ORDER BY s.slug LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let page = app.get(&format!("/services/{stale}")).await;
    assert!(page.body.contains("Runbook is stale"), "{stale}");
    assert!(page.body.contains(">Stale<"));

    let unowned = app.get("/services/shipping-labels").await;
    assert!(unowned.body.contains("No owning team"));
    // Growth has no pager: its tier 1 email sender falls short on on-call.
    let email = app.get("/services/email-sender").await;
    assert!(email.body.contains("No on-call"));

    let home = app.get("/").await;
    assert!(home.body.contains("Needs attention"));
    assert!(home.body.contains(r#"href="/services/shipping-labels""#));
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn teams_and_tiers(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let teams = app.get("/teams").await;
    assert!(teams.body.contains("Payments") && teams.body.contains("No pager"));
    let team = app.get("/teams/payments").await;
    assert!(team.body.contains("Ledger") && team.body.contains("Card Vault"));
    // Nobody from payments has signed in yet; a member appears once they have.
    assert!(team.body.contains("Nobody yet"));
    app.signed_in_as(&common::op::BOB_EDITOR).await;
    let team = app.get("/teams/payments").await;
    let m = team
        .body
        .find("members-h")
        .map(|i| &team.body[i..i + 600])
        .unwrap_or("");
    assert!(
        team.body.contains("Bob Editor") && team.body.contains("bob@example.com"),
        "{m}"
    );
    assert!(
        !team.body.contains(r#"member-name">Alice"#),
        "alice is in platform, not payments"
    );
    assert!(
        !team.body.contains("Checkout Web"),
        "another team's service"
    );
    let tiers = app.get("/tiers").await;
    assert!(tiers.body.contains("99.95%") && tiers.body.contains("5 business days"));
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn missing_things_are_404(pool: PgPool) {
    let app = TestApp::with_demo(pool).await;
    let s = app.get("/services/no-such-service").await;
    assert_eq!(s.status, StatusCode::NOT_FOUND);
    assert!(s
        .body
        .contains("Service \"no-such-service\" was not found."));
    let t = app.get("/teams/no-such-team").await;
    assert_eq!(t.status, StatusCode::NOT_FOUND);
    let p = app.get("/no/such/page").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.body.contains("Page not found"));
    // The fallback page hydrates too: its script carries the nonce its CSP names.
    let csp = p.headers["content-security-policy"].to_str().unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(p.body.contains(&format!("nonce=\"{nonce}\"")));
}

#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn security_headers_and_health(pool: PgPool) {
    let app = TestApp::new(pool).await;
    let page = app.get("/services").await;
    assert_eq!(page.headers["x-content-type-options"], "nosniff");
    assert_eq!(page.headers["x-frame-options"], "DENY");
    assert_eq!(
        page.headers["cache-control"], "no-store",
        "signed-in pages are not stored"
    );
    assert!(
        !page.headers.contains_key("strict-transport-security"),
        "no HSTS over plain http"
    );
    let api = app.get("/api/v1/services").await;
    assert_eq!(api.headers["cache-control"], "no-store");
    let csp = page.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"));
    // The hydration script carries the nonce the policy names, and only scripts with it run.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a script nonce in the CSP");
    assert!(nonce.len() >= 16);
    assert!(!csp.contains("'unsafe-inline'"));
    assert!(
        page.body.contains(&format!("nonce=\"{nonce}\"")),
        "the hydration script has the nonce"
    );
    let again = app.get("/services").await;
    assert!(
        !again.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains(nonce),
        "a fresh nonce per response"
    );
    assert!(
        page.body.contains("The catalog is empty"),
        "empty state says what to do"
    );
    let health = app.get("/healthz").await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok")
    );
    let https = TestApp::anonymous(app.pool.clone(), |c| {
        c.public_url = "https://portal.test".into();
    })
    .await;
    let r = https.get("/healthz").await;
    assert_eq!(
        r.headers["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

/// The catalog's results are rendered once per distinct data and shared by everyone who may read
/// them; what depends on who is asking is rendered per request; any write shows at once, whoever
/// makes it.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn catalog_results_are_shared_but_never_stale(pool: PgPool) {
    let admin = TestApp::with_demo(pool).await;
    let name = r#"class="strong">Ledger</a>"#;
    let first = admin.get("/services?q=ledg").await;
    assert!(first.body.contains(name), "{}", first.body);
    assert!(first.body.contains("+ New service"), "an admin may add one");

    let viewer = admin.signed_in_as(&common::op::CAROL_VIEWER).await;
    let seen = viewer.get("/services?q=ledg").await;
    assert_eq!(
        catalog_results(&seen.body),
        catalog_results(&first.body),
        "the same results for everyone"
    );
    assert!(
        !seen.body.contains("+ New service"),
        "but not the admin's controls"
    );
    assert!(seen.body.contains("Carol Viewer") && !seen.body.contains("Alice Admin"));

    assert!(!viewer
        .get("/services/ledger")
        .await
        .body
        .contains("Ledger Core"));
    // A write the triggers cannot see: the results come from the cache...
    let sql = |s: &'static str| sqlx::raw_sql(s).execute(&admin.pool);
    sql("ALTER TABLE service DISABLE TRIGGER USER;
         UPDATE service SET name = 'Ledger Core' WHERE slug = 'ledger';
         ALTER TABLE service ENABLE TRIGGER USER")
    .await
    .unwrap();
    assert!(viewer.get("/services?q=ledg").await.body.contains(name));
    let page = viewer.get("/services/ledger").await;
    assert!(!page.body.contains("Ledger Core"), "the service page too");
    // ...until any write moves the generation on, from whatever client.
    sql("UPDATE service_link SET title = title").await.unwrap();
    let fresh = viewer.get("/services?q=ledg").await;
    assert!(
        fresh.body.contains(r#"class="strong">Ledger Core</a>"#),
        "{}",
        fresh.body
    );
    let page = viewer.get("/services/ledger").await;
    assert!(page.body.contains("Ledger Core"), "{}", page.body);
}

/// The server-rendered results part of a catalog page.
fn catalog_results(body: &str) -> &str {
    let start = body
        .find(r#"<div class="catalog">"#)
        .expect("catalog results");
    let end = body[start..]
        .find("</section></div>")
        .expect("end of results");
    &body[start..start + end]
}

/// A service page's body is cached per reader's right to edit it: nobody is shown another
/// reader's controls, and a write shows at once.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn service_pages_are_cached_per_right_to_edit(pool: PgPool) {
    let admin = TestApp::with_demo(pool).await;
    let viewer = admin.signed_in_as(&common::op::CAROL_VIEWER).await;
    let edit = r#"href="/services/payments-api/edit""#;
    for _ in 0..2 {
        let a = admin.get("/services/payments-api").await;
        assert!(a.body.contains(edit), "the admin may edit it");
        let v = viewer.get("/services/payments-api").await;
        assert!(v
            .body
            .contains("<title>Payments API · Reliability Portal</title>"));
        assert!(!v.body.contains(edit), "the viewer may not");
    }
    sqlx::raw_sql(
        "UPDATE service SET description = 'Moves the money.' WHERE slug = 'payments-api'",
    )
    .execute(&admin.pool)
    .await
    .unwrap();
    let v = viewer.get("/services/payments-api").await;
    assert!(v.body.contains("Moves the money."), "{}", v.body);
}

/// Building a router lists the app's routes, which switches resource loading off process-wide
/// while it runs (leptos issue 4773); a resource first polled then never loads. Routers built
/// while another one serves pages (as the tests do, side by side) must not stall its pages.
#[sqlx::test(migrator = "app::store::MIGRATOR")]
async fn pages_answer_while_other_routers_are_built(pool: PgPool) {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;

    let app = TestApp::with_demo(pool.clone()).await;
    let stop = Arc::new(AtomicBool::new(false));
    let built = Arc::new(AtomicUsize::new(0));
    // Its own runtime and pool: connections must not hop between runtimes.
    let builder = {
        let (stop, built) = (stop.clone(), built.clone());
        let options = (*pool.connect_options()).clone();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let own = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect_with(options)
                    .await
                    .unwrap();
                while !stop.load(Ordering::Relaxed) {
                    TestApp::anonymous(own.clone(), |_| {}).await;
                    built.fetch_add(1, Ordering::Relaxed);
                }
                own.close().await;
            });
        })
    };
    struct StopOnDrop(Arc<AtomicBool>);
    impl Drop for StopOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    // Stops the builder however this test ends.
    let stopper = StopOnDrop(stop.clone());

    for round in 0..40 {
        let (path, expect) = [
            ("/services/ledger", "Ledger"),
            ("/services?tier=0", "services"),
            ("/teams/payments", "Payments"),
            ("/", "Needs attention"),
        ][round % 4];
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(expect), "{path}: {}", page.body);
    }
    drop(stopper);
    builder.join().unwrap();
    assert!(
        built.load(Ordering::Relaxed) > 0,
        "routers were built meanwhile"
    );
}
