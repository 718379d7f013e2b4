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
    if array.has_sequential_keys() {
        return Value::List(
            array
                .iter()
                .map(|(_, v)| convert(v, depth + 1, budget))
                .collect(),
        );
    }
    Value::Map(
        array
            .iter()
            .map(|(k, v)| {
                let key = match k {
                    ArrayKey::Long(i) => i.to_string(),
                    ArrayKey::String(s) => s,
                    ArrayKey::Str(s) => s.to_string(),
                    ArrayKey::ZendString(s) => s.as_str().map(str::to_string).unwrap_or_else(|_| String::from_utf8_lossy(s.as_bytes()).into_owned()),
                };
                (key, convert(v, depth + 1, budget))
            })
            .collect(),
    )
}
