//! The order events: placed (and historical), invoiced, items shipped, shipment completed,
//! cancelled, credit memo, return initiated and completed.

use chrono::{DateTime, Utc};

use super::fields;
use super::identity::{self, IdentityBuilder};
use super::items::{self, OrderItems};
use super::read::{problem, xdm_time, Obj, R};
use super::xdm::{
    Billing, Commerce, EmailAddress, ExperienceEvent, Order, Payment, ProductListItem, Refund,
    Return, Shipping,
};
use super::{MapContext, MapSettings};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderEvent {
    Placed,
    Historical,
    Invoiced,
    ItemsShipped,
    ShipmentCompleted,
    Cancelled,
    Refunded,
    ReturnInitiated,
    ReturnCompleted,
}

impl OrderEvent {
    pub fn event_type(self) -> &'static str {
        match self {
            OrderEvent::Placed | OrderEvent::Historical => "commerce.backofficeOrderPlaced",
            OrderEvent::Invoiced => "commerce.backofficeOrderInvoiced",
            OrderEvent::ItemsShipped => "commerce.backofficeOrderItemsShipped",
            OrderEvent::ShipmentCompleted => "commerce.backofficeOrderShipmentCompleted",
            OrderEvent::Cancelled => "commerce.backofficeOrderCancelled",
            OrderEvent::Refunded => "commerce.backofficeCreditMemoIssued",
            OrderEvent::ReturnInitiated => "commerce.backofficeOrderItemsReturnInitiated",
            OrderEvent::ReturnCompleted => "commerce.backofficeOrderItemsReturnCompleted",
        }
    }
}

/// What every order event reads from the order.
struct OrderData<'a> {
    payload: Obj<'a>,
    order: Obj<'a>,
    items: OrderItems<'a>,
    increment_id: String,
    /// `entity_id` is the global key; `increment_id` is unique only per store.
    key: String,
    currency: String,
    email: String,
    settings: &'a MapSettings,
}

impl<'a> OrderData<'a> {
    fn read(payload: Obj<'a>, settings: &'a MapSettings) -> R<OrderData<'a>> {
        let order = payload.req_child("order")?;
        let increment_id = order.req_str("increment_id")?;
        order.req_datetime("created_at")?;
        let currency = fields::currency(&order, "order_currency_code")?
            .ok_or_else(|| problem(&order.field_path("order_currency_code"), "is required"))?;
        fields::currency(&order, "base_currency_code")?;
        let email = fields::email(&order, "customer_email")?.ok_or_else(|| {
            problem(
                &order.field_path("customer_email"),
                "is required: the shopper's e-mail is the primary identity of order events",
            )
        })?;
        let key = order.str("entity_id")?.unwrap_or_else(|| increment_id.clone());
        let items = OrderItems::read(&order)?;
        Ok(OrderData {
            payload,
            order,
            items,
            increment_id,
            key,
            currency,
            email,
            settings,
        })
    }

    fn identity_map(&self) -> R<super::xdm::IdentityMap> {
        let ns = &self.settings.namespaces;
        let mut ids = IdentityBuilder::new();
        ids.add(&ns.email, identity::email_identity(&self.email), true);
        let guest = self.order.bool("customer_is_guest")?.unwrap_or(false);
        if !guest {
            if let Some(customer_id) = self.order.str("customer_id")? {
                ids.add(&ns.customer_id, customer_id, false);
            }
        }
        if let Some(ecid) = identity::ecid(&self.payload)? {
            ids.add(&ns.ecid, ecid, false);
        }
        Ok(ids.build())
    }

    /// What every order event's `commerce.order` holds: the order number and the order's
    /// custom attributes.
    fn base_order(&self) -> R<Order> {
        Ok(Order {
            purchase_id: self.increment_id.clone(),
            custom: fields::custom_attributes(&self.order, self.settings)?,
            ..Order::default()
        })
    }

    fn purchase_order_number(&self) -> R<Option<String>> {
        match self.order.child("payment")? {
            Some(payment) => payment.str("po_number"),
            None => Ok(None),
        }
    }

    fn payment_method(&self) -> R<Option<String>> {
        match self.order.child("payment")? {
            Some(payment) => payment.str("method"),
            None => Ok(None),
        }
    }

    /// The order's payment; `amount` and `transaction` override the order's own when a
    /// document (an invoice) has them.
    fn payments(&self, amount: Option<f64>, transaction: Option<String>) -> R<Vec<Payment>> {
        let payment = self.order.child("payment")?;
        let (method, ordered, last_trans) = match &payment {
            Some(p) => (p.str("method")?, p.decimal("amount_ordered")?, p.str("last_trans_id")?),
            None => (None, None, None),
        };
        if payment.is_none() && amount.is_none() {
            return Ok(Vec::new());
        }
        Ok(vec![Payment {
            transaction_id: transaction.or(last_trans),
            payment_amount: amount.or(ordered).or(self.order.decimal("grand_total")?),
            payment_type: fields::payment_type(method.as_deref()),
            currency_code: self.currency.clone(),
        }])
    }

    fn shipping(&self, with_address: bool) -> R<Shipping> {
        let method = match self.order.str("shipping_description")? {
            Some(d) => Some(d),
            None => self.order.str("shipping_method")?,
        };
        Ok(Shipping {
            shipping_method: method,
            shipping_amount: self.order.decimal("shipping_amount")?,
            currency_code: Some(self.currency.clone()),
            address: if with_address { self.address("shipping_address")? } else { None },
            ..Shipping::default()
        })
    }

    fn address(&self, key: &str) -> R<Option<super::xdm::Address>> {
        match self.order.child(key)? {
            Some(row) => fields::address(&row),
            None => Ok(None),
        }
    }

    fn billing(&self) -> R<Option<Billing>> {
        Ok(self.address("billing_address")?.map(|address| Billing { address }))
    }

    fn lines(&self) -> R<Vec<ProductListItem>> {
        self.items.lines(&self.currency, self.settings)
    }

    fn event(
        &self,
        kind: OrderEvent,
        keys: &[&str],
        timestamp: DateTime<Utc>,
        commerce: Commerce,
        product_list_items: Vec<ProductListItem>,
    ) -> R<ExperienceEvent> {
        let mut id_keys = vec![self.key.as_str()];
        id_keys.extend_from_slice(keys);
        Ok(ExperienceEvent {
            id: identity::document_id(self.settings, kind.event_type(), &id_keys),
            timestamp: xdm_time(timestamp),
            event_type: kind.event_type(),
            identity_map: self.identity_map()?,
            personal_email: Some(EmailAddress {
                address: self.email.clone(),
            }),
            person: None,
            commerce: Some(Commerce {
                commerce_scope: Some(fields::scope(&self.payload, self.settings)?),
                ..commerce
            }),
            product_list_items,
        })
    }
}

/// The document an order event refers to (`invoice`, `shipment`, ...), with the key that makes
/// its event unique.
fn document<'a>(payload: &Obj<'a>, name: &str) -> R<(Obj<'a>, String)> {
    let doc = payload.req_child(name)?;
    let key = match doc.str("entity_id")? {
        Some(id) => id,
        None => doc.str("increment_id")?.ok_or_else(|| {
            problem(&doc.field_path("entity_id"), "is required (or increment_id)")
        })?,
    };
    Ok((doc, key))
}

pub fn map(kind: OrderEvent, payload: Obj, ctx: &MapContext) -> R<ExperienceEvent> {
    let data = OrderData::read(payload, ctx.settings)?;
    let order = &data.order;
    match kind {
        OrderEvent::Placed | OrderEvent::Historical => {
            let created = order.req_datetime("created_at")?;
            let updated = order.datetime("updated_at")?;
            let commerce = Commerce {
                order: Some(Order {
                    purchase_order_number: data.purchase_order_number()?,
                    price_total: order.decimal("grand_total")?,
                    currency_code: Some(data.currency.clone()),
                    tax_amount: order.decimal("tax_amount")?,
                    discount_amount: order.decimal("discount_amount")?.map(f64::abs),
                    created_date: Some(xdm_time(created)),
                    last_updated_date: updated.map(xdm_time),
                    payments: data.payments(None, None)?,
                    ..data.base_order()?
                }),
                shipping: Some(data.shipping(true)?),
                billing: data.billing()?,
                ..Commerce::default()
            };
            data.event(kind, &[], created, commerce, data.lines()?)
        }
        OrderEvent::Invoiced => {
            let (invoice, key) = document(&data.payload, "invoice")?;
            let at = invoice.req_datetime("created_at")?;
            let total = invoice.decimal("grand_total")?;
            let commerce = Commerce {
                order: Some(Order {
                    purchase_order_number: data.purchase_order_number()?,
                    price_total: total.or(order.decimal("grand_total")?),
                    currency_code: Some(data.currency.clone()),
                    tax_amount: invoice.decimal("tax_amount")?,
                    payments: data.payments(total, invoice.str("transaction_id")?)?,
                    ..data.base_order()?
                }),
                shipping: Some(data.shipping(false)?),
                ..Commerce::default()
            };
            let lines = data.items.document_lines(&invoice, &data.currency, ctx.settings, items::fill_amounts)?;
            data.event(kind, &[&key], at, commerce, lines)
        }
        OrderEvent::ItemsShipped => {
            let (shipment, key) = document(&data.payload, "shipment")?;
            let at = shipment.req_datetime("created_at")?;
            let mut shipping = data.shipping(true)?;
            shipping.ship_date = Some(xdm_time(at));
            tracking(&shipment, &mut shipping, ctx.settings)?;
            let commerce = Commerce {
                order: Some(Order {
                    purchase_order_number: data.purchase_order_number()?,
                    price_total: order.decimal("grand_total")?,
                    currency_code: Some(data.currency.clone()),
                    last_updated_date: order.datetime("updated_at")?.map(xdm_time),
                    payments: data.payments(None, None)?,
                    ..data.base_order()?
                }),
                shipping: Some(shipping),
                billing: data.billing()?,
                ..Commerce::default()
            };
            let lines = data.items.document_lines(&shipment, &data.currency, ctx.settings, items::fill_amounts)?;
            let tracks = track_keys(&shipment)?;
            let mut keys = vec![key.as_str()];
            keys.extend(tracks.iter().map(String::as_str));
            data.event(kind, &keys, at, commerce, lines)
        }
        OrderEvent::ShipmentCompleted => {
            let last_shipment = data.payload.child("shipment")?;
            let shipped_at = match &last_shipment {
                Some(s) => s.datetime("created_at")?,
                None => None,
            };
            let at = match order.datetime("updated_at")? {
                Some(t) => t,
                None => shipped_at.ok_or_else(|| problem(&order.field_path("updated_at"), "is required"))?,
            };
            let mut shipping = data.shipping(true)?;
            shipping.ship_date = Some(xdm_time(shipped_at.unwrap_or(at)));
            let commerce = Commerce {
                order: Some(Order {
                    tax_amount: order.decimal("tax_amount")?,
                    created_date: Some(xdm_time(order.req_datetime("created_at")?)),
                    payments: data.payments(None, None)?,
                    ..data.base_order()?
                }),
                shipping: Some(shipping),
                billing: data.billing()?,
                ..Commerce::default()
            };
            let mut lines = data.lines()?;
            for (line, shipped) in lines.iter_mut().zip(data.items.shipped_quantities()?) {
                if let Some(q) = shipped {
                    line.quantity = Some(q);
                }
            }
            data.event(kind, &[], at, commerce, lines)
        }
        OrderEvent::Cancelled => {
            let at = order.req_datetime("updated_at")?;
            let commerce = Commerce {
                order: Some(Order {
                    purchase_order_number: data.purchase_order_number()?,
                    last_updated_date: Some(xdm_time(at)),
                    cancel_date: Some(xdm_time(at)),
                    ..data.base_order()?
                }),
                ..Commerce::default()
            };
            data.event(kind, &[], at, commerce, Vec::new())
        }
        OrderEvent::Refunded => {
            let (memo, key) = document(&data.payload, "creditmemo")?;
            let at = memo.req_datetime("created_at")?;
            let transaction = match memo.str("transaction_id")? {
                Some(t) => t,
                None => memo.str("increment_id")?.unwrap_or_else(|| key.clone()),
            };
            let commerce = Commerce {
                order: Some(Order {
                    purchase_order_number: data.purchase_order_number()?,
                    last_updated_date: Some(xdm_time(order.datetime("updated_at")?.unwrap_or(at))),
                    refunds: vec![Refund {
                        transaction_id: transaction,
                        refund_amount: memo.decimal("grand_total")?,
                        refund_payment_type: fields::payment_type(data.payment_method()?.as_deref()),
                        currency_code: data.currency.clone(),
                    }],
                    ..data.base_order()?
                }),
                ..Commerce::default()
            };
            memo.decimal("adjustment_positive")?;
            memo.decimal("adjustment_negative")?;
            let lines = data.items.document_lines(&memo, &data.currency, ctx.settings, |item, line| {
                items::fill_amounts(item, line)?;
                line.refund_amount = line.price_total;
                Ok(())
            })?;
            data.event(kind, &[&key], at, commerce, lines)
        }
        OrderEvent::ReturnInitiated | OrderEvent::ReturnCompleted => {
            let (rma, key) = document(&data.payload, "rma")?;
            let requested = match rma.datetime("date_requested")? {
                Some(t) => Some(t),
                None => rma.datetime("created_at")?,
            };
            let at = if kind == OrderEvent::ReturnInitiated {
                requested.ok_or_else(|| problem(&rma.field_path("date_requested"), "is required"))?
            } else {
                match rma.datetime("updated_at")? {
                    Some(t) => t,
                    None => ctx.now,
                }
            };
            let return_id = match rma.str("increment_id")? {
                Some(id) => id,
                None => key.clone(),
            };
            let commerce = Commerce {
                order: Some(Order {
                    returns: Some(Return {
                        return_id,
                        return_status: rma.str("status")?,
                        purchase_id: data.increment_id.clone(),
                    }),
                    ..data.base_order()?
                }),
                ..Commerce::default()
            };
            let lines = data.items.document_lines(&rma, &data.currency, ctx.settings, items::fill_return)?;
            data.event(kind, &[&key], at, commerce, lines)
        }
    }
}

/// Longest tracking number that survives as an XDM `number` (a double) without losing digits.
const MAX_NUMERIC_TRACKING_DIGITS: usize = 15;

/// Puts the shipment's tracking numbers where XDM can hold them: a purely numeric one in
/// `trackingNumber`, the carrier's tracking page in `trackingURL`, and, whenever a number is
/// not a lone numeric one (alphanumeric, several tracks), every number as text under the tenant.
fn tracking(shipment: &Obj, shipping: &mut Shipping, settings: &MapSettings) -> R<()> {
    let tracks = shipment.list("tracks")?;
    let mut numbers = Vec::new();
    for track in &tracks {
        let Some(number) = track.str("track_number")? else { continue };
        let carrier = track.str("carrier_code")?;
        numbers.push((number, carrier));
    }
    let Some((first, carrier)) = numbers.first() else {
        return Ok(());
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
        let list = numbers
            .iter()
            .map(|(n, _)| serde_json::Value::String(n.clone()))
            .collect();
        shipping.custom = fields::tenant(settings, vec![("trackingNumbers".to_string(), serde_json::Value::Array(list))]);
    }
    Ok(())
}

/// What tells two sends of one shipment apart: its tracks. A tracking number added to an
/// existing shipment makes a new `orderItemsShipped` (AEP must not drop it as a duplicate).
fn track_keys(shipment: &Obj) -> R<Vec<String>> {
    let mut keys = Vec::new();
    for track in shipment.list("tracks")? {
        if let Some(key) = track.str("entity_id")?.or(track.str("track_number")?) {
            keys.push(key);
        }
    }
    Ok(keys)
}

fn carrier_url(carrier: &str, number: &str) -> Option<String> {
    let encoded: String = number
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let base = match carrier.to_ascii_lowercase().as_str() {
        "ups" => "https://www.ups.com/track?tracknum=",
        "usps" => "https://tools.usps.com/go/TrackConfirmAction?tLabels=",
        "fedex" => "https://www.fedex.com/fedextrack/?trknbr=",
        "dhl" => "https://www.dhl.com/global-en/home/tracking/tracking-express.html?tracking-id=",
        _ => return None,
    };
    Some(format!("{base}{encoded}"))
}
