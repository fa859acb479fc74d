//! A believable demo organisation: 8 teams and 60 services across tiers and lifecycles, with
//! contacts, links (some runbooks stale, some missing) and a dependency graph. Loading it again
//! changes nothing: every insert is keyed by slug and skips what exists.
use chrono::{Duration, NaiveDate};
use sqlx::PgPool;

use crate::error::AppError;

/// (slug, name, description, email, chat, has pager, escalation policy)
const TEAMS: &[(&str, &str, &str, &str, &str, bool, &str)] = &[
    (
        "platform",
        "Platform Infrastructure",
        "Kubernetes clusters, networking, service mesh and the deploy pipeline.",
        "platform@acme.example",
        "#platform",
        true,
        "Primary on-call (5 min) → secondary (15 min) → Head of Platform.",
    ),
    (
        "identity",
        "Identity & Access",
        "Sign-in, sessions, permissions and the customer account model.",
        "identity@acme.example",
        "#identity",
        true,
        "Primary (5 min) → secondary (10 min) → Security on-call.",
    ),
    (
        "payments",
        "Payments",
        "Card processing, payouts, ledgers and fraud screening.",
        "payments@acme.example",
        "#payments",
        true,
        "Primary (5 min) → secondary (10 min) → Payments EM → VP Engineering.",
    ),
    (
        "checkout",
        "Checkout & Cart",
        "Cart, pricing, promotions and order placement.",
        "checkout@acme.example",
        "#checkout",
        true,
        "Primary (5 min) → secondary (15 min) → Checkout EM.",
    ),
    (
        "merchandising",
        "Merchandising",
        "Product data, search and recommendations.",
        "merch@acme.example",
        "#merch",
        true,
        "Primary (10 min) → Merchandising EM.",
    ),
    (
        "data",
        "Data Platform",
        "Event pipeline, warehouse and ML feature store.",
        "data@acme.example",
        "#data-platform",
        true,
        "Business hours: #data-platform. Out of hours: primary on-call (30 min).",
    ),
    (
        "growth",
        "Growth & Messaging",
        "Email, push and in-app messaging; experiments.",
        "growth@acme.example",
        "#growth",
        false,
        "Business hours only: post in #growth and tag @growth-oncall.",
    ),
    (
        "observability",
        "Observability",
        "Metrics, logs, traces and alert routing for everyone else.",
        "o11y@acme.example",
        "#observability",
        true,
        "Primary (5 min) → secondary (10 min) → Platform on-call.",
    ),
];

/// (slug, name, tier, lifecycle, team, tags, description)
type DemoService = (
    &'static str,
    &'static str,
    i16,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
);
const SERVICES: &[DemoService] = &[
    (
        "api-gateway",
        "API Gateway",
        0,
        "production",
        Some("platform"),
        "edge,go,public-api",
        "Terminates TLS and routes every public request to the services behind it.",
    ),
    (
        "service-mesh",
        "Service Mesh",
        0,
        "production",
        Some("platform"),
        "networking,envoy",
        "mTLS and traffic policy between all internal services.",
    ),
    (
        "k8s-prod-eu",
        "Kubernetes prod-eu",
        0,
        "production",
        Some("platform"),
        "kubernetes,eu",
        "Production cluster in the EU region.",
    ),
    (
        "k8s-prod-us",
        "Kubernetes prod-us",
        0,
        "production",
        Some("platform"),
        "kubernetes,us",
        "Production cluster in the US region.",
    ),
    (
        "deploy-pipeline",
        "Deploy Pipeline",
        1,
        "production",
        Some("platform"),
        "ci,internal",
        "Builds, tests and rolls out every service; blocks bad canaries.",
    ),
    (
        "dns-edge",
        "Edge DNS",
        0,
        "production",
        Some("platform"),
        "edge,networking",
        "Authoritative DNS and health-checked failover for public hostnames.",
    ),
    (
        "secrets-vault",
        "Secrets Vault",
        0,
        "production",
        Some("platform"),
        "security,vault",
        "Stores and rotates credentials for every service.",
    ),
    (
        "legacy-lb",
        "Legacy Load Balancer",
        2,
        "deprecated",
        Some("platform"),
        "edge,haproxy",
        "The old HAProxy tier; two internal tools still route through it.",
    ),
    (
        "auth-service",
        "Auth Service",
        0,
        "production",
        Some("identity"),
        "security,go,public-api",
        "Issues and validates sessions and tokens for customers and staff.",
    ),
    (
        "user-profile",
        "User Profile",
        1,
        "production",
        Some("identity"),
        "java,pii",
        "Customer names, addresses and preferences.",
    ),
    (
        "permissions",
        "Permissions",
        1,
        "production",
        Some("identity"),
        "security,go",
        "Answers \"may this principal do that\" for every internal API.",
    ),
    (
        "sso-bridge",
        "Staff SSO Bridge",
        2,
        "production",
        Some("identity"),
        "security,internal",
        "Connects staff tools to the corporate identity provider.",
    ),
    (
        "mfa-service",
        "MFA Service",
        1,
        "production",
        Some("identity"),
        "security,pii",
        "TOTP, WebAuthn and SMS second factors.",
    ),
    (
        "account-recovery",
        "Account Recovery",
        2,
        "experimental",
        Some("identity"),
        "security",
        "Self-service recovery flow, rolling out to 10 % of customers.",
    ),
    (
        "payments-api",
        "Payments API",
        0,
        "production",
        Some("payments"),
        "pci,go,public-api",
        "Authorises, captures and refunds card payments.",
    ),
    (
        "ledger",
        "Ledger",
        0,
        "production",
        Some("payments"),
        "pci,postgres",
        "Double-entry ledger: the source of truth for every money movement.",
    ),
    (
        "payouts",
        "Payouts",
        1,
        "production",
        Some("payments"),
        "pci,batch",
        "Daily merchant payouts and bank file generation.",
    ),
    (
        "fraud-scoring",
        "Fraud Scoring",
        1,
        "production",
        Some("payments"),
        "ml,pci",
        "Scores each payment for fraud risk in under 50 ms.",
    ),
    (
        "card-vault",
        "Card Vault",
        0,
        "production",
        Some("payments"),
        "pci,security",
        "Tokenises and stores card numbers (PCI scope).",
    ),
    (
        "invoicing",
        "Invoicing",
        2,
        "production",
        Some("payments"),
        "batch,pdf",
        "Generates and emails invoices for business customers.",
    ),
    (
        "currency-rates",
        "Currency Rates",
        2,
        "production",
        Some("payments"),
        "batch",
        "Fetches FX rates hourly and serves them to pricing and payouts.",
    ),
    (
        "payments-reconciler",
        "Payments Reconciler",
        2,
        "production",
        Some("payments"),
        "batch,pci",
        "Matches processor settlement files against the ledger every night.",
    ),
    (
        "cart",
        "Cart",
        1,
        "production",
        Some("checkout"),
        "kotlin,public-api",
        "Holds what a customer is about to buy, across devices.",
    ),
    (
        "checkout-web",
        "Checkout Web",
        1,
        "production",
        Some("checkout"),
        "frontend,react",
        "The checkout pages customers pay through.",
    ),
    (
        "pricing",
        "Pricing",
        1,
        "production",
        Some("checkout"),
        "kotlin",
        "Computes prices, taxes and discounts for a cart.",
    ),
    (
        "promotions",
        "Promotions",
        2,
        "production",
        Some("checkout"),
        "kotlin",
        "Coupon codes and campaign rules.",
    ),
    (
        "order-service",
        "Order Service",
        0,
        "production",
        Some("checkout"),
        "kotlin,postgres,public-api",
        "Places orders and drives them through fulfilment states.",
    ),
    (
        "tax-engine",
        "Tax Engine",
        1,
        "production",
        Some("checkout"),
        "vendor",
        "Wraps the tax vendor's API with caching and fallbacks.",
    ),
    (
        "gift-cards",
        "Gift Cards",
        2,
        "experimental",
        Some("checkout"),
        "kotlin",
        "Digital gift cards; pilot in two markets.",
    ),
    (
        "checkout-v1",
        "Checkout v1",
        3,
        "retired",
        Some("checkout"),
        "php,legacy",
        "The original checkout, replaced by checkout-web in 2025.",
    ),
    (
        "product-catalog",
        "Product Catalog",
        1,
        "production",
        Some("merchandising"),
        "java,public-api",
        "Products, variants, images and availability.",
    ),
    (
        "search-api",
        "Search API",
        1,
        "production",
        Some("merchandising"),
        "elasticsearch,public-api",
        "Full-text and faceted product search.",
    ),
    (
        "search-indexer",
        "Search Indexer",
        2,
        "production",
        Some("merchandising"),
        "elasticsearch,batch",
        "Keeps the search index in step with the product catalog.",
    ),
    (
        "recommendations",
        "Recommendations",
        2,
        "production",
        Some("merchandising"),
        "ml,python",
        "\"Customers also bought\" and personalised rails.",
    ),
    (
        "image-resizer",
        "Image Resizer",
        2,
        "production",
        Some("merchandising"),
        "go,cdn",
        "Resizes and caches product images on the fly.",
    ),
    (
        "reviews",
        "Product Reviews",
        2,
        "production",
        Some("merchandising"),
        "python",
        "Customer reviews and ratings with moderation.",
    ),
    (
        "inventory",
        "Inventory",
        1,
        "production",
        Some("merchandising"),
        "java,postgres",
        "Stock levels per warehouse, reserved at checkout.",
    ),
    (
        "event-bus",
        "Event Bus",
        0,
        "production",
        Some("data"),
        "kafka",
        "Kafka clusters carrying every domain event.",
    ),
    (
        "warehouse-loader",
        "Warehouse Loader",
        2,
        "production",
        Some("data"),
        "batch,spark",
        "Loads events into the warehouse every 15 minutes.",
    ),
    (
        "feature-store",
        "Feature Store",
        2,
        "production",
        Some("data"),
        "ml,redis",
        "Online features for fraud scoring and recommendations.",
    ),
    (
        "analytics-api",
        "Analytics API",
        2,
        "production",
        Some("data"),
        "python,internal",
        "Serves dashboards and exports to internal teams.",
    ),
    (
        "data-quality",
        "Data Quality Checks",
        3,
        "experimental",
        Some("data"),
        "batch,python",
        "Nightly expectations on warehouse tables.",
    ),
    (
        "clickstream",
        "Clickstream Collector",
        2,
        "production",
        Some("data"),
        "go,edge",
        "Collects browser and app events.",
    ),
    (
        "legacy-etl",
        "Legacy ETL",
        3,
        "deprecated",
        Some("data"),
        "batch,legacy",
        "Cron-driven ETL being replaced by the warehouse loader.",
    ),
    (
        "email-sender",
        "Email Sender",
        1,
        "production",
        Some("growth"),
        "email,vendor",
        "Transactional email: receipts, password resets, shipping updates.",
    ),
    (
        "push-notifications",
        "Push Notifications",
        2,
        "production",
        Some("growth"),
        "mobile",
        "iOS and Android push delivery.",
    ),
    (
        "experiments",
        "Experimentation Service",
        2,
        "production",
        Some("growth"),
        "python,internal",
        "Assigns users to A/B test variants and logs exposures.",
    ),
    (
        "newsletter",
        "Newsletter",
        3,
        "production",
        Some("growth"),
        "email,marketing",
        "Weekly marketing newsletter.",
    ),
    (
        "referrals",
        "Referrals",
        3,
        "experimental",
        Some("growth"),
        "marketing",
        "Invite-a-friend credits.",
    ),
    (
        "sms-gateway",
        "SMS Gateway",
        1,
        "production",
        Some("growth"),
        "sms,vendor",
        "Sends SMS (MFA codes, delivery updates) through two vendors.",
    ),
    (
        "metrics-pipeline",
        "Metrics Pipeline",
        0,
        "production",
        Some("observability"),
        "prometheus",
        "Scrapes, stores and serves every service's metrics.",
    ),
    (
        "log-pipeline",
        "Log Pipeline",
        1,
        "production",
        Some("observability"),
        "logging",
        "Ships and indexes logs from all clusters.",
    ),
    (
        "tracing",
        "Distributed Tracing",
        2,
        "production",
        Some("observability"),
        "otel",
        "Collects and stores request traces.",
    ),
    (
        "alert-router",
        "Alert Router",
        0,
        "production",
        Some("observability"),
        "alerting",
        "Routes alerts to the right team's pager.",
    ),
    (
        "status-page",
        "Status Page",
        1,
        "production",
        Some("observability"),
        "public",
        "The public status page customers check during incidents.",
    ),
    (
        "synthetic-checks",
        "Synthetic Checks",
        2,
        "production",
        Some("observability"),
        "monitoring",
        "Probes public endpoints from five regions every minute.",
    ),
    (
        "shipping-labels",
        "Shipping Labels",
        2,
        "production",
        None,
        "vendor,batch",
        "Buys and prints carrier labels. Owner left in the reorg; needs a home.",
    ),
    (
        "store-locator",
        "Store Locator",
        3,
        "production",
        None,
        "maps,public",
        "Find a pickup point near you.",
    ),
    (
        "hackweek-chatbot",
        "Hackweek Chatbot",
        3,
        "experimental",
        None,
        "ml,experiment",
        "Support chatbot prototype from hack week.",
    ),
    (
        "fax-gateway",
        "Fax Gateway",
        3,
        "retired",
        None,
        "legacy",
        "Sent orders to suppliers by fax. Switched off.",
    ),
];

/// (from, to, kind)
const DEPENDENCIES: &[(&str, &str, &str)] = &[
    ("api-gateway", "auth-service", "hard"),
    ("api-gateway", "service-mesh", "hard"),
    ("api-gateway", "dns-edge", "hard"),
    ("auth-service", "user-profile", "soft"),
    ("auth-service", "secrets-vault", "hard"),
    ("auth-service", "mfa-service", "hard"),
    ("mfa-service", "sms-gateway", "soft"),
    ("permissions", "auth-service", "hard"),
    ("user-profile", "permissions", "hard"),
    ("payments-api", "ledger", "hard"),
    ("payments-api", "card-vault", "hard"),
    ("payments-api", "fraud-scoring", "soft"),
    ("payments-api", "auth-service", "hard"),
    ("payouts", "ledger", "hard"),
    ("payouts", "currency-rates", "hard"),
    ("fraud-scoring", "feature-store", "soft"),
    ("invoicing", "ledger", "hard"),
    ("invoicing", "email-sender", "soft"),
    ("payments-reconciler", "ledger", "hard"),
    ("cart", "pricing", "hard"),
    ("cart", "product-catalog", "hard"),
    ("cart", "inventory", "soft"),
    ("checkout-web", "cart", "hard"),
    ("checkout-web", "payments-api", "hard"),
    ("checkout-web", "order-service", "hard"),
    ("checkout-web", "api-gateway", "hard"),
    ("pricing", "promotions", "soft"),
    ("pricing", "tax-engine", "hard"),
    ("pricing", "currency-rates", "soft"),
    ("order-service", "payments-api", "hard"),
    ("order-service", "inventory", "hard"),
    ("order-service", "event-bus", "hard"),
    ("order-service", "email-sender", "soft"),
    ("order-service", "shipping-labels", "soft"),
    ("gift-cards", "ledger", "hard"),
    ("search-api", "product-catalog", "soft"),
    ("search-indexer", "product-catalog", "hard"),
    ("search-indexer", "event-bus", "hard"),
    ("recommendations", "feature-store", "hard"),
    ("recommendations", "product-catalog", "soft"),
    ("product-catalog", "image-resizer", "soft"),
    ("inventory", "event-bus", "soft"),
    ("warehouse-loader", "event-bus", "hard"),
    ("feature-store", "event-bus", "hard"),
    ("analytics-api", "warehouse-loader", "hard"),
    ("clickstream", "event-bus", "hard"),
    ("email-sender", "experiments", "soft"),
    ("push-notifications", "user-profile", "soft"),
    ("newsletter", "email-sender", "hard"),
    ("referrals", "ledger", "soft"),
    ("alert-router", "metrics-pipeline", "hard"),
    ("alert-router", "sms-gateway", "soft"),
    ("metrics-pipeline", "k8s-prod-eu", "hard"),
    ("log-pipeline", "k8s-prod-eu", "hard"),
    ("status-page", "synthetic-checks", "soft"),
    ("synthetic-checks", "alert-router", "hard"),
    ("deploy-pipeline", "secrets-vault", "hard"),
    ("service-mesh", "k8s-prod-eu", "hard"),
    ("service-mesh", "k8s-prod-us", "hard"),
    ("legacy-lb", "dns-edge", "hard"),
    ("store-locator", "api-gateway", "soft"),
    ("hackweek-chatbot", "order-service", "soft"),
    // A real cycle: the event bus authenticates producers, and auth publishes its events on the bus.
    ("event-bus", "auth-service", "soft"),
    ("auth-service", "event-bus", "soft"),
];

pub struct DemoReport {
    pub teams_added: u64,
    pub services_added: u64,
}

/// Runbook review ages vary by service so that the demo shows fresh, stale and missing ones.
fn runbook_reviewed(i: usize, today: NaiveDate) -> Option<Option<NaiveDate>> {
    match i % 9 {
        0 => None, // no runbook at all
        3 | 7 => Some(Some(today - Duration::days(200 + (i as i64 * 53) % 300))), // stale
        5 => Some(None), // never reviewed
        _ => Some(Some(today - Duration::days(5 + (i as i64 * 37) % 150))), // fresh
    }
}

pub async fn load(pool: &PgPool, today: NaiveDate) -> Result<DemoReport, AppError> {
    let mut tx = pool.begin().await?;
    let mut teams_added = 0;
    for (slug, name, description, email, chat, pager, escalation) in TEAMS {
        let oncall = if *pager {
            format!("https://acme.pagerduty.example/schedules/{slug}")
        } else {
            String::new()
        };
        teams_added += sqlx::query(
            "INSERT INTO team (slug, name, description, email, chat_channel, oncall_url, escalation_policy) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (slug) DO NOTHING",
        )
        .bind(slug).bind(name).bind(description).bind(email).bind(chat).bind(oncall).bind(escalation)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    let mut services_added = 0;
    for (i, (slug, name, tier, lifecycle, team, tags, description)) in SERVICES.iter().enumerate() {
        let tags: Vec<String> = tags.split(',').map(str::to_string).collect();
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO service (slug, name, description, tier, lifecycle, owner_team_id, tags) \
             VALUES ($1, $2, $3, $4, $5, (SELECT id FROM team WHERE slug = $6), $7) \
             ON CONFLICT (slug) DO NOTHING RETURNING id",
        )
        .bind(slug)
        .bind(name)
        .bind(description)
        .bind(tier)
        .bind(lifecycle)
        .bind(team)
        .bind(&tags)
        .fetch_optional(&mut *tx)
        .await?;
        // Links only for services this run created, so a second load adds none.
        let Some(id) = id else { continue };
        services_added += 1;
        let mut links: Vec<(&str, String, String, Option<NaiveDate>)> = vec![(
            "repo",
            "Source".into(),
            format!("https://git.acme.example/acme/{slug}"),
            None,
        )];
        if *tier <= 2 {
            links.push((
                "dashboard",
                "Service dashboard".into(),
                format!("https://grafana.acme.example/d/{slug}"),
                None,
            ));
        }
        if let Some(reviewed) = runbook_reviewed(i, today) {
            links.push((
                "runbook",
                "Runbook".into(),
                format!("https://wiki.acme.example/runbooks/{slug}"),
                reviewed,
            ));
        }
        if *tier == 0 && i % 2 == 0 {
            links.push((
                "oncall",
                "Escalation schedule".into(),
                format!("https://acme.pagerduty.example/services/{slug}"),
                None,
            ));
        }
        if i % 4 == 1 {
            links.push((
                "docs",
                "Design doc".into(),
                format!("https://docs.acme.example/{slug}/design"),
                None,
            ));
        }
        for (kind, title, url, reviewed) in links {
            sqlx::query("INSERT INTO service_link (service_id, kind, title, url, last_reviewed_on) VALUES ($1, $2, $3, $4, $5)")
                .bind(id).bind(kind).bind(title).bind(url).bind(reviewed)
                .execute(&mut *tx)
                .await?;
        }
    }
    for (from, to, kind) in DEPENDENCIES {
        sqlx::query(
            "INSERT INTO service_dependency (service_id, depends_on_id, kind) \
             SELECT a.id, b.id, $3 FROM service a, service b WHERE a.slug = $1 AND b.slug = $2 \
             ON CONFLICT DO NOTHING",
        )
        .bind(from)
        .bind(to)
        .bind(kind)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(DemoReport {
        teams_added,
        services_added,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_is_consistent() {
        assert_eq!(TEAMS.len(), 8);
        assert_eq!(SERVICES.len(), 60);
        let slugs: Vec<&str> = SERVICES.iter().map(|s| s.0).collect();
        for (from, to, _) in DEPENDENCIES {
            assert!(slugs.contains(from) && slugs.contains(to), "{from} -> {to}");
            assert_ne!(from, to);
        }
        for s in SERVICES {
            assert!(
                s.4.is_none_or(|t| TEAMS.iter().any(|team| team.0 == t)),
                "{}",
                s.0
            );
        }
        for tier in 0..=3 {
            assert!(SERVICES.iter().any(|s| s.2 == tier));
        }
    }
}
