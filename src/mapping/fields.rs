//! Conversions shared by several events: addresses, currency, e-mail, store scope, payment
//! types, custom attributes.

use super::read::{problem, Obj, R};
use super::value::Value;
use super::xdm::{Address, CommerceScope, TenantFields};
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

pub fn currency(obj: &Obj, key: &str) -> R<Option<String>> {
    let Some(code) = obj.str(key)? else {
        return Ok(None);
    };
    let upper = code.to_ascii_uppercase();
    if ISO_4217.binary_search(&upper.as_str()).is_err() {
        return Err(problem(&obj.field_path(key), format!("{code:?} is not an ISO 4217 currency code")));
    }
    Ok(Some(upper))
}

/// An e-mail address as Magento has it (trimmed), refused when it cannot be one.
pub fn email(obj: &Obj, key: &str) -> R<Option<String>> {
    let Some(address) = obj.str(key)? else {
        return Ok(None);
    };
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
        return Err(problem(&obj.field_path(key), format!("{address:?} is not an e-mail address")));
    }
    Ok(Some(address))
}

/// A `sales_order_address` / customer address row as an XDM postal address.
pub fn address(row: &Obj) -> R<Option<Address>> {
    let street = row.str("street")?.unwrap_or_default();
    let mut lines = street.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string);
    let country = row.str("country_id")?.map(|c| c.to_ascii_uppercase());
    let country_code = match &country {
        Some(c) if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase()) => Some(c.clone()),
        Some(c) => {
            return Err(problem(
                &row.field_path("country_id"),
                format!("{c:?} is not an ISO 3166 two-letter country code"),
            ))
        }
        None => None,
    };
    let mut addr = Address {
        street1: lines.next(),
        street2: lines.next(),
        street3: lines.next(),
        street4: None,
        city: row.str("city")?,
        state: row.str("region")?,
        postal_code: row.str("postcode")?,
        country,
        country_code,
        primary: false,
    };
    let rest: Vec<String> = lines.collect();
    if !rest.is_empty() {
        addr.street4 = Some(rest.join(", "));
    }
    Ok(if addr == Address::default() { None } else { Some(addr) })
}

pub fn scope(payload: &Obj, settings: &MapSettings) -> R<CommerceScope> {
    let store = payload.child("store")?;
    let get = |key: &str| -> R<Option<String>> {
        match &store {
            Some(s) => s.str(key),
            None => Ok(None),
        }
    };
    Ok(CommerceScope {
        environment_id: settings.environment_id.clone(),
        website_code: get("website_code")?,
        store_code: get("store_code")?,
        store_view_code: get("store_view_code")?,
    })
}

/// Magento payment method codes mapped onto XDM's payment types (a hard enum for refunds).
pub fn payment_type(method: Option<&str>) -> &'static str {
    let Some(m) = method.map(str::to_ascii_lowercase) else {
        return "other";
    };
    match m.as_str() {
        "checkmo" => "check",
        "banktransfer" => "wire_transfer",
        "cashondelivery" => "cash",
        "free" | "purchaseorder" | "companycredit" => "other",
        m if m.contains("giftcard") => "gift_card",
        m if m.ends_with("_vault") || m.ends_with("_cc_vault") => "credit_card_reference",
        m if m.contains("paypal") || m == "payflow_express" || m == "payflow_advanced" => "paypal",
        m if m.contains("debit") => "debit_card",
        m if m.contains("cc")
            || m.contains("card")
            || m.starts_with("braintree")
            || m.starts_with("authorizenet")
            || m.starts_with("stripe")
            || m.starts_with("adyen_cc")
            || m == "payflowpro" =>
        {
            "credit_card"
        }
        _ => "other",
    }
}

/// The `custom_attributes` map of `obj` as tenant fields. Every attribute is kept: scalars as
/// they are, arrays as their JSON text.
pub fn custom_attributes(obj: &Obj, settings: &MapSettings) -> R<Option<TenantFields>> {
    let Some(attrs) = obj.child("custom_attributes")? else {
        return Ok(None);
    };
    let mut fields = Vec::new();
    for (name, value) in attrs.entries() {
        let path = attrs.field_path(name);
        let valid_name = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_name {
            return Err(problem(&path, "is not a valid XDM field name (letters, digits, underscore)"));
        }
        let json = match value {
            Value::Null => continue,
            Value::Str(s) if s.trim().is_empty() => continue,
            other => to_json(other, &path)?,
        };
        fields.push((name.clone(), json));
    }
    Ok(tenant(settings, fields))
}

/// Wraps fields in the configured tenant namespace. Without a tenant id AEP has nowhere to put
/// them: they are left out and the event is still sent (a missing optional field never costs
/// the event; the admin warns about custom attributes configured without a tenant id).
pub fn tenant(settings: &MapSettings, fields: Vec<(String, serde_json::Value)>) -> Option<TenantFields> {
    if fields.is_empty() {
        return None;
    }
    settings.tenant_id.as_ref().map(|t| TenantFields {
        tenant: t.clone(),
        fields,
    })
}

fn to_json(value: &Value, path: &str) -> R<serde_json::Value> {
    Ok(match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .ok_or_else(|| problem(path, format!("{f} is not a finite number")))?,
        Value::Str(s) => {
            if s.len() > super::read::MAX_STRING_BYTES {
                return Err(problem(path, format!("is {} bytes long, more than the {} allowed", s.len(), super::read::MAX_STRING_BYTES)));
            }
            serde_json::Value::String(s.clone())
        }
        Value::List(_) | Value::Map(_) => serde_json::Value::String(json_text(value, path)?),
        Value::Unsupported(what) => return Err(problem(path, format!("{what} cannot be sent"))),
    })
}

fn json_text(value: &Value, path: &str) -> R<String> {
    fn tree(value: &Value, path: &str) -> R<serde_json::Value> {
        Ok(match value {
            Value::List(items) => serde_json::Value::Array(
                items.iter().map(|v| tree(v, path)).collect::<R<Vec<_>>>()?,
            ),
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), tree(v, path)?)))
                    .collect::<R<serde_json::Map<_, _>>>()?,
            ),
            other => to_json(other, path)?,
        })
    }
    let text = tree(value, path)?.to_string();
    if text.len() > super::read::MAX_STRING_BYTES {
        return Err(problem(path, format!("is {} bytes long as JSON, more than the {} allowed", text.len(), super::read::MAX_STRING_BYTES)));
    }
    Ok(text)
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
            assert!(allowed.contains(&payment_type(Some(m))), "{m}");
        }
        assert_eq!(payment_type(Some("checkmo")), "check");
        assert_eq!(payment_type(Some("braintree_cc_vault")), "credit_card_reference");
        assert_eq!(payment_type(Some("paypal_express")), "paypal");
        assert_eq!(payment_type(None), "other");
    }
}
