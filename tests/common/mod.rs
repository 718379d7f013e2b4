//! Shared by the integration tests: the built extension and real `php` processes.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Once;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// ../shared, or `XDM_RELAY_SHARED`.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("XDM_RELAY_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("..").join("shared"))
}

/// The release build of the extension: `XDM_RELAY_SO` when set (the Makefile builds it before
/// the tests), otherwise built once per test binary.
pub fn extension_so() -> PathBuf {
    if let Some(so) = std::env::var_os("XDM_RELAY_SO").map(PathBuf::from).filter(|p| p.exists()) {
        return so;
    }
    static BUILD: Once = Once::new();
    BUILD.call_once(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "--lib", "-p", "xdm_relay"])
            .current_dir(repo_root())
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building the extension failed");
    });
    repo_root().join("target/release/libxdm_relay.so")
}

/// Runs `php -d extension=... -r CODE`, with extra `-d` settings.
pub fn php(code: &str, ini: &[(&str, &str)]) -> Output {
    php_command(ini)
        .arg("-r")
        .arg(code)
        .stdin(Stdio::null())
        .output()
        .expect("run php")
}

/// Runs a PHP script file.
pub fn php_file(script: &Path, args: &[&str], ini: &[(&str, &str)]) -> Output {
    php_command(ini)
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run php")
}

pub fn php_command(ini: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(std::env::var("PHP").unwrap_or_else(|_| "php".to_string()));
    cmd.arg("-n")
        .arg("-d")
        .arg(format!("extension={}", extension_so().display()))
        .arg("-d")
        .arg("display_errors=stderr")
        .arg("-d")
        .arg("error_reporting=-1");
    for (k, v) in ini {
        cmd.arg("-d").arg(format!("{k}={v}"));
    }
    cmd
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A running `xdm-relay-edge` on a free loopback port, stopped on drop.
pub struct Edge {
    child: std::process::Child,
    pub url: String,
    pub data: PathBuf,
}

pub fn edge_binary() -> PathBuf {
    let path = repo_root().join("target/release/xdm-relay-edge");
    if !path.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "-p", "xdm-relay-edge"])
            .current_dir(repo_root())
            .status()
            .expect("build the emulator");
        assert!(status.success());
    }
    path
}

/// A fresh temporary directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "xdm-relay-test-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

impl Edge {
    pub fn start(extra: &[&str]) -> Edge {
        use std::io::BufRead;
        // Built here, before a test starts timing the PHP processes it runs against this Edge
        // (without XDM_RELAY_SO, the first of them would otherwise include the build).
        extension_so();
        let data = temp_dir("edge");
        let mut child = Command::new(edge_binary())
            .args(["--listen", "127.0.0.1:0", "--data"])
            .arg(&data)
            .args(extra)
            .current_dir(repo_root())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start xdm-relay-edge");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line).expect("read the listen line");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_string();
        Edge { child, url, data }
    }

    pub fn get(&self, path: &str) -> serde_json::Value {
        // Read as a stream: into_string() stops at 10 MB, and 5 000 events are more.
        let reader = ureq::get(&format!("{}{path}", self.url)).call().expect("GET").into_reader();
        serde_json::from_reader(reader).expect("JSON")
    }

    pub fn stats(&self) -> serde_json::Value {
        self.get("/_emulator/stats")
    }

    pub fn events(&self) -> Vec<serde_json::Value> {
        self.get("/_emulator/events")["events"].as_array().cloned().unwrap_or_default()
    }

    pub fn fault(&self, spec: serde_json::Value) {
        ureq::post(&format!("{}/_emulator/faults", self.url)).send_string(&spec.to_string()).expect("add fault");
    }

    pub fn clear_faults(&self) {
        ureq::delete(&format!("{}/_emulator/faults", self.url)).call().expect("clear faults");
    }

    /// Waits until the emulator has accepted `n` events (or the timeout passes); returns the count.
    pub fn wait_for_events(&self, n: u64, timeout: std::time::Duration) -> u64 {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let got = self.stats()["eventsAccepted"].as_u64().unwrap_or(0);
            if got >= n || std::time::Instant::now() >= deadline {
                return got;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// `_id` → number of times it arrived.
    pub fn id_counts(&self) -> std::collections::HashMap<String, u64> {
        let mut counts = std::collections::HashMap::new();
        for e in self.events() {
            *counts.entry(e["xdm"]["_id"].as_str().unwrap_or("").to_string()).or_insert(0) += 1;
        }
        counts
    }
}

impl Drop for Edge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
