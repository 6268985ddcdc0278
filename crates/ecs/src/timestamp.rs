//! RFC 3339 UTC timestamps (`@timestamp`) from audit `sec.msec`.

/// Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Appends `YYYY-MM-DDTHH:MM:SS.mmmZ` for `sec` seconds and `msec`
/// milliseconds since the epoch (msec above 999 is clamped).
pub fn push_rfc3339(out: &mut Vec<u8>, sec: u64, msec: u32) {
    let days = (sec / 86_400) as i64;
    let rem = sec % 86_400;
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s) = (rem / 3600, (rem / 60) % 60, rem % 60);
    let ms = msec.min(999);
    // Years beyond 9999 are printed in full; format! is fine here (one per event).
    use std::io::Write;
    let _ = write!(out, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z");
}

/// A one-entry cache of the date-time prefix (up to seconds) for the last
/// second seen: events arrive mostly in time order.
#[derive(Debug, Default)]
pub struct TimestampCache {
    sec: Option<u64>,
    prefix: Vec<u8>,
}

impl TimestampCache {
    /// Appends the formatted timestamp (without quotes).
    pub fn push(&mut self, out: &mut Vec<u8>, sec: u64, msec: u32) {
        if self.sec != Some(sec) {
            self.prefix.clear();
            push_rfc3339(&mut self.prefix, sec, 0);
            // Drop "000Z", keep "...SS.".
            self.prefix.truncate(self.prefix.len() - 4);
            self.sec = Some(sec);
        }
        out.extend_from_slice(&self.prefix);
        let ms = msec.min(999);
        out.extend_from_slice(&[
            b'0' + (ms / 100) as u8,
            b'0' + (ms / 10 % 10) as u8,
            b'0' + (ms % 10) as u8,
            b'Z',
        ]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(sec: u64, msec: u32) -> String {
        let mut v = Vec::new();
        push_rfc3339(&mut v, sec, msec);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn known_dates() {
        assert_eq!(fmt(0, 0), "1970-01-01T00:00:00.000Z");
        // go-libaudit golden: audit(1490995752.404:...) -> 2017-03-31T21:29:12.404Z
        assert_eq!(fmt(1_490_995_752, 404), "2017-03-31T21:29:12.404Z");
        assert_eq!(fmt(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        assert_eq!(fmt(1_795_396_401, 279), "2026-11-23T01:13:21.279Z");
    }

    proptest::proptest! {
        #[test]
        fn cache_matches_direct(sec in 0u64..4_000_000_000, ms in 0u32..1000, sec2 in 0u64..4_000_000_000) {
            let mut c = TimestampCache::default();
            for s in [sec, sec, sec2] {
                let mut a = Vec::new();
                c.push(&mut a, s, ms);
                proptest::prop_assert_eq!(String::from_utf8(a).unwrap(), fmt(s, ms));
            }
        }
    }
}
