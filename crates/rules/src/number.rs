//! C number parsing as auditctl uses it (glibc `strtoul`/`strtol` with base
//! 0 or 16, no end-pointer check), so that values like `0x10`, `010`,
//! `12abc` and overflowing numbers give exactly auditctl's results.

/// Result of a C conversion: the value and whether it overflowed (`ERANGE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Conv<T> {
    pub value: T,
    pub overflow: bool,
}

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// Magnitude parse shared by both: returns (negative, magnitude, overflow).
fn parse_mag(s: &[u8], base: u32) -> (bool, u64, bool) {
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let mut base = base;
    let hex_prefix = s.get(i) == Some(&b'0')
        && matches!(s.get(i + 1), Some(b'x') | Some(b'X'))
        && s.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit());
    if (base == 0 || base == 16) && hex_prefix {
        i += 2;
        base = 16;
    } else if base == 0 {
        base = if s.get(i) == Some(&b'0') { 8 } else { 10 };
    }
    let mut v: u64 = 0;
    let mut overflow = false;
    while let Some(&c) = s.get(i) {
        let d = match c {
            b'0'..=b'9' => (c - b'0') as u32,
            b'a'..=b'z' => (c - b'a') as u32 + 10,
            b'A'..=b'Z' => (c - b'A') as u32 + 10,
            _ => break,
        };
        if d >= base {
            break;
        }
        match v
            .checked_mul(base as u64)
            .and_then(|x| x.checked_add(d as u64))
        {
            Some(x) => v = x,
            None => overflow = true,
        }
        i += 1;
    }
    (neg, v, overflow)
}

/// glibc `strtoul` (64-bit `unsigned long`).
pub(crate) fn strtoul(s: &[u8], base: u32) -> Conv<u64> {
    let (neg, v, overflow) = parse_mag(s, base);
    if overflow {
        return Conv {
            value: u64::MAX,
            overflow: true,
        };
    }
    Conv {
        value: if neg { v.wrapping_neg() } else { v },
        overflow: false,
    }
}

/// glibc `strtol` (64-bit `long`).
pub(crate) fn strtol(s: &[u8], base: u32) -> Conv<i64> {
    let (neg, v, overflow) = parse_mag(s, base);
    if neg {
        if overflow || v > i64::MAX as u64 + 1 {
            return Conv {
                value: i64::MIN,
                overflow: true,
            };
        }
        Conv {
            value: (v as i64).wrapping_neg(),
            overflow: false,
        }
    } else {
        if overflow || v > i64::MAX as u64 {
            return Conv {
                value: i64::MAX,
                overflow: true,
            };
        }
        Conv {
            value: v as i64,
            overflow: false,
        }
    }
}

/// `strtoul(s, NULL, 0)` stored into a `__u32` (truncating, as C does).
pub(crate) fn ul32(s: &[u8]) -> u32 {
    strtoul(s, 0).value as u32
}

/// `strtol(s, NULL, 0)` stored into a `__u32` (truncating, as C does).
pub(crate) fn l32(s: &[u8]) -> u32 {
    strtol(s, 0).value as u32
}

/// C `isdigit` of the first byte.
pub(crate) fn starts_digit(s: &[u8]) -> bool {
    s.first().is_some_and(|c| c.is_ascii_digit())
}

/// libaudit's "negative number" test: at least 2 bytes, `-` then a digit.
pub(crate) fn starts_neg_digit(s: &[u8]) -> bool {
    s.len() >= 2 && s[0] == b'-' && s[1].is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_semantics() {
        assert_eq!(ul32(b"10"), 10);
        assert_eq!(ul32(b"0x1F"), 31);
        assert_eq!(ul32(b"010"), 8);
        assert_eq!(ul32(b"08"), 0);
        assert_eq!(ul32(b"12abc"), 12);
        assert_eq!(ul32(b"0x"), 0);
        assert_eq!(ul32(b"4294967296"), 0);
        assert_eq!(ul32(b"99999999999999999999999"), u32::MAX);
        assert!(strtoul(b"99999999999999999999999", 0).overflow);
        assert_eq!(l32(b"-1"), u32::MAX);
        assert_eq!(l32(b"-13"), (-13i32) as u32);
        assert_eq!(strtol(b"-99999999999999999999", 0).value, i64::MIN);
        assert_eq!(strtol(b"9223372036854775808", 0).value, i64::MAX);
        assert_eq!(strtoul(b"c000003e", 16).value, 0xc000003e);
        assert_eq!(strtoul(b"0xc000003e", 16).value, 0xc000003e);
        assert_eq!(strtoul(b"-1", 0).value, u64::MAX);
    }
}
