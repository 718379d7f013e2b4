//! The sender thread: takes accepted events from the channel (or reads them back from the
//! spool), batches them per destination, sends them, retries what may be retried, and records
//! every final answer (acknowledgement or dead letter) so that segments can be deleted.

use std::collections::{HashMap, HashSet, VecDeque};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::Thread;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use serde_json::value::RawValue;

use super::edge::{self, EdgeClient, Outcome};
use super::record::{Destination, SpoolRecord};
use super::spool::{self, Segment};
use super::{now_ms, retry, Item, Shared};
use crate::settings::Settings;

/// How often the sender looks for orphaned segments of dead processes.
const ADOPT_EVERY: Duration = Duration::from_secs(5);
/// Spool bytes adopted per round; more orphans are taken as soon as the queue runs low.
const ADOPT_BUDGET_BYTES: u64 = 16 * 1024 * 1024;
/// "Low": fewer events than this waiting.
const ADOPT_MORE_BELOW: usize = 1_000;

struct Pending {
    record: SpoolRecord,
    spooled: Option<(Arc<Segment>, u64)>,
    /// Bytes it adds to a request body.
    size: usize,
    attempts: u32,
    due: Instant,
    /// When it became ready to send, for the time-based flush.
    queued_at: Instant,
    /// After a 413 the batch it was in is split: it may travel with at most this many others.
    max_batch: usize,
    /// Owned by this process (counted in `in_flight`) rather than adopted from a dead one.
    own: bool,
}

/// Per segment: how many of its records this sender still owes an answer for.
struct Track {
    segment: Arc<Segment>,
    /// Offset just past the last record taken from this segment.
    next_offset: u64,
    received: u64,
    outstanding: u64,
    adopted: bool,
}

struct State {
    shared: Arc<Shared>,
    pending: VecDeque<Pending>,
    tracks: HashMap<PathBuf, Track>,
    client: EdgeClient,
    settings: Arc<Settings>,
    last_adopt: Option<Instant>,
    /// The last adoption round stopped at its budget.
    orphans_left: bool,
    seed: u64,
}

pub fn spawn(shared: Arc<Shared>, rx: Receiver<Item>) -> Thread {
    // The thread inherits the signal mask of its creator: block everything while spawning so
    // that PHP's timeout signals (SIGPROF, SIGALRM) and FPM's SIGTERM/SIGQUIT always reach the
    // PHP thread, never this one.
    let mut all: libc::sigset_t = unsafe { std::mem::zeroed() };
    let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: plain signal-mask manipulation of the calling thread with valid pointers.
    unsafe {
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
    }
    let thread_shared = Arc::clone(&shared);
    let spawned = std::thread::Builder::new()
        .name("xdm-relay-sender".to_string())
        .spawn(move || run(thread_shared, rx));
    // SAFETY: restores the mask saved above.
    unsafe {
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
    }
    match spawned {
        Ok(handle) => {
            shared.sender_running.store(true, Ordering::Release);
            handle.thread().clone()
        }
        Err(e) => {
            shared.set_error(format!("cannot start the sender thread: {e}; events stay in the spool"));
            std::thread::current()
        }
    }
}

fn run(shared: Arc<Shared>, rx: Receiver<Item>) {
    let settings = shared.settings();
    let mut state = State {
        client: EdgeClient::new(&settings),
        settings,
        shared: Arc::clone(&shared),
        pending: VecDeque::new(),
        tracks: HashMap::new(),
        last_adopt: None,
        orphans_left: false,
        seed: retry::jitter_seed(),
    };
    loop {
        // A panic must not end delivery: count it and go on with the same queue (every event in
        // it is also in the spool).
        let wait = std::panic::catch_unwind(AssertUnwindSafe(|| state.iteration(&rx)));
        let wait = match wait {
            Ok(w) => w,
            Err(_) => {
                shared.panics.fetch_add(1, Ordering::Relaxed);
                shared.set_error("internal error in the sender thread (recovered)");
                Duration::from_millis(100)
            }
        };
        if !wait.is_zero() {
            std::thread::park_timeout(wait);
        }
    }
}

impl State {
    /// One round; returns how long to sleep before the next (zero: go on at once).
    fn iteration(&mut self, rx: &Receiver<Item>) -> Duration {
        let fresh = self.shared.settings();
        if !Arc::ptr_eq(&fresh, &self.settings) {
            if fresh.edge_url != self.settings.edge_url || fresh.request_timeout_ms != self.settings.request_timeout_ms || fresh.auth != self.settings.auth {
                self.client = EdgeClient::new(&fresh);
            }
            self.settings = fresh;
        }
        self.take_new(rx);
        let more_now = self.orphans_left && self.pending.len() < ADOPT_MORE_BELOW;
        if more_now || self.last_adopt.is_none_or(|t| t.elapsed() >= ADOPT_EVERY) {
            self.adopt();
        }
        for track in self.tracks.values() {
            if !track.adopted {
                track.segment.sync();
            }
        }
        self.reap();
        let sent_something = self.send_due();
        self.shared
            .spool_events
            .store(self.pending.len() as u64 + rx.len() as u64, Ordering::Relaxed);
        if sent_something || !rx.is_empty() {
            return Duration::ZERO;
        }
        self.next_wake()
    }

    fn take_new(&mut self, rx: &Receiver<Item>) {
        let started: Vec<Arc<Segment>> = match self.shared.new_segments.lock() {
            Ok(mut new) => std::mem::take(&mut *new),
            Err(_) => Vec::new(),
        };
        for segment in started {
            self.track(&segment);
        }
        while let Ok(item) = rx.try_recv() {
            match item.spooled {
                Some((segment, offset, end)) => {
                    let next = self.track(&segment).next_offset;
                    if offset < next {
                        continue; // already read back from the file
                    }
                    if offset > next {
                        self.read_back(&segment, next, Some(offset));
                    }
                    let track = self.track(&segment);
                    track.received += 1;
                    track.outstanding += 1;
                    track.next_offset = end;
                    self.push(item.record, Some((segment, offset)), true);
                }
                None => self.push(item.record, None, true),
            }
        }
        if self.shared.overflow.swap(false, Ordering::AcqRel) {
            let own: Vec<(Arc<Segment>, u64)> = self
                .tracks
                .values()
                .filter(|t| !t.adopted)
                .map(|t| (Arc::clone(&t.segment), t.next_offset))
                .collect();
            for (segment, from) in own {
                self.read_back(&segment, from, None);
            }
        }
    }

    fn track(&mut self, segment: &Arc<Segment>) -> &mut Track {
        self.tracks.entry(segment.path.clone()).or_insert_with(|| Track {
            segment: Arc::clone(segment),
            next_offset: 0,
            received: 0,
            outstanding: 0,
            adopted: false,
        })
    }

    /// Reads records of an own segment that never came through the channel (it was full).
    fn read_back(&mut self, segment: &Arc<Segment>, from: u64, until: Option<u64>) {
        let Ok(decoded) = segment.read_from(from) else {
            return;
        };
        let mut taken = Vec::new();
        let mut records = decoded.records.into_iter().peekable();
        while let Some((offset, record)) = records.next() {
            if until.is_some_and(|u| offset >= u) {
                break;
            }
            let end = records.peek().map(|(next, _)| *next).unwrap_or(decoded.end);
            taken.push((offset, end, record));
        }
        let track = self.track(segment);
        for (_, end, _) in &taken {
            track.received += 1;
            track.outstanding += 1;
            track.next_offset = *end;
        }
        for (offset, _, record) in taken {
            self.push(record, Some((Arc::clone(segment), offset)), true);
        }
    }

    fn push(&mut self, record: SpoolRecord, spooled: Option<(Arc<Segment>, u64)>, own: bool) {
        let now = Instant::now();
        let size = record.xdm.get().len() + edge::EVENT_OVERHEAD;
        self.pending.push_back(Pending {
            record,
            spooled,
            size,
            attempts: 0,
            due: now,
            queued_at: now,
            max_batch: usize::MAX,
            own,
        });
    }

    fn adopt(&mut self) {
        self.last_adopt = Some(Instant::now());
        let dir = super::spool_dir(&self.settings);
        let own: HashSet<PathBuf> = self.tracks.keys().cloned().collect();
        let (adopted_segments, left) = spool::adopt_orphans(&dir, &own, ADOPT_BUDGET_BYTES);
        self.orphans_left = left;
        for adopted in adopted_segments {
            self.shared.corrupt.fetch_add(adopted.corrupt, Ordering::Relaxed);
            if adopted.corrupt > 0 {
                self.shared.set_error(format!(
                    "skipped {} corrupt stretch(es) in spool segment {}",
                    adopted.corrupt,
                    adopted.segment.path.display()
                ));
            }
            if adopted.pending.is_empty() {
                adopted.segment.remove();
                continue;
            }
            self.tracks.insert(
                adopted.segment.path.clone(),
                Track {
                    segment: Arc::clone(&adopted.segment),
                    next_offset: u64::MAX,
                    received: adopted.pending.len() as u64,
                    outstanding: adopted.pending.len() as u64,
                    adopted: true,
                },
            );
            for (offset, record) in adopted.pending {
                self.push(record, Some((Arc::clone(&adopted.segment), offset)), false);
            }
        }
        let (bytes, _) = spool::usage(&dir);
        self.shared.spool_bytes.store(bytes, Ordering::Relaxed);
    }

    fn max_body(&self) -> usize {
        self.settings.batch_max_bytes
    }

    /// Sends every batch that is due; returns whether it sent anything.
    fn send_due(&mut self) -> bool {
        let now = Instant::now();
        let flush = self.shared.flush_requested.load(Ordering::Acquire) || self.shared.shutting_down.load(Ordering::Acquire);
        let interval = Duration::from_millis(self.settings.flush_interval_ms);
        let max_age_ms = self.settings.max_retry_age_s as i64 * 1000;
        // Final answers that need no request: too old, or too large to ever be sent.
        let limit = self.max_body().saturating_sub(edge::REQUEST_OVERHEAD);
        let mut keep = VecDeque::with_capacity(self.pending.len());
        while let Some(p) = self.pending.pop_front() {
            if p.size > limit {
                let reason = format!("event is {} bytes; a request may carry at most {} (Edge limit 64 KB)", p.size, limit);
                self.finish(p, Err((413, reason)));
            } else if p.attempts > 0 && now_ms() - p.record.accepted_ms > max_age_ms {
                let reason = format!("not delivered within max_retry_age_s ({} s)", self.settings.max_retry_age_s);
                self.finish(p, Err((0, reason)));
            } else {
                keep.push_back(p);
            }
        }
        self.pending = keep;

        let mut sent = false;
        loop {
            let Some(first) = self.pending.iter().position(|p| p.due <= now) else {
                break;
            };
            let key = (self.pending[first].record.dest.clone(), self.pending[first].record.profile);
            let ready: Vec<usize> = self
                .pending
                .iter()
                .enumerate()
                .filter(|(_, p)| p.due <= now && (p.record.dest.clone(), p.record.profile) == key)
                .map(|(i, _)| i)
                .collect();
            let cap = ready.iter().map(|&i| self.pending[i].max_batch).min().unwrap_or(1).min(self.settings.batch_max_events).max(1);
            let mut chosen = Vec::new();
            let mut bytes = edge::REQUEST_OVERHEAD;
            for &i in &ready {
                let size = self.pending[i].size;
                if chosen.len() >= cap || bytes + size > self.max_body() {
                    break;
                }
                bytes += size;
                chosen.push(i);
            }
            let full = chosen.len() >= cap || chosen.len() < ready.len();
            let oldest_waited = chosen.iter().map(|&i| now.saturating_duration_since(self.pending[i].queued_at)).max().unwrap_or_default();
            let retrying = chosen.iter().any(|&i| self.pending[i].attempts > 0);
            if !(full || flush || retrying || oldest_waited >= interval) {
                break;
            }
            let mut batch = Vec::with_capacity(chosen.len());
            for i in chosen.into_iter().rev() {
                if let Some(p) = self.pending.remove(i) {
                    batch.push(p);
                }
            }
            batch.reverse();
            self.deliver(key.0, key.1, batch);
            sent = true;
        }
        sent
    }

    fn deliver(&mut self, dest: Destination, profile: bool, batch: Vec<Pending>) {
        let raw: Vec<&RawValue> = batch.iter().map(|p| p.record.xdm.as_ref()).collect();
        let body = match edge::request_body(&dest, profile, &raw) {
            Ok(b) => b,
            Err(reason) => {
                for p in batch {
                    self.finish(p, Err((0, reason.clone())));
                }
                return;
            }
        };
        let mut outcome = self.client.send(&self.settings, &dest, &body);
        if outcome == Outcome::TokenExpired {
            self.client.forget_token();
            outcome = self.client.send(&self.settings, &dest, &body);
        }
        match outcome {
            Outcome::Delivered { warning } => {
                if let Some(w) = warning {
                    self.shared.set_error(w);
                }
                self.shared.last_delivery_ms.store(now_ms(), Ordering::Relaxed);
                for p in batch {
                    self.finish(p, Ok(()));
                }
            }
            Outcome::Retry { after, reason } => {
                self.shared.set_error(reason);
                for mut p in batch {
                    self.shared.retried.fetch_add(1, Ordering::Relaxed);
                    p.attempts += 1;
                    self.seed = self.seed.rotate_left(13) ^ 0x2545_F491_4F6C_DD1D;
                    let wait = after.unwrap_or_else(|| retry::backoff(p.attempts, self.seed));
                    p.due = Instant::now() + wait;
                    self.pending.push_back(p);
                }
            }
            Outcome::Split => {
                let half = (batch.len() / 2).max(1);
                if batch.len() == 1 {
                    for p in batch {
                        self.finish(p, Err((413, "the Edge refused the event as too large (413)".to_string())));
                    }
                } else {
                    for mut p in batch {
                        p.max_batch = half;
                        self.pending.push_front(p);
                    }
                }
            }
            Outcome::TokenExpired => {
                for p in batch {
                    self.finish(p, Err((401, "the Edge refused a freshly fetched IMS token as expired".to_string())));
                }
            }
            Outcome::Final { status, reason } => {
                self.shared.set_error(reason.clone());
                for p in batch {
                    self.finish(p, Err((status, reason.clone())));
                }
            }
        }
    }

    /// Records the final answer of one event.
    fn finish(&mut self, p: Pending, result: Result<(), (u16, String)>) {
        match &result {
            Ok(()) => {
                self.shared.delivered.fetch_add(1, Ordering::Relaxed);
            }
            Err((status, reason)) => {
                self.shared.failed.fetch_add(1, Ordering::Relaxed);
                let dir = super::spool_dir(&self.settings);
                let line = serde_json::json!({
                    "at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    "id": p.record.id,
                    "destination": p.record.dest,
                    "profile": p.record.profile,
                    "status": status,
                    "reason": reason,
                    "attempts": p.attempts,
                    "xdm": p.record.xdm,
                });
                if let Err(e) = spool::dead_letter(&dir, &line) {
                    self.shared.set_error(format!("cannot write the dead-letter file in {}: {e}", dir.display()));
                }
            }
        }
        if p.own {
            self.shared.in_flight.fetch_sub(1, Ordering::AcqRel);
        }
        if let Some((segment, offset)) = p.spooled {
            let _ = segment.ack(&[offset]);
            if let Some(track) = self.tracks.get_mut(&segment.path) {
                track.outstanding = track.outstanding.saturating_sub(1);
            }
        }
    }

    /// Deletes segments that will get no more records and whose every record is final.
    fn reap(&mut self) {
        let before = self.tracks.len();
        self.tracks.retain(|_, track| {
            let complete = track.outstanding == 0
                && track.segment.sealed.load(Ordering::Acquire)
                && (track.adopted || track.received >= track.segment.records.load(Ordering::Acquire));
            if complete {
                track.segment.remove();
            }
            !complete
        });
        if self.tracks.len() != before {
            let dir = super::spool_dir(&self.settings);
            self.shared.spool_bytes.store(spool::usage(&dir).0, Ordering::Relaxed);
        }
        self.shared.segments_open.store(self.tracks.len() as u64, Ordering::Release);
    }

    fn next_wake(&self) -> Duration {
        let now = Instant::now();
        let interval = Duration::from_millis(self.settings.flush_interval_ms);
        // Idle, the sender looks at its channel once per flush interval: an event emitted then
        // waits about one interval, without a wake-up per event.
        let mut wake = ADOPT_EVERY.min(interval.max(Duration::from_millis(1)));
        for p in &self.pending {
            let at = if p.attempts > 0 { p.due } else { p.queued_at + interval };
            wake = wake.min(at.saturating_duration_since(now));
        }
        if self.shared.flush_requested.load(Ordering::Acquire) || self.shared.shutting_down.load(Ordering::Acquire) {
            wake = wake.min(Duration::from_millis(5));
        }
        wake.max(Duration::from_millis(1))
    }
}
