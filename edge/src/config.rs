//! Start-up configuration: datastreams, IMS clients and faults (`--config FILE`, JSON).

use std::collections::HashMap;

use serde::Deserialize;

use crate::faults::FaultSpec;
use crate::platform::PlatformConfig;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Datastream {
    pub id: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Requires an IMS bearer token, x-api-key and x-gw-ims-org-id, as `server.adobedc.net`.
    #[serde(default)]
    pub authenticated: bool,
    #[serde(default)]
    pub org_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Client {
    pub client_id: String,
    pub client_secret: String,
    /// Seconds a token lives (IMS: 86399); small values let tests exercise refresh.
    #[serde(default = "day")]
    pub token_lifetime_s: u64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Config {
    /// Known datastreams. Empty: any datastream id is accepted, unauthenticated.
    #[serde(default)]
    pub datastreams: Vec<Datastream>,
    /// Known IMS clients. Empty: any client id and secret get a token.
    #[serde(default)]
    pub clients: Vec<Client>,
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
    /// The emulated Catalog Service and Schema Registry (datasets, tenant, tenant fields).
    #[serde(default)]
    pub platform: PlatformConfig,
}

fn yes() -> bool {
    true
}

fn day() -> u64 {
    86_399
}

impl Config {
    pub fn datastream(&self, id: &str) -> Option<&Datastream> {
        self.datastreams.iter().find(|d| d.id == id)
    }

    pub fn clients(&self) -> HashMap<String, Client> {
        self.clients.iter().map(|c| (c.client_id.clone(), c.clone())).collect()
    }
}
