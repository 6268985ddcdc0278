//! Which field values are hex-encoded, and their decoding.
//!
//! The kernel writes user-controlled strings with `audit_log_untrustedstring`
//! / `audit_log_n_untrustedstring` (kernel/audit.c): quoted when the string
//! holds no space, quote, control or non-ASCII byte, otherwise as bare
//! uppercase hex. User-space (libaudit `audit_encode_nv_string`) does the same
//! for `acct`, `cmd`, `exe`... So: for a field known to be encoded this way, an
//! unquoted value that is valid hex is decoded; a quoted value is literal; the
//! literal `(null)` means "no value". Every other field is taken literally.

use std::borrow::Cow;

/// True when `key` names a field that may be hex-encoded (outside EXECVE):
/// `acct`, `cgroup`, `cmd`, `comm`, `cwd`, `data`, `dir`, `exe`, `file`,
/// `key`, `name`, `ocomm`, `path`, `proctitle`, `root_dir`, `vm`, `watch`,
/// and the `old-`/`new-` `chardev`, `disk`, `fs`, `net`, `rng` fields.
/// EXECVE `aN` arguments are handled by [`is_execve_arg`] (only in EXECVE
/// records: SYSCALL `a0`..`a3` are plain hex numbers).
#[inline]
pub fn is_encoded_field(key: &[u8]) -> bool {
    matches!(
        key,
        b"acct"
            | b"cgroup"
            | b"cmd"
            | b"comm"
            | b"cwd"
            | b"data"
            | b"dir"
            | b"exe"
            | b"file"
            | b"key"
            | b"name"
            | b"new-chardev"
            | b"new-disk"
            | b"new-fs"
            | b"new-net"
            | b"new-rng"
            | b"ocomm"
            | b"old-chardev"
            | b"old-disk"
            | b"old-fs"
            | b"old-net"
            | b"old-rng"
            | b"path"
            | b"proctitle"
            | b"root_dir"
            | b"vm"
            | b"watch"
    )
}

/// True for an EXECVE argument key: `aN` or `aN[i]` (not `aN_len`, not `argc`).
pub fn is_execve_arg(key: &[u8]) -> bool {
    let Some(rest) = key.strip_prefix(b"a") else {
        return false;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return false;
    }
    let tail = &rest[digits..];
    tail.is_empty()
        || (tail.len() >= 3
            && tail[0] == b'['
            && tail[tail.len() - 1] == b']'
            && tail[1..tail.len() - 1].iter().all(u8::is_ascii_digit))
}

/// Value of each byte as a hex digit (either case); 0xff for the others.
const HEX_VALUE: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Decodes hex text (either case). `None` if the length is odd or a byte is
/// not a hex digit. The empty input decodes to nothing.
///
/// Out of line: its callers' loops (field walks) keep their inlining.
#[inline(never)]
pub fn hex_decode(hex: &[u8]) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(hex.len() / 2);
    // 16 digits (8 bytes) at a time as two words, then 8, then pairs.
    let mut chunks = hex.chunks_exact(16);
    for c in &mut chunks {
        let lo = decode_word(word(&c[..8]))?;
        let hi = decode_word(word(&c[8..]))?;
        out.extend_from_slice(&(u64::from(lo) | u64::from(hi) << 32).to_le_bytes());
    }
    let mut rest = chunks.remainder();
    if rest.len() >= 8 {
        out.extend_from_slice(&decode_word(word(&rest[..8]))?.to_le_bytes());
        rest = &rest[8..];
    }
    // One pass over the last pairs: remember whether a byte was not a
    // digit (its table value, 0xff, has the high nibble set).
    let mut bad = 0u8;
    for p in rest.chunks_exact(2) {
        let (h, l) = (HEX_VALUE[p[0] as usize], HEX_VALUE[p[1] as usize]);
        bad |= h | l;
        out.push(h << 4 | l);
    }
    (bad < 16).then_some(out)
}

/// The first 8 bytes of `b` (at least 8) as a little-endian word.
#[inline(always)]
fn word(b: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[..8]);
    u64::from_le_bytes(w)
}

/// Decodes 8 hex digits (either case; the first in the low byte of `x`)
/// into 4 bytes (the first in the low byte), or `None` if one is not a
/// digit. All 8 at once: each lane's high bit tells whether its byte lies
/// in a range, from two additions that cannot carry into the next lane
/// (bytes with the high bit set are refused first).
#[inline(always)]
fn decode_word(x: u64) -> Option<u32> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    if x & HIGH != 0 {
        return None;
    }
    // '0'..='9': byte >= 0x30 and byte < 0x3a.
    let digit = x.wrapping_add(ONES * (0x80 - 0x30)) & !x.wrapping_add(ONES * (0x80 - 0x3a));
    // 'a'..='f' / 'A'..='F': byte | 0x20 >= 0x61 and < 0x67.
    let l = x | (ONES * 0x20);
    let alpha = l.wrapping_add(ONES * (0x80 - 0x61)) & !l.wrapping_add(ONES * (0x80 - 0x67)) & HIGH;
    if (digit | alpha) & HIGH != HIGH {
        return None;
    }
    // Digit value: the low nibble, plus 9 for letters ('A' = 0x41 -> 10).
    let v = (x & (ONES * 0x0f)) + (alpha >> 7) * 9;
    // Pairs of lanes into bytes (high nibble first), then packed.
    let p = ((v & 0x00ff_00ff_00ff_00ff) << 4) | ((v >> 8) & 0x00ff_00ff_00ff_00ff);
    let p = (p | p >> 8) & 0x0000_ffff_0000_ffff;
    Some((p | p >> 16) as u32)
}

/// True when every byte is a hex digit and the length is even and non-zero.
pub fn is_hex(v: &[u8]) -> bool {
    !v.is_empty() && v.len() % 2 == 0 && v.iter().all(|&b| HEX_VALUE[b as usize] < 16)
}

/// Decodes the value of an untrusted-string field: `None` for `(null)`,
/// the hex-decoded bytes for an unquoted valid hex value, else the value.
pub fn decode_untrusted(value: &[u8], quoted: bool) -> Option<Cow<'_, [u8]>> {
    if quoted {
        return Some(Cow::Borrowed(value));
    }
    if value == b"(null)" {
        return None;
    }
    if !value.is_empty() {
        // hex_decode checks the digits and the even length first.
        if let Some(d) = hex_decode(value) {
            return Some(Cow::Owned(d));
        }
    }
    Some(Cow::Borrowed(value))
}

/// Interprets a field value for output: encoded fields (and EXECVE args when
/// `in_execve`) are decoded by [`decode_untrusted`]; other values are literal.
pub fn decode_field<'v>(
    key: &[u8],
    value: &'v [u8],
    quoted: bool,
    in_execve: bool,
) -> Option<Cow<'v, [u8]>> {
    if is_encoded_field(key) || (in_execve && is_execve_arg(key)) {
        decode_untrusted(value, quoted)
    } else {
        Some(Cow::Borrowed(value))
    }
}

/// Splits a decoded rule-key value into keys. The kernel joins several `-k`
/// keys with 0x01 (AUDIT_KEY_SEPARATOR); empty pieces are dropped.
pub fn split_keys(decoded: &[u8]) -> impl Iterator<Item = &[u8]> {
    decoded.split(|&b| b == 0x01).filter(|k| !k.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquoted_hex_is_decoded_quoted_is_literal() {
        assert_eq!(
            decode_untrusted(b"2F62696E2F6C73", false).as_deref(),
            Some(&b"/bin/ls"[..])
        );
        assert_eq!(
            decode_untrusted(b"2F62696E2F6C73", true).as_deref(),
            Some(&b"2F62696E2F6C73"[..])
        );
        assert_eq!(decode_untrusted(b"(null)", false), None);
        assert_eq!(
            decode_untrusted(b"(null)", true).as_deref(),
            Some(&b"(null)"[..])
        );
        assert_eq!(
            decode_untrusted(b"nothex", false).as_deref(),
            Some(&b"nothex"[..])
        );
        assert_eq!(
            decode_untrusted(b"ABC", false).as_deref(),
            Some(&b"ABC"[..])
        );
    }

    #[test]
    fn only_untrusted_fields_are_decoded() {
        assert_eq!(
            decode_field(b"a0", b"4142", false, false).as_deref(),
            Some(&b"4142"[..])
        );
        assert_eq!(
            decode_field(b"a0", b"4142", false, true).as_deref(),
            Some(&b"AB"[..])
        );
        assert_eq!(
            decode_field(b"a1[3]", b"4142", false, true).as_deref(),
            Some(&b"AB"[..])
        );
        assert_eq!(
            decode_field(b"a1_len", b"24", false, true).as_deref(),
            Some(&b"24"[..])
        );
        assert_eq!(
            decode_field(b"inode", b"1234", false, false).as_deref(),
            Some(&b"1234"[..])
        );
        assert_eq!(
            decode_field(b"comm", b"6C73", false, false).as_deref(),
            Some(&b"ls"[..])
        );
    }

    #[test]
    fn keys_split_on_0x01() {
        let d = hex_decode(b"65786563013634626974").unwrap();
        let keys: Vec<&[u8]> = split_keys(&d).collect();
        assert_eq!(keys, vec![&b"exec"[..], &b"64bit"[..]]);
    }

    #[test]
    fn execve_arg_keys() {
        assert!(is_execve_arg(b"a0"));
        assert!(is_execve_arg(b"a12[3]"));
        assert!(!is_execve_arg(b"a1_len"));
        assert!(!is_execve_arg(b"argc"));
        assert!(!is_execve_arg(b"a"));
        assert!(!is_execve_arg(b"a1[]"));
    }

    /// The pair-by-pair table decoder [`hex_decode`] must agree with.
    fn hex_decode_reference(hex: &[u8]) -> Option<Vec<u8>> {
        if hex.len() % 2 != 0 {
            return None;
        }
        hex.chunks_exact(2)
            .map(|p| {
                let (h, l) = (HEX_VALUE[p[0] as usize], HEX_VALUE[p[1] as usize]);
                (h < 16 && l < 16).then_some(h << 4 | l)
            })
            .collect()
    }

    #[test]
    fn word_decoder_agrees_with_the_table_at_every_byte_and_position() {
        // Every byte value at every position of a 1..=20-byte value (word,
        // half word and pair paths), among valid digits of both cases.
        for len in 1..=20usize {
            for pos in 0..len {
                for b in 0..=255u8 {
                    let mut v: Vec<u8> = b"0123456789abcdefABCDEF"
                        .iter()
                        .cycle()
                        .skip(len)
                        .take(len)
                        .copied()
                        .collect();
                    v[pos] = b;
                    assert_eq!(hex_decode(&v), hex_decode_reference(&v), "{v:?}");
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn hex_round_trip(bytes in proptest::collection::vec(proptest::num::u8::ANY, 1..64)) {
            let mut hex = Vec::new();
            crate::json::push_hex(&mut hex, &bytes);
            let upper = hex.to_ascii_uppercase();
            proptest::prop_assert_eq!(hex_decode(&upper).unwrap(), bytes.clone());
            proptest::prop_assert_eq!(decode_untrusted(&upper, false).unwrap().into_owned(), bytes.clone());
            proptest::prop_assert_eq!(hex_decode(&hex).unwrap(), bytes);
        }

        #[test]
        fn hex_decode_matches_the_table(text in proptest::collection::vec(proptest::sample::select(b"0123456789abcdefABCDEFG/:@`g \x00\x10\x19\x7f\x80\xb0\xc1\xe6\xff".to_vec()), 0..64)) {
            proptest::prop_assert_eq!(hex_decode(&text), hex_decode_reference(&text));
        }
    }
}
