//! The Rust-internal hot path of `xdm_relay_emit`: mapping an order payload to XDM JSON.
//! `make bench` runs it; figures are per call, for orders of 1, 10 and 50 items.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use xdm_relay::mapping::{map_event, MapContext, MapSettings, Value};

fn s(v: &str) -> Value {
    Value::Str(v.to_string())
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn item(i: usize) -> Value {
    map(vec![
        ("item_id", Value::Int(i as i64)),
        ("product_type", s("simple")),
        ("sku", Value::Str(format!("SKU-{i:04}"))),
        ("name", Value::Str(format!("Product number {i}"))),
        ("qty_ordered", s("1.0000")),
        ("price", s("19.9900")),
        ("row_total", s("19.9900")),
        ("discount_amount", s("0.0000")),
        ("categories", Value::List(vec![map(vec![("id", s("12")), ("name", s("Gear")), ("path", s("Default Category/Gear"))])])),
        ("image_url", Value::Str(format!("https://shop.example/media/catalog/product/sku-{i}.jpg"))),
    ])
}

fn address() -> Value {
    map(vec![
        ("firstname", s("Jane")),
        ("lastname", s("Doe")),
        ("street", s("1 Main St\nApt 2")),
        ("city", s("Austin")),
        ("region", s("Texas")),
        ("postcode", s("78701")),
        ("country_id", s("US")),
    ])
}

pub fn order_payload(items: usize) -> Value {
    map(vec![
        (
            "order",
            map(vec![
                ("entity_id", s("310")),
                ("increment_id", s("000000310")),
                ("created_at", s("2024-05-01 10:15:29")),
                ("updated_at", s("2024-05-01 10:15:31")),
                ("customer_id", s("42")),
                ("customer_email", s("jane@example.com")),
                ("order_currency_code", s("USD")),
                ("grand_total", s("199.9000")),
                ("tax_amount", s("11.0000")),
                ("discount_amount", s("-5.0000")),
                ("shipping_amount", s("5.0000")),
                ("shipping_description", s("Flat Rate - Fixed")),
                ("items", Value::List((1..=items).map(item).collect())),
                ("billing_address", address()),
                ("shipping_address", address()),
                ("payment", map(vec![("method", s("checkmo")), ("amount_ordered", s("199.9"))])),
            ]),
        ),
        ("store", map(vec![("website_code", s("base")), ("store_code", s("main")), ("store_view_code", s("default"))])),
    ])
}

fn mapping(c: &mut Criterion) {
    let settings = MapSettings::default();
    let mut group = c.benchmark_group("map orderPlaced");
    for items in [1usize, 10, 50] {
        let payload = order_payload(items);
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(BenchmarkId::from_parameter(format!("{items} items")), &payload, |b, payload| {
            b.iter(|| {
                let ctx = MapContext { settings: &settings, now: chrono::Utc::now() };
                map_event("orderPlaced", payload, &ctx).map(|m| m.json.len())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, mapping);
criterion_main!(benches);
