//! Issue 10 through real PHP processes against the emulator: bad input never panics, secrets
//! never reach files or messages, unsendable events are refused at emit, a fault mix (429,
//! resets, requests never answered) loses nothing, Retry-After paces the destination as a whole,
//! orphans are visible and adopted promptly, a deleted spool directory loses nothing, a full
//! disk with the Edge down loses nothing uncounted, and age survives a wall-clock step.

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use common::{php_command, Edge};
use serde_json::{json, Value};

fn payloads() -> String {
    common::repo_root().join("tests/fixtures/mapping/payloads.php").display().to_string()
}

fn run_emit(edge: &Edge, spool: &Path, n: usize, prefix: &str, env: &[(&str, &str)]) -> (Output, Value) {
    let mut cmd = php_command(&[("extension", "posix")]);
    cmd.arg(common::repo_root().join("tests/fixtures/delivery/emit.php"))
        .env("XR_EDGE", &edge.url)
        .env("XR_SPOOL", spool)
        .env("XR_N", n.to_string())
        .env("XR_PREFIX", prefix);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run php");
    let parsed = common::stdout(&out).lines().next().and_then(|l| serde_json::from_str(l).ok()).unwrap_or(Value::Null);
    (out, parsed)
}

fn purchase_ids(edge: &Edge, prefix: &str) -> std::collections::HashMap<String, u64> {
    let mut counts = std::collections::HashMap::new();
    for e in edge.events() {
        let id = e["xdm"]["commerce"]["order"]["purchaseID"].as_str().unwrap_or("").to_string();
        if id.starts_with(prefix) {
            *counts.entry(id).or_insert(0) += 1;
        }
    }
    counts
}

/// Leaves `n` events in `spool` from a process that was SIGKILLed while the Edge was down.
fn dead_backlog(edge: &Edge, spool: &Path, n: usize, prefix: &str) {
    edge.fault(json!({"kind": "status", "status": 503, "seconds": 3600.0}));
    let (out, _) = run_emit(edge, spool, n, prefix, &[("XR_KILL_SELF", "1")]);
    assert!(!out.status.success(), "the emitter was killed");
    edge.clear_faults();
}

#[test]
fn bad_input_gets_a_clean_exception_naming_the_field_never_a_panic() {
    let script = format!(
        r#"require '{}';
        $dest = ['datastream_id' => 'ds'];
        $cases = [
            'payload key not UTF-8' => fn() => xdm_relay_emit('orderPlaced', ['order' => ["\xff\xfe" => 1] + order_payload()['order']] + order_payload(), $dest),
            'destination key not UTF-8' => fn() => xdm_relay_emit('orderPlaced', order_payload(), ['datastream_id' => 'ds', "\xc3\x28" => 'x']),
            'settings key not UTF-8' => fn() => xdm_relay_configure(["\xe2\x82" => 1]),
            'auth key not UTF-8' => fn() => xdm_relay_configure(['auth' => ['type' => 'oauth', "\xff" => 'x']]),
            'NUL in event name' => fn() => xdm_relay_emit("order\0Placed", order_payload(), $dest),
            'NUL in map event name' => fn() => xdm_relay_map("x\0y", order_payload()),
            'CR LF in sandbox' => fn() => xdm_relay_emit('orderPlaced', order_payload(), ['datastream_id' => 'ds', 'sandbox' => "prod\r\nX-Evil: 1"]),
            'NUL in datastream' => fn() => xdm_relay_emit('orderPlaced', order_payload(), ['datastream_id' => "ds\0"]),
            'order too large for one request' => fn() => xdm_relay_emit('orderPlaced', order_payload(['items' => array_map(fn($i) => ['item_id' => $i, 'product_type' => 'simple', 'sku' => "SKU-$i-" . str_repeat('x', 300), 'name' => str_repeat('Long product name ', 10), 'qty_ordered' => 1, 'row_total' => 10], range(1, 250))]), $dest),
            'plain http IMS off loopback' => fn() => xdm_relay_configure(['auth' => ['type' => 'oauth', 'client_id' => 'a', 'client_secret' => 'b', 'ims_url' => 'http://ims.example.com/token']]),
            'plain http Edge off loopback' => fn() => xdm_relay_configure(['edge_url' => 'http://edge.example.com']),
        ];
        foreach ($cases as $name => $case) {{
            try {{ $case(); echo "$name\tNONE\n"; }}
            catch (\Throwable $e) {{ echo $name, "\t", get_class($e), "\t", str_replace(["\n", "\r"], ' ', $e->getMessage()), "\n"; }}
        }}"#,
        payloads()
    );
    let out = common::php(&script, &[]);
    let text = common::stdout(&out);
    let expect = [
        ("payload key not UTF-8", "NONE", ""),
        ("destination key not UTF-8", "XdmRelay\\InvalidEventException", "destination."),
        ("settings key not UTF-8", "XdmRelay\\ConfigException", "unknown setting"),
        ("auth key not UTF-8", "XdmRelay\\ConfigException", "auth."),
        ("NUL in event name", "XdmRelay\\InvalidEventException", "order\\0Placed"),
        ("NUL in map event name", "XdmRelay\\InvalidEventException", "x\\0y"),
        ("CR LF in sandbox", "XdmRelay\\InvalidEventException", "destination.sandbox"),
        ("NUL in datastream", "XdmRelay\\InvalidEventException", "destination.datastream_id"),
        ("order too large for one request", "XdmRelay\\InvalidEventException", "a request may carry at most"),
        ("plain http IMS off loopback", "XdmRelay\\ConfigException", "auth.ims_url: plain http"),
        ("plain http Edge off loopback", "XdmRelay\\ConfigException", "edge_url: plain http"),
    ];
    for (name, class, fragment) in expect {
        let line = text.lines().find(|l| l.starts_with(&format!("{name}\t"))).unwrap_or_else(|| panic!("no line for {name}: {text}{}", common::stderr(&out)));
        let parts: Vec<&str> = line.split('\t').collect();
        assert_eq!(parts[1], class, "{line}");
        assert!(parts.get(2).unwrap_or(&"").contains(fragment), "{line}");
    }
    assert!(!text.contains("Invalid array key") && !text.contains("cannot throw"), "{text}");
}

#[test]
fn fuzzed_keys_and_values_only_ever_raise_the_extension_exceptions() {
    // A property test at the PHP boundary: random bytes as keys and values (invalid UTF-8, NUL,
    // control characters), random nesting and types, into emit, map and configure.
    let script = format!(
        r#"require '{}';
        mt_srand(10);
        xdm_relay_configure(['edge_url' => 'http://127.0.0.1:9', 'spool_dir' => sys_get_temp_dir() . '/xdm-relay-fuzz-' . getmypid()]);
        function junk(int $depth) {{
            switch (mt_rand(0, $depth > 3 ? 5 : 7)) {{
                case 0: return mt_rand(0, 5) ? random_bytes(mt_rand(1, 12)) : '';
                case 1: return mt_rand(PHP_INT_MIN, PHP_INT_MAX);
                case 2: return [NAN, INF, -INF, 1.5e308, -0.0][mt_rand(0, 4)];
                case 3: return null;
                case 4: return (bool) mt_rand(0, 1);
                case 5: return new \stdClass();
                default: $a = []; for ($i = mt_rand(0, 4); $i > 0; $i--) {{ $a[mt_rand(0, 1) ? random_bytes(mt_rand(1, 6)) : mt_rand(-3, 3)] = junk($depth + 1); }} return $a;
            }}
        }}
        $bad = 0; $ok = 0; $counts = [];
        $events = ['orderPlaced', 'orderInvoiced', 'accountCreated', 'profileRecord', random_bytes(5)];
        for ($n = 0; $n < 1500; $n++) {{
            $payload = order_payload();
            $path = &$payload;
            for ($d = mt_rand(0, 3); $d > 0 && is_array($path); $d--) {{ $k = array_rand($path); $path = &$path[$k]; }}
            $path = junk(0);
            unset($path);
            $dest = mt_rand(0, 3) ? ['datastream_id' => 'ds'] : junk(2);
            try {{
                switch ($n % 3) {{
                    case 0: xdm_relay_emit($events[mt_rand(0, 4)], is_array($payload) ? $payload : [], is_array($dest) ? $dest : []); break;
                    case 1: xdm_relay_map($events[mt_rand(0, 4)], is_array($payload) ? $payload : []); break;
                    default: $s = junk(1); xdm_relay_configure(is_array($s) ? $s : []);
                }}
                $ok++;
            }} catch (XdmRelay\InvalidEventException | XdmRelay\ConfigException $e) {{
                $counts[get_class($e)] = ($counts[get_class($e)] ?? 0) + 1;
            }} catch (\Throwable $e) {{
                $bad++; echo 'BAD ', get_class($e), ': ', $e->getMessage(), "\n";
            }}
        }}
        echo json_encode(['bad' => $bad, 'ok' => $ok, 'counts' => $counts]), "\n";"#,
        payloads()
    );
    let out = common::php(&script, &[]);
    let text = common::stdout(&out);
    let last: Value = serde_json::from_str(text.lines().last().unwrap_or("")).unwrap_or_else(|_| panic!("{text}{}", common::stderr(&out)));
    assert_eq!(last["bad"], 0, "{text}");
    assert!(last["counts"]["XdmRelay\\InvalidEventException"].as_u64().unwrap_or(0) > 100, "the fuzz reaches the validation: {last}");
    assert!(last["counts"]["XdmRelay\\ConfigException"].as_u64().unwrap_or(0) > 50, "{last}");
}

/// A stand-in for an IMS (or proxy) that answers 401 and echoes the request it got, body and all.
fn echoing_ims() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/ims/token/v3", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let _ = stream.set_read_timeout(Some(Duration::from_millis(300)));
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
                if request.windows(4).any(|w| w == b"\r\n\r\n") && request.ends_with(b"session") {
                    break;
                }
            }
            let body = format!("bad request, you sent: {}", String::from_utf8_lossy(&request));
            let _ = write!(stream, "HTTP/1.1 401 Unauthorized\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        }
    });
    url
}

#[test]
fn a_secret_echoed_by_an_ims_error_is_never_stored_or_shown() {
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("secret-spool");
    let secret = "p8e-TopSecret/Value+1";
    let settings = json!({"org_id": "0123456789ABCDEF01234567@AdobeOrg",
        "auth": {"type": "oauth", "client_id": "magento", "client_secret": secret, "ims_url": echoing_ims()}});
    let (out, result) = run_emit(&edge, &spool, 3, "secret", &[("XR_SETTINGS", &settings.to_string()), ("XR_FLUSH", "10")]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(result["stats"]["failed"], 3, "{result}");
    let last_error = result["stats"]["last_error"].as_str().unwrap();
    assert!(last_error.contains("IMS refused the OAuth credentials") && last_error.contains("you sent"), "the body is kept, redacted: {last_error}");
    let encoded = "p8e-TopSecret%2FValue%2B1";
    for place in [common::stdout(&out), common::stderr(&out), std::fs::read_to_string(spool.join("dead-letter.jsonl")).unwrap()] {
        assert!(!place.contains("TopSecret"), "raw secret leaked: {place}");
        assert!(!place.contains(encoded), "form-encoded secret leaked: {place}");
    }
    // A secret pasted into the wrong setting is not quoted back either.
    let out = common::php(&format!("try {{ xdm_relay_configure(['org_id' => '{secret}']); }} catch (Throwable $e) {{ echo $e->getMessage(); }}"), &[]);
    assert!(common::stdout(&out).contains("org_id") && !common::stdout(&out).contains("TopSecret"), "{}", common::stdout(&out));
}

#[test]
fn a_backlog_of_dead_processes_survives_429s_resets_and_requests_never_answered() {
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("mix-spool");
    dead_backlog(&edge, &spool, 1500, "mix");
    edge.fault(json!([
        {"kind": "latency", "ms": 20},
        {"kind": "status", "status": 429, "retryAfter": 1, "oneIn": 7},
        {"kind": "reset", "oneIn": 11},
        {"kind": "hang", "oneIn": 23}
    ]));
    let started = Instant::now();
    let (out, result) = run_emit(&edge, &spool, 1, "mixnext", &[("XR_FLUSH", "60"), ("XR_SETTINGS", r#"{"request_timeout_ms": 3000}"#)]);
    let took = started.elapsed();
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(result["flushed"], true, "flush waits for the adopted backlog: {result}");
    let counts = purchase_ids(&edge, "mix-");
    assert_eq!(counts.len(), 1500, "0 lost");
    let stats = edge.stats();
    assert!(stats["requestsByStatus"]["429"].as_u64().unwrap_or(0) >= 3, "the mix was exercised: {stats}");
    assert!(took < Duration::from_secs(40), "{took:?} {stats}");
    assert_eq!(result["stats"]["spool_events"], 0, "{result}");
}

#[test]
fn retry_after_pauses_the_destination_as_a_whole_and_delivery_resumes_promptly() {
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("pace-spool");
    dead_backlog(&edge, &spool, 1000, "pace");
    let window = 10.0;
    edge.fault(json!({"kind": "status", "status": 429, "retryAfter": 2, "seconds": window}));
    let started = Instant::now();
    let (out, result) = run_emit(&edge, &spool, 1, "pacenext", &[("XR_FLUSH", "40")]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(result["flushed"], true, "{result}");
    let refused = edge.stats()["requestsByStatus"]["429"].as_u64().unwrap_or(0);
    // One probe per Retry-After: about window / 2 s, not one per batch.
    assert!(refused <= 7, "{refused} requests during a {window} s 429 window with Retry-After 2");
    assert!(started.elapsed() < Duration::from_secs_f64(window + 8.0), "delivery resumed within seconds: {:?}", started.elapsed());
    assert_eq!(purchase_ids(&edge, "pace-").len(), 1000);
}

#[test]
fn stats_show_the_spool_wide_backlog_and_flush_delivers_adopted_work() {
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("backlog-spool");
    dead_backlog(&edge, &spool, 120, "orph");
    edge.fault(json!({"kind": "status", "status": 503, "seconds": 3600.0}));
    let script = |flush: &str| {
        format!(
            "xdm_relay_configure(['edge_url' => '{}', 'spool_dir' => '{}']); $f = {flush}; echo json_encode(['flushed' => $f, 'stats' => xdm_relay_stats()]);",
            edge.url,
            spool.display()
        )
    };
    let out = common::php(&script("null"), &[]);
    let before: Value = serde_json::from_str(common::stdout(&out).trim()).unwrap_or_else(|_| panic!("{}", common::stderr(&out)));
    assert_eq!(before["stats"]["spool_events"], 120, "a process with nothing of its own still shows what waits: {before}");
    assert!(before["stats"]["orphaned_segments"].as_u64().unwrap() >= 1, "{before}");
    assert!(before["stats"]["oldest_event_age_s"].is_u64(), "{before}");
    assert_eq!(before["stats"]["unadoptable_segments"], 0);
    edge.clear_faults();
    let out = common::php(&script("xdm_relay_flush(20.0)"), &[]);
    let after: Value = serde_json::from_str(common::stdout(&out).trim()).unwrap();
    assert_eq!(after["flushed"], true, "{after}");
    assert_eq!(after["stats"]["spool_events"], 0, "{after}");
    assert_eq!(after["stats"]["delivered"], 120, "adopted work is this process's to deliver: {after}");
    assert_eq!(purchase_ids(&edge, "orph-").len(), 120);
}

#[test]
fn a_spool_directory_deleted_mid_run_is_recreated_and_nothing_is_lost() {
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("deleted-spool");
    edge.fault(json!({"kind": "status", "status": 503, "retryAfter": 1, "seconds": 3.0}));
    let script = format!(
        r#"require '{}';
        $dir = '{}';
        xdm_relay_configure(['edge_url' => '{}', 'spool_dir' => $dir, 'flush_interval_ms' => 20]);
        for ($i = 0; $i < 100; $i++) {{
            xdm_relay_emit('orderPlaced', order_payload(['entity_id' => "del-$i", 'increment_id' => "del-$i"]), ['datastream_id' => 'ds']);
            if ($i == 49) {{ usleep(300000); array_map('unlink', glob("$dir/*")); rmdir($dir); }}
        }}
        usleep(1500000);
        $mode = sprintf('%o', fileperms($dir) & 07777);
        $segs = array_map(fn($f) => sprintf('%o', fileperms($f) & 0777), glob("$dir/*.seg"));
        echo json_encode(['flushed' => xdm_relay_flush(20.0), 'stats' => xdm_relay_stats(), 'dir_mode' => $mode, 'seg_modes' => $segs]), "\n";"#,
        payloads(),
        spool.display(),
        edge.url
    );
    let out = common::php(&script, &[]);
    let result: Value = serde_json::from_str(common::stdout(&out).trim()).unwrap_or_else(|_| panic!("{}{}", common::stdout(&out), common::stderr(&out)));
    assert_eq!(result["flushed"], true, "{result}");
    assert_eq!(result["stats"]["delivered"], 100, "{result}");
    assert_eq!(result["stats"]["dropped"], 0, "{result}");
    assert_eq!(purchase_ids(&edge, "del-").len(), 100);
    assert_eq!(result["dir_mode"], "2770", "the recreated directory is group-writable and setgid: {result}");
    assert!(result["seg_modes"].as_array().unwrap().iter().all(|m| m == "660"), "{result}");
}

#[test]
fn event_age_survives_a_wall_clock_step() {
    use xdm_relay::delivery::clock;
    use xdm_relay::delivery::record::{encode, Destination, SpoolRecord};
    let edge = Edge::start(&[]);
    let spool = common::temp_dir("clock-spool");
    let now = clock::now();
    let two_days = 2 * 86_400_000;
    let mut bytes = Vec::new();
    for (i, wall_behind) in [(0, true), (1, false)] {
        let xdm = json!({"_id": format!("clk-{i}"), "timestamp": "2024-05-01T10:00:00Z", "eventType": "commerce.backofficeOrderPlaced",
            "identityMap": {"Email": [{"id": "a@b.c", "primary": true}]}});
        bytes.extend(encode(&SpoolRecord {
            id: format!("clk-{i}"),
            profile: false,
            dest: Destination { datastream_id: "ds".into(), dataset_id: None, sandbox: None },
            // The emitting host's clock was two days behind; the boot clock knows better.
            accepted_ms: now.wall_ms - two_days,
            accepted_boot: if wall_behind { now.boot } else { now.boot.map(|b| clock::BootStamp { boot: b.boot ^ 1, ..b }) },
            xdm: serde_json::value::RawValue::from_string(xdm.to_string()).unwrap(),
        }).unwrap());
    }
    std::fs::write(spool.join("99999-1-1.seg"), &bytes).unwrap();
    let (out, result) = run_emit(&edge, &spool, 1, "clk", &[("XR_FLUSH", "10"), ("XR_SETTINGS", r#"{"max_retry_age_s": 3600}"#)]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(result["flushed"], true);
    let counts = edge.id_counts();
    assert_eq!(counts.get("clk-0"), Some(&1), "same boot: its age is seconds, it is delivered");
    assert_eq!(counts.get("clk-1"), None, "another boot: the wall clock decides (two days > max_retry_age_s)");
    let dead = std::fs::read_to_string(spool.join("dead-letter.jsonl")).unwrap();
    assert!(dead.contains("clk-1") && dead.contains("max_retry_age_s") && !dead.contains("clk-0"), "{dead}");
}

/// A small tmpfs, unmounted when dropped: a real full disk (needs root, as CI has).
struct FullDisk(std::path::PathBuf);

impl FullDisk {
    fn mount(bytes: u64) -> FullDisk {
        let dir = common::temp_dir("full-disk");
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(&dir)
            .status()
            .expect("run mount");
        assert!(status.success(), "mounting a tmpfs needs root");
        FullDisk(dir)
    }
}

impl Drop for FullDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_with_the_edge_down_loses_nothing_uncounted() {
    let edge = Edge::start(&[]);
    let disk = FullDisk::mount(192 * 1024);
    let spool = disk.0.join("spool");
    edge.fault(json!({"kind": "status", "status": 503, "seconds": 3600.0}));
    // 2 400 orders (~5 MB of records) into 192 KiB, and the process exits with the Edge down.
    let (out, first) = run_emit(&edge, &spool, 2400, "disk", &[("XR_SETTINGS", r#"{"shutdown_timeout_ms": 0}"#)]);
    assert!(out.status.success(), "emit never throws for a full disk: {}", common::stderr(&out));
    assert_eq!(first["ids"], 2400);
    let dropped_at_emit = first["stats"]["dropped"].as_u64().unwrap();
    let stderr = common::stderr(&out);
    let lost_at_exit: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("xdm_relay: ")?.split_once(" event(s) held in memory only")?.0.parse().ok())
        .unwrap_or(0);
    assert!(dropped_at_emit + lost_at_exit > 0, "the disk was full, something had to give: {first} {stderr}");
    // The Edge returns; the next ordinary process adopts what the first one kept on disk.
    edge.clear_faults();
    let (out, next) = run_emit(&edge, &spool, 0, "next", &[("XR_FLUSH", "30")]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(next["flushed"], true, "{next}");
    let delivered = purchase_ids(&edge, "disk-").len() as u64;
    assert!(delivered > 0, "what fitted on disk was delivered");
    assert_eq!(
        delivered + dropped_at_emit + lost_at_exit,
        2400,
        "every event is delivered or counted: delivered {delivered}, dropped {dropped_at_emit}, lost at exit {lost_at_exit}; {first}"
    );
}
