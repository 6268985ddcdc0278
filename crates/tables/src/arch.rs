//! Machines and `AUDIT_ARCH_*` values, as libaudit 3.0.9 names them.
//!
//! The names are libaudit's (`audit_machine_to_name`): what `ausearch -i`
//! and `auditctl -l -i` print. Note libaudit's quirk: `AUDIT_ARCH_ARM`
//! (0x40000028) is named `armeb`.

use crate::generated::libaudit::{ARCH_BY_NAME, ARCH_BY_VALUE};
use crate::lookup::{name_of, value_of};

pub use crate::uapi::{
    AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM, AUDIT_ARCH_I386, AUDIT_ARCH_PPC, AUDIT_ARCH_PPC64,
    AUDIT_ARCH_PPC64LE, AUDIT_ARCH_S390, AUDIT_ARCH_S390X, AUDIT_ARCH_X86_64,
};

/// Bit set in `AUDIT_ARCH_*` values of 64-bit ABIs (`__AUDIT_ARCH_64BIT`).
pub const AUDIT_ARCH_64BIT: u32 = 0x8000_0000;
/// Bit set in `AUDIT_ARCH_*` values of little-endian ABIs (`__AUDIT_ARCH_LE`).
pub const AUDIT_ARCH_LE: u32 = 0x4000_0000;

/// libaudit's name for an `AUDIT_ARCH_*` value (`audit_elf_to_machine` then
/// `audit_machine_to_name`), e.g. `0xc000003e` -> `"x86_64"`.
/// `None` for arches libaudit does not know.
pub fn arch_name(audit_arch: u32) -> Option<&'static str> {
    name_of(ARCH_BY_VALUE, audit_arch)
}

/// The `AUDIT_ARCH_*` value of a machine name libaudit accepts
/// (`audit_name_to_machine`, ASCII case-insensitive): `x86_64`, `i386`,
/// `i486`, `i586`, `i686`, `aarch64`, `armv8l`, `arm`, `armeb`, `armv5tejl`,
/// `armv5tel`, `armv6l`, `armv7l`, `ppc`, `ppc64`, `ppc64le`, `s390`, `s390x`.
/// `b32`/`b64` are relative to a host: see [`arch_from_bits`].
pub fn arch_from_name(name: &str) -> Option<u32> {
    value_of(ARCH_BY_NAME, name)
}

/// auditctl's `-F arch=b64` / `b32` (libaudit `audit_determine_machine`):
/// the arch meant by `bits` (32 or 64) on a host whose native arch is
/// `host_machine_arch`.
///
/// b32 maps x86_64 -> i386, ppc64 -> ppc, s390x -> s390, aarch64 -> arm;
/// b64 on a 32-bit host is an error (`None`). libaudit quirk kept: b32 on
/// ppc64le stays ppc64le. Any other `bits` value, or a host libaudit does
/// not know, gives `None`.
pub fn arch_from_bits(bits: u32, host_machine_arch: u32) -> Option<u32> {
    arch_name(host_machine_arch)?;
    match bits {
        64 => match host_machine_arch {
            AUDIT_ARCH_X86_64 | AUDIT_ARCH_PPC64 | AUDIT_ARCH_PPC64LE | AUDIT_ARCH_S390X
            | AUDIT_ARCH_AARCH64 => Some(host_machine_arch),
            _ => None,
        },
        32 => match host_machine_arch {
            AUDIT_ARCH_X86_64 => Some(AUDIT_ARCH_I386),
            AUDIT_ARCH_PPC64 => Some(AUDIT_ARCH_PPC),
            AUDIT_ARCH_S390X => Some(AUDIT_ARCH_S390),
            AUDIT_ARCH_AARCH64 => Some(AUDIT_ARCH_ARM),
            AUDIT_ARCH_PPC64LE | AUDIT_ARCH_I386 | AUDIT_ARCH_PPC | AUDIT_ARCH_S390
            | AUDIT_ARCH_ARM => Some(host_machine_arch),
            _ => None,
        },
        _ => None,
    }
}

/// The `AUDIT_ARCH_*` value of the target this crate was compiled for
/// (what `audit_detect_machine` finds on that machine), or 0 when the
/// target is not one libaudit 3.0.9 knows.
pub const fn host_arch() -> u32 {
    if cfg!(target_arch = "x86_64") {
        AUDIT_ARCH_X86_64
    } else if cfg!(target_arch = "x86") {
        AUDIT_ARCH_I386
    } else if cfg!(target_arch = "aarch64") {
        AUDIT_ARCH_AARCH64
    } else if cfg!(target_arch = "arm") {
        AUDIT_ARCH_ARM
    } else if cfg!(target_arch = "powerpc64") {
        if cfg!(target_endian = "little") {
            AUDIT_ARCH_PPC64LE
        } else {
            AUDIT_ARCH_PPC64
        }
    } else if cfg!(target_arch = "powerpc") {
        AUDIT_ARCH_PPC
    } else if cfg!(target_arch = "s390x") {
        AUDIT_ARCH_S390X
    } else {
        0
    }
}

/// Every `AUDIT_ARCH_*` value libaudit knows, with its name, sorted by value.
pub fn all() -> &'static [(u32, &'static str)] {
    ARCH_BY_VALUE
}

/// Every machine name libaudit accepts (aliases included) with its
/// `AUDIT_ARCH_*` value, sorted by ASCII-lowercase name.
pub fn names() -> &'static [(&'static str, u32)] {
    ARCH_BY_NAME
}

#[cfg(test)]
mod tests {
    use super::*;

    // Values checked against python3-audit 3.0.9:
    // audit.audit_machine_to_elf / audit_name_to_machine.
    #[test]
    fn names_as_libaudit() {
        assert_eq!(arch_name(0xc000_003e), Some("x86_64"));
        assert_eq!(arch_name(0x4000_0003), Some("i386"));
        assert_eq!(arch_name(0xc000_00b7), Some("aarch64"));
        assert_eq!(arch_name(0x4000_0028), Some("armeb"));
        assert_eq!(arch_name(0x8000_0015), Some("ppc64"));
        assert_eq!(arch_name(0xc000_0015), Some("ppc64le"));
        assert_eq!(arch_name(0x14), Some("ppc"));
        assert_eq!(arch_name(0x8000_0016), Some("s390x"));
        assert_eq!(arch_name(0x16), Some("s390"));
        assert_eq!(arch_name(0x28), None); // AUDIT_ARCH_ARMEB: unknown to libaudit
        assert_eq!(arch_name(0), None);
    }

    #[test]
    fn machine_names_and_aliases() {
        for (n, v) in [
            ("x86_64", AUDIT_ARCH_X86_64),
            ("i686", AUDIT_ARCH_I386),
            ("I386", AUDIT_ARCH_I386),
            ("armv7l", AUDIT_ARCH_ARM),
            ("armv8l", AUDIT_ARCH_AARCH64),
            ("aarch64", AUDIT_ARCH_AARCH64),
            ("ppc64le", AUDIT_ARCH_PPC64LE),
        ] {
            assert_eq!(arch_from_name(n), Some(v), "{n}");
        }
        for n in ["", "b64", "b32", "ia64", "alpha", "armv7b", "x86-64"] {
            assert_eq!(arch_from_name(n), None, "{n}");
        }
    }

    #[test]
    fn bits_relative_to_host() {
        assert_eq!(arch_from_bits(32, AUDIT_ARCH_X86_64), Some(AUDIT_ARCH_I386));
        assert_eq!(
            arch_from_bits(64, AUDIT_ARCH_X86_64),
            Some(AUDIT_ARCH_X86_64)
        );
        assert_eq!(arch_from_bits(32, AUDIT_ARCH_AARCH64), Some(AUDIT_ARCH_ARM));
        assert_eq!(arch_from_bits(32, AUDIT_ARCH_S390X), Some(AUDIT_ARCH_S390));
        assert_eq!(arch_from_bits(32, AUDIT_ARCH_PPC64), Some(AUDIT_ARCH_PPC));
        assert_eq!(
            arch_from_bits(32, AUDIT_ARCH_PPC64LE),
            Some(AUDIT_ARCH_PPC64LE)
        );
        assert_eq!(arch_from_bits(64, AUDIT_ARCH_I386), None);
        assert_eq!(arch_from_bits(32, AUDIT_ARCH_I386), Some(AUDIT_ARCH_I386));
        assert_eq!(arch_from_bits(16, AUDIT_ARCH_X86_64), None);
        assert_eq!(arch_from_bits(64, 0x28), None);
    }

    #[test]
    fn host_is_known() {
        if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
            assert!(arch_name(host_arch()).is_some());
        }
    }

    #[test]
    fn every_name_round_trips_to_its_value() {
        for &(v, n) in all() {
            assert_eq!(arch_from_name(n), Some(v));
        }
        for &(n, v) in names() {
            assert!(arch_name(v).is_some(), "{n}");
        }
    }
}
