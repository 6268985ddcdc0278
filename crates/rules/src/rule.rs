//! The rule model: one kernel rule (`struct audit_rule_data`) with typed
//! list, action, operators and values. Lossless for what the kernel sends:
//! a decoded rule encodes back to the same bytes (unused field slots and
//! netlink padding aside, see [`Rule::from_bytes`]).

use crate::kernel::{self, *};

/// A filter list (`flags & AUDIT_FILTER_MASK`, plus unknown values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterList {
    /// `user` (0): user-space messages.
    User,
    /// `task` (1): at fork/clone.
    Task,
    /// `entry` (2): obsolete syscall entry list.
    Entry,
    /// `watch` (3): obsolete.
    Watch,
    /// `exit` (4): at syscall exit.
    Exit,
    /// `exclude` (5): record-type exclusion.
    Exclude,
    /// `filesystem` (6).
    Filesystem,
    /// `io_uring` (7): io_uring op exit.
    IoUring,
    /// Any other value of `flags` (without the prepend bit).
    Unknown(u32),
}

impl FilterList {
    /// From the kernel's `flags` with `AUDIT_FILTER_PREPEND` removed.
    pub fn from_raw(v: u32) -> Self {
        match v {
            AUDIT_FILTER_USER => Self::User,
            AUDIT_FILTER_TASK => Self::Task,
            AUDIT_FILTER_ENTRY => Self::Entry,
            AUDIT_FILTER_WATCH => Self::Watch,
            AUDIT_FILTER_EXIT => Self::Exit,
            AUDIT_FILTER_EXCLUDE => Self::Exclude,
            AUDIT_FILTER_FS => Self::Filesystem,
            AUDIT_FILTER_URING_EXIT => Self::IoUring,
            v => Self::Unknown(v),
        }
    }

    /// The kernel value.
    pub fn raw(self) -> u32 {
        match self {
            Self::User => AUDIT_FILTER_USER,
            Self::Task => AUDIT_FILTER_TASK,
            Self::Entry => AUDIT_FILTER_ENTRY,
            Self::Watch => AUDIT_FILTER_WATCH,
            Self::Exit => AUDIT_FILTER_EXIT,
            Self::Exclude => AUDIT_FILTER_EXCLUDE,
            Self::Filesystem => AUDIT_FILTER_FS,
            Self::IoUring => AUDIT_FILTER_URING_EXIT,
            Self::Unknown(v) => v,
        }
    }

    /// The name auditctl 3.0.9 prints (`audit_flag_to_name`); `io_uring`
    /// is ours (3.0.9 does not know it). `None` for other values.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Self::User => Some("user"),
            Self::Task => Some("task"),
            Self::Exit => Some("exit"),
            Self::Exclude => Some("exclude"),
            Self::Filesystem => Some("filesystem"),
            Self::IoUring => Some("io_uring"),
            _ => None,
        }
    }
}

/// A rule action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// `never` (0).
    Never,
    /// `possible` (1), deprecated: auditctl refuses it.
    Possible,
    /// `always` (2).
    Always,
    /// Any other value.
    Unknown(u32),
}

impl Action {
    /// From the kernel value.
    pub fn from_raw(v: u32) -> Self {
        match v {
            AUDIT_NEVER => Self::Never,
            AUDIT_POSSIBLE => Self::Possible,
            AUDIT_ALWAYS => Self::Always,
            v => Self::Unknown(v),
        }
    }

    /// The kernel value.
    pub fn raw(self) -> u32 {
        match self {
            Self::Never => AUDIT_NEVER,
            Self::Possible => AUDIT_POSSIBLE,
            Self::Always => AUDIT_ALWAYS,
            Self::Unknown(v) => v,
        }
    }

    /// The name auditctl prints (`audit_action_to_name`).
    pub fn name(self) -> Option<&'static str> {
        match self {
            Self::Never => Some("never"),
            Self::Possible => Some("possible"),
            Self::Always => Some("always"),
            Self::Unknown(_) => None,
        }
    }
}

/// A field operator (`fieldflags`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `<`
    LessThan,
    /// `>`
    GreaterThan,
    /// `<=`
    LessOrEqual,
    /// `>=`
    GreaterOrEqual,
    /// `&`
    BitMask,
    /// `&=`
    BitTest,
    /// Any other `fieldflags` value (kept as is).
    Unknown(u32),
}

impl Operator {
    /// From a `fieldflags` value. Bits outside `AUDIT_OPERATORS` make it
    /// [`Operator::Unknown`] so that encoding gives the same bytes back.
    pub fn from_raw(v: u32) -> Self {
        match v {
            AUDIT_EQUAL => Self::Equal,
            AUDIT_NOT_EQUAL => Self::NotEqual,
            AUDIT_LESS_THAN => Self::LessThan,
            AUDIT_GREATER_THAN => Self::GreaterThan,
            AUDIT_LESS_THAN_OR_EQUAL => Self::LessOrEqual,
            AUDIT_GREATER_THAN_OR_EQUAL => Self::GreaterOrEqual,
            AUDIT_BIT_MASK => Self::BitMask,
            AUDIT_BIT_TEST => Self::BitTest,
            v => Self::Unknown(v),
        }
    }

    /// The kernel value.
    pub fn raw(self) -> u32 {
        match self {
            Self::Equal => AUDIT_EQUAL,
            Self::NotEqual => AUDIT_NOT_EQUAL,
            Self::LessThan => AUDIT_LESS_THAN,
            Self::GreaterThan => AUDIT_GREATER_THAN,
            Self::LessOrEqual => AUDIT_LESS_THAN_OR_EQUAL,
            Self::GreaterOrEqual => AUDIT_GREATER_THAN_OR_EQUAL,
            Self::BitMask => AUDIT_BIT_MASK,
            Self::BitTest => AUDIT_BIT_TEST,
            Self::Unknown(v) => v,
        }
    }

    /// The symbol auditctl prints for `fieldflags & AUDIT_OPERATORS`
    /// (`audit_operator_to_symbol`); `None` when that is not an operator.
    pub fn symbol_of(raw: u32) -> Option<&'static str> {
        match raw & AUDIT_OPERATORS {
            AUDIT_EQUAL => Some("="),
            AUDIT_NOT_EQUAL => Some("!="),
            AUDIT_LESS_THAN => Some("<"),
            AUDIT_GREATER_THAN => Some(">"),
            AUDIT_LESS_THAN_OR_EQUAL => Some("<="),
            AUDIT_GREATER_THAN_OR_EQUAL => Some(">="),
            AUDIT_BIT_MASK => Some("&"),
            AUDIT_BIT_TEST => Some("&="),
            _ => None,
        }
    }

    /// This operator's symbol (see [`Operator::symbol_of`]).
    pub fn symbol(self) -> Option<&'static str> {
        Self::symbol_of(self.raw())
    }
}

/// A field value: a number, or a string stored in the rule's `buf`
/// (whose length is the field's `values[i]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// `values[i]` itself.
    Num(u32),
    /// Bytes in `buf`; `values[i]` is their length.
    Str(Vec<u8>),
}

/// One field of a rule: `fields[i]`, `fieldflags[i]`, `values[i]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    /// The field number (`AUDIT_UID`, ... see [`crate::kernel::field`]).
    pub id: u32,
    /// The operator.
    pub op: Operator,
    /// The value.
    pub value: Value,
}

impl Field {
    /// A numeric field.
    pub fn num(id: u32, op: Operator, v: u32) -> Self {
        Field {
            id,
            op,
            value: Value::Num(v),
        }
    }

    /// A string field.
    pub fn string(id: u32, op: Operator, s: impl Into<Vec<u8>>) -> Self {
        Field {
            id,
            op,
            value: Value::Str(s.into()),
        }
    }

    /// The numeric value, or the string length for a string field (what
    /// the kernel stores in `values[i]`).
    pub fn raw_value(&self) -> u32 {
        match &self.value {
            Value::Num(n) => *n,
            Value::Str(s) => s.len() as u32,
        }
    }
}

/// One audit rule, as the kernel stores it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    /// The filter list.
    pub list: FilterList,
    /// `AUDIT_FILTER_PREPEND` (`-A`): insert at the front of the list.
    pub prepend: bool,
    /// The action.
    pub action: Action,
    /// The syscall bitmask (`mask[64]`): bit `n % 32` of word `n / 32` is
    /// syscall `n`.
    pub mask: [u32; AUDIT_BITMASK_SIZE],
    /// The fields, in order (at most 64).
    pub fields: Vec<Field>,
}

impl Rule {
    /// An empty rule on `list` with `action` and no syscalls.
    pub fn new(list: FilterList, action: Action) -> Self {
        Rule {
            list,
            prepend: false,
            action,
            mask: [0; AUDIT_BITMASK_SIZE],
            fields: Vec::new(),
        }
    }

    /// The kernel's `flags` word.
    pub fn flags(&self) -> u32 {
        self.list.raw()
            | if self.prepend {
                AUDIT_FILTER_PREPEND
            } else {
                0
            }
    }

    /// Set the bit of syscall `nr`; false if `nr` does not fit the mask.
    pub fn add_syscall(&mut self, nr: u32) -> bool {
        let word = (nr / 32) as usize;
        if word >= AUDIT_BITMASK_SIZE {
            return false;
        }
        self.mask[word] |= 1 << (nr % 32);
        true
    }

    /// Set every syscall bit (`-S all`).
    pub fn add_all_syscalls(&mut self) {
        self.mask = [u32::MAX; AUDIT_BITMASK_SIZE];
    }

    /// Whether syscall `nr` is in the mask.
    pub fn has_syscall(&self, nr: u32) -> bool {
        let word = (nr / 32) as usize;
        word < AUDIT_BITMASK_SIZE && self.mask[word] & (1 << (nr % 32)) != 0
    }

    /// The rule as the kernel lists it back after adding it: the prepend
    /// flag is dropped (`audit_add_rule` clears it once the rule is
    /// inserted), and the kernel turns the top 16 bits of the mask (syscall classes,
    /// `AUDIT_SYSCALL_CLASSES`) into the class's syscalls and clears them
    /// (`audit_to_entry_common` in kernel/auditfilter.c). Only the clearing
    /// is modelled; the class expansion matters only for rules that set
    /// those bits without already having every syscall.
    pub fn as_listed_by_kernel(&self) -> Rule {
        let mut r = self.clone();
        r.prepend = false;
        r.mask[AUDIT_BITMASK_SIZE - 1] &= 0x0000_ffff;
        r
    }

    /// The keys of this rule (its `key` fields split at 0x01, empty parts
    /// dropped, as auditctl lists them).
    pub fn keys(&self) -> Vec<&[u8]> {
        let mut out = Vec::new();
        for f in &self.fields {
            if f.id == kernel::field::FILTERKEY {
                if let Value::Str(s) = &f.value {
                    out.extend(
                        s.split(|&b| b == AUDIT_KEY_SEPARATOR)
                            .filter(|k| !k.is_empty()),
                    );
                }
            }
        }
        out
    }

    /// auditctl's `key_match` for `-l -k KEY` and `-D -k KEY`: true when
    /// `key` is empty or is a substring of one of the rule's key fields
    /// (the whole field, separators included, up to its first NUL).
    pub fn key_matches(&self, key: &[u8]) -> bool {
        if key.is_empty() {
            return true;
        }
        self.fields
            .iter()
            .any(|f| match (&f.value, f.id & !AUDIT_OPERATORS) {
                (Value::Str(s), kernel::field::FILTERKEY) => {
                    let s = until_nul(s);
                    s.windows(key.len()).any(|w| w == key)
                }
                _ => false,
            })
    }
}

/// The prefix of `s` before its first NUL byte (C string semantics).
pub(crate) fn until_nul(s: &[u8]) -> &[u8] {
    match memchr::memchr(0, s) {
        Some(i) => &s[..i],
        None => s,
    }
}
