//! The Prometheus evaluator: for every Prometheus-sourced SLO, the bad and total rates over its
//! window and each burn-rate window, from a configured Prometheus's HTTP API, stored as counts
//! (`app::store::slo_prometheus`). Runs inside the once-per-interval SLO job.
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tokio::sync::Semaphore;

use app::domain::prometheus::{parse_answer, render, slo_counts, windows};
use app::error::AppError;
use app::store::slo_prometheus::{self as store, Outcome, Target};

use crate::config::ConfigError;

/// Answers larger than this are not one number and are refused unread.
const MAX_ANSWER_BYTES: usize = 1 << 20;
/// SLOs read and stored per round.
const BATCH: i64 = 200;

#[derive(Clone)]
pub struct Prometheus {
    query_url: url::Url,
    http: reqwest::Client,
    timeout: Duration,
    concurrency: usize,
}

impl Prometheus {
    /// From PORTAL_PROMETHEUS_URL (none: Prometheus SLOs stay unknown, saying why),
    /// PORTAL_PROMETHEUS_TIMEOUT_SECS and PORTAL_PROMETHEUS_CONCURRENCY.
    pub fn from_env() -> Result<Option<Prometheus>, ConfigError> {
        let raw = std::env::var("PORTAL_PROMETHEUS_URL").unwrap_or_default();
        if raw.trim().is_empty() {
            return Ok(None);
        }
        let timeout = crate::config::number("PORTAL_PROMETHEUS_TIMEOUT_SECS", 10u64, |n| {
            (1..=120).contains(n)
        })?;
        let concurrency = crate::config::number("PORTAL_PROMETHEUS_CONCURRENCY", 4usize, |n| {
            (1..=64).contains(n)
        })?;
        Prometheus::new(raw.trim(), Duration::from_secs(timeout), concurrency)
            .map(Some)
            .map_err(|m| ConfigError::new("PORTAL_PROMETHEUS_URL", m))
    }

    pub fn new(base: &str, timeout: Duration, concurrency: usize) -> Result<Prometheus, String> {
        let mut base = url::Url::parse(base).map_err(|_| "is not a URL".to_string())?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err("must be an http:// or https:// URL".into());
        }
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let query_url = base
            .join("api/v1/query")
            .map_err(|_| "is not a base URL".to_string())?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|_| "no HTTP client could be built".to_string())?;
        Ok(Prometheus {
            query_url,
            http,
            timeout,
            concurrency: concurrency.max(1),
        })
    }

    /// One instant query at `at`. Errors are sentences for the SLO's page: never the URL (it may
    /// hold credentials) nor a transport's internals.
    async fn query(&self, promql: &str, at: DateTime<Utc>) -> Result<Option<f64>, String> {
        let time = format!("{:.3}", at.timestamp_millis() as f64 / 1000.0);
        let sent = self
            .http
            .post(self.query_url.clone())
            .form(&[("query", promql), ("time", time.as_str())])
            .send()
            .await;
        let mut reply = sent.map_err(|e| {
            if e.is_timeout() {
                format!(
                    "Prometheus did not answer within {} s",
                    self.timeout.as_secs()
                )
            } else if e.is_connect() {
                "Prometheus is unreachable (connection refused or no route)".to_string()
            } else {
                // E.g. a kept-alive connection that Prometheus closed as it went down.
                "Prometheus is unreachable (the connection failed)".to_string()
            }
        })?;
        let status = reply.status();
        let mut body = Vec::new();
        loop {
            match reply.chunk().await {
                Ok(Some(chunk)) if body.len() + chunk.len() <= MAX_ANSWER_BYTES => {
                    body.extend_from_slice(&chunk)
                }
                Ok(Some(_)) => return Err("Prometheus's answer is too large".into()),
                Ok(None) => break,
                Err(_) => return Err("Prometheus's answer was cut off".into()),
            }
        }
        // A refused query comes with a 4xx and the API's JSON naming the error.
        if !(status.is_success() || status.is_client_error()) {
            return Err(format!("Prometheus answered HTTP {}", status.as_u16()));
        }
        parse_answer(&body)
    }

    /// Both queries over every window of one SLO, or the first failure.
    async fn evaluate_one(&self, t: &Target, now: DateTime<Utc>) -> Outcome {
        let (start, len) = t.window.span(now);
        // The SLO window so far: a calendar window that began an hour ago is one hour long.
        let so_far = (now - start).min(len).max(chrono::Duration::seconds(1));
        let mut rates = Vec::new();
        let mut failure = None;
        for w in windows(so_far) {
            let bad = self.query(&render(&t.error_query, w), now).await;
            let total = match &bad {
                Ok(_) => self.query(&render(&t.total_query, w), now).await,
                Err(e) => Err(e.clone()),
            };
            match (bad, total) {
                (Ok(b), Ok(t)) => rates.push((b, t)),
                (Err(e), _) | (_, Err(e)) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        let result = match failure {
            Some(e) => Err(e),
            None => {
                let c = slo_counts(&rates, so_far);
                Ok(std::iter::once(c.window).chain(c.burn).collect())
            }
        };
        Outcome {
            slo_id: t.id,
            signature: t.signature.clone(),
            result,
        }
    }
}

/// Queries Prometheus for every Prometheus SLO as of `now` and stores the answers; without a
/// configured Prometheus, records that as each one's failure. Returns how many were evaluated.
pub async fn evaluate_all(
    pool: &PgPool,
    prometheus: Option<&Prometheus>,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let mut after = 0;
    let mut done = 0;
    loop {
        let targets = store::targets(pool, after, BATCH).await?;
        let Some(last) = targets.last().map(|t| t.id) else {
            break;
        };
        let outcomes = match prometheus {
            None => targets
                .iter()
                .map(|t| Outcome {
                    slo_id: t.id,
                    signature: t.signature.clone(),
                    result: Err("no Prometheus is configured (PORTAL_PROMETHEUS_URL)".into()),
                })
                .collect(),
            Some(p) => {
                // At most `concurrency` SLOs are queried at once, one query at a time each.
                let gate = std::sync::Arc::new(Semaphore::new(p.concurrency));
                let mut running = tokio::task::JoinSet::new();
                let n = targets.len();
                for t in targets {
                    let (p, gate) = (p.clone(), gate.clone());
                    running.spawn(async move {
                        let _permit = gate.acquire_owned().await;
                        p.evaluate_one(&t, now).await
                    });
                }
                let mut outcomes = Vec::with_capacity(n);
                while let Some(o) = running.join_next().await {
                    outcomes.push(o.map_err(AppError::internal)?);
                }
                outcomes
            }
        };
        store::store(pool, now, &outcomes).await?;
        done += outcomes.len();
        after = last;
    }
    Ok(done)
}
