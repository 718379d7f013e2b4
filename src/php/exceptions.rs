//! The extension's exception classes, and the `EventName` constants.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::class::RegisteredClass;
use ext_php_rs::exception::PhpException;
use ext_php_rs::ffi::zend_throw_exception;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendClassObject, ZendHashTable};
use ext_php_rs::zend::{ce, ClassEntry};

use crate::mapping::MapError;

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

/// Thrown when a payload cannot be mapped to XDM. The message names the event and every bad
/// field (the first 20), e.g. `orderPlaced: order.grand_total: "abc" is not a number;
/// order.customer_email: is required`; `getProblems()` lists them.
#[php_class]
#[php(name = "XdmRelay\\InvalidEventException")]
#[php(extends(ce = invalid_argument_exception, stub = "\\InvalidArgumentException"))]
#[derive(Default)]
pub struct InvalidEventException {
    event: String,
    problems: Vec<(String, String)>,
    more: usize,
}

#[php_impl]
impl InvalidEventException {
    /// The event the payload was given for.
    pub fn get_event(&self) -> String {
        self.event.clone()
    }

    /// Every bad field found, in the order the mapping reads them: `[['path' => 'order.grand_total', 'problem' =>
    /// '"abc" is not a number'], ...]`; at most 20, see `getMoreProblems()`.
    ///
    /// @return list<array{path: string, problem: string}>
    pub fn get_problems(&self) -> PhpResult<Vec<ZBox<ZendHashTable>>> {
        let mut list = Vec::with_capacity(self.problems.len());
        for (path, problem) in &self.problems {
            let mut entry = ZendHashTable::new();
            entry.insert("path", path.as_str())?;
            entry.insert("problem", problem.as_str())?;
            list.push(entry);
        }
        Ok(list)
    }

    /// How many more problems the payload has beyond those listed.
    pub fn get_more_problems(&self) -> i64 {
        i64::try_from(self.more).unwrap_or(i64::MAX)
    }
}

impl InvalidEventException {
    /// Throws a new exception with `message`, carrying the problems of `err`.
    pub fn throw_with(message: &str, err: MapError) {
        let Ok(text) = std::ffi::CString::new(message.replace('\0', "\\0")) else {
            return;
        };
        let Some(class) = ClassEntry::try_find(InvalidEventException::CLASS_NAME) else {
            return;
        };
        // SAFETY: `class` is a registered class entry and the message a valid C string for the
        // call's duration; the engine returns the object it threw, which stays alive as the
        // pending exception while it is filled in.
        let object = unsafe { zend_throw_exception((class as *const ClassEntry).cast_mut(), text.as_ptr(), 0).as_mut() };
        if let Some(exception) = object.and_then(ZendClassObject::<InvalidEventException>::from_zend_obj_mut) {
            exception.event = err.event;
            exception.more = err.more;
            exception.problems = err.problems.into_iter().map(|p| (p.path, p.problem)).collect();
        }
    }
}

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
pub fn message(text: String) -> String {
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

/// The names of the contract's events, for `xdm_relay_emit()` and `xdm_relay_map()`. Spelled
/// from the mapping's event table (tests/mapping.rs holds the two together).
#[php_class]
#[php(name = "XdmRelay\\EventName")]
pub struct EventName;

#[php_impl]
impl EventName {
    pub const ORDER_PLACED: &'static str = "orderPlaced";
    pub const ORDER_INVOICED: &'static str = "orderInvoiced";
    pub const ORDER_ITEMS_SHIPPED: &'static str = "orderItemsShipped";
    pub const ORDER_SHIPMENT_COMPLETED: &'static str = "orderShipmentCompleted";
    pub const ORDER_CANCELLED: &'static str = "orderCancelled";
    pub const ORDER_LINE_ITEM_REFUNDED: &'static str = "orderLineItemRefunded";
    pub const ORDER_ITEMS_RETURN_INITIATED: &'static str = "orderItemsReturnInitiated";
    pub const ORDER_ITEM_RETURN_COMPLETED: &'static str = "orderItemReturnCompleted";
    pub const ACCOUNT_CREATED: &'static str = "accountCreated";
    pub const ACCOUNT_UPDATED: &'static str = "accountUpdated";
    pub const ACCOUNT_DELETED: &'static str = "accountDeleted";
    pub const PROFILE_RECORD: &'static str = "profileRecord";
    pub const PROFILE_DELETED: &'static str = "profileDeleted";
    pub const HISTORICAL_ORDER: &'static str = "historicalOrder";
    pub const PAGE_VIEW: &'static str = "pageView";
    pub const PRODUCT_PAGE_VIEW: &'static str = "productPageView";
    pub const ADD_TO_CART: &'static str = "addToCart";
    pub const OPEN_CART: &'static str = "openCart";
    pub const REMOVE_FROM_CART: &'static str = "removeFromCart";
    pub const SHOPPING_CART_VIEW: &'static str = "shoppingCartView";
    pub const INITIATE_CHECKOUT: &'static str = "initiateCheckout";
    pub const PLACE_ORDER: &'static str = "placeOrder";
    pub const SIGN_IN: &'static str = "signIn";
    pub const SIGN_OUT: &'static str = "signOut";
    pub const CREATE_ACCOUNT: &'static str = "createAccount";
    pub const EDIT_ACCOUNT: &'static str = "editAccount";
    pub const SEARCH_REQUEST_SENT: &'static str = "searchRequestSent";
    pub const SEARCH_RESPONSE_RECEIVED: &'static str = "searchResponseReceived";
}
