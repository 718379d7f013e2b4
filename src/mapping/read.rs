//! Path-aware reads over the payload. A read that fails records a problem naming the field
//! path and yields nothing, and mapping goes on, so one pass finds every bad field. Paths are
//! kept as links in a small arena and only spelled out when a problem names one: a payload
//! that maps pays for no path text.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::source::{self, Key, Kind, Node, Unusable};
pub use super::source::MAX_DEPTH;

/// Text read from the payload: borrowed from it when it can be, owned when it had to change
/// (a number read as text, a trimmed string is still borrowed).
pub type Text<'a> = Cow<'a, str>;

/// A problem with one field; the event name is added by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub problem: String,
}

/// Longer strings are not Magento data but a mistake (or an attack); the Edge would refuse the
/// whole request anyway.
pub const MAX_STRING_BYTES: usize = 16_384;
/// More entries than any order has: a 64 KiB Edge request cannot carry even this many.
pub const MAX_LIST_LEN: usize = 2_000;
/// A payload this broken is fixed from the first problems; the rest are only counted.
pub const MAX_PROBLEMS: usize = 20;
/// Amounts beyond this are not money but a unit or parsing error upstream.
const MAX_AMOUNT: f64 = 1e13;

#[derive(Debug, Clone, Copy)]
enum Seg<'a> {
    Name(&'a str),
    Index(i64),
    Bytes(&'a [u8]),
}

impl<'a> From<Key<'a>> for Seg<'a> {
    fn from(key: Key<'a>) -> Self {
        match key {
            Key::Index(i) => Seg::Index(i),
            Key::Name(s) => Seg::Name(s),
            Key::Bytes(b) => Seg::Bytes(b),
        }
    }
}

/// One mapping's bookkeeping: the path arena and the problems found so far.
pub struct Cx<'a> {
    /// `(parent, segment)`; a path is an index into this, 0 being the payload itself.
    paths: RefCell<Vec<(u32, Seg<'a>)>>,
    problems: RefCell<Vec<Problem>>,
    uncounted: Cell<usize>,
}

impl<'a> Cx<'a> {
    pub fn new() -> Self {
        Cx {
            paths: RefCell::new(Vec::with_capacity(256)),
            problems: RefCell::new(Vec::new()),
            uncounted: Cell::new(0),
        }
    }

    fn push_path(&self, parent: u32, seg: Seg<'a>) -> u32 {
        let mut paths = self.paths.borrow_mut();
        paths.push((parent, seg));
        u32::try_from(paths.len()).unwrap_or(u32::MAX)
    }

    fn spell(&self, path: u32, last: Option<Seg<'a>>) -> String {
        let paths = self.paths.borrow();
        let mut segs: Vec<Seg> = last.into_iter().collect();
        let mut at = path;
        while let Some(&(parent, seg)) = at.checked_sub(1).and_then(|i| paths.get(i as usize)) {
            segs.push(seg);
            at = parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            if !out.is_empty() {
                out.push('.');
            }
            match seg {
                Seg::Name(s) => push_printable(&mut out, s),
                Seg::Index(i) => out.push_str(itoa::Buffer::new().format(*i)),
                Seg::Bytes(b) => push_printable(&mut out, &String::from_utf8_lossy(b)),
            }
        }
        out
    }

    /// Records a problem unless its field already has one (a field read twice fails twice).
    pub fn report(&self, path: String, problem: impl Into<String>) {
        let mut problems = self.problems.borrow_mut();
        if problems.iter().any(|p| p.path == path) {
            return;
        }
        if problems.len() >= MAX_PROBLEMS {
            self.uncounted.set(self.uncounted.get() + 1);
            return;
        }
        problems.push(Problem {
            path,
            problem: problem.into(),
        });
    }

    pub fn failed(&self) -> bool {
        !self.problems.borrow().is_empty()
    }

    /// The problems found, and how many more were left out of the list.
    pub fn take_problems(&self) -> (Vec<Problem>, usize) {
        (self.problems.take(), self.uncounted.get())
    }
}

/// A key as a message can show it: control characters (a NUL byte ends a C string) escaped.
fn push_printable(out: &mut String, key: &str) {
    for c in key.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
}

/// What a value is, in the words of an error message.
pub fn describe(node: &dyn Node, depth: usize) -> String {
    match kind_at(node, depth) {
        Kind::Null => "null".to_string(),
        Kind::Bool(b) => b.to_string(),
        Kind::Int(i) => i.to_string(),
        Kind::Float(f) => f.to_string(),
        Kind::Str(s) => {
            let mut shown: String = s.chars().take(40).collect();
            if shown.len() < s.len() {
                shown.push('…');
            }
            format!("{shown:?}")
        }
        Kind::Array if source::is_list(node) => "a list".to_string(),
        Kind::Array => "an array".to_string(),
        Kind::Unusable(u) => u.describe().to_string(),
    }
}

/// The node's kind, with arrays past `MAX_DEPTH` unusable: `depth` counts from the payload (0).
pub fn kind_at(node: &dyn Node, depth: usize) -> Kind<'_> {
    match node.kind() {
        Kind::Array if depth >= MAX_DEPTH => Kind::Unusable(Unusable::TooDeep),
        kind => kind,
    }
}

/// An array read as a set of named fields. A missing or unusable required array yields a
/// hollow `Obj`: its reads find nothing and report nothing, so one bad array is one problem.
#[derive(Clone, Copy)]
pub struct Obj<'a> {
    node: Option<&'a dyn Node>,
    path: u32,
    depth: usize,
    cx: &'a Cx<'a>,
}

impl<'a> Obj<'a> {
    /// The payload itself; `None` (with the problem reported) when it is not an array of fields.
    pub fn payload(node: &'a dyn Node, cx: &'a Cx<'a>) -> Option<Obj<'a>> {
        let obj = Obj { node: Some(node), path: 0, depth: 0, cx };
        match node.kind() {
            Kind::Array if obj.fields_shaped(node) => Some(obj),
            _ => None,
        }
    }

    fn fields_shaped(&self, node: &dyn Node) -> bool {
        // PHP cannot tell an empty map from an empty list.
        node.is_empty() || !source::is_list(node)
    }

    pub fn cx(&self) -> &'a Cx<'a> {
        self.cx
    }

    /// The path of this array's field `key`, spelled out for a problem.
    pub fn field_path(&self, key: &'a str) -> String {
        self.cx.spell(self.path, Some(Seg::Name(key)))
    }

    pub fn path(&self) -> String {
        self.cx.spell(self.path, None)
    }

    pub fn report(&self, key: &'a str, problem: impl Into<String>) {
        if self.node.is_some() {
            self.cx.report(self.field_path(key), problem);
        }
    }

    /// The raw value, `None` when absent or null.
    pub fn raw(&self, key: &str) -> Option<&'a dyn Node> {
        self.kind(key).map(|(v, _)| v)
    }

    /// The value and its kind, `None` when absent or null; one lookup, one look at the value.
    fn kind(&self, key: &str) -> Option<(&'a dyn Node, Kind<'a>)> {
        let value = self.node?.get(key)?;
        match kind_at(value, self.depth + 1) {
            Kind::Null => None,
            kind => Some((value, kind)),
        }
    }

    fn describe(&self, node: &dyn Node) -> String {
        describe(node, self.depth + 1)
    }

    /// Reads `value` (at `seg` below this array) as an array of fields.
    fn nested(&self, value: &'a dyn Node, seg: Seg<'a>, depth: usize) -> Result<Obj<'a>, String> {
        match kind_at(value, depth) {
            Kind::Array if self.fields_shaped(value) => Ok(Obj {
                node: Some(value),
                path: self.cx.push_path(self.path, seg),
                depth,
                cx: self.cx,
            }),
            _ => Err(format!("expected an array of fields, got {}", describe(value, depth))),
        }
    }

    pub fn child(&self, key: &'a str) -> Option<Obj<'a>> {
        let value = self.raw(key)?;
        match self.nested(value, Seg::Name(key), self.depth + 1) {
            Ok(obj) => Some(obj),
            Err(problem) => {
                self.report(key, problem);
                None
            }
        }
    }

    pub fn req_child(&self, key: &'a str) -> Obj<'a> {
        let hollow = Obj { node: None, ..*self };
        if self.raw(key).is_none() {
            self.report(key, "is required");
            return hollow;
        }
        self.child(key).unwrap_or(hollow)
    }

    /// A list of arrays. Magento often keys such lists by id, so a map's values are taken in
    /// order as well.
    pub fn list(&self, key: &'a str) -> Vec<Obj<'a>> {
        let Some((value, kind)) = self.kind(key) else {
            return Vec::new();
        };
        let Some(list) = self.open_list(key, value, kind == Kind::Array, "a list") else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(value.len());
        for (k, v) in source::entries(value) {
            if v.kind() == Kind::Null {
                continue;
            }
            match list.nested(v, k.into(), list.depth + 1) {
                Ok(obj) => out.push(obj),
                Err(problem) => self.cx.report(list.key_path(k), problem),
            }
        }
        out
    }

    /// The list at `key` (`value`, of the shape the caller wants when `wanted`) as an array to
    /// walk, or `None` once reported: not that shape, or over `MAX_LIST_LEN` entries.
    fn open_list(&self, key: &'a str, value: &'a dyn Node, wanted: bool, expected: &str) -> Option<Obj<'a>> {
        if !wanted {
            self.report(key, format!("expected {expected}, got {}", self.describe(value)));
            return None;
        }
        if value.len() > MAX_LIST_LEN {
            self.report(key, format!("has {} entries, more than the {MAX_LIST_LEN} allowed", value.len()));
            return None;
        }
        Some(Obj {
            node: Some(value),
            path: self.cx.push_path(self.path, Seg::Name(key)),
            depth: self.depth + 1,
            cx: self.cx,
        })
    }

    /// The fields of this array in order, as `(key, value)`; the caller decides what a key
    /// that cannot be a name means.
    pub fn fields(&self) -> impl Iterator<Item = (Key<'a>, &'a dyn Node)> + 'a {
        self.node.into_iter().flat_map(source::entries)
    }

    /// The path of the field `key` of this array, for keys found by `fields`.
    pub fn key_path(&self, key: Key<'a>) -> String {
        self.cx.spell(self.path, Some(key.into()))
    }

    pub fn depth(&self) -> usize {
        self.depth
    }

    /// A string; numbers are accepted (ids arrive as ints), blank is absent.
    pub fn str(&self, key: &'a str) -> Option<Text<'a>> {
        let (value, kind) = self.kind(key)?;
        let s: Text<'a> = match kind {
            Kind::Str(s) => Cow::Borrowed(s.trim()),
            Kind::Int(i) => Cow::Owned(itoa::Buffer::new().format(i).to_string()),
            Kind::Float(f) if f.is_finite() => Cow::Owned(f.to_string()),
            _ => {
                self.report(key, format!("expected a string, got {}", self.describe(value)));
                return None;
            }
        };
        if s.len() > MAX_STRING_BYTES {
            self.report(key, format!("is {} bytes long, more than the {MAX_STRING_BYTES} allowed", s.len()));
            return None;
        }
        if s.is_empty() {
            None
        } else {
            Some(s)
        }
    }

    pub fn req_str(&self, key: &'a str) -> Text<'a> {
        match self.str(key) {
            Some(s) => s,
            None => {
                self.require(key);
                Cow::Borrowed("")
            }
        }
    }

    /// Reports a required field as missing; a field present but bad keeps its own problem.
    pub fn require(&self, key: &'a str) {
        self.report(key, "is required");
    }

    /// A decimal amount given as a number or as Magento's decimal text ("19.9900").
    pub fn decimal(&self, key: &'a str) -> Option<f64> {
        let (value, kind) = self.kind(key)?;
        let n = match kind {
            Kind::Int(i) => i as f64,
            Kind::Float(f) if f.is_finite() => f,
            Kind::Str(s) if s.trim().is_empty() => return None,
            Kind::Str(s) => match s.trim().parse::<f64>().ok().filter(|_| is_plain_decimal(s.trim())) {
                Some(n) => n,
                None => {
                    self.report(key, format!("{} is not a number", self.describe(value)));
                    return None;
                }
            },
            _ => {
                self.report(key, format!("{} is not a number", self.describe(value)));
                return None;
            }
        };
        if !n.is_finite() || n.abs() > MAX_AMOUNT {
            self.report(key, format!("{n} is out of range"));
            return None;
        }
        Some(n)
    }

    /// A non-negative quantity rounded to a whole unit (XDM quantities are integers).
    pub fn quantity(&self, key: &'a str) -> Option<i64> {
        match self.decimal(key)? {
            q if q < 0.0 => {
                self.report(key, format!("{q} is negative"));
                None
            }
            q if q > 1e9 => {
                self.report(key, format!("{q} is out of range"));
                None
            }
            q => Some(q.round() as i64),
        }
    }

    pub fn bool(&self, key: &'a str) -> Option<bool> {
        let (value, kind) = self.kind(key)?;
        match kind {
            Kind::Bool(b) => Some(b),
            Kind::Int(0) => Some(false),
            Kind::Int(1) => Some(true),
            Kind::Str(s) => match s.trim() {
                "" => None,
                t if t == "0" || t.eq_ignore_ascii_case("false") => Some(false),
                t if t == "1" || t.eq_ignore_ascii_case("true") => Some(true),
                _ => {
                    self.report(key, format!("{s:?} is not a boolean"));
                    None
                }
            },
            _ => {
                self.report(key, format!("{} is not a boolean", self.describe(value)));
                None
            }
        }
    }

    /// A point in time: Magento's `Y-m-d H:i:s` (UTC) or RFC 3339 with an offset.
    pub fn datetime(&self, key: &'a str) -> Option<DateTime<Utc>> {
        let s = self.str(key)?;
        if s.starts_with("0000-00-00") {
            return None;
        }
        let Some(parsed) = parse_datetime(&s) else {
            self.report(key, format!("{s:?} is not a date (expected Y-m-d H:i:s in UTC)"));
            return None;
        };
        self.check_year(key, &s, parsed.date_naive())?;
        Some(parsed)
    }

    pub fn req_datetime(&self, key: &'a str) -> Option<DateTime<Utc>> {
        let at = self.datetime(key);
        if at.is_none() {
            self.require(key);
        }
        at
    }

    /// A point in time given as Unix epoch milliseconds: an integer, or its decimal text.
    pub fn epoch_millis(&self, key: &'a str) -> Option<DateTime<Utc>> {
        let (value, kind) = self.kind(key)?;
        let millis = match kind {
            Kind::Int(i) => Some(i),
            Kind::Str(s) => {
                let t = s.trim();
                (!t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten()
            }
            _ => None,
        };
        // Before 1970 is no shopper's action but a unit or sign error upstream.
        let Some(at) = millis.filter(|m| *m >= 0).and_then(DateTime::from_timestamp_millis) else {
            self.report(key, format!("{} is not a time in Unix epoch milliseconds", self.describe(value)));
            return None;
        };
        self.check_year(key, &millis.unwrap_or_default().to_string(), at.date_naive())?;
        Some(at)
    }

    /// A list of strings (numbers are accepted as their text); a bad entry is reported by its
    /// index, blanks are skipped.
    pub fn strings(&self, key: &'a str) -> Vec<Text<'a>> {
        let Some((value, kind)) = self.kind(key) else {
            return Vec::new();
        };
        let is_list = kind == Kind::Array && source::is_list(value);
        let Some(list) = self.open_list(key, value, is_list, "a list of strings") else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(value.len());
        for (k, v) in source::entries(value) {
            let text: Option<Text<'a>> = match kind_at(v, list.depth + 1) {
                Kind::Null => continue,
                Kind::Str(s) if s.len() <= MAX_STRING_BYTES => Some(Cow::Borrowed(s.trim())),
                Kind::Int(i) => Some(Cow::Owned(itoa::Buffer::new().format(i).to_string())),
                _ => None,
            };
            match text {
                Some(t) if t.is_empty() => {}
                Some(t) => out.push(t),
                None => self.cx.report(list.key_path(k), format!("expected a string, got {}", describe(v, list.depth + 1))),
            }
        }
        out
    }

    /// A calendar date (date of birth): `Y-m-d`, optionally followed by a time that is ignored.
    pub fn date(&self, key: &'a str) -> Option<NaiveDate> {
        let s = self.str(key)?;
        if s.starts_with("0000-00-00") {
            return None;
        }
        let head = s.get(..10).unwrap_or(&s);
        let Ok(date) = NaiveDate::parse_from_str(head, "%Y-%m-%d") else {
            self.report(key, format!("{s:?} is not a date (expected Y-m-d)"));
            return None;
        };
        self.check_year(key, &s, date)?;
        Some(date)
    }

    fn check_year(&self, key: &'a str, raw: &str, date: NaiveDate) -> Option<()> {
        use chrono::Datelike;
        if !(1900..=2200).contains(&date.year()) {
            self.report(key, format!("{raw:?} is out of range"));
            return None;
        }
        Some(())
    }
}

/// `Y-m-d H:i:s` read by position (what Magento always writes); anything else through chrono's
/// general parsers, which accept what this mapping has always accepted.
fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    fast_datetime(s.as_bytes()).or_else(|| {
        // `%.f` also reads no fraction: the module's change times (customer.updated_at) carry
        // milliseconds.
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
            .map(|n| n.and_utc())
            .or_else(|_| DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)))
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").map(|n| n.and_utc()))
            .ok()
    })
}

fn fast_datetime(b: &[u8]) -> Option<DateTime<Utc>> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, b' ', h0, h1, b':', i0, i1, b':', s0, s1] = *b else {
        return None;
    };
    let num = |digits: &[u8]| -> Option<u32> {
        digits.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let year = i32::try_from(num(&[y0, y1, y2, y3])?).ok()?;
    NaiveDate::from_ymd_opt(year, num(&[m0, m1])?, num(&[d0, d1])?)?
        .and_hms_opt(num(&[h0, h1])?, num(&[i0, i1])?, num(&[s0, s1])?)
        .map(|n| n.and_utc())
}

fn is_plain_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty()
        && digits.bytes().all(|c| c.is_ascii_digit() || c == b'.')
        && digits.bytes().filter(|c| *c == b'.').count() <= 1
        && digits.bytes().any(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magento_times_read_by_position_equal_chrono() {
        for s in ["2024-05-01 10:15:29", "1999-12-31 23:59:59", "2024-02-29 00:00:00"] {
            let slow = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap().and_utc();
            assert_eq!(fast_datetime(s.as_bytes()), Some(slow), "{s}");
        }
        for s in ["2023-02-29 00:00:00", "2024-13-01 00:00:00", "2024-05-01 24:00:00", "2024-05-01T10:15:29", "2024-5-01 10:15:29"] {
            assert_eq!(fast_datetime(s.as_bytes()), None, "{s}");
        }
        assert!(parse_datetime("2024-5-1 10:15:29").is_some(), "chrono's lenient forms still parse");
        assert!(parse_datetime("2024-02-29T23:59:59+02:00").is_some());
    }

    #[test]
    fn epoch_millis_are_whole_milliseconds_as_int_or_digits() {
        use crate::mapping::Value;
        let field = |k: &str, v: Value| (k.to_string(), v);
        let payload = Value::Map(vec![
            field("int", Value::Int(1_714_558_529_123)),
            field("text", Value::Str(" 1714558529123 ".to_string())),
            field("exponent", Value::Str("1.7e12".to_string())),
            field("negative", Value::Int(-1)),
            field("too_long", Value::Str("9".repeat(30))),
            field("float", Value::Float(1.7e12)),
            field("far_future", Value::Int(i64::MAX)),
            field("year_2300", Value::Int(10_413_792_000_000)),
        ]);
        let cx = Cx::new();
        let obj = Obj::payload(&payload, &cx).unwrap();
        let at = |key| obj.epoch_millis(key).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        assert_eq!(at("int").as_deref(), Some("2024-05-01T10:15:29.123Z"));
        assert_eq!(at("text").as_deref(), Some("2024-05-01T10:15:29.123Z"));
        for bad in ["exponent", "negative", "too_long", "float", "far_future", "year_2300"] {
            assert_eq!(at(bad), None, "{bad}");
        }
        let (problems, _) = cx.take_problems();
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["exponent", "negative", "too_long", "float", "far_future", "year_2300"]);
    }

    #[test]
    fn plain_decimals() {
        assert!(is_plain_decimal("19.9900") && is_plain_decimal("-5") && is_plain_decimal(".5"));
        assert!(!is_plain_decimal("1e5") && !is_plain_decimal("1.2.3") && !is_plain_decimal("-") && !is_plain_decimal("."));
    }
}
