//! File types for `-F filetype=` (`audit_name_to_ftype`): `S_IF*` values.

use crate::generated::libaudit::{FTYPE_BY_NAME, FTYPE_BY_NUMBER};
use crate::lookup::{name_of, value_of};

/// The `S_IF*` value of a libaudit file type name (`file`, `dir`, `socket`,
/// `link`, `character`, `block`, `fifo`; ASCII case-insensitive).
pub fn value(name: &str) -> Option<u32> {
    value_of(FTYPE_BY_NAME, name)
}

/// libaudit's name of an `S_IF*` value (`0o040000` -> `"dir"`).
pub fn name(v: u32) -> Option<&'static str> {
    name_of(FTYPE_BY_NUMBER, v)
}

/// Every file type, sorted by value.
pub fn all() -> &'static [(u32, &'static str)] {
    FTYPE_BY_NUMBER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_s_if() {
        assert_eq!(value("file"), Some(0o100000));
        assert_eq!(value("dir"), Some(0o040000));
        assert_eq!(value("socket"), Some(0o140000));
        assert_eq!(value("link"), Some(0o120000));
        assert_eq!(value("character"), Some(0o020000));
        assert_eq!(value("block"), Some(0o060000));
        assert_eq!(value("fifo"), Some(0o010000));
        assert_eq!(value("FILE"), Some(0o100000));
        assert_eq!(value("regular"), None);
        assert_eq!(name(0), None);
        assert_eq!(name(0o040000), Some("dir"));
    }

    #[test]
    fn round_trip() {
        assert_eq!(all().len(), 7);
        for &(v, n) in all() {
            assert_eq!(value(n), Some(v));
            assert_eq!(name(v), Some(n));
        }
    }
}
