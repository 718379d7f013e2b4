//! XDM documents in their wire form ("compatibility mode" names: `_id`, `_<tenant>`, no `xdm:`
//! prefixes). Optional fields are omitted when absent, never sent as null or "". Text borrows
//! from the payload; each type writes itself with `json::Out`, fields in schema order.

use chrono::{DateTime, NaiveDate, Utc};

use super::json::{k, Out};
use super::read::Text;

/// Class ExperienceEvent with the Commerce, person and personal-contact field groups, and for
/// the storefront events the Channel, Web, Visit Web Page, User Login and Site Search ones.
#[derive(Default)]
pub struct ExperienceEvent<'a> {
    pub id: uuid::Uuid,
    pub timestamp: DateTime<Utc>,
    /// Back-office documents carry Magento's whole seconds; a shopper's actions are timed to
    /// the millisecond (several can fall in one second).
    pub timestamp_millis: bool,
    pub event_type: &'static str,
    pub identity_map: IdentityMap<'a>,
    pub channel: Option<Channel>,
    pub web: Option<Web<'a>>,
    pub user_agent: Option<Text<'a>>,
    pub personal_email: Option<Text<'a>>,
    pub person: Option<Person<'a>>,
    pub user_account: Option<LoginAction>,
    pub commerce: Option<Commerce<'a>>,
    pub site_search: Option<SiteSearch<'a>>,
    pub search: Option<SearchMeasure<'a>>,
    pub product_list_items: Vec<ProductListItem<'a>>,
}

impl ExperienceEvent<'_> {
    pub fn write(&self, o: &mut Out) {
        o.open();
        o.key(k!("_id"));
        o.uuid(self.id);
        o.key(k!("timestamp"));
        if self.timestamp_millis {
            o.time_millis(self.timestamp);
        } else {
            o.time(self.timestamp);
        }
        o.key(k!("eventType"));
        o.str(self.event_type);
        o.key(k!("identityMap"));
        self.identity_map.write(o);
        if let Some(channel) = self.channel {
            o.key(k!("channel"));
            o.open();
            o.key(k!("_id"));
            o.str(channel.id());
            o.key(k!("_type"));
            o.str(channel.channel_type());
            o.close();
        }
        if let Some(web) = &self.web {
            o.key(k!("web"));
            web.write(o);
        }
        if let Some(agent) = &self.user_agent {
            o.key(k!("environment"));
            o.open();
            o.key(k!("browserDetails"));
            o.open();
            o.key(k!("userAgent"));
            o.str(agent);
            o.close();
            o.close();
        }
        write_email(o, self.personal_email.as_deref());
        if let Some(person) = &self.person {
            o.key(k!("person"));
            person.write(o);
        }
        if let Some(action) = self.user_account {
            o.key(k!("userAccount"));
            o.open();
            o.key(action.key());
            o.int(1);
            o.close();
        }
        if let Some(commerce) = &self.commerce {
            o.key(k!("commerce"));
            commerce.write(o);
        }
        if let Some(search) = &self.site_search {
            o.key(k!("siteSearch"));
            search.write(o);
        }
        if let Some(measure) = &self.search {
            o.key(measure.kind.key());
            o.open();
            o.opt_str(k!("id"), measure.id.as_deref());
            o.key(k!("value"));
            o.int(1);
            o.close();
        }
        if !self.product_list_items.is_empty() {
            o.key(k!("productListItems"));
            o.open_list();
            for item in &self.product_list_items {
                item.write(o);
            }
            o.close_list();
        }
        o.close();
    }
}

fn write_email(o: &mut Out, address: Option<&str>) {
    if let Some(address) = address {
        o.key(k!("personalEmail"));
        o.open();
        o.key(k!("address"));
        o.str(address);
        o.close();
    }
}

/// Class Individual Profile with person, personal-contact and user-account field groups.
pub struct ProfileRecord<'a> {
    pub id: uuid::Uuid,
    pub identity_map: IdentityMap<'a>,
    pub person: Option<Person<'a>>,
    pub personal_email: Option<Text<'a>>,
    pub billing_address: Option<Address<'a>>,
    pub billing_address_phone: Option<Text<'a>>,
    pub shipping_address: Option<Address<'a>>,
    pub shipping_address_phone: Option<Text<'a>>,
    pub user_account: UserAccount<'a>,
    /// When Magento last changed the customer: AEP's timestamp-ordered merge policy orders
    /// records by it, so a late-arriving older record never overwrites a newer one.
    pub last_updated: DateTime<Utc>,
    /// The newsletter subscription, as e-mail marketing consent.
    pub consents: Option<ConsentChoice>,
}

/// Where the `_id` of a written document starts: after `{"_id":"`.
pub const ID_OFFSET: usize = k!("_id").len() + 2;

impl ProfileRecord<'_> {
    pub fn write(&self, o: &mut Out) {
        o.open();
        o.key(k!("_id"));
        o.uuid(self.id);
        o.key(k!("identityMap"));
        self.identity_map.write(o);
        if let Some(person) = &self.person {
            o.key(k!("person"));
            person.write(o);
        }
        write_email(o, self.personal_email.as_deref());
        let phone = |o: &mut Out, key: &[u8], number: &Option<Text>| {
            if let Some(number) = number {
                o.key(key);
                o.open();
                o.key(k!("number"));
                o.str(number);
                o.key(k!("primary"));
                o.bool(false);
                o.close();
            }
        };
        if let Some(address) = &self.billing_address {
            o.key(k!("billingAddress"));
            address.write(o);
        }
        phone(o, k!("billingAddressPhone"), &self.billing_address_phone);
        if let Some(address) = &self.shipping_address {
            o.key(k!("shippingAddress"));
            address.write(o);
        }
        phone(o, k!("shippingAddressPhone"), &self.shipping_address_phone);
        o.key(k!("userAccount"));
        o.open();
        o.key(k!("ID"));
        o.str(&self.user_account.id);
        o.opt_time(k!("startDate"), self.user_account.start_date);
        o.key(k!("status"));
        o.str(self.user_account.status.as_str());
        o.close();
        o.key(k!("extSourceSystemAudit"));
        o.open();
        o.opt_time(k!("createdDate"), self.user_account.start_date);
        o.key(k!("lastUpdatedDate"));
        o.time_millis(self.last_updated);
        o.close();
        if let Some(choice) = self.consents {
            o.key(k!("consents"));
            o.open();
            o.key(k!("marketing"));
            o.open();
            o.key(k!("email"));
            o.open();
            o.key(k!("val"));
            o.str(choice.as_str());
            o.key(k!("time"));
            o.time_millis(self.last_updated);
            o.close();
            o.close();
            o.close();
        }
        o.close();
    }
}

/// XDM's consent values that a newsletter subscription can express.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentChoice {
    Yes,
    No,
}

impl ConsentChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentChoice::Yes => "y",
            ConsentChoice::No => "n",
        }
    }
}

/// `userAccount.status`: a streamed record cannot erase a profile, so deletion disables it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    Active,
    Disabled,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Disabled => "disabled",
        }
    }
}

pub struct UserAccount<'a> {
    pub id: Text<'a>,
    /// Also the record's `extSourceSystemAudit.createdDate`.
    pub start_date: Option<DateTime<Utc>>,
    pub status: AccountStatus,
}

/// `identityMap.*.authenticatedState`. Back-office events are not the shopper's own login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthenticatedState {
    Ambiguous,
}

impl AuthenticatedState {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthenticatedState::Ambiguous => "ambiguous",
        }
    }
}

pub struct Identity<'a> {
    pub namespace: &'a str,
    pub id: Text<'a>,
    pub state: AuthenticatedState,
    pub primary: bool,
}

/// Identities in insertion order; written grouped by namespace, namespaces in the order they
/// first appear.
#[derive(Default)]
pub struct IdentityMap<'a>(pub Vec<Identity<'a>>);

impl IdentityMap<'_> {
    fn write(&self, o: &mut Out) {
        o.open();
        for (i, first) in self.0.iter().enumerate() {
            if self.0[..i].iter().any(|seen| seen.namespace == first.namespace) {
                continue;
            }
            o.dyn_key(first.namespace);
            o.open_list();
            for identity in self.0[i..].iter().filter(|id| id.namespace == first.namespace) {
                o.open();
                o.key(k!("id"));
                o.str(&identity.id);
                o.key(k!("authenticatedState"));
                o.str(identity.state.as_str());
                o.key(k!("primary"));
                o.bool(identity.primary);
                o.close();
            }
            o.close_list();
        }
        o.close();
    }
}

/// `person.gender` as XDM spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male,
    Female,
    NotSpecified,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
            Gender::NotSpecified => "not_specified",
        }
    }
}

#[derive(Default)]
pub struct Person<'a> {
    pub name: Option<PersonName<'a>>,
    pub birth_date: Option<NaiveDate>,
    pub gender: Option<Gender>,
    /// `person.accountID` (Reference Keys field group): the storefront account events' customer.
    pub account_id: Option<Text<'a>>,
}

impl Person<'_> {
    fn write(&self, o: &mut Out) {
        o.open();
        if let Some(name) = &self.name {
            o.key(k!("name"));
            o.open();
            o.opt_str(k!("courtesyTitle"), name.courtesy_title.as_deref());
            o.opt_str(k!("firstName"), name.first_name.as_deref());
            o.opt_str(k!("middleName"), name.middle_name.as_deref());
            o.opt_str(k!("lastName"), name.last_name.as_deref());
            o.opt_str(k!("suffix"), name.suffix.as_deref());
            o.close();
        }
        if let Some(date) = self.birth_date {
            o.key(k!("birthDate"));
            o.date(date);
        }
        if let Some(gender) = self.gender {
            o.key(k!("gender"));
            o.str(gender.as_str());
        }
        o.opt_str(k!("accountID"), self.account_id.as_deref());
        o.close();
    }
}

#[derive(Default, PartialEq)]
pub struct PersonName<'a> {
    pub courtesy_title: Option<Text<'a>>,
    pub first_name: Option<Text<'a>>,
    pub middle_name: Option<Text<'a>>,
    pub last_name: Option<Text<'a>>,
    pub suffix: Option<Text<'a>>,
}

#[derive(Default)]
pub struct Address<'a> {
    pub street1: Option<Text<'a>>,
    pub street2: Option<Text<'a>>,
    pub street3: Option<Text<'a>>,
    /// The fourth and later street lines, joined.
    pub street4: Option<String>,
    pub city: Option<Text<'a>>,
    pub state: Option<Text<'a>>,
    pub postal_code: Option<Text<'a>>,
    /// ISO 3166 two-letter code, upper case; also written as `countryCode` when it is one.
    pub country: Option<Text<'a>>,
    pub country_code: bool,
}

impl Address<'_> {
    pub fn is_empty(&self) -> bool {
        self.street1.is_none()
            && self.street4.is_none()
            && self.city.is_none()
            && self.state.is_none()
            && self.postal_code.is_none()
            && self.country.is_none()
    }

    fn write(&self, o: &mut Out) {
        o.open();
        o.opt_str(k!("street1"), self.street1.as_deref());
        o.opt_str(k!("street2"), self.street2.as_deref());
        o.opt_str(k!("street3"), self.street3.as_deref());
        o.opt_str(k!("street4"), self.street4.as_deref());
        o.opt_str(k!("city"), self.city.as_deref());
        o.opt_str(k!("state"), self.state.as_deref());
        o.opt_str(k!("postalCode"), self.postal_code.as_deref());
        o.opt_str(k!("country"), self.country.as_deref());
        if self.country_code {
            o.opt_str(k!("countryCode"), self.country.as_deref());
        }
        o.close();
    }
}

#[derive(Default)]
pub struct Commerce<'a> {
    pub order: Option<Order<'a>>,
    pub promotion_id: Option<Text<'a>>,
    /// The storefront action this event counts (`value` 1).
    pub action: Option<CommerceAction>,
    pub cart_id: Option<Text<'a>>,
    pub shipping: Option<Shipping<'a>>,
    pub billing: Option<Address<'a>>,
    pub commerce_scope: Option<CommerceScope<'a>>,
}

impl Commerce<'_> {
    fn write(&self, o: &mut Out) {
        o.open();
        if let Some(order) = &self.order {
            o.key(k!("order"));
            order.write(o);
        }
        o.opt_str(k!("promotionID"), self.promotion_id.as_deref());
        if let Some(action) = self.action {
            o.key(action.key());
            o.open();
            o.key(k!("value"));
            o.int(1);
            o.close();
        }
        if let Some(cart_id) = &self.cart_id {
            o.key(k!("cart"));
            o.open();
            o.key(k!("cartID"));
            o.str(cart_id);
            o.close();
        }
        if let Some(shipping) = &self.shipping {
            o.key(k!("shipping"));
            shipping.write(o);
        }
        if let Some(address) = &self.billing {
            o.key(k!("billing"));
            o.open();
            o.key(k!("address"));
            address.write(o);
            o.close();
        }
        if let Some(scope) = &self.commerce_scope {
            o.key(k!("commerceScope"));
            o.open();
            o.opt_str(k!("environmentID"), scope.environment_id);
            o.opt_str(k!("websiteCode"), scope.website_code.as_deref());
            o.opt_str(k!("storeCode"), scope.store_code.as_deref());
            o.opt_str(k!("storeViewCode"), scope.store_view_code.as_deref());
            o.close();
        }
        o.close();
    }
}

#[derive(Default)]
pub struct Order<'a> {
    /// Absent only in a cart's `order` (shoppingCartView, initiateCheckout: its discount).
    pub purchase_id: Option<Text<'a>>,
    pub purchase_order_number: Option<Text<'a>>,
    pub price_total: Option<f64>,
    pub currency_code: Option<&'a str>,
    pub tax_amount: Option<f64>,
    pub discount_amount: Option<f64>,
    pub created_date: Option<DateTime<Utc>>,
    pub last_updated_date: Option<DateTime<Utc>>,
    pub cancel_date: Option<DateTime<Utc>>,
    pub payment: Option<Payment<'a>>,
    pub refund: Option<Refund<'a>>,
    pub returns: Option<Return<'a>>,
    pub order_type: Option<OrderType>,
    pub custom: Option<TenantFields<'a>>,
}

impl Order<'_> {
    fn write(&self, o: &mut Out) {
        o.open();
        o.opt_str(k!("purchaseID"), self.purchase_id.as_deref());
        o.opt_str(k!("purchaseOrderNumber"), self.purchase_order_number.as_deref());
        o.opt_float(k!("priceTotal"), self.price_total);
        o.opt_str(k!("currencyCode"), self.currency_code);
        o.opt_float(k!("taxAmount"), self.tax_amount);
        o.opt_float(k!("discountAmount"), self.discount_amount);
        o.opt_time(k!("createdDate"), self.created_date);
        o.opt_time(k!("lastUpdatedDate"), self.last_updated_date);
        o.opt_time(k!("cancelDate"), self.cancel_date);
        if let Some(p) = &self.payment {
            o.key(k!("payments"));
            o.open_list();
            o.open();
            o.opt_str(k!("transactionID"), p.transaction_id.as_deref());
            o.opt_float(k!("paymentAmount"), p.payment_amount);
            o.key(k!("paymentType"));
            o.str(p.payment_type.as_str());
            o.key(k!("currencyCode"));
            o.str(p.currency_code);
            o.close();
            o.close_list();
        }
        if let Some(order_type) = self.order_type {
            o.key(k!("orderType"));
            o.str(order_type.as_str());
        }
        if let Some(r) = &self.refund {
            o.key(k!("refunds"));
            o.open_list();
            o.open();
            o.key(k!("transactionID"));
            o.str(&r.transaction_id);
            o.opt_float(k!("refundAmount"), r.refund_amount);
            o.key(k!("refundPaymentType"));
            o.str(r.refund_payment_type.as_str());
            o.key(k!("currencyCode"));
            o.str(r.currency_code);
            o.close();
            o.close_list();
        }
        if let Some(r) = &self.returns {
            o.key(k!("returns"));
            o.open();
            o.key(k!("returnID"));
            o.str(&r.return_id);
            o.opt_str(k!("returnStatus"), r.return_status.as_deref());
            o.key(k!("purchaseID"));
            o.str(&r.purchase_id);
            o.close();
        }
        write_custom(o, &self.custom);
        o.close();
    }
}

/// `commerce.order.orderType` (a hard enum in the schema).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderType {
    Checkout,
}

impl OrderType {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderType::Checkout => "checkout",
        }
    }
}

/// XDM's payment types (a hard enum for refunds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentType {
    Cash,
    CreditCard,
    DebitCard,
    GiftCard,
    Check,
    Paypal,
    WireTransfer,
    CreditCardReference,
    Other,
}

impl PaymentType {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentType::Cash => "cash",
            PaymentType::CreditCard => "credit_card",
            PaymentType::DebitCard => "debit_card",
            PaymentType::GiftCard => "gift_card",
            PaymentType::Check => "check",
            PaymentType::Paypal => "paypal",
            PaymentType::WireTransfer => "wire_transfer",
            PaymentType::CreditCardReference => "credit_card_reference",
            PaymentType::Other => "other",
        }
    }
}

pub struct Payment<'a> {
    pub transaction_id: Option<Text<'a>>,
    pub payment_amount: Option<f64>,
    pub payment_type: PaymentType,
    pub currency_code: &'a str,
}

pub struct Refund<'a> {
    pub transaction_id: Text<'a>,
    pub refund_amount: Option<f64>,
    pub refund_payment_type: PaymentType,
    pub currency_code: &'a str,
}

pub struct Return<'a> {
    pub return_id: Text<'a>,
    pub return_status: Option<Text<'a>>,
    pub purchase_id: Text<'a>,
}

#[derive(Default)]
pub struct Shipping<'a> {
    pub shipping_method: Option<Text<'a>>,
    pub shipping_amount: Option<f64>,
    pub currency_code: Option<&'a str>,
    pub address: Option<Address<'a>>,
    pub tracking_number: Option<u64>,
    pub tracking_url: Option<String>,
    pub ship_date: Option<DateTime<Utc>>,
    pub custom: Option<TenantFields<'a>>,
}

impl Shipping<'_> {
    fn write(&self, o: &mut Out) {
        o.open();
        o.opt_str(k!("shippingMethod"), self.shipping_method.as_deref());
        o.opt_float(k!("shippingAmount"), self.shipping_amount);
        o.opt_str(k!("currencyCode"), self.currency_code);
        if let Some(address) = &self.address {
            o.key(k!("address"));
            address.write(o);
        }
        if let Some(n) = self.tracking_number {
            o.key(k!("trackingNumber"));
            o.uint(n);
        }
        o.opt_str(k!("trackingURL"), self.tracking_url.as_deref());
        o.opt_time(k!("shipDate"), self.ship_date);
        write_custom(o, &self.custom);
        o.close();
    }
}

#[derive(Default)]
pub struct CommerceScope<'a> {
    pub environment_id: Option<&'a str>,
    pub website_code: Option<Text<'a>>,
    pub store_code: Option<Text<'a>>,
    pub store_view_code: Option<Text<'a>>,
}

#[derive(Default)]
pub struct ProductListItem<'a> {
    pub id: Option<Text<'a>>,
    pub sku: Text<'a>,
    pub name: Option<Text<'a>>,
    pub quantity: Option<i64>,
    pub price_total: Option<f64>,
    pub discount_amount: Option<f64>,
    pub refund_amount: Option<f64>,
    pub currency_code: Option<&'a str>,
    pub product_image_url: Option<Text<'a>>,
    pub selected_options: Vec<SelectedOption<'a>>,
    pub product_categories: Vec<Category<'a>>,
    pub return_item: Option<ReturnItem<'a>>,
    pub custom: Option<TenantFields<'a>>,
}

impl ProductListItem<'_> {
    fn write(&self, o: &mut Out) {
        o.open();
        o.opt_str(k!("_id"), self.id.as_deref());
        o.key(k!("SKU"));
        o.str(&self.sku);
        o.opt_str(k!("name"), self.name.as_deref());
        o.opt_int(k!("quantity"), self.quantity);
        o.opt_float(k!("priceTotal"), self.price_total);
        o.opt_float(k!("discountAmount"), self.discount_amount);
        o.opt_float(k!("refundAmount"), self.refund_amount);
        o.opt_str(k!("currencyCode"), self.currency_code);
        o.opt_str(k!("productImageUrl"), self.product_image_url.as_deref());
        if !self.selected_options.is_empty() {
            o.key(k!("selectedOptions"));
            o.open_list();
            for option in &self.selected_options {
                o.open();
                o.key(k!("attribute"));
                o.str(&option.attribute);
                o.key(k!("value"));
                o.str(&option.value);
                o.close();
            }
            o.close_list();
        }
        if !self.product_categories.is_empty() {
            o.key(k!("productCategories"));
            o.open_list();
            for c in &self.product_categories {
                o.open();
                o.opt_str(k!("categoryID"), c.category_id.as_deref());
                o.opt_str(k!("categoryName"), c.category_name.as_deref());
                o.opt_str(k!("categoryPath"), c.category_path.as_deref());
                o.close();
            }
            o.close_list();
        }
        if let Some(r) = &self.return_item {
            o.key(k!("returnItem"));
            o.open();
            o.opt_str(k!("returnStatus"), r.return_status.as_deref());
            o.opt_str(k!("returnReason"), r.return_reason.as_deref());
            o.opt_str(k!("returnItemCondition"), r.return_item_condition.as_deref());
            o.opt_str(k!("returnResolution"), r.return_resolution.as_deref());
            o.opt_int(k!("returnQuantityRequested"), r.return_quantity_requested);
            o.opt_int(k!("returnQuantityAuthorized"), r.return_quantity_authorized);
            o.opt_int(k!("returnQuantityReceived"), r.return_quantity_received);
            o.opt_int(k!("returnQuantityApproved"), r.return_quantity_approved);
            o.close();
        }
        write_custom(o, &self.custom);
        o.close();
    }
}

pub struct SelectedOption<'a> {
    pub attribute: Text<'a>,
    pub value: Text<'a>,
}

pub struct Category<'a> {
    pub category_id: Option<Text<'a>>,
    pub category_name: Option<Text<'a>>,
    pub category_path: Option<Text<'a>>,
}

#[derive(Default)]
pub struct ReturnItem<'a> {
    pub return_status: Option<Text<'a>>,
    pub return_reason: Option<Text<'a>>,
    pub return_item_condition: Option<Text<'a>>,
    pub return_resolution: Option<Text<'a>>,
    pub return_quantity_requested: Option<i64>,
    pub return_quantity_authorized: Option<i64>,
    pub return_quantity_received: Option<i64>,
    pub return_quantity_approved: Option<i64>,
}

/// Merchant-defined fields under the tenant namespace object `_<tenant>`.
pub struct TenantFields<'a> {
    pub tenant: &'a str,
    pub fields: Vec<(&'a str, Attr<'a>)>,
}

/// A tenant field's value: a payload scalar as it is, an array as its JSON text, or a list of
/// strings the mapping made (tracking numbers).
pub enum Attr<'a> {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    JsonText(String),
    Strings(Vec<Text<'a>>),
}

fn write_custom(o: &mut Out, custom: &Option<TenantFields>) {
    let Some(custom) = custom else { return };
    o.key_parts(&["_", custom.tenant]);
    o.open();
    for (name, value) in &custom.fields {
        o.dyn_key(name);
        match value {
            Attr::Bool(b) => o.bool(*b),
            Attr::Int(i) => o.int(*i),
            Attr::Float(f) => o.float(*f),
            Attr::Str(s) => o.str(s),
            Attr::JsonText(s) => o.str(s),
            Attr::Strings(list) => {
                o.open_list();
                for s in list {
                    o.str(s);
                }
                o.close_list();
            }
        }
    }
    o.close();
}

/// `channel`: every storefront event happens on the web channel, as Data Connection sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Web,
}

impl Channel {
    fn id(self) -> &'static str {
        match self {
            Channel::Web => "https://ns.adobe.com/xdm/channels/web",
        }
    }

    fn channel_type(self) -> &'static str {
        match self {
            Channel::Web => "https://ns.adobe.com/xdm/channel-types/web",
        }
    }
}

/// `web`: the page and its referrer. `name`, `siteSection` and `pageViews` are a page view's
/// only; every other event carries just the URLs, as the Web SDK adds them.
#[derive(Default)]
pub struct Web<'a> {
    pub site_section: Option<Text<'a>>,
    pub name: Option<Text<'a>>,
    pub url: Option<Text<'a>>,
    pub page_view: bool,
    pub referrer: Option<Text<'a>>,
}

impl Web<'_> {
    pub fn is_empty(&self) -> bool {
        self.site_section.is_none() && self.name.is_none() && self.url.is_none() && !self.page_view && self.referrer.is_none()
    }

    fn write(&self, o: &mut Out) {
        o.open();
        if self.site_section.is_some() || self.name.is_some() || self.url.is_some() || self.page_view {
            o.key(k!("webPageDetails"));
            o.open();
            o.opt_str(k!("siteSection"), self.site_section.as_deref());
            o.opt_str(k!("name"), self.name.as_deref());
            o.opt_str(k!("URL"), self.url.as_deref());
            if self.page_view {
                o.key(k!("pageViews"));
                o.open();
                o.key(k!("value"));
                o.int(1);
                o.close();
            }
            o.close();
        }
        if let Some(referrer) = &self.referrer {
            o.key(k!("webReferrer"));
            o.open();
            o.key(k!("URL"));
            o.str(referrer);
            o.close();
        }
        o.close();
    }
}

/// `userAccount.*` counters (User Login Process field group).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginAction {
    Login,
    Logout,
    CreateProfile,
    UpdateProfile,
}

impl LoginAction {
    fn key(self) -> &'static [u8] {
        match self {
            LoginAction::Login => k!("login"),
            LoginAction::Logout => k!("logout"),
            LoginAction::CreateProfile => k!("createProfile"),
            LoginAction::UpdateProfile => k!("updateProfile"),
        }
    }
}

/// The storefront commerce measures (`commerce.<action>.value` = 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommerceAction {
    Checkouts,
    ProductListAdds,
    ProductListOpens,
    ProductListRemovals,
    ProductListViews,
    ProductViews,
    Purchases,
}

impl CommerceAction {
    fn key(self) -> &'static [u8] {
        match self {
            CommerceAction::Checkouts => k!("checkouts"),
            CommerceAction::ProductListAdds => k!("productListAdds"),
            CommerceAction::ProductListOpens => k!("productListOpens"),
            CommerceAction::ProductListRemovals => k!("productListRemovals"),
            CommerceAction::ProductListViews => k!("productListViews"),
            CommerceAction::ProductViews => k!("productViews"),
            CommerceAction::Purchases => k!("purchases"),
        }
    }
}

/// `searchRequest` / `searchResponse` (Site Search field group): a measure with the search's id.
pub struct SearchMeasure<'a> {
    pub kind: SearchKind,
    pub id: Option<Text<'a>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    Request,
    Response,
}

impl SearchKind {
    fn key(self) -> &'static [u8] {
        match self {
            SearchKind::Request => k!("searchRequest"),
            SearchKind::Response => k!("searchResponse"),
        }
    }
}

/// `siteSearch`, in schema order. The filters are `filter` (the schema's name; Data
/// Connection's collector writes `refinements`, which no schema declares).
#[derive(Default)]
pub struct SiteSearch<'a> {
    pub filter: Vec<SearchFilter<'a>>,
    pub sort: Vec<SearchSort<'a>>,
    pub query: Option<Text<'a>>,
    pub suggestions: Vec<Text<'a>>,
    pub number_of_results: Option<i64>,
}

pub struct SearchFilter<'a> {
    pub attribute: Text<'a>,
    pub value: Vec<Text<'a>>,
    pub is_range: Option<bool>,
}

pub struct SearchSort<'a> {
    pub attribute: Text<'a>,
    pub order: Option<SortOrder>,
}

/// `siteSearch.sort[].order`: a hard enum in the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
    Relevance,
}

impl SortOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "ASC",
            SortOrder::Desc => "DESC",
            SortOrder::Relevance => "RELEVANCE",
        }
    }
}

impl SiteSearch<'_> {
    fn write(&self, o: &mut Out) {
        o.open();
        if !self.filter.is_empty() {
            o.key(k!("filter"));
            o.open_list();
            for f in &self.filter {
                o.open();
                o.key(k!("attribute"));
                o.str(&f.attribute);
                if !f.value.is_empty() {
                    o.key(k!("value"));
                    o.open_list();
                    for v in &f.value {
                        o.str(v);
                    }
                    o.close_list();
                }
                if let Some(is_range) = f.is_range {
                    o.key(k!("isRange"));
                    o.bool(is_range);
                }
                o.close();
            }
            o.close_list();
        }
        if !self.sort.is_empty() {
            o.key(k!("sort"));
            o.open_list();
            for s in &self.sort {
                o.open();
                o.key(k!("attribute"));
                o.str(&s.attribute);
                if let Some(order) = s.order {
                    o.key(k!("order"));
                    o.str(order.as_str());
                }
                o.close();
            }
            o.close_list();
        }
        o.opt_str(k!("query"), self.query.as_deref());
        if !self.suggestions.is_empty() {
            o.key(k!("suggestions"));
            o.open_list();
            for s in &self.suggestions {
                o.str(s);
            }
            o.close_list();
        }
        o.opt_int(k!("numberOfResults"), self.number_of_results);
        o.close();
    }
}
