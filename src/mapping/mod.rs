//! The mapping: Magento payload trees in, typed XDM documents out. Pure: no I/O, no PHP types,
//! no clock (the caller passes `now`).

pub mod value;

use std::fmt;

pub use value::Value;

/// Identity namespace codes; defaults are the contract's.
#[derive(Debug, Clone, PartialEq)]
pub struct Namespaces {
    pub email: String,
    pub customer_id: String,
    pub ecid: String,
}

impl Default for Namespaces {
    fn default() -> Self {
        Namespaces {
            email: "Email".to_string(),
            customer_id: "CustomerId".to_string(),
            ecid: "ECID".to_string(),
        }
    }
}

/// The settings that shape a document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapSettings {
    /// `commerce.commerceScope.environmentID`.
    pub environment_id: Option<String>,
    /// AEP tenant id (without the leading underscore) that holds custom attributes.
    pub tenant_id: Option<String>,
    pub namespaces: Namespaces,
}

#[derive(Debug, Clone)]
pub struct MapContext<'a> {
    pub settings: &'a MapSettings,
    /// The time to stamp on events whose payload carries no time of their own (deletions).
    pub now: chrono::DateTime<chrono::Utc>,
}

/// Which XDM class a document belongs to; decides the dataset it goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    ExperienceEvent,
    ProfileRecord,
}

/// A mapped document, ready to go under `xdm` in an Edge request.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    /// The document's deterministic `_id`.
    pub id: String,
    pub kind: DocumentKind,
    /// The XDM eventType (ExperienceEvents only).
    pub event_type: Option<&'static str>,
    /// The document as compact JSON.
    pub json: String,
}

/// A payload that cannot be mapped; names the event and the field path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapError {
    pub event: String,
    pub path: String,
    pub problem: String,
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.event, self.path, self.problem)
    }
}

impl std::error::Error for MapError {}

/// Maps one contract event.
pub fn map_event(event: &str, payload: &Value, ctx: &MapContext) -> Result<Mapped, MapError> {
    let _ = (payload, ctx);
    Err(MapError {
        event: event.to_string(),
        path: "event".to_string(),
        problem: "not implemented yet".to_string(),
    })
}
