//! `xdm_relay_map()`.

use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::types::ZendHashTable;

use super::value::from_array;
use crate::mapping::{self, MapContext, MapError};

pub fn invalid_event(err: MapError) -> PhpException {
    super::exceptions::invalid_event(err.to_string())
}

/// Returns the XDM document (the JSON object that goes under `xdm` in an Edge request) that
/// `$event` produces for `$payload`, without sending anything.
///
/// @throws \XdmRelay\InvalidEventException when the payload cannot be mapped; the message
///         names the event and the field.
#[php_function]
pub fn xdm_relay_map(event: BinarySlice<u8>, payload: &ZendHashTable) -> PhpResult<String> {
    let event = super::exceptions::event_name(&event)?;
    let payload = from_array(payload);
    let settings = crate::settings::current();
    let ctx = MapContext {
        settings: &settings.map,
        now: chrono::Utc::now(),
    };
    mapping::map_event(&event, &payload, &ctx)
        .map(|m| m.json)
        .map_err(invalid_event)
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.function(wrap_function!(xdm_relay_map))
}
