//! Path-aware readers over the payload tree: every value read either converts or yields a
//! problem that names the field path it came from.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::value::Value;

/// A problem with one field; the event name is added by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub problem: String,
}

pub type R<T> = Result<T, Problem>;

pub fn problem(path: &str, problem: impl Into<String>) -> Problem {
    Problem {
        path: path.to_string(),
        problem: problem.into(),
    }
}

/// Longer strings are not Magento data but a mistake (or an attack); the Edge would refuse the
/// whole request anyway.
pub const MAX_STRING_BYTES: usize = 16_384;
/// More entries than any order has: a 64 KiB Edge request cannot carry even this many.
pub const MAX_LIST_LEN: usize = 2_000;
/// Amounts beyond this are not money but a unit or parsing error upstream.
const MAX_AMOUNT: f64 = 1e13;

/// A PHP array read as a set of named fields.
#[derive(Debug, Clone)]
pub struct Obj<'a> {
    entries: &'a [(String, Value)],
    pub path: String,
}

impl<'a> Obj<'a> {
    /// Reads `value` (found at `path`) as an array of fields.
    pub fn of(value: &'a Value, path: &str) -> R<Obj<'a>> {
        match value {
            Value::Map(entries) => Ok(Obj {
                entries,
                path: path.to_string(),
            }),
            // PHP cannot tell an empty map from an empty list.
            Value::List(items) if items.is_empty() => Ok(Obj {
                entries: &[],
                path: path.to_string(),
            }),
            other => Err(problem(path, format!("expected an array of fields, got {}", other.describe()))),
        }
    }

    pub fn field_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The raw value, `None` when absent or null.
    pub fn raw(&self, key: &str) -> Option<&'a Value> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .filter(|v| !matches!(v, Value::Null))
    }

    pub fn entries(&self) -> &'a [(String, Value)] {
        self.entries
    }

    pub fn child(&self, key: &str) -> R<Option<Obj<'a>>> {
        self.raw(key).map(|v| Obj::of(v, &self.field_path(key))).transpose()
    }

    pub fn req_child(&self, key: &str) -> R<Obj<'a>> {
        self.child(key)?
            .ok_or_else(|| problem(&self.field_path(key), "is required"))
    }

    /// A list of arrays. Magento often keys such lists by id, so a map's values are taken in
    /// order as well.
    pub fn list(&self, key: &str) -> R<Vec<Obj<'a>>> {
        let path = self.field_path(key);
        let values: Vec<(String, &'a Value)> = match self.raw(key) {
            None => return Ok(Vec::new()),
            Some(Value::List(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            Some(Value::Map(entries)) => entries.iter().map(|(k, v)| (k.clone(), v)).collect(),
            Some(other) => return Err(problem(&path, format!("expected a list, got {}", other.describe()))),
        };
        if values.len() > MAX_LIST_LEN {
            return Err(problem(
                &path,
                format!("has {} entries, more than the {MAX_LIST_LEN} allowed", values.len()),
            ));
        }
        values
            .into_iter()
            .filter(|(_, v)| !matches!(v, Value::Null))
            .map(|(i, v)| Obj::of(v, &format!("{path}.{i}")))
            .collect()
    }

    /// A string; numbers are accepted (ids arrive as ints), blank is absent.
    pub fn str(&self, key: &str) -> R<Option<String>> {
        let s = match self.raw(key) {
            None => return Ok(None),
            Some(Value::Str(s)) => s.trim().to_string(),
            Some(Value::Int(i)) => i.to_string(),
            Some(Value::Float(f)) if f.is_finite() => f.to_string(),
            Some(other) => return Err(problem(&self.field_path(key), format!("expected a string, got {}", other.describe()))),
        };
        if s.len() > MAX_STRING_BYTES {
            return Err(problem(
                &self.field_path(key),
                format!("is {} bytes long, more than the {MAX_STRING_BYTES} allowed", s.len()),
            ));
        }
        Ok(if s.is_empty() { None } else { Some(s) })
    }

    pub fn req_str(&self, key: &str) -> R<String> {
        self.str(key)?
            .ok_or_else(|| problem(&self.field_path(key), "is required"))
    }

    /// A decimal amount given as a number or as Magento's decimal text ("19.9900").
    pub fn decimal(&self, key: &str) -> R<Option<f64>> {
        let n = match self.raw(key) {
            None => return Ok(None),
            Some(Value::Int(i)) => *i as f64,
            Some(Value::Float(f)) if f.is_finite() => *f,
            Some(Value::Str(s)) if s.trim().is_empty() => return Ok(None),
            Some(v @ Value::Str(s)) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|_| is_plain_decimal(s.trim()))
                .ok_or_else(|| problem(&self.field_path(key), format!("{} is not a number", v.describe())))?,
            Some(other) => return Err(problem(&self.field_path(key), format!("{} is not a number", other.describe()))),
        };
        if !n.is_finite() || n.abs() > MAX_AMOUNT {
            return Err(problem(&self.field_path(key), format!("{n} is out of range")));
        }
        Ok(Some(n))
    }

    /// A non-negative quantity rounded to a whole unit (XDM quantities are integers).
    pub fn quantity(&self, key: &str) -> R<Option<i64>> {
        match self.decimal(key)? {
            None => Ok(None),
            Some(q) if q < 0.0 => Err(problem(&self.field_path(key), format!("{q} is negative"))),
            Some(q) if q > 1e9 => Err(problem(&self.field_path(key), format!("{q} is out of range"))),
            Some(q) => Ok(Some(q.round() as i64)),
        }
    }

    pub fn bool(&self, key: &str) -> R<Option<bool>> {
        match self.raw(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::Int(0)) => Ok(Some(false)),
            Some(Value::Int(1)) => Ok(Some(true)),
            Some(Value::Str(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "" => Ok(None),
                "0" | "false" => Ok(Some(false)),
                "1" | "true" => Ok(Some(true)),
                _ => Err(problem(&self.field_path(key), format!("{s:?} is not a boolean"))),
            },
            Some(other) => Err(problem(&self.field_path(key), format!("{} is not a boolean", other.describe()))),
        }
    }

    /// A point in time: Magento's `Y-m-d H:i:s` (UTC) or RFC 3339 with an offset.
    pub fn datetime(&self, key: &str) -> R<Option<DateTime<Utc>>> {
        let Some(s) = self.str(key)? else {
            return Ok(None);
        };
        if s.starts_with("0000-00-00") {
            return Ok(None);
        }
        // `%.f` also reads no fraction: Magento's columns have whole seconds, the module's own
        // change times (customer.updated_at) milliseconds.
        let parsed = NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M:%S%.f")
            .map(|n| n.and_utc())
            .or_else(|_| DateTime::parse_from_rfc3339(&s).map(|d| d.with_timezone(&Utc)))
            .or_else(|_| NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S").map(|n| n.and_utc()))
            .map_err(|_| problem(&self.field_path(key), format!("{s:?} is not a date (expected Y-m-d H:i:s in UTC)")))?;
        check_year(&self.field_path(key), &s, parsed.date_naive())?;
        Ok(Some(parsed))
    }

    pub fn req_datetime(&self, key: &str) -> R<DateTime<Utc>> {
        self.datetime(key)?
            .ok_or_else(|| problem(&self.field_path(key), "is required"))
    }

    /// A calendar date (date of birth): `Y-m-d`, optionally followed by a time that is ignored.
    pub fn date(&self, key: &str) -> R<Option<NaiveDate>> {
        let Some(s) = self.str(key)? else {
            return Ok(None);
        };
        if s.starts_with("0000-00-00") {
            return Ok(None);
        }
        let head = s.get(..10).unwrap_or(&s);
        let date = NaiveDate::parse_from_str(head, "%Y-%m-%d")
            .map_err(|_| problem(&self.field_path(key), format!("{s:?} is not a date (expected Y-m-d)")))?;
        check_year(&self.field_path(key), &s, date)?;
        Ok(Some(date))
    }
}

fn is_plain_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.chars().filter(|c| *c == '.').count() <= 1
        && digits.chars().any(|c| c.is_ascii_digit())
}

fn check_year(path: &str, raw: &str, date: NaiveDate) -> R<()> {
    use chrono::Datelike;
    if !(1900..=2200).contains(&date.year()) {
        return Err(problem(path, format!("{raw:?} is out of range")));
    }
    Ok(())
}

/// RFC 3339 in UTC with whole seconds, the form AEP shows in its examples.
pub fn xdm_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// An XDM date-time with milliseconds, for times that must order strictly after a Magento
/// timestamp of the same second.
pub fn xdm_time_millis(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
