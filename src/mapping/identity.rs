//! `identityMap` and the deterministic `_id`.

use super::read::{problem, Obj, R};
use super::xdm::{Identity, IdentityMap};
use super::MapSettings;

/// Fixed namespace for XDM Relay's v5 UUIDs; changing it would change every `_id`.
const ID_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f1e_2a7c_93d4_4b0e_8a51_c2d7_e0f3_9b46);

/// The same business event always yields the same id: the environment, the XDM class or
/// eventType, and the ids of the entities involved. `historicalOrder` and `orderPlaced` share
/// their eventType, so replaying history over live orders produces duplicates AEP recognises.
pub fn document_id(settings: &MapSettings, kind: &str, keys: &[&str]) -> String {
    let mut name = String::new();
    name.push_str(settings.environment_id.as_deref().unwrap_or(""));
    name.push('|');
    name.push_str(kind);
    for key in keys {
        name.push('|');
        name.push_str(key);
    }
    uuid::Uuid::new_v5(&ID_NAMESPACE, name.as_bytes()).to_string()
}

pub struct IdentityBuilder {
    map: IdentityMap,
}

impl IdentityBuilder {
    pub fn new() -> Self {
        IdentityBuilder {
            map: IdentityMap::default(),
        }
    }

    pub fn add(&mut self, namespace: &str, id: String, primary: bool) {
        let identity = Identity {
            id,
            authenticated_state: "ambiguous",
            primary,
        };
        match self.map.0.iter_mut().find(|(ns, _)| ns == namespace) {
            Some((_, ids)) => ids.push(identity),
            None => self.map.0.push((namespace.to_string(), vec![identity])),
        }
    }

    pub fn build(self) -> IdentityMap {
        self.map
    }
}

/// E-mail identities are case-insensitive in practice but case-sensitive in AEP's graph.
pub fn email_identity(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The shopper's Experience Cloud ID, when the storefront captured one.
pub fn ecid(payload: &Obj) -> R<Option<String>> {
    let Some(identity) = payload.child("identity")? else {
        return Ok(None);
    };
    let Some(ecid) = identity.str("ecid")? else {
        return Ok(None);
    };
    if ecid.len() > 64 || !ecid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(problem(&identity.field_path("ecid"), format!("{ecid:?} is not an Experience Cloud ID")));
    }
    Ok(Some(ecid))
}
