//! The demo's SLOs and 30 days of their counts: most services healthy, one burning slowly (at
//! risk), one that paged a few minutes ago, one whose outage spent the budget (freeze), one below
//! its tier's floor, and the status page without any (its tier requires one). Defined through the
//! write path; the counts are seed data written in one statement per SLO.
use sqlx::PgPool;

use crate::commands::{self, Caller};
use crate::domain::slo_form::SloForm;
use crate::error::AppError;
use crate::state::AppState;

/// How an SLO's events go: `base` bad per 100,000 events; an outage `outage_ago` hours ago for
/// `outage_hours` with `outage_bad` of events bad; the last `recent_minutes` at `recent_bad`.
#[derive(Clone, Copy)]
struct Pattern {
    base: i64,
    outage_ago: i64,
    outage_hours: i64,
    outage_bad: f64,
    recent_minutes: i64,
    recent_bad: f64,
}

const HEALTHY: Pattern = Pattern {
    base: 2,
    outage_ago: 0,
    outage_hours: 0,
    outage_bad: 0.0,
    recent_minutes: 0,
    recent_bad: 0.0,
};
const SLOW_BURN: Pattern = Pattern {
    base: 40,
    ..HEALTHY
};
const PAGING: Pattern = Pattern {
    recent_minutes: 20,
    recent_bad: 0.05,
    ..HEALTHY
};
const SPENT: Pattern = Pattern {
    outage_ago: 70,
    outage_hours: 3,
    outage_bad: 0.3,
    ..HEALTHY
};

/// (service, slug, name, kind, objective, window, window days, good event, pattern)
type Demo = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Pattern,
);

#[rustfmt::skip]
const SLOS: &[Demo] = &[
    ("payments-api", "availability", "Payments API availability", "availability", "99.95", "rolling", "30", "a payment request answered without a 5xx", SLOW_BURN),
    ("payments-api", "latency", "Payments API latency", "latency", "99.95", "rolling", "28", "a payment request answered within 300 ms", HEALTHY),
    ("card-vault", "availability", "Card vault availability", "availability", "99.99", "rolling", "30", "a tokenisation answered without error", HEALTHY),
    ("payouts", "freshness", "Payout batches on time", "freshness", "99.9", "month", "", "a payout batch settled before its cut-off", HEALTHY),
    ("fraud-scoring", "availability", "Fraud scoring availability", "availability", "99.9", "rolling", "30", "a score returned within the checkout's deadline", HEALTHY),
    ("order-service", "availability", "Orders accepted", "availability", "99.95", "rolling", "30", "an order placement that succeeds", HEALTHY),
    ("checkout-web", "availability", "Checkout page loads", "availability", "99.9", "rolling", "30", "a checkout page load without a server error", PAGING),
    ("cart", "availability", "Cart availability", "availability", "99.9", "rolling", "30", "a cart update answered without a 5xx", HEALTHY),
    ("pricing", "availability", "Price quotes", "availability", "99.9", "rolling", "30", "a price quote answered without error", HEALTHY),
    ("tax-engine", "correctness", "Tax calculations correct", "correctness", "99.9", "quarter", "", "a tax calculation matching the reconciliation", HEALTHY),
    ("event-bus", "availability", "Events delivered", "availability", "99.95", "rolling", "30", "an event delivered to every subscriber", HEALTHY),
    ("auth-service", "availability", "Sign-ins succeed", "availability", "99.95", "rolling", "30", "a sign-in answered without a server error", HEALTHY),
    ("user-profile", "availability", "Profile reads", "availability", "99.9", "rolling", "30", "a profile read without error", HEALTHY),
    ("search-api", "latency", "Search latency", "latency", "99.9", "rolling", "7", "a search answered within 200 ms", SPENT),
    ("product-catalog", "availability", "Catalog reads", "availability", "99.9", "rolling", "30", "a product read without error", HEALTHY),
    ("metrics-pipeline", "freshness", "Metrics fresh", "freshness", "99.95", "rolling", "30", "a minute of metrics queryable within 2 minutes", HEALTHY),
    ("alert-router", "availability", "Alerts routed", "availability", "99.99", "rolling", "30", "an alert delivered to its receiver within 1 minute", HEALTHY),
    ("api-gateway", "availability", "Gateway availability", "availability", "99.95", "rolling", "30", "a request proxied without a gateway error", HEALTHY),
    ("api-gateway", "latency", "Gateway added latency", "latency", "99.95", "rolling", "30", "a request with under 20 ms added by the gateway", HEALTHY),
    ("ledger", "postings", "Ledger postings", "availability", "99.99", "month", "", "a posting committed without error", HEALTHY),
    ("service-mesh", "availability", "Mesh requests", "availability", "99.99", "rolling", "30", "a request routed without a mesh error", HEALTHY),
    ("k8s-prod-eu", "availability", "EU control plane", "availability", "99.95", "rolling", "30", "an API server call answered without error", HEALTHY),
    ("k8s-prod-us", "availability", "US control plane", "availability", "99.95", "rolling", "30", "an API server call answered without error", HEALTHY),
    ("dns-edge", "availability", "DNS answers", "availability", "99.99", "rolling", "30", "a query answered correctly within 50 ms", HEALTHY),
    ("secrets-vault", "availability", "Secret reads", "availability", "99.95", "rolling", "30", "a secret read without error", HEALTHY),
    ("deploy-pipeline", "availability", "Deploys succeed", "availability", "99.9", "rolling", "30", "a deploy that completes without a pipeline fault", HEALTHY),
    ("permissions", "availability", "Permission checks", "availability", "99.9", "rolling", "30", "a check answered without error", HEALTHY),
    ("mfa-service", "availability", "MFA challenges", "availability", "99.9", "rolling", "30", "a challenge sent and verified without error", HEALTHY),
    ("inventory", "availability", "Stock reads", "availability", "99.9", "rolling", "30", "a stock read without error", HEALTHY),
    ("log-pipeline", "freshness", "Logs searchable", "freshness", "99.9", "rolling", "30", "a log line searchable within 5 minutes", HEALTHY),
    ("email-sender", "availability", "Emails accepted", "availability", "99.5", "rolling", "30", "an email handed to the provider", HEALTHY),
    ("sms-gateway", "availability", "SMS accepted", "availability", "99.9", "rolling", "30", "a message handed to the carrier", HEALTHY),
];

/// Defines the demo SLOs (once: a database that has SLOs keeps its own) and writes their counts.
pub async fn load(st: &AppState) -> Result<usize, AppError> {
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM slo")
        .fetch_one(&st.pool)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let who = Caller::operator("demo data");
    for (service, slug, name, kind, objective, window, days, good, pattern) in SLOS {
        let form = SloForm {
            slug: slug.to_string(),
            name: name.to_string(),
            sli_kind: kind.to_string(),
            good_events: good.to_string(),
            total_events: "every such request or run".to_string(),
            objective: objective.to_string(),
            window: window.to_string(),
            window_days: days.to_string(),
            source: "push".to_string(),
            ..SloForm::default()
        };
        commands::slos::create(st, &who, service, &form).await?;
        counts(&st.pool, service, slug, *pattern).await?;
    }
    // The lists show figures from the start, before the evaluator's first run.
    super::slos::evaluate_all(&st.pool, chrono::Utc::now()).await?;
    Ok(SLOS.len())
}

/// 1,000 events a minute: hour buckets for 30 days, minute buckets for the last six hours.
async fn counts(pool: &PgPool, service: &str, slo: &str, p: Pattern) -> Result<(), AppError> {
    sqlx::query(
        "WITH o AS (SELECT o.id FROM slo o JOIN service s ON s.id = o.service_id \
                    WHERE s.slug = $1 AND o.slug = $2), \
              t AS (SELECT date_trunc('hour', now(), 'UTC') AS hour, date_trunc('minute', now(), 'UTC') AS minute), \
              b AS ( \
                SELECT h AS start, 60 AS minutes, 60000 AS total, \
                       round(0.6 * $3)::int8 + CASE WHEN h >= t.hour - make_interval(hours => $4::int) \
                                      AND h < t.hour - make_interval(hours => ($4 - $5)::int) \
                                 THEN (60000 * $6)::int8 ELSE 0 END AS bad \
                FROM t, generate_series(t.hour - interval '30 days', t.hour - interval '7 hours', interval '1 hour') h \
                UNION ALL \
                SELECT m, 1, 1000, \
                       CASE WHEN m >= t.minute - make_interval(mins => $7::int) THEN (1000 * $8)::int8 \
                            WHEN floor(extract(epoch FROM m) / 60)::int8 % 100 < $3 THEN 1 ELSE 0 END \
                FROM t, generate_series(t.hour - interval '6 hours', t.minute - interval '1 minute', interval '1 minute') m) \
         INSERT INTO slo_count (slo_id, start, minutes, good, total) \
         SELECT o.id, b.start, b.minutes, b.total - least(b.bad, b.total), b.total FROM o, b",
    )
    .bind(service)
    .bind(slo)
    .bind(p.base)
    .bind(p.outage_ago)
    .bind(p.outage_hours)
    .bind(p.outage_bad)
    .bind(p.recent_minutes)
    .bind(p.recent_bad)
    .execute(pool)
    .await?;
    Ok(())
}
