//! The Edge Network client: request building, one keep-alive agent shared by the request
//! workers, the IMS OAuth server-to-server token, and `test_connection`. What an answer means
//! is decided in `policy`; every body is redacted before anything keeps it.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::value::RawValue;

use super::policy::{self, Final, Outcome};
use super::record::Destination;
use crate::mapping::DocumentKind;
use crate::settings::{OAuth, Settings};

/// Bytes a request adds around its events (`{"events":[...],"meta":...}`), an upper bound.
pub const REQUEST_OVERHEAD: usize = 256;
/// Bytes each event adds around its XDM (`{"xdm":},`).
pub const EVENT_OVERHEAD: usize = 10;
/// Error bodies are read up to this size (the excerpt needs far less).
const MAX_ERROR_BODY: u64 = 16 * 1024;

#[derive(Serialize)]
struct Body<'a> {
    events: Vec<EventEnvelope<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct EventEnvelope<'a> {
    xdm: &'a RawValue,
}

/// The dataset override (edge-api.md §2.4): profile records go to the profile dataset.
fn meta(dest: &Destination, kind: DocumentKind) -> Option<serde_json::Value> {
    let dataset = dest.dataset_id.as_ref()?;
    let slot = match kind {
        DocumentKind::ProfileRecord => "profile",
        _ => "event",
    };
    Some(serde_json::json!({
        "configOverrides": { "com_adobe_experience_platform": { "datasets": { slot: { "datasetId": dataset } } } }
    }))
}

pub fn request_body(dest: &Destination, kind: DocumentKind, events: &[&RawValue]) -> Result<Vec<u8>, Final> {
    let body = Body {
        events: events.iter().map(|xdm| EventEnvelope { xdm }).collect(),
        meta: meta(dest, kind),
    };
    serde_json::to_vec(&body).map_err(|e| Final::Encode(e.to_string()))
}

struct Token {
    value: String,
    refresh_at: Instant,
}

/// Shared by every worker of a process; survives a rebuild of the connection pool.
type TokenCache = Arc<Mutex<Option<Token>>>;

pub struct Client {
    agent: ureq::Agent,
    edge_url: String,
    org_id: Option<String>,
    auth: Option<OAuth>,
    token: TokenCache,
}

fn agent(settings: &Settings) -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_millis(settings.connect_timeout_ms))
        .timeout_read(Duration::from_millis(settings.read_timeout_ms))
        .timeout_write(Duration::from_millis(settings.read_timeout_ms))
        .timeout(Duration::from_millis(settings.request_timeout_ms))
        // One idle connection per request slot; the sender drops the whole pool when it goes
        // idle, so an idle process keeps none.
        .max_idle_connections_per_host(settings.max_concurrency)
        .redirects(0)
        .user_agent(concat!("xdm-relay/", env!("CARGO_PKG_VERSION")))
        .build()
}

impl Client {
    pub fn new(settings: &Settings) -> Client {
        Client {
            agent: agent(settings),
            edge_url: settings.edge_url.clone(),
            org_id: settings.org_id.clone(),
            auth: settings.auth.clone(),
            token: Arc::new(Mutex::new(None)),
        }
    }

    /// The same client with a fresh (empty) connection pool and the same token.
    pub fn without_connections(&self, settings: &Settings) -> Client {
        Client { agent: agent(settings), token: Arc::clone(&self.token), ..Client::new(settings) }
    }

    /// What must never be stored: the client secret and the current token.
    fn secrets(&self) -> Vec<String> {
        let mut s = Vec::new();
        if let Some(auth) = &self.auth {
            s.push(auth.client_secret.clone());
        }
        if let Ok(t) = self.token.lock() {
            if let Some(t) = t.as_ref() {
                s.push(t.value.clone());
            }
        }
        s
    }

    fn redact(&self, text: &str) -> String {
        let secrets = self.secrets();
        let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
        policy::redact(text, &refs)
    }

    /// The IMS access token, fetched when missing or near expiry (one worker fetches, the
    /// others wait for it rather than each asking IMS).
    fn bearer(&self, auth: &OAuth) -> Result<String, Outcome> {
        let mut cached = match self.token.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        if let Some(t) = cached.as_ref().filter(|t| Instant::now() < t.refresh_at) {
            return Ok(t.value.clone());
        }
        let token = self.fetch_token(auth)?;
        let value = token.value.clone();
        *cached = Some(token);
        Ok(value)
    }

    /// A token fetched now, for the admin's Platform API calls (`crate::platform`); `None`
    /// without OAuth credentials.
    pub fn fresh_token(&self) -> Option<Result<String, Outcome>> {
        self.auth.as_ref().map(|auth| self.fetch_token(auth).map(|t| t.value))
    }

    fn forget_token(&self) {
        if let Ok(mut t) = self.token.lock() {
            *t = None;
        }
    }

    fn fetch_token(&self, auth: &OAuth) -> Result<Token, Outcome> {
        let started = Instant::now();
        let response = self.agent.post(&auth.ims_url).send_form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &auth.client_id),
            ("client_secret", &auth.client_secret),
            ("scope", &auth.scopes),
        ]);
        match response {
            Ok(r) => {
                let parsed: serde_json::Value = serde_json::from_str(&read_body(r))
                    .map_err(|e| policy::classify_transport(true, &format!("IMS token response is not JSON: {e}")))?;
                let value = parsed["access_token"].as_str().unwrap_or_default().to_string();
                if value.is_empty() {
                    return Err(Outcome::Final(Final::TokenMissing));
                }
                let lifetime = Duration::from_secs(parsed["expires_in"].as_u64().unwrap_or(3600));
                // Refresh well before expiry: at 90% of the lifetime, and at least a minute
                // early when the lifetime allows it.
                let early = (lifetime / 10).max(Duration::from_secs(60)).min(lifetime / 2);
                Ok(Token { value, refresh_at: started + lifetime - early })
            }
            // Redacted with the secret alone: the caller holds the token lock (and there is no
            // token to hide yet).
            Err(ureq::Error::Status(status, r)) => Err(policy::classify_ims(status, &policy::redact(&read_error_body(r), &[&auth.client_secret]))),
            Err(ureq::Error::Transport(t)) => Err(Outcome::Retry {
                pause: policy::Pause::Failing,
                reason: policy::redact(&format!("IMS unreachable: {t}"), &[&auth.client_secret]),
            }),
        }
    }

    fn post(&self, dest: &Destination, body: &[u8]) -> Result<Result<ureq::Response, ureq::Error>, Outcome> {
        let url = format!("{}/ee/v2/collect", self.edge_url);
        let mut request = self.agent.post(&url).query("datastreamId", &dest.datastream_id).set("Content-Type", "application/json");
        if let Some(sandbox) = &dest.sandbox {
            request = request.set("x-sandbox-name", sandbox);
        }
        if let Some(auth) = &self.auth {
            let bearer = self.bearer(auth)?;
            request = request.set("Authorization", &format!("Bearer {bearer}")).set("x-api-key", &auth.client_id);
            if let Some(org) = &self.org_id {
                request = request.set("x-gw-ims-org-id", org);
            }
        }
        Ok(request.send_bytes(body))
    }

    /// Sends one batch; a token the Edge calls expired is replaced once.
    pub fn send(&self, dest: &Destination, body: &[u8]) -> Outcome {
        let mut outcome = self.send_once(dest, body);
        if outcome == Outcome::TokenExpired {
            self.forget_token();
            outcome = self.send_once(dest, body);
        }
        outcome
    }

    fn send_once(&self, dest: &Destination, body: &[u8]) -> Outcome {
        let result = match self.post(dest, body) {
            Ok(r) => r,
            Err(outcome) => return outcome,
        };
        match result {
            Ok(r) => {
                let status = r.status();
                // Read the body whole so that the connection can be reused.
                let text = read_body(r);
                policy::classify_edge(status, None, &self.redact(&text))
            }
            Err(ureq::Error::Status(status, r)) => {
                let retry_after = r.header("Retry-After").and_then(|v| policy::parse_retry_after(v, chrono::Utc::now()));
                policy::classify_edge(status, retry_after, &self.redact(&read_error_body(r)))
            }
            Err(ureq::Error::Transport(t)) => {
                let connected = !matches!(
                    t.kind(),
                    ureq::ErrorKind::Dns | ureq::ErrorKind::ConnectionFailed | ureq::ErrorKind::InvalidUrl | ureq::ErrorKind::UnknownScheme
                );
                policy::classify_transport(connected, &self.redact(&t.to_string()))
            }
        }
    }
}

fn read_body(r: ureq::Response) -> String {
    let mut text = String::new();
    let _ = r.into_reader().take(MAX_ERROR_BODY).read_to_string(&mut text);
    text
}

fn read_error_body(r: ureq::Response) -> String {
    read_body(r)
}

/// The admin "Test connection": one synchronous request with an empty event list. The Edge
/// checks the datastream and the credentials before the body, so a body complaint (400
/// EXEG-0101/0103/0104) means everything we can test is right. No event reaches a dataset.
pub fn test_connection(settings: &Settings, dest: &Destination) -> (bool, u16, String, f64) {
    let started = Instant::now();
    let client = Client::new(settings);
    let result = client.post(dest, br#"{"events":[]}"#);
    let latency = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Err(Outcome::Final(f)) => (false, f.status(), f.to_string(), latency),
        Err(Outcome::Retry { reason, .. }) => (false, 0, reason, latency),
        Err(other) => (false, 0, format!("{other:?}"), latency),
        Ok(Ok(r)) => (true, r.status(), "Edge accepted the request".to_string(), latency),
        Ok(Err(ureq::Error::Status(status, r))) => {
            let text = client.redact(&read_error_body(r));
            let problem = policy::excerpt(&text);
            let body_only = status == 400 && ["EXEG-0101", "EXEG-0103", "EXEG-0104"].iter().any(|c| text.contains(c));
            if body_only {
                (true, status, format!("datastream and credentials accepted ({problem})"), latency)
            } else {
                (false, status, problem, latency)
            }
        }
        Ok(Err(ureq::Error::Transport(t))) => (false, 0, client.redact(&format!("Edge unreachable: {t}")), latency),
    }
}
