//! The extension's exception classes.

use ext_php_rs::exception::PhpException;
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

/// PHP takes exception messages as C strings: a NUL byte (say, from an event name) would make
/// the exception impossible to create, and the caller would get an engine error instead. NUL
/// bytes are shown as `\0`.
fn message(text: String) -> String {
    if text.contains('\0') {
        text.replace('\0', "\\0")
    } else {
        text
    }
}

pub fn invalid_event(text: impl Into<String>) -> PhpException {
    PhpException::from_class::<InvalidEventException>(message(text.into()))
}

pub fn config_error(text: impl Into<String>) -> PhpException {
    PhpException::from_class::<ConfigException>(message(text.into()))
}

/// The `$event` argument as text. Taken as bytes rather than a Rust `String` parameter so that
/// a name that is not UTF-8 gets the extension's own exception, naming the argument, instead of
/// the binding's generic type error.
pub fn event_name(event: &[u8]) -> Result<String, PhpException> {
    std::str::from_utf8(event)
        .map(str::to_string)
        .map_err(|_| invalid_event("event: the event name is not valid UTF-8"))
}
