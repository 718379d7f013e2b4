//! The emulated Edge Network and IMS: routes, validation in the Edge's order with its codes,
//! fault injection, recording and the control API.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::config::{Client, Config};
use crate::faults::{self, Fault, FaultSpec};
use crate::http::{parse_query, percent_decode, Action, Request, Response};
use crate::platform::{self, Library, PlatformConfig};
use crate::strict::StrictChecker;

/// The Edge refuses bodies over 64 KiB.
pub const EDGE_MAX_BODY: usize = 65_536;
/// Recent events kept in memory for queries and the inspector (the JSONL file has all).
const KEEP_EVENTS: usize = 10_000;
/// Duplicate `_id`s are detected among this many most recent ids, so memory stays bounded on a
/// staging emulator that runs for months.
const KEEP_IDS: usize = 1_000_000;
const INSPECTOR: &str = include_str!("inspector.html");

struct Store {
    events: VecDeque<Value>,
    seen_ids: HashSet<String>,
    seen_order: VecDeque<String>,
    jsonl: File,
    by_status: BTreeMap<u16, u64>,
    accepted: u64,
    duplicates: u64,
    invalid_xdm: u64,
    faults_injected: u64,
    requests: u64,
}

pub struct App {
    config: Config,
    clients: HashMap<String, Client>,
    tokens: Mutex<HashMap<String, (String, Instant)>>,
    faults: Mutex<Vec<Fault>>,
    fault_seq: AtomicU64,
    store: Mutex<Store>,
    strict: Option<Mutex<StrictChecker>>,
    platform: Mutex<PlatformConfig>,
    library: Library,
    pub jsonl_path: PathBuf,
}

fn problem(status: u16, code: &str, title: &str, detail: &str, report: Value) -> Response {
    Response::problem(
        status,
        &json!({
            "type": format!("https://ns.adobe.com/aep/errors/EXEG-{code}-{status}"),
            "status": status,
            "title": title,
            "detail": detail,
            "report": report,
        }),
    )
}

fn request_id(req: &Request) -> String {
    let base = req.query("requestId").map(str::to_string).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let suffix: String = uuid::Uuid::new_v4().simple().to_string().chars().take(16).collect();
    format!("{base}-{suffix}")
}

fn http_date(after: Duration) -> String {
    (chrono::Utc::now() + chrono::Duration::from_std(after).unwrap_or_default())
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

impl App {
    pub fn new(config: Config, data_dir: PathBuf, strict: Option<StrictChecker>) -> Result<App, String> {
        std::fs::create_dir_all(&data_dir).map_err(|e| format!("cannot create data directory {}: {e}", data_dir.display()))?;
        let jsonl_path = data_dir.join("events.jsonl");
        let jsonl = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&jsonl_path)
            .map_err(|e| format!("data directory {} is not writable: {e}", data_dir.display()))?;
        let faults = config.faults.iter().cloned().enumerate().map(|(i, f)| Fault::new(f, i as u64 + 1)).collect::<Vec<_>>();
        Ok(App {
            clients: config.clients(),
            fault_seq: AtomicU64::new(faults.len() as u64 + 1),
            faults: Mutex::new(faults),
            tokens: Mutex::new(HashMap::new()),
            store: Mutex::new(Store {
                events: VecDeque::new(),
                seen_ids: HashSet::new(),
                seen_order: VecDeque::new(),
                jsonl,
                by_status: BTreeMap::new(),
                accepted: 0,
                duplicates: 0,
                invalid_xdm: 0,
                faults_injected: 0,
                requests: 0,
            }),
            strict: strict.map(Mutex::new),
            platform: Mutex::new(config.platform.clone()),
            library: Library::load(std::path::Path::new("")),
            config,
            jsonl_path,
        })
    }

    /// The XDM schemas the Platform APIs' dataset schemas are built from.
    pub fn with_library(mut self, library: Library) -> App {
        self.library = library;
        self
    }

    fn platform_config(&self) -> std::sync::MutexGuard<'_, PlatformConfig> {
        self.platform.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The Catalog Service and Schema Registry routes, behind the documented header checks.
    fn platform(&self, req: &Request, route: &[&str]) -> Response {
        let config = self.platform_config().clone();
        let bearer = req.header("Authorization").and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
        let client = bearer.and_then(|token| {
            let tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
            tokens.get(token).filter(|(_, expires)| Instant::now() < *expires).map(|(client, _)| client.clone())
        });
        let (org, sandbox) = (req.header("x-gw-ims-org-id"), req.header("x-sandbox-name"));
        if let Some((status, body)) = platform::check_headers(&config, bearer, client.as_deref(), req.header("x-api-key"), org, sandbox) {
            return Response::json(status, &body);
        }
        let sandbox = sandbox.unwrap_or("prod");
        let (status, body) = match route {
            ["catalog", "dataSets", id] => platform::dataset(&config, sandbox, &percent_decode(id, false)),
            ["schemaregistry", "stats"] => platform::stats(&config, org.unwrap_or_default()),
            ["schemaregistry", "tenant", "schemas", id] => {
                platform::schema(&self.library, &config, sandbox, &percent_decode(id, false), req.header("Accept").unwrap_or(""))
            }
            _ => (404, json!({"type": "/placeholder/type/uri", "status": 404, "title": "NotFoundError", "detail": "no such Platform API route in the emulator"})),
        };
        Response::json(status, &body)
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for any recording in progress; used before exiting on SIGTERM.
    pub fn quiesce(&self) {
        let mut s = self.store();
        let _ = s.jsonl.flush();
        let _ = s.jsonl.sync_data();
    }

    pub fn handle(&self, req: &Request) -> Action {
        let action = self.route(req);
        if let Action::Respond(r) = &action {
            if req.path.starts_with("/ee/") || req.path.starts_with("/ims/") {
                let mut s = self.store();
                s.requests += 1;
                *s.by_status.entry(r.status).or_default() += 1;
            }
        }
        action
    }

    fn route(&self, req: &Request) -> Action {
        let path = req.path.as_str();
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        match (req.method.as_str(), segments.as_slice()) {
            ("GET", [""]) => Action::Respond(Response::html(INSPECTOR)),
            ("POST", ["ee", "v2", endpoint]) | ("POST", ["ee", _, "v2", endpoint]) if *endpoint == "collect" || *endpoint == "interact" => {
                self.edge(req, endpoint == &"interact")
            }
            ("POST", ["ims", "token", "v3"]) => Action::Respond(self.ims(req)),
            ("GET", ["_emulator", "events"]) => Action::Respond(self.events(req)),
            ("DELETE", ["_emulator", "events"]) => Action::Respond(self.reset()),
            ("GET", ["_emulator", "stats"]) => Action::Respond(self.stats()),
            ("GET", ["_emulator", "faults"]) => {
                let faults = self.faults.lock().unwrap_or_else(|p| p.into_inner());
                Action::Respond(Response::json(200, &json!({"faults": faults.iter().filter(|f| !f.expired()).map(Fault::view).collect::<Vec<_>>()})))
            }
            ("POST", ["_emulator", "faults"]) => Action::Respond(self.add_fault(req)),
            ("POST", ["_emulator", "tokens", "expire"]) => {
                // Expires every issued token now: the next request gets 401 EXEG-0503.
                let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                for (_, expires) in tokens.values_mut() {
                    *expires = now;
                }
                Action::Respond(Response::json(200, &json!({"expired": tokens.len()})))
            }
            ("GET", ["data", "foundation", route @ ..]) => Action::Respond(self.platform(req, route)),
            ("GET", ["_emulator", "platform"]) => Action::Respond(Response::json(200, &json!(*self.platform_config()))),
            ("PUT", ["_emulator", "platform"]) => {
                let patch: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
                let mut config = self.platform_config();
                match config.update(&patch) {
                    Ok(()) => Action::Respond(Response::json(200, &json!(*config))),
                    Err(e) => Action::Respond(Response::json(400, &json!({"error": e}))),
                }
            }
            ("DELETE", ["_emulator", "faults"]) => {
                self.faults.lock().unwrap_or_else(|p| p.into_inner()).clear();
                Action::Respond(Response::json(200, &json!({"faults": []})))
            }
            (_, ["ee", ..]) => Action::Respond(problem(404, "0000", "Not found", "No such Edge Network route", json!({}))),
            _ => Action::Respond(Response::json(404, &json!({"error": "not found", "path": path}))),
        }
    }

    fn add_fault(&self, req: &Request) -> Response {
        let specs: Vec<FaultSpec> = match serde_json::from_slice::<Value>(&req.body) {
            Ok(Value::Array(items)) => match items.into_iter().map(serde_json::from_value).collect::<Result<Vec<_>, _>>() {
                Ok(v) => v,
                Err(e) => return Response::json(400, &json!({"error": format!("bad fault: {e}")})),
            },
            Ok(v) => match serde_json::from_value(v) {
                Ok(f) => vec![f],
                Err(e) => return Response::json(400, &json!({"error": format!("bad fault: {e}")})),
            },
            Err(e) => return Response::json(400, &json!({"error": format!("not JSON: {e}")})),
        };
        let mut faults = self.faults.lock().unwrap_or_else(|p| p.into_inner());
        let mut ids = Vec::new();
        for spec in specs {
            let id = self.fault_seq.fetch_add(1, Ordering::Relaxed);
            ids.push(id);
            faults.push(Fault::new(spec, id));
        }
        Response::json(201, &json!({"ids": ids}))
    }

    fn ims(&self, req: &Request) -> Response {
        let form: HashMap<String, String> = parse_query(&String::from_utf8_lossy(&req.body)).into_iter().collect();
        if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
            return Response::json(400, &json!({"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"}));
        }
        let (id, secret) = (form.get("client_id").cloned().unwrap_or_default(), form.get("client_secret").cloned().unwrap_or_default());
        let lifetime = if self.clients.is_empty() {
            if id.is_empty() || secret.is_empty() {
                return Response::json(401, &json!({"error": "invalid_client", "error_description": "client_id and client_secret are required"}));
            }
            86_399
        } else {
            match self.clients.get(&id) {
                Some(c) if c.client_secret == secret => c.token_lifetime_s,
                _ => return Response::json(401, &json!({"error": "invalid_client", "error_description": "unknown client_id or wrong client_secret"})),
            }
        };
        let token = format!("eyJ{}", uuid::Uuid::new_v4().simple());
        self.tokens
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(token.clone(), (id, Instant::now() + Duration::from_secs(lifetime)));
        Response::json(200, &json!({"access_token": token, "token_type": "bearer", "expires_in": lifetime}))
    }

    /// Validation in the Edge's order (edge-api.md §8), then faults, then recording.
    fn edge(&self, req: &Request, interact: bool) -> Action {
        let rid = request_id(req);
        let report = json!({"requestId": rid});
        let Some(ds_id) = req.query("datastreamId").or(req.query("dataStreamId")).or(req.query("configId")).filter(|s| !s.is_empty()) else {
            return Action::Respond(problem(400, "0002", "Missing datastream ID", "The datastreamId query parameter is required.", report));
        };
        let datastream = self.config.datastream(ds_id);
        if !self.config.datastreams.is_empty() {
            match datastream {
                None => return Action::Respond(problem(400, "0003", "Invalid datastream ID", &format!("The datastream ID '{ds_id}' referenced in your request does not exist."), report)),
                Some(d) if !d.enabled => return Action::Respond(problem(422, "0004", "Datastream disabled", &format!("The datastream '{ds_id}' is disabled."), report)),
                _ => {}
            }
        }
        if let Some(d) = datastream.filter(|d| d.authenticated) {
            if let Some(r) = self.check_auth(req, d.org_id.as_deref(), &report) {
                return Action::Respond(r);
            }
        }
        let content_type = req.header("Content-Type").unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if !["application/json", "text/plain", "application/x-jackson-smile", "text/javascript"].contains(&content_type.as_str()) {
            return Action::Respond(problem(415, "0111", "Unsupported content type", &format!("Content type '{content_type}' is not supported."), report));
        }
        if req.body_too_large || req.body.len() > EDGE_MAX_BODY {
            return Action::Respond(problem(413, "0112", "Payload too large", &format!("The request body exceeds the maximum size of {EDGE_MAX_BODY} bytes."), report));
        }
        if req.body.is_empty() {
            return Action::Respond(problem(408, "0109", "Empty request", "The request body is empty.", report));
        }
        let body: Value = match serde_json::from_slice(&req.body) {
            Ok(v) => v,
            Err(e) => return Action::Respond(problem(400, "0101", "Invalid JSON", &format!("The request body is not valid JSON: {e}"), report)),
        };
        let events: Vec<&Value> = if interact {
            match body.get("event") {
                Some(e) if e.is_object() => vec![e],
                _ => return Action::Respond(problem(400, "0103", "Required field missing", "The field 'event' is mandatory.", report)),
            }
        } else {
            match body.get("events").and_then(Value::as_array) {
                Some(list) => list.iter().collect(),
                None => return Action::Respond(problem(400, "0103", "Required field missing", "The field 'events' is mandatory.", report)),
            }
        };
        if !interact && events.is_empty() {
            return Action::Respond(problem(400, "0103", "Required field missing", "The field 'events' must hold at least one event.", report));
        }
        for (i, event) in events.iter().enumerate() {
            let primaries = event["xdm"]["identityMap"]
                .as_object()
                .map(|m| m.values().filter_map(Value::as_array).flatten().filter(|id| id["primary"] == true).count())
                .unwrap_or(0);
            if primaries != 1 {
                return Action::Respond(problem(
                    400,
                    "0306",
                    "Primary identity missing",
                    &format!("Event {i} must have exactly one identity marked primary in xdm.identityMap; found {primaries}."),
                    json!({"requestId": rid, "eventIndex": i}),
                ));
            }
        }
        if let Some(strict) = &self.strict {
            let mut checker = strict.lock().unwrap_or_else(|p| p.into_inner());
            for (i, event) in events.iter().enumerate() {
                let problems = checker.check(&event["xdm"]);
                if !problems.is_empty() {
                    self.store().invalid_xdm += 1;
                    return Action::Respond(problem(
                        400,
                        "0102",
                        "Field does not match the schema",
                        &format!("Event {i} does not match the XDM schema: {}", problems.join("; ")),
                        json!({"requestId": rid, "eventIndex": i, "errors": problems}),
                    ));
                }
            }
        }
        let units = (req.body.len() as f64 / 8192.0).ceil().max(1.0);
        let hit = {
            let mut faults = self.faults.lock().unwrap_or_else(|p| p.into_inner());
            faults::hit(&mut faults, ds_id, units)
        };
        if hit.any() {
            self.store().faults_injected += 1;
        }
        if let Some(d) = hit.latency {
            std::thread::sleep(d);
        }
        if let Some(d) = hit.timeout {
            return Action::Hang(d);
        }
        if hit.rate_limited {
            return Action::Respond(problem(429, "0000", "Too many requests", "Request units per second exceeded.", report).with_header("Retry-After", "1".to_string()));
        }
        if let Some((status, retry_after, as_date)) = hit.status {
            if status != 207 {
                let mut r = problem(status, &format!("{:04}", if status == 429 { 0 } else { 201 }), "Injected fault", "The emulator was told to fail this request.", report);
                if let Some(secs) = retry_after {
                    let value = if as_date { http_date(Duration::from_secs(secs)) } else { secs.to_string() };
                    r = r.with_header("Retry-After", value);
                }
                return Action::Respond(r);
            }
        }
        self.record(req, &rid, ds_id, &events);
        if hit.hang {
            return Action::Hold;
        }
        if hit.reset {
            return Action::Reset;
        }
        if let Some((207, _, _)) = hit.status {
            return Action::Respond(Response::json(207, &json!({
                "requestId": rid, "handle": [],
                "errors": [{"type": "https://ns.adobe.com/aep/errors/EXEG-0201-503", "status": 503, "title": "The 'com.adobe.experience.platform.ode' service is temporarily unable to serve this request. Please try again later."}]
            })));
        }
        if interact {
            return Action::Respond(Response::json(200, &json!({
                "requestId": rid,
                "handle": [
                    {"type": "locationHint:result", "payload": [{"scope": "EdgeNetwork", "hint": "emu1", "ttlSeconds": 1800}]},
                    {"type": "state:store", "payload": [{"key": "kndctr_emulator_cluster", "value": "emu1", "maxAge": 1800}]}
                ]
            })));
        }
        if req.query("silent") == Some("true") {
            return Action::Respond(Response::empty(204));
        }
        Action::Respond(Response::json(202, &json!({"requestId": rid})))
    }

    fn check_auth(&self, req: &Request, org: Option<&str>, report: &Value) -> Option<Response> {
        let unauthorized = |code: &str, title: &str| Some(problem(401, code, title, title, report.clone()));
        let Some(token) = req.header("Authorization").and_then(|v| v.strip_prefix("Bearer ")).map(str::trim) else {
            return unauthorized("0500", "Authorization header missing or not a Bearer token");
        };
        let known = self.tokens.lock().unwrap_or_else(|p| p.into_inner()).get(token).cloned();
        let Some((client, expires)) = known else {
            return unauthorized("0502", "Invalid token");
        };
        if Instant::now() >= expires {
            return unauthorized("0503", "Token expired");
        }
        match req.header("x-api-key") {
            Some(k) if k == client => {}
            _ => return unauthorized("0500", "x-api-key header missing or not the token's client id"),
        }
        match (req.header("x-gw-ims-org-id"), org) {
            (None, _) => unauthorized("0500", "x-gw-ims-org-id header missing"),
            (Some(h), Some(o)) if h != o => unauthorized("0500", "x-gw-ims-org-id does not match the datastream's organization"),
            _ => None,
        }
    }

    fn record(&self, req: &Request, rid: &str, ds: &str, events: &[&Value]) {
        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let headers: serde_json::Map<String, Value> = req
            .headers
            .iter()
            .filter(|(k, _)| ["content-type", "user-agent", "x-api-key", "x-gw-ims-org-id", "x-sandbox-name"].contains(&k.to_ascii_lowercase().as_str()))
            .map(|(k, v)| (k.to_ascii_lowercase(), Value::String(v.clone())))
            .collect();
        let mut store = self.store();
        for event in events {
            let id = event["xdm"]["_id"].as_str().unwrap_or("").to_string();
            let duplicate = !id.is_empty() && !store.seen_ids.insert(id.clone());
            if duplicate {
                store.duplicates += 1;
            } else if !id.is_empty() {
                store.seen_order.push_back(id);
                if store.seen_order.len() > KEEP_IDS {
                    if let Some(oldest) = store.seen_order.pop_front() {
                        store.seen_ids.remove(&oldest);
                    }
                }
            }
            store.accepted += 1;
            let entry = json!({
                "requestId": rid,
                "datastreamId": ds,
                "receivedAt": at,
                "duplicate": duplicate,
                "headers": headers,
                "meta": event.get("meta").cloned().unwrap_or(Value::Null),
                "xdm": event["xdm"],
            });
            let mut line = entry.to_string();
            line.push('\n');
            let _ = store.jsonl.write_all(line.as_bytes());
            store.events.push_back(entry);
            if store.events.len() > KEEP_EVENTS {
                store.events.pop_front();
            }
        }
    }

    fn events(&self, req: &Request) -> Response {
        let since = req.query("since").map(str::to_string).unwrap_or_default();
        let limit: usize = req.query("limit").and_then(|l| l.parse().ok()).unwrap_or(KEEP_EVENTS);
        let store = self.store();
        let matching: Vec<&Value> = store
            .events
            .iter()
            .filter(|e| req.query("datastreamId").is_none_or(|d| e["datastreamId"] == d))
            .filter(|e| req.query("eventType").is_none_or(|t| e["xdm"]["eventType"] == t))
            .filter(|e| since.is_empty() || e["receivedAt"].as_str().unwrap_or("") > since.as_str())
            .collect();
        let start = matching.len().saturating_sub(limit);
        Response::json(200, &json!({"total": matching.len(), "events": matching[start..]}))
    }

    fn reset(&self) -> Response {
        let mut s = self.store();
        s.events.clear();
        s.seen_ids.clear();
        s.seen_order.clear();
        s.by_status.clear();
        s.accepted = 0;
        s.duplicates = 0;
        s.invalid_xdm = 0;
        s.faults_injected = 0;
        s.requests = 0;
        let _ = s.jsonl.set_len(0);
        Response::json(200, &json!({"reset": true}))
    }

    fn stats(&self) -> Response {
        let s = self.store();
        let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
        for e in &s.events {
            let t = e["xdm"]["eventType"].as_str().unwrap_or("(profile record)").to_string();
            *by_type.entry(t).or_default() += 1;
        }
        Response::json(200, &json!({
            "requests": s.requests,
            "requestsByStatus": s.by_status.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "eventsAccepted": s.accepted,
            "duplicates": s.duplicates,
            "invalidXdm": s.invalid_xdm,
            "faultsInjected": s.faults_injected,
            "eventsByType": by_type,
        }))
    }
}
