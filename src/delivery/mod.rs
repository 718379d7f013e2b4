//! The pipeline: accept (spool append + channel send on the PHP thread), deliver (one sender
//! thread per process and, while a backlog drains, a few request workers), survive fork and
//! process death.
//!
//! Files, one job each: `ini` (php.ini values), `fork` (generation and inherited descriptors),
//! `record` (the spool's frame format and destinations), `clock` (event age), `writer` (the PHP
//! thread's appends), `spool` (segments, adoption, backlog, dead letters), `batch` (the queue and
//! the next batch, pure), `policy` (every retry-or-final decision, pure), `pacing`
//! (per-destination pauses, pure), `concurrency` (the adaptive in-flight limit, pure),
//! `edge` (the HTTP client), `inflight` (request workers), `sender` (the loop that ties them).
//!
//! Everything the PHP thread and the sender share lives in one `Runtime` per process
//! generation. A fork bumps the generation; the child then abandons the inherited runtime
//! without touching its locks, threads or buffers, and starts its own on its first emit.

mod batch;
pub mod clock;
mod concurrency;
mod edge;
pub mod fork;
mod inflight;
pub mod ini;
mod pacing;
pub mod policy;
pub mod record;
mod sender;
pub mod spool;
mod writer;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::Thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, TrySendError};
use serde::Serialize;
use serde_json::value::RawValue;

pub use ini::{ini, set_ini, IniValues};
pub use record::Destination;
use record::SpoolRecord;
use spool::Segment;
use writer::{SpoolFailure, Writer};

use crate::mapping::{DocumentKind, Mapped};
use crate::settings::Settings;

/// Why events were counted in `dropped`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// The spool reached `spool_max_bytes`.
    SpoolFull,
    /// The spool could not be written and the in-memory queue was full too.
    MemoryFull,
    /// The spool segment holding them was deleted before they were read back.
    SpoolDeleted,
    /// They were held in memory only (the spool was unwritable) when the process ended.
    ExitedInMemory,
}

impl DropReason {
    const ALL: [DropReason; 4] = [DropReason::SpoolFull, DropReason::MemoryFull, DropReason::SpoolDeleted, DropReason::ExitedInMemory];

    pub fn name(self) -> &'static str {
        match self {
            DropReason::SpoolFull => "spool_full",
            DropReason::MemoryFull => "memory_full",
            DropReason::SpoolDeleted => "spool_deleted",
            DropReason::ExitedInMemory => "exited_in_memory",
        }
    }
}

/// Counters of this process (since it started or forked) and gauges of its spool.
#[derive(Debug, Default)]
pub struct Shared {
    pub accepted: AtomicU64,
    pub delivered: AtomicU64,
    pub retried: AtomicU64,
    pub failed: AtomicU64,
    dropped: [AtomicU64; 4],
    pub corrupt: AtomicU64,
    pub panics: AtomicU64,
    /// Accepted by this process and not yet final.
    pub in_flight: AtomicI64,
    /// Adopted from dead processes and not yet final.
    pub adopted_pending: AtomicI64,
    /// Held in memory only (the spool could not be written): lost if the process ends first.
    pub at_risk: AtomicU64,
    pub spool_bytes: AtomicU64,
    pub requests_in_flight: AtomicU64,
    pub concurrency: AtomicU64,
    pub last_delivery_ms: AtomicI64,
    pub sender_running: AtomicBool,
    pub flush_requested: AtomicBool,
    pub shutting_down: AtomicBool,
    /// Set when an event was spooled but the channel was full: the sender reads it back.
    pub overflow: AtomicBool,
    /// Asks the sender for an adoption round now (flush).
    pub adopt_requested: AtomicBool,
    /// Adoption rounds done, and whether the last one left orphans behind.
    pub adopt_rounds: AtomicU64,
    pub orphans_left: AtomicBool,
    /// Spool segments the sender still holds (own and adopted), published after each round.
    pub segments_open: AtomicU64,
    pub last_error: Mutex<String>,
    pub settings: Mutex<Arc<Settings>>,
    /// Segments the writer started, for the sender to take charge of (and keep locked) even when
    /// none of their events came through the channel.
    pub new_segments: Mutex<Vec<Arc<Segment>>>,
}

impl Shared {
    pub fn set_error(&self, message: impl Into<String>) {
        if let Ok(mut e) = self.last_error.lock() {
            *e = message.into();
        }
    }

    fn settings(&self) -> Arc<Settings> {
        match self.settings.lock() {
            Ok(s) => Arc::clone(&s),
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }

    pub fn drop_events(&self, reason: DropReason, n: u64) {
        if let Some(i) = DropReason::ALL.iter().position(|r| *r == reason) {
            self.dropped[i].fetch_add(n, Ordering::Relaxed);
        }
    }

    fn dropped(&self) -> BTreeMap<DropReason, u64> {
        DropReason::ALL
            .iter()
            .zip(&self.dropped)
            .map(|(r, n)| (*r, n.load(Ordering::Relaxed)))
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}

/// One accepted event on its way to the sender.
pub struct Item {
    /// Where its spool record is, when it was spooled.
    pub spooled: Option<writer::Spooled>,
    pub record: SpoolRecord,
}

struct Runtime {
    generation: u64,
    shared: Arc<Shared>,
    tx: Sender<Item>,
    thread: Thread,
    writer: Writer,
    warned_this_request: bool,
}

/// Only the PHP thread takes this lock, so a fork can never inherit it held.
static RUNTIME: Mutex<Option<Runtime>> = Mutex::new(None);
/// Wake the sender when this many events wait, instead of once per event.
const HIGH_WATER: usize = 64;
/// The channel's slots are allocated up front (about 170 bytes each, ~0.7 MB here, per process);
/// when it is full the event is still in the spool and the sender reads it back from there.
const CHANNEL_CAPACITY: usize = 4_096;

pub fn install_fork_handler() {
    fork::install_handler();
}

fn lock_runtime() -> std::sync::MutexGuard<'static, Option<Runtime>> {
    match RUNTIME.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

pub(crate) fn spool_dir(settings: &Settings) -> PathBuf {
    settings.spool_dir.clone().unwrap_or_else(|| ini().spool_dir.clone())
}

fn spool_max_bytes(settings: &Settings) -> u64 {
    settings.spool_max_bytes.unwrap_or_else(|| ini().spool_max_bytes)
}

/// The runtime of this process generation, created (and its sender started) on first use.
fn runtime(slot: &mut Option<Runtime>) -> &mut Runtime {
    let generation = fork::generation();
    if slot.as_ref().is_some_and(|r| r.generation != generation) {
        // Inherited from the parent across fork: its threads do not exist here and its locks
        // may be held forever. Leak it rather than drop, join or flush anything.
        if let Some(old) = slot.take() {
            std::mem::forget(old);
        }
        fork::close_inherited_segment_fds();
    }
    slot.get_or_insert_with(|| start(generation))
}

fn start(generation: u64) -> Runtime {
    let shared = Arc::new(Shared::default());
    if let Ok(mut s) = shared.settings.lock() {
        *s = crate::settings::current();
    }
    let (tx, rx) = crossbeam_channel::bounded(CHANNEL_CAPACITY);
    let thread = sender::spawn(Arc::clone(&shared), rx);
    Runtime { generation, shared, tx, thread, writer: Writer::new(), warned_this_request: false }
}

/// Why `emit` did not simply accept an event.
pub enum EmitError {
    /// It can never be sent (too large for any Edge request): nothing is queued; the caller
    /// gets an `InvalidEventException` with this message.
    Refused(String),
    /// It was accepted in a degraded way (memory only) or dropped (counted); a warning for the
    /// caller to raise at most once per request (empty: already warned). The id is valid.
    Degraded(String),
}

/// Accepts a mapped event: spool append, then channel send. Never touches the network, never
/// blocks.
pub fn emit(mapped: Mapped, dest: &Destination) -> Result<(), EmitError> {
    let settings = crate::settings::current();
    // Refused before anything is counted or written: what is accepted must be sendable.
    let limit = settings.batch_max_bytes.saturating_sub(edge::REQUEST_OVERHEAD);
    let size = mapped.json.len() + edge::EVENT_OVERHEAD;
    if let Some(reason) = policy::before_sending(size, limit, Duration::ZERO, u64::MAX) {
        return Err(EmitError::Refused(format!("{reason}; an order this large cannot be sent to the Edge (see README, \"Orders too large for one request\")")));
    }
    if !ini().enabled {
        return Ok(());
    }
    let mut guard = lock_runtime();
    let rt = runtime(&mut guard);
    let settings = rt.shared.settings();
    let xdm = match RawValue::from_string(mapped.json) {
        Ok(raw) => raw,
        Err(e) => return Err(EmitError::Refused(format!("internal: mapped document is not JSON: {e}"))),
    };
    let stamp = clock::now();
    let record = SpoolRecord {
        id: mapped.id,
        profile: mapped.kind == DocumentKind::ProfileRecord,
        dest: dest.clone(),
        accepted_ms: stamp.wall_ms,
        accepted_boot: stamp.boot,
        xdm,
    };
    let shared = Arc::clone(&rt.shared);
    shared.accepted.fetch_add(1, Ordering::Relaxed);
    let mut warning = None;
    let spooled = match rt.writer.append(&shared, spool_dir(&settings), spool_max_bytes(&settings), &record) {
        Ok(at) => Some(at),
        Err(SpoolFailure::Full(message)) => {
            shared.drop_events(DropReason::SpoolFull, 1);
            shared.set_error(message.clone());
            return Err(rt.warn_once(message));
        }
        Err(SpoolFailure::Io(message)) => {
            shared.set_error(message.clone());
            warning = Some(message);
            None
        }
    };
    shared.in_flight.fetch_add(1, Ordering::AcqRel);
    let was_spooled = spooled.is_some();
    if !was_spooled {
        shared.at_risk.fetch_add(1, Ordering::AcqRel);
    }
    match rt.tx.try_send(Item { spooled, record }) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) if was_spooled => shared.overflow.store(true, Ordering::Release),
        Err(_) => {
            shared.in_flight.fetch_sub(1, Ordering::AcqRel);
            shared.at_risk.fetch_sub(1, Ordering::AcqRel);
            shared.drop_events(DropReason::MemoryFull, 1);
            let message = "event dropped: the spool is unavailable and the sender's queue is full".to_string();
            shared.set_error(message.clone());
            return Err(rt.warn_once(message));
        }
    }
    if rt.tx.len() >= HIGH_WATER || shared.overflow.load(Ordering::Acquire) {
        rt.thread.unpark();
    }
    match warning {
        Some(w) => Err(rt.warn_once(w)),
        None => Ok(()),
    }
}

impl Runtime {
    fn warn_once(&mut self, message: String) -> EmitError {
        if self.warned_this_request {
            EmitError::Degraded(String::new())
        } else {
            self.warned_this_request = true;
            EmitError::Degraded(message)
        }
    }
}

/// Request start: a new request may warn again.
pub fn request_started() {
    if let Ok(mut guard) = RUNTIME.try_lock() {
        if let Some(rt) = guard.as_mut() {
            rt.warned_this_request = false;
        }
    }
}

/// New settings from `xdm_relay_configure`; cheap when unchanged.
pub fn settings_changed(settings: Arc<Settings>) {
    let guard = lock_runtime();
    if let Some(rt) = guard.as_ref().filter(|r| r.generation == fork::generation()) {
        if let Ok(mut s) = rt.shared.settings.lock() {
            *s = settings;
        }
    }
}

/// Waits until everything this process accepted has a final answer, and so has every orphan it
/// can adopt (it asks for an adoption round first), or the timeout passes. Segments that other
/// live processes hold are theirs to deliver and are not waited for.
pub fn flush(timeout: Duration) -> bool {
    let (shared, thread) = {
        let mut guard = lock_runtime();
        // A process that never emitted still adopts what dead ones left.
        let rt = runtime(&mut guard);
        (Arc::clone(&rt.shared), rt.thread.clone())
    };
    let round = shared.adopt_rounds.load(Ordering::Acquire);
    shared.adopt_requested.store(true, Ordering::Release);
    wait_idle(&shared, &thread, timeout, |s| {
        s.adopt_rounds.load(Ordering::Acquire) > round
            && !s.orphans_left.load(Ordering::Acquire)
            && s.adopted_pending.load(Ordering::Acquire) <= 0
    })
}

fn wait_idle(shared: &Shared, thread: &Thread, timeout: Duration, also: impl Fn(&Shared) -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    shared.flush_requested.store(true, Ordering::Release);
    thread.unpark();
    let mut pause = Duration::from_micros(200);
    loop {
        if shared.in_flight.load(Ordering::Acquire) <= 0 && also(shared) {
            shared.flush_requested.store(false, Ordering::Release);
            return true;
        }
        let now = Instant::now();
        if now >= deadline {
            shared.flush_requested.store(false, Ordering::Release);
            return false;
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(10));
    }
}

/// End of the process (CLI exit, FPM worker recycle): give the sender a bounded moment, never
/// more; whatever is left stays in the spool for the next process. Events that were only ever
/// in memory and are still undelivered are lost: counted, recorded in `losses.jsonl` (so the
/// status of any process shows them) and reported on stderr (the FPM log).
pub fn shutdown() {
    let Ok(mut guard) = RUNTIME.try_lock() else {
        return;
    };
    let Some(rt) = guard.as_mut().filter(|r| r.generation == fork::generation()) else {
        return;
    };
    rt.writer.seal();
    rt.shared.shutting_down.store(true, Ordering::Release);
    let settings = rt.shared.settings();
    let timeout = Duration::from_millis(settings.shutdown_timeout_ms);
    let (shared, thread) = (Arc::clone(&rt.shared), rt.thread.clone());
    drop(guard);
    // Also wait for the sender to delete the sealed, fully delivered segments, so a clean exit
    // leaves an empty spool.
    wait_idle(&shared, &thread, timeout, |s| s.segments_open.load(Ordering::Acquire) == 0);
    let lost = shared.at_risk.load(Ordering::Acquire);
    if lost > 0 {
        shared.drop_events(DropReason::ExitedInMemory, lost);
        let line = serde_json::json!({
            "at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "pid": std::process::id(),
            "reason": DropReason::ExitedInMemory,
            "events": lost,
        });
        let dir = spool_dir(&settings);
        let written = spool::record_loss(&dir, &line).map(|p| p.display().to_string()).unwrap_or_else(|e| format!("nowhere ({e})"));
        eprintln!("xdm_relay: {lost} event(s) held in memory only (spool {} unwritable) were lost at process exit; recorded in {written}", dir.display());
    }
}

/// The contract's `xdm_relay_stats()` values: this process's counters, then the spool-wide
/// backlog that every process sees alike.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub accepted: u64,
    pub delivered: u64,
    pub retried: u64,
    pub failed: u64,
    pub dropped: u64,
    pub dropped_reasons: BTreeMap<DropReason, u64>,
    pub queued: u64,
    pub at_risk: u64,
    pub adopted_pending: u64,
    pub spool_bytes: u64,
    pub spool_events: u64,
    pub corrupt: u64,
    pub sender_panics: u64,
    pub requests_in_flight: u64,
    pub concurrency: u64,
    pub last_error: String,
    pub last_delivery_at: Option<String>,
    pub sender_running: bool,
    pub backlog: spool::Backlog,
}

pub fn stats() -> Stats {
    let guard = lock_runtime();
    let current = guard.as_ref().filter(|r| r.generation == fork::generation());
    let settings = current.map(|rt| rt.shared.settings()).unwrap_or_else(crate::settings::current);
    let backlog = spool::backlog(&spool_dir(&settings), clock::now());
    let Some(rt) = current else {
        return Stats { spool_bytes: backlog.bytes, spool_events: backlog.events, backlog, ..Stats::default() };
    };
    let s = &rt.shared;
    let last = s.last_delivery_ms.load(Ordering::Relaxed);
    let dropped_reasons = s.dropped();
    Stats {
        accepted: s.accepted.load(Ordering::Relaxed),
        delivered: s.delivered.load(Ordering::Relaxed),
        retried: s.retried.load(Ordering::Relaxed),
        failed: s.failed.load(Ordering::Relaxed),
        dropped: dropped_reasons.values().sum(),
        dropped_reasons,
        queued: s.in_flight.load(Ordering::Relaxed).max(0) as u64,
        at_risk: s.at_risk.load(Ordering::Relaxed),
        adopted_pending: s.adopted_pending.load(Ordering::Relaxed).max(0) as u64,
        // Spool-wide, so that a process with nothing of its own still shows what waits.
        spool_bytes: backlog.bytes,
        spool_events: backlog.events + s.at_risk.load(Ordering::Relaxed),
        corrupt: s.corrupt.load(Ordering::Relaxed),
        sender_panics: s.panics.load(Ordering::Relaxed),
        requests_in_flight: s.requests_in_flight.load(Ordering::Relaxed),
        concurrency: s.concurrency.load(Ordering::Relaxed),
        // Blocking is fine: the sender holds this lock only to replace the string.
        last_error: s.last_error.lock().map(|e| e.clone()).unwrap_or_default(),
        last_delivery_at: (last > 0)
            .then(|| chrono::DateTime::from_timestamp_millis(last).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)))
            .flatten(),
        sender_running: s.sender_running.load(Ordering::Relaxed),
        backlog,
    }
}

/// An IMS access token for the admin's Platform API calls, fetched now; `None` without OAuth
/// credentials.
pub fn fresh_token(settings: &crate::settings::Settings) -> Option<Result<String, policy::Outcome>> {
    edge::Client::new(settings).fresh_token()
}

pub fn test_connection(dest: &Destination) -> (bool, u16, String, f64) {
    edge::test_connection(&crate::settings::current(), dest)
}

pub fn now_ms() -> i64 {
    clock::wall_ms()
}
