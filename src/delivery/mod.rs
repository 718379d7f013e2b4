//! The pipeline: accept (spool append + channel send on the PHP thread), deliver (one sender
//! thread per process), survive fork and process death.
//!
//! Everything the PHP thread and the sender share lives in one `Runtime` per process
//! generation. A fork bumps the generation (an atfork handler does only that); the child then
//! abandons the inherited runtime without touching its locks, threads or buffers, and starts its
//! own on its first emit.

mod edge;
pub mod record;
pub mod retry;
mod sender;
pub mod spool;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::thread::Thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, TrySendError};
use serde_json::value::RawValue;

pub use record::Destination;
use record::SpoolRecord;
use spool::Segment;

use crate::mapping::{DocumentKind, Mapped};
use crate::settings::Settings;

/// Process-wide values from php.ini, read once at module startup.
#[derive(Debug, Clone)]
pub struct IniValues {
    pub enabled: bool,
    pub spool_dir: PathBuf,
    pub spool_max_bytes: u64,
}

impl Default for IniValues {
    fn default() -> Self {
        IniValues {
            enabled: true,
            spool_dir: default_spool_dir(),
            spool_max_bytes: 256 * 1024 * 1024,
        }
    }
}

/// Under the system temp dir, per user, so the FPM pool user and a CLI user never share files
/// they cannot both write.
pub fn default_spool_dir() -> PathBuf {
    // SAFETY: geteuid has no failure mode.
    let uid = unsafe { libc::geteuid() };
    std::env::temp_dir().join(format!("xdm-relay-{uid}"))
}

static INI: once_cell::sync::OnceCell<IniValues> = once_cell::sync::OnceCell::new();

pub fn set_ini(values: IniValues) {
    let _ = INI.set(values);
}

pub fn ini() -> &'static IniValues {
    INI.get_or_init(IniValues::default)
}

/// Counters of this process (since it started or forked) and gauges of its spool.
#[derive(Debug, Default)]
pub struct Shared {
    pub accepted: AtomicU64,
    pub delivered: AtomicU64,
    pub retried: AtomicU64,
    pub failed: AtomicU64,
    pub dropped: AtomicU64,
    pub corrupt: AtomicU64,
    pub panics: AtomicU64,
    /// Accepted by this process and not yet final.
    pub in_flight: AtomicI64,
    pub spool_bytes: AtomicU64,
    pub spool_events: AtomicU64,
    pub last_delivery_ms: AtomicI64,
    pub sender_running: AtomicBool,
    pub flush_requested: AtomicBool,
    pub shutting_down: AtomicBool,
    /// Set when an event was spooled but the channel was full: the sender reads it back.
    pub overflow: AtomicBool,
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
}

/// One accepted event on its way to the sender.
pub struct Item {
    /// The segment, offset and end offset of its spool record, when it was spooled.
    pub spooled: Option<(Arc<Segment>, u64, u64)>,
    pub record: SpoolRecord,
}

struct Writer {
    segment: Arc<Segment>,
    dir: PathBuf,
}

struct Runtime {
    generation: u64,
    shared: Arc<Shared>,
    tx: Sender<Item>,
    thread: Thread,
    writer: Option<Writer>,
    segment_seq: u64,
    warned_this_request: bool,
}

/// Bumped in a forked child; a runtime from another generation belongs to the parent.
static GENERATION: AtomicU64 = AtomicU64::new(0);
/// Only the PHP thread takes this lock, so a fork can never inherit it held.
static RUNTIME: Mutex<Option<Runtime>> = Mutex::new(None);
/// Wake the sender when this many events wait, instead of once per event.
const HIGH_WATER: usize = 64;
/// The channel's slots are allocated up front (about 170 bytes each, ~0.7 MB here, per process);
/// when it is full the event is still in the spool and the sender reads it back from there.
const CHANNEL_CAPACITY: usize = 4_096;

extern "C" fn after_fork_in_child() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// Installs the fork detector. Called at module startup; starts no thread.
pub fn install_fork_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a handler that only increments an atomic.
        unsafe {
            libc::pthread_atfork(None, None, Some(after_fork_in_child));
        }
    });
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
fn runtime<'a>(slot: &'a mut Option<Runtime>) -> &'a mut Runtime {
    let generation = GENERATION.load(Ordering::SeqCst);
    if slot.as_ref().is_some_and(|r| r.generation != generation) {
        // Inherited from the parent across fork: its thread does not exist here and its locks
        // may be held forever. Leak it rather than drop, join or flush anything.
        if let Some(old) = slot.take() {
            std::mem::forget(old);
        }
        spool::close_inherited_segment_fds();
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
    Runtime {
        generation,
        shared,
        tx,
        thread,
        writer: None,
        segment_seq: 0,
        warned_this_request: false,
    }
}

/// Why an event was not accepted; the message is for `last_error` and a PHP warning.
pub struct Degraded(pub String);

/// Accepts a mapped event: spool append, then channel send. Never touches the network, never
/// blocks. `Err` carries a warning for the caller to raise at most once per request; the event
/// id is valid either way.
pub fn emit(mapped: Mapped, dest: &Destination) -> Result<(), Degraded> {
    if !ini().enabled {
        return Ok(());
    }
    let mut guard = lock_runtime();
    let rt = runtime(&mut guard);
    let settings = rt.shared.settings();
    let profile = mapped.kind == DocumentKind::ProfileRecord;
    let xdm = match RawValue::from_string(mapped.json) {
        Ok(raw) => raw,
        Err(e) => return Err(Degraded(format!("internal: mapped document is not JSON: {e}"))),
    };
    let record = SpoolRecord {
        id: mapped.id,
        profile,
        dest: dest.clone(),
        accepted_ms: now_ms(),
        xdm,
    };
    let shared = Arc::clone(&rt.shared);
    shared.accepted.fetch_add(1, Ordering::Relaxed);
    let mut warning = None;
    let spooled = match spool_append(rt, &settings, &record) {
        Ok(at) => Some(at),
        Err(SpoolFailure::Full(message)) => {
            shared.dropped.fetch_add(1, Ordering::Relaxed);
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
    match rt.tx.try_send(Item { spooled, record }) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) if was_spooled => shared.overflow.store(true, Ordering::Release),
        Err(_) => {
            shared.in_flight.fetch_sub(1, Ordering::AcqRel);
            shared.dropped.fetch_add(1, Ordering::Relaxed);
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

enum SpoolFailure {
    /// The spool reached `spool_max_bytes`: the event is dropped (counted).
    Full(String),
    /// The spool cannot be written: the event is kept in memory only.
    Io(String),
}

fn spool_append(rt: &mut Runtime, settings: &Settings, record: &SpoolRecord) -> Result<(Arc<Segment>, u64, u64), SpoolFailure> {
    let frame = record::encode(record).map_err(SpoolFailure::Io)?;
    let max = spool_max_bytes(settings);
    let used = rt.shared.spool_bytes.load(Ordering::Relaxed);
    if used + frame.len() as u64 > max {
        return Err(SpoolFailure::Full(format!(
            "event {} dropped: the spool is full ({used} of {max} bytes, xdm_relay.spool_max_bytes)",
            record.id
        )));
    }
    let dir = spool_dir(settings);
    let needs_new = match &rt.writer {
        Some(w) => w.dir != dir || w.segment.len() >= spool::SEGMENT_ROTATE_BYTES,
        None => true,
    };
    if needs_new {
        if let Some(old) = rt.writer.take() {
            old.segment.sealed.store(true, Ordering::Release);
        }
        rt.segment_seq += 1;
        let segment = Segment::create(&dir, rt.segment_seq).map_err(|e| {
            SpoolFailure::Io(format!("spool directory {} is not writable ({e}); events are kept in memory only", dir.display()))
        })?;
        if let Ok(mut new) = rt.shared.new_segments.lock() {
            new.push(Arc::clone(&segment));
        }
        rt.writer = Some(Writer { segment, dir: dir.clone() });
    }
    let Some(writer) = &rt.writer else {
        return Err(SpoolFailure::Io("no spool segment".to_string()));
    };
    match writer.segment.append(&frame) {
        Ok(offset) => {
            rt.shared.spool_bytes.fetch_add(frame.len() as u64, Ordering::Relaxed);
            Ok((Arc::clone(&writer.segment), offset, offset + frame.len() as u64))
        }
        Err(e) => {
            // A failed append may have left a torn frame; start a fresh segment next time.
            if let Some(w) = rt.writer.take() {
                w.segment.sealed.store(true, Ordering::Release);
            }
            Err(SpoolFailure::Io(format!("cannot write the spool in {} ({e}); events are kept in memory only", dir.display())))
        }
    }
}

impl Runtime {
    fn warn_once(&mut self, message: String) -> Degraded {
        if self.warned_this_request {
            Degraded(String::new())
        } else {
            self.warned_this_request = true;
            Degraded(message)
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
    if let Some(rt) = guard.as_ref().filter(|r| r.generation == GENERATION.load(Ordering::SeqCst)) {
        if let Ok(mut s) = rt.shared.settings.lock() {
            *s = settings;
        }
    }
}

/// Waits until everything this process accepted has a final answer, or the timeout passes.
pub fn flush(timeout: Duration) -> bool {
    let (shared, thread) = {
        let guard = lock_runtime();
        match guard.as_ref().filter(|r| r.generation == GENERATION.load(Ordering::SeqCst)) {
            Some(rt) => (Arc::clone(&rt.shared), rt.thread.clone()),
            None => return true,
        }
    };
    wait_idle(&shared, &thread, timeout, false)
}

fn wait_idle(shared: &Shared, thread: &Thread, timeout: Duration, segments_too: bool) -> bool {
    let deadline = Instant::now() + timeout;
    shared.flush_requested.store(true, Ordering::Release);
    thread.unpark();
    let mut pause = Duration::from_micros(200);
    loop {
        let idle = shared.in_flight.load(Ordering::Acquire) <= 0
            && (!segments_too || shared.segments_open.load(Ordering::Acquire) == 0);
        if idle {
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
/// more; whatever is left stays in the spool for the next process.
pub fn shutdown() {
    let Ok(mut guard) = RUNTIME.try_lock() else {
        return;
    };
    let Some(rt) = guard.as_mut().filter(|r| r.generation == GENERATION.load(Ordering::SeqCst)) else {
        return;
    };
    if let Some(w) = rt.writer.take() {
        w.segment.sealed.store(true, Ordering::Release);
    }
    rt.shared.shutting_down.store(true, Ordering::Release);
    let timeout = Duration::from_millis(rt.shared.settings().shutdown_timeout_ms);
    let (shared, thread) = (Arc::clone(&rt.shared), rt.thread.clone());
    drop(guard);
    // Also wait for the sender to delete the sealed, fully delivered segments, so a clean exit
    // leaves an empty spool.
    wait_idle(&shared, &thread, timeout, true);
}

/// The contract's `xdm_relay_stats()` values.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub accepted: u64,
    pub delivered: u64,
    pub retried: u64,
    pub failed: u64,
    pub dropped: u64,
    pub queued: u64,
    pub spool_bytes: u64,
    pub spool_events: u64,
    pub corrupt: u64,
    pub sender_panics: u64,
    pub last_error: String,
    pub last_delivery_at: Option<String>,
    pub sender_running: bool,
}

pub fn stats() -> Stats {
    let guard = lock_runtime();
    let current = guard.as_ref().filter(|r| r.generation == GENERATION.load(Ordering::SeqCst));
    let Some(rt) = current else {
        let (bytes, _) = spool::usage(&spool_dir(&crate::settings::current()));
        return Stats {
            spool_bytes: bytes,
            ..Stats::default()
        };
    };
    let s = &rt.shared;
    let last = s.last_delivery_ms.load(Ordering::Relaxed);
    Stats {
        accepted: s.accepted.load(Ordering::Relaxed),
        delivered: s.delivered.load(Ordering::Relaxed),
        retried: s.retried.load(Ordering::Relaxed),
        failed: s.failed.load(Ordering::Relaxed),
        dropped: s.dropped.load(Ordering::Relaxed),
        queued: s.in_flight.load(Ordering::Relaxed).max(0) as u64,
        spool_bytes: s.spool_bytes.load(Ordering::Relaxed),
        spool_events: s.spool_events.load(Ordering::Relaxed),
        corrupt: s.corrupt.load(Ordering::Relaxed),
        sender_panics: s.panics.load(Ordering::Relaxed),
        last_error: s.last_error.try_lock().map(|e| e.clone()).unwrap_or_default(),
        last_delivery_at: (last > 0)
            .then(|| chrono::DateTime::from_timestamp_millis(last).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)))
            .flatten(),
        sender_running: s.sender_running.load(Ordering::Relaxed),
    }
}

pub fn test_connection(dest: &Destination) -> (bool, u16, String, f64) {
    edge::test_connection(&crate::settings::current(), dest)
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
