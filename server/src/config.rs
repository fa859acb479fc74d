//! Configuration from the environment. Every variable is documented in the README.
use app::state::Settings;

#[derive(Debug, Clone)]
pub struct Config {
    /// None: start (or reuse) the project's private PostgreSQL.
    pub database_url: Option<String>,
    /// The schema owner, for migrations, when the server's own role (DATABASE_URL) is not it.
    pub migrate_database_url: Option<String>,
    pub pool_size: u32,
    pub settings: Settings,
}

#[derive(Debug, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ConfigError {
    name: &'static str,
    message: String,
}

impl ConfigError {
    pub fn new(name: &'static str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            name,
            message: message.into(),
        }
    }
}

pub(crate) fn number<T: std::str::FromStr>(
    name: &'static str,
    default: T,
    valid: impl Fn(&T) -> bool,
) -> Result<T, ConfigError> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => match v.trim().parse::<T>() {
            Ok(n) if valid(&n) => Ok(n),
            _ => Err(ConfigError {
                name,
                message: format!("\"{v}\" is not a valid value"),
            }),
        },
        _ => Ok(default),
    }
}

/// Two connections per CPU. Postgres runs one process per connection on the same CPUs; more
/// connections than it can run at once only add switching. Measured on 2 CPUs with 32 clients
/// (bench/): 4 connections served the catalog page ~20% faster than 16, with a lower p99.
fn default_pool_size() -> u32 {
    let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
    u32::try_from(cpus * 2).unwrap_or(16).clamp(2, 16)
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Ok(Config {
            database_url: std::env::var("DATABASE_URL")
                .ok()
                .filter(|v| !v.trim().is_empty()),
            migrate_database_url: std::env::var("PORTAL_MIGRATE_DATABASE_URL")
                .ok()
                .filter(|v| !v.trim().is_empty()),
            pool_size: number("PORTAL_DB_POOL_SIZE", default_pool_size(), |n| {
                (1..=200).contains(n)
            })?,
            settings: Settings {
                runbook_stale_days: number("PORTAL_RUNBOOK_STALE_DAYS", 180, |n| {
                    (1..=3650).contains(n)
                })?,
                api_rate_per_minute: number("PORTAL_API_RATE_PER_MINUTE", 1200, |n| {
                    (1..=1_000_000).contains(n)
                })?,
                metrics_token: match std::env::var("PORTAL_METRICS_TOKEN") {
                    Ok(t) if t.trim().len() >= 16 => Some(app::state::Secret(t.trim().to_string())),
                    Ok(t) if !t.trim().is_empty() => {
                        return Err(ConfigError::new(
                            "PORTAL_METRICS_TOKEN",
                            "must be at least 16 characters",
                        ))
                    }
                    _ => None,
                },
                tier_annotation: match std::env::var("PORTAL_TIER_ANNOTATION") {
                    Ok(a) if a.trim().is_empty() => {
                        app::domain::import::DEFAULT_TIER_ANNOTATION.to_string()
                    }
                    Ok(a) if a.len() <= 253 && !a.contains(char::is_whitespace) => a,
                    Ok(_) => {
                        return Err(ConfigError::new(
                            "PORTAL_TIER_ANNOTATION",
                            "must be an annotation name such as acme.com/tier",
                        ))
                    }
                    Err(_) => app::domain::import::DEFAULT_TIER_ANNOTATION.to_string(),
                },
            },
        })
    }
}

/// The database pool every server process uses (and the outage test copies).
pub fn pool_options(max_connections: u32) -> sqlx::postgres::PgPoolOptions {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(max_connections)
        // A request waits at most this long for a connection, then answers 503: while the
        // database is away, pages say so within seconds instead of hanging.
        .acquire_timeout(std::time::Duration::from_secs(2))
        // sqlx's default pings every connection as it leaves the pool: an extra round trip per
        // query, which measured as ~11% of the server's CPU. A connection that has died fails
        // its next query instead (a 503, and sqlx drops that connection).
        .test_before_acquire(false)
}

/// Whether the role the pool connects as could change or delete audit rows: true when the
/// server runs as the schema's owner (or a superuser) rather than as a member of `portal_app`.
pub async fn can_rewrite_audit(pool: &sqlx::PgPool) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT has_table_privilege('audit_event', 'DELETE') \
             OR has_table_privilege('audit_event', 'UPDATE')",
    )
    .fetch_one(pool)
    .await
}

impl crate::limits::Limits {
    /// The limits, from PORTAL_MAX_IN_FLIGHT, PORTAL_MAX_CONNECTIONS, PORTAL_HEADER_TIMEOUT_SECS,
    /// PORTAL_LOGINS_PER_CLIENT_PER_MINUTE, PORTAL_LOGINS_PER_MINUTE,
    /// PORTAL_WRITES_PER_PERSON_PER_MINUTE and PORTAL_CLIENT_IP_HEADER (README, "Configuration").
    pub fn from_env() -> Result<crate::limits::Limits, ConfigError> {
        let d = crate::limits::Limits::default();
        Ok(crate::limits::Limits {
            max_in_flight: number("PORTAL_MAX_IN_FLIGHT", d.max_in_flight, |n| {
                (1..=100_000).contains(n)
            })?,
            max_connections: number("PORTAL_MAX_CONNECTIONS", d.max_connections, |n| {
                (1..=1_000_000).contains(n)
            })?,
            header_timeout: std::time::Duration::from_secs(number(
                "PORTAL_HEADER_TIMEOUT_SECS",
                d.header_timeout.as_secs(),
                |n| (1..=300).contains(n),
            )?),
            logins_per_client_per_minute: number(
                "PORTAL_LOGINS_PER_CLIENT_PER_MINUTE",
                d.logins_per_client_per_minute,
                |n| (1..=100_000).contains(n),
            )?,
            logins_per_minute: number("PORTAL_LOGINS_PER_MINUTE", d.logins_per_minute, |n| {
                (1..=1_000_000).contains(n)
            })?,
            writes_per_person_per_minute: number(
                "PORTAL_WRITES_PER_PERSON_PER_MINUTE",
                d.writes_per_person_per_minute,
                |n| (1..=100_000).contains(n),
            )?,
            client_ip_header: match std::env::var("PORTAL_CLIENT_IP_HEADER") {
                Ok(h) if !h.trim().is_empty() => Some(
                    axum::http::HeaderName::from_bytes(h.trim().as_bytes()).map_err(|_| {
                        ConfigError::new("PORTAL_CLIENT_IP_HEADER", "not a header name")
                    })?,
                ),
                _ => None,
            },
            ..d
        })
    }
}
