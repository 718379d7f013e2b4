//! The Edge Network client: one keep-alive agent, request building, response classification
//! (edge-api.md §4), and the IMS OAuth server-to-server token.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::value::RawValue;

use super::record::Destination;
use super::retry;
use crate::settings::{OAuth, Settings};

/// What a response means for the events of the batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Accepted (202/204/200; a 207 was accepted with upstream warnings, never resent).
    Delivered { warning: Option<String> },
    /// Try again later (429, 502, 503, 504, 507, timeouts, transport errors).
    Retry { after: Option<Duration>, reason: String },
    /// 413: the batch is too large; send its halves.
    Split,
    /// 401 EXEG-0503: the token expired; fetch a new one and resend.
    TokenExpired,
    /// Any other answer: not retryable; the events go to the dead-letter file.
    Final { status: u16, reason: String },
}

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

/// Bytes a request adds around its events (`{"events":[...],"meta":...}`), an upper bound.
pub const REQUEST_OVERHEAD: usize = 256;
/// Bytes each event adds around its XDM (`{"xdm":},`).
pub const EVENT_OVERHEAD: usize = 10;

/// The dataset override (edge-api.md §2.4): profile records go to the profile dataset.
fn meta(dest: &Destination, profile: bool) -> Option<serde_json::Value> {
    let dataset = dest.dataset_id.as_ref()?;
    let slot = if profile { "profile" } else { "event" };
    Some(serde_json::json!({
        "configOverrides": { "com_adobe_experience_platform": { "datasets": { slot: { "datasetId": dataset } } } }
    }))
}

pub fn request_body(dest: &Destination, profile: bool, events: &[&RawValue]) -> Result<Vec<u8>, String> {
    let body = Body {
        events: events.iter().map(|xdm| EventEnvelope { xdm }).collect(),
        meta: meta(dest, profile),
    };
    serde_json::to_vec(&body).map_err(|e| format!("cannot encode request: {e}"))
}

struct Token {
    value: String,
    refresh_at: Instant,
}

pub struct EdgeClient {
    agent: ureq::Agent,
    token: Option<Token>,
}

impl EdgeClient {
    pub fn new(settings: &Settings) -> EdgeClient {
        let timeout = Duration::from_millis(settings.request_timeout_ms);
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(timeout.min(Duration::from_secs(5)))
            .timeout_read(timeout)
            .timeout_write(timeout)
            .redirects(0)
            .user_agent(concat!("xdm-relay/", env!("CARGO_PKG_VERSION")))
            .build();
        EdgeClient { agent, token: None }
    }

    pub fn forget_token(&mut self) {
        self.token = None;
    }

    /// The IMS access token, fetched (on the sender thread) when missing or near expiry.
    fn bearer(&mut self, auth: &OAuth) -> Result<String, Outcome> {
        if let Some(t) = &self.token {
            if Instant::now() < t.refresh_at {
                return Ok(t.value.clone());
            }
        }
        let token = fetch_token(&self.agent, auth)?;
        let value = token.value.clone();
        self.token = Some(token);
        Ok(value)
    }

    /// Sends one batch to the Edge.
    pub fn send(&mut self, settings: &Settings, dest: &Destination, body: &[u8]) -> Outcome {
        let url = format!("{}/ee/v2/collect", settings.edge_url);
        let mut request = self
            .agent
            .post(&url)
            .query("datastreamId", &dest.datastream_id)
            .set("Content-Type", "application/json");
        if let Some(sandbox) = &dest.sandbox {
            request = request.set("x-sandbox-name", sandbox);
        }
        if let Some(auth) = &settings.auth {
            let bearer = match self.bearer(auth) {
                Ok(b) => b,
                Err(outcome) => return outcome,
            };
            request = request
                .set("Authorization", &format!("Bearer {bearer}"))
                .set("x-api-key", &auth.client_id);
            if let Some(org) = &settings.org_id {
                request = request.set("x-gw-ims-org-id", org);
            }
        }
        classify(request.send_bytes(body))
    }
}

fn fetch_token(agent: &ureq::Agent, auth: &OAuth) -> Result<Token, Outcome> {
    let started = Instant::now();
    let response = agent.post(&auth.ims_url).send_form(&[
        ("grant_type", "client_credentials"),
        ("client_id", &auth.client_id),
        ("client_secret", &auth.client_secret),
        ("scope", &auth.scopes),
    ]);
    match response {
        Ok(r) => {
            let text = r
                .into_string()
                .map_err(|e| Outcome::Retry { after: None, reason: format!("IMS token response unreadable: {e}") })?;
            let parsed: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| Outcome::Retry { after: None, reason: format!("IMS token response is not JSON: {e}") })?;
            let value = parsed["access_token"].as_str().unwrap_or_default().to_string();
            if value.is_empty() {
                return Err(Outcome::Final { status: 200, reason: "IMS answered without an access_token".to_string() });
            }
            let lifetime = Duration::from_secs(parsed["expires_in"].as_u64().unwrap_or(3600));
            // Refresh well before expiry: at 90% of the lifetime, and at least a minute early
            // when the lifetime allows it.
            let early = (lifetime / 10).max(Duration::from_secs(60)).min(lifetime / 2);
            Ok(Token { value, refresh_at: started + lifetime - early })
        }
        Err(ureq::Error::Status(status, r)) => {
            let text = r.into_string().unwrap_or_default();
            let detail = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_string))
                .unwrap_or_else(|| text.chars().take(200).collect());
            if matches!(status, 429 | 500..=599) {
                Err(Outcome::Retry { after: None, reason: format!("IMS token request failed with HTTP {status}: {detail}") })
            } else {
                Err(Outcome::Final {
                    status,
                    reason: format!("IMS refused the OAuth credentials (HTTP {status}: {detail}); check client id, client secret and scopes"),
                })
            }
        }
        Err(ureq::Error::Transport(t)) => Err(Outcome::Retry { after: None, reason: format!("IMS unreachable: {t}") }),
    }
}

fn classify(result: Result<ureq::Response, ureq::Error>) -> Outcome {
    match result {
        Ok(r) if r.status() == 207 => {
            let text = r.into_string().unwrap_or_default();
            Outcome::Delivered { warning: Some(format!("Edge accepted with upstream errors (207): {}", excerpt(&text))) }
        }
        Ok(r) => {
            // Drain the body so the connection can be reused.
            let _ = r.into_string();
            Outcome::Delivered { warning: None }
        }
        Err(ureq::Error::Status(status, r)) => {
            let retry_after = r
                .header("Retry-After")
                .and_then(|v| retry::parse_retry_after(v, chrono::Utc::now()));
            let text = r.into_string().unwrap_or_default();
            let problem = excerpt(&text);
            match status {
                429 | 502 | 503 | 504 | 507 => Outcome::Retry {
                    after: retry_after,
                    reason: format!("Edge answered HTTP {status}: {problem}"),
                },
                413 => Outcome::Split,
                401 if text.contains("EXEG-0503") => Outcome::TokenExpired,
                401 => Outcome::Final {
                    status,
                    reason: format!("Edge refused the credentials (HTTP 401): {problem}; check the OAuth client, org id and product profile"),
                },
                _ => Outcome::Final { status, reason: format!("Edge rejected the request (HTTP {status}): {problem}") },
            }
        }
        Err(ureq::Error::Transport(t)) => Outcome::Retry { after: None, reason: format!("Edge unreachable: {t}") },
    }
}

/// The problem type and title of an Edge error body, or the start of a non-JSON one.
fn excerpt(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) if v.get("type").is_some() || v.get("title").is_some() => {
            let kind = v["type"].as_str().unwrap_or("").rsplit('/').next().unwrap_or("").to_string();
            let title = v["title"].as_str().unwrap_or("");
            let index = v["report"]["eventIndex"].as_u64().map(|i| format!(" (event {i})")).unwrap_or_default();
            format!("{kind} {title}{index}").trim().to_string()
        }
        Ok(v) if v.get("errors").is_some() => excerpt_errors(&v),
        _ => text.chars().take(200).collect(),
    }
}

fn excerpt_errors(v: &serde_json::Value) -> String {
    v["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| format!("{} {}", e["type"].as_str().unwrap_or("").rsplit('/').next().unwrap_or(""), e["title"].as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

/// The admin "Test connection": one synchronous request with an empty event list. The Edge
/// checks the datastream and the credentials before the body, so a body complaint (400
/// EXEG-0101/0103/0104) means everything we can test is right. No event reaches a dataset.
pub fn test_connection(settings: &Settings, dest: &Destination) -> (bool, u16, String, f64) {
    let started = Instant::now();
    let mut client = EdgeClient::new(settings);
    let url = format!("{}/ee/v2/collect", settings.edge_url);
    let mut request = client.agent.post(&url).query("datastreamId", &dest.datastream_id).set("Content-Type", "application/json");
    if let Some(auth) = &settings.auth {
        match client.bearer(auth) {
            Ok(bearer) => {
                request = request.set("Authorization", &format!("Bearer {bearer}")).set("x-api-key", &auth.client_id);
                if let Some(org) = &settings.org_id {
                    request = request.set("x-gw-ims-org-id", org);
                }
            }
            Err(outcome) => {
                let (status, reason) = match outcome {
                    Outcome::Final { status, reason } => (status, reason),
                    Outcome::Retry { reason, .. } => (0, reason),
                    other => (0, format!("{other:?}")),
                };
                return (false, status, reason, started.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    let result = request.send_bytes(br#"{"events":[]}"#);
    let latency = started.elapsed().as_secs_f64() * 1000.0;
    match result {
        Ok(r) => (true, r.status(), "Edge accepted the request".to_string(), latency),
        Err(ureq::Error::Status(status, r)) => {
            let text = r.into_string().unwrap_or_default();
            let problem = excerpt(&text);
            let body_only = status == 400 && ["EXEG-0101", "EXEG-0103", "EXEG-0104"].iter().any(|c| text.contains(c));
            if body_only {
                (true, status, format!("datastream and credentials accepted ({problem})"), latency)
            } else {
                (false, status, problem, latency)
            }
        }
        Err(ureq::Error::Transport(t)) => (false, 0, format!("Edge unreachable: {t}"), latency),
    }
}
