//! Module registration, INI directives, lifecycle hooks and the phpinfo() section. Every hook
//! the engine calls directly is wrapped in `catch_unwind`: a panic there would abort PHP.

use std::panic::catch_unwind;
use std::path::PathBuf;

use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::{ExecutorGlobals, IniEntryDef, IniEntryDefs, ModuleEntry};
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

use super::exceptions::{ConfigException, InvalidEventException};
use super::{delivery, map_fn, platform_fn};
use crate::delivery::{self as pipeline, IniValues};

static INI_ENTRIES: IniEntryDefs<4> = IniEntryDefs::new([
    IniEntryDef::new(c"xdm_relay.enabled", c"1", IniEntryPermission::System),
    IniEntryDef::new(c"xdm_relay.spool_dir", c"", IniEntryPermission::System),
    IniEntryDef::new(c"xdm_relay.spool_max_bytes", c"256M", IniEntryPermission::System),
    IniEntryDef::end(),
]);

/// `256M`, `1G`, `65536`: PHP's shorthand byte notation.
fn parse_bytes(text: &str) -> Option<u64> {
    let t = text.trim();
    let (digits, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c.to_ascii_uppercase()),
        _ => (t, 'B'),
    };
    let n: u64 = digits.trim().parse().ok()?;
    let factor = match unit {
        'B' => 1,
        'K' => 1 << 10,
        'M' => 1 << 20,
        'G' => 1 << 30,
        _ => return None,
    };
    n.checked_mul(factor)
}

fn read_ini() -> IniValues {
    let values = ExecutorGlobals::get().ini_values();
    let get = |key: &str| values.get(key).cloned().flatten().unwrap_or_default();
    let defaults = IniValues::default();
    let dir = get("xdm_relay.spool_dir");
    IniValues {
        enabled: !matches!(get("xdm_relay.enabled").trim().to_ascii_lowercase().as_str(), "0" | "off" | "false" | "no"),
        spool_dir: if dir.trim().is_empty() { defaults.spool_dir } else { PathBuf::from(dir.trim()) },
        spool_max_bytes: parse_bytes(&get("xdm_relay.spool_max_bytes")).unwrap_or(defaults.spool_max_bytes),
    }
}

/// MINIT: registers the INI entries and the fork detector. Starts no thread: the FPM master
/// forks its workers after this, and threads do not survive a fork.
pub fn startup(_ty: i32, module_number: i32) -> i32 {
    let ok = catch_unwind(|| {
        IniEntryDef::register(INI_ENTRIES.as_slice(), module_number);
        pipeline::set_ini(read_ini());
        pipeline::install_fork_handler();
    });
    if ok.is_ok() {
        0
    } else {
        -1
    }
}

unsafe extern "C" fn request_startup(_ty: i32, _module_number: i32) -> i32 {
    let _ = catch_unwind(pipeline::request_started);
    0
}

unsafe extern "C" fn module_shutdown(_ty: i32, _module_number: i32) -> i32 {
    let _ = catch_unwind(pipeline::shutdown);
    0
}

fn mask(secret: &str) -> String {
    if secret.is_empty() {
        String::new()
    } else {
        "********".to_string()
    }
}

extern "C" fn php_module_info(_module: *mut ModuleEntry) {
    let _ = catch_unwind(|| {
        let settings = crate::settings::current();
        let ini = pipeline::ini();
        let stats = pipeline::stats();
        info_table_start!();
        info_table_row!("xdm_relay support", "enabled");
        info_table_row!("version", crate::VERSION);
        info_table_row!("delivery", if ini.enabled { "on" } else { "off (xdm_relay.enabled=0)" });
        info_table_row!("edge_url", settings.edge_url.as_str());
        info_table_row!("org_id", settings.org_id.clone().unwrap_or_default().as_str());
        let auth = match &settings.auth {
            Some(a) => format!("oauth client_id={} client_secret={}", a.client_id, mask(&a.client_secret)),
            None => "none (unauthenticated collection)".to_string(),
        };
        info_table_row!("auth", auth.as_str());
        let spool = pipeline::spool_dir(&settings);
        info_table_row!("spool_dir", spool.display().to_string().as_str());
        info_table_row!("spool_max_bytes", settings.spool_max_bytes.unwrap_or(ini.spool_max_bytes).to_string().as_str());
        for (k, v) in [
            ("accepted", stats.accepted),
            ("delivered", stats.delivered),
            ("retried", stats.retried),
            ("failed", stats.failed),
            ("dropped", stats.dropped),
            ("queued", stats.queued),
            ("spool_bytes", stats.spool_bytes),
            ("at_risk (memory only)", stats.at_risk),
            ("spool_events (all processes)", stats.spool_events),
            ("orphaned_segments", stats.backlog.orphaned),
            ("unadoptable_segments", stats.backlog.unadoptable),
            ("lost_events", stats.backlog.lost),
        ] {
            info_table_row!(k, v.to_string().as_str());
        }
        let oldest = stats.backlog.oldest_age_s.map(|a| format!("{a} s")).unwrap_or_else(|| "-".to_string());
        info_table_row!("oldest_event_age", oldest.as_str());
        info_table_row!("last_error", stats.last_error.as_str());
        info_table_end!();
    });
}

#[php_module]
#[php(startup = "startup")]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    let module = module
        .class::<InvalidEventException>()
        .class::<ConfigException>()
        .request_startup_function(request_startup)
        .shutdown_function(module_shutdown)
        .info_function(php_module_info);
    platform_fn::register(delivery::register(map_fn::register(module)))
}

#[cfg(test)]
mod tests {
    use super::parse_bytes;

    #[test]
    fn byte_shorthand() {
        assert_eq!(parse_bytes("256M"), Some(256 << 20));
        assert_eq!(parse_bytes("1g"), Some(1 << 30));
        assert_eq!(parse_bytes("65536"), Some(65536));
        assert_eq!(parse_bytes("lots"), None);
    }
}
