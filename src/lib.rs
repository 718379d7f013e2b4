//! XDM Relay: a PHP extension that maps Magento events to XDM and delivers them to the
//! Adobe Experience Platform Edge Network in the background.
//!
//! Layout: `mapping` is pure (payload tree in, typed XDM out); `php` is the PHP boundary,
//! which only converts PHP values and delegates.

pub mod delivery;
pub mod mapping;
pub mod platform;
pub mod settings;
pub mod php;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
