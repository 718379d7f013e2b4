//! Property tests of the mapping over PHP-array-shaped inputs: it never panics, every error
//! names the event and a field, and every success is a document with one primary identity.

mod common;

use proptest::prelude::*;
use xdm_relay::mapping::{map_event, MapContext, MapSettings, Value, EVENTS};

fn event_names() -> Vec<&'static str> {
    EVENTS.iter().map(|e| e.name).collect()
}


fn base_payload() -> Value {
    Value::from(&serde_json::json!({
        "order": {
            "entity_id": "310", "increment_id": "000000310", "created_at": "2024-05-01 10:15:29",
            "updated_at": "2024-05-01 10:15:31", "customer_id": 42, "customer_email": "jane@example.com",
            "customer_is_guest": "0", "order_currency_code": "USD", "base_currency_code": "USD",
            "grand_total": "190.0000", "tax_amount": "11.0000", "discount_amount": "-5.0000",
            "shipping_amount": "5.0000", "shipping_description": "Flat Rate - Fixed",
            "items": [
                {"item_id": 1, "product_type": "configurable", "sku": "MJ01-XS-Red", "name": "Jacket", "qty_ordered": "1.0000",
                 "row_total": "50", "product_options": {"attributes_info": [{"label": "Size", "value": "XS"}]},
                 "categories": [{"id": 12, "name": "Jackets", "path": "Men/Jackets"}], "image_url": "https://x/y.jpg"},
                {"item_id": 2, "parent_item_id": 1, "product_type": "simple", "sku": "MJ01-XS-Red", "qty_ordered": 1},
                {"item_id": 3, "product_type": "simple", "sku": "24-MB01", "qty_ordered": "2", "row_total": 68}
            ],
            "billing_address": {"street": "1 Main St", "city": "Austin", "postcode": "78701", "country_id": "US"},
            "shipping_address": {"street": "1 Main St", "city": "Austin", "postcode": "78701", "country_id": "US"},
            "payment": {"method": "checkmo", "amount_ordered": "190", "last_trans_id": "t1"},
            "custom_attributes": {"order_channel": "web"}
        },
        "store": {"website_code": "base", "store_code": "main", "store_view_code": "default"},
        "identity": {"ecid": "45137748716279318331290536441616744545"},
        "invoice": {"entity_id": 5, "created_at": "2024-05-01 11:00:00", "grand_total": 190,
                    "items": [{"order_item_id": 1, "sku": "MJ01-XS-Red", "qty": 1, "row_total": 50}]},
        "shipment": {"entity_id": 6, "created_at": "2024-05-02 11:00:00",
                     "tracks": [{"track_number": "1Z9", "carrier_code": "ups"}],
                     "items": [{"order_item_id": 3, "sku": "24-MB01", "qty": 1, "price": 34}]},
        "creditmemo": {"entity_id": 7, "created_at": "2024-05-03 11:00:00", "grand_total": 34,
                       "items": [{"order_item_id": 3, "sku": "24-MB01", "qty": 1, "row_total": 34}]},
        "rma": {"entity_id": 8, "increment_id": "R8", "status": "Pending", "date_requested": "2024-05-04 11:00:00",
                "updated_at": "2024-05-05 11:00:00", "items": [{"order_item_id": 3, "qty_requested": 1, "reason": "Size"}]},
        "event_id": "7b0c5a62-4f0e-4a38-9d0e-2f1b6c1d9a01", "occurred_at": 1714558529123i64,
        "shopper": {"fpid": "0f8fad5b-d9cb-469f-a165-70867728950e", "customer_id": 42, "email": "jane@example.com",
                    "ecid_cookie": "CiY0NzE0NzkwMTUyMzYzMzI4NDAxMjc3NDcwNzA2NTcxMjI3OTI1NVIRCJ_S-uCRMRABGAEqBElSTDHwAZ_S-uCRMQ"},
        "page": {"url": "https://shop.example/p.html", "referrer": "https://shop.example/", "type": "Product", "name": "P",
                 "user_agent": "Mozilla/5.0"},
        "product": {"sku": "MJ01", "name": "Jacket", "image_url": "https://x/y.jpg", "regular_price": "55", "special_price": 42.5,
                    "currency_code": "USD"},
        "cart": {"id": 1207, "currency_code": "USD", "discount_amount": "-5",
                 "items": [{"sku": "MJ01-XS-Red", "name": "Jacket", "qty": 1, "price": "50", "discount_amount": 5,
                            "image_url": "https://x/y.jpg", "options": [{"label": "Size", "value": "XS"}]}]},
        "search": {"request_id": "r1", "phrase": "yoga", "sort": [{"attribute": "price", "order": "ASC"}],
                   "filters": [{"attribute": "color", "values": ["Black", 7], "is_range": false}],
                   "suggestions": ["yoga mat"], "result_count": 3, "products": [{"sku": "WP01", "name": "Pant"}]},
        "customer": {"id": 42, "email": "jane@example.com", "firstname": "Jane", "lastname": "Doe", "dob": "1985-07-14",
                     "gender": 2, "created_at": "2023-01-02 03:04:05", "updated_at": "2024-05-01 08:00:00",
                     "addresses": [{"street": "1 Main St", "city": "Austin", "country_id": "US", "telephone": "555",
                                    "default_billing": true, "default_shipping": true}]}
    }))
}

fn settings() -> MapSettings {
    MapSettings {
        environment_id: Some("env-1".to_string()),
        tenant_id: Some("acme".to_string()),
        ..MapSettings::default()
    }
}

fn arb_scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        any::<f64>().prop_map(Value::Float),
        ".{0,24}".prop_map(Value::Str),
        "[0-9]{1,6}(\\.[0-9]{1,4})?".prop_map(Value::Str),
        "20[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]".prop_map(Value::Str),
        Just(Value::Unsupported("an object".to_string())),
    ]
}

fn arb_value() -> impl Strategy<Value = Value> {
    arb_scalar().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::List),
            prop::collection::vec(("[a-z_]{1,12}", inner), 0..6).prop_map(Value::Map),
        ]
    })
}

/// Replaces the value at a random path of `v` (chosen by `choices`) with `new`.
fn mutate(node: &mut Value, choices: &[usize], new: Value) {
    let Some((&c, rest)) = choices.split_first() else {
        *node = new;
        return;
    };
    match node {
        Value::Map(entries) if !entries.is_empty() => {
            let i = c % entries.len();
            mutate(&mut entries[i].1, rest, new)
        }
        Value::List(items) if !items.is_empty() => {
            let i = c % items.len();
            mutate(&mut items[i], rest, new)
        }
        _ => *node = new,
    }
}

fn has_null_or_empty(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => true,
        serde_json::Value::String(s) => s.is_empty(),
        serde_json::Value::Array(a) => a.iter().any(has_null_or_empty),
        serde_json::Value::Object(o) => o.values().any(has_null_or_empty),
        _ => false,
    }
}

fn check(event: &str, payload: &Value) -> Result<(), TestCaseError> {
    let s = settings();
    let ctx = MapContext { settings: &s, now: chrono::Utc::now() };
    match map_event(event, payload, &ctx) {
        Ok(mapped) => {
            let doc: serde_json::Value = serde_json::from_str(&mapped.json).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(doc["_id"].as_str(), Some(mapped.id.as_str()));
            let primaries = doc["identityMap"]
                .as_object()
                .map(|m| m.values().flat_map(|ids| ids.as_array().cloned().unwrap_or_default()).filter(|i| i["primary"] == true).count())
                .unwrap_or(0);
            prop_assert_eq!(primaries, 1);
            prop_assert!(!has_null_or_empty(&doc), "no null or empty values: {}", mapped.json);
        }
        Err(e) => {
            prop_assert!(!e.problems.is_empty(), "an error has a problem: {}", e);
            for p in &e.problems {
                prop_assert!(!p.path.is_empty(), "error names a field: {}", e);
                prop_assert!(!p.problem.is_empty());
                let named = format!("{}: {}", p.path, p.problem);
                prop_assert!(e.to_string().contains(&named), "{} lists {}", e, named);
            }
            let prefix = format!("{}: {}: ", e.event, e.problems[0].path);
            prop_assert!(e.to_string().starts_with(&prefix));
        }
    }
    Ok(())
}

#[test]
fn the_base_payload_maps_for_every_event() {
    let s = settings();
    let ctx = MapContext { settings: &s, now: chrono::Utc::now() };
    let mut docs = Vec::new();
    for event in event_names() {
        let mapped = map_event(event, &base_payload(), &ctx).unwrap_or_else(|e| panic!("{event}: {e}"));
        docs.push(serde_json::from_str::<serde_json::Value>(&mapped.json).unwrap());
    }
    // With a tenant and an environment configured, tenant fields and environmentID validate too.
    let placed = &docs[0];
    assert_eq!(placed["commerce"]["order"]["_acme"]["order_channel"], "web");
    assert_eq!(placed["commerce"]["commerceScope"]["environmentID"], "env-1");
    let shipped = &docs[2];
    assert_eq!(shipped["commerce"]["shipping"]["_acme"]["trackingNumbers"], serde_json::json!(["1Z9"]));
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = std::env::var_os("XDM_RELAY_SHARED").map(std::path::PathBuf::from).unwrap_or_else(|| root.join("../shared"));
    let file = std::env::temp_dir().join(format!("xdm-relay-props-{}.json", std::process::id()));
    std::fs::write(&file, serde_json::to_string(&docs).unwrap()).unwrap();
    let out = std::process::Command::new("python3")
        .arg(root.join("tools/xdm_check.py"))
        .arg("--schemas")
        .arg(shared.join("xdm"))
        .arg(&file)
        .output()
        .expect("run xdm_check.py");
    let _ = std::fs::remove_file(&file);
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_payloads_never_panic(event in prop::sample::select(event_names()), payload in arb_value()) {
        check(event, &payload)?;
    }

    #[test]
    fn mutated_realistic_payloads_never_panic(
        event in prop::sample::select(event_names()),
        choices in prop::collection::vec(any::<usize>(), 1..6),
        new in arb_value(),
    ) {
        let mut payload = base_payload();
        mutate(&mut payload, &choices, new);
        check(event, &payload)?;
    }

    #[test]
    fn unknown_event_names_are_refused(event in ".{0,80}") {
        prop_assume!(!event_names().contains(&event.as_str()));
        let s = settings();
        let ctx = MapContext { settings: &s, now: chrono::Utc::now() };
        let err = map_event(&event, &base_payload(), &ctx).unwrap_err();
        prop_assert_eq!(&err.problems[0].path, "event");
    }
}

/// The PHP reader (the request's array read in place) under random PHP-shaped input: keys that
/// are not UTF-8, invalid strings, NUL bytes, references, self-containing arrays, objects,
/// resources, NaN/INF, deep and huge arrays. Never a panic or another exception; every refusal
/// names its fields. Several seeds, so a failure is reproducible with `php fuzz_reader.php SEED`.
#[test]
fn php_arrays_read_in_place_never_panic_and_errors_name_fields() {
    let script = common::repo_root().join("tests/fixtures/mapping/fuzz_reader.php");
    for seed in ["1", "2", "3", "4"] {
        let out = common::php_file(&script, &[seed, "250"], &[("memory_limit", "1G")]);
        assert!(out.status.success(), "seed {seed}: {}", common::stderr(&out));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
        assert_eq!(report["failures"], serde_json::json!([]), "seed {seed}");
        assert!(report["mapped"].as_u64().unwrap() > 100 && report["refused"].as_u64().unwrap() > 100, "seed {seed}: {report}");
    }
}
