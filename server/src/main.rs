//! `server` — run the portal.
//!
//!   server [--demo]        serve on LEPTOS_SITE_ADDR (default 127.0.0.1:3000); --demo loads the demo data
//!   server demo            load the demo data (demo/catalog/*.yaml, through the importer) and exit
//!   server import [--dry-run] FILE…   import Backstage descriptor YAML; --dry-run only reports
//!   server openapi         print the REST API's OpenAPI 3.1 document
//!   server export [FILE]   write the catalog as Backstage YAML to FILE (default: stdout)
//!   server backup FILE     write a backup of the database (pg_dump; audit trail included)
//!   server evaluate-slos   evaluate every SLO now (what the background evaluator does each minute)
//!   server restore FILE    restore a backup into an empty database (pg_restore)
//!   server devdb start     start (or reuse) the private PostgreSQL and print its URL
//!   server devdb stop      stop the private PostgreSQL
//!   server devdb url       print the URL of the running private PostgreSQL
//!   server devdb status    exit 0 if the private PostgreSQL is running, 3 if not
use std::path::PathBuf;

use leptos::config::get_configuration;
use sqlx::PgPool;

use app::state::AppState;
use server::auth::config::AuthConfig;
use server::auth::oidc::Oidc;
use server::auth::session;
use server::config::Config;
use server::devdb::{DevDb, DATABASE};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

// A page render allocates thousands of small strings across worker threads; under load glibc's
// malloc took about a fifth of the server's CPU (perf, service page at 32 connections).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn project_root() -> PathBuf {
    // The binary is started from the project root (cargo-leptos does so; the scripts cd there).
    std::env::var_os("PORTAL_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The private PostgreSQL: the durable one, or with `PORTAL_DEVDB=throwaway` (scripts/test.sh)
/// a separate fast one that runs without fsync.
fn dev_db() -> Result<DevDb, server::devdb::DevDbError> {
    match std::env::var("PORTAL_DEVDB").as_deref() {
        Ok("throwaway") => DevDb::throwaway(&project_root()),
        _ => DevDb::locate(&project_root()),
    }
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .init();
    if let Err(e) = run().await {
        tracing::error!("{e}");
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let config = Config::from_env()?;
    match args.as_slice() {
        ["devdb", "start"] => {
            let db = dev_db()?.start()?;
            println!("{}", db.url(DATABASE));
            Ok(())
        }
        ["devdb", "stop"] => Ok(dev_db()?.stop()?),
        ["devdb", "status"] => {
            // Exit status 0 when running, so scripts can tell whether they started it.
            let db = dev_db()?;
            if db.is_running() {
                Ok(())
            } else {
                std::process::exit(3)
            }
        }
        ["devdb", "url"] => {
            let db = dev_db()?.start()?;
            println!("{}", db.url(DATABASE));
            Ok(())
        }
        ["demo"] => {
            let (pool, devdb) = connect(&config).await?;
            load_demo(&pool).await?;
            stop_if_started(devdb);
            Ok(())
        }
        ["evaluate-slos"] => {
            // What the background evaluator does once a minute, now, with its time: for an
            // operator who cannot wait for the next run, and for the benchmark.
            let (pool, devdb) = connect(&config).await?;
            let prometheus = server::prometheus::Prometheus::from_env()?;
            println!(
                "{}",
                server::jobs::evaluate_slos(&pool, prometheus.as_ref()).await?
            );
            stop_if_started(devdb);
            Ok(())
        }
        ["import", rest @ ..] if !rest.is_empty() => {
            let dry_run = rest.contains(&"--dry-run");
            let paths: Vec<&str> = rest.iter().copied().filter(|a| *a != "--dry-run").collect();
            let (pool, devdb) = connect(&config).await?;
            let ok = import(&pool, &config, &paths, dry_run).await;
            stop_if_started(devdb);
            if !ok? {
                std::process::exit(2);
            }
            Ok(())
        }
        ["openapi"] => {
            // For tools and client generators that want the document without a running server.
            println!("{:#}", server::rest::openapi::build());
            Ok(())
        }
        ["export"] | ["export", _] => {
            let (pool, devdb) = connect(&config).await?;
            let opts = app::domain::backstage::Options::new(&config.settings.tier_annotation);
            let yaml = app::store::import::export(&pool, &opts).await;
            stop_if_started(devdb);
            match args.get(1) {
                Some(path) => std::fs::write(path, yaml?)?,
                None => print!("{}", yaml?),
            }
            Ok(())
        }
        ["backup", file] => {
            let (url, devdb) = owner_url(&config)?;
            let done = server::backup::backup(&url, std::path::Path::new(file));
            stop_if_started(devdb);
            done?;
            println!("backed up to {file}");
            Ok(())
        }
        ["restore", file] => {
            let (url, devdb) = owner_url(&config)?;
            let pool = server::config::pool_options(1).connect(&url).await?;
            let done = server::backup::restore(&pool, &url, std::path::Path::new(file)).await;
            pool.close().await;
            stop_if_started(devdb);
            done?;
            println!("restored from {file}; the server migrates it at its next start");
            Ok(())
        }
        [] | ["--demo"] | ["serve"] | ["serve", "--demo"] => {
            serve(config, args.contains(&"--demo")).await
        }
        _ => Err(format!("unknown arguments {args:?}; see the README").into()),
    }
}

/// Connects to DATABASE_URL, or to the private PostgreSQL (started if needed), and migrates:
/// as the schema owner (PORTAL_MIGRATE_DATABASE_URL; the private PostgreSQL's superuser) when
/// the server runs as a role of its own, else as the server's role.
async fn connect(config: &Config) -> Result<(PgPool, Option<DevDb>), BoxError> {
    let (url, owner_url, devdb) = match &config.database_url {
        Some(url) => (url.clone(), config.migrate_database_url.clone(), None),
        None => {
            let db = dev_db()?.start()?;
            tracing::info!(port = db.port, dir = %db.data_dir.display(), reused = !db.started_here, "using the private PostgreSQL");
            (db.server_url(DATABASE), Some(db.url(DATABASE)), Some(db))
        }
    };
    if let Some(owner) = &owner_url {
        let owner = server::config::pool_options(1).connect(owner).await?;
        app::store::MIGRATOR.run(&owner).await?;
        owner.close().await;
    }
    let pool = server::config::pool_options(config.pool_size)
        .connect(&url)
        .await?;
    if owner_url.is_none() {
        app::store::MIGRATOR.run(&pool).await?;
    }
    if server::config::can_rewrite_audit(&pool).await? {
        tracing::warn!(
            "the server's database role can rewrite the audit trail (it owns the schema); \
             run it as a role of its own: README, \"Database roles\""
        );
    }
    Ok((pool, devdb))
}

/// The schema owner's URL, for backup and restore: PORTAL_MIGRATE_DATABASE_URL, else
/// DATABASE_URL, else the private PostgreSQL's superuser (started if needed).
fn owner_url(config: &Config) -> Result<(String, Option<DevDb>), BoxError> {
    match (&config.migrate_database_url, &config.database_url) {
        (Some(url), _) | (None, Some(url)) => Ok((url.clone(), None)),
        (None, None) => {
            let db = dev_db()?.start()?;
            Ok((db.url(DATABASE), Some(db)))
        }
    }
}

async fn load_demo(pool: &PgPool) -> Result<(), BoxError> {
    let today = chrono::Utc::now().date_naive();
    let r = app::store::demo::load(pool, today).await?;
    tracing::info!(
        teams_added = r.teams_added,
        services_added = r.services_added,
        "demo data loaded"
    );
    Ok(())
}

/// Imports the files as the operator; prints the report. False when a document had errors.
async fn import(
    pool: &PgPool,
    config: &Config,
    paths: &[&str],
    dry_run: bool,
) -> Result<bool, BoxError> {
    let mut files = Vec::new();
    for p in paths {
        let content = std::fs::read_to_string(p).map_err(|e| format!("reading {p}: {e}"))?;
        files.push(app::domain::import::ImportFile {
            name: (*p).to_string(),
            content,
        });
    }
    let options = leptos::config::LeptosOptions::builder()
        .output_name("portal")
        .build();
    let st = AppState::new(pool.clone(), config.settings.clone(), options);
    let who = app::commands::Caller::operator(&format!("command line ({})", whoami()));
    let report = if dry_run {
        app::commands::import::preview(&st, &who, &files).await?
    } else {
        app::commands::import::apply(&st, &who, &files, None).await?
    };
    print!("{}", report.text());
    println!(
        "{}",
        match (dry_run, report.has_changes()) {
            (true, _) => "dry run: nothing was changed",
            (false, true) => "imported",
            (false, false) => "nothing to change",
        }
    );
    Ok(report.errors.is_empty())
}

fn whoami() -> String {
    std::env::var("USER").unwrap_or_else(|_| "operator".into())
}

fn stop_if_started(devdb: Option<DevDb>) {
    if let Some(db) = devdb.filter(|d| d.started_here) {
        match db.stop() {
            Ok(()) => tracing::info!("private PostgreSQL stopped"),
            Err(e) => tracing::error!("stopping the private PostgreSQL: {e}"),
        }
    }
}

async fn serve(config: Config, demo: bool) -> Result<(), BoxError> {
    let (pool, devdb) = connect(&config).await?;
    if demo {
        load_demo(&pool).await?;
    }
    let auth = AuthConfig::from_env()?;
    let leptos_options = get_configuration(None)?.leptos_options;
    let addr = leptos_options.site_addr;
    tracing::info!(issuer = %auth.issuer, public_url = %auth.public_url, "signing in through the OpenID Provider");
    let oidc = std::sync::Arc::new(Oidc::new(auth)?);
    let sessions = session::store(&pool).await?;
    let prometheus = server::prometheus::Prometheus::from_env()?;
    server::jobs::spawn_all(&pool, sessions.clone(), prometheus);
    let state = AppState::new(pool.clone(), config.settings.clone(), leptos_options);
    let limits = server::limits::Limits::from_env()?;
    let guards = server::limits::Guards::new(limits.clone());
    let app = server::router::router_with(state, oidc, sessions, guards);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    tracing::info!("listening on http://{addr}");
    server::listener::serve(listener, app, &limits, shutdown_signal()).await?;
    pool.close().await;
    stop_if_started(devdb);
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
