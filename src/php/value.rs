//! The request's PHP arrays as the mapping reads them: `mapping::source::Node` over zvals and
//! zend strings, in place, nothing copied. Also the owned copy (`from_array`) that settings and
//! destinations are parsed from. Neither can panic: keys that are not UTF-8, invalid strings,
//! references, objects and self-containing arrays all come out as values the mapping names.

use ext_php_rs::ffi::{
    zend_hash_get_current_data_ex, zend_hash_get_current_key_zval_ex, zend_hash_move_forward_ex, HashPosition,
};
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ZendHashTable, Zval};

use crate::mapping::source::{self, Key, Kind, Node, Unusable};
use crate::mapping::{Value, MAX_DEPTH};

/// A PHP array read in place.
#[repr(transparent)]
pub struct PhpArray(ZendHashTable);

/// A PHP value read in place (references are followed).
#[repr(transparent)]
pub struct PhpValue(Zval);

impl PhpArray {
    pub fn of(array: &ZendHashTable) -> &PhpArray {
        // SAFETY: `PhpArray` is `repr(transparent)` over `ZendHashTable`, so the pointer cast
        // keeps layout, alignment and the borrow's lifetime.
        unsafe { &*(array as *const ZendHashTable).cast::<PhpArray>() }
    }
}

impl PhpValue {
    fn of(zval: &Zval) -> &PhpValue {
        // SAFETY: `PhpValue` is `repr(transparent)` over `Zval`; same layout and lifetime.
        unsafe { &*(zval as *const Zval).cast::<PhpValue>() }
    }

    fn array(&self) -> Option<&PhpArray> {
        self.0.dereference().array().map(PhpArray::of)
    }
}

impl Node for PhpArray {
    fn kind(&self) -> Kind<'_> {
        Kind::Array
    }

    fn get(&self, key: &str) -> Option<&dyn Node> {
        // A hash lookup; numeric text finds the integer key, as `$array["7"]` does in PHP.
        self.0.get(key).map(|z| PhpValue::of(z) as &dyn Node)
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn entry_from(&self, at: usize) -> Option<(usize, Key<'_>, &dyn Node)> {
        let mut pos = HashPosition::try_from(at).ok()?;
        let table: *const ZendHashTable = &self.0;
        let mut key = Zval::new();
        // SAFETY: `table` is a live array borrowed for `&self`; the engine's position API
        // skips deleted slots and returns null past the end. The data pointer points into the
        // table, which is not modified while borrowed.
        let value = unsafe {
            let data = zend_hash_get_current_data_ex(table.cast_mut(), &mut pos);
            if data.is_null() {
                return None;
            }
            zend_hash_get_current_key_zval_ex(table, &mut key, &pos);
            zend_hash_move_forward_ex(table.cast_mut(), &mut pos);
            &*data
        };
        let key = match key.long() {
            Some(index) => Key::Index(index),
            None => match key.zend_str() {
                Some(name) => {
                    let bytes = name.as_bytes();
                    // SAFETY: the key is the bucket's own zend_string; `key` only holds one
                    // more reference to it. The bucket keeps it alive, unchanged, for as long
                    // as the table is borrowed, which is the lifetime given here.
                    let bytes: &[u8] = unsafe { std::slice::from_raw_parts(bytes.as_ptr(), bytes.len()) };
                    match std::str::from_utf8(bytes) {
                        Ok(name) => Key::Name(name),
                        Err(_) => Key::Bytes(bytes),
                    }
                }
                None => Key::Index(at as i64),
            },
        };
        Some((pos as usize, key, PhpValue::of(value)))
    }
}

impl Node for PhpValue {
    fn kind(&self) -> Kind<'_> {
        let zval = self.0.dereference();
        match zval.get_type() {
            DataType::Null | DataType::Undef => Kind::Null,
            DataType::False => Kind::Bool(false),
            DataType::True => Kind::Bool(true),
            DataType::Long => zval.long().map_or(Kind::Null, Kind::Int),
            DataType::Double => zval.double().map_or(Kind::Null, Kind::Float),
            DataType::String => match zval.zend_str().map(|s| std::str::from_utf8(s.as_bytes())) {
                Some(Ok(s)) => Kind::Str(s),
                _ => Kind::Unusable(Unusable::InvalidUtf8),
            },
            DataType::Array => Kind::Array,
            DataType::Object(_) => Kind::Unusable(Unusable::Object),
            DataType::Resource => Kind::Unusable(Unusable::Other("a PHP resource")),
            _ => Kind::Unusable(Unusable::Other("a PHP value of another type")),
        }
    }

    fn get(&self, key: &str) -> Option<&dyn Node> {
        self.array()?.get(key)
    }

    fn len(&self) -> usize {
        self.array().map_or(0, |a| a.0.len())
    }

    fn entry_from(&self, at: usize) -> Option<(usize, Key<'_>, &dyn Node)> {
        self.array()?.entry_from(at)
    }
}

/// Nodes in one owned copy; a 1 000-item order with categories stays far below.
const MAX_NODES: usize = 200_000;

/// An owned copy of a PHP array, for the settings and destination parsers.
pub fn from_array(array: &ZendHashTable) -> Value {
    let mut budget = MAX_NODES;
    convert(PhpArray::of(array), 0, &mut budget)
}

fn convert(node: &dyn Node, depth: usize, budget: &mut usize) -> Value {
    if *budget == 0 {
        return Value::Unsupported(format!("an array with more than {MAX_NODES} values"));
    }
    *budget -= 1;
    match node.kind() {
        Kind::Null => Value::Null,
        Kind::Bool(b) => Value::Bool(b),
        Kind::Int(i) => Value::Int(i),
        Kind::Float(f) => Value::Float(f),
        Kind::Str(s) => Value::Str(s.to_string()),
        Kind::Unusable(u) => Value::Unsupported(u.describe().to_string()),
        Kind::Array if depth >= MAX_DEPTH => Value::Unsupported(Unusable::TooDeep.describe().to_string()),
        Kind::Array if source::is_list(node) => {
            Value::List(source::entries(node).map(|(_, v)| convert(v, depth + 1, budget)).collect())
        }
        Kind::Array => Value::Map(
            source::entries(node)
                .map(|(k, v)| {
                    let key = match k {
                        Key::Index(i) => i.to_string(),
                        Key::Name(s) => s.to_string(),
                        Key::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                    };
                    (key, convert(v, depth + 1, budget))
                })
                .collect(),
        ),
    }
}
