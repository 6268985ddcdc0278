//! Syscall names per arch.
//!
//! [`name`], [`number`] and [`table`] are libaudit 3.0.9's tables: exactly
//! the names auditctl 3.0.9 accepts after `-S` and prints with `-l`
//! (e.g. `pread`, not `pread64`, on x86_64). A name unknown to libaudit
//! 3.0.9 is unknown here. Name matching is ASCII case-insensitive, as
//! libaudit's (`strcasecmp`).
//!
//! The arch is an `AUDIT_ARCH_*` value: i386 (`AUDIT_ARCH_I386`) and x86_64
//! have separate tables even though libaudit treats them as one machine
//! with `-F arch=b32`/`b64`; use [`crate::arch_from_bits`] to resolve those.
//! aarch64 uses the generic (asm-generic) numbering; arm is 32-bit EABI.
//!
//! [`name_interpreted`] additionally knows syscalls libaudit 3.0.9 lacks
//! (from the installed kernel headers and `gen/syscalls-newer.tsv`), for
//! interpreting events only — never for parsing rules.

use crate::generated::syscalls::TABLES;
use crate::lookup::{name_of, value_of};

#[allow(clippy::type_complexity)]
fn tables(
    audit_arch: u32,
) -> Option<&'static (
    u32,
    &'static [(u32, &'static str)],
    &'static [(&'static str, u32)],
    &'static [(u32, &'static str)],
)> {
    TABLES
        .binary_search_by(|t| t.0.cmp(&audit_arch))
        .ok()
        .map(|i| &TABLES[i])
}

/// libaudit 3.0.9's name of syscall `nr` on `audit_arch`
/// (`audit_syscall_to_name`). `None` for an unknown arch or number.
pub fn name(audit_arch: u32, nr: u32) -> Option<&'static str> {
    name_of(tables(audit_arch)?.1, nr)
}

/// The number of syscall `name` on `audit_arch` as auditctl 3.0.9 resolves
/// it (`audit_name_to_syscall`, ASCII case-insensitive). `None` for an
/// unknown arch or a name libaudit 3.0.9 does not know.
pub fn number(audit_arch: u32, name: &str) -> Option<u32> {
    value_of(tables(audit_arch)?.2, name)
}

/// libaudit 3.0.9's whole table for `audit_arch`, sorted by number
/// (what `ausyscall ARCH --dump` prints). `None` for an unknown arch.
pub fn table(audit_arch: u32) -> Option<&'static [(u32, &'static str)]> {
    Some(tables(audit_arch)?.1)
}

/// Every name [`number`] accepts for `audit_arch`, with its number, sorted
/// by ASCII-lowercase name.
pub fn names(audit_arch: u32) -> Option<&'static [(&'static str, u32)]> {
    Some(tables(audit_arch)?.2)
}

/// The name to show for syscall `nr` when interpreting an event: libaudit's
/// name when it has one (so output matches `ausearch -i`), otherwise the
/// kernel's name for syscalls newer than libaudit 3.0.9 (known for x86_64,
/// i386 and aarch64).
pub fn name_interpreted(audit_arch: u32, nr: u32) -> Option<&'static str> {
    let t = tables(audit_arch)?;
    name_of(t.1, nr).or_else(|| name_of(t.3, nr))
}

/// The `AUDIT_ARCH_*` values that have a syscall table, sorted.
pub fn arches() -> impl Iterator<Item = u32> {
    TABLES.iter().map(|t| t.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::{
        AUDIT_ARCH_AARCH64, AUDIT_ARCH_ARM, AUDIT_ARCH_I386, AUDIT_ARCH_PPC64, AUDIT_ARCH_PPC64LE,
        AUDIT_ARCH_S390X, AUDIT_ARCH_X86_64,
    };

    // Expected values from `ausyscall ARCH NR` (auditd 3.0.9, Debian 12).
    #[test]
    fn spot_checks_against_ausyscall() {
        assert_eq!(name(AUDIT_ARCH_X86_64, 59), Some("execve"));
        assert_eq!(name(AUDIT_ARCH_X86_64, 17), Some("pread"));
        assert_eq!(name(AUDIT_ARCH_X86_64, 18), Some("pwrite"));
        assert_eq!(
            name(AUDIT_ARCH_X86_64, 450),
            Some("set_mempolicy_home_node")
        );
        assert_eq!(name(AUDIT_ARCH_I386, 11), Some("execve"));
        assert_eq!(name(AUDIT_ARCH_I386, 0), Some("restart_syscall"));
        assert_eq!(name(AUDIT_ARCH_AARCH64, 221), Some("execve"));
        assert_eq!(name(AUDIT_ARCH_AARCH64, 0), Some("io_setup"));
        assert_eq!(name(AUDIT_ARCH_AARCH64, 67), Some("pread"));
        assert_eq!(name(AUDIT_ARCH_ARM, 11), Some("execve"));
        assert_eq!(name(AUDIT_ARCH_PPC64LE, 11), Some("execve"));
        assert_eq!(name(AUDIT_ARCH_S390X, 11), Some("execve"));
        assert_eq!(number(AUDIT_ARCH_X86_64, "pread"), Some(17));
        assert_eq!(number(AUDIT_ARCH_X86_64, "PREAD"), Some(17));
        assert_eq!(number(AUDIT_ARCH_X86_64, "openat"), Some(257));
        assert_eq!(number(AUDIT_ARCH_I386, "socketcall"), Some(102));
        assert_eq!(number(AUDIT_ARCH_AARCH64, "openat"), Some(56));
        // i386 alias in libaudit's table (audit_name_to_syscall).
        assert_eq!(number(AUDIT_ARCH_I386, "madvise1"), Some(219));
        assert_eq!(name(AUDIT_ARCH_I386, 219), Some("madvise"));
    }

    #[test]
    fn names_unknown_to_libaudit_are_unknown() {
        assert_eq!(number(AUDIT_ARCH_X86_64, "pread64"), None);
        assert_eq!(number(AUDIT_ARCH_X86_64, "cachestat"), None);
        assert_eq!(number(AUDIT_ARCH_AARCH64, "open"), None);
        assert_eq!(number(AUDIT_ARCH_X86_64, ""), None);
        assert_eq!(number(AUDIT_ARCH_X86_64, "all"), None);
        assert_eq!(number(0x28, "read"), None);
        assert_eq!(name(AUDIT_ARCH_X86_64, u32::MAX), None);
        assert_eq!(name(0, 0), None);
        assert_eq!(table(0x1234), None);
    }

    #[test]
    fn interpreted_falls_back_to_libaudit_first() {
        assert_eq!(name_interpreted(AUDIT_ARCH_X86_64, 17), Some("pread"));
        assert_eq!(name_interpreted(AUDIT_ARCH_X86_64, 100_000), None);
        // Newer than libaudit 3.0.9: interpretation only, never for rules.
        assert_eq!(name_interpreted(AUDIT_ARCH_X86_64, 452), Some("fchmodat2"));
        assert_eq!(name_interpreted(AUDIT_ARCH_X86_64, 335), Some("uretprobe"));
        assert_eq!(name_interpreted(AUDIT_ARCH_I386, 462), Some("mseal"));
        assert_eq!(
            name_interpreted(AUDIT_ARCH_AARCH64, 469),
            Some("file_setattr")
        );
        assert_eq!(name(AUDIT_ARCH_X86_64, 452), None);
        assert_eq!(number(AUDIT_ARCH_X86_64, "fchmodat2"), None);
        for arch in arches() {
            for &(nr, n) in table(arch).unwrap_or_default() {
                assert_eq!(name_interpreted(arch, nr), Some(n));
            }
        }
    }

    #[test]
    fn every_entry_round_trips() {
        let mut count = 0;
        for arch in arches() {
            let t = table(arch).unwrap_or_default();
            assert!(t.windows(2).all(|w| w[0].0 < w[1].0), "{arch:#x} sorted");
            for &(nr, n) in t {
                let back = number(arch, n).expect("name resolves");
                // libaudit resolves a name to one number; it must print the same name.
                assert_eq!(name(arch, back), Some(n), "{arch:#x} {nr} {n}");
                count += 1;
            }
            for &(n, nr) in names(arch).unwrap_or_default() {
                assert_eq!(number(arch, n), Some(nr));
            }
        }
        assert!(count > 3000, "{count}");
    }

    #[test]
    fn tables_exist_for_main_arches() {
        for a in [
            AUDIT_ARCH_X86_64,
            AUDIT_ARCH_I386,
            AUDIT_ARCH_AARCH64,
            AUDIT_ARCH_ARM,
            AUDIT_ARCH_PPC64,
            AUDIT_ARCH_PPC64LE,
            AUDIT_ARCH_S390X,
        ] {
            assert!(table(a).is_some_and(|t| t.len() > 250), "{a:#x}");
        }
    }
}
