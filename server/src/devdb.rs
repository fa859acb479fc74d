//! The project's private PostgreSQL, used when no DATABASE_URL is given: the distribution's
//! binaries, a data directory inside the project (git-ignored), a free loopback port, and an
//! unprivileged owner because PostgreSQL refuses to run as root. Reused while it runs; stopped by
//! the process that started it.
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[derive(Debug, thiserror::Error)]
pub enum DevDbError {
    #[error(
        "PostgreSQL server binaries were not found (looked in /usr/lib/postgresql/*/bin and PATH). \
         Install them (`apt-get install postgresql`; scripts/setup.sh does this) or set DATABASE_URL."
    )]
    NoBinaries,
    #[error("{what} failed: {detail}")]
    Command { what: String, detail: String },
    #[error("I/O on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone)]
pub struct DevDb {
    pub data_dir: PathBuf,
    bin: PathBuf,
    /// The system user PostgreSQL runs as when we are root.
    run_as: Option<String>,
    pub port: u16,
    /// True when this process started the server (and so should stop it).
    pub started_here: bool,
    /// A cluster for tests and benchmarks, run without fsync: fast, and lost in a crash.
    pub throwaway: bool,
}

pub const DATABASE: &str = "portal";
/// The login role the server runs as: a member of `portal_app` (migration 0009), so it cannot
/// rewrite the audit trail. Migrations run as the cluster's superuser, `postgres`.
pub const SERVER_ROLE: &str = "portal_server";

/// Where the distribution's PostgreSQL programs are (the newest version installed).
pub fn pg_bin_dir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("PORTAL_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p).find(|d| d.join("initdb").exists() && d.join("pg_ctl").exists())
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0"))
        .unwrap_or(false)
}

/// Whether `user` can enter `dir` (search permission on it and every parent).
fn reachable_by(user: &str, dir: &Path) -> bool {
    Command::new("runuser")
        .args(["-u", user, "--", "test", "-x"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success())
}

fn run(what: &str, cmd: &mut Command) -> Result<Output, DevDbError> {
    let out = cmd.output().map_err(|e| DevDbError::Command {
        what: what.into(),
        detail: e.to_string(),
    })?;
    if !out.status.success() {
        return Err(DevDbError::Command {
            what: what.into(),
            detail: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        });
    }
    Ok(out)
}

impl DevDb {
    /// The data directory for a project root: `<root>/.data/postgres`.
    pub fn locate(project_root: &Path) -> Result<DevDb, DevDbError> {
        let bin = pg_bin_dir().ok_or(DevDbError::NoBinaries)?;
        let run_as = is_root().then(|| "postgres".to_string());
        // Absolute: PostgreSQL resolves relative paths (the socket directory) against its own cwd.
        let root = std::path::absolute(project_root).map_err(|source| DevDbError::Io {
            path: project_root.to_path_buf(),
            source,
        })?;
        let mut data_dir = root.join(".data").join("postgres");
        if let Some(user) = &run_as {
            if !reachable_by(user, &root) {
                // e.g. a checkout under /root (mode 700): the postgres user cannot reach inside
                // it, so the cluster lives in a per-project directory under the temp dir instead.
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                root.hash(&mut h);
                data_dir = std::env::temp_dir()
                    .join(format!("portal-{:016x}", h.finish()))
                    .join("postgres");
                tracing::warn!(dir = %data_dir.display(), "the {user} user cannot reach the project directory; using a data directory outside it");
            }
        }
        Ok(DevDb {
            data_dir,
            bin,
            run_as,
            port: 0,
            started_here: false,
            throwaway: false,
        })
    }

    /// A throwaway cluster beside the durable one (`<root>/.data/postgres-test`), for tests:
    /// it runs with `fsync=off`, which a power cut or kernel crash can corrupt, so it never
    /// holds anything a team keeps.
    pub fn throwaway(project_root: &Path) -> Result<DevDb, DevDbError> {
        let mut db = DevDb::locate(project_root)?;
        db.data_dir.set_file_name("postgres-test");
        db.throwaway = true;
        Ok(db)
    }

    fn pg(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(path);
                c
            }
            None => Command::new(path),
        }
    }

    fn io(&self, path: &Path) -> impl Fn(std::io::Error) -> DevDbError + '_ {
        let path = path.to_path_buf();
        move |source| DevDbError::Io {
            path: path.clone(),
            source,
        }
    }

    fn initialise(&self) -> Result<(), DevDbError> {
        if self.data_dir.join("PG_VERSION").exists() {
            return Ok(());
        }
        let parent = self.data_dir.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(&self.data_dir).map_err(self.io(&self.data_dir))?;
        if let Some(user) = &self.run_as {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(parent, std::fs::Permissions::from_mode(0o755))
                .map_err(self.io(parent))?;
            run(
                "chown",
                Command::new("chown").args(["-R", user]).arg(&self.data_dir),
            )?;
            if !reachable_by(user, &self.data_dir) {
                return Err(DevDbError::Command {
                    what: "preparing the data directory".into(),
                    detail: format!(
                        "the `{user}` user cannot reach {}; set DATABASE_URL instead.",
                        self.data_dir.display()
                    ),
                });
            }
        }
        run(
            "initdb",
            self.pg("initdb")
                .args([
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "-D",
                ])
                .arg(&self.data_dir),
        )?;
        Ok(())
    }

    /// The port of a server already running on this data directory (line 4 of postmaster.pid).
    fn running_port(&self) -> Option<u16> {
        let status = self
            .pg("pg_ctl")
            .arg("status")
            .arg("-D")
            .arg(&self.data_dir)
            .output()
            .ok()?;
        if !status.status.success() {
            return None;
        }
        let pid = std::fs::read_to_string(self.data_dir.join("postmaster.pid")).ok()?;
        pid.lines().nth(3)?.trim().parse().ok()
    }

    /// Starts the server if it is not running, and makes sure the portal database exists.
    pub fn start(mut self) -> Result<DevDb, DevDbError> {
        self.initialise()?;
        if let Some(port) = self.running_port() {
            self.port = port;
            self.ensure_database()?;
            return Ok(self);
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(self.io(Path::new("127.0.0.1:0")))?;
        self.launch(port)?;
        self.port = port;
        self.started_here = true;
        self.ensure_database()?;
        Ok(self)
    }

    /// Starts a stopped server again on the port it had (the outage test brings it back).
    pub fn restart(&self) -> Result<(), DevDbError> {
        if self.running_port().is_none() {
            self.launch(self.port)?;
        }
        Ok(())
    }

    fn launch(&self, port: u16) -> Result<(), DevDbError> {
        let opts = self.server_options(port);
        run(
            "pg_ctl start",
            self.pg("pg_ctl")
                .args(["start", "-w", "-t", "60", "-D"])
                .arg(&self.data_dir)
                .args(["-o", &opts, "-l"])
                .arg(self.data_dir.join("server.log")),
        )?;
        Ok(())
    }

    /// `postgres` options. The durable cluster keeps PostgreSQL's crash-safe defaults; only a
    /// throwaway one trades them for speed.
    fn server_options(&self, port: u16) -> String {
        let mut opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            self.data_dir.display()
        );
        if self.throwaway {
            opts.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        opts
    }

    fn ensure_database(&self) -> Result<(), DevDbError> {
        self.ensure_roles()?;
        let port = self.port;
        let exists = run(
            "psql",
            Command::new(self.bin.join("psql")).args([
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-tAc",
                &format!("SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"),
            ]),
        )?;
        if !String::from_utf8_lossy(&exists.stdout).contains('1') {
            run(
                "createdb",
                Command::new(self.bin.join("createdb")).args([
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &port.to_string(),
                    "-U",
                    "postgres",
                    DATABASE,
                ]),
            )?;
        }
        Ok(())
    }

    /// The server's roles, as README "Database roles" tells one to make them on one's own
    /// PostgreSQL. Idempotent; trust authentication on loopback, so no password.
    fn ensure_roles(&self) -> Result<(), DevDbError> {
        let sql = format!(
            "DO $$ BEGIN \
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'portal_app') THEN \
                 CREATE ROLE portal_app NOLOGIN; END IF; \
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{SERVER_ROLE}') THEN \
                 CREATE ROLE {SERVER_ROLE} LOGIN IN ROLE portal_app; END IF; \
             END $$"
        );
        run(
            "psql (roles)",
            Command::new(self.bin.join("psql")).args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-qc",
                &sql,
            ]),
        )?;
        Ok(())
    }

    pub fn is_running(&self) -> bool {
        self.running_port().is_some()
    }

    /// The superuser's URL: for migrations, tests and tools.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// The URL the server serves with, as its own unprivileged role.
    pub fn server_url(&self, database: &str) -> String {
        format!(
            "postgres://{SERVER_ROLE}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    pub fn stop(&self) -> Result<(), DevDbError> {
        if self.running_port().is_none() {
            return Ok(());
        }
        run(
            "pg_ctl stop",
            self.pg("pg_ctl")
                .args(["stop", "-m", "fast", "-w", "-D"])
                .arg(&self.data_dir),
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(throwaway: bool) -> DevDb {
        DevDb {
            data_dir: PathBuf::from("/srv/portal/.data/postgres"),
            bin: PathBuf::from("/usr/lib/postgresql/17/bin"),
            run_as: None,
            port: 0,
            started_here: false,
            throwaway,
        }
    }

    #[test]
    fn only_a_throwaway_cluster_runs_without_fsync() {
        let durable = db(false).server_options(5432);
        assert!(!durable.contains("fsync") && !durable.contains("synchronous_commit"));
        let fast = db(true).server_options(5432);
        assert!(fast.contains("-c fsync=off") && fast.contains("-c synchronous_commit=off"));
    }
}
