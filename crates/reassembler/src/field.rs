//! `key=value` fields of an audit record body, and the hex helper.
//!
//! The tokenizer here is shared by [`Record`](crate::Record) (which stores the
//! field positions once, at parse time) and by the lazy iterator
//! [`FieldIter`] (used for the ENRICHED suffix and for any byte string).
//!
//! The splitting rules are documented on [`Field`].

use std::fmt;

use crate::separator::{Class, Cursor, Summary};

/// How a field's value was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quoting {
    /// `key=value`: a number, a hex string (the kernel's encoding of untrusted
    /// strings), `(null)`, `?`, `(none)`, a context...
    Unquoted,
    /// `key="value"`: a kernel-quoted string (never hex).
    Double,
    /// `key='value'`: the user-space `msg='...'` payload (its fields are also
    /// exposed, see [`Field::nested`]).
    Single,
    /// `key={ ... }`: only in the ENRICHED suffix (`SADDR={ ... }`).
    Braced,
}

/// One `key=value` field, borrowed from its record.
///
/// `value` is the text between the quotes, never including them; it is not
/// hex-decoded (see [`hex_decode`] and [`Field::hex_decode`]).
///
/// Token rules (what the kernel and the audit user-space tools write):
/// - fields are separated by one or more spaces;
/// - `key=value`: unquoted, the value runs to the next space;
/// - `key="value"`: double-quoted, the value runs to the next `"` (the kernel
///   hex-encodes any value that would contain a `"`, a space or a control
///   byte, so a quoted value never contains a quote);
/// - `key='value'`: single-quoted, the value runs to the next `'` that is
///   followed by a space or the end (user-space records: `msg='op=... res=success'`);
/// - `key={ ... }`: braced, the value runs to the next `}` (the ENRICHED
///   `SADDR={ saddr_fam=inet laddr=... }` form);
/// - a token without `=` (`avc:  denied  { read } for  pid=...`, old
///   `auditd start, ver=...`) is skipped; `=value` with an empty key too;
/// - the key ends at the first `=`, so `key=a=b` has the value `a=b`;
/// - an unterminated quote takes the rest of the input as its value.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Field<'a> {
    /// The key, as written (`pid`, `a0`, `a1[0]`, `op`...).
    pub key: &'a [u8],
    /// The raw value, without quotes.
    pub value: &'a [u8],
    /// How the value was quoted.
    pub quoting: Quoting,
    /// `true` for the inner fields of a user-space record's `msg='...'`
    /// (they follow all the outer fields in [`Record::fields`](crate::Record::fields)).
    pub nested: bool,
}

impl<'a> Field<'a> {
    /// Whether the value was quoted (`"..."`, `'...'` or `{...}`).
    pub fn is_quoted(&self) -> bool {
        self.quoting != Quoting::Unquoted
    }

    /// Whether the value is one of the kernel's "no value" markers, unquoted:
    /// `(null)`, `?` or `(none)`.
    pub fn is_absent(&self) -> bool {
        self.quoting == Quoting::Unquoted && matches!(self.value, b"(null)" | b"?" | b"(none)")
    }

    /// The value as an unsigned decimal number (`pid=123`, `uid=4294967295`).
    pub fn as_u64(&self) -> Option<u64> {
        parse_dec_u64(self.value)
    }

    /// The value as a signed decimal number (`exit=-13`).
    pub fn as_i64(&self) -> Option<i64> {
        match self.value.split_first() {
            Some((b'-', rest)) => {
                let v = parse_dec_u64(rest)?;
                if v <= i64::MAX as u64 + 1 {
                    Some((v as i128).wrapping_neg() as i64)
                } else {
                    None
                }
            }
            _ => parse_dec_u64(self.value).and_then(|v| i64::try_from(v).ok()),
        }
    }

    /// The value as a hexadecimal number without prefix (`a0=7ffd3`,
    /// `arch=c000003e`); an optional `0x` prefix is accepted (`ip=0xb7670aac`).
    pub fn as_hex_u64(&self) -> Option<u64> {
        let v = self
            .value
            .strip_prefix(b"0x")
            .or_else(|| self.value.strip_prefix(b"0X"))
            .unwrap_or(self.value);
        if v.is_empty() || v.len() > 16 {
            return None;
        }
        let mut n = 0u64;
        for &b in v {
            n = (n << 4) | u64::from(hex_nibble(b)?);
        }
        Some(n)
    }

    /// Hex-decodes the value (see [`hex_decode`]). Use it only where the
    /// kernel hex-encodes (unquoted untrusted strings such as `comm`, `exe`,
    /// `name`, `aN`, `proctitle`, `saddr`).
    pub fn hex_decode(&self) -> Option<Vec<u8>> {
        hex_decode(self.value)
    }
}

impl fmt::Debug for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Field")
            .field("key", &String::from_utf8_lossy(self.key))
            .field("value", &String::from_utf8_lossy(self.value))
            .field("quoting", &self.quoting)
            .field("nested", &self.nested)
            .finish()
    }
}

/// Decodes a hex string (upper or lower case, even length) into bytes.
///
/// Returns `None` for an odd length or a non-hex byte. An empty input decodes
/// to an empty vector.
pub fn hex_decode(value: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(value.len() / 2);
    if hex_decode_into(value, &mut out) {
        Some(out)
    } else {
        None
    }
}

/// Like [`hex_decode`], appending to `out` (no allocation when `out` has room).
/// Returns `false` and leaves `out` unchanged if `value` is not valid hex.
pub fn hex_decode_into(value: &[u8], out: &mut Vec<u8>) -> bool {
    if value.len() % 2 != 0 {
        return false;
    }
    let start = out.len();
    out.reserve(value.len() / 2);
    for pair in value.chunks_exact(2) {
        match (hex_nibble(pair[0]), hex_nibble(pair[1])) {
            (Some(h), Some(l)) => out.push((h << 4) | l),
            _ => {
                out.truncate(start);
                return false;
            }
        }
    }
    true
}

/// Whether `value` is a non-empty, even-length string of hex digits, i.e.
/// something [`hex_decode`] accepts (cheap, no allocation).
pub fn is_hex(value: &[u8]) -> bool {
    !value.is_empty() && value.len() % 2 == 0 && value.iter().all(|&b| hex_nibble(b).is_some())
}

#[inline]
fn hex_nibble(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Parses a plain unsigned decimal (no sign, no spaces); `None` on overflow.
pub(crate) fn parse_dec_u64(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 20 {
        return None;
    }
    let mut n = 0u64;
    for &b in v {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// Positions of one field inside a buffer (offsets are absolute).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    pub key_start: usize,
    pub key_end: usize,
    pub val_start: usize,
    pub val_end: usize,
    pub quoting: Quoting,
}

/// Splits a byte range into [`Span`]s (the rules are in the module docs).
#[derive(Clone, Debug)]
pub(crate) struct Tokenizer<'a> {
    /// The input, cut at the end of the range.
    buf: &'a [u8],
    cursor: Cursor<'a>,
    pos: usize,
}

impl<'a> Tokenizer<'a> {
    /// Fields of `buf[start..end]` (positions stay offsets into `buf`).
    #[inline(always)]
    pub fn new(buf: &'a [u8], start: usize, end: usize) -> Self {
        let buf = &buf[..end];
        let start = start.min(end);
        Tokenizer {
            buf,
            cursor: Cursor::new(buf, start, end),
            pos: start,
        }
    }

    /// Makes the separator pass over the first blocks now (the tokenizer
    /// works without it) and says what it saw (`=` count, 0x1D).
    #[inline(always)]
    pub fn scan(&mut self) -> Summary {
        self.cursor.scan()
    }

    /// The next field, `None` at the end. Always inlined: a call per field
    /// (saved registers, the span returned through memory) cost about a
    /// sixth of the tokenizer.
    #[inline(always)]
    pub fn next_span(&mut self) -> Option<Span> {
        let buf = self.buf;
        let end = buf.len();
        // Most fields: the key found from one block's bitmaps, and an
        // unquoted value ending in the same block from the same bitmaps.
        if let Some((key_start, key_end, spaces)) = self.cursor.simple_key(self.pos) {
            let v = key_end + 1;
            if let Some(&b) = buf.get(v) {
                if spaces != 0 && !OPENS_QUOTE[usize::from(b)] {
                    let val_end = v + spaces.trailing_zeros() as usize;
                    self.pos = val_end;
                    return Some(Span {
                        key_start,
                        key_end,
                        val_start: v,
                        val_end,
                        quoting: Quoting::Unquoted,
                    });
                }
            }
            return Some(self.value(key_start, key_end));
        }
        if self.pos >= end {
            // The usual end: the last value ran to the end of the input.
            return None;
        }
        loop {
            // The cursor answers `end` when there is no such byte.
            let key_start = self.cursor.next(self.pos, Class::NonSpace);
            // The key runs to '=' or ' '; a last token without '=' ends it all.
            let key_end = self.cursor.next(key_start, Class::EqualsOrSpace);
            let Some(&sep) = buf.get(key_end) else {
                self.pos = end;
                return None;
            };
            if sep == b' ' {
                // A token without '=': skip it.
                self.pos = key_end;
                continue;
            }
            if key_end == key_start {
                // An empty key: skip the token.
                self.pos = self.cursor.next(key_end, Class::Space);
                continue;
            }
            return Some(self.value(key_start, key_end));
        }
    }

    /// The field whose key is `buf[key_start..key_end]` (`key_end` at its
    /// `'='`): finds the value and moves past it.
    #[inline(always)]
    fn value(&mut self, key_start: usize, key_end: usize) -> Span {
        let buf = self.buf;
        let end = buf.len();
        let v = key_end + 1;
        let (quoting, val_start, val_end, next) = match buf.get(v) {
            Some(b'"') => {
                // `end` if unterminated: the value runs to the end.
                let q = double_quote_end(buf, v + 1);
                (Quoting::Double, v + 1, q, (q + 1).min(end))
            }
            Some(b'\'') => {
                let s = v + 1;
                let e = single_quote_end(buf, s, end);
                (Quoting::Single, s, e, (e + 1).min(end))
            }
            Some(b'{') => {
                let s = v + 1;
                match memchr::memchr(b'}', &buf[s..]) {
                    Some(i) => {
                        let (vs, ve) = trim_spaces(buf, s, s + i);
                        (Quoting::Braced, vs, ve, s + i + 1)
                    }
                    None => (Quoting::Braced, s, end, end),
                }
            }
            _ => {
                let e = self.cursor.next(v, Class::Space);
                (Quoting::Unquoted, v, e, e)
            }
        };
        self.pos = next;
        Span {
            key_start,
            key_end,
            val_start,
            val_end,
            quoting,
        }
    }
}

/// The bytes that open a quoted value right after `=`: `"`, `'` and `{`.
const OPENS_QUOTE: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'\'' as usize] = true;
    t[b'{' as usize] = true;
    t
};

/// End of a double-quoted value starting at `s`: the next `"`, else the
/// end of `buf`. Kernel-quoted values are short (`comm`, `exe`, `name`), so
/// eight bytes at a time with word operations. Out of line: inlined, it
/// made the tokenizer's hot loop spill registers (+1.9M instructions on
/// corpus-10).
#[inline(never)]
fn double_quote_end(buf: &[u8], mut pos: usize) -> usize {
    while let Some(word) = buf.get(pos..).and_then(|r| r.first_chunk::<8>()) {
        // Zero bytes of `x` are the quotes; the lowest flagged byte is exact
        // (a borrow only propagates upwards from a zero byte).
        let x = u64::from_le_bytes(*word) ^ 0x2222_2222_2222_2222;
        let zero = x.wrapping_sub(0x0101_0101_0101_0101) & !x & 0x8080_8080_8080_8080;
        if zero != 0 {
            return pos + (zero.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    let rest = buf.get(pos..).unwrap_or_default();
    pos + rest.iter().position(|&b| b == b'"').unwrap_or(rest.len())
}

/// End of a single-quoted value starting at `s`: the first `'` followed by a
/// space or the end of input; the end of input if there is none.
fn single_quote_end(buf: &[u8], s: usize, end: usize) -> usize {
    let mut from = s;
    while let Some(i) = memchr::memchr(b'\'', &buf[from..end]) {
        let q = from + i;
        if q + 1 >= end || buf[q + 1] == b' ' {
            return q;
        }
        from = q + 1;
    }
    end
}

fn trim_spaces(buf: &[u8], mut s: usize, mut e: usize) -> (usize, usize) {
    while s < e && buf[s] == b' ' {
        s += 1;
    }
    while e > s && buf[e - 1] == b' ' {
        e -= 1;
    }
    (s, e)
}

/// Lazy iterator over the fields of any byte string (same rules as a record
/// body, without the nested `msg='...'` expansion). Used for
/// [`Record::enrichment_fields`](crate::Record::enrichment_fields).
#[derive(Clone, Debug)]
pub struct FieldIter<'a> {
    buf: &'a [u8],
    tokens: Tokenizer<'a>,
}

impl<'a> FieldIter<'a> {
    /// Iterates over the `key=value` fields of `text`.
    pub fn new(text: &'a [u8]) -> Self {
        FieldIter {
            buf: text,
            tokens: Tokenizer::new(text, 0, text.len()),
        }
    }
}

impl<'a> Iterator for FieldIter<'a> {
    type Item = Field<'a>;

    fn next(&mut self) -> Option<Field<'a>> {
        let span = self.tokens.next_span()?;
        Some(Field {
            key: &self.buf[span.key_start..span.key_end],
            value: &self.buf[span.val_start..span.val_end],
            quoting: span.quoting,
            nested: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(s: &str) -> Vec<(String, String, Quoting)> {
        FieldIter::new(s.as_bytes())
            .map(|f| {
                (
                    String::from_utf8_lossy(f.key).into_owned(),
                    String::from_utf8_lossy(f.value).into_owned(),
                    f.quoting,
                )
            })
            .collect()
    }

    #[test]
    fn unquoted_quoted_and_single() {
        let f = fields(r#"a=1  b="x y" c='op=x res=1' d=(null) e=?"#);
        assert_eq!(
            f,
            vec![
                ("a".into(), "1".into(), Quoting::Unquoted),
                ("b".into(), "x y".into(), Quoting::Double),
                ("c".into(), "op=x res=1".into(), Quoting::Single),
                ("d".into(), "(null)".into(), Quoting::Unquoted),
                ("e".into(), "?".into(), Quoting::Unquoted),
            ]
        );
    }

    #[test]
    fn skips_words_without_equals() {
        let f = fields(r#"avc:  denied  { read } for  pid=13010 comm="pickup""#);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].0, "pid");
        assert_eq!(f[1].1, "pickup");
    }

    #[test]
    fn braced_enrichment() {
        let f = fields("SADDR={ saddr_fam=netlink nlnk-fam=16 nlnk-pid=0 } UID=\"root\"");
        assert_eq!(
            f[0],
            (
                "SADDR".into(),
                "saddr_fam=netlink nlnk-fam=16 nlnk-pid=0".into(),
                Quoting::Braced
            )
        );
        assert_eq!(f[1].0, "UID");
    }

    #[test]
    fn unterminated_quote_and_empty_key() {
        let f = fields(r#"=x a="open"#);
        assert_eq!(f, vec![("a".into(), "open".into(), Quoting::Double)]);
        let f = fields("a=");
        assert_eq!(f, vec![("a".into(), "".into(), Quoting::Unquoted)]);
        let f = fields("k=a=b");
        assert_eq!(f[0].1, "a=b");
    }

    #[test]
    fn single_quote_inside_value() {
        let f = fields("msg='it's here' x=1");
        assert_eq!(f[0].1, "it's here");
        assert_eq!(f[1].0, "x");
    }

    /// The tokenizing rules of the module docs, byte by byte.
    fn reference(buf: &[u8]) -> Vec<(usize, usize, usize, usize, Quoting)> {
        let end = buf.len();
        let mut out = Vec::new();
        let mut pos = 0;
        loop {
            while pos < end && buf[pos] == b' ' {
                pos += 1;
            }
            if pos >= end {
                return out;
            }
            let ks = pos;
            while pos < end && buf[pos] != b'=' && buf[pos] != b' ' {
                pos += 1;
            }
            if pos >= end {
                return out;
            }
            if buf[pos] == b' ' {
                continue;
            }
            if pos == ks {
                while pos < end && buf[pos] != b' ' {
                    pos += 1;
                }
                continue;
            }
            let ke = pos;
            let v = pos + 1;
            let find = |from: usize, c: u8| (from..end).find(|&i| buf[i] == c);
            let (q, vs, ve, next) = match buf.get(v) {
                Some(b'"') => match find(v + 1, b'"') {
                    Some(e) => (Quoting::Double, v + 1, e, e + 1),
                    None => (Quoting::Double, v + 1, end, end),
                },
                Some(b'\'') => {
                    let e = (v + 1..end)
                        .find(|&i| buf[i] == b'\'' && (i + 1 == end || buf[i + 1] == b' '))
                        .unwrap_or(end);
                    (Quoting::Single, v + 1, e, (e + 1).min(end))
                }
                Some(b'{') => match find(v + 1, b'}') {
                    Some(e) => {
                        let (a, b) = trim_spaces(buf, v + 1, e);
                        (Quoting::Braced, a, b, e + 1)
                    }
                    None => (Quoting::Braced, v + 1, end, end),
                },
                _ => {
                    let e = find(v, b' ').unwrap_or(end);
                    (Quoting::Unquoted, v, e, e)
                }
            };
            out.push((ks, ke, vs, ve, q));
            pos = next;
        }
    }

    fn tokenized(buf: &[u8]) -> Vec<(usize, usize, usize, usize, Quoting)> {
        let mut t = Tokenizer::new(buf, 0, buf.len());
        std::iter::from_fn(|| t.next_span())
            .map(|s| (s.key_start, s.key_end, s.val_start, s.val_end, s.quoting))
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn tokenizer_matches_the_reference(body in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::strategy::Just(b' '), proptest::strategy::Just(b'='),
                proptest::strategy::Just(b'"'), proptest::strategy::Just(b'\''),
                proptest::strategy::Just(b'{'), proptest::strategy::Just(b'}'),
                proptest::strategy::Just(b'a'), proptest::strategy::Just(b'k'),
                proptest::arbitrary::any::<u8>(),
            ], 0..400)) {
            proptest::prop_assert_eq!(tokenized(&body), reference(&body));
        }
    }

    #[test]
    fn tokenizer_matches_the_reference_on_long_values() {
        let mut line = b"proctitle=".to_vec();
        line.extend(std::iter::repeat_n(b'A', 150));
        line.extend_from_slice(b" a1=\"");
        line.extend(std::iter::repeat_n(b'x', 70));
        line.extend_from_slice(b"\"   k=v  =x y z= msg='a=b c='d' e=f' end");
        assert_eq!(tokenized(&line), reference(&line));
        // proctitle, a1, k, z (empty), msg (up to the quote before a space), e.
        assert_eq!(tokenized(&line).len(), 6);
    }

    #[test]
    fn double_quote_end_finds_the_first_quote_or_the_end() {
        // Exactly sized allocations, every length around the 8-byte words and
        // every quote position (or none).
        for len in 0..40usize {
            for quote in (0..len).map(Some).chain([None]) {
                let text: Box<[u8]> = (0..len)
                    .map(|i| {
                        if Some(i) == quote {
                            b'"'
                        } else {
                            b'a' + (i % 7) as u8
                        }
                    })
                    .collect::<Vec<u8>>()
                    .into_boxed_slice();
                for start in 0..=len {
                    let expect = (start..len).find(|&i| text[i] == b'"').unwrap_or(len);
                    assert_eq!(
                        double_quote_end(&text, start),
                        expect,
                        "{len} {quote:?} {start}"
                    );
                }
            }
        }
        // 0x22 next to bytes that borrow (0x21, 0x00, 0xA2) is still exact.
        let text = [0x21u8, 0x00, 0xA2, 0x23, 0x21, 0x22, 0x22, 0x00, 0x21];
        assert_eq!(double_quote_end(&text, 0), 5);
        assert_eq!(double_quote_end(&text, 6), 6);
        assert_eq!(double_quote_end(&text, 7), 9);
    }

    #[test]
    fn hex() {
        assert_eq!(hex_decode(b"2F746D70").as_deref(), Some(&b"/tmp"[..]));
        assert_eq!(hex_decode(b"2f746d70").as_deref(), Some(&b"/tmp"[..]));
        assert_eq!(hex_decode(b"2F7"), None);
        assert_eq!(hex_decode(b"zz"), None);
        assert_eq!(hex_decode(b"").as_deref(), Some(&b""[..]));
        let mut out = b"ab".to_vec();
        assert!(!hex_decode_into(b"0g", &mut out));
        assert_eq!(out, b"ab");
        assert!(is_hex(b"00ff"));
        assert!(!is_hex(b"(null)"));
    }

    #[test]
    fn numbers() {
        let f = |v: &'static [u8]| Field {
            key: b"k",
            value: v,
            quoting: Quoting::Unquoted,
            nested: false,
        };
        assert_eq!(f(b"4294967295").as_u64(), Some(4294967295));
        assert_eq!(f(b"-13").as_i64(), Some(-13));
        assert_eq!(f(b"-9223372036854775808").as_i64(), Some(i64::MIN));
        assert_eq!(f(b"99999999999999999999999").as_u64(), None);
        assert_eq!(f(b"c000003e").as_hex_u64(), Some(0xc000003e));
        assert_eq!(f(b"0xb7670aac").as_hex_u64(), Some(0xb7670aac));
        assert_eq!(f(b"x").as_hex_u64(), None);
        assert!(f(b"(null)").is_absent());
    }
}
