//! Configuration from the environment. Every variable is documented in the README.
use app::state::Settings;

#[derive(Debug, Clone)]
pub struct Config {
    /// None: start (or reuse) the project's private PostgreSQL.
    pub database_url: Option<String>,
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

fn number<T: std::str::FromStr>(
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
            pool_size: number("PORTAL_DB_POOL_SIZE", default_pool_size(), |n| {
                (1..=200).contains(n)
            })?,
            settings: Settings {
                runbook_stale_days: number("PORTAL_RUNBOOK_STALE_DAYS", 180, |n| {
                    (1..=3650).contains(n)
                })?,
            },
        })
    }
}
