//! `xdm_relay_emit`, `xdm_relay_configure`, `xdm_relay_flush`, `xdm_relay_stats`,
//! `xdm_relay_test_connection`: conversion and delegation to `delivery` and `settings`.

use std::time::Duration;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::error::php_error;
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::ErrorType;
use ext_php_rs::prelude::*;
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::types::ZendHashTable;

use super::exceptions::{config_error, event_name, invalid_event};
use super::value::{from_array, PhpArray};
use crate::delivery::{self, Destination, EmitError};
use crate::mapping::{self, MapContext};
use crate::settings::{self as config, Settings};

fn parse_destination(array: &ZendHashTable, event: &str) -> Result<Destination, PhpException> {
    Destination::parse(&from_array(array)).map_err(|e| invalid_event(format!("{event}: {e}")))
}

/// Maps the payload to XDM, appends it to the durable spool and queues it for the background
/// sender; returns the event's `_id`. Never does network I/O. When the spool is full or
/// unwritable the event is counted (see `xdm_relay_stats()`) and a warning is raised at most
/// once per request; no exception reaches the caller for that.
///
/// @throws \XdmRelay\InvalidEventException when the payload or destination cannot be used;
///         nothing is queued then.
#[php_function]
pub fn xdm_relay_emit(event: BinarySlice<u8>, payload: &ZendHashTable, destination: &ZendHashTable) -> PhpResult<String> {
    let event = event_name(&event)?;
    let dest = parse_destination(destination, &event)?;
    let current = config::current();
    let ctx = MapContext {
        settings: &current.map,
        now: chrono::Utc::now(),
    };
    // The payload is read in place: no owned copy of the request's array.
    let mapped = mapping::map_event(&event, PhpArray::of(payload), &ctx).map_err(super::map_fn::invalid_event)?;
    let id = mapped.id.clone();
    match delivery::emit(mapped, &dest) {
        Ok(()) => Ok(id),
        Err(EmitError::Refused(reason)) => Err(invalid_event(format!("{event}: {reason}"))),
        Err(EmitError::Degraded(warning)) => {
            if !warning.is_empty() {
                php_error(&ErrorType::Warning, &format!("xdm_relay: {warning}"));
            }
            Ok(id)
        }
    }
}

/// Sets the process-wide settings (see the contract for keys and defaults). Cheap when called
/// again with the same settings.
///
/// @throws \XdmRelay\ConfigException naming the bad key.
#[php_function]
pub fn xdm_relay_configure(settings: &ZendHashTable) -> PhpResult<()> {
    let parsed = Settings::parse(&from_array(settings)).map_err(|e| config_error(e.to_string()))?;
    if config::replace(parsed) {
        delivery::settings_changed(config::current());
    }
    Ok(())
}

/// Waits until every event accepted so far by this process, and every orphan of a dead process
/// that this process can adopt (it looks for them first), has a final answer (delivered or
/// dead-lettered), or the timeout passes; true when nothing is left. Segments held by other live
/// processes are theirs to deliver.
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

/// This process's counters, then the spool-wide backlog every process sees alike.
///
/// Process: accepted, delivered, retried, failed, dropped (with dropped_reasons: spool_full,
/// memory_full, spool_deleted, exited_in_memory), queued (own events not yet final), at_risk
/// (held in memory only), adopted_pending, requests_in_flight, concurrency, corrupt,
/// sender_panics, last_error, last_delivery_at, sender_running.
/// Spool-wide: spool_events and spool_bytes (waiting, whoever holds them), spool_segments,
/// oldest_event_age_s (null when empty), orphaned_segments (owner gone, not adopted yet),
/// unadoptable_segments (this user cannot open them), lost_events (recorded in losses.jsonl).
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
        ("at_risk", s.at_risk),
        ("adopted_pending", s.adopted_pending),
        ("requests_in_flight", s.requests_in_flight),
        ("concurrency", s.concurrency),
        ("spool_bytes", s.spool_bytes),
        ("spool_events", s.spool_events),
        ("spool_segments", s.backlog.segments),
        ("orphaned_segments", s.backlog.orphaned),
        ("unadoptable_segments", s.backlog.unadoptable),
        ("lost_events", s.backlog.lost),
        ("corrupt", s.corrupt),
        ("sender_panics", s.sender_panics),
    ];
    for (k, v) in ints {
        out.insert(k, v as i64)?;
    }
    let mut reasons = ZendHashTable::new();
    for (reason, n) in &s.dropped_reasons {
        reasons.insert(reason.name(), *n as i64)?;
    }
    out.insert("dropped_reasons", reasons)?;
    out.insert("oldest_event_age_s", s.backlog.oldest_age_s.map(|a| a as i64))?;
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
