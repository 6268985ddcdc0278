//! Building one rule the way libaudit 3.0.9 does: `-F` pairs
//! (`audit_rule_fieldpair_data`), `-C` comparisons
//! (`audit_rule_interfield_comp_data`), syscalls
//! (`audit_rule_syscallbyname_data`), watches (`audit_add_watch_dir`) and
//! watch permissions (`audit_update_watch_perms`).

use crate::error::{FieldErrorKind, FieldErrorKind as K, RuleError};
use crate::host::Host;
use crate::kernel::{field as f, *};
use crate::number::{l32, starts_digit, starts_neg_digit, strtol, strtoul, ul32};
use crate::rule::{Action, Field, FilterList, Operator, Rule, Value};

/// Why a syscall name was refused (libaudit's -1 and -2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SyscallError {
    /// -1: unknown name or number beyond the mask.
    Unknown,
    /// -2: no table for the machine.
    Machine,
}

/// The rule under construction and libaudit's global flags for it.
pub(crate) struct Builder<'h> {
    pub host: &'h dyn Host,
    pub rule: Rule,
    /// `_audit_syscalladded`
    pub syscall_added: bool,
    /// `_audit_permadded`
    pub perm_added: bool,
    /// `_audit_exeadded`
    pub exe_added: bool,
    /// `_audit_filterfsadded`
    pub filterfs_added: bool,
    /// `_audit_elf`
    pub elf: u32,
}

pub(crate) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ferr(kind: FieldErrorKind, subject: &[u8]) -> RuleError {
    RuleError::Field {
        kind,
        subject: lossy(subject),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn as_str(b: &[u8]) -> Option<&str> {
    std::str::from_utf8(b).ok()
}

/// The machine libaudit's `audit_elf_to_machine` finds for an arch value.
pub(crate) fn elf_known(elf: u32) -> bool {
    audit_tables::arch_name(elf).is_some()
}

/// libaudit's `audit_name_to_field` (3.0.9 table, case-insensitive).
pub(crate) fn field_number(name: &[u8]) -> Option<u32> {
    audit_tables::field::number(as_str(name)?)
}

const PAIR_OPS: [(&[u8], Operator); 8] = [
    (b"!=", Operator::NotEqual),
    (b">=", Operator::GreaterOrEqual),
    (b"<=", Operator::LessOrEqual),
    (b"&=", Operator::BitTest),
    (b"=", Operator::Equal),
    (b">", Operator::GreaterThan),
    (b"<", Operator::LessThan),
    (b"&", Operator::BitMask),
];

impl<'h> Builder<'h> {
    pub(crate) fn new(host: &'h dyn Host) -> Self {
        Builder {
            host,
            rule: Rule::new(FilterList::User, Action::Never),
            syscall_added: false,
            perm_added: false,
            exe_added: false,
            filterfs_added: false,
            elf: 0,
        }
    }

    fn perm_bits(v: &[u8]) -> Option<u32> {
        let mut val = 0;
        for c in v {
            val |= match c.to_ascii_lowercase() {
                b'r' => AUDIT_PERM_READ,
                b'w' => AUDIT_PERM_WRITE,
                b'x' => AUDIT_PERM_EXEC,
                b'a' => AUDIT_PERM_ATTR,
                _ => return None,
            };
        }
        Some(val)
    }

    /// `-F NAME OP VALUE` on list `flags` (`add & AUDIT_FILTER_MASK`, or
    /// `AUDIT_FILTER_UNSET`).
    pub(crate) fn fieldpair(&mut self, pair: &[u8], flags: u32) -> Result<(), RuleError> {
        if self.rule.fields.len() >= AUDIT_MAX_FIELDS - 1 {
            return Err(ferr(K::TooManyFields, pair));
        }
        let Some((pos, sym, op)) = PAIR_OPS
            .iter()
            .find_map(|(s, op)| find(pair, s).map(|p| (p, s.len(), *op)))
        else {
            return Err(ferr(K::OpMissing, pair));
        };
        let name = &pair[..pos];
        let v = &pair[pos + sym..];
        if name.is_empty() {
            return Err(ferr(K::NameMissing, name));
        }
        if v.is_empty() {
            return Err(ferr(K::ValueMissing, name));
        }
        let field = field_number(name).ok_or_else(|| ferr(K::FieldUnknown, name))?;
        let features = self.host.kernel_features();
        if flags == AUDIT_FILTER_EXCLUDE {
            if features & AUDIT_FEATURE_BITMAP_EXCLUDE_EXTEND == 0 {
                if field != f::MSGTYPE {
                    return Err(ferr(K::NotSupported, name));
                }
            } else if !matches!(
                field,
                f::PID
                    | f::UID
                    | f::GID
                    | f::LOGINUID
                    | f::MSGTYPE
                    | f::SUBJ_USER
                    | f::SUBJ_ROLE
                    | f::SUBJ_TYPE
                    | f::SUBJ_SEN
                    | f::SUBJ_CLR
                    | f::EXE
            ) {
                return Err(ferr(K::MsgtypeCredExclude, name));
            }
        }
        if flags == AUDIT_FILTER_FS && features & AUDIT_FEATURE_BITMAP_FILTER_FS == 0 {
            return Err(ferr(K::FilterNotSupported, name));
        }
        let exit_only = |k| {
            if flags != AUDIT_FILTER_EXIT {
                Err(ferr(k, name))
            } else {
                Ok(())
            }
        };
        let eq_ne = || {
            if matches!(op, Operator::Equal | Operator::NotEqual) {
                Ok(())
            } else {
                Err(ferr(K::OpEqNotEq, name))
            }
        };
        let value: Value = match field {
            f::UID | f::EUID | f::SUID | f::FSUID | f::LOGINUID | f::OBJ_UID => {
                Value::Num(if starts_digit(v) {
                    ul32(v)
                } else if starts_neg_digit(v) {
                    l32(v)
                } else if v == b"unset" {
                    u32::MAX
                } else {
                    self.host
                        .user_id(v)
                        .ok_or_else(|| ferr(K::UnknownUser, v))?
                })
            }
            f::GID | f::EGID | f::SGID | f::FSGID | f::OBJ_GID => Value::Num(if starts_digit(v) {
                l32(v)
            } else {
                self.host
                    .group_id(v)
                    .ok_or_else(|| ferr(K::UnknownGroup, v))?
            }),
            f::EXIT => {
                exit_only(K::ExitOnly)?;
                Value::Num(if starts_digit(v) || starts_neg_digit(v) {
                    l32(v)
                } else {
                    let (minus, n) = match v.strip_prefix(b"-") {
                        Some(rest) => (true, rest),
                        None => (false, v),
                    };
                    let e = as_str(n).and_then(audit_tables::errno::number).unwrap_or(0);
                    if e == 0 {
                        return Err(ferr(K::ErrnoUnknown, name));
                    }
                    (if minus { -e } else { e }) as u32
                })
            }
            f::MSGTYPE => {
                if flags != AUDIT_FILTER_EXCLUDE && flags != AUDIT_FILTER_USER {
                    return Err(ferr(K::MsgtypeExcludeUser, name));
                }
                Value::Num(if starts_digit(v) {
                    l32(v)
                } else {
                    let t = msgtype_number(v);
                    if t <= 0 {
                        return Err(ferr(K::MsgtypeUnknown, name));
                    }
                    t as u32
                })
            }
            f::OBJ_USER
            | f::OBJ_ROLE
            | f::OBJ_TYPE
            | f::OBJ_LEV_LOW
            | f::OBJ_LEV_HIGH
            | f::WATCH
            | f::DIR
            | f::SUBJ_USER
            | f::SUBJ_ROLE
            | f::SUBJ_TYPE
            | f::SUBJ_SEN
            | f::SUBJ_CLR
            | f::FILTERKEY
            | f::EXE => {
                if matches!(
                    field,
                    f::OBJ_USER | f::OBJ_ROLE | f::OBJ_TYPE | f::OBJ_LEV_LOW | f::OBJ_LEV_HIGH
                ) || field == f::WATCH
                    || field == f::DIR
                {
                    exit_only(K::ExitOnly)?;
                    if field == f::WATCH || field == f::DIR {
                        self.perm_added = true;
                    }
                }
                if field == f::EXE {
                    if features & AUDIT_FEATURE_BITMAP_EXECUTABLE_PATH == 0 {
                        return Err(ferr(K::NotSupported, name));
                    }
                    eq_ne()?;
                    self.exe_added = true;
                }
                if field == f::FILTERKEY
                    && !(self.syscall_added
                        || self.perm_added
                        || self.exe_added
                        || self.filterfs_added)
                {
                    return Err(ferr(K::KeyDep, name));
                }
                if (field == f::FILTERKEY && v.len() > AUDIT_MAX_KEY_LEN) || v.len() > PATH_MAX {
                    return Err(ferr(K::StrTooLong, name));
                }
                Value::Str(v.to_vec())
            }
            f::ARCH => {
                if self.syscall_added {
                    return Err(ferr(K::ArchMisplaced, name));
                }
                eq_ne()?;
                if starts_digit(v) {
                    let c = strtoul(v, 0);
                    if c.overflow || !elf_known(c.value as u32) {
                        return Err(ferr(K::ElfUnknown, name));
                    }
                    self.elf = c.value as u32;
                } else {
                    self.elf = self
                        .determine_machine(v)
                        .ok_or_else(|| ferr(K::ElfUnknown, name))?;
                }
                Value::Num(self.elf)
            }
            f::PERM => {
                exit_only(K::ExitOnly)?;
                if op != Operator::Equal {
                    return Err(ferr(K::OpEq, name));
                }
                if v.len() > 4 {
                    return Err(ferr(K::StrTooLong, name));
                }
                Value::Num(Self::perm_bits(v).ok_or_else(|| ferr(K::PermRwxa, name))?)
            }
            f::FILETYPE => {
                exit_only(K::ExitOnly)?;
                let t = as_str(v).and_then(audit_tables::ftype::value);
                Value::Num(t.ok_or_else(|| ferr(K::FiletypeUnknown, name))?)
            }
            f::FSTYPE => {
                if flags != AUDIT_FILTER_FS {
                    return Err(ferr(K::Unavailable, name));
                }
                eq_ne()?;
                let t = if starts_digit(v) {
                    ul32(v)
                } else {
                    as_str(v)
                        .and_then(audit_tables::fstype::value)
                        .unwrap_or(u32::MAX)
                };
                if t == u32::MAX {
                    return Err(ferr(K::FstypeUnknown, name));
                }
                self.filterfs_added = true;
                Value::Num(t)
            }
            f::ARG0..=f::ARG3 => Value::Num(if starts_digit(v) {
                ul32(v)
            } else if starts_neg_digit(v) {
                l32(v)
            } else {
                return Err(ferr(K::ValueNotNumber, name));
            }),
            f::SESSIONID => {
                if features & AUDIT_FEATURE_BITMAP_SESSIONID_FILTER == 0 {
                    return Err(ferr(K::NotSupported, name));
                }
                if !matches!(
                    flags,
                    AUDIT_FILTER_EXCLUDE | AUDIT_FILTER_USER | AUDIT_FILTER_EXIT
                ) {
                    return Err(ferr(K::NoFilter, name));
                }
                // libaudit leaves the value 0 for anything else.
                Value::Num(if starts_digit(v) {
                    ul32(v)
                } else if starts_neg_digit(v) {
                    l32(v)
                } else if v == b"unset" {
                    u32::MAX
                } else {
                    0
                })
            }
            f::SADDR_FAM => {
                let n = ul32(v);
                if n >= AF_MAX {
                    return Err(ferr(K::ValueTooBig, name));
                }
                Value::Num(n)
            }
            _ => {
                if matches!(field, f::DEVMAJOR | f::DEVMINOR | f::INODE | f::SUCCESS) {
                    exit_only(K::ExitOnly)?;
                }
                if field == f::INODE {
                    eq_ne()?;
                }
                if field == f::PPID && flags != AUDIT_FILTER_EXIT {
                    return Err(ferr(K::ExitOnly, name));
                }
                if !starts_digit(v) {
                    return Err(ferr(K::ValueNotNumber, name));
                }
                Value::Num(if field == f::INODE { ul32(v) } else { l32(v) })
            }
        };
        self.rule.fields.push(Field {
            id: field,
            op,
            value,
        });
        Ok(())
    }

    /// libaudit's `audit_determine_machine` then `audit_machine_to_elf`:
    /// `b64`, `b32`, a machine name, or a hex `AUDIT_ARCH_*` value.
    fn determine_machine(&self, arch: &[u8]) -> Option<u32> {
        let host = self.host.machine_arch();
        if arch.eq_ignore_ascii_case(b"b64") {
            return bits_arch(true, host?);
        }
        if arch.eq_ignore_ascii_case(b"b32") {
            return bits_arch(false, host?);
        }
        match as_str(arch).and_then(audit_tables::arch_from_name) {
            Some(elf) => Some(elf),
            None => {
                let c = strtoul(arch, 16);
                let elf = c.value as u32;
                (!c.overflow && elf_known(elf)).then_some(elf)
            }
        }
    }

    /// `-C NAME OP NAME` on list `flags`.
    pub(crate) fn interfield(&mut self, pair: &[u8], flags: u32) -> Result<(), RuleError> {
        if self.rule.fields.len() >= AUDIT_MAX_FIELDS - 1 {
            return Err(ferr(K::TooManyFields, pair));
        }
        let (pos, len, op) = if let Some(p) = find(pair, b"!=") {
            (p, 2, Operator::NotEqual)
        } else if let Some(p) = find(pair, b"=") {
            (p, 1, Operator::Equal)
        } else {
            return Err(ferr(K::OpEqNotEq, pair));
        };
        let a = &pair[..pos];
        let b = &pair[pos + len..];
        if a.is_empty() {
            return Err(ferr(K::CompNameMissing, a));
        }
        if b.is_empty() {
            return Err(ferr(K::CompValueMissing, a));
        }
        let f1 = field_number(a).ok_or_else(|| ferr(K::CompFieldUnknown, a))?;
        let f2 = field_number(b).ok_or_else(|| ferr(K::CompValueUnknown, a))?;
        if flags != AUDIT_FILTER_EXIT {
            return Err(ferr(K::ExitOnly, a));
        }
        let v =
            crate::compare::compare_value(f1, f2).ok_or_else(|| ferr(K::CompIncompatible, a))?;
        self.rule.fields.push(Field::num(f::FIELD_COMPARE, op, v));
        Ok(())
    }

    /// `audit_rule_syscallbyname_data` into `mask` with arch `elf` (0: the
    /// host's machine).
    pub(crate) fn syscall_into(
        host: &dyn Host,
        mask: &mut [u32; AUDIT_BITMASK_SIZE],
        elf: u32,
        name: &[u8],
    ) -> Result<(), SyscallError> {
        if name == b"all" {
            *mask = [u32::MAX; AUDIT_BITMASK_SIZE];
            return Ok(());
        }
        let arch = if elf == 0 {
            host.machine_arch()
        } else {
            Some(elf)
        };
        let Some(arch) = arch.filter(|&a| elf_known(a)) else {
            return Err(SyscallError::Machine);
        };
        let mut nr: i64 = as_str(name)
            .and_then(|n| audit_tables::syscall::number(arch, n))
            .map_or(-1, i64::from);
        if nr < 0 && starts_digit(name) {
            // `int nr = strtol(...)`: truncated to int.
            nr = i64::from(strtol(name, 0).value as i32);
        }
        if nr < 0 {
            return Err(SyscallError::Unknown);
        }
        let word = (nr / 32) as usize;
        if word >= AUDIT_BITMASK_SIZE {
            return Err(SyscallError::Unknown);
        }
        mask[word] |= 1 << (nr % 32);
        Ok(())
    }

    /// auditctl 3.1's `audit_rule_uringopbyname_data`: `-S` on the io_uring
    /// list names io_uring ops (`all`, a name of the ops the kernel audits,
    /// or a number, `strtol` base 0), whatever the arch.
    pub(crate) fn io_uring_op(&mut self, name: &[u8]) -> Result<(), SyscallError> {
        if name == b"all" {
            self.rule.mask = [u32::MAX; AUDIT_BITMASK_SIZE];
            return Ok(());
        }
        let lower = name.to_ascii_lowercase();
        let mut nr: i64 = audit_tables::argnames::io_uring_op_number(&lower).map_or(-1, i64::from);
        if nr < 0 && starts_digit(name) {
            nr = i64::from(strtol(name, 0).value as i32);
        }
        if nr < 0 || (nr / 32) as usize >= AUDIT_BITMASK_SIZE {
            return Err(SyscallError::Unknown);
        }
        self.rule.mask[(nr / 32) as usize] |= 1 << (nr % 32);
        Ok(())
    }

    /// `audit_rule_syscallbyname_data(rule_new, name)` with the current arch.
    pub(crate) fn syscall(&mut self, name: &[u8]) -> Result<(), SyscallError> {
        Self::syscall_into(self.host, &mut self.rule.mask, self.elf, name)
    }

    /// `audit_add_watch_dir`: the rule becomes a watch on `path`.
    pub(crate) fn watch(&mut self, is_dir: bool, path: &[u8]) -> Result<(), RuleError> {
        if !self.rule.fields.is_empty() {
            return Err(RuleError::WatchRuleNotEmpty);
        }
        let mut r = Rule::new(FilterList::Exit, Action::Always);
        r.add_all_syscalls();
        r.fields.push(Field::string(
            if is_dir { f::DIR } else { f::WATCH },
            Operator::Equal,
            path,
        ));
        r.fields.push(Field::num(
            f::PERM,
            Operator::Equal,
            AUDIT_PERM_READ | AUDIT_PERM_WRITE | AUDIT_PERM_EXEC | AUDIT_PERM_ATTR,
        ));
        self.rule = r;
        self.perm_added = true;
        Ok(())
    }

    /// auditctl's `audit_setup_perms` (`-p rwxa`).
    pub(crate) fn perms(&mut self, opt: &[u8]) -> Result<(), RuleError> {
        if opt.len() > 4 {
            return Err(RuleError::PermTooLong { perm: lossy(opt) });
        }
        let mut val = 0;
        for &c in opt {
            val |= Self::perm_bits(&[c]).ok_or(RuleError::PermLetter { letter: c as char })?;
        }
        if self.rule.fields.is_empty() {
            return Err(RuleError::PermNeedsFields);
        }
        let mut done = false;
        for fl in self.rule.fields.iter_mut().filter(|fl| fl.id == f::PERM) {
            fl.value = Value::Num(val);
            done = true;
        }
        if !done {
            if self.rule.fields.len() >= AUDIT_MAX_FIELDS - 1 {
                return Err(RuleError::PermTooManyFields);
            }
            self.rule
                .fields
                .push(Field::num(f::PERM, Operator::Equal, val));
        }
        self.perm_added = true;
        Ok(())
    }
}

/// `b64`/`b32` on a host (libaudit 3.0.9 `audit_determine_machine`): b32
/// maps x86_64, ppc64, s390x and aarch64 to their 32-bit ABI; 32-bit hosts
/// refuse b64; ppc64le refuses b32 ("64 bit only"). Kept here rather than
/// `audit_tables::arch_from_bits`, which answers ppc64le for b32 there.
pub(crate) fn bits_arch(b64: bool, host: u32) -> Option<u32> {
    let m = match (b64, host) {
        (false, AUDIT_ARCH_X86_64) => AUDIT_ARCH_I386,
        (false, AUDIT_ARCH_PPC64) => AUDIT_ARCH_PPC,
        (false, AUDIT_ARCH_S390X) => AUDIT_ARCH_S390,
        (false, AUDIT_ARCH_AARCH64) => AUDIT_ARCH_ARM,
        (_, m) => m,
    };
    match m {
        AUDIT_ARCH_I386 | AUDIT_ARCH_PPC | AUDIT_ARCH_S390 | AUDIT_ARCH_ARM if b64 => None,
        AUDIT_ARCH_PPC64LE if !b64 => None,
        m if elf_known(m) => Some(m),
        _ => None,
    }
}

/// libaudit's `audit_name_to_msg_type`: a name (case-insensitive),
/// `UNKNOWN[n]`, or digits (`strtol`); -1 when none applies.
pub(crate) fn msgtype_number(v: &[u8]) -> i64 {
    if let Some(t) = as_str(v).and_then(audit_tables::msgtype::number) {
        return i64::from(t);
    }
    if let Some(rest) = v.strip_prefix(b"UNKNOWN[") {
        let Some(end) = rest.iter().position(|&c| c == b']') else {
            return -1;
        };
        let digits = &rest[..end.min(7)];
        return i64::from(strtol(digits, 10).value as i32);
    }
    if starts_digit(v) {
        return i64::from(strtol(v, 10).value as i32);
    }
    -1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_as_libaudit() {
        assert_eq!(bits_arch(false, AUDIT_ARCH_X86_64), Some(AUDIT_ARCH_I386));
        assert_eq!(bits_arch(true, AUDIT_ARCH_X86_64), Some(AUDIT_ARCH_X86_64));
        assert_eq!(bits_arch(false, AUDIT_ARCH_AARCH64), Some(AUDIT_ARCH_ARM));
        assert_eq!(
            bits_arch(true, AUDIT_ARCH_AARCH64),
            Some(AUDIT_ARCH_AARCH64)
        );
        assert_eq!(bits_arch(false, AUDIT_ARCH_PPC64LE), None);
        assert_eq!(
            bits_arch(true, AUDIT_ARCH_PPC64LE),
            Some(AUDIT_ARCH_PPC64LE)
        );
        assert_eq!(bits_arch(true, AUDIT_ARCH_I386), None);
        assert_eq!(bits_arch(false, AUDIT_ARCH_I386), Some(AUDIT_ARCH_I386));
        assert_eq!(bits_arch(true, AUDIT_ARCH_ARM), None);
        assert_eq!(bits_arch(false, AUDIT_ARCH_S390X), Some(AUDIT_ARCH_S390));
        assert_eq!(bits_arch(true, 0x1234), None);
    }

    #[test]
    fn msgtype_names_as_libaudit() {
        assert_eq!(msgtype_number(b"syscall"), 1300);
        assert_eq!(msgtype_number(b"UNKNOWN[1234]"), 1234);
        assert_eq!(msgtype_number(b"UNKNOWN[12345678]"), 1234567);
        assert_eq!(msgtype_number(b"UNKNOWN[12"), -1);
        assert_eq!(msgtype_number(b"nosuch"), -1);
    }
}
