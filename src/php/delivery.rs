//! `xdm_relay_emit`, `xdm_relay_configure`, `xdm_relay_flush`, `xdm_relay_stats`,
//! `xdm_relay_test_connection`: conversion and delegation to `delivery` and `settings`.

use std::time::Duration;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::error::php_error;
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::ErrorType;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use super::exceptions::{ConfigException, InvalidEventException};
use super::map_fn::invalid_event;
use super::value::from_array;
use crate::delivery::{self, Destination};
use crate::mapping::{self, MapContext, Value};
use crate::settings::{self as config, Settings};

fn parse_destination(array: &ZendHashTable, event: &str) -> Result<Destination, PhpException> {
    let value = from_array(array);
    let field = |key: &str| -> Result<Option<String>, PhpException> {
        match value.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Str(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s.trim().to_string())),
            Some(other) => Err(PhpException::from_class::<InvalidEventException>(format!(
                "{event}: destination.{key}: expected a string, got {}",
                other.describe()
            ))),
        }
    };
    if let Value::Map(entries) = &value {
        if let Some((unknown, _)) = entries.iter().find(|(k, _)| !["datastream_id", "dataset_id", "sandbox"].contains(&k.as_str())) {
            return Err(PhpException::from_class::<InvalidEventException>(format!(
                "{event}: destination.{unknown}: unknown key; expected datastream_id, dataset_id, sandbox"
            )));
        }
    }
    let datastream_id = field("datastream_id")?.ok_or_else(|| {
        PhpException::from_class::<InvalidEventException>(format!("{event}: destination.datastream_id: is required"))
    })?;
    Ok(Destination {
        datastream_id,
        dataset_id: field("dataset_id")?,
        sandbox: field("sandbox")?,
    })
}

/// Maps the payload to XDM, appends it to the durable spool and queues it for the background
/// sender; returns the event's `_id`. Never does network I/O. When the spool is full or
/// unwritable the event is counted (see `xdm_relay_stats()`) and a warning is raised at most
/// once per request; no exception reaches the caller for that.
///
/// @throws \XdmRelay\InvalidEventException when the payload or destination cannot be used;
///         nothing is queued then.
#[php_function]
pub fn xdm_relay_emit(event: String, payload: &ZendHashTable, destination: &ZendHashTable) -> PhpResult<String> {
    let dest = parse_destination(destination, &event)?;
    let payload = from_array(payload);
    let current = config::current();
    let ctx = MapContext {
        settings: &current.map,
        now: chrono::Utc::now(),
    };
    let mapped = mapping::map_event(&event, &payload, &ctx).map_err(invalid_event)?;
    let id = mapped.id.clone();
    if let Err(delivery::Degraded(warning)) = delivery::emit(mapped, &dest) {
        if !warning.is_empty() {
            php_error(&ErrorType::Warning, &format!("xdm_relay: {warning}"));
        }
    }
    Ok(id)
}

/// Sets the process-wide settings (see the contract for keys and defaults). Cheap when called
/// again with the same settings.
///
/// @throws \XdmRelay\ConfigException naming the bad key.
#[php_function]
pub fn xdm_relay_configure(settings: &ZendHashTable) -> PhpResult<()> {
    let parsed = Settings::parse(&from_array(settings))
        .map_err(|e| PhpException::from_class::<ConfigException>(e.to_string()))?;
    if config::replace(parsed) {
        delivery::settings_changed(config::current());
    }
    Ok(())
}

/// Waits until every event accepted so far by this process has a final answer (delivered or
/// dead-lettered) or the timeout passes; true when nothing is left.
#[php_function]
#[php(defaults(timeout_seconds = 5.0))]
pub fn xdm_relay_flush(timeout_seconds: f64) -> bool {
    let timeout = if timeout_seconds.is_finite() && timeout_seconds > 0.0 {
        Duration::from_secs_f64(timeout_seconds.min(3600.0))
    } else {
        Duration::ZERO
    };
    delivery::flush(timeout)
}

/// Counters of this process and of the spool: accepted, delivered, retried, failed, dropped,
/// queued, spool_bytes, spool_events, corrupt, sender_panics, last_error, last_delivery_at,
/// sender_running.
#[php_function]
pub fn xdm_relay_stats() -> PhpResult<ZBox<ZendHashTable>> {
    let s = delivery::stats();
    let mut out = ZendHashTable::new();
    let ints = [
        ("accepted", s.accepted),
        ("delivered", s.delivered),
        ("retried", s.retried),
        ("failed", s.failed),
        ("dropped", s.dropped),
        ("queued", s.queued),
        ("spool_bytes", s.spool_bytes),
        ("spool_events", s.spool_events),
        ("corrupt", s.corrupt),
        ("sender_panics", s.sender_panics),
    ];
    for (k, v) in ints {
        out.insert(k, v as i64)?;
    }
    out.insert("last_error", s.last_error)?;
    out.insert("last_delivery_at", s.last_delivery_at)?;
    out.insert("sender_running", s.sender_running)?;
    Ok(out)
}

/// One synchronous request to the Edge (and IMS when OAuth is configured) for the admin
/// "Test connection" button. The only call that may block on the network.
///
/// @return array{ok: bool, status: int, message: string, latency_ms: float}
#[php_function]
pub fn xdm_relay_test_connection(destination: &ZendHashTable) -> PhpResult<ZBox<ZendHashTable>> {
    let dest = parse_destination(destination, "testConnection")?;
    let (ok, status, message, latency) = delivery::test_connection(&dest);
    let mut out = ZendHashTable::new();
    out.insert("ok", ok)?;
    out.insert("status", i64::from(status))?;
    out.insert("message", message)?;
    out.insert("latency_ms", latency)?;
    Ok(out)
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(xdm_relay_emit))
        .function(wrap_function!(xdm_relay_configure))
        .function(wrap_function!(xdm_relay_flush))
        .function(wrap_function!(xdm_relay_stats))
        .function(wrap_function!(xdm_relay_test_connection))
}
