//! Kernel bytes in JSON: the lossless text convention of this crate.
//!
//! Executables, arguments, working directories and similar values are kept
//! as bytes (`Vec<u8>`) and only become text on serialization, as follows:
//!
//! * a value that is valid UTF-8 and does not contain the two characters
//!   `\x` is written verbatim (the common case, including `\` elsewhere);
//! * any other value is written *escaped*: each byte that is not part of a
//!   valid UTF-8 sequence, and each backslash, becomes `\xNN` (two lowercase
//!   hex digits; a backslash is `\x5c`); valid UTF-8 sequences stay as they are.
//!
//! An escaped value always contains `\x` and a verbatim one never does, so
//! [`decode`] recovers the exact bytes: if the text contains `\x`, every
//! `\xNN` is one byte, otherwise the text is the bytes. (JSON's own escaping
//! of `\` as `\\` happens on top of this, in the JSON writer.)

use serde::{Serialize, Serializer};
use std::borrow::Cow;

/// Bytes that serialize as text with the convention of this module.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Text(pub Vec<u8>);

impl Text {
    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl From<&[u8]> for Text {
    fn from(b: &[u8]) -> Self {
        Text(b.to_vec())
    }
}

impl From<Vec<u8>> for Text {
    fn from(b: Vec<u8>) -> Self {
        Text(b)
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(&self.0))
    }
}

/// Encodes bytes as text (see the module documentation).
pub fn encode(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        if memchr::memmem::find(bytes, b"\\x").is_none() {
            return Cow::Borrowed(s);
        }
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\x5c");
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            push_hex(&mut out, *b);
        }
    }
    Cow::Owned(out)
}

fn push_hex(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('\\');
    out.push('x');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 15)]));
}

/// Decodes text written by [`encode`] back to the original bytes.
///
/// Returns `None` if the text contains `\x` but is not a well-formed escaped
/// value (a `\` not followed by `x` and two hex digits).
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let b = text.as_bytes();
    if memchr::memmem::find(b, b"\\x").is_none() {
        return Some(b.to_vec());
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            let hex = b.get(i + 1..i + 4)?;
            if hex[0] != b'x' {
                return None;
            }
            out.push(hex_val(hex[1])? << 4 | hex_val(hex[2])?);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn verbatim_and_escaped() {
        assert_eq!(encode(b"/usr/bin/ls"), "/usr/bin/ls");
        assert_eq!(encode(b"a\\.b"), "a\\.b");
        assert_eq!(encode("h\u{e9}".as_bytes()), "h\u{e9}");
        assert_eq!(encode(b"ab\xffc"), "ab\\xffc");
        assert_eq!(encode(b"\\x41"), "\\x5cx41");
        assert_eq!(encode(b"\xff\\"), "\\xff\\x5c");
        assert_eq!(decode("\\x5cx41").as_deref(), Some(&b"\\x41"[..]));
        assert_eq!(decode("plain\\n").as_deref(), Some(&b"plain\\n"[..]));
        assert_eq!(decode("bad\\xZZ\\x41"), None);
        assert_eq!(decode("short\\x4"), None);
    }

    #[test]
    fn serializes_as_json_string() {
        let t = Text(b"a\xfe\"".to_vec());
        assert_eq!(serde_json::to_string(&t).unwrap(), r#""a\\xfe\"""#);
    }

    proptest! {
        #[test]
        fn round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let text = encode(&bytes);
            prop_assert_eq!(decode(&text), Some(bytes));
        }

        #[test]
        fn round_trip_backslash_heavy(bytes in proptest::collection::vec(
            prop_oneof![Just(b'\\'), Just(b'x'), Just(b'5'), Just(b'c'), Just(0xc3u8), Just(0xa9u8), Just(0xffu8)], 0..32)) {
            let text = encode(&bytes);
            prop_assert_eq!(decode(&text), Some(bytes));
        }
    }
}
