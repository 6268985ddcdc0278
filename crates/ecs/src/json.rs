//! A streaming JSON writer into a `Vec<u8>` with our own string escaping.
//!
//! Every string value comes in as bytes. Valid UTF-8 is written as is (with
//! JSON escapes for `"`, `\` and control characters). Bytes that are not valid
//! UTF-8 are written lossily (each invalid sequence becomes U+FFFD) and the
//! exact bytes are recorded, hex-encoded, under the value's dotted path; the
//! serializer writes that map as `auditd.non_utf8` (see the crate README).

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

const HI: u64 = 0x8080_8080_8080_8080;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// High bit set in each byte of `x` that is zero; exact per byte (no
/// borrow between bytes, so no false positives anywhere in the word).
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    // (low 7 bits + 0x7f) sets the high bit iff the low 7 bits are not all
    // zero; or-ing `x` adds the byte's own high bit. No carry leaves a byte.
    !(((x & LOW7).wrapping_add(LOW7)) | x) & HI
}

/// Non-zero when some byte of `w` needs attention: a control byte (< 0x20),
/// `"`, `\\`, or (when `stop_high`) a byte >= 0x80. SWAR, 8 bytes at a time;
/// each flagged byte (high bit of its lane) is exactly one that matches.
#[inline(always)]
fn special(w: u64, stop_high: bool) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    // (low 7 bits + 0x60) sets the high bit iff the low 7 bits are >= 0x20.
    let lt_space = !(((w & LOW7).wrapping_add(LO * 0x60)) | w) & HI;
    let quote = zero_bytes(w ^ (LO * u64::from(b'"')));
    let bslash = zero_bytes(w ^ (LO * u64::from(b'\\')));
    lt_space | quote | bslash | if stop_high { w & HI } else { 0 }
}

/// Like [`special`] with fewer operations, but a flagged byte may also set
/// the flags of the bytes above it (the SWAR borrow). So: the lowest flag
/// is exact, and the word is zero iff no byte matches; use it where no
/// lower byte is masked off (the padding of a short load is above the
/// data, so it may be masked).
#[inline(always)]
fn special_fast(w: u64, stop_high: bool) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    let has_zero = |x: u64| x.wrapping_sub(LO) & !x & HI;
    let lt_space = w.wrapping_sub(LO * 0x20) & !w & HI;
    let quote = has_zero(w ^ (LO * u64::from(b'"')));
    let bslash = has_zero(w ^ (LO * u64::from(b'\\')));
    lt_space | quote | bslash | if stop_high { w & HI } else { 0 }
}

#[inline(always)]
fn load8(s: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&s[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Index of the first byte at or after `from` that needs an escape (or is
/// >= 0x80 when `stop_high`), or `s.len()`.
#[inline(always)]
fn scan(s: &[u8], from: usize, stop_high: bool) -> usize {
    let mut i = from;
    while i + 8 <= s.len() {
        let m = special_fast(load8(s, i), stop_high);
        if m != 0 {
            // The lowest flagged byte is the first (little-endian load).
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    if i == s.len() {
        return i;
    }
    if s.len() >= 8 {
        // The last 8 bytes, overlapping what was scanned; the flags are
        // exact per byte, so the ones before `i` are masked off.
        let base = s.len() - 8;
        let m = special(load8(s, base), stop_high) & (!0u64 << ((i - base) * 8));
        return if m != 0 {
            base + (m.trailing_zeros() / 8) as usize
        } else {
            s.len()
        };
    }
    // Shorter than a word: load it whole, flags past the end masked off.
    let len = s.len();
    let keep = ((1u64 << (len * 8)) - 1) & (!0u64 << (i * 8));
    let m = special(load_short(s), stop_high) & keep;
    if m != 0 {
        (m.trailing_zeros() / 8) as usize
    } else {
        len
    }
}

/// `s` (shorter than 8 bytes) as a little-endian word, zero past its end;
/// two overlapping loads instead of a loop (an overlapped byte is or-ed
/// with itself).
#[inline(always)]
fn load_short(s: &[u8]) -> u64 {
    let len = s.len();
    if len >= 4 {
        let lo = u32::from_le_bytes([s[0], s[1], s[2], s[3]]);
        let hi = u32::from_le_bytes([s[len - 4], s[len - 3], s[len - 2], s[len - 1]]);
        u64::from(lo) | u64::from(hi) << ((len - 4) * 8)
    } else if len >= 2 {
        let lo = u16::from_le_bytes([s[0], s[1]]);
        let hi = u16::from_le_bytes([s[len - 2], s[len - 1]]);
        u64::from(lo) | u64::from(hi) << ((len - 2) * 8)
    } else if len == 1 {
        u64::from(s[0])
    } else {
        0
    }
}

/// Spare capacity every unchecked write reserves past what it keeps: a word
/// store writes 8 bytes and keeps only the low `n`.
const SLACK: usize = 8;

/// Mask of the low `n` (<= 8) byte lanes of a word.
#[inline(always)]
fn lane_mask(n: usize) -> u64 {
    if n >= 8 {
        !0
    } else {
        (1u64 << (n * 8)) - 1
    }
}

/// Appends one byte into reserved capacity.
///
/// # Safety
/// `out.capacity() > out.len()`.
#[inline(always)]
unsafe fn push_unchecked(out: &mut Vec<u8>, b: u8) {
    debug_assert!(out.capacity() > out.len());
    let len = out.len();
    // SAFETY: the caller guarantees one spare byte of capacity; the byte
    // is written before the length covers it.
    unsafe {
        out.as_mut_ptr().add(len).write(b);
        out.set_len(len + 1);
    }
}

/// Appends `bytes` into reserved capacity.
///
/// # Safety
/// `out.capacity() - out.len() >= bytes.len()`.
#[inline(always)]
unsafe fn put_unchecked(out: &mut Vec<u8>, bytes: &[u8]) {
    debug_assert!(out.capacity() - out.len() >= bytes.len());
    let len = out.len();
    // SAFETY: the caller guarantees the capacity; `bytes` cannot overlap
    // the spare capacity of `out` (a live `&[u8]` and the `&mut Vec`
    // that owns the spare part cannot alias).
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), out.as_mut_ptr().add(len), bytes.len());
        out.set_len(len + bytes.len());
    }
}

/// Appends the low `n` (<= 8) bytes of `w` (little-endian): one 8-byte
/// store, then the length moved by `n` (no `memcpy` call for a variable
/// length).
///
/// # Safety
/// `out.capacity() - out.len() >= 8` and `n <= 8`.
#[inline(always)]
unsafe fn put_word_unchecked(out: &mut Vec<u8>, w: u64, n: usize) {
    debug_assert!(out.capacity() - out.len() >= 8 && n <= 8);
    let len = out.len();
    // SAFETY: 8 spare bytes are guaranteed by the caller; the bytes past
    // `len + n` are written but stay outside the length (spare capacity).
    unsafe {
        out.as_mut_ptr()
            .add(len)
            .cast::<[u8; 8]>()
            .write_unaligned(w.to_le_bytes());
        out.set_len(len + n);
    }
}

/// Appends `s` when it is plain (ASCII, nothing to escape) and returns
/// `true`; appends nothing and returns `false` otherwise. Strings up to 16
/// bytes are checked and copied as one or two words (no loop, no `memcpy`
/// call).
///
/// # Safety
/// `out.capacity() - out.len() >= s.len() + SLACK`.
#[inline(always)]
unsafe fn put_plain_unchecked(out: &mut Vec<u8>, s: &[u8]) -> bool {
    let n = s.len();
    if n <= 8 {
        let w = if n == 8 { load8(s, 0) } else { load_short(s) };
        let keep = if n == 8 { !0u64 } else { (1u64 << (n * 8)) - 1 };
        if special_fast(w, true) & keep != 0 {
            return false;
        }
        // SAFETY: n + SLACK >= 8 spare bytes.
        unsafe { put_word_unchecked(out, w, n) };
        true
    } else if n <= 16 {
        let a = load8(s, 0);
        let b = load8(s, n - 8);
        if special_fast(a, true) | special_fast(b, true) != 0 {
            return false;
        }
        // SAFETY: n + SLACK >= 16 spare bytes: 8 for the first word, 8
        // more for the second (stored at +8).
        unsafe {
            put_word_unchecked(out, a, 8);
            // `b` holds bytes n-8..n; bytes 8..n are its top n-8.
            put_word_unchecked(out, b >> ((16 - n) * 8), n - 8);
        }
        true
    } else {
        if scan(s, 0, true) != n {
            return false;
        }
        // SAFETY: n spare bytes.
        unsafe { put_unchecked(out, s) };
        true
    }
}

fn push_escape(out: &mut Vec<u8>, b: u8) {
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\t' => out.extend_from_slice(b"\\t"),
        b'\r' => out.extend_from_slice(b"\\r"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        _ => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX_LOWER[(b >> 4) as usize],
            HEX_LOWER[(b & 15) as usize],
        ]),
    }
}

/// Appends `s` (valid UTF-8) as JSON string content, without the quotes.
fn escape_utf8(out: &mut Vec<u8>, s: &[u8]) {
    let mut start = 0;
    loop {
        let i = scan(s, start, false);
        out.extend_from_slice(&s[start..i]);
        if i >= s.len() {
            return;
        }
        push_escape(out, s[i]);
        start = i + 1;
    }
}

/// Appends `bytes` as a complete JSON string (with quotes). Returns `false`
/// when the bytes were not valid UTF-8 (and were written lossily).
#[inline(always)]
pub fn write_string(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
    out.reserve(bytes.len() + 2 + SLACK);
    // SAFETY: reserved bytes.len() + 2 + SLACK: the quote, the plain copy
    // (bytes.len() + SLACK), the closing quote.
    unsafe { write_string_reserved(out, bytes) }
}

/// [`write_string`] into reserved capacity.
///
/// # Safety
/// `out.capacity() - out.len() >= bytes.len() + 2 + SLACK`.
#[inline(always)]
unsafe fn write_string_reserved(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
    // SAFETY: see the contract; the plain copy leaves at least 1 + SLACK
    // spare for the closing quote.
    unsafe {
        push_unchecked(out, b'"');
        // Fast path: plain ASCII without escapes is one copy.
        if put_plain_unchecked(out, bytes) {
            push_unchecked(out, b'"');
            return true;
        }
    }
    write_string_escaped(out, bytes)
}

/// [`write_string`] after the opening quote, for a string that needs
/// escaping or is not ASCII.
#[cold]
#[inline(never)]
fn write_string_escaped(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
    let i = scan(bytes, 0, true);
    out.extend_from_slice(&bytes[..i]);
    write_string_rest(out, bytes, i)
}

/// [`write_string`] from the first byte that needs attention on.
#[cold]
fn write_string_rest(out: &mut Vec<u8>, bytes: &[u8], mut i: usize) -> bool {
    loop {
        if bytes[i] < 0x80 {
            push_escape(out, bytes[i]);
            let start = i + 1;
            i = scan(bytes, start, true);
            out.extend_from_slice(&bytes[start..i]);
            if i >= bytes.len() {
                out.push(b'"');
                return true;
            }
            continue;
        }
        // Non-ASCII: validate the rest once, then escape it.
        let rest = &bytes[i..];
        let valid = if std::str::from_utf8(rest).is_ok() {
            escape_utf8(out, rest);
            true
        } else {
            for chunk in rest.utf8_chunks() {
                escape_utf8(out, chunk.valid().as_bytes());
                if !chunk.invalid().is_empty() {
                    out.extend_from_slice("\u{FFFD}".as_bytes());
                }
            }
            false
        };
        out.push(b'"');
        return valid;
    }
}

/// Appends the lowercase hex encoding of `bytes`.
pub fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(HEX_LOWER[(b >> 4) as usize]);
        out.push(HEX_LOWER[(b & 15) as usize]);
    }
}

/// "00" .. "99": two decimal digits per table entry.
const DIGITS2: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Appends the decimal text of `v`.
#[inline]
pub(crate) fn push_u64(out: &mut Vec<u8>, v: u64) {
    out.reserve(20);
    // SAFETY: 20 spare bytes, the longest u64.
    unsafe { push_u64_unchecked(out, v) }
}

/// [`push_u64`] into reserved capacity.
///
/// # Safety
/// `out.capacity() - out.len() >= 20`.
#[inline(always)]
unsafe fn push_u64_unchecked(out: &mut Vec<u8>, v: u64) {
    debug_assert!(out.capacity() - out.len() >= 20);
    if v < 10 {
        // SAFETY: 20 spare bytes.
        unsafe { push_unchecked(out, b'0' + v as u8) };
        return;
    }
    let n = v.ilog10() as usize + 1;
    let len = out.len();
    // SAFETY: `n` <= 20 digits are written right to left into
    // `out[len..len + n]`, inside the spare capacity, before the length
    // covers them.
    unsafe {
        let start = out.as_mut_ptr().add(len);
        let mut p = start.add(n);
        let mut v = v;
        while v >= 100 {
            let d = (v % 100) as usize * 2;
            v /= 100;
            p = p.sub(2);
            p.copy_from_nonoverlapping(DIGITS2.as_ptr().add(d), 2);
        }
        if v >= 10 {
            let d = v as usize * 2;
            p = p.sub(2);
            p.copy_from_nonoverlapping(DIGITS2.as_ptr().add(d), 2);
        } else {
            p = p.sub(1);
            p.write(b'0' + v as u8);
        }
        debug_assert!(p == start);
        out.set_len(len + n);
    }
}

fn push_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_u64(out, v.unsigned_abs());
}

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

    /// Writes `,"key":` for a plain key (the comma when needed) and
    /// returns where the key's text is in `out`.
    ///
    /// # Safety
    /// `key` is plain ASCII without escapes and `out` has `key.len() + 4`
    /// spare bytes.
    #[inline(always)]
    unsafe fn plain_key_unchecked(&mut self, key: &[u8]) -> (u32, u32) {
        let out = &mut *self.out;
        // SAFETY: key.len() + 4 spare: comma, two quotes, key, colon.
        unsafe {
            if !std::mem::replace(&mut self.first, false) {
                push_unchecked(out, b',');
            }
            push_unchecked(out, b'"');
            let start = out.len();
            put_unchecked(out, key);
            push_unchecked(out, b'"');
            push_unchecked(out, b':');
            (start as u32, (start + key.len()) as u32)
        }
    }

    /// Writes `,"key":` (the comma when needed) with `extra` more bytes of
    /// spare capacity after it; returns where the key's escaped text is in
    /// `out`.
    #[inline(always)]
    fn key_reserve(&mut self, key: &[u8], extra: usize) -> (u32, u32) {
        if scan(key, 0, true) == key.len() {
            // Plain ASCII (every key the serializer writes): one copy.
            self.out.reserve(key.len() + 4 + extra);
            // SAFETY: plain key, key.len() + 4 spare.
            return unsafe { self.plain_key_unchecked(key) };
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
    pub(crate) fn begin_object_with(&mut self, key: &str, members: &[u8]) {
        self.begin_object(key);
        self.out.extend_from_slice(members);
        self.first = members.is_empty();
    }

    /// Writes `members`, already valid JSON text of one or more complete
    /// members (`"a":1,"b":"x"`), into the open object (one copy).
    pub(crate) fn raw_members(&mut self, members: &[u8]) {
        self.comma();
        self.out.extend_from_slice(members);
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
    /// at compile time; one reservation covers the key and a plain value.
    #[inline(always)]
    pub fn str_field(&mut self, key: &str, value: &[u8]) {
        self.key_reserve(key.as_bytes(), value.len() + 2 + SLACK);
        self.str_value_reserved(key.as_bytes(), value);
    }

    /// Writes a string value after its key (`key` is for the non-UTF-8
    /// report); `out` has `value.len() + 2 + SLACK` spare bytes.
    #[inline(always)]
    fn str_value_reserved(&mut self, key: &[u8], value: &[u8]) {
        debug_assert!(self.out.capacity() - self.out.len() >= value.len() + 2 + SLACK);
        // SAFETY: the callers reserve value.len() + 2 + SLACK after the key.
        if !unsafe { write_string_reserved(self.out, value) } {
            self.note_invalid(Some(key), value);
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
        let out = &mut *self.out;
        // SAFETY: 32 spare bytes: each word store needs 8 spare at its
        // position, the last one (the value) starts at most 13 bytes in.
        unsafe {
            if !std::mem::replace(&mut self.first, false) {
                push_unchecked(out, b',');
            }
            push_unchecked(out, b'"');
            put_word_unchecked(out, k, key.len());
            put_word_unchecked(out, u64::from_le_bytes(*b"\":\"\0\0\0\0\0"), 3);
            put_word_unchecked(out, v, value.len());
            push_unchecked(out, b'"');
        }
        true
    }

    /// Writes a string member whose key is arbitrary bytes.
    #[inline(always)]
    pub fn str_field_bytes(&mut self, key: &[u8], value: &[u8]) {
        if key.len() <= 8 && value.len() <= 8 && self.short_member(key, value) {
            return;
        }
        // comma, quote, key + SLACK, quote, colon; then the value's share.
        let need = key.len() + value.len() + 6 + 2 * SLACK;
        self.out.reserve(need);
        let plain = {
            let out = &mut *self.out;
            // SAFETY: `need` covers the comma, the quote and the plain key
            // copy (key.len() + SLACK) here ...
            unsafe {
                let mark = out.len();
                if !self.first {
                    push_unchecked(out, b',');
                }
                push_unchecked(out, b'"');
                if put_plain_unchecked(out, key) {
                    // ... and the closing `":` ...
                    push_unchecked(out, b'"');
                    push_unchecked(out, b':');
                    true
                } else {
                    out.truncate(mark);
                    false
                }
            }
        };
        if plain {
            self.first = false;
            // ... leaving value.len() + 2 + SLACK for the value.
            self.str_value_reserved(key, value);
        } else {
            // Rare: a key that needs escaping.
            self.comma();
            write_string(self.out, key);
            self.out.push(b':');
            self.value_inline(key, value);
        }
    }

    /// Writes a string member made of `parts` joined with single spaces,
    /// without building the joined string (unless a part needs escaping or
    /// is not UTF-8).
    pub fn str_field_joined<T: AsRef<[u8]>>(&mut self, key: &str, parts: &[T]) {
        let total: usize = parts.iter().map(|p| p.as_ref().len() + 1).sum();
        self.key_reserve(key.as_bytes(), total + 2 + SLACK);
        let open = self.out.len();
        // SAFETY: `total + 2 + SLACK` spare: the quotes, each part
        // (p.len() + SLACK, the SLACK reused) and the spaces between them.
        let plain = unsafe {
            push_unchecked(self.out, b'"');
            let mut plain = true;
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    push_unchecked(self.out, b' ');
                }
                if !put_plain_unchecked(self.out, p.as_ref()) {
                    plain = false;
                    break;
                }
            }
            if plain {
                push_unchecked(self.out, b'"');
            }
            plain
        };
        if plain {
            return;
        }
        // Rare: rewrite from scratch through the escaping/lossy path.
        self.out.truncate(open);
        let joined = crate::argv::join_args(parts);
        if !write_string(self.out, &joined) {
            self.note_invalid(Some(key.as_bytes()), &joined);
        }
    }

    /// Writes an unsigned integer member.
    #[inline(always)]
    pub fn u64_field(&mut self, key: &str, value: u64) {
        self.key_reserve(key.as_bytes(), 20);
        // SAFETY: 20 spare bytes reserved after the key.
        unsafe { push_u64_unchecked(self.out, value) };
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
        // SAFETY: 22 spare bytes reserved after the key: two quotes and at
        // most 20 digits.
        unsafe {
            push_unchecked(self.out, b'"');
            push_u64_unchecked(self.out, value);
            push_unchecked(self.out, b'"');
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
        if !std::mem::replace(&mut self.first, false) {
            // SAFETY: reserved one byte for the comma.
            unsafe { push_unchecked(self.out, b',') };
        }
        // SAFETY: value.len() + 2 + SLACK left after the comma.
        if !unsafe { write_string_reserved(self.out, value) } {
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
    pub fn raw_field(&mut self, key: &str, json: &[u8]) {
        self.key(key.as_bytes());
        self.out.extend_from_slice(json);
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

    /// The byte-at-a-time definition `scan` must agree with.
    fn scan_reference(s: &[u8], from: usize, stop_high: bool) -> usize {
        (from..s.len())
            .find(|&i| s[i] < 0x20 || s[i] == b'"' || s[i] == b'\\' || (stop_high && s[i] >= 0x80))
            .unwrap_or(s.len())
    }

    #[test]
    fn scan_finds_every_special_byte_at_every_length_and_offset() {
        for len in 0..20usize {
            for special in [0u8, 0x1f, b'"', b'\\', 0x80, 0xff] {
                for at in 0..len {
                    let mut s = vec![b'a'; len];
                    s[at] = special;
                    for from in 0..=len {
                        for high in [false, true] {
                            assert_eq!(
                                scan(&s, from, high),
                                scan_reference(&s, from, high),
                                "len {len} byte {special:#x} at {at} from {from} high {high}"
                            );
                        }
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn scan_matches_reference(s in proptest::collection::vec(proptest::num::u8::ANY, 0..40), from in 0usize..41, high: bool) {
            let from = from.min(s.len());
            proptest::prop_assert_eq!(scan(&s, from, high), scan_reference(&s, from, high));
        }

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
