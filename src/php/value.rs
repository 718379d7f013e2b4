//! The request's PHP arrays as the mapping reads them: `mapping::source::Node` over zvals and
//! zend strings, in place, nothing copied. Also the owned copy (`from_array`) that settings and
//! destinations are parsed from. Neither can panic: keys that are not UTF-8, invalid strings,
//! references, objects and self-containing arrays all come out as values the mapping names.

use ext_php_rs::ffi::{zend_hash_index_find, zend_hash_str_find, Bucket};
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
        // Numeric text finds the integer key, as `$array["7"]` does in PHP; ext-php-rs handles
        // that case. The mapping's own keys are names: one engine lookup, nothing else.
        if key.as_bytes().first().is_none_or(|b| b.is_ascii_digit() || *b == b'-') {
            return self.0.get(key).map(|z| PhpValue::of(z) as &dyn Node);
        }
        // SAFETY: the table is a live array borrowed for `&self`; the engine reads `key.len()`
        // bytes of `key` and returns null or a pointer to a value inside the table, which is
        // not modified while borrowed.
        let found = unsafe { zend_hash_str_find(&self.0, key.as_ptr().cast(), key.len()) };
        // SAFETY: as above, a non-null result points into the borrowed table.
        unsafe { found.as_ref() }.map(|z| PhpValue::of(z) as &dyn Node)
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// Reads the table's storage directly: a scan over its slots, no key copied. Deleted
    /// slots are skipped, as the engine's iteration does.
    fn entry_from(&self, at: usize) -> Option<(usize, Key<'_>, &dyn Node)> {
        let table = &self.0;
        let used = table.nNumUsed as usize;
        // SAFETY: `u.flags` is the flags word of every array.
        if unsafe { table.u.flags } & HASH_FLAG_PACKED != 0 {
            // A packed array (a list) keeps the member with key `k` in slot `k`; its slot
            // layout differs between PHP versions, so the engine reads it.
            return (at..used).find_map(|pos| {
                // SAFETY: the table is live and borrowed for `&self`; the engine returns null
                // for an empty slot or a pointer to a value inside the table.
                let found = unsafe { zend_hash_index_find(table, pos as u64) };
                // SAFETY: as above, a non-null result points into the borrowed table.
                unsafe { found.as_ref() }.map(|z| (pos + 1, Key::Index(pos as i64), PhpValue::of(z) as &dyn Node))
            });
        }
        for pos in at..used {
            // SAFETY: a hashed array's storage is `nNumUsed` buckets at `arData` (the same
            // layout in every PHP 8), alive and unchanged while the table is borrowed.
            let bucket: &Bucket = unsafe { &*table.__bindgen_anon_1.arData.add(pos) };
            if bucket.val.get_type() == DataType::Undef {
                continue;
            }
            let key = if bucket.key.is_null() {
                Key::Index(bucket.h as i64)
            } else {
                // SAFETY: a non-null bucket key is the bucket's zend_string, which the table
                // keeps alive and unchanged while borrowed; its `len` bytes start at `val`.
                let bytes: &[u8] = unsafe {
                    let name = &*bucket.key;
                    std::slice::from_raw_parts(name.val.as_ptr().cast::<u8>(), name.len)
                };
                match std::str::from_utf8(bytes) {
                    Ok(name) => Key::Name(name),
                    Err(_) => Key::Bytes(bytes),
                }
            };
            return Some((pos + 1, key, PhpValue::of(&bucket.val)));
        }
        None
    }
}

/// `HASH_FLAG_PACKED` of `zend_hash.h` (the same bit in every PHP 8).
const HASH_FLAG_PACKED: u32 = 1 << 2;

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
