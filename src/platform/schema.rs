//! What a dataset's resolved schema (Schema Registry, `application/vnd.adobe.xed-full+json`)
//! declares under the tenant namespace where the mapping writes custom attributes:
//! `commerce.order._<tenant>` (order attributes) and `productListItems[]._<tenant>` (item
//! attributes). Pure: no I/O.

use serde_json::Value;

/// The custom fields one place of the schema declares; `None` when the schema does not have
/// that place at all (no Commerce field group, say), which is a different fix for the merchant
/// than a missing field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TenantFields {
    pub order: Option<Vec<String>>,
    pub items: Option<Vec<String>>,
}

/// The resolved form's children of an object field: `properties` of the object, or of the
/// objects an array holds.
fn child<'a>(field: &'a Value, name: &str) -> Option<&'a Value> {
    let field = field.get("items").unwrap_or(field);
    field.get("properties")?.get(name)
}

fn names_under(place: &Value, tenant: &str) -> Vec<String> {
    let mut names: Vec<String> = child(place, &format!("_{tenant}"))
        .and_then(|t| t.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default();
    names.sort();
    names
}

pub fn tenant_fields(schema: &Value, tenant: &str) -> TenantFields {
    let order = child(schema, "commerce").and_then(|c| child(c, "order"));
    let items = child(schema, "productListItems");
    TenantFields {
        order: order.map(|o| names_under(o, tenant)),
        items: items.map(|i| names_under(i, tenant)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_tenant_objects_where_the_mapping_writes_custom_attributes() {
        let schema = json!({"properties": {
            "commerce": {"type": "object", "properties": {"order": {"type": "object", "properties": {
                "purchaseID": {"type": "string"},
                "_acme": {"type": "object", "properties": {"giftMessage": {"type": "string"}, "channel": {"type": "string"}}}
            }}}},
            "productListItems": {"type": "array", "items": {"type": "object", "properties": {
                "SKU": {"type": "string"},
                "_acme": {"type": "object", "properties": {"engraving": {"type": "string"}}}
            }}},
            "_acme": {"type": "object", "properties": {"elsewhere": {"type": "string"}}}
        }});
        let f = tenant_fields(&schema, "acme");
        assert_eq!(f.order, Some(vec!["channel".to_string(), "giftMessage".to_string()]));
        assert_eq!(f.items, Some(vec!["engraving".to_string()]));
        let other = tenant_fields(&schema, "other");
        assert_eq!(other.order, Some(vec![]));
    }

    #[test]
    fn a_schema_without_the_commerce_field_group_says_so() {
        let f = tenant_fields(&json!({"properties": {"person": {"type": "object"}}}), "acme");
        assert_eq!(f, TenantFields { order: None, items: None });
        assert_eq!(tenant_fields(&json!("not a schema"), "acme"), TenantFields::default());
    }
}
