//! Process-wide settings given by `xdm_relay_configure()`: parsing, validation, defaults.
//!
//! The current settings live behind a lock that only the PHP thread takes; the sender thread
//! receives its own `Arc` snapshot, so a fork while the lock is held by another thread cannot
//! happen.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use once_cell::sync::Lazy;

use crate::mapping::{MapSettings, Namespaces, Value};

pub const DEFAULT_EDGE_URL: &str = "https://server.adobedc.net";
pub const DEFAULT_IMS_URL: &str = "https://ims-na1.adobelogin.com/ims/token/v3";
/// Adobe's Platform APIs (Catalog Service, Schema Registry): the admin's data customization report.
pub const DEFAULT_PLATFORM_URL: &str = "https://platform.adobe.io";
pub const DEFAULT_SCOPES: &str = "openid,AdobeID,read_organizations,additional_info.projectedProductContext,session";
/// The Edge refuses request bodies over 64 KiB.
pub const EDGE_MAX_BODY_BYTES: usize = 65_536;

#[derive(Debug, Clone, PartialEq)]
pub struct OAuth {
    pub client_id: String,
    pub client_secret: String,
    pub scopes: String,
    pub ims_url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub edge_url: String,
    pub platform_url: String,
    pub org_id: Option<String>,
    pub auth: Option<OAuth>,
    pub map: MapSettings,
    pub batch_max_events: usize,
    pub batch_max_bytes: usize,
    pub flush_interval_ms: u64,
    /// The whole of one request, connect to last response byte: a hung request holds one of
    /// the `max_concurrency` slots this long, never more.
    pub request_timeout_ms: u64,
    pub connect_timeout_ms: u64,
    /// The longest silence while sending or waiting for the response.
    pub read_timeout_ms: u64,
    /// Requests in flight per process while a backlog drains (the adaptive limit's ceiling).
    pub max_concurrency: usize,
    pub max_retry_age_s: u64,
    pub shutdown_timeout_ms: u64,
    /// `None`: the `xdm_relay.spool_dir` INI value.
    pub spool_dir: Option<PathBuf>,
    /// `None`: the `xdm_relay.spool_max_bytes` INI value.
    pub spool_max_bytes: Option<u64>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            edge_url: DEFAULT_EDGE_URL.to_string(),
            platform_url: DEFAULT_PLATFORM_URL.to_string(),
            org_id: None,
            auth: None,
            map: MapSettings::default(),
            batch_max_events: 50,
            batch_max_bytes: EDGE_MAX_BODY_BYTES,
            flush_interval_ms: 200,
            request_timeout_ms: 10_000,
            connect_timeout_ms: 3_000,
            read_timeout_ms: 5_000,
            max_concurrency: 32,
            max_retry_age_s: 86_400,
            shutdown_timeout_ms: 2_000,
            spool_dir: None,
            spool_max_bytes: None,
        }
    }
}

/// A bad setting; names the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub key: String,
    pub problem: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "xdm_relay_configure: {}: {}", self.key, self.problem)
    }
}

impl std::error::Error for ConfigError {}

fn err(key: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.to_string(),
        problem: problem.into(),
    }
}

impl Settings {
    /// Parses the `$settings` array; unknown keys are an error so a typo never goes unnoticed.
    pub fn parse(value: &Value) -> Result<Settings, ConfigError> {
        let entries: &[(String, Value)] = match value {
            Value::Map(entries) => entries,
            Value::List(l) if l.is_empty() => &[],
            other => return Err(err("settings", format!("expected an array of settings, got {}", other.describe()))),
        };
        let mut s = Settings::default();
        for (key, v) in entries {
            if matches!(v, Value::Null) {
                continue;
            }
            match key.as_str() {
                "edge_url" => s.edge_url = url(key, v)?,
                "platform_url" => s.platform_url = url(key, v)?,
                "org_id" => s.org_id = Some(org_id(key, v)?),
                "auth" => s.auth = Some(oauth(v)?),
                "environment_id" => s.map.environment_id = non_empty(key, v)?,
                "tenant_id" => s.map.tenant_id = Some(tenant_id(key, v)?),
                "identity_namespaces" => s.map.namespaces = namespaces(v)?,
                "batch_max_events" => s.batch_max_events = int_in(key, v, 1, 1000)? as usize,
                "batch_max_bytes" => {
                    s.batch_max_bytes = int_in(key, v, 1024, EDGE_MAX_BODY_BYTES as u64)? as usize
                }
                "flush_interval_ms" => s.flush_interval_ms = int_in(key, v, 1, 60_000)?,
                "request_timeout_ms" => s.request_timeout_ms = int_in(key, v, 100, 120_000)?,
                "connect_timeout_ms" => s.connect_timeout_ms = int_in(key, v, 100, 60_000)?,
                "read_timeout_ms" => s.read_timeout_ms = int_in(key, v, 100, 120_000)?,
                "max_concurrency" => s.max_concurrency = int_in(key, v, 1, 256)? as usize,
                "max_retry_age_s" => s.max_retry_age_s = int_in(key, v, 1, 30 * 86_400)?,
                "shutdown_timeout_ms" => s.shutdown_timeout_ms = int_in(key, v, 0, 10_000)?,
                "spool_dir" => s.spool_dir = Some(PathBuf::from(string(key, v)?)),
                "spool_max_bytes" => s.spool_max_bytes = Some(int_in(key, v, 65_536, u64::MAX >> 1)?),
                _ => return Err(err(key, "unknown setting")),
            }
        }
        Ok(s)
    }
}

fn string(key: &str, v: &Value) -> Result<String, ConfigError> {
    match v {
        Value::Str(s) => Ok(s.trim().to_string()),
        other => Err(err(key, format!("expected a string, got {}", other.describe()))),
    }
}

fn non_empty(key: &str, v: &Value) -> Result<Option<String>, ConfigError> {
    let s = string(key, v)?;
    Ok(if s.is_empty() { None } else { Some(s) })
}

fn url(key: &str, v: &Value) -> Result<String, ConfigError> {
    let s = string(key, v)?;
    check_url(&s).map_err(|problem| err(key, problem))?;
    Ok(s.trim_end_matches('/').to_string())
}

/// The Edge, IMS and Platform URLs carry the client secret and bearer tokens: only `https`, except to
/// this machine (the emulator, a local proxy). No credentials in the URL itself, no control
/// characters or spaces (they would end up in a request line).
pub fn check_url(s: &str) -> Result<(), String> {
    if s.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err("expected a URL without spaces or control characters".to_string());
    }
    let (plain, rest) = if let Some(rest) = s.strip_prefix("https://") {
        (false, rest)
    } else if let Some(rest) = s.strip_prefix("http://") {
        (true, rest)
    } else {
        return Err("expected an https URL".to_string());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("credentials in the URL are not allowed; use auth".to_string());
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    if host.is_empty() {
        return Err("expected an https URL with a host".to_string());
    }
    if plain && !is_loopback(host) {
        return Err("plain http is only allowed to this machine (127.0.0.1, ::1, localhost); use https".to_string());
    }
    Ok(())
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// How a rejected value is shown in a message: its kind and length, never its text, because a
/// misplaced secret (a client secret pasted into the org id field, say) must not end up in a
/// log or an admin notice.
fn shape(v: &Value) -> String {
    match v {
        Value::Str(s) => format!("a string of {} characters", s.chars().count()),
        other => other.describe(),
    }
}

fn org_id(key: &str, v: &Value) -> Result<String, ConfigError> {
    let s = string(key, v)?;
    let valid = s
        .strip_suffix("@AdobeOrg")
        .is_some_and(|head| !head.is_empty() && head.chars().all(|c| c.is_ascii_alphanumeric()));
    if !valid {
        return Err(err(key, format!("expected an IMS organization id like 0123456789ABCDEF01234567@AdobeOrg, got {}", shape(v))));
    }
    Ok(s)
}

fn tenant_id(key: &str, v: &Value) -> Result<String, ConfigError> {
    let s = string(key, v)?;
    let s = s.trim_start_matches('_').to_string();
    let valid = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit());
    if !valid {
        return Err(err(key, format!("expected an AEP tenant id (letters, digits, underscore), got {}", shape(v))));
    }
    Ok(s)
}

fn int_in(key: &str, v: &Value, min: u64, max: u64) -> Result<u64, ConfigError> {
    let n = match v {
        Value::Int(i) => u64::try_from(*i).ok(),
        Value::Str(s) => s.trim().parse::<u64>().ok(),
        Value::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f < 1e18 => Some(*f as u64),
        _ => None,
    };
    match n {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(err(key, format!("expected an integer from {min} to {max}, got {}", shape(v)))),
    }
}

fn oauth(v: &Value) -> Result<OAuth, ConfigError> {
    let Value::Map(entries) = v else {
        return Err(err("auth", format!("expected null or an array with type \"oauth\", got {}", v.describe())));
    };
    let mut auth = OAuth {
        client_id: String::new(),
        client_secret: String::new(),
        scopes: DEFAULT_SCOPES.to_string(),
        ims_url: DEFAULT_IMS_URL.to_string(),
    };
    let mut kind = None;
    for (key, v) in entries {
        let path = format!("auth.{key}");
        if matches!(v, Value::Null) {
            continue;
        }
        match key.as_str() {
            "type" => kind = Some(string(&path, v)?),
            "client_id" => auth.client_id = string(&path, v)?,
            "client_secret" => auth.client_secret = string(&path, v)?,
            "scopes" => {
                auth.scopes = match v {
                    Value::List(items) => items
                        .iter()
                        .map(|i| string(&path, i))
                        .collect::<Result<Vec<_>, _>>()?
                        .join(","),
                    _ => string(&path, v)?,
                }
            }
            "ims_url" => auth.ims_url = url(&path, v)?,
            _ => return Err(err(&path, "unknown setting")),
        }
    }
    match kind.as_deref() {
        Some("oauth") => {}
        Some("jwt") => return Err(err("auth.type", "JWT service accounts are retired by Adobe; use \"oauth\" (OAuth server-to-server)")),
        Some(_) => return Err(err("auth.type", "expected \"oauth\"")),
        None => return Err(err("auth.type", "missing; expected \"oauth\"")),
    }
    if auth.client_id.is_empty() {
        return Err(err("auth.client_id", "missing"));
    }
    if auth.client_secret.is_empty() {
        return Err(err("auth.client_secret", "missing"));
    }
    Ok(auth)
}

fn namespaces(v: &Value) -> Result<Namespaces, ConfigError> {
    let Value::Map(entries) = v else {
        return Err(err("identity_namespaces", format!("expected an array, got {}", v.describe())));
    };
    let mut ns = Namespaces::default();
    for (key, v) in entries {
        let path = format!("identity_namespaces.{key}");
        let code = string(&path, v)?;
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(err(&path, format!("expected an identity namespace code, got {}", shape(v))));
        }
        match key.as_str() {
            "email" => ns.email = code,
            "customer_id" => ns.customer_id = code,
            "ecid" => ns.ecid = code,
            "fpid" => ns.fpid = code,
            _ => return Err(err(&path, "unknown namespace; expected email, customer_id, ecid or fpid")),
        }
    }
    Ok(ns)
}

static CURRENT: Lazy<RwLock<Arc<Settings>>> = Lazy::new(|| RwLock::new(Arc::new(Settings::default())));

/// The settings in force. A poisoned lock still holds valid settings (they are replaced whole).
pub fn current() -> Arc<Settings> {
    match CURRENT.read() {
        Ok(guard) => Arc::clone(&guard),
        Err(poisoned) => Arc::clone(&poisoned.into_inner()),
    }
}

/// Installs new settings; returns false when they equal the current ones (nothing to do).
pub fn replace(settings: Settings) -> bool {
    let mut guard = match CURRENT.write() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    if **guard == settings {
        return false;
    }
    *guard = Arc::new(settings);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(entries: &[(&str, Value)]) -> Result<Settings, ConfigError> {
        Settings::parse(&Value::Map(entries.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()))
    }

    #[test]
    fn urls_must_be_https_except_to_this_machine() {
        for ok in ["https://server.adobedc.net", "http://127.0.0.1:8080", "http://localhost:9", "http://[::1]:80/x", "http://127.9.9.9"] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in ["http://edge.example.com", "http://10.0.0.1:8080", "ftp://x", "https://", "https://u:p@host", "https://host/\r\nX: y", "http://127.0.0.1.evil.com"] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        let e = parse(&[("auth", Value::Map(vec![
            ("type".into(), Value::Str("oauth".into())),
            ("client_id".into(), Value::Str("id".into())),
            ("client_secret".into(), Value::Str("s3cret".into())),
            ("ims_url".into(), Value::Str("http://ims.example.com/token".into())),
        ]))]).unwrap_err();
        assert_eq!(e.key, "auth.ims_url");
    }

    #[test]
    fn a_misplaced_secret_is_never_quoted() {
        let secret = "p8e-Sup3rS3cretValue";
        for key in ["org_id", "tenant_id", "batch_max_events", "edge_url", "platform_url"] {
            let e = parse(&[(key, Value::Str(secret.into()))]).unwrap_err();
            assert!(!e.to_string().contains("Sup3r"), "{e}");
            assert!(e.to_string().contains(key), "{e}");
        }
        let e = parse(&[("auth", Value::Map(vec![("type".into(), Value::Str(secret.into()))]))]).unwrap_err();
        assert!(!e.to_string().contains("Sup3r"), "{e}");
    }
}
