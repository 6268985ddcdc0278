//! `entity_id`: an opaque, unique identifier of one process.

use crate::source::HostInfo;
use crate::time::{Time, DIGITS2};

/// Builds the `entity_id` of the process `pid` started at `start`.
///
/// It is the standard base64 of `"{pid_ns_ino}__{boot_id}__{pid}__{start_ns}"`
/// (Elastic's layout, but with the start time in nanoseconds instead of
/// seconds). Being an injective encoding rather than a hash, two processes
/// get the same id only if all four parts are equal; the table makes start
/// times of successive processes with the same pid strictly increasing, so
/// pid reuse within one second (or one clock tick) still yields a new id.
pub fn entity_id(host: &HostInfo, pid: u32, start: Time) -> String {
    EntityIds::new(host).id(pid, start)
}

/// Makes entity ids for one host quickly: the base64 of the host part's
/// whole 3-byte groups is prepared once; only the rest (at most two host
/// bytes, the pid and the start time) is encoded per id.
#[derive(Debug, Clone)]
pub(crate) struct EntityIds {
    /// base64 of `prefix[..prefix.len() / 3 * 3]`.
    encoded: Vec<u8>,
    /// The last `prefix.len() % 3` bytes of the host part.
    tail: Vec<u8>,
}

impl EntityIds {
    pub fn new(host: &HostInfo) -> Self {
        let prefix = format!("{}__{}__", host.pid_ns_ino, host.boot_id).into_bytes();
        let whole = prefix.len() / 3 * 3;
        EntityIds {
            encoded: base64(&prefix[..whole]).into_bytes(),
            tail: prefix[whole..].to_vec(),
        }
    }

    pub fn id(&self, pid: u32, start: Time) -> String {
        let mut out = Vec::new();
        self.write_id(pid, start, &mut out);
        // base64 is ASCII.
        String::from_utf8(out).unwrap_or_default()
    }

    /// Writes the id of `pid` started at `start` into `out` (cleared first).
    pub fn write_id(&self, pid: u32, start: Time, out: &mut Vec<u8>) {
        // Host tail (<= 2) + pid (<= 10) + "__" + start (<= 20).
        let mut raw = [0u8; 34];
        let mut n = 0;
        for &b in &self.tail {
            raw[n] = b;
            n += 1;
        }
        n += put_decimal(&mut raw[n..], u64::from(pid));
        raw[n..n + 2].copy_from_slice(b"__");
        n += 2;
        n += put_decimal(&mut raw[n..], start.as_nanos());
        out.clear();
        out.reserve(self.encoded.len() + n.div_ceil(3) * 4);
        out.extend_from_slice(&self.encoded);
        base64_into(&raw[..n], out);
    }
}

/// Writes the decimal digits of `n` at the start of `out` (which has room
/// for 20 digits); returns how many.
fn put_decimal(out: &mut [u8], n: u64) -> usize {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut v = n;
    // Two digits at a time.
    while v >= 100 {
        let d = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&DIGITS2[d..d + 2]);
    }
    if v >= 10 {
        let d = v as usize * 2;
        i -= 2;
        digits[i..i + 2].copy_from_slice(&DIGITS2[d..d + 2]);
    } else {
        i -= 1;
        digits[i] = b'0' + v as u8;
    }
    let len = digits.len() - i;
    out[..len].copy_from_slice(&digits[i..]);
    len
}

/// Standard base64 (RFC 4648, with padding).
pub(crate) fn base64(input: &[u8]) -> String {
    let mut out = Vec::with_capacity(input.len().div_ceil(3) * 4);
    base64_into(input, &mut out);
    // The alphabet is ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// Appends the standard base64 (with padding) of `input` to `out`.
fn base64_into(input: &[u8], out: &mut Vec<u8>) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let enc = |n: u32| [18, 12, 6, 0].map(|shift| ALPHABET[((n >> shift) & 63) as usize]);
    let mut chunks = input.chunks_exact(3);
    out.reserve(input.len().div_ceil(3) * 4);
    for c in &mut chunks {
        let n = (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]);
        out.extend_from_slice(&enc(n));
    }
    match *chunks.remainder() {
        [a] => {
            let e = enc(u32::from(a) << 16);
            out.extend_from_slice(&[e[0], e[1], b'=', b'=']);
        }
        [a, b] => {
            let e = enc((u32::from(a) << 16) | (u32::from(b) << 8));
            out.extend_from_slice(&[e[0], e[1], e[2], b'=']);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_vectors() {
        // RFC 4648 section 10.
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    proptest::proptest! {
        #[test]
        fn id_is_base64_of_the_layout(
            ns in proptest::prelude::any::<u64>(),
            boot in "[ -~]{0,40}",
            pid in proptest::prelude::any::<u32>(),
            start in proptest::prelude::any::<u64>(),
        ) {
            let host = HostInfo { boot_id: boot.clone(), pid_ns_ino: ns, btime_secs: 0, clock_ticks: 100 };
            let want = base64(format!("{ns}__{boot}__{pid}__{start}").as_bytes());
            proptest::prop_assert_eq!(entity_id(&host, pid, Time(start)), want);
        }
    }

    #[test]
    fn ids_differ_within_one_second() {
        let host = HostInfo {
            boot_id: "b".into(),
            pid_ns_ino: 1,
            btime_secs: 0,
            clock_ticks: 100,
        };
        let a = entity_id(&host, 42, Time(5_000_000_000));
        let b = entity_id(&host, 42, Time(5_000_000_001));
        assert_ne!(a, b);
        assert_eq!(a, base64(b"1__b__42__5000000000"));
        assert_eq!(entity_id(&host, 0, Time(0)), base64(b"1__b__0__0"));
        assert_eq!(
            entity_id(&host, u32::MAX, Time(u64::MAX)),
            base64(b"1__b__4294967295__18446744073709551615")
        );
    }
}
