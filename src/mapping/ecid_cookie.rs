//! The Experience Cloud ID inside the Web SDK's identity cookie (`kndctr_<org>_identity`): the
//! cookie is the base64url text (padding stripped; sometimes kept, or URL-encoded as `%3D`) of
//! a protobuf message whose field 1 is the ECID. The shopper controls the cookie, so anything
//! that is not exactly that yields no ECID, never an error and never a panic.

use std::borrow::Cow;

/// Adobe's identity cookie is about 100 bytes; a browser keeps at most 4 KiB per cookie.
const MAX_COOKIE_BYTES: usize = 4096;
/// An ECID is 38 decimal digits.
const ECID_DIGITS: usize = 38;
/// Field 1 of the identity message holds the ECID.
const ECID_FIELD: u64 = 1;

/// The ECID of an identity cookie value, or `None` when the value is not one.
pub fn decode(cookie: &str) -> Option<String> {
    if cookie.len() > MAX_COOKIE_BYTES {
        return None;
    }
    let message = base64url(&unescape_padding(cookie.trim()))?;
    let ecid = field(&message, ECID_FIELD)?;
    let is_ecid = ecid.len() == ECID_DIGITS && ecid.iter().all(u8::is_ascii_digit);
    // The bytes are ASCII digits, so this never fails.
    is_ecid.then(|| String::from_utf8(ecid.to_vec()).ok()).flatten()
}

/// A cookie read without URL-decoding keeps its padding as `%3D`.
fn unescape_padding(s: &str) -> Cow<'_, str> {
    if s.contains('%') {
        Cow::Owned(s.replace("%3D", "=").replace("%3d", "="))
    } else {
        Cow::Borrowed(s)
    }
}

/// Base64 in the URL-safe alphabet (the standard one's `+` and `/` are accepted too), with or
/// without `=` padding.
fn base64url(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches('=');
    if text.len() - body.len() > 2 || body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in body.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The bytes of the first length-delimited field `wanted` of a protobuf message; `None` when
/// the message is malformed before it is found.
fn field(mut msg: &[u8], wanted: u64) -> Option<&[u8]> {
    while !msg.is_empty() {
        let key = varint(&mut msg)?;
        let (number, wire_type) = (key >> 3, key & 7);
        let skip = match wire_type {
            0 => {
                varint(&mut msg)?;
                0
            }
            1 => 8,
            2 => {
                let len = usize::try_from(varint(&mut msg)?).ok()?;
                let value = msg.get(..len)?;
                if number == wanted {
                    return Some(value);
                }
                len
            }
            5 => 4,
            _ => return None,
        };
        msg = msg.get(skip..)?;
    }
    None
}

/// A protobuf varint (at most 10 bytes), consumed from the front of `msg`.
fn varint(msg: &mut &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    for (i, &b) in msg.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            *msg = &msg[i + 1..];
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Adobe's documented example of the identity cookie and the ECID it holds.
    const SAMPLE: &str = "CiY0NzE0NzkwMTUyMzYzMzI4NDAxMjc3NDcwNzA2NTcxMjI3OTI1NVIRCJ_S-uCRMRABGAEqBElSTDHwAZ_S-uCRMQ==";
    const SAMPLE_ECID: &str = "47147901523633284012774707065712279255";

    #[test]
    fn adobes_sample_decodes_with_or_without_padding() {
        assert_eq!(decode(SAMPLE).as_deref(), Some(SAMPLE_ECID));
        assert_eq!(decode(SAMPLE.trim_end_matches('=')).as_deref(), Some(SAMPLE_ECID));
        assert_eq!(decode(&SAMPLE.replace('=', "%3D")).as_deref(), Some(SAMPLE_ECID));
        assert_eq!(decode(&SAMPLE.replace('=', "%3d")).as_deref(), Some(SAMPLE_ECID));
        assert_eq!(decode(&format!(" {SAMPLE} ")).as_deref(), Some(SAMPLE_ECID));
    }

    #[test]
    fn the_ecid_field_is_found_after_other_fields() {
        let mut msg = vec![0x10, 0x96, 0x01, 0x1d, 1, 2, 3, 4, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 0x12, 2, b'x', b'y', 0x0a, 38];
        msg.extend_from_slice(SAMPLE_ECID.as_bytes());
        assert_eq!(decode(&encode(&msg)).as_deref(), Some(SAMPLE_ECID));
    }

    #[test]
    fn anything_else_yields_no_ecid() {
        let truncated = &SAMPLE[..40];
        let mut not_digits = vec![0x0a, 38];
        not_digits.extend_from_slice(&[b'a'; 38]);
        let mut short = vec![0x0a, 37];
        short.extend_from_slice(&SAMPLE_ECID.as_bytes()[..37]);
        let huge_len = [0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        let endless_varint = [0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        let bad_wire_type = [0x0b, 0x00];
        for bad in [
            String::new(),
            "=".to_string(),
            "A".to_string(),
            "A===".to_string(),
            "not base64!".to_string(),
            "é".to_string(),
            truncated.to_string(),
            encode(&not_digits),
            encode(&short),
            encode(&huge_len),
            encode(&endless_varint),
            encode(&bad_wire_type),
            format!("{SAMPLE}{}", "A".repeat(MAX_COOKIE_BYTES)),
            "%3D%3D%3D".to_string(),
        ] {
            assert_eq!(decode(&bad), None, "{bad:.60}");
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A deterministic sweep of short messages: every 1- and 2-byte message, and prefixes of
        // the sample with each byte flipped.
        for a in 0..=255u8 {
            decode(&encode(&[a]));
            for b in 0..=255u8 {
                decode(&encode(&[a, b]));
            }
        }
        let sample = base64url(SAMPLE).unwrap();
        for i in 0..sample.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut m = sample.clone();
                m[i] ^= flip;
                decode(&encode(&m));
                decode(&encode(&m[..i]));
            }
        }
    }

    fn encode(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }
}
