//! A forked child that never emits must not keep its parent's spool segments locked: once the
//! parent is gone, another process adopts and delivers them while the child still runs.

mod common;

use std::time::{Duration, Instant};

use common::{php_command, Edge};
use serde_json::{json, Value};

#[test]
fn a_never_emitting_child_does_not_keep_its_parents_segments_from_adoption() {
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("idle-child-spool");
    edge.fault(json!({"kind": "status", "status": 503, "seconds": 3600.0}));
    // Output to files, not pipes: the child inherits them and a pipe would stay open until it exits.
    let stdout_path = spool.with_extension("stdout");
    let stderr_path = spool.with_extension("stderr");
    let status = php_command(&[])
        .arg(common::repo_root().join("tests/fixtures/delivery/fork_idle_child.php"))
        .env("XR_EDGE", &edge.url)
        .env("XR_SPOOL", &spool)
        .env("XR_CHILD_SLEEP", "20")
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .status()
        .expect("run php");
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    assert!(status.success(), "{stderr}");
    let stdout = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    let reply: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("the child's pid: {e}: {stdout} {stderr}"));
    let child = reply["child"].as_i64().expect("pid") as i32;
    // SAFETY: signal 0 only checks that the process exists.
    assert_eq!(unsafe { libc::kill(child, 0) }, 0, "the child still runs");

    let segments: Vec<_> = std::fs::read_dir(&spool)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .collect();
    assert!(!segments.is_empty(), "the parent's undelivered events are in the spool");
    for path in &segments {
        let file = std::fs::OpenOptions::new().read(true).open(path).unwrap();
        use std::os::unix::io::AsRawFd;
        // SAFETY: flock on a descriptor we own.
        let free = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        assert!(free, "{} is still locked by the child", path.display());
    } // our locks go with the files

    // An adopter delivers them while the child lives.
    edge.clear_faults();
    let started = Instant::now();
    // Adoption is the job of the next process that emits (only an emit starts a sender).
    let out = php_command(&[])
        .arg("-r")
        .arg(concat!(
            "require getenv('XR_PAYLOADS'); xdm_relay_configure(['edge_url' => getenv('XR_EDGE'), 'spool_dir' => getenv('XR_SPOOL'), 'flush_interval_ms' => 20]);",
            "xdm_relay_emit('orderPlaced', order_payload(['entity_id' => 'adopter', 'increment_id' => 'adopter']), ['datastream_id' => 'ds-fork']);",
            "echo json_encode(['flushed' => xdm_relay_flush(10.0)]), \"\\n\";"
        ))
        .env("XR_EDGE", &edge.url)
        .env("XR_SPOOL", &spool)
        .env("XR_PAYLOADS", common::repo_root().join("tests/fixtures/mapping/payloads.php"))
        .output()
        .expect("run php");
    assert!(out.status.success(), "{}", common::stderr(&out));
    let got = edge.wait_for_events(21, Duration::from_secs(15));
    assert_eq!(got, 21, "the parent's 20 events and the adopter's one arrive");
    assert_eq!(unsafe { libc::kill(child, 0) }, 0, "…while the child still runs");
    assert!(started.elapsed() < Duration::from_secs(18));
    let counts = edge.id_counts();
    assert!(counts.values().all(|&c| c == 1), "each once: {counts:?}");
    // SAFETY: ends the child this test started.
    unsafe {
        libc::kill(child, libc::SIGKILL);
    }
}
