//! Module registration and the phpinfo() section.

use ext_php_rs::prelude::*;
use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

use super::exceptions::{ConfigException, InvalidEventException};
use super::map_fn;

extern "C" fn php_module_info(_module: *mut ModuleEntry) {
    // The engine would abort on a panic escaping this callback.
    let _ = std::panic::catch_unwind(|| {
        info_table_start!();
        info_table_row!("xdm_relay support", "enabled");
        info_table_row!("version", crate::VERSION);
        info_table_end!();
    });
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    let module = module
        .class::<InvalidEventException>()
        .class::<ConfigException>()
        .info_function(php_module_info);
    map_fn::register(module)
}
