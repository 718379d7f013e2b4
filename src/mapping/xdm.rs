//! XDM documents in their wire form ("compatibility mode" names: `_id`, `_<tenant>`, no `xdm:`
//! prefixes). Optional fields are omitted when absent, never sent as null or "".

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

fn is_false(b: &bool) -> bool {
    !*b
}

/// Class ExperienceEvent with the Commerce, person and personal-contact field groups.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExperienceEvent {
    #[serde(rename = "_id")]
    pub id: String,
    pub timestamp: String,
    pub event_type: &'static str,
    pub identity_map: IdentityMap,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_email: Option<EmailAddress>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<Person>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commerce: Option<Commerce>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub product_list_items: Vec<ProductListItem>,
}

/// Class Individual Profile with person, personal-contact and user-account field groups.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileRecord {
    #[serde(rename = "_id")]
    pub id: String,
    pub identity_map: IdentityMap,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<Person>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_email: Option<EmailAddress>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_address_phone: Option<Phone>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address_phone: Option<Phone>,
    pub user_account: UserAccount,
    /// When Magento last changed the customer: AEP's timestamp-ordered merge policy orders
    /// records by it, so a late-arriving older record never overwrites a newer one.
    pub ext_source_system_audit: ExtSourceSystemAudit,
    /// The newsletter subscription, as e-mail marketing consent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consents: Option<Consents>,
}

/// The Consents and Preferences field group, as far as Magento knows it: the newsletter.
#[derive(Debug, Clone, Serialize)]
pub struct Consents {
    pub marketing: MarketingConsents,
}

#[derive(Debug, Clone, Serialize)]
pub struct MarketingConsents {
    pub email: ConsentValue,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConsentValue {
    pub val: ConsentChoice,
    pub time: String,
}

/// XDM's consent values that a newsletter subscription can express.
#[derive(Debug, Clone, Copy, Serialize)]
pub enum ConsentChoice {
    #[serde(rename = "y")]
    Yes,
    #[serde(rename = "n")]
    No,
}

/// The External Source System Audit Details field group (`xdm:extSourceSystemAudit`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtSourceSystemAudit {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
    pub last_updated_date: String,
}

/// Namespace code → identities, in insertion order.
#[derive(Debug, Clone, Default)]
pub struct IdentityMap(pub Vec<(String, Vec<Identity>)>);

impl Serialize for IdentityMap {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (ns, ids) in &self.0 {
            map.serialize_entry(ns, ids)?;
        }
        map.end()
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub id: String,
    pub authenticated_state: &'static str,
    pub primary: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EmailAddress {
    pub address: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<PersonName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<&'static str>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PersonName {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub courtesy_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Phone {
    pub number: String,
    pub primary: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserAccount {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    pub status: &'static str,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street3: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street4: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub primary: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Commerce {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<Order>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping: Option<Shipping>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing: Option<Billing>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commerce_scope: Option<CommerceScope>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    #[serde(rename = "purchaseID")]
    pub purchase_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purchase_order_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_total: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_date: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub payments: Vec<Payment>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refunds: Vec<Refund>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns: Option<Return>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub custom: Option<TenantFields>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payment {
    #[serde(rename = "transactionID", skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_amount: Option<f64>,
    pub payment_type: &'static str,
    pub currency_code: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    #[serde(rename = "transactionID")]
    pub transaction_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_amount: Option<f64>,
    pub refund_payment_type: &'static str,
    pub currency_code: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Return {
    #[serde(rename = "returnID")]
    pub return_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_status: Option<String>,
    #[serde(rename = "purchaseID")]
    pub purchase_id: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shipping {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_amount: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<u64>,
    #[serde(rename = "trackingURL", skip_serializing_if = "Option::is_none")]
    pub tracking_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ship_date: Option<String>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub custom: Option<TenantFields>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Billing {
    pub address: Address,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommerceScope {
    #[serde(rename = "environmentID", skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_view_code: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductListItem {
    #[serde(rename = "_id", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "SKU")]
    pub sku: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_total: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_amount: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_image_url: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub selected_options: Vec<SelectedOption>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub product_categories: Vec<Category>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_item: Option<ReturnItem>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub custom: Option<TenantFields>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SelectedOption {
    pub attribute: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Category {
    #[serde(rename = "categoryID", skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    #[serde(rename = "categoryName", skip_serializing_if = "Option::is_none")]
    pub category_name: Option<String>,
    #[serde(rename = "categoryPath", skip_serializing_if = "Option::is_none")]
    pub category_path: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnItem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_item_condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_resolution: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_quantity_requested: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_quantity_authorized: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_quantity_received: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_quantity_approved: Option<i64>,
}

/// Merchant-defined fields under the tenant namespace object `_<tenant>`.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantFields {
    pub tenant: String,
    pub fields: Vec<(String, serde_json::Value)>,
}

impl Serialize for TenantFields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Fields<'a>(&'a [(String, serde_json::Value)]);
        impl Serialize for Fields<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(&format!("_{}", self.tenant), &Fields(&self.fields))?;
        map.end()
    }
}
