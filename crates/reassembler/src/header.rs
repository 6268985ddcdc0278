//! The record header: `audit(SEC.MSEC:SERIAL):` and the `type=NAME` of log
//! lines.
//!
//! Digits are read eight at a time (SWAR: one 64-bit load, a digit check and
//! three multiplications), so a typical header (10 + 3 + 5 digits) costs a
//! handful of word operations instead of a loop iteration per digit.

use crate::error::{HeaderPart, ParseError};
use crate::record::Timestamp;

/// The position of the first byte at or after `pos` that is not a space.
pub(crate) fn skip_spaces(s: &[u8], mut pos: usize) -> usize {
    while pos < s.len() && s[pos] == b' ' {
        pos += 1;
    }
    pos
}

/// The position of the first space at or after `pos`, else the end: for
/// the short `type=NAME` (a word at a time; no call into `memchr`).
#[inline]
pub(crate) fn find_space(s: &[u8], mut pos: usize) -> usize {
    while let Some(word) = s.get(pos..).and_then(|r| r.first_chunk::<8>()) {
        // Zero bytes of `x` are the spaces; the lowest flagged byte is exact
        // (a borrow only propagates upwards from a zero byte).
        let x = u64::from_le_bytes(*word) ^ 0x2020_2020_2020_2020;
        let zero = x.wrapping_sub(0x0101_0101_0101_0101) & !x & 0x8080_8080_8080_8080;
        if zero != 0 {
            return pos + (zero.trailing_zeros() / 8) as usize;
        }
        pos += 8;
    }
    pos + s
        .get(pos..)
        .and_then(|r| r.iter().position(|&b| b == b' '))
        .unwrap_or(s.len().saturating_sub(pos))
}

/// `SYSCALL` -> 1300, `UNKNOWN[1334]` -> 1334, `1334` -> 1334, an unknown
/// name -> 0; `None` for a malformed number.
pub(crate) fn type_from_name(name: &[u8]) -> Option<u16> {
    if let Some(t) = common_type(name) {
        return Some(t);
    }
    if let Some(inner) = name.strip_prefix(b"UNKNOWN[") {
        let digits = inner.strip_suffix(b"]")?;
        return parse_u16(digits);
    }
    if name.first().is_some_and(u8::is_ascii_digit) {
        return parse_u16(name);
    }
    Some(
        std::str::from_utf8(name)
            .ok()
            .and_then(audit_tables::msgtype::number)
            .unwrap_or(0),
    )
}

/// The types of a syscall event, without the table search (most records).
pub(crate) fn common_type(name: &[u8]) -> Option<u16> {
    use audit_tables::msgtype as t;
    Some(match name {
        b"SYSCALL" => t::AUDIT_SYSCALL,
        b"PATH" => t::AUDIT_PATH,
        b"PROCTITLE" => t::AUDIT_PROCTITLE,
        b"CWD" => t::AUDIT_CWD,
        b"EXECVE" => t::AUDIT_EXECVE,
        b"BPRM_FCAPS" => t::AUDIT_BPRM_FCAPS,
        b"SOCKADDR" => t::AUDIT_SOCKADDR,
        b"EOE" => t::AUDIT_EOE,
        _ => return None,
    })
}

/// The first 8 bytes of `name` as a little-endian word (zero-padded).
const fn name_word(name: &[u8]) -> u64 {
    let mut w = 0u64;
    let mut i = 0;
    while i < name.len() && i < 8 {
        w |= (name[i] as u64) << (8 * i);
        i += 1;
    }
    w
}

/// The usual start of a log line without `node=`: `type=NAME msg=audit(`
/// with NAME one of the commonest types, read as words. Returns the type
/// and where NAME ends (`audit(` is 5 bytes further). `None` for anything
/// else: the general path then decides, with the same results.
#[inline]
pub(crate) fn fast_prefix(line: &[u8]) -> Option<(u16, usize)> {
    use audit_tables::msgtype as t;
    const TYPE_MASK: u64 = 0xFF_FFFF_FFFF;
    const TYPE: u64 = name_word(b"type=");
    // `type=` (5), a name of at most 9 bytes, ` msg=audit(` (11).
    let head = line.first_chunk::<25>()?;
    let word = |i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&head[i..i + 8]);
        u64::from_le_bytes(w)
    };
    if word(0) & TYPE_MASK != TYPE {
        return None;
    }
    let name = word(5);
    // Zero bytes of `x` are the spaces; the lowest flagged byte is exact.
    let x = name ^ 0x2020_2020_2020_2020;
    let zero = x.wrapping_sub(0x0101_0101_0101_0101) & !x & 0x8080_8080_8080_8080;
    let (msg_type, len) = if zero != 0 {
        let len = (zero.trailing_zeros() / 8) as usize;
        let short = name & ((1u64 << (8 * len)) - 1);
        let msg_type = match short {
            w if w == name_word(b"SYSCALL") => t::AUDIT_SYSCALL,
            w if w == name_word(b"PATH") => t::AUDIT_PATH,
            w if w == name_word(b"CWD") => t::AUDIT_CWD,
            w if w == name_word(b"EXECVE") => t::AUDIT_EXECVE,
            w if w == name_word(b"EOE") => t::AUDIT_EOE,
            _ => return None,
        };
        (msg_type, len)
    } else if name == name_word(b"PROCTITL") && head[13] == b'E' && head[14] == b' ' {
        (t::AUDIT_PROCTITLE, 9)
    } else if name == name_word(b"SOCKADDR") && head[13] == b' ' {
        (t::AUDIT_SOCKADDR, 8)
    } else {
        return None;
    };
    let name_end = 5 + len;
    if head.get(name_end..name_end + 11)? != b" msg=audit(" {
        return None;
    }
    Some((msg_type, name_end))
}

fn parse_u16(digits: &[u8]) -> Option<u16> {
    crate::field::parse_dec_u64(digits).and_then(|v| u16::try_from(v).ok())
}

/// Parses `audit(SEC.MSEC:SERIAL):` at `pos`; returns the time, the serial
/// and where the body starts (after the spaces following the colon).
pub(crate) fn parse_header(s: &[u8], pos: usize) -> Result<(Timestamp, u32, usize), ParseError> {
    if !s[pos..].starts_with(b"audit(") {
        return Err(ParseError::header(HeaderPart::Prefix, pos));
    }
    let p = pos + 6;
    if let Some(parsed) = fast_header(s, p) {
        return Ok(parsed);
    }
    let (sec, p2) = digits(s, p, 20).ok_or(ParseError::header(HeaderPart::Seconds, p))?;
    if s.get(p2) != Some(&b'.') {
        return Err(ParseError::header(HeaderPart::Seconds, p));
    }
    let p3 = p2 + 1;
    let (msec, p4) = digits(s, p3, 3).ok_or(ParseError::header(HeaderPart::Milliseconds, p3))?;
    if s.get(p4) != Some(&b':') || msec > 999 {
        return Err(ParseError::header(HeaderPart::Milliseconds, p3));
    }
    let p5 = p4 + 1;
    let (serial, p6) = digits(s, p5, 10).ok_or(ParseError::header(HeaderPart::Serial, p5))?;
    let serial = u32::try_from(serial).map_err(|_| ParseError::header(HeaderPart::Serial, p5))?;
    if s.get(p6) != Some(&b')') {
        return Err(ParseError::header(HeaderPart::Serial, p5));
    }
    // `):` normally; auditd 2.x wrote some DAEMON_* records without the
    // colon (`audit(1490239800.477:34) config changed, auid=0 ...`).
    let body = match s.get(p6 + 1) {
        Some(b':') => p6 + 2,
        Some(b' ') | None => p6 + 1,
        Some(_) => return Err(ParseError::header(HeaderPart::Close, p6)),
    };
    Ok((
        Timestamp {
            sec,
            msec: msec as u32,
        },
        serial,
        skip_spaces(s, body),
    ))
}

/// The usual header after `audit(`: ten digits of seconds, three of
/// milliseconds, a serial of 1-7 digits and `):`, read as three words.
/// `None` for anything else (the general path then decides, with the same
/// results).
#[inline]
pub(crate) fn fast_header(s: &[u8], p: usize) -> Option<(Timestamp, u32, usize)> {
    let words = s.get(p..)?.first_chunk::<24>()?;
    let [a, b, c] = [0, 8, 16].map(|i| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&words[i..i + 8]);
        u64::from_le_bytes(w)
    });
    // `b` is `DD.DDD:S`: digits at 0, 1, 3, 4, 5 and 7, '.' at 2, ':' at 6.
    const B_DIGITS: u64 = 0xFF00_FFFF_FF00_FFFF;
    const B_PUNCT: u64 = (b'.' as u64) << 16 | (b':' as u64) << 48;
    if digit_prefix_len(a) != 8 || non_digits(b) & B_DIGITS != 0 || b & !B_DIGITS != B_PUNCT {
        return None;
    }
    // The serial starts at byte 7 of `b`; `c` holds its next 8 bytes.
    let k = digit_prefix_len(c);
    let close = p + 16 + k;
    // `c` must end the serial (at most 1 + 7 digits) with `):`.
    if k == 8 || s.get(close..close + 2) != Some(b"):") {
        return None;
    }
    let sec = parse_digits(a, 8) * 100 + ((b & 0xFF) - 0x30) * 10 + ((b >> 8 & 0xFF) - 0x30);
    let msec = parse_digits(b >> 24, 3) as u32;
    let first = (b >> 56) - 0x30;
    let serial = first * POW10[k] + if k > 0 { parse_digits(c, k) } else { 0 };
    let serial = u32::try_from(serial).ok()?;
    Some((Timestamp { sec, msec }, serial, skip_spaces(s, close + 2)))
}

/// Bytes of `word` that are not ASCII digits, flagged by a non-zero byte
/// (exact up to the first one; see [`digit_prefix_len`]).
#[inline]
fn non_digits(word: u64) -> u64 {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const THREES: u64 = 0x3030_3030_3030_3030;
    ((word & HIGH) ^ THREES) | ((word.wrapping_add(0x0606_0606_0606_0606) & HIGH) ^ THREES)
}

/// `10^k` for `k` in `0..=8`.
const POW10: [u64; 9] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
];

/// A run of 1..=`max` decimal digits at `pos` that fits a u64; returns the
/// value and the position after it. `None` if there is no digit, more than
/// `max` digits or an overflow.
#[inline]
fn digits(s: &[u8], pos: usize, max: usize) -> Option<(u64, usize)> {
    let mut n = 0u64;
    let mut i = pos;
    // Eight bytes at a time while eight are readable.
    while let Some(word) = s.get(i..).and_then(|r| r.first_chunk::<8>()) {
        let word = u64::from_le_bytes(*word);
        let k = digit_prefix_len(word);
        if k == 0 {
            break;
        }
        // Checked: only a twentieth digit can overflow, and more than `max`
        // digits is an error anyway.
        n = n
            .checked_mul(POW10[k])?
            .checked_add(parse_digits(word, k))?;
        i += k;
        if k < 8 || i - pos > max {
            break;
        }
    }
    // The last few bytes of the input, one at a time.
    if i + 8 > s.len() {
        while let Some(&b) = s.get(i) {
            let d = b.wrapping_sub(b'0');
            if d > 9 || i - pos > max {
                break;
            }
            n = n.checked_mul(10)?.checked_add(u64::from(d))?;
            i += 1;
        }
    }
    if i == pos || i - pos > max {
        // No digit, or more than `max`.
        return None;
    }
    Some((n, i))
}

/// How many of the eight bytes of `word` (first byte in the low bits) are
/// ASCII digits before the first one that is not (0..=8).
#[inline]
fn digit_prefix_len(word: u64) -> usize {
    // A byte is a digit iff its high nibble is 3 and adding 6 keeps it 3
    // (0x30..=0x39). The addition carries out of a byte only for 0xFA..,
    // itself not a digit, so every byte before the first non-digit is
    // judged exactly.
    (non_digits(word).trailing_zeros() / 8) as usize
}

/// The value of the first `k` (1..=8) bytes of `word`, all ASCII digits,
/// the first byte being the most significant digit.
#[inline]
fn parse_digits(word: u64, k: usize) -> u64 {
    // Shift the k digits to the top; the zero bytes below act as leading
    // zeros. Then combine pairs, quads and octets of digits.
    let v = (word << (8 * (8 - k))) & 0x0F0F_0F0F_0F0F_0F0F;
    let v = v.wrapping_mul(10 * 256 + 1) >> 8;
    let v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(100 * 65_536 + 1) >> 16;
    (v & 0x0000_FFFF_0000_FFFF).wrapping_mul(10_000 * (1 << 32) + 1) >> 32
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the general path of `Record::parse_log_line_in` finds for a
    /// line without `node=`: the type, where the name ends, and whether
    /// `msg=audit(` follows (at `name_end + 1`).
    fn general_prefix(line: &[u8]) -> Option<(Option<u16>, usize, Option<usize>)> {
        if !line.starts_with(b"type=") {
            return None;
        }
        let name_end = find_space(line, 5);
        let msg_type = type_from_name(&line[5..name_end]);
        let pos = skip_spaces(line, name_end);
        let header = line[pos..].starts_with(b"msg=audit(").then_some(pos + 4);
        Some((msg_type, name_end, header))
    }

    #[test]
    fn fast_prefix_agrees_with_the_general_path() {
        let names = [
            "SYSCALL",
            "PATH",
            "CWD",
            "EXECVE",
            "EOE",
            "PROCTITLE",
            "SOCKADDR",
            "BPRM_FCAPS",
            "AVC",
            "USER_ACCT",
            "SYSCALLX",
            "PROCTITLEX",
            "SOCKADDRX",
            "PROCTITL",
            "PATHS",
            "",
            "UNKNOWN[1334]",
            "1300",
            "SYSCAL",
            "EO",
            "syscall",
        ];
        let mut hits = 0;
        for prefix in ["type=", "node=x type=", "typ=", "type= "] {
            for name in names {
                for sep in [" ", "  ", "\t", ""] {
                    for rest in [
                        "msg=audit(1700000000.123:45): a=1 b=2",
                        "msg=audit(",
                        "msg=audi",
                        "msg=(audit(1.2:3): x=1 y=2 z=3 w=4",
                    ] {
                        let line = format!("{prefix}{name}{sep}{rest}");
                        let line = line.as_bytes();
                        for len in 0..=line.len() {
                            // Lines ending anywhere, in exactly sized buffers.
                            let cut: Box<[u8]> = line[..len].into();
                            let Some((t, name_end)) = fast_prefix(&cut) else {
                                continue;
                            };
                            hits += 1;
                            let (gt, gend, gheader) = general_prefix(&cut).unwrap();
                            assert_eq!(Some(t), gt, "{:?}", String::from_utf8_lossy(&cut));
                            assert_eq!(name_end, gend);
                            assert_eq!(gheader, Some(name_end + 5));
                        }
                    }
                }
            }
        }
        // Every common name, in the lines long enough for it.
        assert!(hits > 7 * 20, "{hits}");
    }

    /// The digit rules, one byte at a time.
    fn plain_digits(s: &[u8], pos: usize, max: usize) -> Option<(u64, usize)> {
        let run = s[pos..].iter().take_while(|b| b.is_ascii_digit()).count();
        if run == 0 || run > max {
            return None;
        }
        let n = s[pos..pos + run].iter().try_fold(0u64, |n, &b| {
            n.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        })?;
        Some((n, pos + run))
    }

    #[test]
    fn digits_agree_with_a_plain_parse() {
        let cases: &[&[u8]] = &[
            b"1795396402.774:67490): a",
            b"0",
            b"7",
            b"12345678",
            b"123456789",
            b"1234567)",
            b"18446744073709551615)",
            b"18446744073709551616)",
            b"99999999999999999999",
            b"123456789012345678901)",
            b"00000000000000000001x",
            b"x12",
            b"",
            b"4294967295): ",
            b"4294967296): ",
            b"12\xfa45678",
            b"1\xff\xff\xff\xff\xff\xff\xff9",
            b"9/:8",
        ];
        for s in cases {
            for pos in 0..=s.len() {
                for max in [3, 10, 20] {
                    assert_eq!(
                        digits(s, pos, max),
                        plain_digits(s, pos, max),
                        "{:?} at {pos} max {max}",
                        String::from_utf8_lossy(s)
                    );
                }
            }
        }
    }

    /// `parse_header` without the fast path.
    fn general_header(s: &[u8]) -> Option<(Timestamp, u32, usize)> {
        let p = 6;
        let (sec, p2) = digits(s, p, 20)?;
        (s.get(p2) == Some(&b'.')).then_some(())?;
        let (msec, p4) = digits(s, p2 + 1, 3)?;
        (s.get(p4) == Some(&b':') && msec <= 999).then_some(())?;
        let (serial, p6) = digits(s, p4 + 1, 10)?;
        let serial = u32::try_from(serial).ok()?;
        (s.get(p6) == Some(&b')')).then_some(())?;
        let body = match s.get(p6 + 1) {
            Some(b':') => p6 + 2,
            Some(b' ') | None => p6 + 1,
            Some(_) => return None,
        };
        Some((
            Timestamp {
                sec,
                msec: msec as u32,
            },
            serial,
            skip_spaces(s, body),
        ))
    }

    #[test]
    fn fast_header_agrees_with_the_general_path() {
        let mut cases: Vec<Vec<u8>> = Vec::new();
        for serial in [
            "1",
            "12",
            "64186",
            "1234567",
            "12345678",
            "4294967295",
            "4294967296",
        ] {
            for tail in [
                "): arch=c000003e syscall=59",
                "):",
                ")",
                ") x",
                "):   a=b c=d e=f",
            ] {
                for ts in [
                    "1795396402.774",
                    "1795396402.77",
                    "179539640.774",
                    "17953964021.774",
                ] {
                    cases.push(format!("audit({ts}:{serial}{tail}").into_bytes());
                }
            }
        }
        for c in &cases {
            // Every truncation and a few corruptions of each.
            for len in 0..=c.len() {
                let t = &c[..len];
                let fast = fast_header(t, 6);
                if let Some(f) = fast {
                    assert_eq!(
                        Some(f),
                        general_header(t),
                        "{:?}",
                        String::from_utf8_lossy(t)
                    );
                }
                let full = parse_header(t, 0).ok();
                assert_eq!(full, general_header(t), "{:?}", String::from_utf8_lossy(t));
                for at in 6..len.min(30) {
                    for b in [b'/', b':', b'.', b'0', b'9', 0xfa, 0xff, b')'] {
                        let mut u = t.to_vec();
                        u[at] = b;
                        let full = parse_header(&u, 0).ok();
                        assert_eq!(
                            full,
                            general_header(&u),
                            "{:?}",
                            String::from_utf8_lossy(&u)
                        );
                    }
                }
            }
        }
        // The usual header does take the fast path.
        let usual = b"audit(1795396402.774:64186): arch=c000003e";
        assert!(fast_header(usual, 6).is_some());
    }

    #[test]
    fn prefix_len_and_value_of_every_length() {
        for k in 0..=8usize {
            let mut w = *b"xxxxxxxx";
            for (i, b) in w.iter_mut().take(k).enumerate() {
                *b = b'1' + (i as u8 % 9);
            }
            let word = u64::from_le_bytes(w);
            assert_eq!(digit_prefix_len(word), k);
            if k > 0 {
                let text = std::str::from_utf8(&w[..k]).unwrap();
                assert_eq!(parse_digits(word, k), text.parse::<u64>().unwrap());
            }
        }
        // Every byte value in every position: only 0-9 count as digits.
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut w = *b"55555555";
                w[at] = b;
                let expect = if b.is_ascii_digit() { 8 } else { at };
                assert_eq!(
                    digit_prefix_len(u64::from_le_bytes(w)),
                    expect,
                    "{b} at {at}"
                );
            }
        }
    }

    #[test]
    fn find_space_agrees_with_a_plain_search() {
        let s = b"type=SYSCALL msg=x  type=BPRM_FCAPS_LONGER_NAME\xa0\x20end";
        for pos in 0..=s.len() + 1 {
            for len in pos.min(s.len())..=s.len() {
                let t = &s[..len];
                let expect = if pos >= t.len() {
                    pos
                } else {
                    t[pos..]
                        .iter()
                        .position(|&b| b == b' ')
                        .map_or(t.len(), |i| pos + i)
                };
                assert_eq!(find_space(t, pos), expect, "{pos} {len}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn digits_match_on_arbitrary_bytes(
            s in proptest::collection::vec(proptest::prop_oneof![
                proptest::strategy::Just(b'0'), proptest::strategy::Just(b'9'),
                proptest::strategy::Just(b'5'), proptest::arbitrary::any::<u8>(),
            ], 0..40),
            max in 1usize..22,
        ) {
            for pos in 0..=s.len() {
                proptest::prop_assert_eq!(digits(&s, pos, max), plain_digits(&s, pos, max));
            }
        }
    }
}
