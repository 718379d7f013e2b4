//! The extension's exception classes.

use ext_php_rs::prelude::*;
use ext_php_rs::zend::{ce, ClassEntry};

/// Looked up at run time: `ClassEntry::try_find` finds nothing during module startup, and a
/// link-time `extern static` would stop `cargo php stubs` from loading the library outside PHP.
fn invalid_argument_exception() -> &'static ClassEntry {
    static SYMBOL: &[u8] = b"spl_ce_InvalidArgumentException\0";
    // SAFETY: dlsym with RTLD_DEFAULT only reads the loaded symbol tables; the symbol, when PHP
    // is loaded, is a `zend_class_entry *` initialised by ext/spl before any extension startup.
    unsafe {
        let sym = libc::dlsym(libc::RTLD_DEFAULT, SYMBOL.as_ptr().cast());
        let ptr = if sym.is_null() {
            std::ptr::null()
        } else {
            *(sym as *const *const ClassEntry)
        };
        ptr.as_ref().unwrap_or_else(|| ce::exception())
    }
}

/// Thrown when a payload cannot be mapped to XDM. The message names the event and the
/// field path, e.g. `orderPlaced: order.grand_total: "abc" is not a number`.
#[php_class]
#[php(name = "XdmRelay\\InvalidEventException")]
#[php(extends(ce = invalid_argument_exception, stub = "\\InvalidArgumentException"))]
#[derive(Default)]
pub struct InvalidEventException;

/// Thrown by `xdm_relay_configure()` when a setting is unknown or invalid; the message
/// names the key.
#[php_class]
#[php(name = "XdmRelay\\ConfigException")]
#[php(extends(ce = invalid_argument_exception, stub = "\\InvalidArgumentException"))]
#[derive(Default)]
pub struct ConfigException;
