//! Account events (ExperienceEvents) and profile records (Individual Profile class).

use super::fields;
use super::identity::{self, IdentityBuilder};
use super::read::{problem, xdm_time, xdm_time_millis, Obj, R};
use super::xdm::{
    Commerce, ConsentChoice, ConsentValue, Consents, EmailAddress, ExperienceEvent, ExtSourceSystemAudit,
    IdentityMap, MarketingConsents, Person, PersonName, Phone, ProfileRecord, UserAccount,
};
use super::{MapContext, MapSettings};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountEvent {
    Created,
    Updated,
    Deleted,
}

impl AccountEvent {
    pub fn event_type(self) -> &'static str {
        match self {
            AccountEvent::Created => "userAccount.backofficeCreateProfile",
            AccountEvent::Updated => "userAccount.backofficeUpdateProfile",
            AccountEvent::Deleted => "userAccount.backofficeDeleteProfile",
        }
    }
}

struct Customer<'a> {
    payload: Obj<'a>,
    row: Obj<'a>,
    id: String,
    email: String,
}

impl<'a> Customer<'a> {
    fn read(payload: Obj<'a>) -> R<Customer<'a>> {
        let row = payload.req_child("customer")?;
        let id = row.req_str("id")?;
        let email = fields::email(&row, "email")?
            .ok_or_else(|| problem(&row.field_path("email"), "is required"))?;
        Ok(Customer {
            payload,
            row,
            id,
            email,
        })
    }

    fn identity_map(&self, settings: &MapSettings) -> IdentityMap {
        let mut ids = IdentityBuilder::new();
        ids.add(&settings.namespaces.customer_id, self.id.clone(), true);
        ids.add(&settings.namespaces.email, identity::email_identity(&self.email), false);
        ids.build()
    }

    fn name(&self) -> R<Option<PersonName>> {
        let name = PersonName {
            courtesy_title: self.row.str("prefix")?,
            first_name: self.row.str("firstname")?,
            middle_name: self.row.str("middlename")?,
            last_name: self.row.str("lastname")?,
            suffix: self.row.str("suffix")?,
        };
        Ok(if name == PersonName::default() { None } else { Some(name) })
    }

    fn email(&self) -> Option<EmailAddress> {
        Some(EmailAddress {
            address: self.email.clone(),
        })
    }
}

pub fn map_account(kind: AccountEvent, payload: Obj, ctx: &MapContext) -> R<ExperienceEvent> {
    let customer = Customer::read(payload)?;
    let row = &customer.row;
    let (timestamp, keys) = match kind {
        AccountEvent::Created => (row.req_datetime("created_at")?, vec![customer.id.clone()]),
        AccountEvent::Updated => {
            let at = row.req_datetime("updated_at")?;
            (at, vec![customer.id.clone(), xdm_time(at)])
        }
        AccountEvent::Deleted => (ctx.now, vec![customer.id.clone()]),
    };
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    Ok(ExperienceEvent {
        id: identity::document_id(ctx.settings, kind.event_type(), &keys),
        timestamp: xdm_time(timestamp),
        event_type: kind.event_type(),
        identity_map: customer.identity_map(ctx.settings),
        personal_email: customer.email(),
        person: customer.name()?.map(|name| Person {
            name: Some(name),
            ..Person::default()
        }),
        commerce: Some(Commerce {
            commerce_scope: Some(fields::scope(&customer.payload, ctx.settings)?),
            ..Commerce::default()
        }),
        product_list_items: Vec::new(),
    })
}

/// The profile record of a customer who exists (`deleted == false`) or was deleted. A streamed
/// record cannot erase a profile; deletion marks the account `disabled` (erasure is a Privacy
/// Service job). Every record carries the time of the change it reports
/// (`extSourceSystemAudit.lastUpdatedDate`, in milliseconds): the customer's `updated_at` (the
/// module passes the commit time to the millisecond), or for a deletion the time it is mapped
/// and at least 1 ms after the last `updated_at`: Magento stores whole seconds, so an update and
/// a deletion within one second would otherwise tie, and AEP could let the update undo the
/// deletion.
pub fn map_profile(payload: Obj, ctx: &MapContext, deleted: bool) -> R<ProfileRecord> {
    let customer = Customer::read(payload)?;
    let row = &customer.row;
    let created = row.datetime("created_at")?.map(xdm_time);
    let updated_at = row.datetime("updated_at")?;
    let last_updated_date = if deleted {
        let after_last_update = updated_at.map(|t| t + chrono::Duration::milliseconds(1));
        after_last_update.map_or(ctx.now, |t| t.max(ctx.now))
    } else {
        match updated_at {
            Some(t) => t,
            None => row.req_datetime("created_at")?,
        }
    };
    let last_updated_date = xdm_time_millis(last_updated_date);
    let mut record = ProfileRecord {
        id: identity::document_id(ctx.settings, "profileDeleted", &[&customer.id]),
        identity_map: customer.identity_map(ctx.settings),
        person: None,
        personal_email: customer.email(),
        billing_address: None,
        billing_address_phone: None,
        shipping_address: None,
        shipping_address_phone: None,
        user_account: UserAccount {
            id: customer.id.clone(),
            start_date: created.clone(),
            status: "disabled",
        },
        ext_source_system_audit: ExtSourceSystemAudit {
            created_date: created,
            last_updated_date,
        },
        consents: None,
    };
    if deleted {
        return Ok(record);
    }
    record.user_account.status = "active";
    let person = Person {
        name: customer.name()?,
        birth_date: row.date("dob")?.map(|d| d.format("%Y-%m-%d").to_string()),
        gender: gender(row)?,
    };
    let has_person = person.name.is_some() || person.birth_date.is_some() || person.gender.is_some();
    record.person = has_person.then_some(person);
    record.consents = row.bool("is_subscribed")?.map(|subscribed| Consents {
        marketing: MarketingConsents {
            email: ConsentValue {
                val: if subscribed { ConsentChoice::Yes } else { ConsentChoice::No },
                time: record.ext_source_system_audit.last_updated_date.clone(),
            },
        },
    });
    for address in row.list("addresses")? {
        let phone = address.str("telephone")?.map(|number| Phone {
            number,
            primary: false,
        });
        if address.bool("default_billing")?.unwrap_or(false) {
            record.billing_address = fields::address(&address)?;
            record.billing_address_phone = phone.clone();
        }
        if address.bool("default_shipping")?.unwrap_or(false) {
            record.shipping_address = fields::address(&address)?;
            record.shipping_address_phone = phone;
        }
    }
    // Two changes within one second (an address book save after the account save) share
    // `updated_at` but not their content: the content is part of the id, so the second record
    // is neither suppressed nor taken for a retry of the first.
    let content = serde_json::to_string(&record).unwrap_or_default();
    record.id = identity::document_id(
        ctx.settings,
        "profileRecord",
        &[&customer.id, &record.ext_source_system_audit.last_updated_date, &content],
    );
    Ok(record)
}

fn gender(row: &Obj) -> R<Option<&'static str>> {
    let Some(g) = row.str("gender")? else {
        return Ok(None);
    };
    match g.as_str() {
        "0" => Ok(None),
        "1" => Ok(Some("male")),
        "2" => Ok(Some("female")),
        "3" => Ok(Some("not_specified")),
        other => Err(problem(
            &row.field_path("gender"),
            format!("{other:?} is not a Magento gender (1 male, 2 female, 3 not specified)"),
        )),
    }
}
