//! The Rust-internal hot path of `xdm_relay_emit`: mapping a payload to XDM JSON, per event
//! (orders of 10 items) and for orderPlaced at 1, 10, 50 and 200 items. A counting allocator
//! prints the heap allocations of one mapping beside the timings. `make bench` runs it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use xdm_relay::mapping::{map_event, MapContext, MapSettings, Value};

/// Counts allocations (and reallocations, which copy) so the figure is "calls into malloc".
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call unchanged to the system allocator; only counts them.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through `alloc`/`realloc` above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: `ptr` came from `System`; the caller's contract is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;


/// A Magento order item as `getData()` gives it: every value a string.
fn item(i: usize) -> serde_json::Value {
    serde_json::json!({
        "item_id": i.to_string(), "parent_item_id": null, "product_type": "simple", "sku": format!("SKU-{i:04}"),
        "name": format!("Product number {i}"), "qty_ordered": "1.0000", "qty_shipped": "1.0000", "price": "19.9900",
        "row_total": "19.9900", "discount_amount": "0.0000", "product_options": [],
        "categories": [{"id": "12", "name": "Gear", "path": "Default Category/Gear"}],
        "image_url": format!("https://shop.example/media/catalog/product/sku-{i}.jpg")
    })
}

fn doc_item(i: usize) -> serde_json::Value {
    serde_json::json!({"order_item_id": i.to_string(), "sku": format!("SKU-{i:04}"), "qty": "1.0000", "price": "19.9900",
        "row_total": "19.9900", "discount_amount": "0.0000", "qty_requested": "1.0000", "reason": "Wrong Size", "status": "Pending"})
}

/// One payload that every event can map: the order, its documents and the customer.
pub fn payload(items: usize) -> Value {
    let address = serde_json::json!({"firstname": "Jane", "lastname": "Doe", "street": "1 Main St\nApt 2", "city": "Austin",
        "region": "Texas", "postcode": "78701", "country_id": "US", "telephone": "+1 512 555 0100"});
    let docs: Vec<_> = (1..=items).map(doc_item).collect();
    Value::from(&serde_json::json!({
        "order": {
            "entity_id": "310", "increment_id": "000000310", "created_at": "2024-05-01 10:15:29", "updated_at": "2024-05-01 10:15:31",
            "customer_id": "42", "customer_email": "jane@example.com", "customer_is_guest": "0", "order_currency_code": "USD",
            "base_currency_code": "USD", "grand_total": "199.9000", "tax_amount": "11.0000", "discount_amount": "-5.0000",
            "shipping_amount": "5.0000", "shipping_description": "Flat Rate - Fixed",
            "items": (1..=items).map(item).collect::<Vec<_>>(),
            "billing_address": address, "shipping_address": address,
            "payment": {"method": "checkmo", "amount_ordered": "199.9000", "last_trans_id": null, "po_number": null}
        },
        "store": {"website_code": "base", "store_code": "main", "store_view_code": "default"},
        "invoice": {"entity_id": "55", "created_at": "2024-05-01 11:00:00", "grand_total": "199.9000", "items": docs},
        "shipment": {"entity_id": "77", "created_at": "2024-05-02 09:30:00", "items": docs,
                     "tracks": [{"entity_id": "5", "track_number": "1Z999AA10123456784", "carrier_code": "ups"}]},
        "creditmemo": {"entity_id": "91", "created_at": "2024-05-05 16:00:00", "grand_total": "36.0000", "items": docs},
        "rma": {"entity_id": "8", "increment_id": "RMA000008", "status": "Pending", "date_requested": "2024-05-10 08:00:00", "items": docs},
        "customer": {"id": "42", "email": "Jane.Doe@Example.com", "firstname": "Jane", "lastname": "Doe", "dob": "1985-07-14",
                     "gender": "2", "created_at": "2023-01-02 03:04:05", "updated_at": "2024-05-01 08:00:00", "is_subscribed": true,
                     "addresses": [address]}
    }))
}

const EVENTS: &[&str] = &[
    "orderPlaced", "orderInvoiced", "orderItemsShipped", "orderShipmentCompleted", "orderCancelled",
    "orderLineItemRefunded", "orderItemsReturnInitiated", "orderItemReturnCompleted", "accountCreated",
    "accountUpdated", "accountDeleted", "profileRecord", "profileDeleted", "historicalOrder",
];

fn allocations(event: &str, payload: &Value, settings: &MapSettings) -> u64 {
    let ctx = MapContext { settings, now: chrono::Utc::now() };
    let _ = map_event(event, payload, &ctx);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let mapped = map_event(event, payload, &ctx);
    let after = ALLOCATIONS.load(Ordering::Relaxed);
    drop(mapped);
    after - before
}

fn per_event(c: &mut Criterion) {
    let settings = MapSettings::default();
    let payload = payload(10);
    let mut group = c.benchmark_group("map 10 items");
    for event in EVENTS {
        println!("allocations {event} 10 items: {}", allocations(event, &payload, &settings));
        group.bench_with_input(BenchmarkId::from_parameter(event), event, |b, event| {
            b.iter(|| {
                let ctx = MapContext { settings: &settings, now: chrono::Utc::now() };
                map_event(event, &payload, &ctx).map(|m| m.json.len())
            })
        });
    }
    group.finish();
}

fn order_sizes(c: &mut Criterion) {
    let settings = MapSettings::default();
    let mut group = c.benchmark_group("map orderPlaced");
    for items in [1usize, 10, 50, 200] {
        let payload = payload(items);
        println!("allocations orderPlaced {items} items: {}", allocations("orderPlaced", &payload, &settings));
        group.bench_with_input(BenchmarkId::from_parameter(format!("{items} items")), &payload, |b, payload| {
            b.iter(|| {
                let ctx = MapContext { settings: &settings, now: chrono::Utc::now() };
                map_event("orderPlaced", payload, &ctx).map(|m| m.json.len())
            })
        });
    }
    group.finish();
}

/// A storefront cart change of `items` lines, as the module sends `addToCart`.
fn cart_payload(items: usize) -> Value {
    let lines: Vec<_> = (1..=items)
        .map(|i| serde_json::json!({"sku": format!("SKU-{i:04}"), "name": format!("Product {i}"), "qty": 2, "price": "19.9900",
            "discount_amount": "0.0000", "image_url": format!("https://shop.example/media/catalog/product/{i}.jpg"),
            "options": [{"label": "Size", "value": "M"}]}))
        .collect();
    Value::from(&serde_json::json!({
        "event_id": "4d2f8a10-3c6b-4e1a-8f5d-9a7b6c5d4e01", "occurred_at": 1714558529123i64,
        "shopper": {"fpid": "0f8fad5b-d9cb-469f-a165-70867728950e",
                    "ecid_cookie": "CiY0NzE0NzkwMTUyMzYzMzI4NDAxMjc3NDcwNzA2NTcxMjI3OTI1NVIRCJ_S-uCRMRABGAEqBElSTDHwAZ_S-uCRMQ"},
        "page": {"url": "https://shop.example/p.html", "referrer": "https://shop.example/", "user_agent": "Mozilla/5.0"},
        "store": {"website_code": "base", "store_code": "main", "store_view_code": "default"},
        "cart": {"id": "1207", "currency_code": "USD", "items": lines}
    }))
}

fn storefront(c: &mut Criterion) {
    let settings = MapSettings::default();
    let mut group = c.benchmark_group("map addToCart");
    for items in [1usize, 10] {
        let payload = cart_payload(items);
        let ctx = MapContext { settings: &settings, now: chrono::Utc::now() };
        assert!(map_event("addToCart", &payload, &ctx).is_ok(), "the benchmark maps a valid cart");
        println!("allocations addToCart {items} items: {}", allocations("addToCart", &payload, &settings));
        group.bench_with_input(BenchmarkId::from_parameter(format!("{items} items")), &payload, |b, payload| {
            b.iter(|| {
                let ctx = MapContext { settings: &settings, now: chrono::Utc::now() };
                map_event("addToCart", payload, &ctx).map(|m| m.json.len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, per_event, order_sizes, storefront);
criterion_main!(benches);
