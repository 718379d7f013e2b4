//! The request's PHP arrays as the mapping reads them: `mapping::source::Node` over zvals and
//! zend strings, in place, nothing copied. Also the owned copy (`from_array`) that settings and
//! destinations are parsed from. Neither can panic: keys that are not UTF-8, invalid strings,
//! references, objects and self-containing arrays all come out as values the mapping names.

use ext_php_rs::ffi::{
    zend_hash_index_find, zend_hash_str_find, Bucket, IS_ARRAY, IS_DOUBLE, IS_FALSE, IS_INDIRECT, IS_LONG, IS_NULL,
    IS_OBJECT, IS_REFERENCE, IS_RESOURCE, IS_STRING, IS_TRUE, IS_UNDEF,
};
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

    /// The value itself: behind an indirection (symbol tables such as `$GLOBALS`) and then
    /// behind a reference, with its type byte. Read here rather than through ext-php-rs's
    /// accessors, which each check the type again in a call of their own.
    fn resolved(&self) -> (&Zval, u32) {
        let mut zval = &self.0;
        for follow in [IS_INDIRECT, IS_REFERENCE] {
            if type_of(zval) == follow {
                // SAFETY: the type byte says which union member is valid: an indirect zval
                // points to another zval, a reference to a `zend_reference` holding one; both
                // live as long as the borrowed array that holds this value.
                zval = unsafe {
                    if follow == IS_INDIRECT {
                        &*zval.value.zv.cast::<Zval>()
                    } else {
                        &(*zval.value.ref_).val
                    }
                };
            }
        }
        (zval, type_of(zval))
    }

    fn array(&self) -> Option<&PhpArray> {
        match self.resolved() {
            // SAFETY: an array zval's `arr` is its live table, borrowed with the value.
            (zval, IS_ARRAY) => Some(PhpArray::of(unsafe { &*zval.value.arr })),
            _ => None,
        }
    }
}

fn type_of(zval: &Zval) -> u32 {
    // SAFETY: `u1.v.type_` is the type byte of every zval, always initialised.
    u32::from(unsafe { zval.u1.v.type_ })
}

/// Asks the CPU to start loading an array's hash slots and first members, so that the lookups
/// that follow find them in cache. The mapping takes the arrays of a list (an order's items)
/// one after the other: their loads overlap instead of each lookup waiting for memory in turn,
/// which is where the reading time went (`perf annotate` of `zend_hash_str_find`). Other
/// architectures simply wait.
#[cfg_attr(not(target_arch = "x86_64"), allow(unused_variables))]
fn prefetch(table: &ZendHashTable) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        const LINE: usize = 64;
        /// One kilobyte: the hash slots and members of any item row; larger arrays are read
        /// mostly in order anyway.
        const MOST: usize = 16 * LINE;
        // SAFETY: reading the plain header fields of a live table.
        let (data, mask, used) = unsafe { (table.__bindgen_anon_1.arData.cast::<u8>(), table.nTableMask, table.nNumUsed) };
        // The hash slots (`-nTableMask` u32 words) sit just below the members.
        let hash_bytes = (mask as i32).unsigned_abs() as usize * 4;
        let bytes = (hash_bytes + used as usize * std::mem::size_of::<Bucket>()).min(MOST);
        let start = data.wrapping_sub(hash_bytes);
        for offset in (0..bytes).step_by(LINE) {
            // SAFETY: a prefetch is a hint: it never faults and changes no state, whatever
            // the address.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(start.wrapping_add(offset).cast::<i8>()) };
        }
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
            if type_of(&bucket.val) == IS_UNDEF {
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
        let (zval, type_byte) = self.resolved();
        match type_byte {
            IS_UNDEF | IS_NULL => Kind::Null,
            IS_FALSE => Kind::Bool(false),
            IS_TRUE => Kind::Bool(true),
            // SAFETY: the type byte says `lval` is the valid member.
            IS_LONG => Kind::Int(unsafe { zval.value.lval }),
            // SAFETY: the type byte says `dval` is the valid member.
            IS_DOUBLE => Kind::Float(unsafe { zval.value.dval }),
            IS_STRING => {
                // SAFETY: the type byte says `str_` is the valid member: a live zend_string of
                // `len` bytes at `val`, unchanged while the array holding it is borrowed.
                let bytes = unsafe {
                    let s = &*zval.value.str_;
                    std::slice::from_raw_parts(s.val.as_ptr().cast::<u8>(), s.len)
                };
                match std::str::from_utf8(bytes) {
                    Ok(s) => Kind::Str(s),
                    Err(_) => Kind::Unusable(Unusable::InvalidUtf8),
                }
            }
            IS_ARRAY => {
                // SAFETY: the type byte says `arr` is the valid member, a live table.
                prefetch(unsafe { &*zval.value.arr });
                Kind::Array
            }
            IS_OBJECT => Kind::Unusable(Unusable::Object),
            IS_RESOURCE => Kind::Unusable(Unusable::Other("a PHP resource")),
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
