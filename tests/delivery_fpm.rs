//! PHP-FPM: a static pool of 4 workers recycled every 100 requests serves 2 000 "place order"
//! requests; one worker is SIGKILLed mid-run. Every order a request accepted arrives.

mod common;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Edge;

struct Fpm {
    child: Child,
    socket: PathBuf,
}

impl Drop for Fpm {
    fn drop(&mut self) {
        // SIGQUIT: graceful stop, as docker images and the demo do.
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGQUIT);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_fpm(dir: &Path, edge: &Edge, spool: &Path) -> Fpm {
    let socket = dir.join("fpm.sock");
    let conf = dir.join("fpm.conf");
    std::fs::write(
        &conf,
        format!(
            "[global]\npid = {dir}/fpm.pid\nerror_log = {dir}/fpm.log\ndaemonize = no\n\n\
             [www]\nuser = root\nlisten = {sock}\npm = static\npm.max_children = 4\npm.max_requests = 100\n\
             clear_env = no\nenv[XR_EDGE] = {edge}\nenv[XR_SPOOL] = {spool}\ncatch_workers_output = yes\n",
            dir = dir.display(),
            sock = socket.display(),
            edge = edge.url,
            spool = spool.display()
        ),
    )
    .unwrap();
    let child = Command::new("php-fpm8.2")
        .args(["-F", "-R", "-n", "-y"])
        .arg(&conf)
        .arg("-d")
        .arg(format!("extension={}", common::extension_so().display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start php-fpm8.2");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !socket.exists() {
        assert!(Instant::now() < deadline, "php-fpm did not start: {}", std::fs::read_to_string(dir.join("fpm.log")).unwrap_or_default());
        std::thread::sleep(Duration::from_millis(50));
    }
    Fpm { child, socket }
}

/// One FastCGI request with Debian's cgi-fcgi; returns the body on success.
fn request(socket: &Path, script: &Path, id: usize) -> Option<String> {
    let out = Command::new("cgi-fcgi")
        .args(["-bind", "-connect"])
        .arg(socket)
        .env_clear()
        .env("SCRIPT_FILENAME", script)
        .env("REQUEST_METHOD", "GET")
        .env("QUERY_STRING", format!("id={id}"))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let body = text.split("\r\n\r\n").nth(1)?.trim().to_string();
    (out.status.success() && body.len() >= 36 && !body.contains("Fatal")).then_some(body)
}

fn workers(master: u32) -> Vec<i32> {
    let out = Command::new("pgrep").args(["-P", &master.to_string()]).output().expect("pgrep");
    String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| l.trim().parse().ok()).collect()
}

#[test]
fn fpm_workers_recycled_and_killed_lose_no_accepted_order() {
    let edge = Edge::start(&[]);
    let dir = common::temp_dir("fpm");
    let spool = dir.join("spool");
    let fpm = start_fpm(&dir, &edge, &spool);
    let script = common::repo_root().join("tests/fixtures/delivery/fpm_order.php");
    let accepted = Arc::new(Mutex::new(HashSet::new()));
    let next = Arc::new(Mutex::new(0usize));
    let total = 2000;
    let killed = Arc::new(Mutex::new(None));
    let master = fpm.child.id();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (accepted, next, killed, socket, script) =
                (Arc::clone(&accepted), Arc::clone(&next), Arc::clone(&killed), fpm.socket.clone(), script.clone());
            std::thread::spawn(move || loop {
                let id = {
                    let mut n = next.lock().unwrap();
                    if *n >= total {
                        return;
                    }
                    *n += 1;
                    *n
                };
                if id == total / 2 {
                    let mut k = killed.lock().unwrap();
                    if k.is_none() {
                        if let Some(&victim) = workers(master).first() {
                            unsafe {
                                libc::kill(victim, libc::SIGKILL);
                            }
                            *k = Some(victim);
                        }
                    }
                }
                if let Some(body) = request(&socket, &script, id) {
                    accepted.lock().unwrap().insert(format!("fpm-{id}"));
                    let _ = body;
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert!(killed.lock().unwrap().is_some(), "a worker was killed mid-run");
    let accepted = accepted.lock().unwrap().clone();
    assert!(accepted.len() >= total - 8, "almost every request succeeded: {}", accepted.len());
    // The killed worker's spool is adopted by a live worker's sender (it scans every 5 s).
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut arrived = HashSet::new();
    while Instant::now() < deadline {
        arrived = edge
            .events()
            .iter()
            .filter_map(|e| e["xdm"]["commerce"]["order"]["purchaseID"].as_str().map(str::to_string))
            .collect();
        if accepted.is_subset(&arrived) {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let missing: Vec<_> = accepted.difference(&arrived).take(10).collect();
    assert!(missing.is_empty(), "{} accepted orders never arrived, e.g. {missing:?}", accepted.difference(&arrived).count());
    let stats = edge.stats();
    println!("fpm: {} accepted, {} arrived, {} duplicates", accepted.len(), arrived.len(), stats["duplicates"]);
}
