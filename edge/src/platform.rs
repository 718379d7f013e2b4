//! The emulated Platform APIs the admin's data customization report reads: Catalog Service
//! datasets (`GET /data/foundation/catalog/dataSets/{id}`) and the Schema Registry (`GET
//! /data/foundation/schemaregistry/stats`, `GET .../tenant/schemas/{id}` in the resolved
//! `xed-full` form). A dataset's schema is the XDM class and field groups from the schema
//! directory (`--xdm-schemas`, references resolved) plus a tenant field group whose fields the
//! control API changes at run time (`PUT /_emulator/platform`).
//!
//! Auth as Experience Platform documents it (troubleshooting guide, "Request header errors"):
//! no token 403 `403010`, an unknown or expired token 401 `401013`, no or another client's
//! `x-api-key` 403 `403000`/`403003`, no `x-gw-ims-org-id` 400 `400003`, another organization
//! 403 `403025`. An unknown sandbox is 403 (Adobe's docs do not say; see edge/README.md), a
//! dataset of another sandbox 404, as datasets are isolated per sandbox.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Deep enough for `commerce.order._<tenant>.<field>`; bounds reference cycles.
const MAX_DEPTH: usize = 8;
const EVENT_CLASS: &str = "https://ns.adobe.com/xdm/context/experienceevent";
const PROFILE_CLASS: &str = "https://ns.adobe.com/xdm/context/profile";
const COMMERCE_GROUP: &str = "https://ns.adobe.com/xdm/context/experienceevent-commerce";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SchemaClass {
    ExperienceEvent,
    Profile,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dataset {
    pub id: String,
    #[serde(default = "prod")]
    pub sandbox: String,
    #[serde(default = "event_class")]
    pub class: SchemaClass,
    #[serde(default)]
    pub name: Option<String>,
    /// What became of the dataset's schema: there (default), deleted after the dataset was
    /// created (the Schema Registry answers 404), or none (a dataset without `schemaRef`).
    #[serde(default)]
    pub schema: SchemaState,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SchemaState {
    #[default]
    Present,
    Deleted,
    None,
}

/// The tenant field group: custom fields under `commerce.order._<tenant>` and
/// `productListItems[]._<tenant>` of every ExperienceEvent dataset's schema.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantFields {
    #[serde(default)]
    pub order: Vec<String>,
    #[serde(default)]
    pub item: Vec<String>,
}

/// `platform` in `--config`, and the body of `GET|PUT /_emulator/platform` (a PUT replaces the
/// keys it names).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlatformConfig {
    #[serde(default = "tenant")]
    pub tenant_id: String,
    /// When set, requests for another organization are refused (403025).
    #[serde(default)]
    pub org_id: Option<String>,
    #[serde(default = "sandboxes")]
    pub sandboxes: Vec<String>,
    #[serde(default)]
    pub datasets: Vec<Dataset>,
    #[serde(default)]
    pub tenant_fields: TenantFields,
    /// Tokens of these clients are not valid here (401013): a credential removed from the
    /// project in the Developer Console after IMS issued its token.
    #[serde(default)]
    pub revoked_clients: Vec<String>,
}

impl Default for PlatformConfig {
    fn default() -> Self {
        PlatformConfig {
            tenant_id: tenant(),
            org_id: None,
            sandboxes: sandboxes(),
            datasets: Vec::new(),
            tenant_fields: TenantFields::default(),
            revoked_clients: Vec::new(),
        }
    }
}

fn prod() -> String {
    "prod".to_string()
}
fn event_class() -> SchemaClass {
    SchemaClass::ExperienceEvent
}
fn tenant() -> String {
    "xdmrelayemu".to_string()
}
fn sandboxes() -> Vec<String> {
    vec![prod()]
}

impl PlatformConfig {
    /// Applies a PUT body: only the keys it has.
    pub fn update(&mut self, patch: &Value) -> Result<(), String> {
        let Some(obj) = patch.as_object() else { return Err("expected a JSON object".to_string()) };
        let mut merged = serde_json::to_value(&*self).map_err(|e| e.to_string())?;
        for (k, v) in obj {
            merged[k.as_str()] = v.clone();
        }
        *self = serde_json::from_value(merged).map_err(|e| format!("bad platform settings: {e}"))?;
        Ok(())
    }

    fn schema_id(&self, dataset: &Dataset) -> String {
        format!("https://ns.adobe.com/{}/schemas/{}", self.tenant_id, dataset.id)
    }
}

/// The official schemas by `$id`, and the resolved (`xed-full`) form built from them.
pub struct Library {
    by_id: HashMap<String, Value>,
}

impl Library {
    /// Every `*.schema.json` under `dir`; an absent directory gives an empty library (the
    /// schemas then hold only the tenant fields).
    pub fn load(dir: &Path) -> Library {
        let mut by_id = HashMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else { continue };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.to_string_lossy().ends_with(".schema.json") {
                    if let Some(doc) = std::fs::read_to_string(&path).ok().and_then(|t| serde_json::from_str::<Value>(&t).ok()) {
                        if let Some(id) = doc["$id"].as_str() {
                            by_id.insert(id.to_string(), doc.clone());
                        }
                    }
                }
            }
        }
        Library { by_id }
    }

    fn lookup(&self, reference: &str, current: &Value) -> Option<Value> {
        let (id, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let doc = if id.is_empty() { current } else { self.by_id.get(id)? };
        doc.pointer(pointer).cloned()
    }

    /// `node` with `$ref` and `allOf` resolved into `properties`, names without their `xdm:`
    /// prefix (the original name kept as `meta:xdmField`), as the Schema Registry's resolved
    /// form shows them.
    fn resolve(&self, node: &Value, doc: &Value, depth: usize) -> Value {
        let mut out = Map::new();
        if depth > MAX_DEPTH {
            return Value::Object(out);
        }
        let mut props = Map::new();
        let mut merge = |resolved: Value, out: &mut Map<String, Value>| {
            if let Some(p) = resolved.get("properties").and_then(Value::as_object) {
                props.extend(p.clone());
            }
            for key in ["type", "items"] {
                if let Some(v) = resolved.get(key) {
                    out.entry(key.to_string()).or_insert_with(|| v.clone());
                }
            }
        };
        if let Some(reference) = node["$ref"].as_str() {
            let (id, _) = reference.split_once('#').unwrap_or((reference, ""));
            let target_doc = if id.is_empty() { doc.clone() } else { self.by_id.get(id).cloned().unwrap_or(Value::Null) };
            if let Some(target) = self.lookup(reference, doc) {
                merge(self.resolve(&target, &target_doc, depth + 1), &mut out);
            }
        }
        for part in node["allOf"].as_array().into_iter().flatten() {
            merge(self.resolve(part, doc, depth), &mut out);
        }
        for (name, field) in node["properties"].as_object().into_iter().flatten() {
            // `xdm:commerce` is `commerce`, `@id` is `_id` (JSON-LD keywords become `_`).
            let short = name.rsplit_once(':').map_or(name.as_str(), |(_, n)| n);
            let short = short.strip_prefix('@').map_or_else(|| short.to_string(), |rest| format!("_{rest}"));
            let mut resolved = self.resolve(field, doc, depth + 1);
            if let Some(o) = resolved.as_object_mut() {
                o.insert("meta:xdmField".to_string(), json!(name));
            }
            props.insert(short, resolved);
        }
        if let Some(t) = node.get("type") {
            out.insert("type".to_string(), t.clone());
        }
        if let Some(items) = node.get("items") {
            out.insert("items".to_string(), self.resolve(items, doc, depth + 1));
        }
        if !props.is_empty() {
            out.insert("properties".to_string(), Value::Object(props));
        }
        Value::Object(out)
    }

    fn resolved(&self, id: &str) -> Value {
        self.by_id.get(id).map(|doc| self.resolve(doc, doc, 0)).unwrap_or_else(|| json!({"type": "object"}))
    }
}

fn tenant_object(tenant: &str, fields: &[String]) -> (String, Value) {
    let props: Map<String, Value> = fields.iter().map(|f| (f.clone(), json!({"type": "string", "meta:xdmType": "string"}))).collect();
    (format!("_{tenant}"), json!({"type": "object", "meta:xdmType": "object", "properties": props}))
}

/// Inserts `value` at `path` of an object schema (every step an object's or array's `properties`).
fn insert_at(schema: &mut Value, path: &[&str], key: String, value: Value) {
    let mut node = schema;
    for step in path {
        if node.get("items").is_some() {
            node = &mut node["items"];
        }
        if node.get("properties").is_none() {
            node["properties"] = json!({});
        }
        node = &mut node["properties"][*step];
        if node.get("type").is_none() {
            node["type"] = json!("object");
        }
    }
    if node.get("items").is_some() {
        node = &mut node["items"];
    }
    if node.get("properties").is_none() {
        node["properties"] = json!({});
    }
    node["properties"][key] = value;
}

/// A dataset's schema in the resolved form.
pub fn schema_document(library: &Library, config: &PlatformConfig, dataset: &Dataset) -> Value {
    let mut schema = match dataset.class {
        SchemaClass::ExperienceEvent => {
            let mut s = library.resolved(EVENT_CLASS);
            let commerce = library.resolved(COMMERCE_GROUP);
            if let (Some(into), Some(from)) = (s.as_object_mut(), commerce.get("properties").and_then(Value::as_object)) {
                let props = into.entry("properties").or_insert_with(|| json!({}));
                if let Some(p) = props.as_object_mut() {
                    p.extend(from.clone());
                }
            }
            let (key, order) = tenant_object(&config.tenant_id, &config.tenant_fields.order);
            insert_at(&mut s, &["commerce", "order"], key, order);
            let (key, item) = tenant_object(&config.tenant_id, &config.tenant_fields.item);
            if s["properties"]["productListItems"].get("items").is_none() {
                s["properties"]["productListItems"] = json!({"type": "array", "items": {"type": "object", "properties": {}}});
            }
            insert_at(&mut s, &["productListItems"], key, item);
            s
        }
        SchemaClass::Profile => library.resolved(PROFILE_CLASS),
    };
    if let Some(o) = schema.as_object_mut() {
        o.insert("$id".to_string(), json!(config.schema_id(dataset)));
        o.insert("meta:altId".to_string(), json!(format!("_{}.schemas.{}", config.tenant_id, dataset.id)));
        o.insert("title".to_string(), json!(format!("{} (emulated)", dataset.name.clone().unwrap_or_else(|| dataset.id.clone()))));
        o.insert("meta:class".to_string(), json!(match dataset.class { SchemaClass::ExperienceEvent => EVENT_CLASS, SchemaClass::Profile => PROFILE_CLASS }));
    }
    schema
}

/// A platform answer: status and JSON body.
pub type Answer = (u16, Value);

fn catalog_error(status: u16, detail: String) -> Answer {
    (status, json!({"type": "http://ns.adobe.com/aep/errors/CAT-emulated", "status": status, "title": if status == 404 { "Not Found" } else { "Forbidden" }, "detail": detail}))
}

/// `GET /data/foundation/catalog/dataSets/{id}` in `sandbox`.
pub fn dataset(config: &PlatformConfig, sandbox: &str, id: &str) -> Answer {
    match config.datasets.iter().find(|d| d.id == id && d.sandbox == sandbox) {
        Some(d) => {
            let mut body = BTreeMap::new();
            let mut entry = json!({"name": d.name.clone().unwrap_or_else(|| d.id.clone())});
            if d.schema != SchemaState::None {
                entry["schemaRef"] = json!({"id": config.schema_id(d), "contentType": "application/vnd.adobe.xed+json;version=1"});
            }
            body.insert(d.id.clone(), entry);
            (200, json!(body))
        }
        None => catalog_error(404, format!("Dataset {id} not found")),
    }
}

/// `GET /data/foundation/schemaregistry/tenant/schemas/{id}` (the id URL-decoded already).
pub fn schema(library: &Library, config: &PlatformConfig, sandbox: &str, id: &str, accept: &str) -> Answer {
    let accept = accept.replace(' ', "");
    if !accept.starts_with("application/vnd.adobe.xed-full+json;version=") {
        return (406, json!({"type": "/placeholder/type/uri", "status": 406, "title": "NotAcceptableError",
            "detail": "this emulator serves schemas as application/vnd.adobe.xed-full+json; version=1 only"}));
    }
    let found = config.datasets.iter().find(|d| d.sandbox == sandbox && d.schema == SchemaState::Present && (config.schema_id(d) == id || format!("_{}.schemas.{}", config.tenant_id, d.id) == id));
    match found {
        Some(d) => (200, schema_document(library, config, d)),
        None => (404, json!({"type": "/placeholder/type/uri", "status": 404, "title": "NotFoundError", "detail": format!("Object {id} with version 1 not found")})),
    }
}

pub fn stats(config: &PlatformConfig, org: &str) -> Answer {
    let tenant_schemas = config.datasets.len();
    (200, json!({"imsOrg": org, "tenantId": config.tenant_id, "counts": {"schemas": tenant_schemas, "mixins": 1, "datatypes": 0, "classes": 0, "unions": 0}}))
}

/// The documented header errors, in the order the gateway checks them; `None` when the
/// request may go on. `token_client`: the client id the bearer token was issued to, `None` for
/// an unknown or expired token.
pub fn check_headers(config: &PlatformConfig, bearer: Option<&str>, token_client: Option<&str>, api_key: Option<&str>, org: Option<&str>, sandbox: Option<&str>) -> Option<Answer> {
    let gateway = |status: u16, code: &str, message: &str| Some((status, json!({"error_code": code, "message": message})));
    if bearer.is_none() {
        return gateway(403, "403010", "Oauth token is missing.");
    }
    let Some(client) = token_client.filter(|c| !config.revoked_clients.iter().any(|r| r == c)) else {
        return gateway(401, "401013", "Oauth token is not valid");
    };
    match api_key {
        None => return gateway(403, "403000", "Api Key is required"),
        Some(k) if k != client => return gateway(403, "403003", "Api Key is invalid"),
        _ => {}
    }
    let Some(org) = org else {
        return gateway(400, "400003", "Missing header");
    };
    if config.org_id.as_deref().is_some_and(|o| o != org) {
        return gateway(403, "403025", "Profile is not valid");
    }
    let sandbox = sandbox.unwrap_or("prod");
    if !config.sandboxes.iter().any(|s| s == sandbox) {
        return Some((403, json!({"type": "/placeholder/type/uri", "status": 403, "title": "Forbidden",
            "detail": format!("Sandbox '{sandbox}' does not exist or is not accessible to this credential")})));
    }
    None
}
