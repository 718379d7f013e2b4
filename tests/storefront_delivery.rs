//! The storefront events through the existing spool and sender: every storefront case emitted
//! by a real PHP process arrives at a strict emulator (official XDM schemas, one primary
//! identity) exactly as `xdm_relay_map` maps it.

mod common;

use std::collections::BTreeMap;

use common::Edge;
use serde_json::Value;

#[test]
fn every_storefront_event_arrives_at_a_strict_edge_as_mapped() {
    let edge = Edge::start(&[
        "--strict-xdm",
        "--xdm-schemas",
        common::shared_dir().join("xdm").to_str().unwrap(),
        "--xdm-checker",
        common::repo_root().join("tools/xdm_check.py").to_str().unwrap(),
    ]);
    let spool = common::temp_dir("storefront-spool");
    let script = format!(
        r#"require '{}';
        xdm_relay_configure(['edge_url' => '{}', 'spool_dir' => '{}', 'flush_interval_ms' => 20]);
        $mapped = [];
        foreach (storefront_cases() as $name => [$event, $payload]) {{
            $mapped[$name] = xdm_relay_map($event, $payload);
            xdm_relay_emit($event, $payload, ['datastream_id' => 'ds-web']);
        }}
        echo json_encode(['flushed' => xdm_relay_flush(20.0), 'stats' => xdm_relay_stats(), 'mapped' => $mapped], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);"#,
        common::repo_root().join("tests/fixtures/mapping/payloads.php").display(),
        edge.url,
        spool.display(),
    );
    let out = common::php(&script, &[]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let result: Value = serde_json::from_str(common::stdout(&out).trim()).expect("a JSON result");
    let mapped = result["mapped"].as_object().expect("mapped documents");
    assert_eq!(result["flushed"], true, "{}", result["stats"]);
    assert_eq!(result["stats"]["delivered"], mapped.len(), "every event accepted by the strict edge: {}", result["stats"]);
    assert_eq!(result["stats"]["failed"], 0);
    let arrived: BTreeMap<String, Value> =
        edge.events().into_iter().map(|e| (e["xdm"]["_id"].as_str().unwrap().to_string(), e["xdm"].clone())).collect();
    assert_eq!(arrived.len(), mapped.len(), "one arrival per event, no duplicate _id");
    for (name, json) in mapped {
        // Parsed here, not in PHP: PHP's JSON round trip would turn 50.0 into 50.
        let doc: Value = serde_json::from_str(json.as_str().expect("the mapped JSON")).expect("mapped JSON parses");
        let id = doc["_id"].as_str().unwrap();
        assert_eq!(arrived.get(id), Some(&doc), "{name}: the document that arrived is the mapped one");
    }
}
