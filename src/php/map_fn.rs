//! `xdm_relay_map()`, and the conversion of mapping errors into `InvalidEventException`.

use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::types::ZendHashTable;

use super::exceptions::{EventName, InvalidEventException};
use super::value::PhpArray;
use crate::mapping::{self, MapContext, MapError};

/// The exception for a payload that cannot be mapped, already thrown: the engine creates the
/// object, and only then can the list of problems be put into it. The returned value's own
/// `throw` does nothing while this one is pending, so callers use it like any `PhpException`.
pub fn invalid_event(err: MapError) -> PhpException {
    let message = super::exceptions::message(err.to_string());
    InvalidEventException::throw_with(&message, err);
    PhpException::from_class::<InvalidEventException>(message)
}

/// Returns the XDM document (the JSON object that goes under `xdm` in an Edge request) that
/// `$event` produces for `$payload`, without sending anything.
///
/// @throws \XdmRelay\InvalidEventException when the payload cannot be mapped; the message
///         names the event and every bad field, `getProblems()` lists them.
#[php_function]
pub fn xdm_relay_map(event: BinarySlice<u8>, payload: &ZendHashTable) -> PhpResult<String> {
    let event = super::exceptions::event_name(&event)?;
    let settings = crate::settings::current();
    let ctx = MapContext {
        settings: &settings.map,
        now: chrono::Utc::now(),
    };
    mapping::map_event(&event, PhpArray::of(payload), &ctx)
        .map(|m| m.json)
        .map_err(invalid_event)
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.class::<EventName>().function(wrap_function!(xdm_relay_map))
}
