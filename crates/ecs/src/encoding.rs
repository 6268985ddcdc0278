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
pub fn hex_decode(hex: &[u8]) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    // One pass: decode every pair and remember whether a byte was not a
    // digit (its table value, 0xff, has the high nibble set).
    let mut bad = 0u8;
    let out: Vec<u8> = hex
        .chunks_exact(2)
        .map(|p| {
            let (h, l) = (HEX_VALUE[p[0] as usize], HEX_VALUE[p[1] as usize]);
            bad |= h | l;
            h << 4 | l
        })
        .collect();
    (bad < 16).then_some(out)
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

    proptest::proptest! {
        #[test]
        fn hex_round_trip(bytes in proptest::collection::vec(proptest::num::u8::ANY, 1..64)) {
            let mut hex = Vec::new();
            crate::json::push_hex(&mut hex, &bytes);
            let upper = hex.to_ascii_uppercase();
            proptest::prop_assert_eq!(hex_decode(&upper).unwrap(), bytes.clone());
            proptest::prop_assert_eq!(decode_untrusted(&upper, false).unwrap().into_owned(), bytes);
        }
    }
}
