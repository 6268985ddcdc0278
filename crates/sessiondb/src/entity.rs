//! `entity_id`: an opaque, unique identifier of one process.

use crate::source::HostInfo;
use crate::time::Time;

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

/// Makes entity ids for one host quickly (the host part is prepared once).
#[derive(Debug, Clone)]
pub(crate) struct EntityIds {
    prefix: Vec<u8>,
}

impl EntityIds {
    pub fn new(host: &HostInfo) -> Self {
        EntityIds {
            prefix: format!("{}__{}__", host.pid_ns_ino, host.boot_id).into_bytes(),
        }
    }

    pub fn id(&self, pid: u32, start: Time) -> String {
        let mut raw = Vec::with_capacity(self.prefix.len() + 32);
        raw.extend_from_slice(&self.prefix);
        push_decimal(&mut raw, u64::from(pid));
        raw.extend_from_slice(b"__");
        push_decimal(&mut raw, start.as_nanos());
        base64(&raw)
    }
}

fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Standard base64 (RFC 4648, with padding).
pub(crate) fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
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
