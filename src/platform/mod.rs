//! Adobe Experience Platform's Platform APIs for the admin's data customization report: which
//! custom attributes a dataset's schema declares. One blocking call, for the admin and the CLI
//! only (never on a storefront or checkout request):
//!
//! 1. IMS: an access token with the configured OAuth credentials;
//! 2. Catalog Service: `GET /data/foundation/catalog/dataSets/{id}?properties=name,schemaRef`,
//!    answered as `{"<id>": {"name": ..., "schemaRef": {"id": ..., "contentType": ...}}}`;
//! 3. Schema Registry: `GET /data/foundation/schemaregistry/stats` (`tenantId`) and
//!    `GET /data/foundation/schemaregistry/tenant/schemas/{url-encoded schemaRef.id}` with
//!    `Accept: application/vnd.adobe.xed-full+json; version=1` (references resolved).
//!
//! Every request carries `Authorization`, `x-api-key` (the OAuth client id), `x-gw-ims-org-id`
//! and `x-sandbox-name`. What each answer means for the merchant is decided here, once, as a
//! `PlatformError` with an actionable message; bodies are redacted before anything keeps them.

mod schema;

use std::io::Read;
use std::time::{Duration, Instant};

use serde_json::Value;

pub use schema::{tenant_fields, TenantFields};

use crate::delivery::policy::{self, Final, Outcome};
use crate::settings::Settings;

/// Adobe's default production sandbox, used when the destination names none.
pub const DEFAULT_SANDBOX: &str = "prod";
pub const SCHEMA_ACCEPT: &str = "application/vnd.adobe.xed-full+json; version=1";
const MAX_BODY: u64 = 8 * 1024 * 1024;

/// A dataset and what its schema declares for the custom attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct DatasetSchema {
    pub dataset_id: String,
    pub dataset_name: Option<String>,
    pub sandbox: String,
    pub schema_id: String,
    pub schema_title: Option<String>,
    pub tenant_id: String,
    pub fields: TenantFields,
    pub latency_ms: f64,
}

/// Which Platform API answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Ims,
    Catalog,
    SchemaRegistry,
}

impl Service {
    fn name(self) -> &'static str {
        match self {
            Service::Ims => "IMS",
            Service::Catalog => "the Catalog Service",
            Service::SchemaRegistry => "the Schema Registry",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum PlatformError {
    /// A setting the Platform APIs need is missing (OAuth credentials, organization, dataset).
    NotConfigured(String),
    /// No answer: DNS, connection, timeout.
    Unreachable { service: Service, detail: String },
    /// 401: the token (or the credentials IMS was asked with) refused.
    Unauthorized { service: Service, detail: String },
    /// 403: a token, but no permission for this organization, sandbox or resource.
    Forbidden { service: Service, sandbox: String, detail: String },
    /// Catalog 404: no such dataset in this sandbox (datasets live in one sandbox each).
    DatasetNotFound { dataset: String, sandbox: String },
    /// The dataset has no `schemaRef` (a dataset created without a schema).
    NoSchema { dataset: String },
    /// Schema Registry 404 for the dataset's schema.
    SchemaNotFound { schema: String, sandbox: String },
    /// Any other answer.
    Http { service: Service, status: u16, detail: String },
    /// A 200 whose body is not what the API documents.
    BadResponse { service: Service, detail: String },
}

impl PlatformError {
    /// The HTTP status behind the error; 0 when no request was answered.
    pub fn status(&self) -> u16 {
        match self {
            PlatformError::NotConfigured(_) | PlatformError::Unreachable { .. } => 0,
            PlatformError::Unauthorized { .. } => 401,
            PlatformError::Forbidden { .. } => 403,
            PlatformError::DatasetNotFound { .. } | PlatformError::SchemaNotFound { .. } => 404,
            PlatformError::NoSchema { .. } | PlatformError::BadResponse { .. } => 200,
            PlatformError::Http { status, .. } => *status,
        }
    }
}

impl std::fmt::Display for PlatformError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlatformError::NotConfigured(what) => write!(f, "{what}"),
            PlatformError::Unreachable { service, detail } => {
                write!(f, "{} did not answer ({detail}): check the Platform API URL and this server's outbound HTTPS access", service.name())
            }
            PlatformError::Unauthorized { service: Service::Ims, detail } => {
                write!(f, "IMS refused the OAuth credentials (HTTP 401: {detail}): check the client ID and client secret under Authentication")
            }
            PlatformError::Unauthorized { service, detail } => write!(
                f,
                "{} refused the access token (HTTP 401: {detail}): check the client ID and secret, and that the credential's project includes the Experience Platform API",
                service.name()
            ),
            PlatformError::Forbidden { service, sandbox, detail } => write!(
                f,
                "{} refused access (HTTP 403: {detail}): check the Organization ID, and that the API credential's product profile grants sandbox \"{sandbox}\" with the View Datasets and View Schemas permissions",
                service.name()
            ),
            PlatformError::DatasetNotFound { dataset, sandbox } => write!(
                f,
                "dataset {dataset} was not found in sandbox \"{sandbox}\" (HTTP 404): check the dataset ID, and that the sandbox is the one the dataset was created in"
            ),
            PlatformError::NoSchema { dataset } => write!(f, "dataset {dataset} has no schema (no schemaRef in the Catalog Service): create the dataset from an XDM schema"),
            PlatformError::SchemaNotFound { schema, sandbox } => {
                write!(f, "the dataset's schema {schema} was not found in sandbox \"{sandbox}\" (HTTP 404): it may have been deleted; check the dataset in Experience Platform")
            }
            PlatformError::Http { service, status, detail } => write!(f, "{} answered HTTP {status}: {detail}", service.name()),
            PlatformError::BadResponse { service, detail } => write!(f, "{} answered something unexpected: {detail}", service.name()),
        }
    }
}

impl std::error::Error for PlatformError {}

/// `%`-encodes everything but RFC 3986's unreserved characters (a schema id is a URL).
fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

struct Client<'a> {
    agent: ureq::Agent,
    base: &'a str,
    token: String,
    api_key: &'a str,
    org: &'a str,
    sandbox: &'a str,
    secrets: Vec<String>,
}

impl Client<'_> {
    fn redact(&self, text: &str) -> String {
        let refs: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        policy::redact(text, &refs)
    }

    /// One GET; the JSON body of a 2xx answer, or the error its status means.
    fn get(&self, service: Service, path: &str, accept: &str, not_found: impl FnOnce() -> PlatformError) -> Result<Value, PlatformError> {
        let response = self
            .agent
            .get(&format!("{}{path}", self.base))
            .set("Accept", accept)
            .set("Authorization", &format!("Bearer {}", self.token))
            .set("x-api-key", self.api_key)
            .set("x-gw-ims-org-id", self.org)
            .set("x-sandbox-name", self.sandbox)
            .call();
        match response {
            Ok(r) => {
                let text = read(r);
                serde_json::from_str(&text).map_err(|e| PlatformError::BadResponse { service, detail: format!("not JSON ({e})") })
            }
            Err(ureq::Error::Status(status, r)) => {
                let detail = policy::excerpt(&self.redact(&read(r)));
                let detail = if detail.is_empty() { "no details".to_string() } else { detail };
                Err(match status {
                    401 => PlatformError::Unauthorized { service, detail },
                    403 => PlatformError::Forbidden { service, sandbox: self.sandbox.to_string(), detail },
                    404 => not_found(),
                    _ => PlatformError::Http { service, status, detail },
                })
            }
            Err(ureq::Error::Transport(t)) => Err(PlatformError::Unreachable { service, detail: self.redact(&t.to_string()) }),
        }
    }
}

fn read(r: ureq::Response) -> String {
    let mut text = String::new();
    let _ = r.into_reader().take(MAX_BODY).read_to_string(&mut text);
    text
}

fn ims_error(outcome: Outcome) -> PlatformError {
    match outcome {
        Outcome::Final(Final::Credentials { detail, .. }) => PlatformError::Unauthorized { service: Service::Ims, detail },
        Outcome::Final(Final::TokenMissing) => PlatformError::BadResponse { service: Service::Ims, detail: "no access_token in the answer".to_string() },
        Outcome::Final(other) => PlatformError::Http { service: Service::Ims, status: other.status(), detail: other.to_string() },
        Outcome::Retry { reason, .. } => PlatformError::Unreachable { service: Service::Ims, detail: reason },
        other => PlatformError::BadResponse { service: Service::Ims, detail: format!("{other:?}") },
    }
}

/// The dataset's schema and the custom fields it declares where the mapping writes custom
/// attributes. Blocks for up to a few request timeouts.
pub fn dataset_schema(settings: &Settings, dataset_id: &str, sandbox: Option<&str>) -> Result<DatasetSchema, PlatformError> {
    let started = Instant::now();
    let sandbox = sandbox.filter(|s| !s.is_empty()).unwrap_or(DEFAULT_SANDBOX);
    let Some(auth) = &settings.auth else {
        return Err(PlatformError::NotConfigured(
            "the Platform APIs need OAuth server-to-server credentials: set Authentication (client ID and secret)".to_string(),
        ));
    };
    let Some(org) = settings.org_id.as_deref() else {
        return Err(PlatformError::NotConfigured("the Platform APIs need the Organization ID: set it under Adobe Experience Platform".to_string()));
    };
    let token = match crate::delivery::fresh_token(settings) {
        Some(Ok(token)) => token,
        Some(Err(outcome)) => return Err(ims_error(outcome)),
        None => return Err(PlatformError::NotConfigured("no OAuth credentials".to_string())),
    };
    let client = Client {
        agent: ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_millis(settings.connect_timeout_ms))
            .timeout_read(Duration::from_millis(settings.read_timeout_ms))
            .timeout(Duration::from_millis(settings.request_timeout_ms))
            .redirects(0)
            .user_agent(concat!("xdm-relay/", env!("CARGO_PKG_VERSION")))
            .build(),
        base: &settings.platform_url,
        secrets: vec![auth.client_secret.clone(), token.clone()],
        token,
        api_key: &auth.client_id,
        org,
        sandbox,
    };
    let dataset_not_found = || PlatformError::DatasetNotFound { dataset: dataset_id.to_string(), sandbox: sandbox.to_string() };
    let catalog = client.get(
        Service::Catalog,
        &format!("/data/foundation/catalog/dataSets/{}?properties=name,schemaRef", encode_path_segment(dataset_id)),
        "application/json",
        dataset_not_found,
    )?;
    // Keyed by the dataset id; an answer without it is the dataset not being there.
    let dataset = catalog.get(dataset_id).filter(|d| d.is_object()).ok_or_else(dataset_not_found)?;
    let schema_id = dataset["schemaRef"]["id"]
        .as_str()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| PlatformError::NoSchema { dataset: dataset_id.to_string() })?
        .to_string();
    let stats = client.get(Service::SchemaRegistry, "/data/foundation/schemaregistry/stats", "application/json", || PlatformError::Http {
        service: Service::SchemaRegistry,
        status: 404,
        detail: "no /stats endpoint".to_string(),
    })?;
    let tenant_id = stats["tenantId"]
        .as_str()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| PlatformError::BadResponse { service: Service::SchemaRegistry, detail: "no tenantId in /stats".to_string() })?
        .trim_start_matches('_')
        .to_string();
    let schema = client.get(
        Service::SchemaRegistry,
        &format!("/data/foundation/schemaregistry/tenant/schemas/{}", encode_path_segment(&schema_id)),
        SCHEMA_ACCEPT,
        || PlatformError::SchemaNotFound { schema: schema_id.clone(), sandbox: sandbox.to_string() },
    )?;
    Ok(DatasetSchema {
        dataset_id: dataset_id.to_string(),
        dataset_name: dataset["name"].as_str().map(str::to_string),
        sandbox: sandbox.to_string(),
        schema_title: schema["title"].as_str().map(str::to_string),
        fields: tenant_fields(&schema, &tenant_id),
        schema_id,
        tenant_id,
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_ids_are_one_path_segment() {
        assert_eq!(encode_path_segment("https://ns.adobe.com/acme/schemas/1a2b"), "https%3A%2F%2Fns.adobe.com%2Facme%2Fschemas%2F1a2b");
        assert_eq!(encode_path_segment("_acme.schemas.1a2b"), "_acme.schemas.1a2b");
    }

    #[test]
    fn every_error_says_what_to_check() {
        let forbidden = PlatformError::Forbidden { service: Service::Catalog, sandbox: "dev".into(), detail: "403025 Profile is not valid".into() };
        assert_eq!(forbidden.status(), 403);
        assert!(forbidden.to_string().contains("sandbox \"dev\""), "{forbidden}");
        let missing = PlatformError::DatasetNotFound { dataset: "ds1".into(), sandbox: "prod".into() };
        assert!(missing.to_string().contains("ds1") && missing.to_string().contains("\"prod\""), "{missing}");
        assert_eq!(missing.status(), 404);
        let unauthorized = PlatformError::Unauthorized { service: Service::Catalog, detail: "401013".into() };
        assert!(unauthorized.to_string().contains("client ID and secret"), "{unauthorized}");
    }
}
