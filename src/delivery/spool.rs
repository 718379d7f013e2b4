//! The durable spool: per-process append-only segment files, acknowledgement side files,
//! adoption of segments whose process died, and the dead-letter file.
//!
//! A live process holds an exclusive `flock` on each of its segments for as long as it may
//! still deliver them; the kernel drops the lock when the process dies however it dies, which is
//! how another process knows a segment is orphaned (a pid could be reused; a lock cannot lie).

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{DirBuilderExt, FileExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use super::fork::{register_fd, unregister_fd};
use super::record::{self, Decoded, SpoolRecord};

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

/// Group-writable with the set-group-id bit: files created inside belong to the directory's
/// group, so the FPM pool user and the cron user, given one common group, can both write new
/// segments and adopt each other's. Set explicitly, because the umask would take the group bits.
const DIR_MODE: u32 = 0o2770;
const FILE_MODE: u32 = 0o660;

/// Creates the spool directory (again, if it was deleted while in use).
pub fn ensure_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)?;
    // Only the creator may chmod; another user's directory keeps the modes its creator set.
    let _ = fs::set_permissions(dir, fs::Permissions::from_mode(DIR_MODE));
    Ok(())
}

/// Opens (creating) a file of the spool with the shared mode, whatever the umask.
fn open_shared(path: &Path, options: &mut OpenOptions) -> io::Result<File> {
    let file = options.mode(FILE_MODE).open(path)?;
    if let Ok(meta) = file.metadata() {
        if meta.permissions().mode() & 0o777 != FILE_MODE {
            let _ = file.set_permissions(fs::Permissions::from_mode(FILE_MODE));
        }
    }
    Ok(file)
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
    /// The file was deleted from under us: acknowledgements would only recreate stray files.
    pub gone: AtomicBool,
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
        let file = open_shared(&unborn, OpenOptions::new().read(true).append(true).create_new(true))?;
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
            gone: AtomicBool::new(false),
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

    /// Whether the file was deleted (by a person or a cleaner) while this process holds it.
    pub fn deleted(&self) -> bool {
        self.gone.load(Ordering::Acquire) || self.file.metadata().is_ok_and(|m| m.nlink() == 0)
    }

    /// Where the next frame goes: the end of the last complete frame.
    pub fn end(&self) -> u64 {
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
        let end = self.end();
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
    pub fn ack(&self, offset: u64) -> io::Result<()> {
        if self.gone.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut f = open_shared(&self.ack_path(), OpenOptions::new().append(true).create(true))?;
        f.write_all(&offset.to_le_bytes())
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

/// What one adoption round found.
#[derive(Default)]
pub struct Adoption {
    pub adopted: Vec<Adopted>,
    /// Orphans were left for a later round (the budget was reached).
    pub left: bool,
    /// Segments this user may not open (another user's, without a shared group).
    pub unreadable: Vec<PathBuf>,
}

/// Takes over segments in `dir` whose owner is gone (their lock is free), except those in `own`,
/// until about `budget` bytes are read: after a long outage the spool may hold hundreds of MB and
/// one worker must not load them all at once. Each adopted segment stays locked by this process
/// until it is delivered.
pub fn adopt_orphans(dir: &Path, own: &HashSet<PathBuf>, budget: u64) -> Adoption {
    let mut out = Adoption::default();
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    let mut read = 0u64;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some(SEGMENT_EXT) || own.contains(&path) {
            continue;
        }
        if read >= budget {
            out.left = true;
            break;
        }
        // Read-write for our own kind of segment; read-only is enough to deliver and lock one
        // that another user wrote, when the directory lets us acknowledge and delete it.
        let opened = OpenOptions::new()
            .read(true)
            .append(true)
            .open(&path)
            .or_else(|_| File::open(&path));
        let mut file = match opened {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                out.unreadable.push(path);
                continue;
            }
            Err(_) => continue,
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
        out.adopted.push(Adopted {
            segment: Arc::new(Segment {
                path,
                file,
                end: AtomicU64::new(bytes.len() as u64),
                records: AtomicU64::new(total),
                sealed: AtomicBool::new(true),
                unsynced: AtomicBool::new(false),
                gone: AtomicBool::new(false),
            }),
            pending,
            corrupt: decoded.corrupt,
        });
    }
    out
}

/// The whole spool directory, whoever holds it: what `xdm_relay_stats()` reports so that the
/// status command tells the truth about events waiting in segments of other (live or dead)
/// processes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Backlog {
    /// Events in segments not yet acknowledged.
    pub events: u64,
    pub bytes: u64,
    pub segments: u64,
    /// Segments whose owner is gone and nobody has adopted yet.
    pub orphaned: u64,
    /// Segments this user cannot open (see "Spool ownership" in the README).
    pub unadoptable: u64,
    /// Age of the oldest waiting event, in seconds.
    pub oldest_age_s: Option<u64>,
    /// Events recorded as lost in `losses.jsonl`.
    pub lost: u64,
}

/// Walks every segment's frame headers (no JSON is parsed but each segment's first record), so
/// it costs one small read per event; never takes a lock longer than a try.
pub fn backlog(dir: &Path, now: super::clock::Now) -> Backlog {
    let mut out = Backlog { lost: losses_total(dir), ..Backlog::default() };
    let Ok(entries) = fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some(SEGMENT_EXT) {
            continue;
        }
        out.segments += 1;
        out.bytes += entry.metadata().map(|m| m.len()).unwrap_or(0);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                out.unadoptable += 1;
                continue;
            }
            Err(_) => continue,
        };
        if try_lock(&file) {
            // Nobody holds it (our own are locked through another descriptor): an orphan.
            out.orphaned += 1;
        }
        let (frames, first) = count_frames(&file);
        let acked = fs::metadata(path.with_extension(ACK_EXT)).map(|m| m.len() / 8).unwrap_or(0);
        out.events += frames.saturating_sub(acked);
        if let Some(first) = first.filter(|_| frames > acked) {
            let age = super::clock::age(first.accepted_ms, first.accepted_boot, now).as_secs();
            out.oldest_age_s = Some(out.oldest_age_s.map_or(age, |a| a.max(age)));
        }
    }
    out
}

/// Frames in a segment (by their headers) and its first record.
fn count_frames(file: &File) -> (u64, Option<SpoolRecord>) {
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut header = [0u8; record::HEADER_LEN];
    let mut offset = 0u64;
    let mut frames = 0u64;
    let mut first = None;
    while offset + record::HEADER_LEN as u64 <= len {
        if file.read_exact_at(&mut header, offset).is_err() || &header[..4] != record::MAGIC {
            break;
        }
        let payload = u64::from(u32::from_le_bytes([header[4], header[5], header[6], header[7]]));
        if frames == 0 {
            let mut bytes = vec![0u8; (payload as usize).min(record::MAX_PAYLOAD)];
            if file.read_exact_at(&mut bytes, offset + record::HEADER_LEN as u64).is_ok() {
                first = serde_json::from_slice(&bytes).ok();
            }
        }
        frames += 1;
        offset += record::HEADER_LEN as u64 + payload;
    }
    (frames, first)
}

pub const LOSSES_FILE: &str = "losses.jsonl";

/// Records events that were lost (never delivered, no longer anywhere), so that every process's
/// status shows them, not only the one that lost them. Falls back to the system temp dir when
/// the spool directory is what failed.
pub fn record_loss(dir: &Path, line: &serde_json::Value) -> io::Result<PathBuf> {
    let mut text = line.to_string();
    text.push('\n');
    let primary = ensure_dir(dir).and_then(|()| {
        let path = dir.join(LOSSES_FILE);
        open_shared(&path, OpenOptions::new().append(true).create(true))?.write_all(text.as_bytes())?;
        Ok(path)
    });
    primary.or_else(|_| {
        let path = std::env::temp_dir().join(format!("xdm-relay-{LOSSES_FILE}"));
        open_shared(&path, OpenOptions::new().append(true).create(true))?.write_all(text.as_bytes())?;
        Ok(path)
    })
}

fn losses_total(dir: &Path) -> u64 {
    fs::read_to_string(dir.join(LOSSES_FILE))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["events"].as_u64())
        .sum()
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
    let mut f = open_shared(&dir.join(DEAD_LETTER_FILE), OpenOptions::new().append(true).create(true))?;
    lock_blocking(&f)?;
    let mut text = line.to_string();
    text.push('\n');
    f.write_all(text.as_bytes())
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
                    accepted_boot: None,
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
        let before = backlog(&dir, crate::delivery::clock::now());
        assert_eq!((before.events, before.segments, before.orphaned), (30, 3, 3));
        let first = adopt_orphans(&dir, &HashSet::new(), 5_000);
        assert_eq!(first.adopted.len(), 1, "one ~10 KB segment exceeds a 5 KB budget: stop there");
        assert!(first.left);
        assert_eq!(first.adopted[0].pending.len(), 10);
        let held: HashSet<PathBuf> = first.adopted.iter().map(|a| a.segment.path.clone()).collect();
        let during = backlog(&dir, crate::delivery::clock::now());
        assert_eq!((during.events, during.orphaned), (30, 2), "an adopted segment is held, still waiting");
        let second = adopt_orphans(&dir, &held, u64::MAX);
        assert_eq!(second.adopted.len(), 2, "the rest, and not the one this process already holds");
        assert!(!second.left);
        let third = adopt_orphans(&dir, &HashSet::new(), u64::MAX);
        assert!(third.adopted.is_empty() && !third.left, "segments held (locked) by their adopter are not taken twice");
        drop((first, second));
        let _ = fs::remove_dir_all(&dir);
    }
}
