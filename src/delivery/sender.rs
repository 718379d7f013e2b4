//! The sender thread: takes accepted events from the channel (or reads them back from the
//! spool), adopts orphaned segments, queues events per destination, hands due batches to the
//! request workers within the adaptive concurrency limit and each destination's pacing, applies
//! the `policy` decision to every answer, and records every final answer (acknowledgement or
//! dead letter) so that segments can be deleted.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::Thread;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use serde_json::value::RawValue;

use super::batch::{self, Lanes, Limits};
use super::clock;
use super::concurrency::Limit;
use super::edge::{self, Client};
use super::inflight::{Done, Job, Pool};
use super::pacing::Pace;
use super::policy::{self, Final, Outcome};
use super::record::{self, Destination, SpoolRecord};
use super::spool::{self, Segment};
use super::{now_ms, DropReason, Item, Shared};
use crate::mapping::DocumentKind;
use crate::settings::Settings;

/// How often the sender looks for orphaned segments of dead processes when nothing else asks.
const ADOPT_EVERY: Duration = Duration::from_secs(2);
/// Events held in memory (queued and in flight) are bounded by bytes: past this, new events
/// stay in the spool (own ones are read back, orphans adopted) until the queue drains.
const WINDOW_BYTES: usize = 8 * 1024 * 1024;
/// Below this much queued, the sender reads more from the spool.
const REFILL_BELOW: usize = WINDOW_BYTES / 2;
/// How often the sender checks that its segments still exist and retries spooling events that
/// are in memory only.
const RESCUE_EVERY: Duration = Duration::from_secs(1);
/// After this long without a request in flight, the connection pool is dropped.
const IDLE_CONNECTIONS: Duration = Duration::from_secs(2);

/// Where a queued event's spool record is.
struct SpoolRef {
    segment: Arc<Segment>,
    offset: u64,
}

struct Pending {
    record: SpoolRecord,
    spooled: Option<SpoolRef>,
    /// Bytes it adds to a request body.
    size: usize,
    /// When it was accepted, on this process's monotonic clock (see `clock`).
    born: Instant,
    queued_at: Instant,
    max_batch: usize,
    attempts: u32,
    /// Owned by this process (counted in `in_flight`) rather than adopted from a dead one.
    own: bool,
}

impl batch::Item for Pending {
    fn bytes(&self) -> usize {
        self.size
    }
    fn max_batch(&self) -> usize {
        self.max_batch
    }
    fn queued_at(&self) -> Instant {
        self.queued_at
    }
}

/// One queue lane: a destination and a dataset kind (a request carries only one of each).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Lane {
    dest: Destination,
    profile: bool,
}

struct Flight {
    lane: Lane,
    batch: Vec<Pending>,
    sent_at: Instant,
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
    settings: Arc<Settings>,
    client: Arc<Client>,
    pool: Pool,
    queue: Lanes<Lane, Pending>,
    flights: HashMap<u64, Flight>,
    flight_bytes: usize,
    /// Pacing per datastream (the Edge URL is one per process; a new one resets them).
    paces: HashMap<String, Pace>,
    limit: Limit,
    tracks: HashMap<PathBuf, Track>,
    last_adopt: Option<Instant>,
    orphans_left: bool,
    last_rescue: Instant,
    rescue_seq: u64,
    idle_since: Option<Instant>,
    pool_used: bool,
    next_job: u64,
    seed: u64,
}

pub fn spawn(shared: Arc<Shared>, rx: Receiver<Item>) -> Thread {
    // The thread inherits the signal mask of its creator: block everything while spawning so
    // that PHP's timeout signals (SIGPROF, SIGALRM) and FPM's SIGTERM/SIGQUIT always reach the
    // PHP thread, never this one (nor the request workers it starts).
    // SAFETY: a zeroed sigset_t is a valid (empty) set for sigfillset to fill.
    let mut all: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: as above; pthread_sigmask fills it with the old mask.
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
        client: Arc::new(Client::new(&settings)),
        pool: Pool::new(std::thread::current()),
        limit: Limit::new(settings.max_concurrency),
        settings,
        shared: Arc::clone(&shared),
        queue: Lanes::default(),
        flights: HashMap::new(),
        flight_bytes: 0,
        paces: HashMap::new(),
        tracks: HashMap::new(),
        last_adopt: None,
        orphans_left: false,
        last_rescue: Instant::now(),
        rescue_seq: 0,
        idle_since: None,
        pool_used: false,
        next_job: 0,
        seed: policy::jitter_seed(),
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
        self.refresh_settings();
        let results: Vec<Done> = self.pool.results.try_iter().collect();
        for done in results {
            self.apply(done);
        }
        self.take_new(rx);
        if self.wants_adoption() {
            self.adopt();
        }
        for track in self.tracks.values() {
            if !track.adopted {
                track.segment.sync();
            }
        }
        if self.last_rescue.elapsed() >= RESCUE_EVERY {
            self.rescue();
        }
        self.reap();
        self.dispatch();
        self.idle_connections();
        self.publish();
        if !rx.is_empty() && self.held_bytes() < WINDOW_BYTES {
            return Duration::ZERO;
        }
        self.next_wake()
    }

    fn refresh_settings(&mut self) {
        let fresh = self.shared.settings();
        if Arc::ptr_eq(&fresh, &self.settings) {
            return;
        }
        let old = &self.settings;
        let transport_changed = fresh.edge_url != old.edge_url
            || fresh.auth != old.auth
            || fresh.org_id != old.org_id
            || (fresh.request_timeout_ms, fresh.connect_timeout_ms, fresh.read_timeout_ms, fresh.max_concurrency)
                != (old.request_timeout_ms, old.connect_timeout_ms, old.read_timeout_ms, old.max_concurrency);
        if transport_changed {
            self.client = Arc::new(Client::new(&fresh));
        }
        if fresh.edge_url != old.edge_url {
            self.paces.clear();
        }
        self.limit.set_max(fresh.max_concurrency);
        self.settings = fresh;
    }

    fn held_bytes(&self) -> usize {
        self.queue.bytes() + self.flight_bytes
    }

    fn take_new(&mut self, rx: &Receiver<Item>) {
        let started: Vec<Arc<Segment>> = match self.shared.new_segments.lock() {
            Ok(mut new) => std::mem::take(&mut *new),
            Err(_) => Vec::new(),
        };
        for segment in started {
            self.track(&segment);
        }
        // Past the window, events stay in the channel; once it is full they are read back
        // from the spool when there is room.
        while self.held_bytes() < WINDOW_BYTES {
            let Ok(item) = rx.try_recv() else { break };
            match item.spooled {
                Some(at) => {
                    let next = self.track(&at.segment).next_offset;
                    if at.offset < next {
                        continue; // already read back from the file
                    }
                    if at.offset > next {
                        self.read_back(&at.segment, next, Some(at.offset));
                    }
                    let track = self.track(&at.segment);
                    track.received += 1;
                    track.outstanding += 1;
                    track.next_offset = at.end;
                    self.push(item.record, Some(SpoolRef { segment: at.segment, offset: at.offset }), true);
                }
                None => self.push(item.record, None, true),
            }
        }
        if self.held_bytes() < REFILL_BELOW && self.shared.overflow.swap(false, Ordering::AcqRel) {
            let own: Vec<(Arc<Segment>, u64)> = self
                .tracks
                .values()
                .filter(|t| !t.adopted)
                .map(|t| (Arc::clone(&t.segment), t.next_offset))
                .collect();
            for (segment, from) in own {
                if self.held_bytes() >= WINDOW_BYTES {
                    // More next time round.
                    self.shared.overflow.store(true, Ordering::Release);
                    break;
                }
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

    /// Reads records of an own segment that never came through the channel (it was full), up
    /// to `until` or the window.
    fn read_back(&mut self, segment: &Arc<Segment>, from: u64, until: Option<u64>) {
        let Ok(decoded) = segment.read_from(from) else {
            return;
        };
        let mut records = decoded.records.into_iter().peekable();
        while let Some((offset, record)) = records.next() {
            if until.is_some_and(|u| offset >= u) || (until.is_none() && self.held_bytes() >= WINDOW_BYTES) {
                if until.is_none() {
                    self.shared.overflow.store(true, Ordering::Release);
                }
                break;
            }
            let end = records.peek().map(|(next, _)| *next).unwrap_or(decoded.end);
            let track = self.track(segment);
            track.received += 1;
            track.outstanding += 1;
            track.next_offset = end;
            self.push(record, Some(SpoolRef { segment: Arc::clone(segment), offset }), true);
        }
    }

    fn push(&mut self, record: SpoolRecord, spooled: Option<SpoolRef>, own: bool) {
        let now = Instant::now();
        let age = clock::age(record.accepted_ms, record.accepted_boot, clock::now());
        let lane = Lane { dest: record.dest.clone(), profile: record.profile };
        let pending = Pending {
            size: record.xdm.get().len() + edge::EVENT_OVERHEAD,
            record,
            spooled,
            born: now.checked_sub(age).unwrap_or(now),
            queued_at: now,
            max_batch: usize::MAX,
            attempts: 0,
            own,
        };
        self.queue.push_back(lane, pending);
    }

    /// Orphans are adopted at start, on flush, whenever the queue runs low while some are
    /// known to be left, and every `ADOPT_EVERY` otherwise, always within the window.
    fn wants_adoption(&mut self) -> bool {
        let requested = self.shared.adopt_requested.load(Ordering::Acquire);
        if self.held_bytes() >= REFILL_BELOW {
            if requested {
                // Answer the flush: nothing can be adopted now, and orphans are left.
                self.shared.orphans_left.store(true, Ordering::Release);
                self.shared.adopt_requested.store(false, Ordering::Release);
                self.shared.adopt_rounds.fetch_add(1, Ordering::AcqRel);
            }
            return false;
        }
        requested || self.orphans_left || self.last_adopt.is_none_or(|t| t.elapsed() >= ADOPT_EVERY)
    }

    fn adopt(&mut self) {
        self.shared.adopt_requested.store(false, Ordering::Release);
        self.last_adopt = Some(Instant::now());
        let dir = super::spool_dir(&self.settings);
        let own: HashSet<PathBuf> = self.tracks.keys().cloned().collect();
        let budget = WINDOW_BYTES.saturating_sub(self.held_bytes()) as u64;
        let round = spool::adopt_orphans(&dir, &own, budget);
        self.orphans_left = round.left;
        if let Some(path) = round.unreadable.first() {
            self.shared.set_error(format!(
                "cannot adopt {} spool segment(s) of another user (e.g. {}): give the FPM and cron users one group (see README, \"Spool ownership\")",
                round.unreadable.len(),
                path.display()
            ));
        }
        for adopted in round.adopted {
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
            let n = adopted.pending.len() as u64;
            self.tracks.insert(
                adopted.segment.path.clone(),
                Track { segment: Arc::clone(&adopted.segment), next_offset: u64::MAX, received: n, outstanding: n, adopted: true },
            );
            self.shared.adopted_pending.fetch_add(n as i64, Ordering::AcqRel);
            for (offset, record) in adopted.pending {
                self.push(record, Some(SpoolRef { segment: Arc::clone(&adopted.segment), offset }), false);
            }
        }
        self.shared.orphans_left.store(self.orphans_left, Ordering::Release);
        self.shared.adopt_rounds.fetch_add(1, Ordering::AcqRel);
        self.shared.spool_bytes.store(spool::usage(&dir).0, Ordering::Relaxed);
    }

    fn limits(&self) -> Limits {
        Limits {
            max_events: self.settings.batch_max_events,
            max_bytes: self.settings.batch_max_bytes,
            overhead: edge::REQUEST_OVERHEAD,
            interval: Duration::from_millis(self.settings.flush_interval_ms),
        }
    }

    /// Hands every due batch to a worker, as far as the concurrency limit and each
    /// destination's pacing allow.
    fn dispatch(&mut self) {
        let flush = self.shared.flush_requested.load(Ordering::Acquire) || self.shared.shutting_down.load(Ordering::Acquire);
        let limits = self.limits();
        let max_age_s = self.settings.max_retry_age_s;
        let event_limit = limits.max_bytes.saturating_sub(limits.overhead);
        let mut progress = true;
        while progress {
            progress = false;
            for lane in self.queue.keys() {
                if self.flights.len() >= self.limit.get() {
                    return;
                }
                let now = Instant::now();
                let ds = lane.dest.datastream_id.clone();
                if !self.paces.entry(ds.clone()).or_default().may_send(now) {
                    continue;
                }
                let Some(batch) = self.queue.take(&lane, limits, now, flush) else { continue };
                progress = true;
                let mut sendable = Vec::with_capacity(batch.len());
                for p in batch {
                    match policy::before_sending(p.size, event_limit, now.saturating_duration_since(p.born), max_age_s) {
                        Some(reason) => self.finish(p, Err(reason)),
                        None => sendable.push(p),
                    }
                }
                if !sendable.is_empty() {
                    self.send(lane, sendable, now);
                }
            }
        }
    }

    fn send(&mut self, lane: Lane, batch: Vec<Pending>, now: Instant) {
        let raw: Vec<&RawValue> = batch.iter().map(|p| p.record.xdm.as_ref()).collect();
        let kind = if lane.profile { DocumentKind::ProfileRecord } else { DocumentKind::ExperienceEvent };
        let body = match edge::request_body(&lane.dest, kind, &raw) {
            Ok(b) => b,
            Err(reason) => {
                for p in batch {
                    self.finish(p, Err(reason.clone()));
                }
                return;
            }
        };
        let ds = lane.dest.datastream_id.clone();
        self.paces.entry(ds.clone()).or_default().sent(now);
        self.next_job += 1;
        let job = Job { id: self.next_job, client: Arc::clone(&self.client), dest: lane.dest.clone(), body };
        if let Err(e) = self.pool.submit(job, self.flights.len() + 1) {
            self.shared.set_error(e);
            self.queue.push_front(lane, batch);
            return;
        }
        self.pool_used = true;
        self.flight_bytes += batch.iter().map(|p| p.size).sum::<usize>();
        self.flights.insert(self.next_job, Flight { lane, batch, sent_at: now });
    }

    /// Applies the decision for one answered request.
    fn apply(&mut self, done: Done) {
        let Some(flight) = self.flights.remove(&done.id) else { return };
        let now = Instant::now();
        let ds = flight.lane.dest.datastream_id.clone();
        self.flight_bytes -= flight.batch.iter().map(|p| p.size).sum::<usize>();
        if done.panicked {
            self.shared.panics.fetch_add(1, Ordering::Relaxed);
        }
        let saturated = self.queue.len() > 0 && self.flights.len() + 1 >= self.limit.get();
        let pace = self.paces.entry(ds).or_default();
        match done.outcome {
            Outcome::Delivered { warning } => {
                pace.answered(flight.sent_at);
                self.limit.on_success(done.rtt, saturated, now);
                if let Some(w) = warning {
                    self.shared.set_error(w);
                }
                self.shared.last_delivery_ms.store(now_ms(), Ordering::Relaxed);
                for p in flight.batch {
                    self.finish(p, Ok(()));
                }
            }
            Outcome::Final(reason) => {
                pace.answered(flight.sent_at);
                self.limit.on_success(done.rtt, saturated, now);
                self.shared.set_error(reason.to_string());
                for p in flight.batch {
                    self.finish(p, Err(reason.clone()));
                }
            }
            Outcome::Split => {
                pace.answered(flight.sent_at);
                let n = flight.batch.len();
                if n == 1 {
                    let size = flight.batch[0].size;
                    let limit = self.settings.batch_max_bytes.saturating_sub(edge::REQUEST_OVERHEAD);
                    for p in flight.batch {
                        self.finish(p, Err(Final::TooLarge { bytes: size, limit }));
                    }
                } else {
                    let half = n.div_ceil(2);
                    let batch = flight.batch.into_iter().map(|p| Pending { max_batch: half, ..p }).collect();
                    self.queue.push_front(flight.lane, batch);
                }
            }
            Outcome::TokenExpired | Outcome::Retry { .. } => {
                let (pause, reason) = match done.outcome {
                    Outcome::Retry { pause, reason } => (pause, reason),
                    _ => (policy::Pause::Failing, "the Edge refused a freshly fetched token".to_string()),
                };
                self.seed = self.seed.rotate_left(13) ^ 0x2545_F491_4F6C_DD1D;
                pace.failed(pause, flight.sent_at, now, self.seed);
                // A Retry-After is answered by the destination's pause, which sends nothing at
                // all until it ends; halving on top would leave a backlog to crawl after every
                // one. A lost connection (a reset, a hung request) says nothing about load.
                if matches!(pause, policy::Pause::Failing | policy::Pause::Backpressure { retry_after: None }) {
                    self.limit.on_backpressure(now);
                }
                self.shared.set_error(reason);
                self.shared.retried.fetch_add(flight.batch.len() as u64, Ordering::Relaxed);
                let batch = flight.batch.into_iter().map(|p| Pending { attempts: p.attempts + 1, ..p }).collect();
                self.queue.push_front(flight.lane, batch);
            }
        }
    }

    /// Records the final answer of one event.
    fn finish(&mut self, p: Pending, result: Result<(), Final>) {
        match &result {
            Ok(()) => {
                self.shared.delivered.fetch_add(1, Ordering::Relaxed);
            }
            Err(reason) => {
                self.shared.failed.fetch_add(1, Ordering::Relaxed);
                let dir = super::spool_dir(&self.settings);
                let line = serde_json::json!({
                    "at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    "id": p.record.id,
                    "destination": p.record.dest,
                    "profile": p.record.profile,
                    "status": reason.status(),
                    "reason": reason.to_string(),
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
        } else {
            self.shared.adopted_pending.fetch_sub(1, Ordering::AcqRel);
        }
        match p.spooled {
            Some(at) => {
                let _ = at.segment.ack(at.offset);
                if let Some(track) = self.tracks.get_mut(&at.segment.path) {
                    track.outstanding = track.outstanding.saturating_sub(1);
                }
            }
            None => {
                self.shared.at_risk.fetch_sub(1, Ordering::AcqRel);
            }
        }
    }

    /// Keeps the promise that an accepted event is on disk: segments deleted from under us
    /// (their records in memory are written again; those never read are counted lost), and
    /// events held in memory only while the spool was unwritable (written as soon as it is).
    fn rescue(&mut self) {
        self.last_rescue = Instant::now();
        let deleted: Vec<PathBuf> = self.tracks.iter().filter(|(_, t)| t.segment.deleted()).map(|(p, _)| p.clone()).collect();
        let dir = super::spool_dir(&self.settings);
        for path in deleted {
            let Some(track) = self.tracks.remove(&path) else { continue };
            track.segment.gone.store(true, Ordering::Release);
            track.segment.sealed.store(true, Ordering::Release);
            let unread = if track.adopted { 0 } else { track.segment.records.load(Ordering::Acquire).saturating_sub(track.received) };
            if unread > 0 {
                self.shared.drop_events(DropReason::SpoolDeleted, unread);
                self.shared.in_flight.fetch_sub(unread as i64, Ordering::AcqRel);
                let message = format!("{unread} event(s) lost: spool segment {} was deleted before they were read back", path.display());
                self.shared.set_error(message.clone());
                let _ = spool::record_loss(&dir, &serde_json::json!({
                    "at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    "pid": std::process::id(), "reason": DropReason::SpoolDeleted, "events": unread, "detail": message,
                }));
            }
            for p in self.queue.iter_mut().filter(|p| p.spooled.as_ref().is_some_and(|s| s.segment.path == path)) {
                p.spooled = None;
                self.shared.at_risk.fetch_add(1, Ordering::AcqRel);
            }
        }
        if self.shared.at_risk.load(Ordering::Acquire) > 0 {
            self.respool(&dir);
        }
    }

    /// Writes queued memory-only events into a segment of the sender's own.
    fn respool(&mut self, dir: &std::path::Path) {
        self.rescue_seq += 1;
        // Far from the writer's sequence numbers (the name also carries the time).
        let Ok(segment) = Segment::create(dir, u64::MAX / 2 + self.rescue_seq) else { return };
        let mut written = 0u64;
        let mut last_end = 0;
        for p in self.queue.iter_mut().filter(|p| p.spooled.is_none()) {
            let Ok(frame) = record::encode(&p.record) else { continue };
            let Ok(offset) = segment.append(&frame) else { break };
            last_end = offset + frame.len() as u64;
            p.spooled = Some(SpoolRef { segment: Arc::clone(&segment), offset });
            written += 1;
        }
        segment.sealed.store(true, Ordering::Release);
        segment.sync();
        self.shared.at_risk.fetch_sub(written, Ordering::AcqRel);
        self.tracks.insert(
            segment.path.clone(),
            Track { segment: Arc::clone(&segment), next_offset: last_end, received: written, outstanding: written, adopted: false },
        );
        if written > 0 {
            self.shared.set_error(format!("the spool in {} is writable again: {written} event(s) held in memory are back on disk", dir.display()));
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

    /// An idle process keeps no connection: the pool that served a burst is dropped once no
    /// request has been out for a while (the token is kept).
    fn idle_connections(&mut self) {
        if !self.flights.is_empty() || self.queue.len() > 0 {
            self.idle_since = None;
            return;
        }
        let since = *self.idle_since.get_or_insert_with(Instant::now);
        if self.pool_used && since.elapsed() >= IDLE_CONNECTIONS && self.pool.workers() == 0 {
            self.client = Arc::new(self.client.without_connections(&self.settings));
            self.pool_used = false;
        }
    }

    fn publish(&self) {
        self.shared.requests_in_flight.store(self.flights.len() as u64, Ordering::Relaxed);
        self.shared.concurrency.store(self.limit.get() as u64, Ordering::Relaxed);
    }

    fn next_wake(&mut self) -> Duration {
        let now = Instant::now();
        let interval = Duration::from_millis(self.settings.flush_interval_ms);
        // Idle, the sender looks at its channel once per flush interval: an event emitted then
        // waits about one interval, without a wake-up per event. Answers wake it (unpark).
        let mut wake = interval.max(Duration::from_millis(1)).min(ADOPT_EVERY);
        if self.flights.len() < self.limit.get() {
            // Only lanes that may send matter: a paused one wakes at its pause end (below), and
            // a full set of slots wakes on the next answer.
            for lane in self.queue.keys() {
                let ds = &lane.dest.datastream_id;
                if self.paces.get(ds).is_none_or(|p| p.may_send(now)) {
                    if let Some(due) = self.queue.due(&lane, interval) {
                        wake = wake.min(due.saturating_duration_since(now));
                    }
                }
            }
        }
        for pace in self.paces.values() {
            // Only a pause still to end: one that ended waits for events (woken by them).
            if let Some(until) = pace.paused_until().or(pace.probe_due()).filter(|u| *u > now) {
                wake = wake.min(until.saturating_duration_since(now));
            }
        }
        if !self.pool_used && self.idle_since.is_some() {
            wake = wake.max(interval);
        }
        if self.shared.flush_requested.load(Ordering::Acquire) || self.shared.shutting_down.load(Ordering::Acquire) {
            wake = wake.min(Duration::from_millis(5));
        }
        wake.max(Duration::from_millis(1))
    }
}
