//! The mapping: Magento payload trees in, typed XDM documents out. Pure: no I/O, no PHP types,
//! no clock (the caller passes `now`).

mod customers;
mod fields;
mod identity;
mod items;
mod orders;
mod read;
pub mod value;
pub mod xdm;

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

/// Every event name of the contract.
pub const EVENTS: &[&str] = &[
    "orderPlaced",
    "orderInvoiced",
    "orderItemsShipped",
    "orderShipmentCompleted",
    "orderCancelled",
    "orderLineItemRefunded",
    "orderItemsReturnInitiated",
    "orderItemReturnCompleted",
    "accountCreated",
    "accountUpdated",
    "accountDeleted",
    "profileRecord",
    "profileDeleted",
    "historicalOrder",
];

enum Event {
    Order(orders::OrderEvent),
    Account(customers::AccountEvent),
    Profile { deleted: bool },
}

fn event_named(name: &str) -> Option<Event> {
    use customers::AccountEvent as A;
    use orders::OrderEvent as O;
    Some(match name {
        "orderPlaced" => Event::Order(O::Placed),
        "orderInvoiced" => Event::Order(O::Invoiced),
        "orderItemsShipped" => Event::Order(O::ItemsShipped),
        "orderShipmentCompleted" => Event::Order(O::ShipmentCompleted),
        "orderCancelled" => Event::Order(O::Cancelled),
        "orderLineItemRefunded" => Event::Order(O::Refunded),
        "orderItemsReturnInitiated" => Event::Order(O::ReturnInitiated),
        "orderItemReturnCompleted" => Event::Order(O::ReturnCompleted),
        "historicalOrder" => Event::Order(O::Historical),
        "accountCreated" => Event::Account(A::Created),
        "accountUpdated" => Event::Account(A::Updated),
        "accountDeleted" => Event::Account(A::Deleted),
        "profileRecord" => Event::Profile { deleted: false },
        "profileDeleted" => Event::Profile { deleted: true },
        _ => return None,
    })
}

/// Maps one contract event.
pub fn map_event(event: &str, payload: &Value, ctx: &MapContext) -> Result<Mapped, MapError> {
    let fail = |p: read::Problem| MapError {
        event: event.to_string(),
        path: p.path,
        problem: p.problem,
    };
    let Some(kind) = event_named(event) else {
        let shown: String = event.chars().take(64).collect();
        return Err(MapError {
            event: shown,
            path: "event".to_string(),
            problem: format!("unknown event; expected one of {}", EVENTS.join(", ")),
        });
    };
    let payload = read::Obj::of(payload, "").map_err(|_| MapError {
        event: event.to_string(),
        path: "payload".to_string(),
        problem: format!("expected an array of fields, got {}", payload.describe()),
    })?;
    let (id, kind, event_type, json) = match kind {
        Event::Order(kind) => {
            let doc = orders::map(kind, payload, ctx).map_err(fail)?;
            (doc.id.clone(), DocumentKind::ExperienceEvent, Some(doc.event_type), to_json(&doc).map_err(fail)?)
        }
        Event::Account(kind) => {
            let doc = customers::map_account(kind, payload, ctx).map_err(fail)?;
            (doc.id.clone(), DocumentKind::ExperienceEvent, Some(doc.event_type), to_json(&doc).map_err(fail)?)
        }
        Event::Profile { deleted } => {
            let doc = customers::map_profile(payload, ctx, deleted).map_err(fail)?;
            (doc.id.clone(), DocumentKind::ProfileRecord, None, to_json(&doc).map_err(fail)?)
        }
    };
    Ok(Mapped {
        id,
        kind,
        event_type,
        json,
    })
}

fn to_json<T: serde::Serialize>(doc: &T) -> Result<String, read::Problem> {
    serde_json::to_string(doc).map_err(|e| read::problem("document", format!("cannot be serialised: {e}")))
}
