//! Delivery through real PHP processes to the real emulator: process exit, fork, outage,
//! lost responses, a full or unwritable spool, corrupt and orphaned segments, OAuth.

mod common;

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::{php_command, Edge};
use serde_json::{json, Value};

fn fixture(name: &str) -> std::path::PathBuf {
    common::repo_root().join("tests/fixtures/delivery").join(name)
}

fn run_emit(edge: &Edge, spool: &Path, n: usize, prefix: &str, extra_env: &[(&str, &str)]) -> (Output, Value) {
    let mut cmd = php_command(&[("extension", "posix")]);
    cmd.arg(fixture("emit.php"))
        .env("XR_EDGE", &edge.url)
        .env("XR_SPOOL", spool)
        .env("XR_N", n.to_string())
        .env("XR_PREFIX", prefix);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run php");
    let text = common::stdout(&out);
    let parsed = text.lines().next().and_then(|l| serde_json::from_str(l).ok()).unwrap_or(Value::Null);
    (out, parsed)
}

fn segments(spool: &Path) -> usize {
    std::fs::read_dir(spool)
        .map(|d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "seg")).count())
        .unwrap_or(0)
}

fn ids_with_prefix(edge: &Edge, prefix: &str) -> std::collections::HashMap<String, u64> {
    let mut counts = std::collections::HashMap::new();
    for e in edge.events() {
        let purchase = e["xdm"]["commerce"]["order"]["purchaseID"].as_str().unwrap_or("").to_string();
        if purchase.starts_with(prefix) {
            *counts.entry(purchase).or_insert(0) += 1;
        }
    }
    counts
}

#[test]
fn a_cli_process_that_emits_5000_events_and_exits_loses_none() {
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("cli-spool");
    let started = Instant::now();
    let (out, first) = run_emit(&edge, &spool, 5000, "cli", &[]);
    let took = started.elapsed();
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(first["ids"], 5000);
    assert!(took < Duration::from_secs(30), "exit is bounded: {took:?} {first} {}", common::stderr(&out));
    // The next process adopts whatever the first one left in the spool.
    let (out2, _) = run_emit(&edge, &spool, 1, "next", &[("XR_FLUSH", "10")]);
    assert!(out2.status.success(), "{}", common::stderr(&out2));
    let got = edge.wait_for_events(5001, Duration::from_secs(30));
    assert_eq!(got, 5001, "every event arrives");
    let counts = ids_with_prefix(&edge, "cli-");
    assert_eq!(counts.len(), 5000);
    assert_eq!(edge.stats()["duplicates"], 0, "no retries happened, so no duplicates");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(segments(&spool), 0, "delivered segments are deleted");
}

#[test]
fn fork_parent_and_child_each_deliver_their_own_events_once() {
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("fork-spool");
    let out = php_command(&[])
        .arg(fixture("fork.php"))
        .env("XR_EDGE", &edge.url)
        .env("XR_SPOOL", &spool)
        .output()
        .expect("run php");
    assert!(out.status.success(), "{}", common::stderr(&out));
    let parent: Value = serde_json::from_str(common::stdout(&out).trim()).expect("parent JSON");
    let child: Value = serde_json::from_str(common::stderr(&out).lines().find(|l| l.contains("\"child\"")).expect("child line")).unwrap();
    assert_eq!(parent["flushed"], true);
    assert_eq!(child["flushed"], true, "the child starts its own sender");
    assert_eq!(parent["accepted"], 100);
    assert_eq!(child["accepted"], 50, "the child's counters are its own");
    assert!(parent["child_seconds"].as_f64().unwrap() < 10.0, "the child neither hangs nor waits for the parent");
    assert_eq!(edge.wait_for_events(150, Duration::from_secs(20)), 150);
    let counts = edge.id_counts();
    assert_eq!(counts.len(), 150);
    assert!(counts.values().all(|&c| c == 1), "nobody re-sends the other's events");
}

#[test]
fn an_outage_of_503_then_429_with_retry_after_loses_nothing() {
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("outage-spool");
    edge.fault(json!({"kind": "status", "status": 503, "retryAfter": 1, "seconds": 3.0}));
    let started = Instant::now();
    let (out, result) = run_emit(&edge, &spool, 200, "outage", &[("XR_FLUSH", "30")]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(result["flushed"], true, "{result}");
    assert!(started.elapsed() >= Duration::from_secs(3), "nothing got through during the outage");
    assert!(result["stats"]["retried"].as_u64().unwrap() > 0);
    assert_eq!(result["stats"]["failed"], 0);
    assert_eq!(ids_with_prefix(&edge, "outage-").len(), 200);

    // A 429 with Retry-After: 2 holds the next attempt back for two seconds.
    edge.fault(json!({"kind": "status", "status": 429, "retryAfter": 2, "count": 1}));
    let started = Instant::now();
    let (_, result) = run_emit(&edge, &spool, 1, "ratelimited", &[("XR_FLUSH", "20")]);
    let waited = started.elapsed();
    assert_eq!(result["flushed"], true);
    assert!(waited >= Duration::from_secs(2), "Retry-After respected: {waited:?}");
    assert!(waited < Duration::from_secs(6), "and not much more: {waited:?}");
    let stats = edge.stats();
    assert!(stats["requestsByStatus"]["429"].as_u64().unwrap() >= 1);
    assert!(stats["requestsByStatus"]["503"].as_u64().unwrap() >= 1);

    // Retry-After as an HTTP-date works too.
    edge.fault(json!({"kind": "status", "status": 503, "retryAfter": 2, "retryAfterHttpDate": true, "count": 1}));
    let started = Instant::now();
    let (_, result) = run_emit(&edge, &spool, 1, "dated", &[("XR_FLUSH", "20")]);
    assert_eq!(result["flushed"], true);
    assert!(started.elapsed() >= Duration::from_secs(1), "HTTP-date Retry-After respected");
}

#[test]
fn a_response_lost_after_the_body_landed_delivers_the_event_twice_with_one_id() {
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("reset-spool");
    edge.fault(json!({"kind": "reset", "count": 1}));
    let (out, result) = run_emit(&edge, &spool, 1, "lost", &[("XR_FLUSH", "20")]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(result["flushed"], true);
    let counts = edge.id_counts();
    assert_eq!(counts.len(), 1);
    assert_eq!(counts.values().next(), Some(&2), "at-least-once: the retry carries the same _id");
    assert_eq!(edge.stats()["duplicates"], 1);
}

#[test]
fn a_full_spool_drops_and_counts_without_an_exception() {
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("full-spool");
    // Edge down so nothing leaves the spool; the spool may hold 64 KiB.
    edge.fault(json!({"kind": "status", "status": 503, "seconds": 60.0}));
    let (out, result) = run_emit(&edge, &spool, 200, "full", &[("XR_SETTINGS", r#"{"spool_max_bytes": 65536, "shutdown_timeout_ms": 0}"#)]);
    assert!(out.status.success(), "emit never throws into the caller: {}", common::stderr(&out));
    assert_eq!(result["ids"], 200, "every call returned its id");
    let dropped = result["stats"]["dropped"].as_u64().unwrap();
    assert!(dropped > 100, "most were dropped: {result}");
    assert!(result["stats"]["last_error"].as_str().unwrap().contains("spool is full"));
    let warnings = common::stderr(&out).matches("xdm_relay: ").count();
    assert_eq!(warnings, 1, "one warning per request, not per event");
}

#[test]
fn an_unwritable_spool_directory_degrades_to_memory_and_still_delivers() {
    let edge = Edge::start(&[]);
    let not_a_dir = common::temp_dir("unwritable").join("a-file");
    std::fs::write(&not_a_dir, b"x").unwrap();
    let (out, result) = run_emit(&edge, &not_a_dir, 20, "mem", &[("XR_FLUSH", "10")]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(result["flushed"], true);
    assert_eq!(result["stats"]["delivered"], 20);
    assert!(result["stats"]["last_error"].as_str().unwrap().contains("not writable"), "{result}");
    assert_eq!(common::stderr(&out).matches("xdm_relay: ").count(), 1);
}

#[test]
fn orphaned_segments_of_a_killed_process_are_adopted() {
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("orphan-spool");
    edge.fault(json!({"kind": "status", "status": 503, "seconds": 3600.0}));
    let (out, _) = run_emit(&edge, &spool, 100, "orphan", &[("XR_KILL_SELF", "1")]);
    assert!(!out.status.success(), "the process was SIGKILLed");
    assert!(
        segments(&spool) >= 1,
        "its events are in the spool: {:?} {} {}",
        std::fs::read_dir(&spool).map(|d| d.flatten().map(|e| e.file_name()).collect::<Vec<_>>()),
        common::stdout(&out),
        common::stderr(&out)
    );
    edge.clear_faults();
    let (out, result) = run_emit(&edge, &spool, 1, "adopter", &[("XR_FLUSH", "10")]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(result["flushed"], true);
    edge.wait_for_events(101, Duration::from_secs(20));
    assert_eq!(ids_with_prefix(&edge, "orphan-").len(), 100, "the killed process's events arrive");
}

#[test]
fn a_corrupt_spool_tail_is_skipped_and_counted() {
    use xdm_relay::delivery::record::{encode, Destination, SpoolRecord};
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("corrupt-spool");
    let mut bytes = Vec::new();
    for i in 0..3 {
        let xdm = json!({"_id": format!("c-{i}"), "timestamp": "2024-05-01T10:00:00Z", "eventType": "commerce.backofficeOrderPlaced",
            "identityMap": {"Email": [{"id": "a@b.c", "primary": true}]}});
        bytes.extend(encode(&SpoolRecord {
            id: format!("c-{i}"),
            profile: false,
            dest: Destination { datastream_id: "ds-test".into(), dataset_id: None, sandbox: None },
            accepted_ms: xdm_relay::delivery::now_ms(),
            accepted_boot: None,
            xdm: serde_json::value::RawValue::from_string(xdm.to_string()).unwrap(),
        }).unwrap());
    }
    bytes.extend_from_slice(b"XDR1\xff\xff\x00\x00garbage from a torn write");
    std::fs::write(spool.join("99999-1-1.seg"), &bytes).unwrap();
    let (out, result) = run_emit(&edge, &spool, 1, "after-corrupt", &[("XR_FLUSH", "10")]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    edge.wait_for_events(4, Duration::from_secs(15));
    let counts = edge.id_counts();
    for i in 0..3 {
        assert_eq!(counts.get(&format!("c-{i}")), Some(&1), "valid records before the tear arrive");
    }
    let stats = &result["stats"];
    assert!(stats["corrupt"].as_u64().unwrap() >= 1 || std::fs::metadata(spool.join("99999-1-1.seg")).is_err(), "{result}");
}

#[test]
fn oauth_tokens_are_fetched_refreshed_and_wrong_credentials_are_final() {
    let dir = common::temp_dir("oauth");
    let config = dir.join("edge.json");
    std::fs::write(
        &config,
        json!({
            "datastreams": [{"id": "ds-auth", "authenticated": true, "orgId": "0123456789ABCDEF01234567@AdobeOrg"}],
            "clients": [{"clientId": "magento", "clientSecret": "s3cret", "tokenLifetimeS": 600}]
        })
        .to_string(),
    )
    .unwrap();
    let edge = Edge::start(&["--config", config.to_str().unwrap()]);
    let spool = common::temp_dir("oauth-spool");
    let settings = |secret: &str| {
        json!({"org_id": "0123456789ABCDEF01234567@AdobeOrg",
               "auth": {"type": "oauth", "client_id": "magento", "client_secret": secret, "ims_url": format!("{}/ims/token/v3", edge.url)}})
        .to_string()
    };
    let good = settings("s3cret");
    let (out, result) = run_emit(&edge, &spool, 10, "auth", &[("XR_SETTINGS", &good), ("XR_DATASTREAM", "ds-auth"), ("XR_FLUSH", "10")]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(result["stats"]["delivered"], 10, "{result}");

    // Tokens expire server-side mid-run: 401 EXEG-0503, a new token, the events still arrive.
    let script = format!(
        r#"require '{}';
        xdm_relay_configure(array_merge(['edge_url' => '{}', 'spool_dir' => '{}', 'flush_interval_ms' => 20], json_decode('{}', true)));
        for ($i = 0; $i < 5; $i++) {{ xdm_relay_emit('orderPlaced', order_payload(['entity_id' => "a1-$i", 'increment_id' => "a1-$i"]), ['datastream_id' => 'ds-auth']); }}
        xdm_relay_flush(10.0);
        file_get_contents('{}/_emulator/tokens/expire', false, stream_context_create(['http' => ['method' => 'POST']]));
        for ($i = 0; $i < 5; $i++) {{ xdm_relay_emit('orderPlaced', order_payload(['entity_id' => "a2-$i", 'increment_id' => "a2-$i"]), ['datastream_id' => 'ds-auth']); }}
        echo json_encode(['flushed' => xdm_relay_flush(10.0), 'stats' => xdm_relay_stats()]);"#,
        common::repo_root().join("tests/fixtures/mapping/payloads.php").display(),
        edge.url,
        spool.display(),
        good,
        edge.url
    );
    let out = common::php(&script, &[]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let result: Value = serde_json::from_str(common::stdout(&out).trim()).unwrap();
    assert_eq!(result["flushed"], true, "{result}");
    assert_eq!(result["stats"]["delivered"], 10);
    assert!(edge.stats()["requestsByStatus"]["401"].as_u64().unwrap() >= 1, "the expired token was refused once");

    // Wrong secret: IMS refuses, the events are final (dead-lettered) with a clear last_error.
    let bad = settings("wrong");
    let (out, result) = run_emit(&edge, &spool, 3, "badauth", &[("XR_SETTINGS", &bad), ("XR_DATASTREAM", "ds-auth"), ("XR_FLUSH", "10")]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(result["flushed"], true);
    assert_eq!(result["stats"]["failed"], 3);
    assert!(result["stats"]["last_error"].as_str().unwrap().contains("IMS refused the OAuth credentials"), "{result}");
    let dead = std::fs::read_to_string(spool.join("dead-letter.jsonl")).expect("dead-letter file");
    assert_eq!(dead.lines().count(), 3);
    assert!(!dead.contains("wrong"), "secrets never reach the dead-letter file");
}

#[test]
fn test_connection_reports_status_and_latency() {
    let edge = Edge::start(&[]);
    let script = format!(
        "xdm_relay_configure(['edge_url' => '{}']); echo json_encode(xdm_relay_test_connection(['datastream_id' => 'ds-x']));",
        edge.url
    );
    let out = common::php(&script, &[]);
    let r: Value = serde_json::from_str(common::stdout(&out).trim()).unwrap_or_else(|_| panic!("{}", common::stderr(&out)));
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["status"], 400);
    assert!(r["latency_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(edge.stats()["eventsAccepted"], 0, "nothing lands in a dataset");

    let out = common::php("xdm_relay_configure(['edge_url' => 'http://127.0.0.1:9']); echo json_encode(xdm_relay_test_connection(['datastream_id' => 'ds-x']));", &[]);
    let r: Value = serde_json::from_str(common::stdout(&out).trim()).unwrap();
    assert_eq!(r["ok"], false);
    assert!(r["message"].as_str().unwrap().contains("unreachable"));
}

#[test]
fn configure_rejects_unknown_and_invalid_keys_with_config_exception() {
    let out = common::php(
        r#"foreach ([['edge_ulr' => 'x'], ['org_id' => 'nope'], ['batch_max_bytes' => 10], ['auth' => ['type' => 'jwt']]] as $s) {
            try { xdm_relay_configure($s); echo "none\n"; } catch (XdmRelay\ConfigException $e) { echo get_class($e), ' ', $e->getMessage(), "\n"; }
        }"#,
        &[],
    );
    let text = common::stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}{}", common::stderr(&out));
    assert!(lines[0].contains("edge_ulr: unknown setting"));
    assert!(lines[1].contains("org_id: expected an IMS organization id"));
    assert!(lines[2].contains("batch_max_bytes: expected an integer from 1024 to 65536"));
    assert!(lines[3].contains("auth.type: JWT service accounts are retired"));
}

#[test]
fn the_request_thread_never_waits_for_a_slow_or_hanging_edge() {
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("slow-spool");
    // Every request takes 2 s: emitting must not notice, and neither must the process exit.
    edge.fault(json!({"kind": "latency", "ms": 2000, "count": 1000}));
    let started = Instant::now();
    let (out, result) = run_emit(&edge, &spool, 100, "slow", &[("XR_SETTINGS", r#"{"shutdown_timeout_ms": 0}"#)]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let emit_ms = result["emit_ms"].as_f64().unwrap();
    assert!(emit_ms < 500.0, "100 emits took {emit_ms} ms while the Edge needed 2 s per request");
    assert!(started.elapsed() < Duration::from_secs(2), "the process exit did not wait for the network");
    edge.clear_faults();

    // A request that hangs is abandoned after request_timeout_ms and retried. The fault names
    // this process's datastream: a request the slow process left in the emulator's backlog
    // must not be the one it hangs.
    edge.fault(json!({"kind": "timeout", "ms": 4000, "count": 1, "datastreamId": "ds-hung"}));
    let started = Instant::now();
    let env = [("XR_SETTINGS", r#"{"request_timeout_ms": 500}"#), ("XR_FLUSH", "20"), ("XR_DATASTREAM", "ds-hung")];
    let (out, result) = run_emit(&edge, &spool, 1, "hung", &env);
    let took = started.elapsed();
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(result["flushed"], true, "{result}");
    assert!(result["stats"]["retried"].as_u64().unwrap() >= 1, "{result}");
    assert!(took < Duration::from_secs(4), "the client gave up before the Edge's 4 s hold: {took:?}");
    edge.wait_for_events(102, Duration::from_secs(20));
    assert_eq!(ids_with_prefix(&edge, "slow-").len(), 100, "the slow process's events arrived (adopted)");
    assert_eq!(ids_with_prefix(&edge, "hung-").len(), 1);
}

#[test]
fn the_sender_thread_blocks_signals_so_php_timeouts_reach_the_php_thread() {
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("signals-spool");
    let script = format!(
        r#"require '{}';
        xdm_relay_configure(['edge_url' => '{}', 'spool_dir' => '{}']);
        xdm_relay_emit('orderPlaced', order_payload(), ['datastream_id' => 'ds']);
        // The new thread names itself once it runs: wait for that.
        for ($try = 0; $try < 200; $try++) {{
            $lines = [];
            foreach (glob('/proc/self/task/*') as $task) {{
                $status = file_get_contents("$task/status");
                preg_match('/^Name:\s*(.*)$/m', $status, $name);
                preg_match('/^SigBlk:\s*([0-9a-f]+)$/m', $status, $blocked);
                $lines[] = trim($name[1]) . ' ' . $blocked[1];
            }}
            if (preg_grep('/^xdm-relay-sende/', $lines)) {{
                break;
            }}
            usleep(10000);
        }}
        echo implode("\n", $lines), "\n";"#,
        common::repo_root().join("tests/fixtures/mapping/payloads.php").display(),
        edge.url,
        spool.display()
    );
    let out = common::php(&script, &[]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let text = common::stdout(&out);
    let sender = text.lines().find(|l| l.starts_with("xdm-relay-sende")).unwrap_or_else(|| panic!("no sender thread: {text}"));
    let mask = u64::from_str_radix(sender.split_whitespace().nth(1).unwrap(), 16).unwrap();
    for signal in [libc::SIGPROF, libc::SIGALRM, libc::SIGTERM, libc::SIGQUIT, libc::SIGINT, libc::SIGUSR1] {
        assert!(mask & (1u64 << (signal - 1)) != 0, "signal {signal} is not blocked in the sender thread: {sender}");
    }
    let php_thread = text.lines().find(|l| l.starts_with("php")).unwrap();
    let php_mask = u64::from_str_radix(php_thread.split_whitespace().nth(1).unwrap(), 16).unwrap();
    assert_eq!(php_mask & (1u64 << (libc::SIGPROF - 1)), 0, "the PHP thread still receives SIGPROF: {php_thread}");
}

#[test]
fn events_beyond_a_full_channel_are_read_back_from_the_spool() {
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("overflow-spool");
    // The sender is stuck in a slow request while 6 000 events arrive: more than its channel holds.
    edge.fault(json!({"kind": "latency", "ms": 3000, "count": 1}));
    let (out, result) = run_emit(&edge, &spool, 6000, "overflow", &[("XR_FLUSH", "60")]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(result["flushed"], true, "{result}");
    assert_eq!(result["stats"]["delivered"], 6000);
    assert_eq!(result["stats"]["dropped"], 0);
    let counts = ids_with_prefix(&edge, "overflow-");
    assert_eq!(counts.len(), 6000);
    assert!(counts.values().all(|&c| c == 1), "read back once, never twice");
}
