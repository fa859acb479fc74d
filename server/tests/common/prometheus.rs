//! A real Prometheus for tests: Debian's `prometheus`, on a free loopback port, over a data
//! directory backfilled with `promtool tsdb create-blocks-from openmetrics`, so every query has
//! a known answer. `scripts/setup.sh` installs it where it is missing.
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct TestPrometheus {
    pub url: String,
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl TestPrometheus {
    /// Backfills `openmetrics` (which must end in "# EOF") and starts Prometheus over it.
    pub fn start(openmetrics: &str) -> TestPrometheus {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("portal-prom-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let input = dir.join("input.om");
        std::fs::write(&input, openmetrics).unwrap();
        let out = Command::new("promtool")
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&input)
            .arg(dir.join("data"))
            .output()
            .expect("promtool (Debian's prometheus package; scripts/setup.sh installs it)");
        assert!(
            out.status.success(),
            "promtool: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(
            dir.join("prometheus.yml"),
            "global:\n  scrape_interval: 1m\n",
        )
        .unwrap();
        let mut p = TestPrometheus {
            url: String::new(),
            port: free_port(),
            dir,
            child: None,
        };
        p.url = format!("http://127.0.0.1:{}", p.port);
        p.resume();
        p
    }

    /// Starts (again) on the same port and data, and waits until it answers queries.
    pub fn resume(&mut self) {
        let child = Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                self.dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                self.dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{}", self.port))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus (Debian's prometheus package; scripts/setup.sh installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = format!("127.0.0.1:{}", self.port);
        loop {
            if ready(&addr) {
                return;
            }
            assert!(Instant::now() < deadline, "Prometheus did not become ready");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Stops it, as an outage would.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// GET /-/ready answers 200 once the TSDB is loaded.
fn ready(addr: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /-/ready HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    reply.starts_with("HTTP/1.0 200") || reply.starts_with("HTTP/1.1 200")
}

impl Drop for TestPrometheus {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// OpenMetrics for one counter family: each `(labels, per_minute)` series counts up by
/// `per_minute` every minute for `minutes` minutes, ending a minute before `end`.
pub fn counters(family: &str, series: &[(&str, u64)], minutes: i64, end: i64) -> String {
    let mut out = format!("# TYPE {family} counter\n");
    for (labels, per_minute) in series {
        for m in 0..=minutes {
            let t = end - 60 * (minutes - m + 1);
            let v = per_minute * m as u64;
            out.push_str(&format!("{family}_total{{{labels}}} {v} {t}\n"));
        }
    }
    out.push_str("# EOF\n");
    out
}
