//! `productListItems[]`: one line per product the shopper ordered. A configurable product is
//! its parent line (which carries the chosen child's SKU) with the chosen options; a bundle is
//! its parent line with its parts as options. Children are never lines of their own when their
//! parent is present, so nothing is counted twice.

use std::borrow::Cow;

use super::fields;
use super::read::{Obj, Text};
use super::xdm::{Category, ProductListItem, ReturnItem, SelectedOption};
use super::MapSettings;

/// The order's items, indexed for the document events that refer to them by `order_item_id`.
pub struct OrderItems<'a> {
    items: Vec<OrderItem<'a>>,
}

struct OrderItem<'a> {
    id: Option<Text<'a>>,
    parent: Option<Text<'a>>,
    row: Obj<'a>,
}

/// What every line of one document shares.
pub struct LineContext<'a> {
    pub currency: &'a str,
    pub settings: &'a MapSettings,
}

impl<'a> OrderItems<'a> {
    pub fn read(order: &Obj<'a>) -> OrderItems<'a> {
        let items = order
            .list("items")
            .into_iter()
            .map(|row| OrderItem {
                id: row.str("item_id"),
                parent: row.str("parent_item_id"),
                row,
            })
            .collect();
        OrderItems { items }
    }

    fn find(&self, item_id: &str) -> Option<&OrderItem<'a>> {
        self.items.iter().find(|i| i.id.as_deref() == Some(item_id))
    }

    fn children_of(&self, item_id: &str) -> impl Iterator<Item = &Obj<'a>> + '_ {
        let item_id = item_id.to_owned();
        self.items
            .iter()
            .filter(move |i| i.parent.as_deref() == Some(item_id.as_str()))
            .map(|i| &i.row)
    }

    /// Items that are lines of their own: those whose parent is not in the order.
    fn top_level(&self) -> impl Iterator<Item = &OrderItem<'a>> {
        self.items.iter().filter(|i| match &i.parent {
            Some(parent) => self.find(parent).is_none(),
            None => true,
        })
    }

    /// Every ordered product as a line (orderPlaced, historicalOrder).
    pub fn lines(&self, cx: &LineContext<'a>) -> Vec<ProductListItem<'a>> {
        let mut lines = Vec::with_capacity(self.items.len());
        for item in self.top_level() {
            let mut line = self.line(item, cx);
            let row = &item.row;
            line.quantity = row.quantity("qty_ordered");
            line.price_total = row.decimal("row_total");
            line.discount_amount = row.decimal("discount_amount").map(f64::abs);
            lines.push(line);
        }
        lines
    }

    /// `qty_shipped` of each line `lines()` returns, in the same order.
    pub fn shipped_quantities(&self) -> Vec<Option<i64>> {
        self.top_level().map(|i| i.row.quantity("qty_shipped")).collect()
    }

    /// The parts of a line that do not depend on the document: identity, options, categories,
    /// image, custom attributes.
    fn line(&self, order_item: &OrderItem<'a>, cx: &LineContext<'a>) -> ProductListItem<'a> {
        let item = &order_item.row;
        let product_type = item.str("product_type");
        let first_child = match &order_item.id {
            Some(id) if product_type.as_deref() == Some("configurable") => self.children_of(id).next().copied(),
            _ => None,
        };
        // A configurable parent row normally already holds the child's SKU; take the child's
        // when a payload gives the parent's own.
        let sku = match first_child.and_then(|child| child.str("sku")) {
            Some(sku) => sku,
            None => item.req_str("sku"),
        };
        let mut selected_options = selected_options(item);
        if product_type.as_deref() == Some("bundle") && selected_options.is_empty() {
            if let Some(id) = &order_item.id {
                for child in self.children_of(id) {
                    let qty = child.quantity("qty_ordered").unwrap_or(1);
                    let part = child.str("sku").or_else(|| child.str("name"));
                    if let Some(part) = part {
                        selected_options.push(SelectedOption {
                            attribute: child.str("name").unwrap_or_else(|| part.clone()),
                            value: Cow::Owned(format!("{qty} x {part}")),
                        });
                    }
                }
            }
        }
        ProductListItem {
            id: order_item.id.clone(),
            sku,
            name: item.str("name"),
            currency_code: Some(cx.currency),
            product_image_url: item.str("image_url"),
            selected_options,
            product_categories: categories(item),
            custom: fields::custom_attributes(item, cx.settings),
            ..ProductListItem::default()
        }
    }

    /// Lines for a document's items (invoice, shipment, credit memo, RMA), each enriched from
    /// the order line it refers to. A child item is skipped when its parent is in the same
    /// document.
    pub fn document_lines(
        &self,
        doc: &Obj<'a>,
        cx: &LineContext<'a>,
        mut fill: impl FnMut(&Obj<'a>, &mut ProductListItem<'a>),
    ) -> Vec<ProductListItem<'a>> {
        let doc_items = doc.list("items");
        let in_doc: Vec<Option<Text<'a>>> = doc_items.iter().map(|i| i.str("order_item_id")).collect();
        let mut lines = Vec::with_capacity(doc_items.len());
        for (doc_item, order_item_id) in doc_items.iter().zip(&in_doc) {
            let order_item = order_item_id.as_deref().and_then(|id| self.find(id));
            if let Some(parent) = order_item.and_then(|i| i.parent.as_deref()) {
                if in_doc.iter().any(|id| id.as_deref() == Some(parent)) {
                    continue;
                }
            }
            let mut line = match order_item {
                Some(order_item) => {
                    let mut line = self.line(order_item, cx);
                    if let Some(sku) = doc_item.str("sku") {
                        if order_item.row.str("product_type").as_deref() != Some("configurable") {
                            line.sku = sku;
                        }
                    }
                    line
                }
                None => ProductListItem {
                    id: order_item_id.clone(),
                    sku: doc_item.req_str("sku"),
                    name: doc_item.str("name"),
                    currency_code: Some(cx.currency),
                    ..ProductListItem::default()
                },
            };
            fill(doc_item, &mut line);
            lines.push(line);
        }
        lines
    }
}

/// The quantity, total and discount of an invoice, shipment or credit memo item.
pub fn fill_amounts(doc_item: &Obj, line: &mut ProductListItem) {
    line.quantity = doc_item.quantity("qty");
    line.price_total = match doc_item.decimal("row_total") {
        Some(total) => Some(total),
        None => match (doc_item.decimal("price"), doc_item.decimal("qty")) {
            (Some(price), Some(qty)) => Some(((price * qty) * 10_000.0).round() / 10_000.0),
            _ => None,
        },
    };
    line.discount_amount = doc_item.decimal("discount_amount").map(f64::abs);
}

pub fn fill_return<'a>(doc_item: &Obj<'a>, line: &mut ProductListItem<'a>) {
    line.quantity = doc_item.quantity("qty_requested");
    line.return_item = Some(ReturnItem {
        return_status: doc_item.str("status"),
        return_reason: doc_item.str("reason"),
        return_item_condition: doc_item.str("condition"),
        return_resolution: doc_item.str("resolution"),
        return_quantity_requested: doc_item.quantity("qty_requested"),
        return_quantity_authorized: doc_item.quantity("qty_authorized"),
        return_quantity_received: doc_item.quantity("qty_returned"),
        return_quantity_approved: doc_item.quantity("qty_approved"),
    });
}

fn selected_options<'a>(item: &Obj<'a>) -> Vec<SelectedOption<'a>> {
    let Some(options) = item.child("product_options") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for info in options.list("attributes_info") {
        if let (Some(attribute), Some(value)) = (info.str("label"), info.str("value")) {
            out.push(SelectedOption { attribute, value });
        }
    }
    for option in options.list("bundle_options") {
        let label = option.str("label");
        for part in option.list("value") {
            let Some(title) = part.str("title") else { continue };
            let qty = part.quantity("qty").unwrap_or(1);
            out.push(SelectedOption {
                attribute: label.clone().unwrap_or_else(|| title.clone()),
                value: Cow::Owned(format!("{qty} x {title}")),
            });
        }
    }
    for option in options.list("options") {
        let attribute = option.str("label");
        let value = option.str("print_value").or_else(|| option.str("value"));
        if let (Some(attribute), Some(value)) = (attribute, value) {
            out.push(SelectedOption { attribute, value });
        }
    }
    out
}

fn categories<'a>(item: &Obj<'a>) -> Vec<Category<'a>> {
    let mut out = Vec::new();
    for c in item.list("categories") {
        let category = Category {
            category_id: c.str("id"),
            category_name: c.str("name"),
            category_path: c.str("path"),
        };
        if category.category_id.is_none() && category.category_name.is_none() && category.category_path.is_none() {
            c.cx().report(c.path(), "a category needs an id, a name or a path");
            continue;
        }
        out.push(category);
    }
    out
}
