//! Conversions shared by several events: addresses, currency, e-mail, store scope, payment
//! types, custom attributes.

use std::borrow::Cow;

use super::json::Out;
use super::read::{kind_at, describe, Obj, Text, MAX_STRING_BYTES};
use super::source::{self, Key, Kind, Node};
use super::xdm::{Address, Attr, CommerceScope, PaymentType, TenantFields};
use super::MapSettings;

/// ISO 4217 alphabetic codes in use (2024 list), so a typo such as "USDD" or "EUR1" or a
/// Magento misconfiguration is refused before AEP drops the row.
const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN",
    "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF",
    "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF",
    "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD",
    "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK",
    "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK",
    "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK",
    "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT",
    "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS",
    "VED", "VES", "VND", "VUV", "WST", "XAF", "XAG", "XAU", "XCD", "XCG", "XDR", "XOF", "XPD", "XPF",
    "XPT", "XSU", "XUA", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
];

/// The order's currency as its ISO code (upper case); a code not in use is reported.
pub fn currency(obj: &Obj, key: &'static str) -> Option<&'static str> {
    let code = obj.str(key)?;
    let mut upper = [0u8; 3];
    let known = code.len() == 3 && {
        upper.copy_from_slice(code.as_bytes());
        upper.make_ascii_uppercase();
        true
    };
    match ISO_4217.binary_search_by(|c| c.as_bytes().cmp(&upper[..])) {
        Ok(i) if known => Some(ISO_4217[i]),
        _ => {
            obj.report(key, format!("{code:?} is not an ISO 4217 currency code"));
            None
        }
    }
}

/// An e-mail address as Magento has it (trimmed), reported when it cannot be one.
pub fn email<'a>(obj: &Obj<'a>, key: &'static str) -> Option<Text<'a>> {
    let address = obj.str(key)?;
    let valid = match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !address.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !valid {
        obj.report(key, format!("{address:?} is not an e-mail address"));
        return None;
    }
    Some(address)
}

/// A `sales_order_address` / customer address row as an XDM postal address; `None` when it
/// has none of the fields.
pub fn address<'a>(row: &Obj<'a>) -> Option<Address<'a>> {
    let street = row.str("street");
    let mut addr = Address::default();
    if let Some(street) = &street {
        let mut lines = street_lines(street);
        addr.street1 = lines.next();
        addr.street2 = lines.next();
        addr.street3 = lines.next();
        let rest: Vec<Text> = lines.collect();
        if !rest.is_empty() {
            addr.street4 = Some(rest.join(", "));
        }
    }
    if let Some(country) = row.str("country_id") {
        let country = upper(country);
        if country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()) {
            addr.country_code = true;
            addr.country = Some(country);
        } else {
            row.report("country_id", format!("{country:?} is not an ISO 3166 two-letter country code"));
        }
    }
    addr.city = row.str("city");
    addr.state = row.str("region");
    addr.postal_code = row.str("postcode");
    (!addr.is_empty()).then_some(addr)
}

/// Non-blank street lines, trimmed, borrowed from the payload when the street is.
fn street_lines<'a, 's>(street: &'s Text<'a>) -> impl Iterator<Item = Text<'a>> + 's {
    let borrowed: Option<&'a str> = match street {
        Cow::Borrowed(s) => Some(s),
        Cow::Owned(_) => None,
    };
    street.lines().map(str::trim).filter(|l| !l.is_empty()).map(move |line| match borrowed {
        Some(whole) => Cow::Borrowed(&whole[offset(whole, line)..][..line.len()]),
        None => Cow::Owned(line.to_string()),
    })
}

/// Where `part`, a slice of `whole`, starts in it.
fn offset(whole: &str, part: &str) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

fn upper(text: Text) -> Text {
    if text.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(text.to_ascii_uppercase())
    } else {
        text
    }
}

pub fn scope<'a>(payload: &Obj<'a>, settings: &'a MapSettings) -> CommerceScope<'a> {
    let mut scope = CommerceScope {
        environment_id: settings.environment_id.as_deref(),
        ..CommerceScope::default()
    };
    if let Some(store) = payload.child("store") {
        scope.website_code = store.str("website_code");
        scope.store_code = store.str("store_code");
        scope.store_view_code = store.str("store_view_code");
    }
    scope
}

/// Magento payment method codes mapped onto XDM's payment types. Codes are compared ignoring
/// ASCII case, in place (no lowercased copy per order).
pub fn payment_type(method: Option<&str>) -> PaymentType {
    let Some(m) = method.map(Caseless) else {
        return PaymentType::Other;
    };
    if m.is("checkmo") {
        PaymentType::Check
    } else if m.is("banktransfer") {
        PaymentType::WireTransfer
    } else if m.is("cashondelivery") {
        PaymentType::Cash
    } else if m.is("free") || m.is("purchaseorder") || m.is("companycredit") {
        PaymentType::Other
    } else if m.contains("giftcard") {
        PaymentType::GiftCard
    } else if m.ends_with("_vault") {
        PaymentType::CreditCardReference
    } else if m.contains("paypal") || m.is("payflow_express") || m.is("payflow_advanced") {
        PaymentType::Paypal
    } else if m.contains("debit") {
        PaymentType::DebitCard
    } else if m.contains("cc")
        || m.contains("card")
        || m.starts_with("braintree")
        || m.starts_with("authorizenet")
        || m.starts_with("stripe")
        || m.is("payflowpro")
    {
        PaymentType::CreditCard
    } else {
        PaymentType::Other
    }
}

/// A payment method code, compared with lowercase patterns ignoring ASCII case.
#[derive(Clone, Copy)]
struct Caseless<'a>(&'a str);

impl Caseless<'_> {
    fn is(self, pattern: &str) -> bool {
        self.0.eq_ignore_ascii_case(pattern)
    }

    fn starts_with(self, pattern: &str) -> bool {
        self.0.as_bytes().get(..pattern.len()).is_some_and(|b| b.eq_ignore_ascii_case(pattern.as_bytes()))
    }

    fn ends_with(self, pattern: &str) -> bool {
        let b = self.0.as_bytes();
        b.len() >= pattern.len() && b[b.len() - pattern.len()..].eq_ignore_ascii_case(pattern.as_bytes())
    }

    fn contains(self, pattern: &str) -> bool {
        self.0.as_bytes().windows(pattern.len()).any(|w| w.eq_ignore_ascii_case(pattern.as_bytes()))
    }
}

/// The `custom_attributes` map of `obj` as tenant fields. Every attribute is kept: scalars as
/// they are, arrays as their JSON text.
pub fn custom_attributes<'a>(obj: &Obj<'a>, settings: &'a MapSettings) -> Option<TenantFields<'a>> {
    let attrs = obj.child("custom_attributes")?;
    let mut fields = Vec::new();
    for (key, value) in attrs.fields() {
        let name = match key {
            Key::Name(name) if is_field_name(name) => name,
            _ => {
                attrs.cx().report(attrs.key_path(key), "is not a valid XDM field name (letters, digits, underscore)");
                continue;
            }
        };
        let depth = attrs.depth() + 1;
        let attr = match kind_at(value, depth) {
            Kind::Null => continue,
            Kind::Str(s) if s.trim().is_empty() => continue,
            Kind::Bool(b) => Attr::Bool(b),
            Kind::Int(i) => Attr::Int(i),
            Kind::Float(f) if f.is_finite() => Attr::Float(f),
            Kind::Float(f) => {
                attrs.report(name, format!("{f} is not a finite number"));
                continue;
            }
            Kind::Str(s) if s.len() > MAX_STRING_BYTES => {
                attrs.report(name, format!("is {} bytes long, more than the {MAX_STRING_BYTES} allowed", s.len()));
                continue;
            }
            Kind::Str(s) => Attr::Str(s),
            Kind::Array => match json_text(value, depth) {
                Ok(text) => Attr::JsonText(text),
                Err(problem) => {
                    attrs.report(name, problem);
                    continue;
                }
            },
            Kind::Unusable(u) => {
                attrs.report(name, format!("{} cannot be sent", u.describe()));
                continue;
            }
        };
        fields.push((name, attr));
    }
    tenant(settings, fields)
}

fn is_field_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Wraps fields in the configured tenant namespace. Without a tenant id AEP has nowhere to put
/// them: they are left out and the event is still sent (a missing optional field never costs
/// the event; the admin warns about custom attributes configured without a tenant id).
pub fn tenant<'a>(settings: &'a MapSettings, fields: Vec<(&'a str, Attr<'a>)>) -> Option<TenantFields<'a>> {
    if fields.is_empty() {
        return None;
    }
    settings.tenant_id.as_deref().map(|tenant| TenantFields { tenant, fields })
}

/// An array attribute as JSON text (lists as arrays, maps as objects), bounded in size.
fn json_text(value: &dyn Node, depth: usize) -> Result<String, String> {
    let mut out = Out::new(Vec::new());
    write_tree(&mut out, value, depth)?;
    if out.buf.len() > MAX_STRING_BYTES {
        return Err(format!("is {} bytes long as JSON, more than the {MAX_STRING_BYTES} allowed", out.buf.len()));
    }
    String::from_utf8(out.buf).map_err(|_| "is not valid UTF-8".to_string())
}

fn write_tree(out: &mut Out, value: &dyn Node, depth: usize) -> Result<(), String> {
    // Stop early on a huge array: the text could not be sent anyway.
    if out.buf.len() > MAX_STRING_BYTES {
        return Ok(());
    }
    match kind_at(value, depth) {
        Kind::Null => out.null(),
        Kind::Bool(b) => out.bool(b),
        Kind::Int(i) => out.int(i),
        Kind::Float(f) if f.is_finite() => out.float(f),
        Kind::Float(f) => return Err(format!("{f} is not a finite number")),
        Kind::Str(s) if s.len() > MAX_STRING_BYTES => {
            return Err(format!("is {} bytes long, more than the {MAX_STRING_BYTES} allowed", s.len()))
        }
        Kind::Str(s) => out.str(s),
        Kind::Array if source::is_list(value) => {
            out.open_list();
            for (_, v) in source::entries(value) {
                write_tree(out, v, depth + 1)?;
            }
            out.close_list();
        }
        Kind::Array => {
            out.open();
            for (k, v) in source::entries(value) {
                match k {
                    Key::Index(i) => out.dyn_key(itoa::Buffer::new().format(i)),
                    Key::Name(name) => out.dyn_key(name),
                    Key::Bytes(b) => out.dyn_key(&String::from_utf8_lossy(b)),
                }
                write_tree(out, v, depth + 1)?;
            }
            out.close();
        }
        Kind::Unusable(_) => return Err(format!("{} cannot be sent", describe(value, depth))),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_list_is_sorted_for_binary_search() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn payment_types_fit_the_refund_enum() {
        let allowed = ["cash", "credit_card", "debit_card", "gift_card", "check", "paypal", "wire_transfer", "credit_card_reference", "other"];
        for m in ["checkmo", "banktransfer", "cashondelivery", "free", "paypal_express", "braintree", "braintree_cc_vault", "giftcard", "stripe_payments", "unknown_psp", "purchaseorder"] {
            assert!(allowed.contains(&payment_type(Some(m)).as_str()), "{m}");
        }
        assert_eq!(payment_type(Some("CheckMo")), PaymentType::Check);
        assert_eq!(payment_type(Some("braintree_cc_vault")), PaymentType::CreditCardReference);
        assert_eq!(payment_type(Some("paypal_express")), PaymentType::Paypal);
        assert_eq!(payment_type(Some("debit_x")), PaymentType::DebitCard);
        assert_eq!(payment_type(None), PaymentType::Other);
        assert_eq!(payment_type(Some("PayPal_Express")), PaymentType::Paypal, "case is ignored inside codes too");
        assert_eq!(payment_type(Some("Stripe_Payments")), PaymentType::CreditCard);
        assert_eq!(payment_type(Some("x")), PaymentType::Other, "codes shorter than the patterns");
    }
}
