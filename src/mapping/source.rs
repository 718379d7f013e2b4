//! What the mapping reads: a PHP-shaped value tree seen through a small trait, so the PHP
//! boundary can hand over the request's own array (zvals and zend strings, read where they lie)
//! while tests and benchmarks hand over plain data (`Value`). Nothing here knows PHP.

use super::value::Value;

/// Deeper than any Magento payload; also stops arrays that contain themselves by reference.
/// `Unusable::TooDeep` says the number in words.
pub const MAX_DEPTH: usize = 16;

/// One node of a payload: a scalar, a string, an array, or something the mapping cannot use.
pub trait Node {
    fn kind(&self) -> Kind<'_>;
    /// The member named `key` of an array; `None` when absent or when this is no array.
    fn get(&self, key: &str) -> Option<&dyn Node>;
    /// Number of members of an array (0 for anything else).
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The first member at or after storage position `at`, with the position after it. Arrays
    /// may have holes (deleted members), so positions are the implementation's, not indexes.
    fn entry_from(&self, at: usize) -> Option<(usize, Key<'_>, &dyn Node)>;
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Array,
    Unusable(Unusable<'a>),
}

/// Values that exist in PHP but have no meaning in a payload; reading one names the field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unusable<'a> {
    Object,
    /// An array below `MAX_DEPTH` levels of arrays.
    TooDeep,
    InvalidUtf8,
    /// Any other PHP type (resource, closure...), by name.
    Other(&'a str),
}

impl Unusable<'_> {
    pub fn describe(&self) -> &str {
        match self {
            Unusable::Object => "an object",
            Unusable::TooDeep => "an array nested deeper than 16 levels",
            Unusable::InvalidUtf8 => "a string that is not valid UTF-8",
            Unusable::Other(what) => what,
        }
    }
}

/// An array key. PHP keys are integers or byte strings; a byte string that is not UTF-8 can
/// only be shown, never matched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Key<'a> {
    Index(i64),
    Name(&'a str),
    Bytes(&'a [u8]),
}

/// The members of an array in order.
pub struct Entries<'a> {
    node: &'a dyn Node,
    at: usize,
}

impl<'a> Iterator for Entries<'a> {
    type Item = (Key<'a>, &'a dyn Node);

    fn next(&mut self) -> Option<Self::Item> {
        let (next, key, value) = self.node.entry_from(self.at)?;
        self.at = next;
        Some((key, value))
    }
}

pub fn entries(node: &dyn Node) -> Entries<'_> {
    Entries { node, at: 0 }
}

/// PHP cannot tell a list from a map except by its keys: 0, 1, 2, ... in order.
pub fn is_list(node: &dyn Node) -> bool {
    node.kind() == Kind::Array
        && entries(node)
        .enumerate()
        .all(|(i, (key, _))| key == Key::Index(i as i64))
}

impl Node for Value {
    fn kind(&self) -> Kind<'_> {
        match self {
            Value::Null => Kind::Null,
            Value::Bool(b) => Kind::Bool(*b),
            Value::Int(i) => Kind::Int(*i),
            Value::Float(f) => Kind::Float(*f),
            Value::Str(s) => Kind::Str(s),
            Value::List(_) | Value::Map(_) => Kind::Array,
            Value::Unsupported(what) => Kind::Unusable(match what.as_str() {
                "an object" => Unusable::Object,
                "a string that is not valid UTF-8" => Unusable::InvalidUtf8,
                "an array nested deeper than 16 levels" => Unusable::TooDeep,
                other => Unusable::Other(other),
            }),
        }
    }

    fn get(&self, key: &str) -> Option<&dyn Node> {
        match self {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v as &dyn Node),
            _ => None,
        }
    }

    fn len(&self) -> usize {
        match self {
            Value::List(items) => items.len(),
            Value::Map(entries) => entries.len(),
            _ => 0,
        }
    }

    fn entry_from(&self, at: usize) -> Option<(usize, Key<'_>, &dyn Node)> {
        match self {
            Value::List(items) => items.get(at).map(|v| (at + 1, Key::Index(at as i64), v as &dyn Node)),
            Value::Map(entries) => entries.get(at).map(|(k, v)| (at + 1, Key::Name(k), v as &dyn Node)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_deep_names_the_limit() {
        assert!(Unusable::TooDeep.describe().contains(&format!(" {MAX_DEPTH} ")));
    }

    #[test]
    fn lists_are_told_from_maps_by_their_keys() {
        assert!(is_list(&Value::List(vec![Value::Null, Value::Int(1)])));
        assert!(is_list(&Value::List(Vec::new())));
        assert!(!is_list(&Value::Map(vec![("0".to_string(), Value::Null)])));
        assert!(!is_list(&Value::Str("x".to_string())));
    }
}
