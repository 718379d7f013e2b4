//! A compact JSON writer for the XDM documents: keys are precomputed `"name":` fragments,
//! numbers and times are formatted by hand or by the float printer serde_json itself uses, so
//! the bytes are exactly those serde_json wrote before (pinned by tests/mapping_identity.rs).

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

/// `k!("name")` is the bytes `"name":`, built at compile time.
macro_rules! k {
    ($name:literal) => {
        concat!("\"", $name, "\":").as_bytes()
    };
}
pub(crate) use k;

/// The output buffer. `comma` says whether the next value or key needs a separator first.
pub struct Out {
    pub buf: Vec<u8>,
    comma: bool,
}

impl Out {
    pub fn new(buf: Vec<u8>) -> Out {
        Out { buf, comma: false }
    }

    fn sep(&mut self) {
        if self.comma {
            self.buf.push(b',');
        }
    }

    pub fn key(&mut self, key: &[u8]) {
        self.sep();
        self.buf.extend_from_slice(key);
        self.comma = false;
    }

    pub fn open(&mut self) {
        self.sep();
        self.buf.push(b'{');
        self.comma = false;
    }

    pub fn close(&mut self) {
        self.buf.push(b'}');
        self.comma = true;
    }

    pub fn open_list(&mut self) {
        self.sep();
        self.buf.push(b'[');
        self.comma = false;
    }

    pub fn close_list(&mut self) {
        self.buf.push(b']');
        self.comma = true;
    }

    /// A key that is not a constant (namespaces, tenant fields): escaped like any string.
    pub fn dyn_key(&mut self, key: &str) {
        self.str(key);
        self.buf.push(b':');
        self.comma = false;
    }

    pub fn str(&mut self, s: &str) {
        self.sep();
        escape(&mut self.buf, s);
        self.comma = true;
    }

    /// A key written as one piece from parts, e.g. `_` + tenant.
    pub fn key_parts(&mut self, parts: &[&str]) {
        self.sep();
        self.buf.push(b'"');
        for part in parts {
            escape_inner(&mut self.buf, part);
        }
        self.buf.extend_from_slice(b"\":");
        self.comma = false;
    }

    pub fn int(&mut self, i: i64) {
        self.sep();
        self.buf.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
        self.comma = true;
    }

    pub fn uint(&mut self, i: u64) {
        self.sep();
        self.buf.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
        self.comma = true;
    }

    /// As serde_json writes an `f64`: the shortest text that reads back the same, `null` when
    /// not finite (the reads refuse non-finite amounts before they get here).
    pub fn float(&mut self, f: f64) {
        self.sep();
        if f.is_finite() {
            self.buf.extend_from_slice(zmij::Buffer::new().format_finite(f).as_bytes());
        } else {
            self.buf.extend_from_slice(b"null");
        }
        self.comma = true;
    }

    pub fn null(&mut self) {
        self.sep();
        self.buf.extend_from_slice(b"null");
        self.comma = true;
    }

    pub fn bool(&mut self, b: bool) {
        self.sep();
        self.buf.extend_from_slice(if b { b"true" } else { b"false" });
        self.comma = true;
    }

    /// RFC 3339 in UTC with whole seconds (`2024-05-01T10:15:29Z`), the form AEP shows.
    pub fn time(&mut self, t: DateTime<Utc>) {
        self.sep();
        self.buf.push(b'"');
        write_time(&mut self.buf, t);
        self.buf.push(b'"');
        self.comma = true;
    }

    pub fn time_millis(&mut self, t: DateTime<Utc>) {
        self.sep();
        self.buf.push(b'"');
        write_time_millis(&mut self.buf, t);
        self.buf.push(b'"');
        self.comma = true;
    }

    pub fn date(&mut self, d: NaiveDate) {
        self.sep();
        self.buf.push(b'"');
        write_date(&mut self.buf, d);
        self.buf.push(b'"');
        self.comma = true;
    }

    pub fn uuid(&mut self, id: uuid::Uuid) {
        self.sep();
        self.buf.push(b'"');
        self.buf.extend_from_slice(id.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer()).as_bytes());
        self.buf.push(b'"');
        self.comma = true;
    }

    pub fn opt_str(&mut self, key: &[u8], value: Option<&str>) {
        if let Some(v) = value {
            self.key(key);
            self.str(v);
        }
    }

    pub fn opt_float(&mut self, key: &[u8], value: Option<f64>) {
        if let Some(v) = value {
            self.key(key);
            self.float(v);
        }
    }

    pub fn opt_int(&mut self, key: &[u8], value: Option<i64>) {
        if let Some(v) = value {
            self.key(key);
            self.int(v);
        }
    }

    pub fn opt_time(&mut self, key: &[u8], value: Option<DateTime<Utc>>) {
        if let Some(v) = value {
            self.key(key);
            self.time(v);
        }
    }
}

fn two(buf: &mut Vec<u8>, n: u32) {
    buf.extend_from_slice(&[b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8]);
}

fn write_date(buf: &mut Vec<u8>, d: NaiveDate) {
    match u32::try_from(d.year()) {
        Ok(year) if year <= 9999 => {
            two(buf, year / 100);
            two(buf, year % 100);
            buf.push(b'-');
            two(buf, d.month());
            buf.push(b'-');
            two(buf, d.day());
        }
        // Years outside 0..=9999 never pass the reads; chrono spells them if one does.
        _ => buf.extend_from_slice(d.format("%Y-%m-%d").to_string().as_bytes()),
    }
}

/// A date-time with milliseconds, for times that must order strictly after a Magento timestamp
/// of the same second (profile records).
pub fn write_time_millis(buf: &mut Vec<u8>, t: DateTime<Utc>) {
    write_time(buf, t);
    if buf.last() == Some(&b'Z') && t.nanosecond() < 1_000_000_000 && (0..=9999).contains(&t.year()) {
        buf.pop();
        let millis = t.nanosecond() / 1_000_000;
        buf.push(b'.');
        buf.push(b'0' + (millis / 100) as u8);
        two(buf, millis % 100);
        buf.push(b'Z');
    }
}

/// The text chrono's `to_rfc3339_opts(SecondsFormat::Secs, true)` gives, without its
/// formatting machinery.
pub fn write_time(buf: &mut Vec<u8>, t: DateTime<Utc>) {
    let leap_second = t.nanosecond() >= 1_000_000_000;
    if leap_second || !(0..=9999).contains(&t.year()) {
        buf.extend_from_slice(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).as_bytes());
        return;
    }
    write_date(buf, t.date_naive());
    buf.push(b'T');
    two(buf, t.hour());
    buf.push(b':');
    two(buf, t.minute());
    buf.push(b':');
    two(buf, t.second());
    buf.push(b'Z');
}

/// What each byte becomes inside a JSON string: 0 for itself, else the letter after `\`
/// (`u` for `\u00XX`). The same escapes serde_json writes.
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = b'u';
        i += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

pub fn escape(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    escape_inner(buf, s);
    buf.push(b'"');
}

fn escape_inner(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc = ESCAPE[b as usize];
        if esc == 0 {
            continue;
        }
        buf.extend_from_slice(&bytes[start..i]);
        if esc == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            buf.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 0xf) as usize]]);
        } else {
            buf.extend_from_slice(&[b'\\', esc]);
        }
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_escape_as_serde_json_does() {
        for s in ["plain", "q\"b\\s/", "\u{0}\u{1}\u{8}\u{9}\u{a}\u{c}\u{d}\u{1f}\u{7f}", "é 日本 🎉 \u{2028}", ""] {
            let mut buf = Vec::new();
            escape(&mut buf, s);
            assert_eq!(String::from_utf8(buf).unwrap(), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn numbers_and_times_print_as_before() {
        for f in [0.0, -0.0, 1.0, 190.0, 0.1, 0.30000000000000004, 1e20, 1e-6, 123456789.125, 1e13, -5.5] {
            let mut out = Out::new(Vec::new());
            out.float(f);
            assert_eq!(String::from_utf8(out.buf).unwrap(), serde_json::to_string(&f).unwrap(), "{f}");
        }
        for t in ["2024-05-01T10:15:29Z", "1900-01-01T00:00:00Z", "2200-12-31T23:59:59.999Z", "0099-01-01T00:00:00Z"] {
            let t = DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc);
            let mut buf = Vec::new();
            write_time(&mut buf, t);
            assert_eq!(String::from_utf8(buf).unwrap(), t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
    }
}
