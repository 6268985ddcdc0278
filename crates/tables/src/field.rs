//! Rule field names (`-F NAME...`) as libaudit 3.0.9 knows them
//! (`audit_name_to_field` / `audit_field_to_name`), and the `AUDIT_*` field
//! constants of `<linux/audit.h>` (`field::AUDIT_ARCH`, ...).
//!
//! Aliases libaudit accepts are included (`loginuid` for `auid`, 9).
//! Fields the kernel has but libaudit 3.0.9's table lacks
//! (`AUDIT_LOGINUID_SET`, 24) are available as constants only.

use crate::generated::libaudit::{FIELD_BY_NAME, FIELD_BY_NUMBER};
use crate::lookup::{name_of, value_of};

pub use crate::generated::field_consts::*;

/// The field number of a name libaudit accepts (ASCII case-insensitive):
/// `"exe"` -> 112, `"loginuid"` -> 9.
pub fn number(name: &str) -> Option<u32> {
    value_of(FIELD_BY_NAME, name)
}

/// libaudit's (printed) name of field `n`: 9 -> `"auid"`, 105 -> `"path"`.
pub fn name(n: u32) -> Option<&'static str> {
    name_of(FIELD_BY_NUMBER, n)
}

/// Every field libaudit names, sorted by number (one printed name each).
pub fn all() -> &'static [(u32, &'static str)] {
    FIELD_BY_NUMBER
}

/// Every field name libaudit accepts, aliases included, sorted by name.
pub fn names() -> &'static [(&'static str, u32)] {
    FIELD_BY_NAME
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values from python3-audit 3.0.9 audit_name_to_field.
    #[test]
    fn spot_checks() {
        assert_eq!(number("pid"), Some(AUDIT_PID));
        assert_eq!(number("exe"), Some(112));
        assert_eq!(number("saddr_fam"), Some(113));
        assert_eq!(number("auid"), Some(AUDIT_LOGINUID));
        assert_eq!(number("loginuid"), Some(AUDIT_LOGINUID));
        assert_eq!(number("path"), Some(AUDIT_WATCH));
        assert_eq!(number("key"), Some(AUDIT_FILTERKEY));
        assert_eq!(number("a3"), Some(AUDIT_ARG3));
        assert_eq!(number("Arch"), Some(AUDIT_ARCH));
        assert_eq!(name(9), Some("auid"));
        assert_eq!(name(AUDIT_FIELD_COMPARE), Some("field_compare"));
        assert_eq!(AUDIT_ARG1, 201);
        assert_eq!(AUDIT_FILTERKEY, 210);
        assert_eq!(AUDIT_SADDR_FAM, 113);
    }

    #[test]
    fn unknown() {
        assert_eq!(number("loginuid_set"), None); // not in libaudit 3.0.9
        assert_eq!(name(AUDIT_LOGINUID_SET), None);
        assert_eq!(number(""), None);
        assert_eq!(number("a4"), None);
        assert_eq!(name(u32::MAX), None);
    }

    #[test]
    fn round_trip() {
        for &(n, s) in all() {
            assert_eq!(number(s), Some(n));
            assert_eq!(name(n), Some(s));
        }
        for &(s, n) in names() {
            assert_eq!(number(s), Some(n));
            assert!(name(n).is_some(), "{s}");
        }
        assert!(names().len() > all().len());
    }
}
