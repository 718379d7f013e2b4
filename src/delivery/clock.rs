//! Event age that survives clock steps.
//!
//! Each spool record carries two stamps of when it was accepted: the wall clock (for people and
//! for a spool that outlives a reboot) and the kernel's boot clock (`CLOCK_BOOTTIME`, which no
//! `date`, NTP step or time-zone change moves) with the boot it belongs to. Any process on the
//! same boot, not only the one that accepted the event, measures its age exactly from the boot
//! clock; only after a reboot does the wall clock decide, and then never as a negative age.

use std::sync::OnceLock;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// When an event was accepted, as written in its spool record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootStamp {
    /// The boot (the first 16 hex digits of `/proc/sys/kernel/random/boot_id`).
    pub boot: u64,
    /// `CLOCK_BOOTTIME` in milliseconds.
    pub ms: u64,
}

/// Now, on both clocks.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    pub wall_ms: i64,
    pub boot: Option<BootStamp>,
}

pub fn now() -> Now {
    Now {
        wall_ms: wall_ms(),
        boot: boot_id().map(|boot| BootStamp { boot, ms: boot_ms() }),
    }
}

pub fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn boot_ms() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we pass; CLOCK_BOOTTIME exists on every
    // Linux this extension supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut ts) };
    if rc != 0 {
        return 0;
    }
    ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000
}

fn boot_id() -> Option<u64> {
    static ID: OnceLock<Option<u64>> = OnceLock::new();
    *ID.get_or_init(|| {
        let text = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").ok()?;
        let hex: String = text.chars().filter(char::is_ascii_hexdigit).take(16).collect();
        u64::from_str_radix(&hex, 16).ok()
    })
}

/// How long ago an event stamped `accepted_wall_ms` / `accepted_boot` was accepted.
pub fn age(accepted_wall_ms: i64, accepted_boot: Option<BootStamp>, now: Now) -> Duration {
    match (accepted_boot, now.boot) {
        (Some(then), Some(now)) if then.boot == now.boot => Duration::from_millis(now.ms.saturating_sub(then.ms)),
        _ => Duration::from_millis(u64::try_from(now.wall_ms - accepted_wall_ms).unwrap_or(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_the_same_boot_a_wall_clock_step_does_not_change_the_age() {
        let then = BootStamp { boot: 7, ms: 10_000 };
        // Accepted while the wall clock was two days behind, measured after it was corrected.
        let now = Now { wall_ms: 1_000_000_000 + 2 * 86_400_000, boot: Some(BootStamp { boot: 7, ms: 13_000 }) };
        assert_eq!(age(1_000_000_000, Some(then), now), Duration::from_secs(3));
    }

    #[test]
    fn after_a_reboot_the_wall_clock_decides_and_is_never_negative() {
        let then = BootStamp { boot: 7, ms: 10_000 };
        let now = Now { wall_ms: 5_000, boot: Some(BootStamp { boot: 8, ms: 100 }) };
        assert_eq!(age(2_000, Some(then), now), Duration::from_secs(3));
        assert_eq!(age(9_000, Some(then), now), Duration::ZERO, "a clock that went back gives age 0");
        assert_eq!(age(2_000, None, now), Duration::from_secs(3), "records written before boot stamps existed");
    }

    #[test]
    fn the_boot_clock_of_this_machine_is_readable() {
        let a = now();
        assert!(a.boot.is_some(), "/proc/sys/kernel/random/boot_id and CLOCK_BOOTTIME");
        std::thread::sleep(Duration::from_millis(20));
        let b = now();
        assert!(b.boot.unwrap().ms >= a.boot.unwrap().ms + 19);
    }
}
