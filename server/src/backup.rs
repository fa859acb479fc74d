//! `server backup FILE` and `server restore FILE`: the distribution's pg_dump and pg_restore,
//! with what a portal needs around them.
//!
//! A backup is pg_dump's custom format of the whole database, audit trail included, but not
//! the sessions (a restored portal signs everyone in afresh). A restore goes into an empty
//! database only, in one transaction (all or nothing), without the backup's owners and
//! privileges (they name the roles of the cluster it came from); the server role's rights are
//! granted afresh by migration 0009's `portal_grant_server_rights()`.
use std::path::Path;
use std::process::Command;

use sqlx::PgPool;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("PostgreSQL's {0} was not found (looked in /usr/lib/postgresql/*/bin and PATH)")]
    NoTool(&'static str),
    #[error("{tool} failed: {detail}")]
    Tool { tool: &'static str, detail: String },
    #[error(
        "the database already holds a portal: restore into a new, empty database \
         (create one and point DATABASE_URL or PORTAL_MIGRATE_DATABASE_URL at it)"
    )]
    NotEmpty,
    #[error("{0}")]
    Database(#[from] sqlx::Error),
}

fn tool(name: &'static str) -> Result<Command, BackupError> {
    let path = crate::devdb::pg_bin_dir()
        .map(|d| d.join(name))
        .filter(|p| p.exists())
        .ok_or(BackupError::NoTool(name))?;
    Ok(Command::new(path))
}

/// The URL without its password, and the password: given to the tools in `PGPASSWORD`, not on
/// the command line, where any local user could read it in the process list.
fn split_password(url: &str) -> (String, Option<String>) {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let password = u.password().map(|p| {
                // Percent-decoding (a form decoder, told that '+' is itself, not a space).
                url::form_urlencoded::parse(format!("p={}", p.replace('+', "%2B")).as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            });
            let _ = u.set_password(None);
            (u.to_string(), password)
        }
        _ => (url.to_string(), None),
    }
}

fn connect_to(cmd: &mut Command, url: &str) {
    let (url, password) = split_password(url);
    cmd.arg("--dbname").arg(url);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
}

fn run(name: &'static str, mut cmd: Command) -> Result<(), BackupError> {
    let out = cmd.output().map_err(|e| BackupError::Tool {
        tool: name,
        detail: e.to_string(),
    })?;
    if out.status.success() {
        return Ok(());
    }
    Err(BackupError::Tool {
        tool: name,
        detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
    })
}

/// Writes a backup of the database at `url` to `file`.
pub fn backup(url: &str, file: &Path) -> Result<(), BackupError> {
    let mut cmd = tool("pg_dump")?;
    cmd.args([
        "--format=custom",
        "--exclude-table-data=tower_sessions.session",
        "--file",
    ])
    .arg(file);
    connect_to(&mut cmd, url);
    run("pg_dump", cmd)
}

/// Restores `file` into the (empty) database at `url`, then grants the server role its rights.
pub async fn restore(pool: &PgPool, url: &str, file: &Path) -> Result<(), BackupError> {
    let holds_portal: bool =
        sqlx::query_scalar("SELECT to_regclass('public.audit_event') IS NOT NULL")
            .fetch_one(pool)
            .await?;
    if holds_portal {
        return Err(BackupError::NotEmpty);
    }
    // The role the grants name; made here if missing, as migration 0009 would.
    sqlx::raw_sql(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portal_app') THEN \
           CREATE ROLE portal_app NOLOGIN; END IF; END $$",
    )
    .execute(pool)
    .await?;
    let mut cmd = tool("pg_restore")?;
    cmd.args([
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        "--no-privileges",
    ]);
    connect_to(&mut cmd, url);
    cmd.arg(file);
    tokio::task::spawn_blocking(move || run("pg_restore", cmd))
        .await
        .map_err(|e| BackupError::Tool {
            tool: "pg_restore",
            detail: e.to_string(),
        })??;
    sqlx::raw_sql(
        "SELECT portal_grant_server_rights(); \
         REVOKE EXECUTE ON FUNCTION portal_grant_server_rights() FROM PUBLIC;",
    )
    .execute(pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_password;

    #[test]
    fn the_password_leaves_the_url() {
        let (url, p) = split_password("postgres://owner:s%40c+ret@db.example:5432/portal");
        assert_eq!(url, "postgres://owner@db.example:5432/portal");
        assert_eq!(p.as_deref(), Some("s@c+ret"));
        let (url, p) = split_password("postgres://portal_server@127.0.0.1:5432/portal");
        assert_eq!(url, "postgres://portal_server@127.0.0.1:5432/portal");
        assert_eq!(p, None);
    }
}
