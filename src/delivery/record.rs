//! The spool's record format. A segment file is a sequence of frames:
//!
//! ```text
//! magic "XDR1" (4 bytes) | payload length u32 LE | CRC-32 of payload u32 LE | payload (JSON)
//! ```
//!
//! A frame is written with a single `write(2)` on an `O_APPEND` descriptor, so a crash leaves at
//! most one torn frame at the tail. Readers check the magic, the length and the checksum; on a
//! bad frame they count it and resynchronise on the next magic.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::clock::BootStamp;
use crate::mapping::Value;

pub const MAGIC: &[u8; 4] = b"XDR1";
pub const HEADER_LEN: usize = 12;
/// A mapped event is far smaller; a longer length field means a corrupt frame.
pub const MAX_PAYLOAD: usize = 4 * 1024 * 1024;

/// Where an event goes: the contract's `$destination`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Destination {
    pub datastream_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox: Option<String>,
}

/// The destination keys and the longest id any of them may have.
const DESTINATION_KEYS: [&str; 3] = ["datastream_id", "dataset_id", "sandbox"];
const MAX_ID_LEN: usize = 128;

impl Destination {
    /// Reads the contract's `$destination` array. Every id travels in a URL or a request header,
    /// so anything that could never be sent (a CR, LF or NUL, a space, a non-ASCII letter) is
    /// refused here, at emit, rather than accepted and retried for a day. The message names the
    /// field.
    pub fn parse(value: &Value) -> Result<Destination, String> {
        let entries: &[(String, Value)] = match value {
            Value::Map(entries) => entries,
            Value::List(l) if l.is_empty() => &[],
            other => return Err(format!("destination: expected an array, got {}", other.describe())),
        };
        if let Some((unknown, _)) = entries.iter().find(|(k, _)| !DESTINATION_KEYS.contains(&k.as_str())) {
            return Err(format!("destination.{unknown}: unknown key; expected datastream_id, dataset_id, sandbox"));
        }
        let field = |key: &str| -> Result<Option<String>, String> {
            match value.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Str(s)) if s.trim().is_empty() => Ok(None),
                Some(Value::Str(s)) => {
                    let id = s.trim();
                    let sendable = id.len() <= MAX_ID_LEN
                        && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
                    if sendable {
                        Ok(Some(id.to_string()))
                    } else {
                        Err(format!(
                            "destination.{key}: expected an id of at most {MAX_ID_LEN} letters, digits, '-', '_', '.' or ':', got {}",
                            Value::Str(id.to_string()).describe()
                        ))
                    }
                }
                Some(other) => Err(format!("destination.{key}: expected a string, got {}", other.describe())),
            }
        };
        Ok(Destination {
            datastream_id: field("datastream_id")?.ok_or_else(|| "destination.datastream_id: is required".to_string())?,
            dataset_id: field("dataset_id")?,
            sandbox: field("sandbox")?,
        })
    }
}

/// One accepted event as it sits in the spool.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpoolRecord {
    /// The XDM `_id`.
    pub id: String,
    /// `true` for Individual Profile records (sent to the profile dataset).
    #[serde(default)]
    pub profile: bool,
    pub dest: Destination,
    /// When `xdm_relay_emit` accepted it (ms since the epoch).
    pub accepted_ms: i64,
    /// The same moment on the boot clock, which measures the age for `max_retry_age_s` exactly
    /// across processes even when the wall clock is stepped (see `clock`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_boot: Option<BootStamp>,
    pub xdm: Box<RawValue>,
}

pub fn encode(record: &SpoolRecord) -> Result<Vec<u8>, String> {
    let mut frame = Vec::new();
    encode_into(record, &mut frame)?;
    Ok(frame)
}

/// Encodes one frame into `frame` (cleared first), so the PHP thread reuses one buffer for
/// every append: the record is serialized straight after the header, which is filled in last.
pub fn encode_into(record: &SpoolRecord, frame: &mut Vec<u8>) -> Result<(), String> {
    frame.clear();
    frame.extend_from_slice(&[0; HEADER_LEN]);
    serde_json::to_writer(&mut *frame, record).map_err(|e| format!("cannot encode spool record: {e}"))?;
    let len = frame.len() - HEADER_LEN;
    if len > MAX_PAYLOAD {
        return Err(format!("event of {len} bytes is larger than a spool record may be"));
    }
    let crc = crc32fast::hash(&frame[HEADER_LEN..]);
    frame[..4].copy_from_slice(MAGIC);
    frame[4..8].copy_from_slice(&(len as u32).to_le_bytes());
    frame[8..12].copy_from_slice(&crc.to_le_bytes());
    Ok(())
}

/// What reading a segment found.
#[derive(Debug, Default)]
pub struct Decoded {
    /// Each valid record with the offset of its frame.
    pub records: Vec<(u64, SpoolRecord)>,
    /// Stretches of bytes that were not valid frames (torn tails, corruption).
    pub corrupt: u64,
    /// Offset just past the last valid frame (where a writer's next frame would start).
    pub end: u64,
}

/// Decodes every frame of `bytes` (which start at file offset `base`). Never panics.
pub fn decode(bytes: &[u8], base: u64) -> Decoded {
    let mut out = Decoded {
        end: base,
        ..Decoded::default()
    };
    let mut pos = 0usize;
    let mut in_garbage = false;
    while pos < bytes.len() {
        match frame_at(bytes, pos) {
            Some((len, record)) => {
                out.records.push((base + pos as u64, record));
                pos += len;
                out.end = base + pos as u64;
                in_garbage = false;
            }
            None => {
                if !in_garbage {
                    out.corrupt += 1;
                    in_garbage = true;
                }
                pos = match find_magic(&bytes[pos + 1..]) {
                    Some(i) => pos + 1 + i,
                    None => bytes.len(),
                };
            }
        }
    }
    out
}

fn frame_at(bytes: &[u8], pos: usize) -> Option<(usize, SpoolRecord)> {
    let header = bytes.get(pos..pos + HEADER_LEN)?;
    if &header[..4] != MAGIC {
        return None;
    }
    let len = u32::from_le_bytes(header[4..8].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(header[8..12].try_into().ok()?);
    if len > MAX_PAYLOAD {
        return None;
    }
    let payload = bytes.get(pos + HEADER_LEN..pos + HEADER_LEN + len)?;
    if crc32fast::hash(payload) != crc {
        return None;
    }
    let record = serde_json::from_slice(payload).ok()?;
    Some((HEADER_LEN + len, record))
}

fn find_magic(bytes: &[u8]) -> Option<usize> {
    bytes.windows(MAGIC.len()).position(|w| w == MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn record(id: &str, body: &str) -> SpoolRecord {
        SpoolRecord {
            id: id.to_string(),
            profile: false,
            dest: Destination {
                datastream_id: "ds".to_string(),
                dataset_id: None,
                sandbox: None,
            },
            accepted_ms: 1,
            accepted_boot: None,
            xdm: RawValue::from_string(serde_json::to_string(&serde_json::json!({ "_id": id, "v": body })).unwrap()).unwrap(),
        }
    }

    fn dest(entries: &[(&str, &str)]) -> Result<Destination, String> {
        Destination::parse(&Value::Map(entries.iter().map(|(k, v)| (k.to_string(), Value::Str(v.to_string()))).collect()))
    }

    #[test]
    fn destinations_that_could_never_be_sent_are_refused_naming_the_field() {
        assert_eq!(dest(&[("datastream_id", " ds-1 ")]).unwrap().datastream_id, "ds-1");
        let uuid = "0e1d2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6";
        assert!(dest(&[("datastream_id", uuid), ("sandbox", "prod"), ("dataset_id", "5f0c1e2d3b4a596877665544")]).is_ok());
        for (key, bad) in [("sandbox", "prod\r\nX-Injected: 1"), ("datastream_id", "ds\0"), ("dataset_id", "a b"), ("sandbox", "prød")] {
            let mut entries = vec![("datastream_id", "ds")];
            if key == "datastream_id" { entries.clear(); }
            entries.push((key, bad));
            let e = dest(&entries).unwrap_err();
            assert!(e.starts_with(&format!("destination.{key}: ")), "{e}");
            assert!(!e.contains('\n') && !e.contains('\0'), "the message itself is clean: {e:?}");
        }
        assert!(dest(&[]).unwrap_err().contains("datastream_id: is required"));
        assert!(dest(&[("datastream_id", "ds"), ("dataset", "x")]).unwrap_err().contains("destination.dataset: unknown key"));
    }

    #[test]
    fn a_reused_frame_buffer_holds_exactly_the_last_frame() {
        let mut frame = Vec::new();
        encode_into(&record("long", &"x".repeat(500)), &mut frame).unwrap();
        encode_into(&record("short", "y"), &mut frame).unwrap();
        let d = decode(&frame, 0);
        assert_eq!((d.records.len(), d.corrupt, d.end), (1, 0, frame.len() as u64));
        assert_eq!(d.records[0].1.id, "short");
        assert_eq!(frame, encode(&record("short", "y")).unwrap());
    }

    proptest! {
        #[test]
        fn records_round_trip(bodies in prop::collection::vec(".{0,200}", 0..20)) {
            let mut bytes = Vec::new();
            for (i, b) in bodies.iter().enumerate() {
                bytes.extend(encode(&record(&i.to_string(), b)).unwrap());
            }
            let d = decode(&bytes, 0);
            prop_assert_eq!(d.corrupt, 0);
            prop_assert_eq!(d.end, bytes.len() as u64);
            prop_assert_eq!(d.records.len(), bodies.len());
            for (i, (_, r)) in d.records.iter().enumerate() {
                prop_assert_eq!(&r.id, &i.to_string());
            }
        }

        #[test]
        fn a_torn_tail_loses_only_the_torn_record(n in 1usize..10, cut in 1usize..200) {
            let mut bytes = Vec::new();
            for i in 0..n {
                bytes.extend(encode(&record(&i.to_string(), "payload")).unwrap());
            }
            let last_start = bytes.len() - encode(&record(&(n - 1).to_string(), "payload")).unwrap().len();
            let cut = cut.min(bytes.len() - last_start - 1);
            bytes.truncate(bytes.len() - cut);
            let d = decode(&bytes, 0);
            prop_assert_eq!(d.records.len(), n - 1);
            prop_assert_eq!(d.corrupt, 1);
            prop_assert_eq!(d.end, last_start as u64);
        }

        #[test]
        fn corruption_anywhere_is_detected_and_never_panics(
            n in 1usize..8,
            flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        ) {
            let mut bytes = Vec::new();
            for i in 0..n {
                bytes.extend(encode(&record(&i.to_string(), "payload")).unwrap());
            }
            let original = bytes.clone();
            for (at, v) in flips {
                let i = at % bytes.len();
                bytes[i] ^= v | 1;
            }
            let d = decode(&bytes, 0);
            prop_assert!(d.records.len() <= n);
            if bytes != original {
                prop_assert!(d.records.len() < n, "a changed frame is never decoded as valid");
                prop_assert!(d.corrupt >= 1);
            }
            for (_, r) in &d.records {
                prop_assert!(r.id.parse::<usize>().is_ok());
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
            let d = decode(&bytes, 7);
            prop_assert!(d.end >= 7);
        }
    }
}
