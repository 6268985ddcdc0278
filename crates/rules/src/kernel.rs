//! Constants of the kernel's rule ABI (`include/uapi/linux/audit.h`) that the
//! rule language needs, plus two userspace-only values of libaudit 3.0.9.

/// Size of the fixed part of `struct audit_rule_data` (flags, action,
/// `field_count`, `mask[64]`, `fields[64]`, `values[64]`, `fieldflags[64]`, `buflen`).
pub const RULE_DATA_HEADER_LEN: usize = 4 * (3 + 4 * 64 + 1);
/// `AUDIT_MAX_FIELDS`: the fixed arrays hold at most this many fields.
pub const AUDIT_MAX_FIELDS: usize = 64;
/// `AUDIT_BITMASK_SIZE`: number of 32-bit words of the syscall mask.
pub const AUDIT_BITMASK_SIZE: usize = 64;
/// `AUDIT_MAX_KEY_LEN`: longest key (all `-k` keys joined by 0x01).
pub const AUDIT_MAX_KEY_LEN: usize = 256;
/// `AUDIT_KEY_SEPARATOR`: joins several keys of one rule.
pub const AUDIT_KEY_SEPARATOR: u8 = 0x01;
/// `PATH_MAX` of Linux.
pub const PATH_MAX: usize = 4096;
/// `NAME_MAX` of Linux.
pub const NAME_MAX: usize = 255;
/// `AF_MAX` of glibc 2.36 (Debian 12), libaudit's bound for `saddr_fam`.
pub const AF_MAX: u32 = 46;

/// Filter lists (`AUDIT_FILTER_*`).
pub const AUDIT_FILTER_USER: u32 = 0x00;
/// Task creation list.
pub const AUDIT_FILTER_TASK: u32 = 0x01;
/// Syscall entry list (obsolete; the kernel refuses it).
pub const AUDIT_FILTER_ENTRY: u32 = 0x02;
/// Watch list (obsolete).
pub const AUDIT_FILTER_WATCH: u32 = 0x03;
/// Syscall exit list.
pub const AUDIT_FILTER_EXIT: u32 = 0x04;
/// Record-type exclusion list.
pub const AUDIT_FILTER_EXCLUDE: u32 = 0x05;
/// Filesystem list (`__audit_inode_child`).
pub const AUDIT_FILTER_FS: u32 = 0x06;
/// io_uring op exit list.
pub const AUDIT_FILTER_URING_EXIT: u32 = 0x07;
/// Mask of the list number in `flags`.
pub const AUDIT_FILTER_MASK: u32 = 0x07;
/// `flags` bit: add at the front of the list (`-A`).
pub const AUDIT_FILTER_PREPEND: u32 = 0x10;
/// libaudit's "no list yet" marker (userspace only).
pub const AUDIT_FILTER_UNSET: u32 = 0x80;

/// Actions.
pub const AUDIT_NEVER: u32 = 0;
/// Deprecated action.
pub const AUDIT_POSSIBLE: u32 = 1;
/// Record when the rule matches.
pub const AUDIT_ALWAYS: u32 = 2;

/// Operators (`fieldflags`).
pub const AUDIT_BIT_MASK: u32 = 0x0800_0000;
/// `<`
pub const AUDIT_LESS_THAN: u32 = 0x1000_0000;
/// `>`
pub const AUDIT_GREATER_THAN: u32 = 0x2000_0000;
/// `!=`
pub const AUDIT_NOT_EQUAL: u32 = 0x3000_0000;
/// `=`
pub const AUDIT_EQUAL: u32 = 0x4000_0000;
/// `&=`
pub const AUDIT_BIT_TEST: u32 = AUDIT_BIT_MASK | AUDIT_EQUAL;
/// `<=`
pub const AUDIT_LESS_THAN_OR_EQUAL: u32 = AUDIT_LESS_THAN | AUDIT_EQUAL;
/// `>=`
pub const AUDIT_GREATER_THAN_OR_EQUAL: u32 = AUDIT_GREATER_THAN | AUDIT_EQUAL;
/// All operator bits.
pub const AUDIT_OPERATORS: u32 = AUDIT_EQUAL | AUDIT_NOT_EQUAL | AUDIT_BIT_MASK;

/// Watch permissions (`perm` field).
pub const AUDIT_PERM_EXEC: u32 = 1;
/// Write permission.
pub const AUDIT_PERM_WRITE: u32 = 2;
/// Read permission.
pub const AUDIT_PERM_READ: u32 = 4;
/// Attribute change.
pub const AUDIT_PERM_ATTR: u32 = 8;

/// Kernel feature bits (`audit_status.feature_bitmap`) libaudit checks.
pub const AUDIT_FEATURE_BITMAP_EXECUTABLE_PATH: u32 = 0x0000_0002;
/// Exclude list takes more than `msgtype`.
pub const AUDIT_FEATURE_BITMAP_EXCLUDE_EXTEND: u32 = 0x0000_0004;
/// `sessionid` field.
pub const AUDIT_FEATURE_BITMAP_SESSIONID_FILTER: u32 = 0x0000_0010;
/// Filesystem list.
pub const AUDIT_FEATURE_BITMAP_FILTER_FS: u32 = 0x0000_0040;
/// Every feature bit kernels up to 6.x report (`AUDIT_FEATURE_BITMAP_ALL`).
pub const AUDIT_FEATURE_BITMAP_ALL: u32 = 0x0000_007f;

/// `__AUDIT_ARCH_64BIT`.
pub const AUDIT_ARCH_64BIT: u32 = 0x8000_0000;

/// Field numbers (`AUDIT_*` of `<linux/audit.h>`).
#[allow(missing_docs)]
pub mod field {
    pub const PID: u32 = 0;
    pub const UID: u32 = 1;
    pub const EUID: u32 = 2;
    pub const SUID: u32 = 3;
    pub const FSUID: u32 = 4;
    pub const GID: u32 = 5;
    pub const EGID: u32 = 6;
    pub const SGID: u32 = 7;
    pub const FSGID: u32 = 8;
    pub const LOGINUID: u32 = 9;
    pub const PERS: u32 = 10;
    pub const ARCH: u32 = 11;
    pub const MSGTYPE: u32 = 12;
    pub const SUBJ_USER: u32 = 13;
    pub const SUBJ_ROLE: u32 = 14;
    pub const SUBJ_TYPE: u32 = 15;
    pub const SUBJ_SEN: u32 = 16;
    pub const SUBJ_CLR: u32 = 17;
    pub const PPID: u32 = 18;
    pub const OBJ_USER: u32 = 19;
    pub const OBJ_ROLE: u32 = 20;
    pub const OBJ_TYPE: u32 = 21;
    pub const OBJ_LEV_LOW: u32 = 22;
    pub const OBJ_LEV_HIGH: u32 = 23;
    pub const LOGINUID_SET: u32 = 24;
    pub const SESSIONID: u32 = 25;
    pub const FSTYPE: u32 = 26;
    pub const DEVMAJOR: u32 = 100;
    pub const DEVMINOR: u32 = 101;
    pub const INODE: u32 = 102;
    pub const EXIT: u32 = 103;
    pub const SUCCESS: u32 = 104;
    pub const WATCH: u32 = 105;
    pub const PERM: u32 = 106;
    pub const DIR: u32 = 107;
    pub const FILETYPE: u32 = 108;
    pub const OBJ_UID: u32 = 109;
    pub const OBJ_GID: u32 = 110;
    pub const FIELD_COMPARE: u32 = 111;
    pub const EXE: u32 = 112;
    pub const SADDR_FAM: u32 = 113;
    pub const ARG0: u32 = 200;
    pub const ARG1: u32 = 201;
    pub const ARG2: u32 = 202;
    pub const ARG3: u32 = 203;
    pub const FILTERKEY: u32 = 210;
}

/// Whether field `f` carries a string in `buf` (its value is the length):
/// the kernel's `audit_data_to_entry` and auditctl's listing agree on this
/// set (LSM labels, `path`, `dir`, `key`, `exe`).
pub fn is_string_field(f: u32) -> bool {
    (field::SUBJ_USER..=field::OBJ_LEV_HIGH).contains(&f) && f != field::PPID
        || matches!(f, field::WATCH | field::DIR | field::FILTERKEY | field::EXE)
}

/// `AUDIT_ARCH_X86_64`.
pub const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
/// `AUDIT_ARCH_I386`.
pub const AUDIT_ARCH_I386: u32 = 0x4000_0003;
/// `AUDIT_ARCH_AARCH64`.
pub const AUDIT_ARCH_AARCH64: u32 = 0xc000_00b7;
/// `AUDIT_ARCH_ARM`.
pub const AUDIT_ARCH_ARM: u32 = 0x4000_0028;
/// `AUDIT_ARCH_PPC64`.
pub const AUDIT_ARCH_PPC64: u32 = 0x8000_0015;
/// `AUDIT_ARCH_PPC64LE`.
pub const AUDIT_ARCH_PPC64LE: u32 = 0xc000_0015;
/// `AUDIT_ARCH_PPC`.
pub const AUDIT_ARCH_PPC: u32 = 0x0000_0014;
/// `AUDIT_ARCH_S390X`.
pub const AUDIT_ARCH_S390X: u32 = 0x8000_0016;
/// `AUDIT_ARCH_S390`.
pub const AUDIT_ARCH_S390: u32 = 0x0000_0016;
