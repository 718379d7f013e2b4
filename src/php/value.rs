//! Zval → payload tree conversion. Runs on the PHP thread; the result owns all its data.

use ext_php_rs::types::{ZendHashTable, Zval};

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
    // Keys are read as raw zvals: ext-php-rs's `ArrayKey` conversion panics on a key that is
    // not UTF-8, and such a key is the caller's mistake, to be reported, not a crash.
    let mut keys: Vec<Option<String>> = Vec::with_capacity(array.len());
    let mut values = Vec::with_capacity(array.len());
    let mut sequential = true;
    let mut entries = array.iter();
    let mut position = 0usize;
    while let Some((key, value)) = entries.next_zval() {
        match key.long() {
            Some(i) => {
                sequential &= i == position as i64;
                keys.push(if sequential { None } else { Some(i.to_string()) });
            }
            None => {
                sequential = false;
                keys.push(Some(key_text(&key)));
            }
        }
        values.push(convert(value, depth + 1, budget));
        position += 1;
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

/// A string key as text. A key that is not UTF-8 keeps its valid parts and shows each invalid
/// byte as U+FFFD, so it never equals a key the mapping or the settings look for, and an
/// "unknown key" message can still show where it was.
fn key_text(key: &Zval) -> String {
    key.zend_str()
        .map(|s| String::from_utf8_lossy(s.as_bytes()).into_owned())
        .unwrap_or_default()
}
