//! Time as a parameter: nanoseconds since the Unix epoch.

use serde::{Serialize, Serializer};

/// A point in time, nanoseconds since the Unix epoch (UTC).
///
/// The table never reads a clock: every event carries its [`Time`] (the audit
/// record's timestamp), and [`crate::SessionDb::maintain`] takes one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time(pub u64);

const NANOS_PER_SEC: u64 = 1_000_000_000;

impl Time {
    /// From an audit timestamp `msg=audit(SECS.MILLIS:SERIAL)`.
    pub fn from_audit(secs: u64, millis: u32) -> Time {
        Time(
            secs.saturating_mul(NANOS_PER_SEC)
                .saturating_add(u64::from(millis) * 1_000_000),
        )
    }

    /// From whole seconds.
    pub fn from_secs(secs: u64) -> Time {
        Time(secs.saturating_mul(NANOS_PER_SEC))
    }

    /// From nanoseconds since the epoch.
    pub fn from_nanos(nanos: u64) -> Time {
        Time(nanos)
    }

    /// Nanoseconds since the epoch.
    pub fn as_nanos(self) -> u64 {
        self.0
    }

    /// The start time of a process from /proc: boot time (`btime`, seconds)
    /// plus `starttime` (clock ticks since boot).
    pub fn from_boot_ticks(btime_secs: u64, ticks: u64, ticks_per_sec: u64) -> Time {
        let hz = u128::from(ticks_per_sec.max(1));
        let since_boot = u128::from(ticks) * u128::from(NANOS_PER_SEC) / hz;
        let total = u128::from(btime_secs) * u128::from(NANOS_PER_SEC) + since_boot;
        Time(u64::try_from(total).unwrap_or(u64::MAX))
    }

    /// `self + nanos`, saturating.
    pub fn plus_nanos(self, nanos: u64) -> Time {
        Time(self.0.saturating_add(nanos))
    }

    /// RFC 3339 in UTC with nanoseconds, e.g. `2026-11-23T01:31:07.123000000Z`.
    pub fn to_rfc3339(self) -> String {
        let mut buf = [0u8; RFC3339_LEN];
        // Only ASCII digits and separators are written.
        String::from_utf8_lossy(self.write_rfc3339(&mut buf)).into_owned()
    }

    /// [`Time::to_rfc3339`] into a caller's buffer, without an allocation
    /// (the hot path of the JSON output). `u64` nanoseconds end in 2554, so
    /// the year always has four digits and the text is always
    /// [`RFC3339_LEN`] bytes.
    pub fn write_rfc3339(self, buf: &mut [u8; RFC3339_LEN]) -> &[u8] {
        let secs = self.0 / NANOS_PER_SEC;
        let nanos = self.0 % NANOS_PER_SEC;
        let (y, m, d) = civil_from_days(secs / 86_400);
        let rem = secs % 86_400;
        // Two digits at a time (from a table: no division per digit).
        let mut put2 = |at: usize, v: u64| {
            let d = (v % 100) as usize * 2;
            buf[at..at + 2].copy_from_slice(&DIGITS2[d..d + 2]);
        };
        put2(0, y / 100);
        put2(2, y);
        put2(5, m);
        put2(8, d);
        put2(11, rem / 3600);
        put2(14, (rem % 3600) / 60);
        put2(17, rem % 60);
        put2(21, nanos / 1_000_000);
        put2(23, nanos / 10_000);
        put2(25, nanos / 100);
        put2(27, nanos);
        buf[20] = b'0' + (nanos / 100_000_000) as u8;
        for (i, c) in [
            (4, b'-'),
            (7, b'-'),
            (10, b'T'),
            (13, b':'),
            (16, b':'),
            (19, b'.'),
            (29, b'Z'),
        ] {
            buf[i] = c;
        }
        &buf[..]
    }
}

/// "00" to "99".
pub(crate) const DIGITS2: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// Length of [`Time::write_rfc3339`]'s text: `YYYY-MM-DDTHH:MM:SS.NNNNNNNNNZ`.
pub const RFC3339_LEN: usize = 30;

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (H. Hinnant's algorithm, restricted to non-negative days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digit writer agrees with a `format!` rendering of the same date.
    #[test]
    fn write_rfc3339_matches_format() {
        let reference = |t: Time| {
            let secs = t.0 / NANOS_PER_SEC;
            let (y, m, d) = civil_from_days(secs / 86_400);
            let rem = secs % 86_400;
            format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:09}Z",
                rem / 3600,
                (rem % 3600) / 60,
                rem % 60,
                t.0 % NANOS_PER_SEC
            )
        };
        let mut n: u64 = 1;
        for _ in 0..10_000 {
            n = n
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            for t in [
                Time(n),
                Time(n % 4_000_000_000_000_000_000),
                Time(0),
                Time(u64::MAX),
            ] {
                assert_eq!(t.to_rfc3339(), reference(t));
            }
        }
    }

    #[test]
    fn rfc3339_known_points() {
        assert_eq!(Time(0).to_rfc3339(), "1970-01-01T00:00:00.000000000Z");
        // 1795396402.834 is in the shared capture (2026-11-23).
        assert_eq!(
            Time::from_audit(1_795_396_402, 834).to_rfc3339(),
            "2026-11-23T01:13:22.834000000Z"
        );
        // Leap day.
        assert_eq!(
            Time::from_secs(951_782_400).to_rfc3339(),
            "2000-02-29T00:00:00.000000000Z"
        );
        assert_eq!(
            Time::from_secs(1_709_208_000).to_rfc3339(),
            "2024-02-29T12:00:00.000000000Z"
        );
    }

    #[test]
    fn boot_ticks() {
        let t = Time::from_boot_ticks(1000, 250, 100);
        assert_eq!(t, Time(1000 * NANOS_PER_SEC + 2_500_000_000));
        // Zero hz is treated as 1 instead of dividing by zero.
        assert_eq!(Time::from_boot_ticks(0, 3, 0), Time(3 * NANOS_PER_SEC));
    }
}
