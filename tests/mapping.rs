//! `xdm_relay_map` through real PHP processes: every contract event on realistic payloads,
//! validated against the official XDM schemas, with exact field paths and values asserted.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn fixtures() -> PathBuf {
    common::repo_root().join("tests/fixtures/mapping")
}

fn run_php_json(script: &str) -> serde_json::Map<String, Value> {
    let out = common::php_file(&fixtures().join(script), &[], &[]);
    assert!(out.status.success(), "{script} failed: {}", common::stderr(&out));
    let parsed: Value = serde_json::from_slice(&out.stdout).expect("script prints JSON");
    parsed.as_object().expect("an object of cases").clone()
}

fn mapped_cases() -> BTreeMap<String, (String, Value)> {
    run_php_json("run_cases.php")
        .into_iter()
        .map(|(name, case)| {
            let event = case["event"].as_str().expect("event").to_string();
            if let Some(err) = case.get("error") {
                panic!("case {name} ({event}) did not map: {err}");
            }
            (name, (event, case["doc"].clone()))
        })
        .collect()
}

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("xdm-relay-{}-{name}", std::process::id()));
    std::fs::write(&path, contents).expect("write temp file");
    path
}

/// Leaf paths of a document, with list indices written `[]`.
fn leaf_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                leaf_paths(v, &p, out);
            }
        }
        Value::Array(items) => {
            for v in items {
                leaf_paths(v, &format!("{prefix}[]"), out);
            }
        }
        _ => {
            out.insert(prefix.to_string());
        }
    }
}

#[test]
fn every_document_validates_against_the_official_xdm_schemas() {
    let cases = mapped_cases();
    let events: BTreeSet<&str> = cases.values().map(|(e, _)| e.as_str()).collect();
    assert_eq!(events.len(), xdm_relay::mapping::EVENTS.len(), "every contract event has a case: {events:?}");
    let docs: Vec<&Value> = cases.values().map(|(_, d)| d).collect();
    let file = temp_file("docs.json", &serde_json::to_string(&docs).unwrap());
    let out = Command::new("python3")
        .arg(common::repo_root().join("tools/xdm_check.py"))
        .arg("--schemas")
        .arg(common::shared_dir().join("xdm"))
        .arg(&file)
        .output()
        .expect("run tools/xdm_check.py");
    let _ = std::fs::remove_file(&file);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "schema check failed:\n{report}{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.contains(&format!("checked {} document(s), 0 problem(s)", docs.len())), "{report}");
}

/// The schema check cannot catch a misspelled path (the schemas are open), so each case's
/// exact set of paths is pinned. Regenerate with UPDATE_EXPECTED=1 after a reviewed change.
#[test]
fn field_paths_are_exactly_the_expected_ones() {
    let cases = mapped_cases();
    let actual: BTreeMap<String, Vec<String>> = cases
        .iter()
        .map(|(name, (_, doc))| {
            let mut paths = BTreeSet::new();
            leaf_paths(doc, "", &mut paths);
            (name.clone(), paths.into_iter().collect())
        })
        .collect();
    let expected_file = fixtures().join("expected_paths.json");
    if std::env::var_os("UPDATE_EXPECTED").is_some() {
        std::fs::write(&expected_file, serde_json::to_string_pretty(&actual).unwrap() + "\n").unwrap();
    }
    let expected: BTreeMap<String, Vec<String>> =
        serde_json::from_str(&std::fs::read_to_string(&expected_file).expect("expected_paths.json")).unwrap();
    for (name, paths) in &expected {
        let got = actual.get(name).unwrap_or_else(|| panic!("case {name} missing"));
        let missing: Vec<_> = paths.iter().filter(|p| !got.contains(p)).collect();
        let extra: Vec<_> = got.iter().filter(|p| !paths.contains(p)).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{name}: missing {missing:?}, unexpected {extra:?}");
    }
    assert_eq!(expected.len(), actual.len());
}

/// The PHP constants are written out twice, in `src/php/exceptions.rs` (the extension's
/// `XdmRelay\EventName`) and in `php/Model/EventName.php` (the module's, which must load
/// without the extension); the event table is the truth for both.
#[test]
fn event_name_constants_are_the_event_table() {
    let table: Vec<(String, String)> =
        xdm_relay::mapping::EVENTS.iter().map(|e| (e.constant.to_string(), e.name.to_string())).collect();
    let module = common::repo_root().join("php/Model/EventName.php");
    for (class, setup) in [("XdmRelay\\EventName", String::new()), ("XdmRelay\\Connector\\Model\\EventName", format!("require '{}';", module.display()))] {
        let out = common::php(&format!("{setup} echo json_encode((new ReflectionClass({class}::class))->getConstants());"), &[]);
        assert!(out.status.success(), "{class}: {}", common::stderr(&out));
        let constants: serde_json::Map<String, Value> = serde_json::from_slice(&out.stdout).expect("constants as JSON");
        let constants: Vec<(String, String)> = constants.into_iter().map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string())).collect();
        assert_eq!(constants, table, "{class}");
    }
}

#[test]
fn every_document_has_exactly_one_primary_identity() {
    for (name, (event, doc)) in mapped_cases() {
        let primaries: Vec<(String, String)> = doc["identityMap"]
            .as_object()
            .unwrap_or_else(|| panic!("{name}: identityMap"))
            .iter()
            .flat_map(|(ns, ids)| {
                ids.as_array().unwrap().iter().filter(|i| i["primary"] == true).map(move |i| (ns.clone(), i["id"].as_str().unwrap().to_string()))
            })
            .collect();
        assert_eq!(primaries.len(), 1, "{name}: {primaries:?}");
        let expected_ns = if STOREFRONT.contains(&event.as_str()) {
            "FPID"
        } else if event.starts_with("account") || event.starts_with("profile") {
            "CustomerId"
        } else {
            "Email"
        };
        assert_eq!(primaries[0].0, expected_ns, "{name}");
    }
}

/// The storefront events (Adobe's storefront SDK names) and Data Connection's eventTypes.
const STOREFRONT: &[&str] = &[
    "pageView", "productPageView", "addToCart", "openCart", "removeFromCart", "shoppingCartView", "initiateCheckout",
    "placeOrder", "signIn", "signOut", "createAccount", "editAccount", "searchRequestSent", "searchResponseReceived",
];

#[test]
fn storefront_events_have_data_connections_event_types() {
    let expected = [
        "web.webpagedetails.pageViews", "commerce.productViews", "commerce.productListAdds", "commerce.productListOpens",
        "commerce.productListRemovals", "commerce.productListViews", "commerce.checkouts", "commerce.purchases",
        "userAccount.login", "userAccount.logout", "userAccount.createProfile", "userAccount.updateProfile",
        "searchRequest", "searchResponse",
    ];
    let cases = mapped_cases();
    for (event, event_type) in STOREFRONT.iter().zip(expected) {
        let doc = &cases[*event].1;
        assert_eq!(doc["eventType"], event_type, "{event}");
        assert_eq!(doc["channel"]["_id"], "https://ns.adobe.com/xdm/channels/web", "{event}");
        assert!(doc.get("personID").is_none(), "{event}: no personID");
    }
}

#[test]
fn storefront_identity_time_and_id() {
    let cases = mapped_cases();
    let view = &cases["pageView"].1;
    assert_eq!(view["timestamp"], "2024-05-01T10:15:29.123Z", "occurred_at to the millisecond");
    assert_eq!(view["identityMap"]["FPID"][0]["id"], "0f8fad5b-d9cb-469f-a165-70867728950e");
    assert_eq!(view["identityMap"]["ECID"][0]["id"], "47147901523633284012774707065712279255", "decoded from the Web SDK's cookie");
    assert_eq!(view["identityMap"]["ECID"][0]["primary"], false);
    assert!(view["identityMap"].get("Email").is_none(), "an anonymous shopper");
    let tampered = &cases["pageView_bad_ecid_cookie"].1;
    assert!(tampered["identityMap"].get("ECID").is_none(), "a cookie that does not decode is ignored");
    assert_eq!(tampered["timestamp"], "2024-05-01T10:15:30.001Z", "occurred_at as numeric text");
    let api = &cases["addToCart_api"].1;
    assert_eq!(api["identityMap"]["FPID"][0]["id"], "5e2b4c1a-9d8f-4a7b-b6c5-d4e3f2a1b0c9", "sent in lower case");
    assert!(api.get("web").is_none() && api.get("environment").is_none(), "no page, no page facts");
    let checkout = &cases["initiateCheckout"].1;
    assert_eq!(checkout["identityMap"]["Email"][0]["id"], "jane.doe@example.com");
    assert_eq!(checkout["identityMap"]["CustomerId"][0]["id"], "42");
    let guest = &cases["placeOrder_guest"].1;
    assert_eq!(guest["identityMap"]["Email"][0]["id"], "guest.buyer@example.org", "the order's e-mail");
    assert!(guest["identityMap"].get("CustomerId").is_none());
    // `_id` is the action's: the same event id always gives the same `_id`, an action's
    // eventType is part of it.
    let again = mapped_cases();
    assert_eq!(again["pageView"].1["_id"], view["_id"]);
    assert_ne!(cases["addToCart"].1["_id"], cases["openCart"].1["_id"]);
}

#[test]
fn the_fpid_namespace_is_a_setting() {
    let payloads = fixtures().join("payloads.php");
    let map = |namespaces: &str| {
        let code = format!(
            "require '{}'; try {{ xdm_relay_configure(['identity_namespaces' => {namespaces}]); [$e, $p] = storefront_cases()['pageView']; echo xdm_relay_map($e, $p); }} catch (Throwable $t) {{ echo '!', $t->getMessage(); }}",
            payloads.display()
        );
        let out = common::php(&code, &[]);
        assert!(out.status.success(), "{}", common::stderr(&out));
        common::stdout(&out)
    };
    let doc: Value = serde_json::from_str(&map("['fpid' => 'DeviceId']")).expect("a document");
    assert_eq!(doc["identityMap"]["DeviceId"][0]["primary"], true);
    assert!(doc["identityMap"].get("FPID").is_none());
    let refused = map("['device' => 'DeviceId']");
    assert!(refused.starts_with('!') && refused.contains("identity_namespaces.device") && refused.contains("fpid"), "{refused}");
}

#[test]
fn storefront_page_and_product_views() {
    let cases = mapped_cases();
    let view = &cases["pageView"].1;
    assert_eq!(
        view["web"],
        serde_json::json!({"webPageDetails": {"siteSection": "Category", "name": "Jackets - Tops - Men",
            "URL": "https://shop.example/men/tops/jackets.html?color=red", "pageViews": {"value": 1}},
            "webReferrer": {"URL": "https://www.google.com/"}})
    );
    assert!(view["environment"]["browserDetails"]["userAgent"].as_str().unwrap().starts_with("Mozilla/5.0"));
    assert_eq!(view["commerce"]["commerceScope"]["storeViewCode"], "default");
    assert!(cases["pageView_minimal"].1.get("commerce").is_none(), "no store, no scope");
    let product = &cases["productPageView"].1;
    assert_eq!(product["commerce"]["productViews"]["value"], 1);
    assert_eq!(product["web"]["webPageDetails"]["URL"], "https://shop.example/beaumont-summit-kit.html");
    assert!(product["web"]["webPageDetails"].get("pageViews").is_none(), "a page view's fields only on pageView");
    let line = &product["productListItems"][0];
    assert_eq!(line["SKU"], "MJ01");
    assert_eq!(line["priceTotal"], 42.5, "the special price");
    assert_eq!(line["discountAmount"], 12.5, "regular minus special");
    assert_eq!(line["currencyCode"], "USD");
}

#[test]
fn storefront_cart_events() {
    let cases = mapped_cases();
    let add = &cases["addToCart"].1;
    assert_eq!(add["commerce"]["productListAdds"]["value"], 1);
    assert_eq!(add["commerce"]["cart"]["cartID"], "1207");
    let lines = add["productListItems"].as_array().unwrap();
    assert_eq!(lines[0]["selectedOptions"], serde_json::json!([{"attribute": "Size", "value": "XS"}, {"attribute": "Color", "value": "Red"}]));
    assert_eq!(lines[0]["discountAmount"], 5.0);
    assert_eq!(lines[1]["quantity"], 3);
    assert_eq!(lines[1]["priceTotal"], 102.99, "price × qty, to the cent");
    assert_eq!(cases["openCart"].1["commerce"]["productListOpens"]["value"], 1);
    assert!(cases["openCart"].1["commerce"].get("order").is_none());
    let removed = &cases["removeFromCart"].1;
    assert_eq!(removed["commerce"]["productListRemovals"]["value"], 1);
    assert_eq!(removed["productListItems"][0]["quantity"], 1, "the decrease");
    let view = &cases["shoppingCartView"].1;
    assert_eq!(view["commerce"]["productListViews"]["value"], 1);
    assert_eq!(view["commerce"]["order"]["discountAmount"], 5.0, "the cart's discount, as the collector sends it");
    assert_eq!(view["commerce"]["order"].as_object().unwrap().len(), 1, "a cart has no order number");
    assert_eq!(view["productListItems"].as_array().unwrap().len(), 2);
    assert!(cases["shoppingCartView_empty"].1.get("productListItems").is_none());
    assert_eq!(cases["initiateCheckout"].1["commerce"]["checkouts"]["value"], 1);
}

#[test]
fn storefront_place_order() {
    let cases = mapped_cases();
    let doc = &cases["placeOrder"].1;
    assert_eq!(doc["commerce"]["purchases"]["value"], 1);
    let order = &doc["commerce"]["order"];
    assert_eq!(order["purchaseID"], "000000310");
    assert_eq!(order["orderType"], "checkout");
    assert_eq!(order["priceTotal"], 190.0);
    assert_eq!(order["taxAmount"], 11.0);
    assert_eq!(order["discountAmount"], 5.0);
    assert_eq!(order["payments"][0]["transactionID"], "000000310", "the order number, as the collector sends it");
    assert_eq!(order["payments"][0]["paymentAmount"], 190.0);
    assert_eq!(doc["commerce"]["promotionID"], "SUMMER5");
    assert_eq!(doc["commerce"]["shipping"]["shippingMethod"], "Flat Rate - Fixed");
    assert_eq!(doc["commerce"]["shipping"]["shippingAmount"], 5.0);
    assert_eq!(doc["commerce"]["shipping"].as_object().unwrap().len(), 2, "the collector's two shipping fields");
    assert_eq!(doc["personalEmail"]["address"], "Jane.Doe@Example.com");
    let skus: Vec<&str> = doc["productListItems"].as_array().unwrap().iter().map(|i| i["SKU"].as_str().unwrap()).collect();
    assert_eq!(skus, ["MJ01-XS-Red", "24-WG080", "24-MB01"], "the orderPlaced lines");
    assert_ne!(doc["_id"], cases["orderPlaced"].1["_id"], "a different event from the back-office orderPlaced");
}

#[test]
fn storefront_account_and_search_events() {
    let cases = mapped_cases();
    let sign_in = &cases["signIn"].1;
    assert_eq!(sign_in["userAccount"], serde_json::json!({"login": 1}));
    assert_eq!(sign_in["person"]["accountID"], "42");
    assert_eq!(sign_in["personalEmail"]["address"], "Jane.Doe@Example.com");
    assert_eq!(sign_in["identityMap"]["Email"][0]["id"], "jane.doe@example.com");
    assert_eq!(cases["signOut"].1["userAccount"], serde_json::json!({"logout": 1}));
    assert_eq!(cases["createAccount"].1["userAccount"], serde_json::json!({"createProfile": 1}));
    assert_eq!(cases["editAccount"].1["userAccount"], serde_json::json!({"updateProfile": 1}));
    let request = &cases["searchRequestSent"].1;
    assert_eq!(request["searchRequest"], serde_json::json!({"id": "c5a4e2b1-0d3e-4f6a-9b8c-7d6e5f4a3b2c", "value": 1}));
    assert_eq!(
        request["siteSearch"],
        serde_json::json!({
            "filter": [{"attribute": "color", "value": ["Black", "Blue"], "isRange": false},
                       {"attribute": "price", "value": ["20", "50"], "isRange": true}],
            "sort": [{"attribute": "price", "order": "ASC"}, {"attribute": "relevance", "order": "DESC"}],
            "query": "yoga pants"})
    );
    let response = &cases["searchResponseReceived"].1;
    assert_eq!(response["searchResponse"]["value"], 1);
    assert_eq!(response["siteSearch"], serde_json::json!({"suggestions": ["yoga pants women", "yoga mat"], "numberOfResults": 27}));
    assert_eq!(response["productListItems"][1], serde_json::json!({"SKU": "WP02", "name": "Ida Workout Parachute Pant"}));
}

#[test]
fn order_placed_carries_the_catalog_fields() {
    let cases = mapped_cases();
    let doc = &cases["orderPlaced"].1;
    assert_eq!(doc["eventType"], "commerce.backofficeOrderPlaced");
    assert_eq!(doc["timestamp"], "2024-05-01T10:15:29Z");
    let order = &doc["commerce"]["order"];
    assert_eq!(order["purchaseID"], "000000310");
    assert_eq!(order["priceTotal"], 190.0);
    assert_eq!(order["currencyCode"], "USD");
    assert_eq!(order["taxAmount"], 11.0);
    assert_eq!(order["discountAmount"], 5.0, "Magento stores discounts negative; XDM wants the amount");
    assert_eq!(order["createdDate"], "2024-05-01T10:15:29Z");
    assert_eq!(order["payments"][0]["paymentType"], "check");
    assert_eq!(doc["commerce"]["shipping"]["shippingMethod"], "Flat Rate - Fixed");
    assert_eq!(doc["commerce"]["billing"]["address"]["street2"], "Apt 2");
    assert_eq!(doc["commerce"]["commerceScope"]["storeViewCode"], "default");
    assert_eq!(doc["personalEmail"]["address"], "Jane.Doe@Example.com");
    assert_eq!(doc["identityMap"]["Email"][0]["id"], "jane.doe@example.com");
    assert_eq!(doc["identityMap"]["CustomerId"][0]["id"], "42");
    assert!(doc["identityMap"].get("ECID").is_none());
}

#[test]
fn configurable_and_bundle_products_appear_once() {
    let cases = mapped_cases();
    let items = cases["orderPlaced"].1["productListItems"].as_array().unwrap().clone();
    let skus: Vec<&str> = items.iter().map(|i| i["SKU"].as_str().unwrap()).collect();
    assert_eq!(skus, ["MJ01-XS-Red", "24-WG080", "24-MB01"], "children are not lines of their own");
    assert_eq!(items[0]["name"], "Beaumont Summit Kit");
    assert_eq!(
        items[0]["selectedOptions"],
        serde_json::json!([{"attribute": "Size", "value": "XS"}, {"attribute": "Color", "value": "Red"}])
    );
    assert_eq!(items[0]["productCategories"][1]["categoryID"], "15");
    assert_eq!(items[1]["selectedOptions"][1]["value"], "2 x Sprite Foam Yoga Brick");
    let total: f64 = items.iter().map(|i| i["priceTotal"].as_f64().unwrap()).sum();
    assert_eq!(total, 50.0 + 61.0 + 68.0, "bundle children are not counted on top of the bundle");
    assert_eq!(items[2]["quantity"], 2, "quantity is an integer");
    let invoiced = cases["orderInvoiced"].1["productListItems"].as_array().unwrap().len();
    assert_eq!(invoiced, 3, "invoice items of children are folded into their parents too");
}

#[test]
fn guest_multicurrency_unicode_and_large_orders() {
    let cases = mapped_cases();
    let guest = &cases["orderPlaced_guest"].1;
    assert!(guest["identityMap"].get("CustomerId").is_none(), "a guest has no customer id");
    assert_eq!(guest["identityMap"]["Email"][0]["id"], "guest.buyer@example.org");
    assert_eq!(guest["personalEmail"]["address"], "guest.buyer@example.org");

    let eur = &cases["orderPlaced_multicurrency"].1;
    assert_eq!(eur["commerce"]["order"]["currencyCode"], "EUR", "amounts are in the order currency");
    assert_eq!(eur["commerce"]["order"]["priceTotal"], 175.2);
    assert_eq!(eur["commerce"]["shipping"]["currencyCode"], "EUR");
    assert!(eur["productListItems"].as_array().unwrap().iter().all(|i| i["currencyCode"] == "EUR"));

    let uni = &cases["orderPlaced_unicode"].1;
    assert_eq!(uni["productListItems"][0]["name"], "T-shirt « été » 日本 🎉");
    assert_eq!(uni["productListItems"][0]["SKU"], "TEE-日本");
    assert_eq!(uni["commerce"]["billing"]["address"]["street1"], "Straße der Pariser Kommune 12");
    assert_eq!(uni["identityMap"]["Email"][0]["id"], "zoë.łukasz@example.com");

    let big = &cases["orderPlaced_200_items"].1;
    assert_eq!(big["productListItems"].as_array().unwrap().len(), 200);
    assert_eq!(big["productListItems"][199]["SKU"], "SKU-200");

    let ecid = &cases["orderPlaced_ecid"].1;
    assert_eq!(ecid["identityMap"]["ECID"][0]["id"], "45137748716279318331290536441616744545");
    assert_eq!(ecid["identityMap"]["ECID"][0]["primary"], false);
}

#[test]
fn shipments_refunds_and_returns() {
    let cases = mapped_cases();
    let ship = &cases["orderItemsShipped_partial"].1;
    assert_eq!(ship["productListItems"].as_array().unwrap().len(), 1, "only what this shipment holds");
    assert_eq!(ship["productListItems"][0]["quantity"], 1);
    assert_eq!(ship["commerce"]["shipping"]["shipDate"], "2024-05-02T09:30:00Z");
    assert_eq!(ship["commerce"]["shipping"]["trackingURL"], "https://www.ups.com/track?tracknum=1Z999AA10123456784");
    assert!(ship["commerce"]["shipping"].get("trackingNumber").is_none(), "an alphanumeric number is not an XDM number");
    let numeric = &cases["orderItemsShipped_numeric_tracking"].1;
    assert_eq!(numeric["commerce"]["shipping"]["trackingNumber"], 940011189922385u64);
    // Without a tenant id, text tracking numbers have nowhere to go: the field is left out, the
    // event is not (it used to be refused); a track added later makes a new event.
    let added = &cases["orderItemsShipped_track_added"].1;
    assert_eq!(added["eventType"], "commerce.backofficeOrderItemsShipped");
    assert_eq!(added["commerce"]["shipping"]["trackingURL"], "https://www.ups.com/track?tracknum=1Z999AA10123456784");
    assert!(added["commerce"]["shipping"].as_object().unwrap().keys().all(|k| !k.starts_with('_')));
    assert_ne!(added["_id"], ship["_id"], "a shipment re-sent with a new track is a new event");
    let custom = &cases["orderPlaced_custom_without_tenant"].1;
    assert!(custom["commerce"]["order"].as_object().unwrap().keys().all(|k| !k.starts_with('_')));

    let memo = &cases["orderLineItemRefunded_partial"].1;
    assert_eq!(memo["eventType"], "commerce.backofficeCreditMemoIssued");
    let refund = &memo["commerce"]["order"]["refunds"][0];
    assert_eq!(refund["refundAmount"], 36.0);
    assert_eq!(refund["refundPaymentType"], "credit_card");
    assert_eq!(refund["transactionID"], "000000091");
    assert_eq!(memo["productListItems"].as_array().unwrap().len(), 1);
    assert_eq!(memo["productListItems"][0]["refundAmount"], 34.0);

    let done = &cases["orderItemReturnCompleted"].1;
    assert_eq!(done["commerce"]["order"]["returns"]["returnID"], "RMA000008");
    assert_eq!(done["productListItems"][0]["returnItem"]["returnQuantityReceived"], 1);
    let started = &cases["orderItemsReturnInitiated"].1;
    assert_eq!(started["timestamp"], "2024-05-10T08:00:00Z");
    assert!(started["productListItems"][0]["returnItem"].get("returnQuantityReceived").is_none());

    let cancelled = &cases["orderCancelled"].1;
    assert_eq!(cancelled["commerce"]["order"]["cancelDate"], "2024-05-01T12:00:00Z");
}

#[test]
fn accounts_and_profiles() {
    let cases = mapped_cases();
    let updated = &cases["accountUpdated"].1;
    assert_eq!(updated["eventType"], "userAccount.backofficeUpdateProfile");
    assert_eq!(updated["person"]["name"]["lastName"], "Doe-Smith");
    let profile = &cases["profileRecord"].1;
    assert!(profile.get("eventType").is_none() && profile.get("timestamp").is_none(), "a record, not an event");
    assert_eq!(profile["person"]["birthDate"], "1985-07-14");
    assert_eq!(profile["person"]["gender"], "female");
    assert_eq!(profile["billingAddress"]["city"], "Austin");
    assert_eq!(profile["shippingAddress"]["city"], "Dallas");
    assert_eq!(profile["shippingAddressPhone"]["number"], "+1 214 555 0199");
    assert_eq!(profile["userAccount"]["status"], "active");
    assert_eq!(cases["profileDeleted"].1["userAccount"]["status"], "disabled");
    // AEP's timestamp-ordered merge orders records by the time Magento changed the customer; a
    // deletion is stamped with the time it is mapped, after every update.
    assert_eq!(profile["extSourceSystemAudit"]["lastUpdatedDate"], "2024-05-01T08:00:00.000Z");
    let millis = &cases["profileRecord_commit_time"].1["extSourceSystemAudit"]["lastUpdatedDate"];
    assert_eq!(millis, "2024-05-01T08:00:00.250Z", "the module's commit time keeps its milliseconds");
    assert_eq!(profile["extSourceSystemAudit"]["createdDate"], profile["userAccount"]["startDate"]);
    assert_eq!(profile["consents"]["marketing"]["email"]["val"], "y", "the newsletter subscription");
    assert!(cases["profileDeleted"].1.get("consents").is_none());
    let deleted_at = cases["profileDeleted"].1["extSourceSystemAudit"]["lastUpdatedDate"].as_str().unwrap().to_string();
    assert!(deleted_at > profile_updated_at(&cases), "{deleted_at} orders after the last update");
    let same_second = &cases["profileDeleted_same_second"].1["extSourceSystemAudit"]["lastUpdatedDate"];
    assert_eq!(same_second, "2099-12-31T23:59:59.001Z", "strictly after an update of the same second");
}

fn profile_updated_at(cases: &BTreeMap<String, (String, Value)>) -> String {
    cases["accountUpdated"].1["timestamp"].as_str().unwrap().to_string()
}

#[test]
fn ids_are_deterministic_and_distinct_per_business_event() {
    let first = mapped_cases();
    let second = mapped_cases();
    let mut seen = BTreeMap::new();
    for (name, (_, doc)) in &first {
        let id = doc["_id"].as_str().unwrap();
        assert_eq!(id, second[name].1["_id"].as_str().unwrap(), "{name}: same input, same _id");
        seen.entry(id.to_string()).or_insert_with(Vec::new).push(name.clone());
    }
    assert_eq!(
        first["historicalOrder"].1["_id"], first["orderPlaced"].1["_id"],
        "a historical replay of a live order is recognisable as the same event"
    );
    let shared: Vec<_> = seen.values().filter(|names| names.len() > 1).collect();
    // Cases built from the same order with changes that do not touch its identity share an id;
    // a customer is deleted once, whatever its last update.
    for names in &shared {
        assert!(
            names.iter().all(|n| n.starts_with("orderPlaced") || n == "historicalOrder")
                || names.iter().all(|n| n.starts_with("profileDeleted")),
            "unexpected shared _id: {names:?}"
        );
    }
}

#[test]
fn bad_input_raises_invalid_event_exception_naming_event_and_field() {
    let expected: &[(&str, &str)] = &[
        ("unknown_event", "orderShipped: event: unknown event; expected one of orderPlaced"),
        ("missing_increment_id", "orderPlaced: order.increment_id: is required"),
        ("missing_created_at", "orderPlaced: order.created_at: is required"),
        ("missing_currency", "orderPlaced: order.order_currency_code: is required"),
        ("grand_total_not_a_number", "orderPlaced: order.grand_total: \"abc\" is not a number"),
        ("grand_total_exponent", "orderPlaced: order.grand_total: \"1e400\" is not a number"),
        ("grand_total_nan", "orderPlaced: order.grand_total: NaN is not a number"),
        ("bad_date", "orderPlaced: order.created_at: \"2024-13-45 99:00:00\" is not a date"),
        ("lowercase_bogus_currency", "orderPlaced: order.order_currency_code: \"usdd\" is not an ISO 4217 currency code"),
        ("unknown_currency", "orderPlaced: order.order_currency_code: \"XYZ\" is not an ISO 4217 currency code"),
        ("items_is_a_string", "orderPlaced: order.items: expected a list, got \"MJ01\""),
        ("item_without_sku", "orderPlaced: order.items.0.sku: is required"),
        ("item_qty_negative", "orderPlaced: order.items.0.qty_ordered: -2 is negative"),
        ("too_many_items", "orderPlaced: order.items: has 2001 entries, more than the 2000 allowed"),
        ("huge_string", "orderPlaced: order.shipping_description: is 20000 bytes long"),
        ("invalid_email", "orderPlaced: order.customer_email: \"not an email\" is not an e-mail address"),
        ("missing_email", "orderPlaced: order.customer_email: is required"),
        ("order_not_an_array", "orderPlaced: order: expected an array of fields, got \"x\""),
        ("object_in_payload", "orderPlaced: order.grand_total: an object is not a number"),
        ("invalid_utf8", "orderPlaced: order.increment_id: expected a string, got a string that is not valid UTF-8"),
        ("bad_country", "orderPlaced: order.billing_address.country_id: \"USA\" is not an ISO 3166 two-letter country code"),
        ("invoice_missing", "orderInvoiced: invoice: is required"),
        ("customer_missing_id", "accountCreated: customer.id: is required"),
        ("bad_gender", "profileRecord: customer.gender: \"7\" is not a Magento gender"),
        ("bad_dob", "profileRecord: customer.dob: \"yesterday\" is not a date"),
        ("deep_nesting", "orderPlaced: order.custom_attributes.x: an array nested deeper than 16 levels"),
        ("every_problem_at_once", "orderPlaced: order.customer_email: is required"),
        ("problems_are_bounded", "orderPlaced: order.items.0.sku: is required; order.items.1.sku: is required"),
        ("self_containing_top_level", "orderPlaced: order: is required"),
        ("self_containing_top_level_emit", "orderPlaced: order: is required"),
        ("self_containing_payload", "orderPlaced: order.custom_attributes.loop: an array nested deeper than 16 levels"),
        ("self_containing_payload_emit", "orderPlaced: order.custom_attributes.loop: an array nested deeper than 16 levels"),
        ("storefront_missing_fpid", "pageView: shopper.fpid: is required"),
        ("storefront_fpid_not_v4", "pageView: shopper.fpid: \"0f8fad5b-d9cb-169f-a165-70867728950e\" is not a UUID v4"),
        ("storefront_missing_shopper", "signOut: shopper: is required"),
        ("storefront_missing_cart_id", "addToCart: cart.id: is required"),
        ("storefront_missing_cart_items", "addToCart: cart.items: is required"),
        ("storefront_qty_not_a_number", "addToCart: cart.items.0.qty: \"two\" is not a number"),
        ("storefront_bad_occurred_at", "pageView: occurred_at: \"2024-05-01 10:15:29\" is not a time in Unix epoch milliseconds"),
        ("storefront_missing_occurred_at", "pageView: occurred_at: is required"),
        ("storefront_missing_event_id", "pageView: event_id: is required"),
        ("storefront_product_without_sku", "productPageView: product.sku: is required"),
        ("storefront_customer_without_id", "signIn: customer.id: is required"),
        ("storefront_bad_sort_order", "searchRequestSent: search.sort.0.order: \"up\" is not a sort order"),
        ("storefront_every_problem_at_once", "addToCart: event_id: is required"),
    ];
    let results = run_php_json("bad_inputs.php");
    assert_eq!(results.len(), expected.len());
    for (case, message) in expected {
        let r = &results[*case];
        assert_eq!(r["class"], "XdmRelay\\InvalidEventException", "{case}: {r}");
        assert_eq!(r["invalid_argument"], true, "{case}: extends InvalidArgumentException");
        let got = r["message"].as_str().unwrap();
        assert!(got.starts_with(message), "{case}: got {got:?}, expected it to start with {message:?}");
        let problems = r["problems"].as_array().unwrap();
        assert!(!problems.is_empty(), "{case}: getProblems() lists the problems");
        assert_eq!(r["event"], message.split(':').next().unwrap(), "{case}: getEvent()");
        for p in problems {
            let listed = format!("{}: {}", p["path"].as_str().unwrap(), p["problem"].as_str().unwrap());
            assert!(got.contains(&listed), "{case}: the message names {listed}");
        }
    }
    // One pass finds every bad field, in the order the mapping reads them, each named once.
    let all = &results["every_problem_at_once"];
    let paths: Vec<&str> = all["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["order.customer_email", "order.grand_total", "order.items.0.sku", "order.items.0.qty_ordered", "order.items.1.categories.0"]);
    let all = &results["storefront_every_problem_at_once"];
    let paths: Vec<&str> = all["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        ["event_id", "occurred_at", "shopper.fpid", "shopper.email", "cart.id", "cart.currency_code", "cart.items.0.sku", "cart.items.0.qty", "cart.items.0.price"]
    );
    let bounded = &results["problems_are_bounded"];
    assert_eq!(bounded["problems"].as_array().unwrap().len(), 20);
    assert_eq!(bounded["more"], 10);
    assert!(bounded["message"].as_str().unwrap().ends_with("; and 10 more"));
}
