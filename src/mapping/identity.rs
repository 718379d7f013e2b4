//! `identityMap` and the deterministic `_id`.

use std::borrow::Cow;

use super::read::{Obj, Text};
use super::xdm::{AuthenticatedState, Identity, IdentityMap};
use super::MapSettings;

/// Fixed namespace for XDM Relay's v5 UUIDs; changing it would change every `_id`.
const ID_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f1e_2a7c_93d4_4b0e_8a51_c2d7_e0f3_9b46);

/// The same business event always yields the same id: the environment, the XDM class or
/// eventType, and the ids of the entities involved. `historicalOrder` and `orderPlaced` share
/// their eventType, so replaying history over live orders produces duplicates AEP recognises.
pub fn document_id(settings: &MapSettings, kind: &str, keys: &[&[u8]]) -> uuid::Uuid {
    let env = settings.environment_id.as_deref().unwrap_or("");
    let mut name = Vec::with_capacity(env.len() + kind.len() + keys.iter().map(|k| k.len() + 1).sum::<usize>() + 1);
    name.extend_from_slice(env.as_bytes());
    name.push(b'|');
    name.extend_from_slice(kind.as_bytes());
    for key in keys {
        name.push(b'|');
        name.extend_from_slice(key);
    }
    uuid::Uuid::new_v5(&ID_NAMESPACE, &name)
}

impl<'a> IdentityMap<'a> {
    pub fn add(&mut self, namespace: &'a str, id: Text<'a>, primary: bool) {
        self.0.push(Identity {
            namespace,
            id,
            state: AuthenticatedState::Ambiguous,
            primary,
        });
    }
}

/// E-mail identities are case-insensitive in practice but case-sensitive in AEP's graph.
pub fn email_identity<'a>(email: &Text<'a>) -> Text<'a> {
    let trimmed = email.trim();
    let lower_already = trimmed.is_ascii() && !trimmed.bytes().any(|b| b.is_ascii_uppercase());
    match email {
        Cow::Borrowed(s) if lower_already => Cow::Borrowed(s.trim()),
        _ => Cow::Owned(trimmed.to_lowercase()),
    }
}

/// The shopper's Experience Cloud ID, when the storefront captured one.
pub fn ecid<'a>(payload: &Obj<'a>) -> Option<Text<'a>> {
    let identity = payload.child("identity")?;
    let ecid = identity.str("ecid")?;
    if ecid.len() > 64 || !ecid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        identity.report("ecid", format!("{ecid:?} is not an Experience Cloud ID"));
        return None;
    }
    Some(ecid)
}

/// The shopper's first-party device id: a UUID v4 in canonical text form (either case; sent
/// in lower case, the form the module writes). Anything else is reported.
pub fn fpid<'a>(shopper: &Obj<'a>) -> Option<Text<'a>> {
    let Some(id) = shopper.str("fpid") else {
        shopper.require("fpid");
        return None;
    };
    if !is_uuid_v4(&id) {
        shopper.report("fpid", format!("{id:?} is not a UUID v4 (xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx)"));
        return None;
    }
    if id.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some(Cow::Owned(id.to_ascii_lowercase()));
    }
    Some(id)
}

fn is_uuid_v4(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b' | b'A' | b'B')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_v4_uuids_are_fpids() {
        assert!(is_uuid_v4("0f8fad5b-d9cb-469f-a165-70867728950e"));
        assert!(is_uuid_v4("0F8FAD5B-D9CB-469F-A165-70867728950E"));
        for bad in [
            "0f8fad5b-d9cb-169f-a165-70867728950e",
            "0f8fad5b-d9cb-469f-c165-70867728950e",
            "0f8fad5bd9cb469fa16570867728950e",
            "{0f8fad5b-d9cb-469f-a165-70867728950e}",
            "0f8fad5b-d9cb-469f-a165-70867728950g",
            "0f8fad5b-d9cb-469f-a165-70867728950",
            "",
        ] {
            assert!(!is_uuid_v4(bad), "{bad}");
        }
    }
}
