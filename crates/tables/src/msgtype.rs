//! Audit message (record) types, as libaudit 3.0.9 names them
//! (`audit_msg_type_to_name`), plus `u16` constants: every message type of
//! `<linux/audit.h>` (`AUDIT_SYSCALL`, `AUDIT_GET_FEATURE`, ...) and
//! `AUDIT_` + libaudit's name for the types only libaudit names
//! (`AUDIT_USER_LOGIN` = 1112, ...).

use crate::generated::libaudit::{MSGTYPE_BY_NAME, MSGTYPE_BY_NUMBER};
use crate::lookup::{name_of, value_of};

pub use crate::generated::msgtype_consts::*;

/// libaudit's name of message type `t` (`1300` -> `"SYSCALL"`).
pub fn name(t: u16) -> Option<&'static str> {
    name_of(MSGTYPE_BY_NUMBER, t)
}

/// The number of a message type name libaudit knows (ASCII
/// case-insensitive). Only names: see [`parse`] for `UNKNOWN[n]` and digits.
pub fn number(name: &str) -> Option<u16> {
    value_of(MSGTYPE_BY_NAME, name)
}

/// A message type as written in logs and rules: a libaudit name
/// (`SYSCALL`), `UNKNOWN[1234]` (how libaudit prints types it has no name
/// for) or plain decimal digits. Stricter than libaudit's
/// `audit_name_to_msg_type` (which uses `strtol` and accepts trailing
/// junk): the number must be all digits and fit in a `u16`.
pub fn parse(name_or_number: &str) -> Option<u16> {
    if let Some(v) = number(name_or_number) {
        return Some(v);
    }
    let digits = match name_or_number.strip_prefix("UNKNOWN[") {
        Some(rest) => rest.strip_suffix(']')?,
        None => name_or_number,
    };
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Every message type libaudit names, sorted by number.
pub fn all() -> &'static [(u16, &'static str)] {
    MSGTYPE_BY_NUMBER
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values from python3-audit 3.0.9 audit_msg_type_to_name.
    #[test]
    fn spot_checks() {
        assert_eq!(name(1300), Some("SYSCALL"));
        assert_eq!(name(1309), Some("EXECVE"));
        assert_eq!(name(1320), Some("EOE"));
        assert_eq!(name(1400), Some("AVC"));
        assert_eq!(name(1112), Some("USER_LOGIN"));
        assert_eq!(name(1701), Some("ANOM_ABEND"));
        assert_eq!(name(1800), Some("INTEGRITY_DATA"));
        assert_eq!(name(2000), Some("KERNEL"));
        assert_eq!(number("PROCTITLE"), Some(1327));
        assert_eq!(number("syscall"), Some(1300));
        assert_eq!(AUDIT_EOE, 1320);
        assert_eq!(AUDIT_GET_FEATURE, 1019);
        assert_eq!(AUDIT_USER_LOGIN, 1112); // named by libaudit only
        assert_eq!(AUDIT_KERNEL, 2000);
    }

    #[test]
    fn parse_forms() {
        assert_eq!(parse("SYSCALL"), Some(1300));
        assert_eq!(parse("UNKNOWN[1234]"), Some(1234));
        assert_eq!(parse("1234"), Some(1234));
        assert_eq!(parse("65535"), Some(65535));
        for bad in [
            "",
            "UNKNOWN[",
            "UNKNOWN[]",
            "UNKNOWN[12",
            "UNKNOWN[x]",
            "65536",
            "-5",
            "12abc",
            "999999",
            " 12",
            "NOPE",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn unknown() {
        assert_eq!(name(0), None);
        assert_eq!(name(1999), None);
        assert_eq!(number(""), None);
        assert_eq!(number("UNKNOWN[1300]"), None);
    }

    #[test]
    fn round_trip() {
        for &(n, s) in all() {
            assert_eq!(number(s), Some(n));
            assert_eq!(parse(s), Some(n));
            assert_eq!(name(n), Some(s));
        }
        assert!(all().len() > 150);
    }
}
