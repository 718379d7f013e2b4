//! The mapping: Magento payloads in (read in place through `source::Node`), XDM JSON out.
//! Pure: no I/O, no PHP types, no clock (the caller passes `now`).
#![forbid(unsafe_code)]

mod customers;
mod ecid_cookie;
mod fields;
mod identity;
mod items;
mod json;
mod orders;
mod read;
pub mod source;
mod storefront;
pub mod value;
pub mod xdm;

use std::cell::RefCell;
use std::fmt;

pub use read::{Problem, MAX_PROBLEMS};
pub use source::MAX_DEPTH;
pub use source::Node;
pub use value::Value;

use read::{Cx, Obj};

/// When a time the event cannot do without is missing, mapping goes on with this one to find
/// the payload's other problems; the document is never sent.
const NO_TIME: chrono::DateTime<chrono::Utc> = chrono::DateTime::UNIX_EPOCH;
use xdm::{AccountStatus, ExperienceEvent, ProfileRecord};

/// Identity namespace codes; defaults are the contract's.
#[derive(Debug, Clone, PartialEq)]
pub struct Namespaces {
    pub email: String,
    pub customer_id: String,
    pub ecid: String,
    /// XDM Relay's first-party device id, the storefront events' primary identity.
    pub fpid: String,
}

impl Default for Namespaces {
    fn default() -> Self {
        Namespaces {
            email: "Email".to_string(),
            customer_id: "CustomerId".to_string(),
            ecid: "ECID".to_string(),
            fpid: "FPID".to_string(),
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

/// A payload that cannot be mapped: the event and every bad field found (the first
/// `MAX_PROBLEMS`; `more` counts the rest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapError {
    pub event: String,
    /// Never empty.
    pub problems: Vec<Problem>,
    pub more: usize,
}

impl MapError {
    fn one(event: &str, path: &str, problem: String) -> MapError {
        MapError {
            event: event.to_string(),
            problems: vec![Problem {
                path: path.to_string(),
                problem,
            }],
            more: 0,
        }
    }
}

/// `orderPlaced: order.grand_total: "abc" is not a number; order.customer_email: is required`
impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.event)?;
        for (i, p) in self.problems.iter().enumerate() {
            write!(f, "{}{}: {}", if i == 0 { ": " } else { "; " }, p.path, p.problem)?;
        }
        if self.more > 0 {
            write!(f, "; and {} more", self.more)?;
        }
        Ok(())
    }
}

impl std::error::Error for MapError {}

/// The XDM eventTypes of the ExperienceEvents this mapping produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    OrderPlaced,
    OrderInvoiced,
    OrderItemsShipped,
    OrderShipmentCompleted,
    OrderCancelled,
    CreditMemoIssued,
    OrderItemsReturnInitiated,
    OrderItemsReturnCompleted,
    CreateProfile,
    UpdateProfile,
    DeleteProfile,
    PageView,
    ProductView,
    ProductListAdd,
    ProductListOpen,
    ProductListRemoval,
    ProductListView,
    Checkout,
    Purchase,
    Login,
    Logout,
    StorefrontCreateProfile,
    StorefrontUpdateProfile,
    SearchRequest,
    SearchResponse,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::OrderPlaced => "commerce.backofficeOrderPlaced",
            EventType::OrderInvoiced => "commerce.backofficeOrderInvoiced",
            EventType::OrderItemsShipped => "commerce.backofficeOrderItemsShipped",
            EventType::OrderShipmentCompleted => "commerce.backofficeOrderShipmentCompleted",
            EventType::OrderCancelled => "commerce.backofficeOrderCancelled",
            EventType::CreditMemoIssued => "commerce.backofficeCreditMemoIssued",
            EventType::OrderItemsReturnInitiated => "commerce.backofficeOrderItemsReturnInitiated",
            EventType::OrderItemsReturnCompleted => "commerce.backofficeOrderItemsReturnCompleted",
            EventType::CreateProfile => "userAccount.backofficeCreateProfile",
            EventType::UpdateProfile => "userAccount.backofficeUpdateProfile",
            EventType::DeleteProfile => "userAccount.backofficeDeleteProfile",
            EventType::PageView => "web.webpagedetails.pageViews",
            EventType::ProductView => "commerce.productViews",
            EventType::ProductListAdd => "commerce.productListAdds",
            EventType::ProductListOpen => "commerce.productListOpens",
            EventType::ProductListRemoval => "commerce.productListRemovals",
            EventType::ProductListView => "commerce.productListViews",
            EventType::Checkout => "commerce.checkouts",
            EventType::Purchase => "commerce.purchases",
            EventType::Login => "userAccount.login",
            EventType::Logout => "userAccount.logout",
            EventType::StorefrontCreateProfile => "userAccount.createProfile",
            EventType::StorefrontUpdateProfile => "userAccount.updateProfile",
            EventType::SearchRequest => "searchRequest",
            EventType::SearchResponse => "searchResponse",
        }
    }
}

type ExperienceFn = for<'a> fn(&Obj<'a>, &MapContext<'a>, EventType) -> ExperienceEvent<'a>;
type ProfileFn = for<'a> fn(&Obj<'a>, &MapContext<'a>) -> ProfileRecord<'a>;

/// What an event becomes, and the function that maps it.
#[derive(Clone, Copy)]
pub enum Produces {
    Experience(EventType, ExperienceFn),
    Profile(ProfileFn),
}

/// One event of the contract.
#[derive(Clone, Copy)]
pub struct Event {
    /// The name PHP passes to `xdm_relay_emit` / `xdm_relay_map`.
    pub name: &'static str,
    /// The constant of `XdmRelay\EventName` that spells the name.
    pub constant: &'static str,
    /// The payload's top-level arrays the event cannot do without.
    pub requires: &'static [&'static str],
    pub produces: Produces,
}

impl Event {
    pub fn kind(&self) -> DocumentKind {
        match self.produces {
            Produces::Experience(..) => DocumentKind::ExperienceEvent,
            Produces::Profile(_) => DocumentKind::ProfileRecord,
        }
    }
}

const fn experience(name: &'static str, constant: &'static str, requires: &'static [&'static str], event_type: EventType, map: ExperienceFn) -> Event {
    Event { name, constant, requires, produces: Produces::Experience(event_type, map) }
}

const fn profile(name: &'static str, constant: &'static str, map: ProfileFn) -> Event {
    Event { name, constant, requires: &["customer"], produces: Produces::Profile(map) }
}

/// Every event of the contract: the mapping dispatches on it, the extension registers its
/// names as `XdmRelay\EventName` constants (and so the PHP stubs), the Magento module uses
/// those constants.
pub static EVENTS: &[Event] = &[
    experience("orderPlaced", "ORDER_PLACED", &["order"], EventType::OrderPlaced, orders::placed),
    experience("orderInvoiced", "ORDER_INVOICED", &["order", "invoice"], EventType::OrderInvoiced, orders::invoiced),
    experience("orderItemsShipped", "ORDER_ITEMS_SHIPPED", &["order", "shipment"], EventType::OrderItemsShipped, orders::items_shipped),
    experience("orderShipmentCompleted", "ORDER_SHIPMENT_COMPLETED", &["order"], EventType::OrderShipmentCompleted, orders::shipment_completed),
    experience("orderCancelled", "ORDER_CANCELLED", &["order"], EventType::OrderCancelled, orders::cancelled),
    experience("orderLineItemRefunded", "ORDER_LINE_ITEM_REFUNDED", &["order", "creditmemo"], EventType::CreditMemoIssued, orders::refunded),
    experience("orderItemsReturnInitiated", "ORDER_ITEMS_RETURN_INITIATED", &["order", "rma"], EventType::OrderItemsReturnInitiated, orders::return_initiated),
    experience("orderItemReturnCompleted", "ORDER_ITEM_RETURN_COMPLETED", &["order", "rma"], EventType::OrderItemsReturnCompleted, orders::return_completed),
    experience("accountCreated", "ACCOUNT_CREATED", &["customer"], EventType::CreateProfile, customers::account_created),
    experience("accountUpdated", "ACCOUNT_UPDATED", &["customer"], EventType::UpdateProfile, customers::account_updated),
    experience("accountDeleted", "ACCOUNT_DELETED", &["customer"], EventType::DeleteProfile, customers::account_deleted),
    profile("profileRecord", "PROFILE_RECORD", customers::profile_record),
    profile("profileDeleted", "PROFILE_DELETED", customers::profile_deleted),
    // A past order sent by the history sync: the same document and eventType as orderPlaced,
    // so AEP recognises a replay of a live order as a duplicate.
    experience("historicalOrder", "HISTORICAL_ORDER", &["order"], EventType::OrderPlaced, orders::placed),
    // The storefront events: Adobe's storefront SDK names and Data Connection's eventTypes.
    experience("pageView", "PAGE_VIEW", &["shopper", "page"], EventType::PageView, storefront::page_view),
    experience("productPageView", "PRODUCT_PAGE_VIEW", &["shopper", "page", "product"], EventType::ProductView, storefront::product_page_view),
    experience("addToCart", "ADD_TO_CART", &["shopper", "cart"], EventType::ProductListAdd, storefront::cart_change),
    experience("openCart", "OPEN_CART", &["shopper", "cart"], EventType::ProductListOpen, storefront::cart_change),
    experience("removeFromCart", "REMOVE_FROM_CART", &["shopper", "cart"], EventType::ProductListRemoval, storefront::cart_change),
    experience("shoppingCartView", "SHOPPING_CART_VIEW", &["shopper", "cart"], EventType::ProductListView, storefront::cart_view),
    experience("initiateCheckout", "INITIATE_CHECKOUT", &["shopper", "cart"], EventType::Checkout, storefront::cart_view),
    experience("placeOrder", "PLACE_ORDER", &["shopper", "order"], EventType::Purchase, storefront::place_order),
    experience("signIn", "SIGN_IN", &["shopper", "customer"], EventType::Login, storefront::account),
    experience("signOut", "SIGN_OUT", &["shopper"], EventType::Logout, storefront::sign_out),
    experience("createAccount", "CREATE_ACCOUNT", &["shopper", "customer"], EventType::StorefrontCreateProfile, storefront::account),
    experience("editAccount", "EDIT_ACCOUNT", &["shopper", "customer"], EventType::StorefrontUpdateProfile, storefront::account),
    experience("searchRequestSent", "SEARCH_REQUEST_SENT", &["shopper", "search"], EventType::SearchRequest, storefront::search_request),
    experience("searchResponseReceived", "SEARCH_RESPONSE_RECEIVED", &["shopper", "search"], EventType::SearchResponse, storefront::search_response),
];

pub fn event_named(name: &str) -> Option<&'static Event> {
    EVENTS.iter().find(|e| e.name == name)
}

thread_local! {
    /// The output buffer, reused by every mapping on this thread: it grows to the largest
    /// document once and is never reallocated after.
    static OUTPUT: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(8192));
}

/// Maps one contract event from a payload read in place.
pub fn map_event(event: &str, payload: &dyn Node, ctx: &MapContext) -> Result<Mapped, MapError> {
    let Some(spec) = event_named(event) else {
        let shown: String = event.chars().take(64).collect();
        let names: Vec<&str> = EVENTS.iter().map(|e| e.name).collect();
        return Err(MapError::one(&shown, "event", format!("unknown event; expected one of {}", names.join(", "))));
    };
    let cx = Cx::new();
    let Some(root) = Obj::payload(payload, &cx) else {
        return Err(MapError::one(event, "payload", format!("expected an array of fields, got {}", read::describe(payload, 0))));
    };
    for key in spec.requires {
        root.req_child(key);
    }
    OUTPUT.with(|cell| {
        // A mapping on this thread that is already writing (impossible today: mapping calls
        // nothing that maps) gets a buffer of its own rather than a panic.
        let mut own = Vec::new();
        let mut shared = cell.try_borrow_mut();
        let buf = match shared.as_deref_mut() {
            Ok(buf) => buf,
            Err(_) => &mut own,
        };
        buf.clear();
        let mut out = json::Out::new(std::mem::take(buf));
        let (id, event_type) = match spec.produces {
            Produces::Experience(event_type, map) => {
                let doc = map(&root, ctx, event_type);
                if !cx.failed() {
                    doc.write(&mut out);
                }
                (doc.id, Some(event_type.as_str()))
            }
            Produces::Profile(map) => {
                let mut doc = map(&root, ctx);
                if !cx.failed() {
                    doc.write(&mut out);
                    if doc.user_account.status == AccountStatus::Active {
                        doc.id = customers::seal_profile_id(&doc, ctx.settings, &mut out, 0);
                    }
                }
                (doc.id, None)
            }
        };
        // Only `&str` pieces were written, so this always holds; checking costs less than a
        // microsecond and keeps the mapping free of `unsafe`.
        let json = std::str::from_utf8(&out.buf).map(str::to_owned);
        *buf = out.buf;
        if cx.failed() {
            let (problems, more) = cx.take_problems();
            return Err(MapError {
                event: event.to_string(),
                problems,
                more,
            });
        }
        match json {
            Ok(json) => Ok(Mapped {
                id: id.hyphenated().to_string(),
                kind: spec.kind(),
                event_type,
                json,
            }),
            Err(e) => Err(MapError::one(event, "document", format!("is not valid UTF-8: {e}"))),
        }
    })
}
