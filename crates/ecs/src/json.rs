//! A streaming JSON writer into a `Vec<u8>` with our own string escaping.
//!
//! Every string value comes in as bytes. Valid UTF-8 is written as is (with
//! JSON escapes for `"`, `\` and control characters). Bytes that are not valid
//! UTF-8 are written lossily (each invalid sequence becomes U+FFFD) and the
//! exact bytes are recorded, hex-encoded, under the value's dotted path; the
//! serializer writes that map as `auditd.non_utf8` (see the crate README).

mod text;

pub(crate) use text::push_u64;
use text::{
    lane_mask, load8, load_short, push_i64, scan, special_fast, write_string_escaped, Cur, SLACK,
};
pub use text::{push_hex, write_string};

/// How an open object/array is named in its parent.
#[derive(Clone, Copy)]
enum Seg {
    /// The top-level object.
    Root,
    /// A member: the key's escaped text is `out[start..end]`.
    Key(u32, u32),
    /// An array element.
    Index(u32),
}

/// An open object or array (kept between events by the serializer, see
/// [`JsonWriter::new_with_stack`]).
#[derive(Clone, Copy)]
pub(crate) struct Level {
    array: bool,
    count: u32,
    seg: Seg,
}

/// A value that was not valid UTF-8: its dotted path and exact bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonUtf8 {
    /// Dotted path of the value, array elements by index (`process.args.1`).
    pub path: String,
    /// The exact bytes.
    pub bytes: Vec<u8>,
}

/// Streaming JSON writer over a caller-owned buffer.
///
/// Members are written with the `*_field` methods inside an object and with
/// the `item_*` methods inside an array. The writer tracks commas and the
/// dotted path of the current position (for the non-UTF-8 report).
pub struct JsonWriter<'a> {
    out: &'a mut Vec<u8>,
    levels: Vec<Level>,
    /// No member written yet in the innermost open object/array.
    first: bool,
    non_utf8: Vec<NonUtf8>,
}

impl<'a> JsonWriter<'a> {
    /// Starts writing a top-level object at the end of `out`.
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        Self::new_with_stack(out, Vec::with_capacity(8))
    }

    /// [`JsonWriter::new`] reusing the allocation of a stack given back by
    /// [`JsonWriter::finish_stack`].
    pub(crate) fn new_with_stack(out: &'a mut Vec<u8>, mut levels: Vec<Level>) -> Self {
        out.push(b'{');
        levels.clear();
        levels.push(Level {
            array: false,
            count: 0,
            seg: Seg::Root,
        });
        JsonWriter {
            out,
            levels,
            first: true,
            non_utf8: Vec::new(),
        }
    }

    /// Closes every open object/array and returns the non-UTF-8 values seen.
    pub fn finish(mut self) -> Vec<NonUtf8> {
        self.close_all();
        std::mem::take(&mut self.non_utf8)
    }

    /// [`JsonWriter::finish`] that gives back the (empty) stack for the
    /// next [`JsonWriter::new_with_stack`]; non-UTF-8 values not taken are
    /// dropped.
    pub(crate) fn finish_stack(mut self) -> Vec<Level> {
        self.close_all();
        std::mem::take(&mut self.levels)
    }

    fn close_all(&mut self) {
        while let Some(l) = self.levels.pop() {
            self.out.push(if l.array { b']' } else { b'}' });
        }
    }

    /// Takes the non-UTF-8 values recorded so far.
    pub fn take_non_utf8(&mut self) -> Vec<NonUtf8> {
        std::mem::take(&mut self.non_utf8)
    }

    /// Current nesting depth (1 = inside the top-level object).
    pub fn depth(&self) -> usize {
        self.levels.len()
    }

    #[inline(always)]
    fn comma(&mut self) {
        if self.first {
            self.first = false;
        } else {
            self.out.push(b',');
        }
    }

    /// Appends `,"key":` for a plain key at `c` (the comma when needed) and
    /// returns where the key's text is (`len`: the length of `out` at
    /// `c`'s creation).
    ///
    /// # Safety
    /// `key` is plain ASCII without escapes and `c` has `key.len() + 4`
    /// spare bytes.
    #[inline(always)]
    unsafe fn plain_key_at(&mut self, c: &mut Cur, len: usize, key: &[u8]) -> (u32, u32) {
        let comma = !std::mem::replace(&mut self.first, false);
        let start = len + usize::from(comma) + 1;
        // SAFETY: key.len() + 4 spare: comma, two quotes, key, colon.
        unsafe {
            if comma {
                c.byte(b',');
            }
            c.byte(b'"');
            c.slice(key);
            c.byte(b'"');
            c.byte(b':');
        }
        (start as u32, (start + key.len()) as u32)
    }

    /// Writes `,"key":` (the comma when needed) with `extra` more bytes of
    /// spare capacity after it; returns where the key's escaped text is in
    /// `out`.
    #[inline(always)]
    fn key_reserve(&mut self, key: &[u8], extra: usize) -> (u32, u32) {
        if scan(key, 0, true) == key.len() {
            // Plain ASCII (every key the serializer writes): one copy.
            self.out.reserve(key.len() + 4 + extra);
            let len = self.out.len();
            let mut c = Cur::new(self.out);
            // SAFETY: plain key, key.len() + 4 spare; `out` untouched
            // until the commit.
            unsafe {
                let at = self.plain_key_at(&mut c, len, key);
                c.commit(self.out);
                return at;
            }
        }
        self.comma();
        let start = self.out.len() + 1;
        write_string(self.out, key);
        let end = self.out.len() - 1;
        self.out.push(b':');
        self.out.reserve(extra);
        (start as u32, end as u32)
    }

    /// Writes `,"key":` (the comma when needed); returns where the key's
    /// escaped text is in `out`.
    #[inline(always)]
    fn key(&mut self, key: &[u8]) -> (u32, u32) {
        self.key_reserve(key, 0)
    }

    fn note_invalid(&mut self, key: Option<&[u8]>, bytes: &[u8]) {
        let mut parts: Vec<String> = Vec::new();
        for l in &self.levels {
            match l.seg {
                Seg::Root => {}
                Seg::Key(a, b) => parts.push(
                    String::from_utf8_lossy(
                        self.out.get(a as usize..b as usize).unwrap_or_default(),
                    )
                    .into_owned(),
                ),
                Seg::Index(i) => parts.push(i.to_string()),
            }
        }
        match key {
            Some(k) => parts.push(String::from_utf8_lossy(k).into_owned()),
            None => parts.push(self.levels.last().map_or(0, |l| l.count).to_string()),
        }
        self.non_utf8.push(NonUtf8 {
            path: parts.join("."),
            bytes: bytes.to_vec(),
        });
    }

    #[inline(always)]
    fn open(&mut self, array: bool, seg: Seg) {
        self.out.push(if array { b'[' } else { b'{' });
        // Never grows after the first events (the serializer reuses it).
        self.levels.push(Level {
            array,
            count: 0,
            seg,
        });
        self.first = true;
    }

    fn bump(&mut self) {
        if let Some(l) = self.levels.last_mut() {
            l.count += 1;
        }
    }

    /// Opens an object member `key`.
    #[inline(always)]
    pub fn begin_object(&mut self, key: &str) {
        self.begin_object_bytes(key.as_bytes());
    }

    /// Opens an object member whose key is arbitrary bytes.
    #[inline(always)]
    pub fn begin_object_bytes(&mut self, key: &[u8]) {
        let (start, end) = self.key_reserve(key, 1);
        self.open(false, Seg::Key(start, end));
    }

    /// Opens an object member `key` and writes `members` into it: already
    /// valid JSON text of one or more complete members (`"a":1,"b":"x"`),
    /// a constant run written as one copy.
    #[inline(always)]
    pub(crate) fn begin_object_with(&mut self, key: &str, members: &[u8]) {
        let (start, end) = self.key_reserve(key.as_bytes(), members.len() + 1 + SLACK);
        let mut c = Cur::new(self.out);
        // SAFETY: `{` and the copy (members.len() + SLACK) reserved after
        // the key; `out` untouched until the commit.
        unsafe {
            c.byte(b'{');
            c.copy(members);
            c.commit(self.out);
        }
        self.levels.push(Level {
            array: false,
            count: 0,
            seg: Seg::Key(start, end),
        });
        self.first = members.is_empty();
    }

    /// Writes `members`, already valid JSON text of one or more complete
    /// members (`"a":1,"b":"x"`), into the open object (one copy).
    #[inline]
    pub(crate) fn raw_members(&mut self, members: &[u8]) {
        self.out.reserve(members.len() + 1 + SLACK);
        let mut c = Cur::new(self.out);
        // SAFETY: the comma and the copy (members.len() + SLACK) reserved;
        // `out` untouched until the commit.
        unsafe {
            if !std::mem::replace(&mut self.first, false) {
                c.byte(b',');
            }
            c.copy(members);
            c.commit(self.out);
        }
    }

    /// Opens an array member `key`.
    #[inline(always)]
    pub fn begin_array(&mut self, key: &str) {
        let (start, end) = self.key_reserve(key.as_bytes(), 1);
        self.open(true, Seg::Key(start, end));
    }

    /// Opens an object as the next array element.
    pub fn item_begin_object(&mut self) {
        self.comma();
        let index = self.levels.last().map_or(0, |l| l.count);
        self.bump();
        self.open(false, Seg::Index(index));
    }

    /// Closes the innermost object or array.
    pub fn end(&mut self) {
        if self.levels.len() <= 1 {
            return;
        }
        if let Some(l) = self.levels.pop() {
            self.out.push(if l.array { b']' } else { b'}' });
        }
        // The parent now holds the closed member.
        self.first = false;
    }

    /// Writes a string member from bytes.
    ///
    /// Inlined so that a literal key's escape check and copy are resolved
    /// at compile time; one reservation and one length update cover the
    /// key and a plain value.
    #[inline(always)]
    pub fn str_field(&mut self, key: &str, value: &[u8]) {
        let k = key.as_bytes();
        if scan(k, 0, true) != k.len() {
            self.key(k);
            self.value_inline(k, value);
            return;
        }
        self.out.reserve(k.len() + value.len() + 6 + SLACK);
        let len = self.out.len();
        let mut c = Cur::new(self.out);
        // SAFETY: k.len() + 4 for the key, then value.len() + 2 + SLACK for
        // the quoted plain value; `out` untouched until the commits.
        unsafe {
            self.plain_key_at(&mut c, len, k);
            c.byte(b'"');
            if c.plain(value) {
                c.byte(b'"');
                c.commit(self.out);
                return;
            }
            c.commit(self.out);
        }
        // Rare: a value that needs escaping (the opening quote is written).
        if !write_string_escaped(self.out, value) {
            self.note_invalid(Some(k), value);
        }
    }

    #[inline(always)]
    fn value_inline(&mut self, key: &[u8], value: &[u8]) {
        if !write_string(self.out, value) {
            self.note_invalid(Some(key), value);
        }
    }

    /// `,"key":"value"` for a key and a value of at most 8 bytes each,
    /// both plain: both checked at once, then written as words. Writes
    /// nothing and returns `false` when either needs escaping.
    #[inline(always)]
    fn short_member(&mut self, key: &[u8], value: &[u8]) -> bool {
        debug_assert!(key.len() <= 8 && value.len() <= 8);
        let k = if key.len() == 8 {
            load8(key, 0)
        } else {
            load_short(key)
        };
        let v = if value.len() == 8 {
            load8(value, 0)
        } else {
            load_short(value)
        };
        // Flags past each string's end are masked off: only bytes above a
        // real match can be false positives (see `special_fast`).
        if (special_fast(k, true) & lane_mask(key.len()))
            | (special_fast(v, true) & lane_mask(value.len()))
            != 0
        {
            return false;
        }
        // At most 1 + 1 + 8 + 3 + 8 + 1 bytes, the words stored whole.
        self.out.reserve(32);
        let mut c = Cur::new(self.out);
        // SAFETY: 32 spare bytes: each word store needs 8 spare at its
        // position, the last one (the value) starts at most 13 bytes in;
        // `out` untouched until the commit.
        unsafe {
            if !std::mem::replace(&mut self.first, false) {
                c.byte(b',');
            }
            c.byte(b'"');
            c.word(k, key.len());
            c.word(u64::from_le_bytes(*b"\":\"\0\0\0\0\0"), 3);
            c.word(v, value.len());
            c.byte(b'"');
            c.commit(self.out);
        }
        true
    }

    /// Writes a string member whose key is arbitrary bytes.
    #[inline(always)]
    pub fn str_field_bytes(&mut self, key: &[u8], value: &[u8]) {
        if key.len() <= 8 && value.len() <= 8 && self.short_member(key, value) {
            return;
        }
        // comma, quote, key + SLACK, `":"`; then value + SLACK, quote.
        self.out.reserve(key.len() + value.len() + 6 + 2 * SLACK);
        let mut c = Cur::new(self.out);
        // SAFETY: the reservation covers the comma, the quote, the plain
        // key copy (key.len() + SLACK), `":"`, then the plain value copy
        // (value.len() + SLACK) and the closing quote; `out` untouched
        // until the commits.
        unsafe {
            if !self.first {
                c.byte(b',');
            }
            c.byte(b'"');
            if c.plain(key) {
                self.first = false;
                c.word(u64::from_le_bytes(*b"\":\"\0\0\0\0\0"), 3);
                if c.plain(value) {
                    c.byte(b'"');
                    c.commit(self.out);
                    return;
                }
                c.commit(self.out);
                // Rare: a value that needs escaping (opening quote written).
                if !write_string_escaped(self.out, value) {
                    self.note_invalid(Some(key), value);
                }
                return;
            }
            // Nothing committed: `out` is as it was.
        }
        // Rare: a key that needs escaping.
        self.comma();
        write_string(self.out, key);
        self.out.push(b':');
        self.value_inline(key, value);
    }

    /// Writes a string member made of `parts` joined with single spaces,
    /// without building the joined string (unless a part needs escaping or
    /// is not UTF-8).
    pub fn str_field_joined<T: AsRef<[u8]>>(&mut self, key: &str, parts: &[T]) {
        let total: usize = parts.iter().map(|p| p.as_ref().len() + 1).sum();
        self.key_reserve(key.as_bytes(), total + 2 + SLACK);
        let mut c = Cur::new(self.out);
        // SAFETY: `total + 2 + SLACK` spare: the quotes, each part
        // (p.len() + SLACK, the SLACK reused) and the spaces between them;
        // `out` untouched until the commit.
        let plain = unsafe {
            c.byte(b'"');
            let mut plain = true;
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    c.byte(b' ');
                }
                if !c.plain(p.as_ref()) {
                    plain = false;
                    break;
                }
            }
            if plain {
                c.byte(b'"');
                c.commit(self.out);
            }
            plain
        };
        if plain {
            return;
        }
        // Rare: written from scratch through the escaping/lossy path (the
        // cursor was not committed: `out` ends after the key).
        let joined = crate::argv::join_args(parts);
        if !write_string(self.out, &joined) {
            self.note_invalid(Some(key.as_bytes()), &joined);
        }
    }

    /// Writes an unsigned integer member.
    #[inline(always)]
    pub fn u64_field(&mut self, key: &str, value: u64) {
        let k = key.as_bytes();
        if scan(k, 0, true) != k.len() {
            self.key(k);
            push_u64(self.out, value);
            return;
        }
        self.out.reserve(k.len() + 4 + 20);
        let len = self.out.len();
        let mut c = Cur::new(self.out);
        // SAFETY: plain key (k.len() + 4) and 20 digits reserved; `out`
        // untouched until the commit.
        unsafe {
            self.plain_key_at(&mut c, len, k);
            c.u64(value);
            c.commit(self.out);
        }
    }

    /// Writes a signed integer member.
    #[inline(always)]
    pub fn i64_field(&mut self, key: &str, value: i64) {
        self.key(key.as_bytes());
        push_i64(self.out, value);
    }

    /// Writes a boolean member.
    #[inline(always)]
    pub fn bool_field(&mut self, key: &str, value: bool) {
        self.key(key.as_bytes());
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
    }

    /// Writes a member whose value is the decimal text of `value`, as a string.
    #[inline(always)]
    pub fn u64_str_field(&mut self, key: &str, value: u64) {
        self.key_reserve(key.as_bytes(), 22);
        let mut c = Cur::new(self.out);
        // SAFETY: 22 spare bytes reserved after the key: two quotes and at
        // most 20 digits; `out` untouched until the commit.
        unsafe {
            c.byte(b'"');
            c.u64(value);
            c.byte(b'"');
            c.commit(self.out);
        }
    }

    /// Writes a member whose string value is the lowercase hex of `bytes`.
    pub fn hex_field(&mut self, key: &str, bytes: &[u8]) {
        self.key(key.as_bytes());
        self.out.push(b'"');
        push_hex(self.out, bytes);
        self.out.push(b'"');
    }

    /// Writes a string array element.
    pub fn item_str(&mut self, value: &[u8]) {
        self.out.reserve(value.len() + 3 + SLACK);
        let mut c = Cur::new(self.out);
        // SAFETY: the comma, the quotes and the plain copy (value.len() +
        // SLACK) are reserved; `out` untouched until the commits.
        let plain = unsafe {
            if !std::mem::replace(&mut self.first, false) {
                c.byte(b',');
            }
            c.byte(b'"');
            let plain = c.plain(value);
            if plain {
                c.byte(b'"');
            }
            c.commit(self.out);
            plain
        };
        if !plain && !write_string_escaped(self.out, value) {
            self.note_invalid(None, value);
        }
        self.bump();
    }

    /// Writes an unsigned integer array element.
    pub fn item_u64(&mut self, value: u64) {
        self.comma();
        push_u64(self.out, value);
        self.bump();
    }

    /// Appends raw, already valid JSON text as a member value. The caller
    /// guarantees `json` is one complete JSON value.
    #[inline(always)]
    pub fn raw_field(&mut self, key: &str, json: &[u8]) {
        self.raw_field_run(key, json);
    }

    /// Appends a run of members in one copy: `"key":` then `run`, which is
    /// the first member's value followed by further members of the same
    /// object (`V,"k2":V2,...`). The caller guarantees `run` is valid JSON
    /// text of that shape (pre-rendered members reused across events); the
    /// writer then stands after the last member of the run.
    #[inline(always)]
    pub fn raw_field_run(&mut self, key: &str, run: &[u8]) {
        self.key_reserve(key.as_bytes(), run.len() + SLACK);
        let mut c = Cur::new(self.out);
        // SAFETY: the copy (run.len() + SLACK) reserved after the key;
        // `out` untouched until the commit.
        unsafe {
            c.copy(run);
            c.commit(self.out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(buf: &[u8]) -> serde_json::Value {
        serde_json::from_slice(buf).expect("valid JSON")
    }

    #[test]
    fn escapes_controls_quotes_and_backslashes() {
        let mut out = Vec::new();
        let mut w = JsonWriter::new(&mut out);
        w.str_field("s", b"a\"b\\c\nd\te\x01\x7f");
        assert!(w.finish().is_empty());
        let v = parse(&out);
        assert_eq!(v["s"], "a\"b\\c\nd\te\u{1}\u{7f}");
    }

    #[test]
    fn non_utf8_is_lossy_and_recorded_with_path() {
        let mut out = Vec::new();
        let mut w = JsonWriter::new(&mut out);
        w.begin_object("process");
        w.begin_array("args");
        w.item_str(b"ok");
        w.item_str(b"a\xffb");
        w.end();
        w.end();
        let bad = w.finish();
        let v = parse(&out);
        assert_eq!(v["process"]["args"][1], "a\u{FFFD}b");
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].path, "process.args.1");
        assert_eq!(bad[0].bytes, b"a\xffb");
    }

    #[test]
    fn numbers_and_nesting() {
        let mut out = Vec::new();
        let mut w = JsonWriter::new(&mut out);
        w.i64_field("n", -42);
        w.u64_field("u", u64::MAX);
        w.begin_array("a");
        w.item_begin_object();
        w.bool_field("b", true);
        w.end();
        w.item_u64(7);
        w.end();
        w.finish();
        let v = parse(&out);
        assert_eq!(v["n"], -42);
        assert_eq!(v["u"], u64::MAX);
        assert_eq!(v["a"][0]["b"], true);
        assert_eq!(v["a"][1], 7);
    }

    #[test]
    fn raw_field_run_writes_a_run_and_the_next_member_follows() {
        let mut out = Vec::new();
        let mut w = JsonWriter::new(&mut out);
        w.u64_field("a", 1);
        w.raw_field_run("b", br#"{"x":2},"c":[3],"d":"e""#);
        w.str_field("f", b"g");
        w.raw_field("h", b"null");
        w.finish();
        let v = parse(&out);
        assert_eq!(v["b"]["x"], 2);
        assert_eq!(v["c"][0], 3);
        assert_eq!(v["d"], "e");
        assert_eq!(v["f"], "g");
        assert!(v["h"].is_null());
        assert_eq!(v.as_object().map(|o| o.len()), Some(6));
    }

    /// The unchecked writes (`put_*_unchecked`, `push_u64_unchecked`, the
    /// fused key + value reservations) at every length around the word
    /// sizes, starting from an empty and from an exactly full buffer (so
    /// each reservation must grow it): the text parses back exactly.
    #[test]
    fn reserved_writes_at_every_length_round_trip() {
        for len in 0..40usize {
            let plain: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let mut escaped = plain.clone();
            if len > 0 {
                escaped[len / 2] = b'"';
            }
            for start in [Vec::new(), Vec::with_capacity(1), {
                let mut v = Vec::with_capacity(64);
                v.resize(64, b' ');
                v
            }] {
                let mut out = start.clone();
                let pre = out.len();
                let mut w = JsonWriter::new(&mut out);
                w.str_field("plain", &plain);
                w.str_field("esc", &escaped);
                w.str_field_bytes(&plain, &escaped);
                w.u64_field("n", len as u64 * 1_000_000_007);
                w.u64_str_field("s", u64::MAX - len as u64);
                w.str_field_joined("j", &[&plain[..], &plain[..], &escaped[..]]);
                w.str_field_joined("k", &[&plain[..], b"x"]);
                w.begin_object("short");
                w.str_field_bytes(b"k", &plain);
                if len > 0 {
                    w.str_field_bytes(&plain, b"v");
                }
                w.end();
                w.begin_array("items");
                w.item_str(&plain);
                w.item_str(&escaped);
                w.end();
                assert!(w.finish().is_empty());
                let v = parse(&out[pre..]);
                let p = String::from_utf8(plain.clone()).unwrap();
                let e = String::from_utf8(escaped.clone()).unwrap();
                assert_eq!(v["plain"], p.as_str());
                assert_eq!(v["esc"], e.as_str());
                if len > 0 {
                    assert_eq!(v[p.as_str()], e.as_str());
                }
                assert_eq!(v["n"], len as u64 * 1_000_000_007);
                assert_eq!(v["s"], (u64::MAX - len as u64).to_string());
                assert_eq!(v["j"], format!("{p} {p} {e}"));
                assert_eq!(v["k"], format!("{p} x"));
                assert_eq!(v["short"]["k"], p.as_str());
                if len > 0 {
                    assert_eq!(v["short"][p.as_str()], "v");
                }
                assert_eq!(v["items"][0], p.as_str());
                assert_eq!(v["items"][1], e.as_str());
            }
        }
        for n in [0u64, 9, 10, 99, 100, 999, 1000, 12_345_678, u64::MAX] {
            let mut out = Vec::new();
            push_u64(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
    }

    #[test]
    fn joined_non_utf8_is_lossy_and_recorded() {
        let mut out = Vec::new();
        let mut w = JsonWriter::new(&mut out);
        w.begin_object("process");
        w.str_field_joined("title", &[&b"ab"[..], b"c\xffd", b"e\"f"]);
        w.end();
        let bad = w.finish();
        let v = parse(&out);
        assert_eq!(v["process"]["title"], "ab c\u{FFFD}d e\"f");
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].path, "process.title");
        assert_eq!(bad[0].bytes, b"ab c\xffd e\"f");
    }

    proptest::proptest! {
        #[test]
        fn valid_strings_round_trip_exactly(s in "[\\x00-\\x7f\"\\\\é✓\u{10348}]{0,40}") {
            let mut out = Vec::new();
            proptest::prop_assert!(write_string(&mut out, s.as_bytes()));
            let back: String = serde_json::from_slice(&out).unwrap();
            proptest::prop_assert_eq!(back, s);
        }

        #[test]
        fn any_bytes_give_valid_json_and_lossless_report(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64), key in proptest::collection::vec(proptest::num::u8::ANY, 0..8)) {
            let mut out = Vec::new();
            let mut w = JsonWriter::new(&mut out);
            w.str_field_bytes(&key, &bytes);
            let bad = w.finish();
            let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let obj = v.as_object().unwrap();
            proptest::prop_assert_eq!(obj.len(), 1);
            let s = obj.values().next().unwrap().as_str().unwrap();
            match std::str::from_utf8(&bytes) {
                Ok(orig) => { proptest::prop_assert_eq!(s, orig); proptest::prop_assert!(bad.is_empty()); }
                Err(_) => { proptest::prop_assert_eq!(bad.len(), 1); proptest::prop_assert_eq!(&bad[0].bytes, &bytes); }
            }
        }
    }
}
