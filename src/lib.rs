//! XDM Relay: a PHP extension that maps Magento events to XDM and delivers them to the
//! Adobe Experience Platform Edge Network in the background.
//!
//! Layout: `mapping` is pure (a payload read in place through `mapping::source::Node`, XDM
//! JSON out, no I/O); `delivery` is the spool and the background sender; `platform` is the
//! admin-only Platform API client; `php` is the PHP boundary, which reads PHP values and
//! delegates.

pub mod delivery;
pub mod mapping;
pub mod platform;
pub mod settings;
pub mod php;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
