//! Fault injection: set at start (config) or at run time (`/_emulator/faults`).

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum FaultKind {
    /// Answer with this status (429, 500, 502, 503, 504 as problem+json; 207 accepts the events
    /// and reports an upstream error).
    #[serde(rename_all = "camelCase")]
    Status {
        status: u16,
        /// `Retry-After` in seconds.
        #[serde(default)]
        retry_after: Option<u64>,
        /// Send `Retry-After` as an HTTP-date instead of seconds.
        #[serde(default)]
        retry_after_http_date: bool,
    },
    /// Delay the answer by this many milliseconds.
    #[serde(rename_all = "camelCase")]
    Latency { ms: u64 },
    /// Hold the request this long, then close without answering.
    #[serde(rename_all = "camelCase")]
    Timeout { ms: u64 },
    /// Accept and record the events, then reset the connection: the response is lost.
    Reset,
    /// Read the request, record its events, and never answer: the connection stays open until
    /// the client gives up (at most ten minutes).
    Hang,
    /// A token bucket in request units (8 KiB of body each): 429 when empty.
    #[serde(rename_all = "camelCase")]
    RateLimit { units_per_second: f64, burst: f64 },
}

// No deny_unknown_fields: serde cannot combine it with the flattened kind.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FaultSpec {
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Only for this datastream; absent: every datastream.
    #[serde(default)]
    pub datastream_id: Option<String>,
    /// Apply to this many requests, then expire.
    #[serde(default)]
    pub count: Option<u64>,
    /// Apply during this many seconds from when it was set, then expire.
    #[serde(default)]
    pub seconds: Option<f64>,
    /// Apply to one request in this many (the 7th, 14th, ... it sees), for fault mixes.
    #[serde(default)]
    pub one_in: Option<u64>,
}

pub struct Fault {
    pub spec: FaultSpec,
    pub id: u64,
    set_at: Instant,
    used: u64,
    /// Requests it has seen (for `one_in`).
    seen: u64,
    tokens: f64,
    refilled_at: Instant,
}

impl Fault {
    pub fn new(spec: FaultSpec, id: u64) -> Fault {
        let burst = match &spec.kind {
            FaultKind::RateLimit { burst, .. } => *burst,
            _ => 0.0,
        };
        Fault { spec, id, set_at: Instant::now(), used: 0, seen: 0, tokens: burst, refilled_at: Instant::now() }
    }

    pub fn expired(&self) -> bool {
        self.spec.count.is_some_and(|c| self.used >= c)
            || self.spec.seconds.is_some_and(|s| self.set_at.elapsed() >= Duration::from_secs_f64(s.max(0.0)))
    }

    fn applies_to(&self, datastream: &str) -> bool {
        self.spec.datastream_id.as_deref().is_none_or(|d| d == datastream)
    }

    pub fn view(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(&self.spec).unwrap_or_default();
        v["id"] = self.id.into();
        v["used"] = self.used.into();
        v
    }
}

/// The faults that hit one request, in the order they act.
#[derive(Debug, Default)]
pub struct Hit {
    pub latency: Option<Duration>,
    pub timeout: Option<Duration>,
    pub status: Option<(u16, Option<u64>, bool)>,
    pub reset: bool,
    pub hang: bool,
    pub rate_limited: bool,
}

impl Hit {
    pub fn any(&self) -> bool {
        self.latency.is_some() || self.timeout.is_some() || self.status.is_some() || self.reset || self.hang || self.rate_limited
    }
}

/// Applies the active faults to one request of `units` request units.
pub fn hit(faults: &mut Vec<Fault>, datastream: &str, units: f64) -> Hit {
    faults.retain(|f| !f.expired());
    let mut hit = Hit::default();
    for f in faults.iter_mut().filter(|f| f.applies_to(datastream)) {
        f.seen += 1;
        if f.spec.one_in.is_some_and(|n| n > 1 && f.seen % n != 0) {
            continue;
        }
        match &f.spec.kind {
            FaultKind::RateLimit { units_per_second, burst } => {
                let now = Instant::now();
                f.tokens = (f.tokens + now.duration_since(f.refilled_at).as_secs_f64() * units_per_second).min(*burst);
                f.refilled_at = now;
                if f.tokens >= units {
                    f.tokens -= units;
                } else {
                    hit.rate_limited = true;
                    f.used += 1;
                }
                continue;
            }
            FaultKind::Latency { ms } if hit.latency.is_none() => hit.latency = Some(Duration::from_millis(*ms)),
            FaultKind::Timeout { ms } if hit.timeout.is_none() => hit.timeout = Some(Duration::from_millis(*ms)),
            FaultKind::Status { status, retry_after, retry_after_http_date } if hit.status.is_none() => {
                hit.status = Some((*status, *retry_after, *retry_after_http_date))
            }
            FaultKind::Reset if !hit.reset => hit.reset = true,
            FaultKind::Hang if !hit.hang => hit.hang = true,
            _ => continue,
        }
        f.used += 1;
    }
    hit
}
