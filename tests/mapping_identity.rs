//! The mapper's output, byte for byte, against what it produced before its rewrite for speed
//! (issue 12): every case of the mapping fixtures plus edge cases (escapes, nested custom
//! attributes, odd numbers), with and without a tenant, through PHP (`xdm_relay_map`, which
//! reads the PHP array in place) and through the pure core (plain test data, a fixed clock).
//! The reference files are regenerated only on purpose: `UPDATE_REFERENCE=1`.

mod common;

use std::path::PathBuf;

use xdm_relay::mapping::{map_event, MapContext, MapSettings, Value};

fn fixtures() -> PathBuf {
    common::repo_root().join("tests/fixtures/mapping")
}

fn run_reference(mode: &str) -> String {
    run_reference_set(mode, "backoffice")
}

fn run_reference_set(mode: &str, set: &str) -> String {
    let out = common::php_file(&fixtures().join("reference.php"), &[mode, set], &[]);
    assert!(out.status.success(), "reference.php {mode}: {}", common::stderr(&out));
    common::stdout(&out)
}

/// Compares line by line: a document must be identical; an error must still start with the
/// message it had (later problems of the same payload may follow it now).
fn compare(name: &str, actual: &str) {
    let file = fixtures().join(name);
    if std::env::var_os("UPDATE_REFERENCE").is_some() {
        std::fs::write(&file, actual).expect("write reference");
    }
    let expected = std::fs::read_to_string(&file).expect("reference file");
    let expected: Vec<&str> = expected.lines().collect();
    let actual: Vec<&str> = actual.lines().collect();
    assert_eq!(expected.len(), actual.len(), "{name}: number of cases");
    for (want, got) in expected.iter().zip(&actual) {
        let (case, want_doc) = want.split_once('\t').expect("name<TAB>output");
        let got_doc = got.strip_prefix(case).and_then(|g| g.strip_prefix('\t')).unwrap_or_else(|| panic!("{name}: expected case {case}, got {got:.80}"));
        match want_doc.strip_prefix('!') {
            Some(message) => assert!(got_doc.strip_prefix('!').is_some_and(|g| g.starts_with(message)), "{name} {case}: error changed:\n  was {want_doc}\n  now {got_doc}"),
            None => assert_eq!(want_doc, got_doc, "{name} {case}: bytes changed"),
        }
    }
}

#[test]
fn xdm_relay_map_output_is_unchanged() {
    compare("reference_plain.txt", &run_reference("plain"));
    compare("reference_tenant.txt", &run_reference("tenant"));
}

#[test]
fn storefront_output_is_unchanged() {
    compare("reference_storefront_plain.txt", &run_reference_set("plain", "storefront"));
    compare("reference_storefront_tenant.txt", &run_reference_set("tenant", "storefront"));
    core_compare(&run_reference_set("payloads", "storefront"), "reference_storefront_core_plain.txt", "reference_storefront_core_tenant.txt");
}


#[test]
fn core_output_is_unchanged() {
    core_compare(&run_reference("payloads"), "reference_core_plain.txt", "reference_core_tenant.txt");
}

fn core_compare(payloads: &str, plain_file: &str, tenant_file: &str) {
    let cases: Vec<(String, String, serde_json::Value)> = serde_json::from_str(payloads).expect("payloads as JSON");
    let now = chrono::DateTime::parse_from_rfc3339("2024-06-01T12:00:00Z").unwrap().with_timezone(&chrono::Utc);
    let tenant = MapSettings {
        environment_id: Some("env-1".to_string()),
        tenant_id: Some("acme".to_string()),
        ..MapSettings::default()
    };
    for (file, settings) in [(plain_file, MapSettings::default()), (tenant_file, tenant)] {
        let ctx = MapContext { settings: &settings, now };
        let mut out = String::new();
        for (name, event, payload) in &cases {
            let line = match map_event(event, &Value::from(payload), &ctx) {
                Ok(mapped) => mapped.json,
                Err(e) => format!("!{e}"),
            };
            out.push_str(&format!("{name}\t{line}\n"));
        }
        compare(file, &out);
    }
}
