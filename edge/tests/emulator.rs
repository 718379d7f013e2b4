//! xdm-relay-edge through its HTTP interface: every route, every validation error with its
//! status and EXEG code, every fault kind, token expiry, recording, concurrency, malformed
//! requests, shutdown, start-up errors, and the inspector page in headless Chromium.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Emu {
    child: Child,
    url: String,
    addr: String,
    data: PathBuf,
}

impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!("edge-test-{}-{}-{name}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn start(args: &[&str]) -> Emu {
    use std::io::BufRead;
    let data = temp("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_xdm-relay-edge"))
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .args(args)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap().to_string();
    let addr = url.trim_start_matches("http://").to_string();
    Emu { child, url, addr, data }
}

fn event(id: &str) -> Value {
    json!({"xdm": {"_id": id, "timestamp": "2024-05-01T10:00:00Z", "eventType": "commerce.backofficeOrderPlaced",
        "identityMap": {"Email": [{"id": "jane@example.com", "primary": true}]},
        "commerce": {"order": {"purchaseID": format!("order-{id}")}}}})
}

/// (status, headers, body) of one request; errors become status 0.
fn call(emu: &Emu, method: &str, path: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> (u16, Vec<(String, String)>, Value) {
    let url = format!("{}{path}", emu.url);
    let mut req = ureq::request(method, &url);
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let result = match body {
        Some(b) => req.send_bytes(b),
        None => req.call(),
    };
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(_) => return (0, Vec::new(), Value::Null),
    };
    let status = response.status();
    let hs = response.headers_names().iter().map(|n| (n.clone(), response.header(n).unwrap_or("").to_string())).collect();
    let text = response.into_string().unwrap_or_default();
    (status, hs, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn collect(emu: &Emu, ds: &str, body: &Value) -> (u16, Value) {
    let (s, _, b) = call(emu, "POST", &format!("/ee/v2/collect?datastreamId={ds}"), &[("Content-Type", "application/json")], Some(body.to_string().as_bytes()));
    (s, b)
}

fn code(body: &Value) -> String {
    body["type"].as_str().unwrap_or("").rsplit('/').next().unwrap_or("").to_string()
}

fn config_file(value: Value) -> PathBuf {
    let p = temp("cfg").join("edge.json");
    std::fs::write(&p, value.to_string()).unwrap();
    p
}

#[test]
fn collect_interact_hints_and_silent() {
    let emu = start(&[]);
    let (s, b) = collect(&emu, "ds1", &json!({"events": [event("a")]}));
    assert_eq!(s, 202);
    assert!(b["requestId"].as_str().unwrap().len() > 36);
    let (s, _, b) = call(&emu, "POST", "/ee/v2/collect?datastreamId=ds1&requestId=mine", &[("Content-Type", "application/json")], Some(json!({"events": [event("b")]}).to_string().as_bytes()));
    assert_eq!(s, 202);
    assert!(b["requestId"].as_str().unwrap().starts_with("mine-"), "{b}");
    let (s, _, _) = call(&emu, "POST", "/ee/v2/collect?datastreamId=ds1&silent=true", &[("Content-Type", "application/json")], Some(json!({"events": [event("c")]}).to_string().as_bytes()));
    assert_eq!(s, 204);
    let (s, _, b) = call(&emu, "POST", "/ee/v2/interact?datastreamId=ds1", &[("Content-Type", "application/json")], Some(json!({"event": event("d")}).to_string().as_bytes()));
    assert_eq!(s, 200);
    assert!(b["handle"].as_array().unwrap().len() >= 1);
    let (s, _, _) = call(&emu, "POST", "/ee/or2/v2/collect?datastreamId=ds1", &[("Content-Type", "application/json")], Some(json!({"events": [event("e")]}).to_string().as_bytes()));
    assert_eq!(s, 202, "location-hint path");
    let (_, _, events) = call(&emu, "GET", "/_emulator/events", &[], None);
    assert_eq!(events["total"], 5);
}

#[test]
fn validation_errors_in_edge_order_with_codes() {
    let cfg = config_file(json!({
        "datastreams": [{"id": "open"}, {"id": "off", "enabled": false}, {"id": "auth", "authenticated": true, "orgId": "ORG@AdobeOrg"}],
        "clients": [{"clientId": "c1", "clientSecret": "s1", "tokenLifetimeS": 1}]
    }));
    let emu = start(&["--config", cfg.to_str().unwrap()]);
    let good = json!({"events": [event("x")]}).to_string();
    let j = [("Content-Type", "application/json")];
    let cases: Vec<(&str, Vec<(&str, &str)>, Vec<u8>, u16, &str)> = vec![
        ("/ee/v2/collect", j.to_vec(), good.clone().into_bytes(), 400, "EXEG-0002-400"),
        ("/ee/v2/collect?datastreamId=nope", j.to_vec(), good.clone().into_bytes(), 400, "EXEG-0003-400"),
        ("/ee/v2/collect?datastreamId=off", j.to_vec(), good.clone().into_bytes(), 422, "EXEG-0004-422"),
        ("/ee/v2/collect?datastreamId=auth", j.to_vec(), good.clone().into_bytes(), 401, "EXEG-0500-401"),
        ("/ee/v2/collect?datastreamId=auth", vec![("Content-Type", "application/json"), ("Authorization", "Bearer bogus")], good.clone().into_bytes(), 401, "EXEG-0502-401"),
        ("/ee/v2/collect?datastreamId=open", vec![("Content-Type", "image/png")], good.clone().into_bytes(), 415, "EXEG-0111-415"),
        ("/ee/v2/collect?datastreamId=open", j.to_vec(), Vec::new(), 408, "EXEG-0109-408"),
        ("/ee/v2/collect?datastreamId=open", j.to_vec(), vec![b' '; 70_000], 413, "EXEG-0112-413"),
        ("/ee/v2/collect?datastreamId=open", j.to_vec(), b"{not json".to_vec(), 400, "EXEG-0101-400"),
        ("/ee/v2/collect?datastreamId=open", j.to_vec(), json!({"event": event("x")}).to_string().into_bytes(), 400, "EXEG-0103-400"),
        ("/ee/v2/interact?datastreamId=open", j.to_vec(), good.clone().into_bytes(), 400, "EXEG-0103-400"),
    ];
    for (path, headers, body, status, expected) in cases {
        let (s, h, b) = call(&emu, "POST", path, &headers, Some(&body));
        assert_eq!((s, code(&b).as_str()), (status, expected), "{path} {b}");
        assert!(h.iter().any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.contains("problem+json")), "{path}");
        assert!(b["report"]["requestId"].is_string());
    }
    // No primary / two primaries: 400 with the index of the offending event.
    let two = json!({"xdm": {"_id": "2", "identityMap": {"Email": [{"id": "a@b.c", "primary": true}], "ECID": [{"id": "1", "primary": true}]}}});
    let (s, b) = collect(&emu, "open", &json!({"events": [event("ok"), two]}));
    assert_eq!((s, code(&b).as_str()), (400, "EXEG-0306-400"));
    assert_eq!(b["report"]["eventIndex"], 1);

    // IMS: a token, then auth works; it expires (lifetime 1 s) → 0503; wrong secret → 401.
    let form = |secret: &str| format!("grant_type=client_credentials&client_id=c1&client_secret={secret}&scope=openid");
    let (s, _, tok) = call(&emu, "POST", "/ims/token/v3", &[("Content-Type", "application/x-www-form-urlencoded")], Some(form("s1").as_bytes()));
    assert_eq!(s, 200);
    assert_eq!(tok["expires_in"], 1);
    let token = format!("Bearer {}", tok["access_token"].as_str().unwrap());
    let auth = |org: &'static str| vec![("Content-Type", "application/json"), ("x-api-key", "c1"), ("x-gw-ims-org-id", org)];
    let mut h = auth("ORG@AdobeOrg");
    h.push(("Authorization", &token));
    let (s, _, _) = call(&emu, "POST", "/ee/v2/collect?datastreamId=auth", &h, Some(good.as_bytes()));
    assert_eq!(s, 202);
    let mut wrong_org = auth("OTHER@AdobeOrg");
    wrong_org.push(("Authorization", &token));
    let (s, _, b) = call(&emu, "POST", "/ee/v2/collect?datastreamId=auth", &wrong_org, Some(good.as_bytes()));
    assert_eq!((s, code(&b).as_str()), (401, "EXEG-0500-401"));
    std::thread::sleep(Duration::from_millis(1100));
    let (s, _, b) = call(&emu, "POST", "/ee/v2/collect?datastreamId=auth", &h, Some(good.as_bytes()));
    assert_eq!((s, code(&b).as_str()), (401, "EXEG-0503-401"), "token expired");
    let (s, _, b) = call(&emu, "POST", "/ims/token/v3", &[("Content-Type", "application/x-www-form-urlencoded")], Some(form("nope").as_bytes()));
    assert_eq!((s, b["error"].as_str()), (401, Some("invalid_client")));
    let (s, _, b) = call(&emu, "POST", "/ims/token/v3", &[], Some(b"grant_type=password"));
    assert_eq!((s, b["error"].as_str()), (400, Some("unsupported_grant_type")));
}

#[test]
fn every_fault_kind() {
    let emu = start(&[]);
    let add = |f: Value| {
        let (s, _, _) = call(&emu, "POST", "/_emulator/faults", &[], Some(f.to_string().as_bytes()));
        assert_eq!(s, 201);
    };
    for status in [429u16, 500, 502, 503, 504] {
        add(json!({"kind": "status", "status": status, "retryAfter": 3, "count": 1}));
        let (s, h, _) = call(&emu, "POST", "/ee/v2/collect?datastreamId=d", &[("Content-Type", "application/json")], Some(json!({"events": [event("f")]}).to_string().as_bytes()));
        assert_eq!(s, status);
        assert!(h.iter().any(|(k, v)| k.eq_ignore_ascii_case("retry-after") && v == "3"));
    }
    add(json!({"kind": "status", "status": 503, "retryAfter": 5, "retryAfterHttpDate": true, "count": 1}));
    let (_, h, _) = call(&emu, "POST", "/ee/v2/collect?datastreamId=d", &[("Content-Type", "application/json")], Some(json!({"events": [event("g")]}).to_string().as_bytes()));
    assert!(h.iter().any(|(k, v)| k.eq_ignore_ascii_case("retry-after") && v.ends_with("GMT")), "{h:?}");
    add(json!({"kind": "status", "status": 207, "count": 1}));
    let (s, b) = collect(&emu, "d", &json!({"events": [event("h")]}));
    assert_eq!(s, 207);
    assert!(b["errors"][0]["type"].as_str().unwrap().contains("EXEG-0201-503"));
    // A window: every request fails for 1 s, then none.
    add(json!({"kind": "status", "status": 503, "seconds": 1.0, "datastreamId": "windowed"}));
    assert_eq!(collect(&emu, "windowed", &json!({"events": [event("i")]})).0, 503);
    assert_eq!(collect(&emu, "other", &json!({"events": [event("j")]})).0, 202, "per datastream");
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(collect(&emu, "windowed", &json!({"events": [event("k")]})).0, 202);
    // Latency and timeout.
    add(json!({"kind": "latency", "ms": 300, "count": 1}));
    let t = Instant::now();
    assert_eq!(collect(&emu, "d", &json!({"events": [event("l")]})).0, 202);
    assert!(t.elapsed() >= Duration::from_millis(300));
    add(json!({"kind": "timeout", "ms": 500, "count": 1}));
    let t = Instant::now();
    assert_eq!(collect(&emu, "d", &json!({"events": [event("m")]})).0, 0, "no answer");
    assert!(t.elapsed() >= Duration::from_millis(500));
    // Reset after the body was read: the event is recorded, the response lost.
    add(json!({"kind": "reset", "count": 1}));
    assert_eq!(collect(&emu, "d", &json!({"events": [event("n")]})).0, 0);
    let (_, _, events) = call(&emu, "GET", "/_emulator/events", &[], None);
    assert!(events["events"].as_array().unwrap().iter().any(|e| e["xdm"]["_id"] == "n"), "landed before the reset");
    // Token bucket: 2 units of burst, slow refill.
    add(json!({"kind": "rateLimit", "unitsPerSecond": 0.5, "burst": 2.0, "datastreamId": "rl"}));
    let statuses: Vec<u16> = (0..4).map(|i| collect(&emu, "rl", &json!({"events": [event(&format!("rl{i}"))]})).0).collect();
    assert_eq!(statuses, [202, 202, 429, 429]);
    let (_, _, list) = call(&emu, "GET", "/_emulator/faults", &[], None);
    assert_eq!(list["faults"].as_array().unwrap().len(), 1, "expired faults are gone: {list}");
    let (s, _, _) = call(&emu, "DELETE", "/_emulator/faults", &[], None);
    assert_eq!(s, 200);
    assert_eq!(collect(&emu, "rl", &json!({"events": [event("rl9")]})).0, 202);
    let (s, _, b) = call(&emu, "POST", "/_emulator/faults", &[], Some(b"{\"kind\":\"explode\"}"));
    assert_eq!(s, 400, "{b}");
}

#[test]
fn recording_query_duplicates_and_reset() {
    let emu = start(&[]);
    collect(&emu, "a", &json!({"events": [event("1"), event("2")]}));
    collect(&emu, "b", &json!({"events": [event("1")]}));
    let mut profile = event("p");
    profile["xdm"].as_object_mut().unwrap().remove("eventType");
    collect(&emu, "b", &json!({"events": [profile]}));
    let (_, _, all) = call(&emu, "GET", "/_emulator/events", &[], None);
    assert_eq!(all["total"], 4);
    let (_, _, by_ds) = call(&emu, "GET", "/_emulator/events?datastreamId=a", &[], None);
    assert_eq!(by_ds["total"], 2);
    let (_, _, by_type) = call(&emu, "GET", "/_emulator/events?eventType=commerce.backofficeOrderPlaced", &[], None);
    assert_eq!(by_type["total"], 3);
    let (_, _, later) = call(&emu, "GET", "/_emulator/events?since=2999-01-01T00:00:00Z", &[], None);
    assert_eq!(later["total"], 0);
    let dup = all["events"].as_array().unwrap().iter().filter(|e| e["duplicate"] == true).count();
    assert_eq!(dup, 1, "the second _id 1 is flagged, not dropped");
    let (_, _, stats) = call(&emu, "GET", "/_emulator/stats", &[], None);
    assert_eq!(stats["eventsAccepted"], 4);
    assert_eq!(stats["duplicates"], 1);
    assert_eq!(stats["requestsByStatus"]["202"], 3);
    let jsonl = std::fs::read_to_string(emu.data.join("events.jsonl")).unwrap();
    assert_eq!(jsonl.lines().count(), 4);
    let first: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["datastreamId"], "a");
    assert!(first["requestId"].is_string() && first["receivedAt"].is_string() && first["headers"]["content-type"].is_string());
    let (s, _, _) = call(&emu, "DELETE", "/_emulator/events", &[], None);
    assert_eq!(s, 200);
    let (_, _, stats) = call(&emu, "GET", "/_emulator/stats", &[], None);
    assert_eq!(stats["eventsAccepted"], 0);
}

#[test]
fn strict_xdm_reports_schema_failures_like_the_edge() {
    let emu = start(&["--strict-xdm", "--xdm-schemas", std::env::var("XDM_RELAY_SHARED").map(|s| format!("{s}/xdm")).unwrap_or_else(|_| "../shared/xdm".to_string()).as_str()]);
    assert_eq!(collect(&emu, "d", &json!({"events": [event("valid")]})).0, 202);
    let mut bad = event("bad");
    bad["xdm"]["commerce"]["order"]["currencyCode"] = json!("usd");
    bad["xdm"]["commerce"]["order"]["refunds"] = json!([{"refundPaymentType": "checkmo"}]);
    let (s, b) = collect(&emu, "d", &json!({"events": [event("fine"), bad]}));
    assert_eq!((s, code(&b).as_str()), (400, "EXEG-0102-400"), "{b}");
    assert_eq!(b["report"]["eventIndex"], 1);
    let errors = b["report"]["errors"].to_string();
    assert!(errors.contains("currencyCode") && errors.contains("refundPaymentType"), "{errors}");
    let (_, _, stats) = call(&emu, "GET", "/_emulator/stats", &[], None);
    assert_eq!(stats["invalidXdm"], 1);
}

#[test]
fn thirty_two_concurrent_clients() {
    let emu = start(&[]);
    let url = emu.url.clone();
    let threads: Vec<_> = (0..32)
        .map(|t| {
            let url = url.clone();
            std::thread::spawn(move || {
                let agent = ureq::agent();
                for i in 0..20 {
                    let body = json!({"events": [event(&format!("{t}-{i}"))]}).to_string();
                    let r = agent.post(&format!("{url}/ee/v2/collect?datastreamId=c")).set("Content-Type", "application/json").send_string(&body);
                    assert_eq!(r.map(|r| r.status()).unwrap_or(0), 202);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let (_, _, stats) = call(&emu, "GET", "/_emulator/stats", &[], None);
    assert_eq!(stats["eventsAccepted"], 640);
}

fn raw(emu: &Emu, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(&emu.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    let _ = s.write_all(bytes);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn malformed_requests_get_errors_or_a_closed_connection_and_the_emulator_keeps_serving() {
    let emu = start(&[]);
    assert!(raw(&emu, b"\x00\xff\xfe garbage\r\n\r\n").starts_with("HTTP/1.1 400"));
    let invalid_utf8 = b"POST /ee/v2/collect?datastreamId=d HTTP/1.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n\xff\xfe\xfd\xfc";
    assert!(raw(&emu, invalid_utf8).contains("EXEG-0101-400"));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_req = format!("POST /ee/v2/collect?datastreamId=d HTTP/1.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{deep}", deep.len());
    let answer = raw(&emu, deep_req.as_bytes());
    assert!(answer.contains("413") || answer.contains("EXEG-0101"), "{}", &answer[..answer.len().min(200)]);
    let nested = format!("{}{}", "[".repeat(30_000), "]".repeat(30_000));
    let nested_req = format!("POST /ee/v2/collect?datastreamId=d HTTP/1.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{nested}", nested.len());
    assert!(raw(&emu, nested_req.as_bytes()).contains("EXEG-0101-400"), "deep nesting is invalid JSON, not a crash");
    // 100 MB declared: refused without reading it.
    let t = Instant::now();
    let big = raw(&emu, b"POST /ee/v2/collect?datastreamId=d HTTP/1.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n{");
    assert!(big.contains("413"), "{big}");
    assert!(t.elapsed() < Duration::from_secs(5));
    let huge_headers = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(40_000));
    assert!(raw(&emu, huge_headers.as_bytes()).starts_with("HTTP/1.1 431"));
    // Slowloris: a client that never finishes its headers holds one connection, not the server.
    let mut slow = TcpStream::connect(&emu.addr).unwrap();
    slow.write_all(b"POST /ee/v2/collect HTTP/1.1\r\nX-Slow: ").unwrap();
    assert_eq!(collect(&emu, "d", &json!({"events": [event("still")]})).0, 202, "others are still served");
    drop(slow);
    let (s, _, _) = call(&emu, "GET", "/_emulator/stats", &[], None);
    assert_eq!(s, 200);
}

#[test]
fn sigterm_keeps_the_jsonl_tail_and_startup_errors_are_clear() {
    let mut emu = start(&[]);
    for i in 0..50 {
        collect(&emu, "d", &json!({"events": [event(&format!("t{i}"))]}));
    }
    unsafe {
        libc::kill(emu.child.id() as i32, libc::SIGTERM);
    }
    let status = emu.child.wait().unwrap();
    assert!(status.success(), "graceful exit: {status:?}");
    assert_eq!(std::fs::read_to_string(emu.data.join("events.jsonl")).unwrap().lines().count(), 50);

    let taken = start(&[]);
    let out = Command::new(env!("CARGO_BIN_EXE_xdm-relay-edge")).args(["--listen", &taken.addr, "--data"]).arg(temp("d2")).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("is the port taken"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new(env!("CARGO_BIN_EXE_xdm-relay-edge")).args(["--listen", "127.0.0.1:0", "--data", "/proc/nope"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("data directory"));
    let out = Command::new(env!("CARGO_BIN_EXE_xdm-relay-edge")).args(["--listen", "0.0.0.0:0"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--public"));
    let out = Command::new(env!("CARGO_BIN_EXE_xdm-relay-edge")).arg("--help").output().unwrap();
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("--strict-xdm"));
}

#[test]
fn the_inspector_page_shows_an_event_just_posted_in_headless_chromium() {
    let emu = start(&[]);
    collect(&emu, "d", &json!({"events": [event("inspected")]}));
    let profile = temp("chromium");
    let out = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--virtual-time-budget=5000", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("{}/", emu.url))
        .output()
        .expect("chromium is installed by scripts/setup.sh");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("order-inspected"), "the page lists the order number: {}", &dom[..dom.len().min(2000)]);
    assert!(dom.contains("commerce.backofficeOrderPlaced"));
    assert!(dom.contains("1 events accepted"));
}
