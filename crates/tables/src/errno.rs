//! errno names as libaudit 3.0.9 spells them (`audit_errno_to_name`),
//! used by auditctl's `-F exit=-EACCES` and by `ausearch -i`.

use crate::generated::libaudit::{ERRNO_BY_NAME, ERRNO_BY_NUMBER};
use crate::lookup::{name_of, value_of};

/// The name of positive errno `n` (`13` -> `"EACCES"`). Negative values
/// (syscall exit codes) are not accepted: pass `-exit`.
pub fn name(n: i32) -> Option<&'static str> {
    name_of(ERRNO_BY_NUMBER, n)
}

/// The positive number of an errno name (ASCII case-insensitive, as
/// libaudit's `audit_name_to_errno`).
pub fn number(name: &str) -> Option<i32> {
    value_of(ERRNO_BY_NAME, name)
}

/// libaudit's `audit_name_to_errno` in full, as auditctl uses it for
/// `-F exit=NAME`: an errno name with an optional leading `-`, giving the
/// negated number (`"-EACCES"` -> `-13`, `"EACCES"` -> `13`).
pub fn number_signed(name: &str) -> Option<i32> {
    match name.strip_prefix('-') {
        Some(rest) => number(rest).map(|n| -n),
        None => number(name),
    }
}

/// Every errno libaudit prints, sorted by number (aliases such as
/// `EWOULDBLOCK` are accepted by [`number`] but not listed here).
pub fn all() -> &'static [(i32, &'static str)] {
    ERRNO_BY_NUMBER
}

/// Every errno name libaudit accepts (aliases included) with its number,
/// sorted by ASCII-lowercase name.
pub fn names() -> &'static [(&'static str, i32)] {
    ERRNO_BY_NAME
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spot_checks() {
        assert_eq!(name(1), Some("EPERM"));
        assert_eq!(name(13), Some("EACCES"));
        assert_eq!(name(133), Some("EHWPOISON"));
        assert_eq!(number("EACCES"), Some(13));
        assert_eq!(number("eacces"), Some(13));
        assert_eq!(number("ENOENT"), Some(2));
        // Aliases libaudit accepts (python3-audit audit_name_to_errno).
        assert_eq!(number("EWOULDBLOCK"), Some(11));
        assert_eq!(number("EDEADLOCK"), Some(35));
        assert_eq!(name(11), Some("EAGAIN"));
    }

    #[test]
    fn signed_names() {
        assert_eq!(number_signed("-EACCES"), Some(-13));
        assert_eq!(number_signed("-eacces"), Some(-13));
        assert_eq!(number_signed("EPERM"), Some(1));
        for bad in ["--EACCES", "- EACCES", "+EACCES", "-", "-0", ""] {
            assert_eq!(number_signed(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn unknown() {
        assert_eq!(name(0), None);
        assert_eq!(name(-13), None);
        assert_eq!(name(41), None);
        assert_eq!(name(i32::MAX), None);
        assert_eq!(number("EBOGUS"), None);
        assert_eq!(number(""), None);
    }

    #[test]
    fn round_trip() {
        for &(n, s) in all() {
            assert_eq!(number(s), Some(n));
            assert_eq!(name(n), Some(s));
        }
        assert!(all().len() > 120);
        for &(s, n) in names() {
            // libaudit returns 0 for unknown names: no entry may carry it.
            assert!(n > 0, "{s}");
            assert!(s.starts_with('E'), "{s}");
            assert!(name(n).is_some(), "{s}");
        }
        assert_eq!(number("USER_LOGIN"), None);
    }
}
