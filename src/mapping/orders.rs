//! The order events: placed (and historical), invoiced, items shipped, shipment completed,
//! cancelled, credit memo, return initiated and completed. One function per event; what they
//! share is read once by `OrderData`.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::fields;
use super::identity;
use super::items::{self, LineContext, OrderItems};
use super::read::{Obj, Text};
use super::xdm::{
    Address, Attr, Commerce, ExperienceEvent, IdentityMap, Order, OrderType, Payment, ProductListItem, Refund, Return,
    Shipping,
};
use super::{EventType, MapContext, MapSettings, NO_TIME};

/// What every order event reads from the order.
struct OrderData<'a> {
    payload: Obj<'a>,
    order: Obj<'a>,
    items: OrderItems<'a>,
    increment_id: Text<'a>,
    /// `entity_id` is the global key; `increment_id` is unique only per store.
    key: Text<'a>,
    currency: &'static str,
    email: Text<'a>,
    settings: &'a MapSettings,
}

impl<'a> OrderData<'a> {
    fn read(payload: &Obj<'a>, settings: &'a MapSettings) -> OrderData<'a> {
        let order = payload.req_child("order");
        let increment_id = order.req_str("increment_id");
        // Read for its problems: every order event needs a valid creation time even when the
        // document's own time is the one sent.
        order.req_datetime("created_at");
        let currency = fields::currency(&order, "order_currency_code").unwrap_or_else(|| {
            order.require("order_currency_code");
            ""
        });
        // Read for its problems only: amounts are sent in the order currency.
        fields::currency(&order, "base_currency_code");
        let email = fields::email(&order, "customer_email").unwrap_or_else(|| {
            order.report("customer_email", "is required: the shopper's e-mail is the primary identity of order events");
            Cow::Borrowed("")
        });
        let key = order.str("entity_id").unwrap_or_else(|| increment_id.clone());
        let items = OrderItems::read(&order);
        OrderData {
            payload: *payload,
            order,
            items,
            increment_id,
            key,
            currency,
            email,
            settings,
        }
    }

    fn identity_map(&self) -> IdentityMap<'a> {
        let ns = &self.settings.namespaces;
        let mut ids = IdentityMap(Vec::with_capacity(3));
        ids.add(&ns.email, identity::email_identity(&self.email), true);
        if !self.order.bool("customer_is_guest").unwrap_or(false) {
            if let Some(customer_id) = self.order.str("customer_id") {
                ids.add(&ns.customer_id, customer_id, false);
            }
        }
        if let Some(ecid) = identity::ecid(&self.payload) {
            ids.add(&ns.ecid, ecid, false);
        }
        ids
    }

    /// What every order event's `commerce.order` holds: the order number and the order's
    /// custom attributes.
    fn base_order(&self) -> Order<'a> {
        Order {
            purchase_id: Some(self.increment_id.clone()),
            custom: fields::custom_attributes(&self.order, self.settings),
            ..Order::default()
        }
    }

    fn payment_field(&self, key: &'static str) -> Option<Text<'a>> {
        self.order.child("payment")?.str(key)
    }

    /// The order's payment; `amount` and `transaction` override the order's own when a
    /// document (an invoice) has them.
    fn payment(&self, amount: Option<f64>, transaction: Option<Text<'a>>) -> Option<Payment<'a>> {
        let payment = self.order.child("payment");
        let (method, ordered, last_trans) = match &payment {
            Some(p) => (p.str("method"), p.decimal("amount_ordered"), p.str("last_trans_id")),
            None => (None, None, None),
        };
        if payment.is_none() && amount.is_none() {
            return None;
        }
        Some(Payment {
            transaction_id: transaction.or(last_trans),
            payment_amount: amount.or(ordered).or_else(|| self.order.decimal("grand_total")),
            payment_type: fields::payment_type(method.as_deref()),
            currency_code: self.currency,
        })
    }

    fn shipping(&self, with_address: bool) -> Shipping<'a> {
        let method = self.order.str("shipping_description").or_else(|| self.order.str("shipping_method"));
        Shipping {
            shipping_method: method,
            shipping_amount: self.order.decimal("shipping_amount"),
            currency_code: Some(self.currency),
            address: if with_address { self.address("shipping_address") } else { None },
            ..Shipping::default()
        }
    }

    fn address(&self, key: &'static str) -> Option<Address<'a>> {
        fields::address(&self.order.child(key)?)
    }

    fn lines(&self) -> LineContext<'a> {
        LineContext {
            currency: self.currency,
            settings: self.settings,
        }
    }

    fn event(
        &self,
        event_type: EventType,
        keys: &[&[u8]],
        timestamp: DateTime<Utc>,
        commerce: Commerce<'a>,
        product_list_items: Vec<ProductListItem<'a>>,
    ) -> ExperienceEvent<'a> {
        let mut id_keys: Vec<&[u8]> = Vec::with_capacity(keys.len() + 1);
        id_keys.push(self.key.as_bytes());
        id_keys.extend_from_slice(keys);
        ExperienceEvent {
            id: identity::document_id(self.settings, event_type.as_str(), &id_keys),
            timestamp,
            event_type: event_type.as_str(),
            identity_map: self.identity_map(),
            personal_email: Some(self.email.clone()),
            person: None,
            commerce: Some(Commerce {
                commerce_scope: Some(fields::scope(&self.payload, self.settings)),
                ..commerce
            }),
            product_list_items,
            ..ExperienceEvent::default()
        }
    }
}

/// The document an order event refers to (`invoice`, `shipment`, ...), with the key that makes
/// its event unique.
fn document<'a>(payload: &Obj<'a>, name: &'static str) -> (Obj<'a>, Text<'a>) {
    let doc = payload.req_child(name);
    let key = doc.str("entity_id").or_else(|| doc.str("increment_id")).unwrap_or_else(|| {
        doc.report("entity_id", "is required (or increment_id)");
        Cow::Borrowed("")
    });
    (doc, key)
}

/// `orderPlaced` and `historicalOrder` (the same document for an order placed before the
/// extension was installed).
pub fn placed<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let data = OrderData::read(payload, ctx.settings);
    let order = &data.order;
    let created = order.req_datetime("created_at");
    let updated = order.datetime("updated_at");
    let commerce = Commerce {
        order: Some(Order {
            purchase_order_number: data.payment_field("po_number"),
            price_total: order.decimal("grand_total"),
            currency_code: Some(data.currency),
            tax_amount: order.decimal("tax_amount"),
            discount_amount: order.decimal("discount_amount").map(f64::abs),
            created_date: created,
            last_updated_date: updated,
            payment: data.payment(None, None),
            ..data.base_order()
        }),
        shipping: Some(data.shipping(true)),
        billing: data.address("billing_address"),
        ..Commerce::default()
    };
    let lines = data.items.lines(&data.lines());
    data.event(event_type, &[], created.unwrap_or(NO_TIME), commerce, lines)
}

/// What the storefront `placeOrder` takes from the order (the same array as `orderPlaced`), in
/// the shape Data Connection's storefront collector gives a purchase.
pub struct Purchase<'a> {
    pub order: Order<'a>,
    pub promotion_id: Option<Text<'a>>,
    pub shipping: Shipping<'a>,
    pub email: Text<'a>,
    /// A registered customer's id; a guest has none.
    pub customer_id: Option<Text<'a>>,
    pub lines: Vec<ProductListItem<'a>>,
}

pub fn purchase<'a>(payload: &Obj<'a>, settings: &'a MapSettings) -> Purchase<'a> {
    let data = OrderData::read(payload, settings);
    let order = &data.order;
    let guest = order.bool("customer_is_guest").unwrap_or(false);
    // The collector's lines carry no line id, categories or custom attributes.
    let lines = data
        .items
        .lines(&data.lines())
        .into_iter()
        .map(|line| ProductListItem { id: None, product_categories: Vec::new(), custom: None, ..line })
        .collect();
    Purchase {
        order: Order {
            purchase_id: Some(data.increment_id.clone()),
            price_total: order.decimal("grand_total"),
            currency_code: Some(data.currency),
            tax_amount: order.decimal("tax_amount"),
            discount_amount: order.decimal("discount_amount").map(f64::abs),
            // As the collector: the order number is the payment's transaction id.
            payment: data.payment(None, Some(data.increment_id.clone())),
            order_type: Some(OrderType::Checkout),
            ..Order::default()
        },
        promotion_id: order.str("coupon_code"),
        shipping: Shipping {
            shipping_method: order.str("shipping_description").or_else(|| order.str("shipping_method")),
            shipping_amount: order.decimal("shipping_amount"),
            ..Shipping::default()
        },
        email: data.email.clone(),
        customer_id: if guest { None } else { order.str("customer_id") },
        lines,
    }
}

pub fn invoiced<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let data = OrderData::read(payload, ctx.settings);
    let (invoice, key) = document(&data.payload, "invoice");
    let at = invoice.req_datetime("created_at");
    let total = invoice.decimal("grand_total");
    let commerce = Commerce {
        order: Some(Order {
            purchase_order_number: data.payment_field("po_number"),
            price_total: total.or_else(|| data.order.decimal("grand_total")),
            currency_code: Some(data.currency),
            tax_amount: invoice.decimal("tax_amount"),
            payment: data.payment(total, invoice.str("transaction_id")),
            ..data.base_order()
        }),
        shipping: Some(data.shipping(false)),
        ..Commerce::default()
    };
    let lines = data.items.document_lines(&invoice, &data.lines(), items::fill_amounts);
    data.event(event_type, &[key.as_bytes()], at.unwrap_or(NO_TIME), commerce, lines)
}

pub fn items_shipped<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let data = OrderData::read(payload, ctx.settings);
    let order = &data.order;
    let (shipment, key) = document(&data.payload, "shipment");
    let at = shipment.req_datetime("created_at");
    let mut shipping = data.shipping(true);
    shipping.ship_date = at;
    tracking(&shipment, &mut shipping, ctx.settings);
    let commerce = Commerce {
        order: Some(Order {
            purchase_order_number: data.payment_field("po_number"),
            price_total: order.decimal("grand_total"),
            currency_code: Some(data.currency),
            last_updated_date: order.datetime("updated_at"),
            payment: data.payment(None, None),
            ..data.base_order()
        }),
        shipping: Some(shipping),
        billing: data.address("billing_address"),
        ..Commerce::default()
    };
    let lines = data.items.document_lines(&shipment, &data.lines(), items::fill_amounts);
    let tracks = track_keys(&shipment);
    let mut keys: Vec<&[u8]> = vec![key.as_bytes()];
    keys.extend(tracks.iter().map(|k| k.as_bytes()));
    data.event(event_type, &keys, at.unwrap_or(NO_TIME), commerce, lines)
}

pub fn shipment_completed<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let data = OrderData::read(payload, ctx.settings);
    let order = &data.order;
    let shipped_at = data.payload.child("shipment").and_then(|s| s.datetime("created_at"));
    let at = order.datetime("updated_at").or(shipped_at).unwrap_or_else(|| {
        order.require("updated_at");
        NO_TIME
    });
    let mut shipping = data.shipping(true);
    shipping.ship_date = Some(shipped_at.unwrap_or(at));
    let commerce = Commerce {
        order: Some(Order {
            tax_amount: order.decimal("tax_amount"),
            created_date: order.req_datetime("created_at"),
            payment: data.payment(None, None),
            ..data.base_order()
        }),
        shipping: Some(shipping),
        billing: data.address("billing_address"),
        ..Commerce::default()
    };
    let mut lines = data.items.lines(&data.lines());
    for (line, shipped) in lines.iter_mut().zip(data.items.shipped_quantities()) {
        if let Some(q) = shipped {
            line.quantity = Some(q);
        }
    }
    data.event(event_type, &[], at, commerce, lines)
}

pub fn cancelled<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let data = OrderData::read(payload, ctx.settings);
    let at = data.order.req_datetime("updated_at");
    let commerce = Commerce {
        order: Some(Order {
            purchase_order_number: data.payment_field("po_number"),
            last_updated_date: at,
            cancel_date: at,
            ..data.base_order()
        }),
        ..Commerce::default()
    };
    data.event(event_type, &[], at.unwrap_or(NO_TIME), commerce, Vec::new())
}

/// `orderLineItemRefunded`: a credit memo.
pub fn refunded<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let data = OrderData::read(payload, ctx.settings);
    let (memo, key) = document(&data.payload, "creditmemo");
    let at = memo.req_datetime("created_at");
    let transaction = memo.str("transaction_id").or_else(|| memo.str("increment_id")).unwrap_or_else(|| key.clone());
    let commerce = Commerce {
        order: Some(Order {
            purchase_order_number: data.payment_field("po_number"),
            last_updated_date: data.order.datetime("updated_at").or(at),
            refund: Some(Refund {
                transaction_id: transaction,
                refund_amount: memo.decimal("grand_total"),
                refund_payment_type: fields::payment_type(data.payment_field("method").as_deref()),
                currency_code: data.currency,
            }),
            ..data.base_order()
        }),
        ..Commerce::default()
    };
    // Read for their problems only: XDM has no place for adjustments, a bad one is still a
    // sign of a broken credit memo.
    memo.decimal("adjustment_positive");
    memo.decimal("adjustment_negative");
    let lines = data.items.document_lines(&memo, &data.lines(), |item, line| {
        items::fill_amounts(item, line);
        line.refund_amount = line.price_total;
    });
    data.event(event_type, &[key.as_bytes()], at.unwrap_or(NO_TIME), commerce, lines)
}

pub fn return_initiated<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    returned(payload, ctx, event_type, true)
}

pub fn return_completed<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    returned(payload, ctx, event_type, false)
}

/// An RMA, when the shopper asks for it (`initiated`) or when it is closed.
fn returned<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType, initiated: bool) -> ExperienceEvent<'a> {
    let data = OrderData::read(payload, ctx.settings);
    let (rma, key) = document(&data.payload, "rma");
    let requested = rma.datetime("date_requested").or_else(|| rma.datetime("created_at"));
    let at = if initiated {
        requested.unwrap_or_else(|| {
            rma.require("date_requested");
            NO_TIME
        })
    } else {
        rma.datetime("updated_at").unwrap_or(ctx.now)
    };
    let commerce = Commerce {
        order: Some(Order {
            returns: Some(Return {
                return_id: rma.str("increment_id").unwrap_or_else(|| key.clone()),
                return_status: rma.str("status"),
                purchase_id: data.increment_id.clone(),
            }),
            ..data.base_order()
        }),
        ..Commerce::default()
    };
    let lines = data.items.document_lines(&rma, &data.lines(), items::fill_return);
    data.event(event_type, &[key.as_bytes()], at, commerce, lines)
}

/// Longest tracking number that survives as an XDM `number` (a double) without losing digits.
const MAX_NUMERIC_TRACKING_DIGITS: usize = 15;

/// Puts the shipment's tracking numbers where XDM can hold them: a purely numeric one in
/// `trackingNumber`, the carrier's tracking page in `trackingURL`, and, whenever a number is
/// not a lone numeric one (alphanumeric, several tracks), every number as text under the tenant.
fn tracking<'a>(shipment: &Obj<'a>, shipping: &mut Shipping<'a>, settings: &'a MapSettings) {
    let mut numbers = Vec::new();
    for track in shipment.list("tracks") {
        let Some(number) = track.str("track_number") else { continue };
        let carrier = track.str("carrier_code");
        numbers.push((number, carrier));
    }
    let Some((first, carrier)) = numbers.first() else {
        return;
    };
    let numeric = first.len() <= MAX_NUMERIC_TRACKING_DIGITS
        && !first.starts_with('0')
        && first.chars().all(|c| c.is_ascii_digit());
    if numeric {
        shipping.tracking_number = first.parse().ok();
    }
    shipping.tracking_url = carrier.as_deref().and_then(|c| carrier_url(c, first));
    let only_numeric = numbers.len() == 1 && shipping.tracking_number.is_some();
    if !only_numeric {
        let list = numbers.into_iter().map(|(n, _)| n).collect();
        shipping.custom = fields::tenant(settings, vec![("trackingNumbers", Attr::Strings(list))]);
    }
}

/// What tells two sends of one shipment apart: its tracks. A tracking number added to an
/// existing shipment makes a new `orderItemsShipped` (AEP must not drop it as a duplicate).
fn track_keys<'a>(shipment: &Obj<'a>) -> Vec<Text<'a>> {
    let mut keys = Vec::new();
    for track in shipment.list("tracks") {
        let (id, number) = (track.str("entity_id"), track.str("track_number"));
        if let Some(key) = id.or(number) {
            keys.push(key);
        }
    }
    keys
}

fn carrier_url(carrier: &str, number: &str) -> Option<String> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let base = [
        ("ups", "https://www.ups.com/track?tracknum="),
        ("usps", "https://tools.usps.com/go/TrackConfirmAction?tLabels="),
        ("fedex", "https://www.fedex.com/fedextrack/?trknbr="),
        ("dhl", "https://www.dhl.com/global-en/home/tracking/tracking-express.html?tracking-id="),
    ]
    .into_iter()
    .find(|(code, _)| carrier.eq_ignore_ascii_case(code))?
    .1;
    let mut url = String::with_capacity(base.len() + number.len() * 3);
    url.push_str(base);
    for b in number.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => url.push(b as char),
            _ => {
                url.push('%');
                url.push(HEX[usize::from(b >> 4)] as char);
                url.push(HEX[usize::from(b & 0xf)] as char);
            }
        }
    }
    Some(url)
}
