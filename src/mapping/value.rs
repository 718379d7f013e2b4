//! The payload tree: an owned, PHP-independent copy of the array handed to the extension.

/// One node of a PHP payload array, converted on the PHP thread so the mapping (and any
/// thread) can read it without touching Zend memory.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A PHP array whose keys are exactly 0..n in order.
    List(Vec<Value>),
    /// Any other PHP array; integer keys are kept as their decimal text.
    Map(Vec<(String, Value)>),
    /// A PHP value the mapping cannot use (object, resource, invalid UTF-8, nesting too deep);
    /// kept as a description so reading the field yields an error naming it.
    Unsupported(String),
}

impl Value {
    /// What a value is, in the words of an error message.
    pub fn describe(&self) -> String {
        match self {
            Value::Null => "null".to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Str(s) => {
                let mut shown: String = s.chars().take(40).collect();
                if shown.len() < s.len() {
                    shown.push('…');
                }
                format!("{shown:?}")
            }
            Value::List(_) => "a list".to_string(),
            Value::Map(_) => "an array".to_string(),
            Value::Unsupported(what) => what.clone(),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// The same tree from JSON (tests, benchmarks and fixtures describe payloads as JSON): whole
/// numbers become `Int`, objects `Map` in their order, arrays `List`.
impl From<&serde_json::Value> for Value {
    fn from(v: &serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => n.as_i64().map(Value::Int).unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or(0.0))),
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(a) => Value::List(a.iter().map(Value::from).collect()),
            serde_json::Value::Object(o) => Value::Map(o.iter().map(|(k, v)| (k.clone(), Value::from(v))).collect()),
        }
    }
}
