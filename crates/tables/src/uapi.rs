//! Every numeric `AUDIT_*` constant of `<linux/audit.h>` (linux-libc-dev
//! 6.1), as `u32`, under its header name: message types (`AUDIT_GET` ...
//! `AUDIT_KERNEL`), filter lists, actions, rule fields, operators,
//! `AUDIT_ARCH_*`, status and feature bits, `AUDIT_MAX_FIELDS`,
//! `AUDIT_BITMASK_SIZE`, `AUDIT_MAX_KEY_LEN`, ...
//!
//! Typed views: [`crate::msgtype`] (`u16` message types) and
//! [`crate::field`] re-export subsets. Constants newer than the 6.1 headers
//! are not here (see the crate README).

pub use crate::generated::uapi::*;

/// The message types, rule fields, filter lists and `AUDIT_ARCH_*` values
/// of the header with their names, for tests and tooling: (group name,
/// [(constant name, value)]).
pub fn groups() -> [(&'static str, &'static [(&'static str, u32)]); 4] {
    use crate::generated::uapi::{ARCHES, FIELDS, FILTERS, MSG_TYPES};
    [
        ("msg_types", MSG_TYPES),
        ("fields", FIELDS),
        ("filters", FILTERS),
        ("arches", ARCHES),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values() {
        assert_eq!(AUDIT_GET, 1000);
        assert_eq!(AUDIT_GET_FEATURE, 1019);
        assert_eq!(AUDIT_MAX_FIELDS, 64);
        assert_eq!(AUDIT_BITMASK_SIZE, 64);
        assert_eq!(AUDIT_MAX_KEY_LEN, 256);
        assert_eq!(AUDIT_ARCH_X86_64, 0xc000_003e);
        assert_eq!(AUDIT_ARCH_I386, 0x4000_0003);
        assert_eq!(AUDIT_ARCH_AARCH64, 0xc000_00b7);
        assert_eq!(AUDIT_ARCH_ARM, 0x4000_0028);
        assert_eq!(AUDIT_ARCH_MIPS64N32, 0xa000_0008);
        assert_eq!(AUDIT_UID_UNSET, u32::MAX);
        assert_eq!(AUDIT_FEATURE_BITMAP_ALL, 0x7f);
        assert_eq!(AUDIT_NLGRP_READLOG, 1);
        assert_eq!(AUDIT_NLGRP_MAX, 1);
        assert_eq!(AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL, 0x80);
    }

    #[test]
    fn groups_are_consistent_with_libaudit_names() {
        let [msg, fields, filters, arches] = groups();
        assert!(msg.1.iter().any(|&(n, v)| n == "AUDIT_EOE" && v == 1320));
        assert!(fields.1.iter().any(|&(n, v)| n == "AUDIT_EXE" && v == 112));
        assert_eq!(filters.1.len(), 11);
        // Every field libaudit names is a field constant of the header.
        for &(v, _) in crate::field::all() {
            assert!(fields.1.iter().any(|&(_, x)| x == v), "{v}");
        }
        for &(v, _) in crate::arch::all() {
            assert!(arches.1.iter().any(|&(_, x)| x == v), "{v:#x}");
        }
    }
}
