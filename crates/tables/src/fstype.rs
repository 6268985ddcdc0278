//! File system types for `-F fstype=` on the filesystem list
//! (`audit_name_to_fstype`): superblock magic numbers.

use crate::generated::libaudit::{FSTYPE_BY_NAME, FSTYPE_BY_NUMBER};
use crate::lookup::{name_of, value_of};

/// The magic number of a file system name libaudit knows (ASCII
/// case-insensitive): `debugfs`, `tracefs`.
pub fn value(name: &str) -> Option<u32> {
    value_of(FSTYPE_BY_NAME, name)
}

/// libaudit's name of a file system magic number.
pub fn name(v: u32) -> Option<&'static str> {
    name_of(FSTYPE_BY_NUMBER, v)
}

/// Every file system type, sorted by magic number.
pub fn all() -> &'static [(u32, &'static str)] {
    FSTYPE_BY_NUMBER
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers() {
        assert_eq!(value("debugfs"), Some(0x6462_6720)); // DEBUGFS_MAGIC
        assert_eq!(value("tracefs"), Some(0x7472_6163)); // TRACEFS_MAGIC
        assert_eq!(value("ext4"), None);
        for &(v, n) in all() {
            assert_eq!(value(n), Some(v));
            assert_eq!(name(v), Some(n));
        }
    }
}
