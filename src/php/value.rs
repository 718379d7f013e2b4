//! Zval → payload tree conversion. Runs on the PHP thread; the result owns all its data.

use ext_php_rs::types::{ArrayKey, ZendHashTable, Zval};

use crate::mapping::Value;

/// Deeper than any Magento payload; also stops self-referencing arrays.
const MAX_DEPTH: usize = 16;
/// Nodes in one payload; a 1 000-item order with categories stays far below.
const MAX_NODES: usize = 200_000;

pub fn from_array(array: &ZendHashTable) -> Value {
    let mut budget = MAX_NODES;
    convert_array(array, 0, &mut budget)
}

fn convert(zval: &Zval, depth: usize, budget: &mut usize) -> Value {
    if *budget == 0 {
        return Value::Unsupported(format!("an array with more than {MAX_NODES} values"));
    }
    *budget -= 1;
    let zval = zval.dereference();
    if zval.is_null() {
        return Value::Null;
    }
    if let Some(b) = zval.bool() {
        return Value::Bool(b);
    }
    if let Some(i) = zval.long() {
        return Value::Int(i);
    }
    if let Some(f) = zval.double() {
        return Value::Float(f);
    }
    if zval.is_string() {
        return match zval.zend_str().map(|s| std::str::from_utf8(s.as_bytes())) {
            Some(Ok(s)) => Value::Str(s.to_string()),
            _ => Value::Unsupported("a string that is not valid UTF-8".to_string()),
        };
    }
    if let Some(array) = zval.array() {
        return convert_array(array, depth, budget);
    }
    if zval.is_object() {
        return Value::Unsupported("an object".to_string());
    }
    Value::Unsupported(format!("a PHP {}", zval.get_type()))
}

fn convert_array(array: &ZendHashTable, depth: usize, budget: &mut usize) -> Value {
    if depth >= MAX_DEPTH {
        return Value::Unsupported(format!("an array nested deeper than {MAX_DEPTH} levels"));
    }
    // One pass: values are converted as they come; the array is a list while its keys are
    // exactly 0, 1, 2, ... (integer keys are only turned into text if it turns out not to be).
    let mut keys: Vec<Option<String>> = Vec::with_capacity(array.len());
    let mut values = Vec::with_capacity(array.len());
    let mut sequential = true;
    for (position, (key, value)) in array.iter().enumerate() {
        let key = match key {
            ArrayKey::Long(i) => {
                sequential &= i == position as i64;
                keys.push(None);
                Some(i)
            }
            ArrayKey::String(s) => {
                sequential = false;
                keys.push(Some(s));
                None
            }
            ArrayKey::Str(s) => {
                sequential = false;
                keys.push(Some(s.to_string()));
                None
            }
            ArrayKey::ZendString(s) => {
                sequential = false;
                keys.push(Some(s.as_str().map(str::to_string).unwrap_or_else(|_| String::from_utf8_lossy(s.as_bytes()).into_owned())));
                None
            }
        };
        if let (Some(i), Some(slot)) = (key, keys.last_mut()) {
            if !sequential {
                *slot = Some(i.to_string());
            }
        }
        values.push(convert(value, depth + 1, budget));
    }
    if sequential {
        return Value::List(values);
    }
    Value::Map(
        keys.into_iter()
            .zip(values)
            .enumerate()
            .map(|(position, (key, value))| (key.unwrap_or_else(|| position.to_string()), value))
            .collect(),
    )
}
