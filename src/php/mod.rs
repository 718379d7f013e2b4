//! The PHP boundary: converts zvals to owned Rust values, calls into the pure modules,
//! turns their errors into PHP exceptions. No business logic lives here.

mod delivery;
mod exceptions;
mod map_fn;
mod module;
mod platform_fn;
mod value;

pub use exceptions::{ConfigException, EventName, InvalidEventException};
