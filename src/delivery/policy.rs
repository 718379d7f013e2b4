//! Every retry-or-final decision, in one place and without I/O (edge-api.md §4): what an Edge,
//! IMS or transport answer means for a batch, when an event is too old or too large to send,
//! how long a destination pauses, and how secrets are kept out of what is stored.
//!
//! The sender only applies these decisions; the tests below pin them.

use std::fmt;
use std::time::Duration;

/// The first pause after a failure without `Retry-After`, and the cap of the doubling. The cap
/// is short on purpose: a destination that comes back is probed within seconds, and the probe
/// is one request per destination per process, so a short cap costs the Edge little.
const BASE: Duration = Duration::from_millis(500);
const CAP: Duration = Duration::from_secs(10);
/// Retry-After values beyond this are treated as this (a misconfigured proxy must not park
/// deliveries for days).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);
/// Connection-level failures (reset, read timeout) in a row before the destination pauses:
/// one such failure is a lost request, not an outage.
pub const CONNECTION_FAILURES_BEFORE_PAUSE: u32 = 3;
/// How much of an error body is kept (after redaction).
const EXCERPT_CHARS: usize = 200;

/// What a request's answer means for its batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Accepted (202/204/200; a 207 was accepted with upstream warnings, never resent).
    Delivered { warning: Option<String> },
    /// Not now: the events go back to the queue and the destination may pause.
    Retry { pause: Pause, reason: String },
    /// 413: the batch is too large; send its halves.
    Split,
    /// 401 EXEG-0503: the token expired; fetch a new one and resend.
    TokenExpired,
    /// The events will never be accepted: dead-letter them.
    Final(Final),
}

/// How a retryable answer affects the destination as a whole.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pause {
    /// 429 or 503: the Edge asked us to slow down; pause for `Retry-After`, or the backoff.
    Backpressure { retry_after: Option<Duration> },
    /// Another retryable 5xx, an IMS failure, or the Edge unreachable: pause for the backoff.
    Failing,
    /// The connection broke after the request went out (reset, read timeout, a hung request):
    /// the batch is retried at once; only `CONNECTION_FAILURES_BEFORE_PAUSE` in a row pause.
    Connection,
}

/// Why an event went to the dead-letter file.
#[derive(Debug, Clone, PartialEq)]
pub enum Final {
    /// One event alone exceeds what one request may carry.
    TooLarge { bytes: usize, limit: usize },
    /// Not delivered within `max_retry_age_s`.
    Expired { max_age_s: u64 },
    /// The Edge rejected the request for good (400, 403, 404, 422, 500, ...).
    Refused { status: u16, detail: String },
    /// The Edge or IMS refused the credentials.
    Credentials { status: u16, detail: String },
    /// IMS answered 200 without a usable token.
    TokenMissing,
    /// The request body could not be built.
    Encode(String),
}

impl Final {
    /// The HTTP status for the dead-letter line; 0 when no request was made.
    pub fn status(&self) -> u16 {
        match self {
            Final::TooLarge { .. } => 413,
            Final::Refused { status, .. } | Final::Credentials { status, .. } => *status,
            Final::TokenMissing => 200,
            Final::Expired { .. } | Final::Encode(_) => 0,
        }
    }
}

impl fmt::Display for Final {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Final::TooLarge { bytes, limit } => write!(f, "event is {bytes} bytes; a request may carry at most {limit} (Edge limit 64 KB)"),
            Final::Expired { max_age_s } => write!(f, "not delivered within max_retry_age_s ({max_age_s} s)"),
            Final::Refused { status, detail } => write!(f, "Edge rejected the request (HTTP {status}): {detail}"),
            Final::Credentials { status, detail } => write!(f, "the credentials were refused (HTTP {status}: {detail}); check client id, client secret, scopes, org id and product profile"),
            Final::TokenMissing => write!(f, "IMS answered without an access_token"),
            Final::Encode(e) => write!(f, "cannot encode request: {e}"),
        }
    }
}

/// The Edge's answer to `POST /ee/v2/collect` (edge-api.md §4). `body` is already redacted.
/// 500 is final: the Edge documents it as an unexpected error for this request (a malformed
/// event can cause it every time), unlike 502/503/504, which are about the Edge's own state.
pub fn classify_edge(status: u16, retry_after: Option<Duration>, body: &str) -> Outcome {
    match status {
        200..=206 => Outcome::Delivered { warning: None },
        207 => Outcome::Delivered { warning: Some(format!("Edge accepted with upstream errors (207): {}", excerpt(body))) },
        429 | 503 => Outcome::Retry {
            pause: Pause::Backpressure { retry_after },
            reason: format!("Edge answered HTTP {status}: {}", excerpt(body)),
        },
        502 | 504 | 507 => Outcome::Retry { pause: Pause::Failing, reason: format!("Edge answered HTTP {status}: {}", excerpt(body)) },
        413 => Outcome::Split,
        401 if body.contains("EXEG-0503") => Outcome::TokenExpired,
        401 | 403 if body.contains("EXEG-05") => Outcome::Final(Final::Credentials { status, detail: excerpt(body) }),
        _ => Outcome::Final(Final::Refused { status, detail: excerpt(body) }),
    }
}

/// IMS's answer when it is not a token. `body` is already redacted.
pub fn classify_ims(status: u16, body: &str) -> Outcome {
    let detail = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_string))
        .unwrap_or_else(|| body.chars().take(EXCERPT_CHARS).collect());
    if matches!(status, 429 | 500..=599) {
        Outcome::Retry { pause: Pause::Failing, reason: format!("IMS token request failed with HTTP {status}: {detail}") }
    } else {
        Outcome::Final(Final::Credentials { status, detail: format!("IMS refused the OAuth credentials: {detail}") })
    }
}

/// A request that got no HTTP answer. `connected`: the connection was made, so the request
/// may have landed (a reset after the body, a read timeout); otherwise the Edge is unreachable.
pub fn classify_transport(connected: bool, detail: &str) -> Outcome {
    if connected {
        Outcome::Retry { pause: Pause::Connection, reason: format!("Edge connection lost: {detail}") }
    } else {
        Outcome::Retry { pause: Pause::Failing, reason: format!("Edge unreachable: {detail}") }
    }
}

/// Final answers that need no request.
pub fn before_sending(event_bytes: usize, limit: usize, age: Duration, max_age_s: u64) -> Option<Final> {
    if event_bytes > limit {
        Some(Final::TooLarge { bytes: event_bytes, limit })
    } else if age > Duration::from_secs(max_age_s) {
        Some(Final::Expired { max_age_s })
    } else {
        None
    }
}

/// The destination's pause after the `level`-th failure in a row (0 = first): exponential with
/// full jitter, in [BASE, min(CAP, BASE·2^level)].
pub fn backoff(level: u32, random: u64) -> Duration {
    let ceiling = BASE.saturating_mul(1u32.checked_shl(level.min(16)).unwrap_or(u32::MAX)).min(CAP);
    let span = ceiling.saturating_sub(BASE).as_millis() as u64;
    BASE + Duration::from_millis(if span == 0 { 0 } else { random % (span + 1) })
}

/// Parses `Retry-After`: delta seconds or an HTTP-date (RFC 9110).
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO).min(MAX_RETRY_AFTER))
}

/// Replaces every configured secret (and its form- and percent-encoded spellings, which is how
/// an error page that echoes the token request shows it) with `********`. Run on every body
/// and message before it is kept anywhere: `last_error`, the dead-letter file, the status page.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        for spelling in [secret.to_string(), percent_encode(secret, false), percent_encode(secret, true)] {
            if out.contains(&spelling) {
                out = out.replace(&spelling, "********");
            }
        }
    }
    out
}

fn percent_encode(s: &str, plus_for_space: bool) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' if plus_for_space => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The problem type and title of an Edge error body, or the start of a non-JSON one.
pub fn excerpt(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) if v.get("type").is_some() || v.get("title").is_some() => {
            let kind = v["type"].as_str().unwrap_or("").rsplit('/').next().unwrap_or("").to_string();
            let title = v["title"].as_str().unwrap_or("");
            let index = v["report"]["eventIndex"].as_u64().map(|i| format!(" (event {i})")).unwrap_or_default();
            format!("{kind} {title}{index}").trim().to_string()
        }
        Ok(v) if v.get("errors").is_some() => v["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| format!("{} {}", e["type"].as_str().unwrap_or("").rsplit('/').next().unwrap_or(""), e["title"].as_str().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default(),
        _ => text.chars().take(EXCERPT_CHARS).collect(),
    }
}

/// A cheap per-process random source for jitter (no crypto needed).
pub fn jitter_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut x = nanos ^ (u64::from(std::process::id()) << 32) ^ 0x9E37_79B9_7F4A_7C15;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(0, 0), BASE);
        assert!(backoff(3, u64::MAX) <= Duration::from_millis(4000));
        assert!(backoff(40, u64::MAX) <= CAP);
        assert!(backoff(40, 12345) >= BASE);
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now = chrono::DateTime::parse_from_rfc2822("Sun, 22 Nov 2026 12:00:00 GMT").unwrap().with_timezone(&chrono::Utc);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Sun, 22 Nov 2026 12:00:07 GMT", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Sun, 22 Nov 2026 11:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("999999", now), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn edge_statuses() {
        let ra = Some(Duration::from_secs(5));
        assert_eq!(classify_edge(202, None, ""), Outcome::Delivered { warning: None });
        assert!(matches!(classify_edge(207, None, "{}"), Outcome::Delivered { warning: Some(_) }));
        assert!(matches!(classify_edge(429, ra, ""), Outcome::Retry { pause: Pause::Backpressure { retry_after }, .. } if retry_after == ra));
        assert!(matches!(classify_edge(503, None, ""), Outcome::Retry { pause: Pause::Backpressure { retry_after: None }, .. }));
        for s in [502, 504, 507] {
            assert!(matches!(classify_edge(s, None, ""), Outcome::Retry { pause: Pause::Failing, .. }), "{s}");
        }
        assert_eq!(classify_edge(413, None, ""), Outcome::Split);
        assert_eq!(classify_edge(401, None, r#"{"type":"https://ns.adobe.com/aep/errors/EXEG-0503-401"}"#), Outcome::TokenExpired);
        assert!(matches!(classify_edge(401, None, r#"{"type":"x/EXEG-0500-401"}"#), Outcome::Final(Final::Credentials { status: 401, .. })));
        for s in [400, 404, 422, 500] {
            assert!(matches!(classify_edge(s, None, ""), Outcome::Final(Final::Refused { status, .. }) if status == s), "{s}");
        }
    }

    #[test]
    fn ims_and_transport() {
        assert!(matches!(classify_ims(401, r#"{"error":"invalid_client"}"#), Outcome::Final(Final::Credentials { status: 401, .. })));
        assert!(matches!(classify_ims(503, ""), Outcome::Retry { pause: Pause::Failing, .. }));
        assert!(matches!(classify_transport(true, "reset"), Outcome::Retry { pause: Pause::Connection, .. }));
        assert!(matches!(classify_transport(false, "refused"), Outcome::Retry { pause: Pause::Failing, .. }));
    }

    #[test]
    fn too_large_and_too_old() {
        assert_eq!(before_sending(70_000, 65_000, Duration::ZERO, 10), Some(Final::TooLarge { bytes: 70_000, limit: 65_000 }));
        assert_eq!(before_sending(100, 65_000, Duration::from_secs(11), 10), Some(Final::Expired { max_age_s: 10 }));
        assert_eq!(before_sending(100, 65_000, Duration::from_secs(10), 10), None);
        assert_eq!(Final::Expired { max_age_s: 1 }.status(), 0);
    }

    #[test]
    fn secrets_are_redacted_in_every_spelling() {
        let secret = "p8e-a b/c+d";
        let body = format!("client_secret={}&x=1 raw {} pct {}", percent_encode(secret, true), secret, percent_encode(secret, false));
        let clean = redact(&body, &[secret, ""]);
        assert!(!clean.contains("p8e"), "{clean}");
        assert_eq!(clean.matches("********").count(), 3);
    }
}
