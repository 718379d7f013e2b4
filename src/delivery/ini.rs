//! Process-wide values from php.ini, read once at module startup.

use std::path::PathBuf;

use once_cell::sync::OnceCell;

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

/// Under `/var/tmp` (kept across reboots, unlike a tmpfs `/tmp`), per user, so that two users
/// never share a directory only one of them can write. A store sets `xdm_relay.spool_dir` (or
/// the module passes `<magento root>/var/xdm-relay`) to share one spool between the FPM and the
/// cron user.
pub fn default_spool_dir() -> PathBuf {
    // SAFETY: geteuid has no failure mode.
    let uid = unsafe { libc::geteuid() };
    PathBuf::from("/var/tmp").join(format!("xdm-relay-{uid}"))
}

static INI: OnceCell<IniValues> = OnceCell::new();

pub fn set_ini(values: IniValues) {
    let _ = INI.set(values);
}

pub fn ini() -> &'static IniValues {
    INI.get_or_init(IniValues::default)
}
