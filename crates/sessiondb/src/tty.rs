//! Controlling terminals: device numbers, kinds and audit tty names.

use serde::Serialize;

/// A character device number of a controlling terminal.
///
/// `major` is the 12-bit major number; `minor` the 20-bit minor, as the
/// kernel's `new_encode_dev` splits them in `/proc/PID/stat` `tty_nr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct TtyDev {
    /// Major device number (12 bits).
    pub major: u32,
    /// Minor device number (20 bits).
    pub minor: u32,
}

/// What kind of terminal a device is, by the rules Elastic's processdb uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TtyKind {
    /// A pseudo-terminal slave (majors 136..=143).
    Pts,
    /// Major 4, minors 64..=255 (serial lines; "terminal" entry type).
    Tty,
    /// Major 4, minors 0..=63 (virtual consoles; "console" entry type).
    Console,
    /// Anything else.
    Unknown,
}

const PTS_FIRST_MAJOR: u32 = 136;
const PTS_LAST_MAJOR: u32 = 143;
const TTY_MAJOR: u32 = 4;
const CONSOLE_MAX_MINOR: u32 = 63;
const TTY_MAX_MINOR: u32 = 255;

impl TtyDev {
    /// From `tty_nr` of `/proc/PID/stat`; `None` for 0 (no terminal).
    pub fn from_tty_nr(tty_nr: u32) -> Option<TtyDev> {
        if tty_nr == 0 {
            return None;
        }
        // Inverse of new_encode_dev() (include/linux/kdev_t.h).
        Some(TtyDev {
            major: (tty_nr >> 8) & 0xfff,
            minor: (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00),
        })
    }

    /// The kind of terminal.
    pub fn kind(self) -> TtyKind {
        if (PTS_FIRST_MAJOR..=PTS_LAST_MAJOR).contains(&self.major) {
            TtyKind::Pts
        } else if self.major == TTY_MAJOR && self.minor <= CONSOLE_MAX_MINOR {
            TtyKind::Console
        } else if self.major == TTY_MAJOR && self.minor <= TTY_MAX_MINOR {
            TtyKind::Tty
        } else {
            TtyKind::Unknown
        }
    }

    /// True for a terminal a user types on (any known kind).
    pub fn is_interactive(self) -> bool {
        self.kind() != TtyKind::Unknown
    }
}

/// Parses the `tty=` field of an audit record (the kernel's `tty_name()`).
///
/// * `Some(None)` for `(none)`: the process has no controlling terminal;
/// * `Some(Some(dev))` for `ptsN`, `ttyN`, `ttySN` and `console`;
/// * `None` for a name whose device number is not known (the caller should
///   keep what it knew before).
pub fn parse_audit_tty(name: &[u8]) -> Option<Option<TtyDev>> {
    if name == b"(none)" {
        return Some(None);
    }
    if name == b"console" {
        return Some(Some(TtyDev { major: 5, minor: 1 }));
    }
    if let Some(n) = name.strip_prefix(b"pts").and_then(parse_u32) {
        // The pty slave driver spans majors 136..143, 256 minors each.
        let major = PTS_FIRST_MAJOR + n / 256;
        return (major <= PTS_LAST_MAJOR).then_some(Some(TtyDev {
            major,
            minor: n % 256,
        }));
    }
    if let Some(n) = name.strip_prefix(b"ttyS").and_then(parse_u32) {
        return (n < 192).then_some(Some(TtyDev {
            major: TTY_MAJOR,
            minor: 64 + n,
        }));
    }
    if let Some(n) = name.strip_prefix(b"tty").and_then(parse_u32) {
        return (n <= CONSOLE_MAX_MINOR).then_some(Some(TtyDev {
            major: TTY_MAJOR,
            minor: n,
        }));
    }
    None
}

fn parse_u32(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tty_nr_decoding() {
        assert_eq!(TtyDev::from_tty_nr(0), None);
        // pts/0: major 136 minor 0 -> 136 << 8.
        assert_eq!(
            TtyDev::from_tty_nr(136 << 8),
            Some(TtyDev {
                major: 136,
                minor: 0
            })
        );
        // tty1: 0x0401.
        assert_eq!(
            TtyDev::from_tty_nr(0x0401),
            Some(TtyDev { major: 4, minor: 1 })
        );
        // Large minor: 0x12345 on major 0x888 (12-bit major, split minor).
        let nr = 0x45 | (0x888 << 8) | (0x123 << 20);
        assert_eq!(
            TtyDev::from_tty_nr(nr),
            Some(TtyDev {
                major: 0x888,
                minor: 0x12345
            })
        );
    }

    #[test]
    fn kinds() {
        let k = |major, minor| TtyDev { major, minor }.kind();
        assert_eq!(k(136, 3), TtyKind::Pts);
        assert_eq!(k(143, 255), TtyKind::Pts);
        assert_eq!(k(4, 62), TtyKind::Console);
        assert_eq!(k(4, 64), TtyKind::Tty);
        assert_eq!(k(4, 256), TtyKind::Unknown);
        assert_eq!(k(5, 1), TtyKind::Unknown);
        assert!(!TtyDev { major: 5, minor: 1 }.is_interactive());
        assert!(TtyDev {
            major: 136,
            minor: 1
        }
        .is_interactive());
    }

    #[test]
    fn audit_names() {
        assert_eq!(parse_audit_tty(b"(none)"), Some(None));
        assert_eq!(
            parse_audit_tty(b"pts0"),
            Some(Some(TtyDev {
                major: 136,
                minor: 0
            }))
        );
        assert_eq!(
            parse_audit_tty(b"pts300"),
            Some(Some(TtyDev {
                major: 137,
                minor: 44
            }))
        );
        assert_eq!(
            parse_audit_tty(b"tty2"),
            Some(Some(TtyDev { major: 4, minor: 2 }))
        );
        assert_eq!(
            parse_audit_tty(b"ttyS1"),
            Some(Some(TtyDev {
                major: 4,
                minor: 65
            }))
        );
        assert_eq!(parse_audit_tty(b"ttyUSB0"), None);
        assert_eq!(parse_audit_tty(b"pts"), None);
        assert_eq!(parse_audit_tty(b"pts99999999999"), None);
    }
}
