//! `productListItems[]`: one line per product the shopper ordered. A configurable product is
//! its parent line (which carries the chosen child's SKU) with the chosen options; a bundle is
//! its parent line with its parts as options. Children are never lines of their own when their
//! parent is present, so nothing is counted twice.

use super::fields;
use super::read::{problem, Obj, R};
use super::xdm::{Category, ProductListItem, ReturnItem, SelectedOption};
use super::MapSettings;

/// The order's items, indexed for the document events that refer to them by `order_item_id`.
pub struct OrderItems<'a> {
    items: Vec<OrderItem<'a>>,
}

struct OrderItem<'a> {
    id: Option<String>,
    parent: Option<String>,
    row: Obj<'a>,
}

impl<'a> OrderItems<'a> {
    pub fn read(order: &Obj<'a>) -> R<OrderItems<'a>> {
        let items = order
            .list("items")?
            .into_iter()
            .map(|row| {
                Ok(OrderItem {
                    id: row.str("item_id")?,
                    parent: row.str("parent_item_id")?,
                    row,
                })
            })
            .collect::<R<Vec<_>>>()?;
        Ok(OrderItems { items })
    }

    fn find(&self, item_id: &str) -> Option<&OrderItem<'a>> {
        self.items.iter().find(|i| i.id.as_deref() == Some(item_id))
    }

    fn children_of(&self, item_id: &str) -> Vec<&Obj<'a>> {
        self.items
            .iter()
            .filter(|i| i.parent.as_deref() == Some(item_id))
            .map(|i| &i.row)
            .collect()
    }

    /// Items that are lines of their own: those whose parent is not in the order.
    fn top_level(&self) -> impl Iterator<Item = &OrderItem<'a>> {
        self.items.iter().filter(|i| match &i.parent {
            Some(parent) => self.find(parent).is_none(),
            None => true,
        })
    }

    /// Every ordered product as a line (orderPlaced, historicalOrder).
    pub fn lines(&self, currency: &str, settings: &MapSettings) -> R<Vec<ProductListItem>> {
        let mut lines = Vec::new();
        for item in self.top_level() {
            let mut line = self.line(item, currency, settings)?;
            let row = &item.row;
            line.quantity = row.quantity("qty_ordered")?;
            line.price_total = row.decimal("row_total")?;
            line.discount_amount = row.decimal("discount_amount")?.map(f64::abs);
            lines.push(line);
        }
        Ok(lines)
    }

    /// `qty_shipped` of each line `lines()` returns, in the same order.
    pub fn shipped_quantities(&self) -> R<Vec<Option<i64>>> {
        self.top_level().map(|i| i.row.quantity("qty_shipped")).collect()
    }

    /// The parts of a line that do not depend on the document: identity, options, categories,
    /// image, custom attributes.
    fn line(&self, order_item: &OrderItem, currency: &str, settings: &MapSettings) -> R<ProductListItem> {
        let item = &order_item.row;
        let item_id = order_item.id.clone();
        let children = match &item_id {
            Some(id) => self.children_of(id),
            None => Vec::new(),
        };
        let product_type = item.str("product_type")?;
        // A configurable parent row normally already holds the child's SKU; take the child's
        // when a payload gives the parent's own.
        let sku = match (product_type.as_deref(), children.first()) {
            (Some("configurable"), Some(child)) => match child.str("sku")? {
                Some(sku) => sku,
                None => item.req_str("sku")?,
            },
            _ => item.req_str("sku")?,
        };
        let mut selected_options = selected_options(item)?;
        if product_type.as_deref() == Some("bundle") && selected_options.is_empty() {
            for child in &children {
                let qty = child.quantity("qty_ordered")?.unwrap_or(1);
                let part = child.str("sku")?.or(child.str("name")?);
                if let Some(part) = part {
                    selected_options.push(SelectedOption {
                        attribute: child.str("name")?.unwrap_or_else(|| part.clone()),
                        value: format!("{qty} x {part}"),
                    });
                }
            }
        }
        Ok(ProductListItem {
            id: item_id,
            sku,
            name: item.str("name")?,
            currency_code: Some(currency.to_string()),
            product_image_url: item.str("image_url")?,
            selected_options,
            product_categories: categories(item)?,
            custom: fields::custom_attributes(item, settings)?,
            ..ProductListItem::default()
        })
    }

    /// Lines for a document's items (invoice, shipment, credit memo, RMA), each enriched from
    /// the order line it refers to. A child item is skipped when its parent is in the same
    /// document.
    pub fn document_lines(
        &self,
        doc: &Obj<'a>,
        currency: &str,
        settings: &MapSettings,
        mut fill: impl FnMut(&Obj<'a>, &mut ProductListItem) -> R<()>,
    ) -> R<Vec<ProductListItem>> {
        let doc_items = doc.list("items")?;
        let in_doc: Vec<Option<String>> = doc_items
            .iter()
            .map(|i| i.str("order_item_id"))
            .collect::<R<_>>()?;
        let mut lines = Vec::new();
        for doc_item in &doc_items {
            let order_item = match doc_item.str("order_item_id")? {
                Some(id) => self.find(&id),
                None => None,
            };
            if let Some(parent) = order_item.and_then(|i| i.parent.as_deref()) {
                if in_doc.iter().any(|id| id.as_deref() == Some(parent)) {
                    continue;
                }
            }
            let mut line = match order_item {
                Some(order_item) => {
                    let mut line = self.line(order_item, currency, settings)?;
                    if let Some(sku) = doc_item.str("sku")? {
                        if order_item.row.str("product_type")?.as_deref() != Some("configurable") {
                            line.sku = sku;
                        }
                    }
                    line
                }
                None => ProductListItem {
                    id: doc_item.str("order_item_id")?,
                    sku: doc_item.req_str("sku")?,
                    name: doc_item.str("name")?,
                    currency_code: Some(currency.to_string()),
                    ..ProductListItem::default()
                },
            };
            fill(doc_item, &mut line)?;
            lines.push(line);
        }
        Ok(lines)
    }
}

/// The quantity, total and discount of an invoice, shipment or credit memo item.
pub fn fill_amounts(doc_item: &Obj, line: &mut ProductListItem) -> R<()> {
    line.quantity = doc_item.quantity("qty")?;
    let row_total = match doc_item.decimal("row_total")? {
        Some(total) => Some(total),
        None => match (doc_item.decimal("price")?, doc_item.decimal("qty")?) {
            (Some(price), Some(qty)) => Some(((price * qty) * 10_000.0).round() / 10_000.0),
            _ => None,
        },
    };
    line.price_total = row_total;
    line.discount_amount = doc_item.decimal("discount_amount")?.map(f64::abs);
    Ok(())
}

pub fn fill_return(doc_item: &Obj, line: &mut ProductListItem) -> R<()> {
    line.quantity = doc_item.quantity("qty_requested")?;
    let item = ReturnItem {
        return_status: doc_item.str("status")?,
        return_reason: doc_item.str("reason")?,
        return_item_condition: doc_item.str("condition")?,
        return_resolution: doc_item.str("resolution")?,
        return_quantity_requested: doc_item.quantity("qty_requested")?,
        return_quantity_authorized: doc_item.quantity("qty_authorized")?,
        return_quantity_received: doc_item.quantity("qty_returned")?,
        return_quantity_approved: doc_item.quantity("qty_approved")?,
    };
    line.return_item = Some(item);
    Ok(())
}

fn selected_options(item: &Obj) -> R<Vec<SelectedOption>> {
    let Some(options) = item.child("product_options")? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for info in options.list("attributes_info")? {
        if let (Some(attribute), Some(value)) = (info.str("label")?, info.str("value")?) {
            out.push(SelectedOption { attribute, value });
        }
    }
    for option in options.list("bundle_options")? {
        let label = option.str("label")?;
        for part in option.list("value")? {
            let Some(title) = part.str("title")? else { continue };
            let qty = part.quantity("qty")?.unwrap_or(1);
            out.push(SelectedOption {
                attribute: label.clone().unwrap_or_else(|| title.clone()),
                value: format!("{qty} x {title}"),
            });
        }
    }
    for option in options.list("options")? {
        if let (Some(attribute), Some(value)) = (option.str("label")?, option.str("print_value")?.or(option.str("value")?)) {
            out.push(SelectedOption { attribute, value });
        }
    }
    Ok(out)
}

fn categories(item: &Obj) -> R<Vec<Category>> {
    item.list("categories")?
        .iter()
        .map(|c| {
            let category = Category {
                category_id: c.str("id")?,
                category_name: c.str("name")?,
                category_path: c.str("path")?,
            };
            if category.category_id.is_none() && category.category_name.is_none() && category.category_path.is_none() {
                return Err(problem(&c.path, "a category needs an id, a name or a path"));
            }
            Ok(category)
        })
        .collect()
}
