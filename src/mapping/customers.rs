//! Account events (ExperienceEvents) and profile records (Individual Profile class).

use std::borrow::Cow;

use super::fields;
use super::identity;
use super::json::Out;
use super::read::{Obj, Text};
use super::xdm::{
    AccountStatus, Commerce, ConsentChoice, ExperienceEvent, Gender, IdentityMap, Person, PersonName, ProfileRecord,
    UserAccount, ID_OFFSET,
};
use super::{EventType, MapContext, MapSettings};

struct Customer<'a> {
    payload: Obj<'a>,
    row: Obj<'a>,
    id: Text<'a>,
    email: Text<'a>,
}

impl<'a> Customer<'a> {
    fn read(payload: &Obj<'a>) -> Customer<'a> {
        let row = payload.req_child("customer");
        let id = row.req_str("id");
        let email = fields::email(&row, "email").unwrap_or_else(|| {
            row.require("email");
            Cow::Borrowed("")
        });
        Customer {
            payload: *payload,
            row,
            id,
            email,
        }
    }

    fn identity_map(&self, settings: &'a MapSettings) -> IdentityMap<'a> {
        let mut ids = IdentityMap(Vec::with_capacity(2));
        ids.add(&settings.namespaces.customer_id, self.id.clone(), true);
        ids.add(&settings.namespaces.email, identity::email_identity(&self.email), false);
        ids
    }

    fn name(&self) -> Option<PersonName<'a>> {
        let name = PersonName {
            courtesy_title: self.row.str("prefix"),
            first_name: self.row.str("firstname"),
            middle_name: self.row.str("middlename"),
            last_name: self.row.str("lastname"),
            suffix: self.row.str("suffix"),
        };
        (name != PersonName::default()).then_some(name)
    }

    fn account_event(&self, ctx: &MapContext<'a>, event_type: EventType, at: chrono::DateTime<chrono::Utc>, keys: &[&[u8]]) -> ExperienceEvent<'a> {
        ExperienceEvent {
            id: identity::document_id(ctx.settings, event_type.as_str(), keys),
            timestamp: at,
            event_type: event_type.as_str(),
            identity_map: self.identity_map(ctx.settings),
            personal_email: Some(self.email.clone()),
            person: self.name().map(|name| Person {
                name: Some(name),
                ..Person::default()
            }),
            commerce: Some(Commerce {
                commerce_scope: Some(fields::scope(&self.payload, ctx.settings)),
                ..Commerce::default()
            }),
            product_list_items: Vec::new(),
            ..ExperienceEvent::default()
        }
    }
}

pub fn account_created<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let customer = Customer::read(payload);
    let at = customer.row.req_datetime("created_at").unwrap_or(ctx.now);
    customer.account_event(ctx, event_type, at, &[customer.id.as_bytes()])
}

/// Every save is its own event: the time of the change is part of the id.
pub fn account_updated<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let customer = Customer::read(payload);
    let at = customer.row.req_datetime("updated_at").unwrap_or(ctx.now);
    let mut stamp = Vec::with_capacity(20);
    super::json::write_time(&mut stamp, at);
    customer.account_event(ctx, event_type, at, &[customer.id.as_bytes(), &stamp])
}

pub fn account_deleted<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, event_type: EventType) -> ExperienceEvent<'a> {
    let customer = Customer::read(payload);
    customer.account_event(ctx, event_type, ctx.now, &[customer.id.as_bytes()])
}

pub fn profile_record<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>) -> ProfileRecord<'a> {
    profile(payload, ctx, false)
}

pub fn profile_deleted<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>) -> ProfileRecord<'a> {
    profile(payload, ctx, true)
}

/// The profile record of a customer who exists (`deleted == false`) or was deleted. A streamed
/// record cannot erase a profile; deletion marks the account `disabled` (erasure is a Privacy
/// Service job). Every record carries the time of the change it reports
/// (`extSourceSystemAudit.lastUpdatedDate`, in milliseconds): the customer's `updated_at` (the
/// module passes the commit time to the millisecond), or for a deletion the time it is mapped
/// and at least 1 ms after the last `updated_at`: Magento stores whole seconds, so an update and
/// a deletion within one second would otherwise tie, and AEP could let the update undo the
/// deletion.
fn profile<'a>(payload: &Obj<'a>, ctx: &MapContext<'a>, deleted: bool) -> ProfileRecord<'a> {
    let customer = Customer::read(payload);
    let row = &customer.row;
    let created = row.datetime("created_at");
    let changed_at = if deleted {
        let after_last_update = row.datetime("updated_at").map(|t| t + chrono::Duration::milliseconds(1));
        after_last_update.map_or(ctx.now, |t| t.max(ctx.now))
    } else {
        row.datetime("updated_at").or_else(|| row.req_datetime("created_at")).unwrap_or(ctx.now)
    };
    let mut record = ProfileRecord {
        id: identity::document_id(ctx.settings, "profileDeleted", &[customer.id.as_bytes()]),
        identity_map: customer.identity_map(ctx.settings),
        person: None,
        personal_email: Some(customer.email.clone()),
        billing_address: None,
        billing_address_phone: None,
        shipping_address: None,
        shipping_address_phone: None,
        user_account: UserAccount {
            id: customer.id.clone(),
            start_date: created,
            status: AccountStatus::Disabled,
        },
        last_updated: changed_at,
        consents: None,
    };
    if deleted {
        return record;
    }
    record.user_account.status = AccountStatus::Active;
    let person = Person {
        name: customer.name(),
        birth_date: row.date("dob"),
        gender: gender(row),
        ..Person::default()
    };
    let has_person = person.name.is_some() || person.birth_date.is_some() || person.gender.is_some();
    record.person = has_person.then_some(person);
    record.consents = row.bool("is_subscribed").map(|subscribed| if subscribed { ConsentChoice::Yes } else { ConsentChoice::No });
    for address in row.list("addresses") {
        let phone = address.str("telephone");
        if address.bool("default_billing").unwrap_or(false) {
            record.billing_address = fields::address(&address);
            record.billing_address_phone = phone.clone();
        }
        if address.bool("default_shipping").unwrap_or(false) {
            record.shipping_address = fields::address(&address);
            record.shipping_address_phone = phone;
        }
    }
    record
}

/// Two changes within one second (an address book save after the account save) share
/// `updated_at` but not their content: the content is part of the id, so the second record
/// is neither suppressed nor taken for a retry of the first. `out` holds the record as written
/// with its provisional id (the deletion id); the final id replaces it in place.
pub fn seal_profile_id(record: &ProfileRecord, settings: &MapSettings, out: &mut Out, start: usize) -> uuid::Uuid {
    let mut stamp = Vec::with_capacity(20);
    super::json::write_time_millis(&mut stamp, record.last_updated);
    let id = identity::document_id(settings, "profileRecord", &[record.user_account.id.as_bytes(), &stamp, &out.buf[start..]]);
    let at = start + ID_OFFSET;
    let mut text = uuid::Uuid::encode_buffer();
    let text = id.hyphenated().encode_lower(&mut text);
    out.buf[at..at + text.len()].copy_from_slice(text.as_bytes());
    id
}

fn gender(row: &Obj) -> Option<Gender> {
    let g = row.str("gender")?;
    match &*g {
        "0" => None,
        "1" => Some(Gender::Male),
        "2" => Some(Gender::Female),
        "3" => Some(Gender::NotSpecified),
        other => {
            row.report("gender", format!("{other:?} is not a Magento gender (1 male, 2 female, 3 not specified)"));
            None
        }
    }
}
