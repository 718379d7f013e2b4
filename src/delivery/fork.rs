//! Everything about `fork()`: the generation counter that tells a child its runtime belongs to
//! the parent, and the segment descriptors a child must close so that the parent's segment
//! locks stay the parent's alone.
//!
//! The child abandons the inherited runtime without dropping it (its threads do not exist in
//! the child, its locks may be held forever), so the objects that own those descriptors never
//! close them: closing them here, once, is sound.

use std::fs;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::Once;

use super::spool::SEGMENT_EXT;

/// Bumped in a forked child; a runtime from another generation belongs to the parent.
static GENERATION: AtomicU64 = AtomicU64::new(0);

pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// Descriptors of the segments this process holds (own and adopted), so that a forked child can
/// close them in its atfork handler, right in `fork()`: a child that never emits (a worker of
/// Magento's parallel indexer, say) would otherwise keep its parent's segment locks for its whole
/// life, and nobody could adopt them once the parent is gone. Slots hold -1 when free; a segment
/// that finds no free slot is still closed by `close_inherited_segment_fds` at the child's first
/// emit.
const FD_SLOTS: usize = 256;
static SEGMENT_FDS: [AtomicI32; FD_SLOTS] = [const { AtomicI32::new(-1) }; FD_SLOTS];

extern "C" fn in_child() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
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

/// Installs the fork handler. Called at module startup; starts no thread.
pub fn install_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a child handler that only touches atomics and calls close(2), both
        // async-signal-safe.
        unsafe {
            libc::pthread_atfork(None, None, Some(in_child));
        }
    });
}

pub fn register_fd(fd: i32) {
    install_handler();
    for slot in &SEGMENT_FDS {
        if slot.compare_exchange(-1, fd, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            return;
        }
    }
}

pub fn unregister_fd(fd: i32) {
    for slot in &SEGMENT_FDS {
        if slot.compare_exchange(fd, -1, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            return;
        }
    }
}

/// In a forked child, at its first emit: closes inherited segment descriptors that found no
/// slot above.
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
