//! The PHP thread's side of the spool: appends each accepted event to this process's current
//! segment, starts a new one past the rotation size, and notices when the spool directory was
//! deleted (a new segment recreates it) or cannot be written (the event is kept in memory).

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::record::{self, SpoolRecord};
use super::spool::{self, Segment};
use super::Shared;

pub struct Writer {
    segment: Option<Arc<Segment>>,
    dir: PathBuf,
    seq: u64,
    /// The frame being written, kept between appends so an emit allocates no buffer.
    frame: Vec<u8>,
}

/// Why an event could not be spooled.
pub enum SpoolFailure {
    /// The spool reached `spool_max_bytes`: the event is dropped (counted).
    Full(String),
    /// The spool cannot be written: the event is kept in memory only, at risk.
    Io(String),
}

/// Where a spooled event's frame is.
pub struct Spooled {
    pub segment: Arc<Segment>,
    pub offset: u64,
    pub end: u64,
}

impl Writer {
    pub fn new() -> Writer {
        Writer { segment: None, dir: PathBuf::new(), seq: 0, frame: Vec::new() }
    }

    /// No more appends to the current segment (process exit, or before a new one).
    pub fn seal(&mut self) {
        if let Some(old) = self.segment.take() {
            old.sealed.store(true, Ordering::Release);
        }
    }

    pub fn append(&mut self, shared: &Shared, dir: PathBuf, max_bytes: u64, record: &SpoolRecord) -> Result<Spooled, SpoolFailure> {
        record::encode_into(record, &mut self.frame).map_err(SpoolFailure::Io)?;
        let frame_len = self.frame.len() as u64;
        let used = shared.spool_bytes.load(Ordering::Relaxed);
        if used + frame_len > max_bytes {
            return Err(SpoolFailure::Full(format!(
                "event {} dropped: the spool is full ({used} of {max_bytes} bytes, xdm_relay.spool_max_bytes)",
                record.id
            )));
        }
        let stale = match &self.segment {
            // A deleted segment (its directory removed, say) would swallow every append.
            Some(s) => self.dir != dir || s.end() >= spool::SEGMENT_ROTATE_BYTES || s.deleted(),
            None => true,
        };
        if stale {
            self.seal();
            self.seq += 1;
            let segment = Segment::create(&dir, self.seq).map_err(|e| {
                SpoolFailure::Io(format!("spool directory {} is not writable ({e}); events are kept in memory only", dir.display()))
            })?;
            if let Ok(mut new) = shared.new_segments.lock() {
                new.push(Arc::clone(&segment));
            }
            self.segment = Some(segment);
            self.dir = dir;
        }
        let Some(segment) = self.segment.clone() else {
            return Err(SpoolFailure::Io("no spool segment".to_string()));
        };
        match segment.append(&self.frame) {
            Ok(offset) => {
                shared.spool_bytes.fetch_add(frame_len, Ordering::Relaxed);
                Ok(Spooled { segment, offset, end: offset + frame_len })
            }
            Err(e) => {
                // A failed append may have left a torn frame; start a fresh segment next time.
                self.seal();
                Err(SpoolFailure::Io(format!("cannot write the spool in {} ({e}); events are kept in memory only", self.dir.display())))
            }
        }
    }
}
