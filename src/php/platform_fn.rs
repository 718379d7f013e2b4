//! `xdm_relay_dataset_schema`: the admin's data customization report asks Adobe's Platform
//! APIs what a dataset's schema declares (see `crate::platform`). Blocking; admin and CLI only.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::class::RegisteredClass;
use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use super::exceptions::{invalid_event, message};
use super::value::from_array;
use crate::delivery::Destination;
use crate::platform::{self, PlatformError};

/// Thrown by `xdm_relay_dataset_schema()`: the message says what failed and what to check;
/// `getCode()` is the HTTP status behind it (401, 403, 404, ...; 0 when nothing answered or a
/// setting is missing).
#[php_class]
#[php(name = "XdmRelay\\PlatformException")]
#[php(extends(ce = ext_php_rs::zend::ce::exception, stub = "\\Exception"))]
#[derive(Default)]
pub struct PlatformException;

fn platform_error(e: &PlatformError) -> PhpException {
    PhpException::new(message(e.to_string()), i32::from(e.status()), PlatformException::get_metadata().ce())
}

/// The schema of the destination's dataset (`dataset_id`, in `sandbox` or Adobe's default
/// `prod`) and the custom fields it declares under the tenant namespace where custom
/// attributes are sent: `commerce.order._<tenant>` (`order_fields`) and
/// `productListItems[]._<tenant>` (`item_fields`); either is null when the schema lacks that
/// object altogether. One IMS, one Catalog Service and two Schema Registry requests, with the
/// settings of `xdm_relay_configure()`.
///
/// @return array{dataset_id: string, dataset_name: ?string, sandbox: string, schema_id: string, schema_title: ?string, tenant_id: string, order_fields: ?list<string>, item_fields: ?list<string>, latency_ms: float}
/// @throws \XdmRelay\InvalidEventException when the destination cannot be used or names no dataset.
/// @throws \XdmRelay\PlatformException when a Platform API refuses or does not answer.
#[php_function]
pub fn xdm_relay_dataset_schema(destination: &ZendHashTable) -> PhpResult<ZBox<ZendHashTable>> {
    let dest = Destination::parse(&from_array(destination)).map_err(|e| invalid_event(format!("datasetSchema: {e}")))?;
    let Some(dataset) = dest.dataset_id.as_deref() else {
        return Err(invalid_event("datasetSchema: destination.dataset_id: is required"));
    };
    let settings = crate::settings::current();
    let found = platform::dataset_schema(&settings, dataset, dest.sandbox.as_deref()).map_err(|e| platform_error(&e))?;
    let mut out = ZendHashTable::new();
    out.insert("dataset_id", found.dataset_id)?;
    out.insert("dataset_name", found.dataset_name)?;
    out.insert("sandbox", found.sandbox)?;
    out.insert("schema_id", found.schema_id)?;
    out.insert("schema_title", found.schema_title)?;
    out.insert("tenant_id", found.tenant_id)?;
    out.insert("order_fields", found.fields.order)?;
    out.insert("item_fields", found.fields.items)?;
    out.insert("latency_ms", found.latency_ms)?;
    Ok(out)
}

pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.class::<PlatformException>().function(wrap_function!(xdm_relay_dataset_schema))
}
