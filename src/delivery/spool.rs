//! The durable spool: per-process append-only segment files, acknowledgement side files,
//! adoption of segments whose process died, and the dead-letter file.
//!
//! A live process holds an exclusive `flock` on each of its segments for as long as it may
//! still deliver them; the kernel drops the lock when the process dies however it dies, which is
//! how another process knows a segment is orphaned (a pid could be reused; a lock cannot lie).

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, FileExt, OpenOptionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Once};

use super::record::{self, Decoded};

pub const SEGMENT_EXT: &str = "seg";
pub const ACK_EXT: &str = "ack";
pub const DEAD_LETTER_FILE: &str = "dead-letter.jsonl";
/// A process starts a new segment past this size so delivered ones can be deleted.
pub const SEGMENT_ROTATE_BYTES: u64 = 1024 * 1024;

fn try_lock(file: &File) -> bool {
    // SAFETY: flock on a descriptor we own; no memory is touched.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

fn lock_blocking(file: &File) -> io::Result<()> {
    // SAFETY: as above.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Descriptors of the segments this process holds (own and adopted), so that a forked child can
/// close them in its atfork handler, right in `fork()`: a child that never emits (a worker of
/// Magento's parallel indexer, say) would otherwise keep its parent's segment locks for its whole
/// life, and nobody could adopt them once the parent is gone. Slots hold -1 when free; a segment
/// that finds no free slot is still closed by `close_inherited_segment_fds` at the child's first
/// emit.
const FD_SLOTS: usize = 256;
static SEGMENT_FDS: [AtomicI32; FD_SLOTS] = [const { AtomicI32::new(-1) }; FD_SLOTS];

fn register_fd(fd: i32) {
    static ATFORK: Once = Once::new();
    ATFORK.call_once(|| {
        // SAFETY: registers a child handler that only loads atomics and calls close(2), both
        // async-signal-safe.
        unsafe {
            libc::pthread_atfork(None, None, Some(close_segment_fds_in_child));
        }
    });
    for slot in &SEGMENT_FDS {
        if slot.compare_exchange(-1, fd, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            return;
        }
    }
}

fn unregister_fd(fd: i32) {
    for slot in &SEGMENT_FDS {
        if slot.compare_exchange(fd, -1, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            return;
        }
    }
}

extern "C" fn close_segment_fds_in_child() {
    for slot in &SEGMENT_FDS {
        let fd = slot.swap(-1, Ordering::AcqRel);
        if fd >= 0 {
            // SAFETY: the descriptor belongs to a segment object of the parent's runtime, which
            // the child abandons without dropping, so nothing closes it a second time.
            unsafe {
                libc::close(fd);
            }
        }
    }
}

pub fn ensure_dir(dir: &Path) -> io::Result<()> {
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// One segment file, shared by the writer (the PHP thread) and the sender thread.
#[derive(Debug)]
pub struct Segment {
    pub path: PathBuf,
    file: File,
    /// End offset of the last complete frame written or found.
    end: AtomicU64,
    /// Frames written by this process (own segments) or found (adopted ones).
    pub records: AtomicU64,
    /// No more frames will be added.
    pub sealed: AtomicBool,
    unsynced: AtomicBool,
}

impl Segment {
    /// Creates this process's next segment, locked.
    pub fn create(dir: &Path, seq: u64) -> io::Result<Arc<Segment>> {
        ensure_dir(dir)?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = dir.join(format!("{}-{nanos}-{seq}.{SEGMENT_EXT}", std::process::id()));
        // Created under another name and locked before it becomes a segment: an adopter scanning
        // the directory must never find an unlocked, empty segment of a live process (it would
        // take it for an orphan and delete it).
        let unborn = path.with_extension("new");
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create_new(true)
            .mode(0o600)
            .open(&unborn)?;
        if !try_lock(&file) {
            let _ = fs::remove_file(&unborn);
            return Err(io::Error::new(io::ErrorKind::WouldBlock, "new segment is locked by another process"));
        }
        if let Err(e) = fs::rename(&unborn, &path) {
            let _ = fs::remove_file(&unborn);
            return Err(e);
        }
        register_fd(file.as_raw_fd());
        Ok(Arc::new(Segment {
            path,
            file,
            end: AtomicU64::new(0),
            records: AtomicU64::new(0),
            sealed: AtomicBool::new(false),
            unsynced: AtomicBool::new(false),
        }))
    }

    /// Appends one frame; returns its offset. No fsync here: the sender syncs in batches.
    pub fn append(&self, frame: &[u8]) -> io::Result<u64> {
        let offset = self.end.load(Ordering::Acquire);
        (&self.file).write_all(frame)?;
        self.end.store(offset + frame.len() as u64, Ordering::Release);
        self.records.fetch_add(1, Ordering::AcqRel);
        self.unsynced.store(true, Ordering::Release);
        Ok(offset)
    }

    pub fn len(&self) -> u64 {
        self.end.load(Ordering::Acquire)
    }

    /// Makes what was appended so far durable (called by the sender, never on the request path).
    pub fn sync(&self) {
        if self.unsynced.swap(false, Ordering::AcqRel) {
            let _ = self.file.sync_data();
        }
    }

    /// The frames between `from` and the current end.
    pub fn read_from(&self, from: u64) -> io::Result<Decoded> {
        let end = self.len();
        if from >= end {
            return Ok(Decoded {
                end: from,
                ..Decoded::default()
            });
        }
        let mut buf = vec![0u8; (end - from) as usize];
        self.file.read_exact_at(&mut buf, from)?;
        Ok(record::decode(&buf, from))
    }

    pub fn ack_path(&self) -> PathBuf {
        self.path.with_extension(ACK_EXT)
    }

    /// Records that the frame at `offset` got its final answer, so an adopter skips it.
    pub fn ack(&self, offsets: &[u64]) -> io::Result<()> {
        let mut bytes = Vec::with_capacity(offsets.len() * 8);
        for o in offsets {
            bytes.extend_from_slice(&o.to_le_bytes());
        }
        let mut f = OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(self.ack_path())?;
        f.write_all(&bytes)
    }

    /// Deletes the segment and its acknowledgements (every record in it is final).
    pub fn remove(&self) {
        let _ = fs::remove_file(self.ack_path());
        let _ = fs::remove_file(&self.path);
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        // Before `file` closes its descriptor, so a reused number is never closed by a fork.
        unregister_fd(self.file.as_raw_fd());
    }
}

/// Offsets already acknowledged in a segment's side file.
pub fn acked(seg_path: &Path) -> HashSet<u64> {
    let mut bytes = Vec::new();
    if let Ok(mut f) = File::open(seg_path.with_extension(ACK_EXT)) {
        let _ = f.read_to_end(&mut bytes);
    }
    bytes
        .chunks_exact(8)
        .filter_map(|c| c.try_into().ok().map(u64::from_le_bytes))
        .collect()
}

/// An orphaned segment this process now owns, with its records not yet acknowledged.
pub struct Adopted {
    pub segment: Arc<Segment>,
    pub pending: Vec<(u64, record::SpoolRecord)>,
    pub corrupt: u64,
}

/// Takes over segments in `dir` whose owner is gone (their lock is free), except those in `own`,
/// until about `budget` bytes are read: after a long outage the spool may hold hundreds of MB and
/// one worker must not load them all at once. Returns whether orphans were left for a later round.
/// Each adopted segment stays locked by this process until it is delivered.
pub fn adopt_orphans(dir: &Path, own: &HashSet<PathBuf>, budget: u64) -> (Vec<Adopted>, bool) {
    let Ok(entries) = fs::read_dir(dir) else {
        return (Vec::new(), false);
    };
    let mut out = Vec::new();
    let mut read = 0u64;
    for entry in entries.flatten() {
        let path = entry.path();
        if read >= budget {
            if path.extension().and_then(|e| e.to_str()) == Some(SEGMENT_EXT) && !own.contains(&path) {
                return (out, true);
            }
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some(SEGMENT_EXT) || own.contains(&path) {
            continue;
        }
        let Ok(mut file) = OpenOptions::new().read(true).append(true).open(&path) else {
            continue;
        };
        if !try_lock(&file) {
            continue;
        }
        let mut bytes = Vec::new();
        if file.seek(SeekFrom::Start(0)).is_err() || file.read_to_end(&mut bytes).is_err() {
            continue;
        }
        read += bytes.len() as u64;
        let decoded = record::decode(&bytes, 0);
        let done = acked(&path);
        let total = decoded.records.len() as u64;
        let pending: Vec<_> = decoded
            .records
            .into_iter()
            .filter(|(offset, _)| !done.contains(offset))
            .collect();
        // Registered only now that a Segment owns the file (its Drop unregisters it).
        register_fd(file.as_raw_fd());
        out.push(Adopted {
            segment: Arc::new(Segment {
                path,
                file,
                end: AtomicU64::new(bytes.len() as u64),
                records: AtomicU64::new(total),
                sealed: AtomicBool::new(true),
                unsynced: AtomicBool::new(false),
            }),
            pending,
            corrupt: decoded.corrupt,
        });
    }
    (out, false)
}

/// Bytes and segment count of the spool directory.
pub fn usage(dir: &Path) -> (u64, u64) {
    let Ok(entries) = fs::read_dir(dir) else {
        return (0, 0);
    };
    let mut bytes = 0;
    let mut segments = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) == Some(SEGMENT_EXT) {
            segments += 1;
            bytes += entry.metadata().map(|m| m.len()).unwrap_or(0);
        }
    }
    (bytes, segments)
}

/// Appends one line to the dead-letter file, under a lock shared by every process.
pub fn dead_letter(dir: &Path, line: &serde_json::Value) -> io::Result<()> {
    ensure_dir(dir)?;
    let mut f = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(dir.join(DEAD_LETTER_FILE))?;
    lock_blocking(&f)?;
    let mut text = line.to_string();
    text.push('\n');
    f.write_all(text.as_bytes())
}

/// In a forked child: closes the descriptors of segments inherited from the parent, so their
/// locks are the parent's alone and an adopter can take them once the parent is gone. The
/// objects that owned them are abandoned, never dropped, so nothing closes them twice.
pub fn close_inherited_segment_fds() {
    let Ok(entries) = fs::read_dir("/proc/self/fd") else {
        return;
    };
    let fds: Vec<i32> = entries
        .flatten()
        .filter_map(|e| {
            let fd: i32 = e.file_name().to_str()?.parse().ok()?;
            let target = fs::read_link(e.path()).ok()?;
            let ext = target.extension()?.to_str()?;
            (ext == SEGMENT_EXT).then_some(fd)
        })
        .collect();
    for fd in fds {
        // SAFETY: closing a descriptor that only abandoned objects refer to.
        unsafe {
            libc::close(fd);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::record::{encode, Destination, SpoolRecord};

    fn orphan(dir: &Path, name: &str, records: usize) {
        let mut bytes = Vec::new();
        for i in 0..records {
            bytes.extend(
                encode(&SpoolRecord {
                    id: format!("{name}-{i}"),
                    profile: false,
                    dest: Destination { datastream_id: "ds".into(), dataset_id: None, sandbox: None },
                    accepted_ms: 1,
                    xdm: serde_json::value::RawValue::from_string(format!("{{\"_id\":\"{name}-{i}\",\"pad\":\"{}\"}}", "x".repeat(1000))).unwrap(),
                })
                .unwrap(),
            );
        }
        fs::write(dir.join(format!("{name}.{SEGMENT_EXT}")), bytes).unwrap();
    }

    #[test]
    fn adoption_takes_orphans_up_to_its_budget_and_says_more_are_left() {
        let dir = std::env::temp_dir().join(format!("xdm-relay-adopt-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        for name in ["a", "b", "c"] {
            orphan(&dir, name, 10);
        }
        let (first, left) = adopt_orphans(&dir, &HashSet::new(), 5_000);
        assert_eq!(first.len(), 1, "one ~10 KB segment exceeds a 5 KB budget: stop there");
        assert!(left);
        assert_eq!(first[0].pending.len(), 10);
        let held: HashSet<PathBuf> = first.iter().map(|a| a.segment.path.clone()).collect();
        let (second, left) = adopt_orphans(&dir, &held, u64::MAX);
        assert_eq!(second.len(), 2, "the rest, and not the one this process already holds");
        assert!(!left);
        let (third, left) = adopt_orphans(&dir, &HashSet::new(), u64::MAX);
        assert!(third.is_empty() && !left, "segments held (locked) by their adopter are not taken twice");
        drop((first, second));
        let _ = fs::remove_dir_all(&dir);
    }
}
