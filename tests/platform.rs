//! `xdm_relay_dataset_schema()` against the emulator's Platform APIs: the schema's custom
//! fields, and every error path as a `PlatformException` whose code is the HTTP status and
//! whose message says what to check.

mod common;

use common::{php, stderr, stdout, Edge};
use serde_json::{json, Value};

fn platform(edge: &Edge, body: Value) {
    ureq::put(&format!("{}/_emulator/platform", edge.url)).send_string(&body.to_string()).expect("set the emulator's platform");
}

fn datasets() -> Value {
    json!({
        "sandboxes": ["prod", "dev"],
        "datasets": [
            {"id": "ds-events", "name": "Commerce events"},
            {"id": "ds-dev", "sandbox": "dev"},
            {"id": "ds-profiles", "class": "profile"},
            {"id": "ds-deleted", "schema": "deleted"},
            {"id": "ds-bare", "schema": "none"}
        ],
        "tenantFields": {"order": ["gift_message", "Channel"], "item": ["engraving"]}
    })
}

/// Runs the call in a fresh PHP process; the answer or the exception, as JSON.
fn ask(settings: Value, destination: Value) -> Value {
    let code = format!(
        r#"try {{ xdm_relay_configure(json_decode('{settings}', true));
            echo json_encode(['ok' => xdm_relay_dataset_schema(json_decode('{destination}', true))]); }}
        catch (\Throwable $e) {{ echo json_encode(['class' => get_class($e), 'code' => $e->getCode(), 'message' => $e->getMessage()]); }}"#
    );
    let out = php(&code, &[("xdm_relay.spool_dir", common::temp_dir("platform-spool").to_str().unwrap())]);
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {} {}", stdout(&out), stderr(&out)))
}

fn settings(edge: &Edge) -> Value {
    json!({
        "edge_url": edge.url, "platform_url": edge.url, "org_id": "0123456789ABCDEF01234567@AdobeOrg",
        "auth": {"type": "oauth", "client_id": "client-1", "client_secret": "s3cret-value", "ims_url": format!("{}/ims/token/v3", edge.url)}
    })
}

fn error(answer: &Value) -> (i64, String) {
    assert_eq!(answer["class"], "XdmRelay\\PlatformException", "{answer}");
    (answer["code"].as_i64().unwrap(), answer["message"].as_str().unwrap().to_string())
}

#[test]
fn the_schema_s_tenant_fields_where_custom_attributes_go() {
    let edge = Edge::start(&[]);
    platform(&edge, datasets());
    let got = ask(settings(&edge), json!({"datastream_id": "ds", "dataset_id": "ds-events"}));
    let ok = &got["ok"];
    assert_eq!(ok["dataset_id"], "ds-events", "{got}");
    assert_eq!(ok["dataset_name"], "Commerce events");
    assert_eq!(ok["sandbox"], "prod");
    assert_eq!(ok["tenant_id"], "xdmrelayemu");
    assert_eq!(ok["schema_id"], "https://ns.adobe.com/xdmrelayemu/schemas/ds-events");
    assert_eq!(ok["order_fields"], json!(["Channel", "gift_message"]));
    assert_eq!(ok["item_fields"], json!(["engraving"]));
    // a changed tenant field group is read on the next call
    platform(&edge, json!({"tenantFields": {"order": ["channel"], "item": []}}));
    let again = ask(settings(&edge), json!({"datastream_id": "ds", "dataset_id": "ds-events"}));
    assert_eq!(again["ok"]["order_fields"], json!(["channel"]), "{again}");
    assert_eq!(again["ok"]["item_fields"], json!([]));
    // a profile schema has no commerce objects: null, not an empty list
    let profile = ask(settings(&edge), json!({"datastream_id": "ds", "dataset_id": "ds-profiles"}));
    assert_eq!(profile["ok"]["order_fields"], Value::Null, "{profile}");
    // the dataset of another sandbox, asked for in its own sandbox
    let dev = ask(settings(&edge), json!({"datastream_id": "ds", "dataset_id": "ds-dev", "sandbox": "dev"}));
    assert_eq!(dev["ok"]["sandbox"], "dev", "{dev}");
}

#[test]
fn ims_refusing_the_credentials_is_a_401_naming_the_client_settings() {
    let dir = common::temp_dir("platform-config");
    let config = dir.join("edge.json");
    std::fs::write(&config, json!({"clients": [{"clientId": "client-1", "clientSecret": "right-secret"}]}).to_string()).unwrap();
    let edge = Edge::start(&["--config", config.to_str().unwrap()]);
    platform(&edge, datasets());
    let (code, message) = error(&ask(settings(&edge), json!({"datastream_id": "ds", "dataset_id": "ds-events"})));
    assert_eq!(code, 401);
    assert!(message.contains("IMS refused") && message.contains("client ID and client secret"), "{message}");
    assert!(!message.contains("s3cret-value"), "{message}");
}

#[test]
fn a_token_the_platform_does_not_know_is_a_401() {
    // IMS of another emulator: a well-formed token this one never issued
    let ims = Edge::start(&[]);
    let edge = Edge::start(&[]);
    platform(&edge, datasets());
    let mut s = settings(&edge);
    s["auth"]["ims_url"] = json!(format!("{}/ims/token/v3", ims.url));
    let (code, message) = error(&ask(s, json!({"datastream_id": "ds", "dataset_id": "ds-events"})));
    assert_eq!(code, 401);
    assert!(message.contains("refused the access token") && message.contains("401013"), "{message}");
}

#[test]
fn another_organization_or_an_unknown_sandbox_is_a_403_naming_what_to_check() {
    let edge = Edge::start(&[]);
    let mut d = datasets();
    d["orgId"] = json!("FFFFFFFFFFFFFFFFFFFFFFFF@AdobeOrg");
    platform(&edge, d);
    let (code, message) = error(&ask(settings(&edge), json!({"datastream_id": "ds", "dataset_id": "ds-events"})));
    assert_eq!(code, 403);
    assert!(message.contains("403025") && message.contains("Organization ID"), "{message}");
    platform(&edge, json!({"orgId": null}));
    let (code, message) = error(&ask(settings(&edge), json!({"datastream_id": "ds", "dataset_id": "ds-events", "sandbox": "nosuch"})));
    assert_eq!(code, 403);
    assert!(message.contains("sandbox \"nosuch\"") && message.contains("View Datasets"), "{message}");
}

#[test]
fn an_unknown_dataset_or_one_of_another_sandbox_is_a_404_naming_dataset_and_sandbox() {
    let edge = Edge::start(&[]);
    platform(&edge, datasets());
    let (code, message) = error(&ask(settings(&edge), json!({"datastream_id": "ds", "dataset_id": "ds-unknown"})));
    assert_eq!(code, 404);
    assert!(message.contains("dataset ds-unknown was not found in sandbox \"prod\""), "{message}");
    // sandbox mismatch: the dataset lives in dev, the destination names none (prod)
    let (code, message) = error(&ask(settings(&edge), json!({"datastream_id": "ds", "dataset_id": "ds-dev"})));
    assert_eq!(code, 404);
    assert!(message.contains("ds-dev") && message.contains("the sandbox is the one the dataset was created in"), "{message}");
}

#[test]
fn a_deleted_schema_or_a_dataset_without_one_is_explained() {
    let edge = Edge::start(&[]);
    platform(&edge, datasets());
    let (code, message) = error(&ask(settings(&edge), json!({"datastream_id": "ds", "dataset_id": "ds-deleted"})));
    assert_eq!(code, 404);
    assert!(message.contains("schema https://ns.adobe.com/xdmrelayemu/schemas/ds-deleted was not found"), "{message}");
    let (_, message) = error(&ask(settings(&edge), json!({"datastream_id": "ds", "dataset_id": "ds-bare"})));
    assert!(message.contains("has no schema"), "{message}");
}

#[test]
fn missing_settings_or_no_answer_are_errors_without_a_status() {
    let edge = Edge::start(&[]);
    platform(&edge, datasets());
    let mut no_auth = settings(&edge);
    no_auth["auth"] = Value::Null;
    let (code, message) = error(&ask(no_auth, json!({"datastream_id": "ds", "dataset_id": "ds-events"})));
    assert_eq!(code, 0);
    assert!(message.contains("OAuth"), "{message}");
    let mut no_org = settings(&edge);
    no_org["org_id"] = Value::Null;
    let (_, message) = error(&ask(no_org, json!({"datastream_id": "ds", "dataset_id": "ds-events"})));
    assert!(message.contains("Organization ID"), "{message}");
    let mut closed = settings(&edge);
    closed["platform_url"] = json!("http://127.0.0.1:9");
    let (code, message) = error(&ask(closed, json!({"datastream_id": "ds", "dataset_id": "ds-events"})));
    assert_eq!(code, 0);
    assert!(message.contains("the Catalog Service did not answer"), "{message}");
    let no_dataset = ask(settings(&edge), json!({"datastream_id": "ds"}));
    assert_eq!(no_dataset["class"], "XdmRelay\\InvalidEventException", "{no_dataset}");
    let bad_url = ask(json!({"platform_url": "http://platform.example.com"}), json!({"datastream_id": "ds", "dataset_id": "x"}));
    assert_eq!(bad_url["class"], "XdmRelay\\ConfigException", "{bad_url}");
}
