//! The demo's incident history: forty incidents over the last six months on the most critical
//! services, across severities, with their milestones; two still open. Declared through the
//! write path, so they are validated and audited like anyone's.
use chrono::{Duration, DurationRound, Utc};

use crate::commands::{self, Caller};
use crate::domain::incident::IncidentForm;
use crate::error::AppError;
use crate::state::AppState;

const TITLES: [&str; 10] = [
    "Elevated 5xx after a deploy",
    "Database connection pool exhausted",
    "Certificate expired on an internal endpoint",
    "Queue backlog delayed processing",
    "Config change disabled a feature flag for everyone",
    "Dependency timeouts under peak load",
    "Disk filled up on a storage node",
    "Cache stampede after a restart",
    "DNS resolution failures in one region",
    "Slow queries after an index was dropped",
];

pub async fn load(st: &AppState) -> Result<usize, AppError> {
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM incident")
        .fetch_one(&st.pool)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let services: Vec<String> =
        sqlx::query_scalar("SELECT slug FROM service ORDER BY tier, slug LIMIT 12")
            .fetch_all(&st.pool)
            .await?;
    if services.is_empty() {
        return Ok(0);
    }
    let who = Caller::operator("demo data");
    let now = Utc::now()
        .duration_trunc(Duration::minutes(1))
        .unwrap_or_else(|_| Utc::now());
    let fmt = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%dT%H:%M").to_string();
    let n = 40;
    for i in 0..n {
        // Spread over 180 days, newest last; the two newest are still open.
        let started = now - Duration::hours(((n - i) * 108 + (i * 37) % 50) as i64);
        let open = i >= n - 2;
        let minutes = |k: i64| started + Duration::minutes(k);
        let detect = 2 + (i * 7) % 25;
        let ack = detect + 3 + (i * 5) % 12;
        let mitigate = ack + 15 + (i * 13) % 90;
        let resolve = mitigate + 20 + (i * 17) % 240;
        let a = &services[i as usize % services.len()];
        let b = &services[(i as usize * 5 + 3) % services.len()];
        let affected = if i % 3 == 0 && a != b {
            format!("{a}, {b}")
        } else {
            a.clone()
        };
        let form = IncidentForm {
            title: TITLES[i as usize % TITLES.len()].to_string(),
            severity: ["3", "2", "4", "1", "3", "2", "4", "3"][i as usize % 8].to_string(),
            status: if open { "identified" } else { "resolved" }.to_string(),
            summary: "Customers saw errors or delays; the team restored service and is writing up what happened.".into(),
            services: affected,
            zone: "UTC".into(),
            started_at: fmt(started),
            detected_at: fmt(minutes(detect as i64)),
            acknowledged_at: fmt(minutes(ack as i64)),
            mitigated_at: if open { String::new() } else { fmt(minutes(mitigate as i64)) },
            resolved_at: if open { String::new() } else { fmt(minutes(resolve as i64)) },
            ..IncidentForm::default()
        };
        // An open incident's milestones must not lie in the future.
        if open && minutes(ack as i64) > now {
            continue;
        }
        commands::incidents::declare(st, &who, &form).await?;
    }
    Ok(n as usize)
}
