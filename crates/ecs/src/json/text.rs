//! JSON text primitives: the escape scan (SWAR, 8 bytes at a time), string
//! escaping, numbers, and appends into reserved capacity through a local
//! write position ([`Cur`]): a member is a few stores and one length update
//! instead of a capacity check and a length update per piece.

pub(super) const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

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
pub(super) fn special_fast(w: u64, stop_high: bool) -> u64 {
    const LO: u64 = 0x0101_0101_0101_0101;
    let has_zero = |x: u64| x.wrapping_sub(LO) & !x & HI;
    let lt_space = w.wrapping_sub(LO * 0x20) & !w & HI;
    let quote = has_zero(w ^ (LO * u64::from(b'"')));
    let bslash = has_zero(w ^ (LO * u64::from(b'\\')));
    lt_space | quote | bslash | if stop_high { w & HI } else { 0 }
}

#[inline(always)]
pub(super) fn load8(s: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&s[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Index of the first byte at or after `from` that needs an escape (or is
/// >= 0x80 when `stop_high`), or `s.len()`.
#[inline(always)]
pub(super) fn scan(s: &[u8], from: usize, stop_high: bool) -> usize {
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
pub(super) fn load_short(s: &[u8]) -> u64 {
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

/// Mask of the low `n` (<= 8) byte lanes of a word.
#[inline(always)]
pub(super) fn lane_mask(n: usize) -> u64 {
    if n >= 8 {
        !0
    } else {
        (1u64 << (n * 8)) - 1
    }
}

/// Spare capacity every append of a checked-or-copied string reserves past
/// what it keeps: a word store writes 8 bytes and keeps only the low `n`.
pub(super) const SLACK: usize = 8;

/// A write position in a vector's spare capacity. Appends are stores
/// through a local pointer; [`Cur::commit`] sets the vector's length once.
/// Between [`Cur::new`] and [`Cur::commit`] the vector must not be touched.
pub(super) struct Cur {
    p: *mut u8,
    /// End of the capacity, for the debug checks of each append.
    #[cfg(debug_assertions)]
    end: *mut u8,
}

impl Cur {
    /// The position at the end of `out`.
    #[inline(always)]
    pub(super) fn new(out: &mut Vec<u8>) -> Cur {
        let len = out.len();
        let base = out.as_mut_ptr();
        Cur {
            // `wrapping_add` stays inside the allocation (len <= capacity).
            p: base.wrapping_add(len),
            #[cfg(debug_assertions)]
            end: base.wrapping_add(out.capacity()),
        }
    }

    #[inline(always)]
    fn check(&self, n: usize) {
        #[cfg(debug_assertions)]
        assert!(
            (self.end as usize).saturating_sub(self.p as usize) >= n,
            "append past the reserved capacity"
        );
        let _ = n;
    }

    /// Appends one byte.
    ///
    /// # Safety
    /// One spare byte at the position.
    #[inline(always)]
    pub(super) unsafe fn byte(&mut self, b: u8) {
        self.check(1);
        // SAFETY: the caller guarantees a spare byte at `p`.
        unsafe {
            self.p.write(b);
            self.p = self.p.add(1);
        }
    }

    /// Appends the low `n` (<= 8) bytes of `w` (little-endian): one 8-byte
    /// store, the position moved by `n`.
    ///
    /// # Safety
    /// 8 spare bytes at the position, `n <= 8`.
    #[inline(always)]
    pub(super) unsafe fn word(&mut self, w: u64, n: usize) {
        self.check(8);
        debug_assert!(n <= 8);
        // SAFETY: 8 spare bytes at `p`; the bytes past `n` are written but
        // stay outside the committed length.
        unsafe {
            self.p.cast::<[u8; 8]>().write_unaligned(w.to_le_bytes());
            self.p = self.p.add(n);
        }
    }

    /// Appends `s`.
    ///
    /// # Safety
    /// `s.len()` spare bytes at the position.
    #[inline(always)]
    pub(super) unsafe fn slice(&mut self, s: &[u8]) {
        self.check(s.len());
        // SAFETY: `s.len()` spare bytes at `p`; a live `&[u8]` cannot
        // overlap the spare capacity of the vector being written.
        unsafe {
            std::ptr::copy_nonoverlapping(s.as_ptr(), self.p, s.len());
            self.p = self.p.add(s.len());
        }
    }

    /// Appends `s`, up to 32 bytes with overlapping word loads and stores
    /// (no `memcpy` call), longer ones with one copy.
    ///
    /// # Safety
    /// `s.len() + SLACK` spare bytes at the position.
    #[inline(always)]
    pub(super) unsafe fn copy(&mut self, s: &[u8]) {
        let n = s.len();
        self.check(n + SLACK);
        // SAFETY: every store below ends at or before `p + max(n, 8)`, within
        // the `n + SLACK` spare bytes; loads stay inside `s` (the words at
        // `n - 8` / `n - 16` overlap the earlier ones instead of running
        // past the end).
        unsafe {
            if n < 8 {
                self.word(load_short(s), n);
            } else if n <= 16 {
                let (a, b) = (load8(s, 0), load8(s, n - 8));
                self.p.cast::<[u8; 8]>().write_unaligned(a.to_le_bytes());
                self.p
                    .add(n - 8)
                    .cast::<[u8; 8]>()
                    .write_unaligned(b.to_le_bytes());
                self.p = self.p.add(n);
            } else if n <= 32 {
                let (a, b) = (load8(s, 0), load8(s, 8));
                let (c, d) = (load8(s, n - 16), load8(s, n - 8));
                self.p.cast::<[u8; 8]>().write_unaligned(a.to_le_bytes());
                self.p
                    .add(8)
                    .cast::<[u8; 8]>()
                    .write_unaligned(b.to_le_bytes());
                self.p
                    .add(n - 16)
                    .cast::<[u8; 8]>()
                    .write_unaligned(c.to_le_bytes());
                self.p
                    .add(n - 8)
                    .cast::<[u8; 8]>()
                    .write_unaligned(d.to_le_bytes());
                self.p = self.p.add(n);
            } else {
                self.slice(s);
            }
        }
    }

    /// Appends the decimal text of `v`.
    ///
    /// # Safety
    /// 20 spare bytes at the position (the longest `u64`).
    #[inline(always)]
    pub(super) unsafe fn u64(&mut self, v: u64) {
        self.check(20);
        if v < 10 {
            // SAFETY: 20 spare bytes.
            unsafe { self.byte(b'0' + v as u8) };
            return;
        }
        let n = v.ilog10() as usize + 1;
        // SAFETY: `n` <= 20 digits written right to left into the `n`
        // bytes after `p`, inside the spare capacity.
        unsafe {
            let start = self.p;
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
            self.p = start.add(n);
        }
    }

    /// Appends `s` when it is plain (ASCII, nothing to escape) and returns
    /// `true`; appends nothing and returns `false` otherwise. Strings up to
    /// 16 bytes are checked and copied as one or two words (no loop, no
    /// `memcpy` call).
    ///
    /// # Safety
    /// `s.len() + SLACK` spare bytes at the position.
    #[inline(always)]
    pub(super) unsafe fn plain(&mut self, s: &[u8]) -> bool {
        let n = s.len();
        if n <= 8 {
            let w = if n == 8 { load8(s, 0) } else { load_short(s) };
            if special_fast(w, true) & lane_mask(n) != 0 {
                return false;
            }
            // SAFETY: n + SLACK >= 8 spare bytes.
            unsafe { self.word(w, n) };
            true
        } else if n <= 16 {
            let a = load8(s, 0);
            let b = load8(s, n - 8);
            if special_fast(a, true) | special_fast(b, true) != 0 {
                return false;
            }
            // SAFETY: n + SLACK >= 16 spare bytes: 8 for the first word,
            // 8 more for the second (stored at +8).
            unsafe {
                self.word(a, 8);
                // `b` holds bytes n-8..n; bytes 8..n are its top n-8.
                self.word(b >> ((16 - n) * 8), n - 8);
            }
            true
        } else {
            if scan(s, 0, true) != n {
                return false;
            }
            // SAFETY: n + SLACK spare bytes.
            unsafe { self.copy(s) };
            true
        }
    }

    /// Sets the length of `out` to the position.
    ///
    /// # Safety
    /// `self` was made by [`Cur::new`] on `out`, `out` was not touched
    /// since, and every byte up to the position was written.
    #[inline(always)]
    pub(super) unsafe fn commit(self, out: &mut Vec<u8>) {
        // SAFETY: the position is inside the same allocation, at or after
        // its start, and every byte before it is initialized (the old
        // length, then the appends).
        unsafe {
            let len = self.p.offset_from(out.as_ptr()) as usize;
            debug_assert!(len >= out.len() && len <= out.capacity());
            out.set_len(len);
        }
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
pub(super) fn escape_utf8(out: &mut Vec<u8>, s: &[u8]) {
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
    let mut c = Cur::new(out);
    // SAFETY: reserved bytes.len() + 2 + SLACK: the quote, the plain copy
    // (bytes.len() + SLACK), the closing quote (inside the SLACK); `out`
    // is not touched before the commits.
    unsafe {
        c.byte(b'"');
        if c.plain(bytes) {
            c.byte(b'"');
            c.commit(out);
            return true;
        }
        c.commit(out);
    }
    write_string_escaped(out, bytes)
}

/// [`write_string`] after the opening quote, for a string that needs
/// escaping or is not ASCII.
#[cold]
#[inline(never)]
pub(super) fn write_string_escaped(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
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
    let mut c = Cur::new(out);
    // SAFETY: 20 spare bytes, the longest u64; `out` untouched until the
    // commit.
    unsafe {
        c.u64(v);
        c.commit(out);
    }
}

pub(super) fn push_i64(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_u64(out, v.unsigned_abs());
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn cursor_appends_commit_once() {
        let mut out = b"ab".to_vec();
        out.reserve(64);
        let mut c = Cur::new(&mut out);
        // SAFETY: 64 spare bytes, far more than written.
        unsafe {
            c.byte(b'[');
            c.word(u64::from_le_bytes(*b"xyz\0\0\0\0\0"), 3);
            assert!(c.plain(b"plain text longer than sixteen"));
            assert!(!c.plain(b"q\"uote"));
            c.u64(1_234_567);
            c.slice(b"]");
            c.commit(&mut out);
        }
        assert_eq!(out, b"ab[xyzplain text longer than sixteen1234567]");
    }

    #[test]
    fn copy_at_every_length() {
        for n in 0..80usize {
            let s: Vec<u8> = (0..n).map(|i| (i * 7 % 251) as u8).collect();
            let mut out = b"x".to_vec();
            out.reserve(n + SLACK);
            let mut c = Cur::new(&mut out);
            // SAFETY: n + SLACK spare bytes reserved.
            unsafe {
                c.copy(&s);
                c.commit(&mut out);
            }
            assert_eq!(&out[1..], &s[..], "{n}");
        }
    }

    #[test]
    fn push_u64_at_digit_boundaries() {
        for n in [0u64, 9, 10, 99, 100, 999, 1000, 12_345_678, u64::MAX] {
            let mut out = Vec::new();
            push_u64(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
    }
}
