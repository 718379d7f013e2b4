//! The storefront events: what the shopper does on the website, with Data Connection's
//! storefront `eventType`s and field paths (no `personID`, which no ExperienceEvent schema
//! declares). One function per event (or per family of events sharing a shape); what every
//! storefront event reads is read once by `Shopper`.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::ecid_cookie;
use super::fields;
use super::identity;
use super::orders;
use super::read::{Obj, Text};
use super::source::Kind;
use super::xdm::{
    Channel, Commerce, CommerceAction, ExperienceEvent, IdentityMap, LoginAction, Order, Person, ProductListItem,
    SearchFilter, SearchKind, SearchMeasure, SearchSort, SelectedOption, SiteSearch, SortOrder, Web,
};
use super::{EventType, MapContext, MapSettings, NO_TIME};

/// What every storefront event reads: its id and time, the shopper, the page, the store.
struct Shopper<'a> {
    payload: Obj<'a>,
    settings: &'a MapSettings,
    event_id: Text<'a>,
    at: DateTime<Utc>,
    fpid: Option<Text<'a>>,
    ecid: Option<String>,
    email: Option<Text<'a>>,
    customer_id: Option<Text<'a>>,
    page: Option<Obj<'a>>,
}

impl<'a> Shopper<'a> {
    fn read(payload: &Obj<'a>, settings: &'a MapSettings) -> Shopper<'a> {
        let event_id = payload.req_str("event_id");
        let at = payload.epoch_millis("occurred_at").unwrap_or_else(|| {
            if payload.raw("occurred_at").is_none() {
                payload.require("occurred_at");
            }
            NO_TIME
        });
        let shopper = payload.req_child("shopper");
        let fpid = identity::fpid(&shopper);
        // The shopper controls the cookie: a value that is not Adobe's identity cookie (or not
        // even a string) only means there is no ECID to add.
        let ecid = shopper.raw("ecid_cookie").and_then(|v| match v.kind() {
            Kind::Str(s) => ecid_cookie::decode(s),
            _ => None,
        });
        Shopper {
            payload: *payload,
            settings,
            event_id,
            at,
            fpid,
            ecid,
            email: fields::email(&shopper, "email"),
            customer_id: shopper.str("customer_id"),
            page: payload.child("page"),
        }
    }

    /// FPID is the one primary identity. The shopper's e-mail and customer id (or, when the
    /// session did not know them, those the event itself carries: the order's, the account's)
    /// are added as non-primary, so AEP's identity graph links the device to the person.
    fn identity_map(&self, email: Option<&Text<'a>>, customer_id: Option<&Text<'a>>) -> IdentityMap<'a> {
        let ns = &self.settings.namespaces;
        let mut ids = IdentityMap(Vec::with_capacity(4));
        if let Some(fpid) = &self.fpid {
            ids.add(&ns.fpid, fpid.clone(), true);
        }
        if let Some(ecid) = &self.ecid {
            ids.add(&ns.ecid, Cow::Owned(ecid.clone()), false);
        }
        if let Some(email) = self.email.as_ref().or(email) {
            ids.add(&ns.email, identity::email_identity(email), false);
        }
        if let Some(customer_id) = self.customer_id.as_ref().or(customer_id) {
            ids.add(&ns.customer_id, customer_id.clone(), false);
        }
        ids
    }

    /// The page's URLs, as the Web SDK adds them to every event.
    fn web(&self) -> Option<Web<'a>> {
        let page = self.page.as_ref()?;
        let web = Web {
            url: page.str("url"),
            referrer: page.str("referrer"),
            ..Web::default()
        };
        (!web.is_empty()).then_some(web)
    }

    /// The store the shopper is in; left out when neither the payload nor the settings name one.
    fn commerce(&self) -> Commerce<'a> {
        let scope = fields::scope(&self.payload, self.settings);
        let named = scope.environment_id.is_some()
            || scope.website_code.is_some()
            || scope.store_code.is_some()
            || scope.store_view_code.is_some();
        Commerce {
            commerce_scope: named.then_some(scope),
            ..Commerce::default()
        }
    }

    /// The document every storefront event starts from: `_id` from the environment, the
    /// eventType and the module's id of this one action, so a retry keeps its `_id` and two
    /// actions never share one.
    fn event(&self, event_type: EventType) -> ExperienceEvent<'a> {
        ExperienceEvent {
            id: identity::document_id(self.settings, event_type.as_str(), &[self.event_id.as_bytes()]),
            timestamp: self.at,
            timestamp_millis: true,
            event_type: event_type.as_str(),
            identity_map: self.identity_map(None, None),
            channel: Some(Channel::Web),
            web: self.web(),
            user_agent: self.page.as_ref().and_then(|p| p.str("user_agent")),
            ..ExperienceEvent::default()
        }
    }

    /// The event with `commerce` holding `action` and the store scope.
    fn commerce_event(&self, event_type: EventType, action: CommerceAction) -> ExperienceEvent<'a> {
        ExperienceEvent {
            commerce: Some(Commerce {
                action: Some(action),
                ..self.commerce()
            }),
            ..self.event(event_type)
        }
    }

    /// The event with only the store scope under `commerce`, when there is one.
    fn scoped_event(&self, event_type: EventType) -> ExperienceEvent<'a> {
        let commerce = self.commerce();
        ExperienceEvent {
            commerce: commerce.commerce_scope.is_some().then_some(commerce),
            ..self.event(event_type)
        }
    }
}

/// Rounds an amount to cents, as the collector does for a line's price × quantity.
fn cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

pub fn page_view<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let shopper = Shopper::read(payload, ctx.settings);
    let mut event = shopper.scoped_event(event_type);
    let page = payload.req_child("page");
    let web = event.web.take().unwrap_or_default();
    event.web = Some(Web {
        site_section: page.str("type"),
        name: page.str("name"),
        page_view: true,
        ..web
    });
    event
}

pub fn product_page_view<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let shopper = Shopper::read(payload, ctx.settings);
    let product = payload.req_child("product");
    let regular = product.decimal("regular_price");
    let special = product.decimal("special_price");
    // The collector's price is the special price when there is one, its discount what the
    // special price takes off the regular one.
    let discount = match (regular, special) {
        (Some(regular), Some(special)) if special < regular => Some(cents(regular - special)),
        _ => None,
    };
    let line = ProductListItem {
        sku: product.req_str("sku"),
        name: product.str("name"),
        price_total: special.or(regular),
        discount_amount: discount,
        currency_code: fields::currency(&product, "currency_code"),
        product_image_url: product.str("image_url"),
        ..ProductListItem::default()
    };
    ExperienceEvent {
        product_list_items: vec![line],
        ..shopper.commerce_event(event_type, CommerceAction::ProductViews)
    }
}

/// The cart of a cart event: its id, and its lines in the cart's currency.
struct Cart<'a> {
    id: Text<'a>,
    discount: Option<f64>,
    lines: Vec<ProductListItem<'a>>,
}

impl<'a> Cart<'a> {
    fn read(payload: &Obj<'a>, lines_required: bool) -> Cart<'a> {
        let cart = payload.req_child("cart");
        let id = cart.req_str("id");
        let currency = fields::currency(&cart, "currency_code");
        let items = cart.list("items");
        if lines_required && items.is_empty() && cart.raw("items").is_none() {
            cart.require("items");
        }
        let lines = items.iter().map(|item| cart_line(item, currency)).collect();
        Cart {
            id,
            discount: cart.decimal("discount_amount").map(f64::abs),
            lines,
        }
    }
}

fn cart_line<'a>(item: &Obj<'a>, currency: Option<&'static str>) -> ProductListItem<'a> {
    let sku = item.req_str("sku");
    let quantity = item.quantity("qty");
    if quantity.is_none() && item.raw("qty").is_none() {
        item.require("qty");
    }
    // The exact quantity (Magento allows decimal quantities); XDM's `quantity` is whole units.
    let exact_qty = quantity.and_then(|_| item.decimal("qty"));
    let price_total = match (item.decimal("price"), exact_qty) {
        (Some(price), Some(qty)) => Some(cents(price * qty)),
        _ => None,
    };
    let mut selected_options = Vec::new();
    for option in item.list("options") {
        if let (Some(attribute), Some(value)) = (option.str("label"), option.str("value")) {
            selected_options.push(SelectedOption { attribute, value });
        }
    }
    ProductListItem {
        sku,
        name: item.str("name"),
        quantity,
        price_total,
        discount_amount: item.decimal("discount_amount").map(f64::abs),
        currency_code: currency,
        product_image_url: item.str("image_url"),
        selected_options,
        ..ProductListItem::default()
    }
}

/// `addToCart`, `openCart`, `removeFromCart`: the lines that changed, with the change in
/// quantity.
pub fn cart_change<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let shopper = Shopper::read(payload, ctx.settings);
    let cart = Cart::read(payload, true);
    let action = match event_type {
        EventType::ProductListOpen => CommerceAction::ProductListOpens,
        EventType::ProductListRemoval => CommerceAction::ProductListRemovals,
        _ => CommerceAction::ProductListAdds,
    };
    let mut event = shopper.commerce_event(event_type, action);
    if let Some(commerce) = &mut event.commerce {
        commerce.cart_id = Some(cart.id);
    }
    event.product_list_items = cart.lines;
    event
}

/// `shoppingCartView`, `initiateCheckout`: the whole cart, with its discount as the collector
/// sends it (`commerce.order.discountAmount`).
pub fn cart_view<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let shopper = Shopper::read(payload, ctx.settings);
    let cart = Cart::read(payload, false);
    let action = match event_type {
        EventType::Checkout => CommerceAction::Checkouts,
        _ => CommerceAction::ProductListViews,
    };
    let mut event = shopper.commerce_event(event_type, action);
    if let Some(commerce) = &mut event.commerce {
        commerce.order = cart.discount.map(|discount| Order {
            discount_amount: Some(discount),
            ..Order::default()
        });
        commerce.cart_id = Some(cart.id);
    }
    event.product_list_items = cart.lines;
    event
}

pub fn place_order<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let shopper = Shopper::read(payload, ctx.settings);
    let purchase = orders::purchase(payload, ctx.settings);
    let email = (!purchase.email.is_empty()).then_some(purchase.email);
    let mut event = shopper.commerce_event(event_type, CommerceAction::Purchases);
    event.identity_map = shopper.identity_map(email.as_ref(), purchase.customer_id.as_ref());
    if let Some(commerce) = &mut event.commerce {
        commerce.order = Some(purchase.order);
        commerce.promotion_id = purchase.promotion_id;
        commerce.shipping = Some(purchase.shipping);
    }
    event.personal_email = email;
    event.product_list_items = purchase.lines;
    event
}

/// `signIn`, `createAccount`, `editAccount`: the customer's account id and e-mail.
pub fn account<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let shopper = Shopper::read(payload, ctx.settings);
    let customer = payload.req_child("customer");
    let id = customer.req_str("id");
    let email = fields::email(&customer, "email");
    let action = match event_type {
        EventType::StorefrontCreateProfile => LoginAction::CreateProfile,
        EventType::StorefrontUpdateProfile => LoginAction::UpdateProfile,
        _ => LoginAction::Login,
    };
    let mut event = shopper.scoped_event(event_type);
    event.identity_map = shopper.identity_map(email.as_ref(), (!id.is_empty()).then_some(&id));
    event.user_account = Some(action);
    event.person = Some(Person {
        account_id: Some(id),
        ..Person::default()
    });
    event.personal_email = email;
    event
}

pub fn sign_out<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let shopper = Shopper::read(payload, ctx.settings);
    ExperienceEvent {
        user_account: Some(LoginAction::Logout),
        ..shopper.scoped_event(event_type)
    }
}

pub fn search_request<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let shopper = Shopper::read(payload, ctx.settings);
    let search = payload.req_child("search");
    let mut sort = Vec::new();
    for s in search.list("sort") {
        let attribute = s.req_str("attribute");
        sort.push(SearchSort {
            attribute,
            order: sort_order(&s),
        });
    }
    let mut filter = Vec::new();
    for f in search.list("filters") {
        filter.push(SearchFilter {
            attribute: f.req_str("attribute"),
            value: f.strings("values"),
            is_range: f.bool("is_range"),
        });
    }
    let site_search = SiteSearch {
        filter,
        sort,
        query: search.str("phrase"),
        ..SiteSearch::default()
    };
    search_event(&shopper, &search, event_type, SearchKind::Request, site_search, Vec::new())
}

pub fn search_response<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let shopper = Shopper::read(payload, ctx.settings);
    let search = payload.req_child("search");
    let site_search = SiteSearch {
        suggestions: search.strings("suggestions"),
        number_of_results: search.quantity("result_count"),
        ..SiteSearch::default()
    };
    let products = search
        .list("products")
        .iter()
        .map(|p| ProductListItem {
            sku: p.req_str("sku"),
            name: p.str("name"),
            product_image_url: p.str("image_url"),
            ..ProductListItem::default()
        })
        .collect();
    search_event(&shopper, &search, event_type, SearchKind::Response, site_search, products)
}

fn search_event<'a>(
    shopper: &Shopper<'a>,
    search: &Obj<'a>,
    event_type: EventType,
    kind: SearchKind,
    site_search: SiteSearch<'a>,
    products: Vec<ProductListItem<'a>>,
) -> ExperienceEvent<'a> {
    let has_search = !site_search.filter.is_empty()
        || !site_search.sort.is_empty()
        || site_search.query.is_some()
        || !site_search.suggestions.is_empty()
        || site_search.number_of_results.is_some();
    ExperienceEvent {
        site_search: has_search.then_some(site_search),
        search: Some(SearchMeasure {
            kind,
            id: search.str("request_id"),
        }),
        product_list_items: products,
        ..shopper.scoped_event(event_type)
    }
}

/// A sort direction as XDM's hard enum spells it; Live Search writes it in either case.
fn sort_order(sort: &Obj) -> Option<SortOrder> {
    let order = sort.str("order")?;
    match order.to_ascii_uppercase().as_str() {
        "ASC" => Some(SortOrder::Asc),
        "DESC" => Some(SortOrder::Desc),
        "RELEVANCE" => Some(SortOrder::Relevance),
        _ => {
            sort.report("order", format!("{order:?} is not a sort order (ASC, DESC or RELEVANCE)"));
            None
        }
    }
}
