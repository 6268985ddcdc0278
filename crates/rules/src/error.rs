//! The crate's error type. Messages follow auditctl 3.0.9's wording (so the
//! ctl front end can print them as auditctl does) and name the offending
//! token.

use thiserror::Error;

/// Why a `-F`/`-C` pair was refused: libaudit's `EAU_*` codes plus the two
/// name lookups it reports itself. See [`RuleError::Field`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// `EAU_OPMISSING`: no operator.
    OpMissing,
    /// `EAU_FIELDUNKNOWN`.
    FieldUnknown,
    /// `EAU_ARCHMISPLACED`: `arch` after `-S`.
    ArchMisplaced,
    /// `EAU_ELFUNKNOWN`: arch not known (or bits not supported).
    ElfUnknown,
    /// `EAU_EXITONLY`.
    ExitOnly,
    /// `EAU_MSGTYPEUNKNOWN`.
    MsgtypeUnknown,
    /// `EAU_MSGTYPEEXCLUDEUSER`.
    MsgtypeExcludeUser,
    /// `EAU_STRTOOLONG`.
    StrTooLong,
    /// `EAU_MSGTYPECREDEXCLUDE`: field not allowed on the exclude list.
    MsgtypeCredExclude,
    /// `EAU_OPEQNOTEQ`.
    OpEqNotEq,
    /// `EAU_PERMRWXA`.
    PermRwxa,
    /// `EAU_ERRUNKNOWN`: unknown errno name.
    ErrnoUnknown,
    /// `EAU_FILETYPEUNKNOWN`.
    FiletypeUnknown,
    /// `EAU_KEYDEP`.
    KeyDep,
    /// `EAU_FIELDVALMISSING`.
    ValueMissing,
    /// `EAU_FIELDVALNUM`.
    ValueNotNumber,
    /// `EAU_FIELDNAME`.
    NameMissing,
    /// `EAU_COMPFIELDNAME`.
    CompNameMissing,
    /// `EAU_COMPVAL`.
    CompValueMissing,
    /// `EAU_COMPFIELDUNKNOWN`.
    CompFieldUnknown,
    /// `EAU_COMPVALUNKNOWN`.
    CompValueUnknown,
    /// `EAU_FIELDTOOMANY`: the rule already has 63 fields.
    TooManyFields,
    /// `EAU_OPEQ`.
    OpEq,
    /// `EAU_FIELDNOSUPPORT`: the kernel lacks the feature.
    NotSupported,
    /// `EAU_FIELDNOFILTER`.
    NoFilter,
    /// `EAU_COMPINCOMPAT`.
    CompIncompatible,
    /// `EAU_FIELDUNAVAIL`.
    Unavailable,
    /// `EAU_FILTERNOSUPPORT`.
    FilterNotSupported,
    /// `EAU_FSTYPEUNKNOWN`.
    FstypeUnknown,
    /// `EAU_FIELDVALTOOBIG`.
    ValueTooBig,
    /// `Unknown user: NAME`.
    UnknownUser,
    /// `Unknown group: NAME`.
    UnknownGroup,
}

impl FieldErrorKind {
    /// libaudit's message (`err_msgtab`), with the subject placed as
    /// `audit_number_to_errmsg` places it.
    pub fn message(self, subject: &str) -> String {
        use FieldErrorKind::*;
        let (pos, text) = match self {
            OpMissing => (2, "-F missing operation for"),
            FieldUnknown => (2, "-F unknown field:"),
            ArchMisplaced => (1, "must be before -S"),
            ElfUnknown => (1, "elf mapping not found"),
            ExitOnly => (1, "can only be used with exit filter list"),
            MsgtypeUnknown => (2, "-F unknown message type -"),
            MsgtypeExcludeUser => (
                0,
                "msgtype field can only be used with exclude or user filter list",
            ),
            StrTooLong => (0, "String value too long"),
            MsgtypeCredExclude => (
                0,
                "Only msgtype, *uid, *gid, pid, and subj* fields can be used with exclude filter",
            ),
            OpEqNotEq => (1, "only takes = or != operators"),
            PermRwxa => (0, "Permission can only contain  'rwxa'"),
            ErrnoUnknown => (2, "-F unknown errno -"),
            FiletypeUnknown => (2, "-F unknown file type - "),
            KeyDep => (
                0,
                "Key field needs a watch, syscall or exe path given prior to it",
            ),
            ValueMissing => (2, "-F missing value after operation for"),
            ValueNotNumber => (2, "-F value should be number for"),
            NameMissing => (2, "-F missing field name before operator for"),
            CompNameMissing => (2, "-C missing field name before operator for"),
            CompValueMissing => (2, "-C missing value after operation for "),
            CompFieldUnknown => (2, "-C unknown field:"),
            CompValueUnknown => (2, "-C unknown right hand value for comparison with:"),
            TooManyFields => (2, "Too many fields in rule:"),
            OpEq => (1, "only takes = operator"),
            NotSupported => (2, "Field option not supported by kernel:"),
            NoFilter => (1, "must be used with exclude, user, or exit filter"),
            CompIncompatible => (2, "-C incompatible comparison"),
            Unavailable => (1, "field is not valid for the filter"),
            FilterNotSupported => (1, "filter is not supported by the kernel"),
            FstypeUnknown => (2, "file system type is unknown for field:"),
            ValueTooBig => (2, "value is too large for field:"),
            UnknownUser => (2, "Unknown user:"),
            UnknownGroup => (2, "Unknown group:"),
        };
        match pos {
            0 => text.to_string(),
            1 => format!("{subject} {text}"),
            _ => format!("{text} {subject}"),
        }
    }
}

/// Every error of this crate.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuleError {
    // ---- command line / rule line ----
    /// An unknown option, or an option missing its argument.
    #[error("Option {option} is invalid")]
    InvalidOption {
        /// The argument auditctl names (`vars[optind - 1]`).
        option: String,
    },
    /// Nothing but operands (auditctl fails silently on such a line).
    #[error("no option given ({first})")]
    NoOption {
        /// The first word.
        first: String,
    },
    /// Operands left over after the options.
    #[error("parameter passed without an option given ({extra})")]
    ExtraParameter {
        /// The first operand left over.
        extra: String,
    },
    /// `-s` with other options.
    #[error("Too many options for status command")]
    StatusTooManyOptions,
    /// `-s` followed by something other than `-i`.
    #[error("Only -i option is allowed")]
    StatusOnlyInterpret,
    /// `-l` with more than `-k KEY` or `-i`.
    #[error("Wrong number of options for list request")]
    ListWrongCount,
    /// `-l` followed by something other than `-k KEY` or `-i`.
    #[error("Only -k or -i options are allowed")]
    ListOnlyKeyOrInterpret,
    /// `-D` with other options than `-k KEY`.
    #[error("Wrong number of options for Delete all request")]
    DeleteAllWrongCount,
    /// `-D` followed by something other than `-k KEY`.
    #[error("Only the -k option is allowed")]
    DeleteAllOnlyKey,
    /// `-e` value not 0, 1 or 2.
    #[error("Enable must be 0, 1, or 2 was {value}")]
    EnableValue {
        /// The value given.
        value: String,
    },
    /// `-f` value not 0, 1 or 2.
    #[error("Failure must be 0, 1, or 2 was {value}")]
    FailureValue {
        /// The value given.
        value: String,
    },
    /// `-r`, `-b` or `--backlog_wait_time` value not numeric.
    #[error("{what} must be a numeric value was {value}")]
    NotNumeric {
        /// `Rate`, `Backlog` or `Backlog_wait_time`.
        what: &'static str,
        /// The value given.
        value: String,
    },
    /// `-r`, `-b` or `--backlog_wait_time` value overflows.
    #[error("Error converting {what}")]
    Conversion {
        /// `rate`, `backlog` or `backlog_wait_time`.
        what: &'static str,
    },
    /// `-a`/`-A` naming the task list after `-S`.
    #[error("Syscall auditing requested for task list")]
    SyscallForTaskList,
    /// A second `-a`, `-A` or `-d`.
    #[error("Multiple rule insert/delete operations are not allowed")]
    MultipleRules,
    /// `-a`/`-A`/`-d` with a bad `list,action`.
    #[error("{verb} rule - bad keyword {arg}")]
    BadKeyword {
        /// `Append`, `Add` or `Delete`.
        verb: &'static str,
        /// The argument.
        arg: String,
    },
    /// `-S` on a list that takes no syscalls.
    #[error("Error: syscall auditing being added to {list} list")]
    SyscallOnList {
        /// `task`, `user`, `filesystem` or `io_uring`.
        list: &'static str,
    },
    /// `-S` on the exclude list.
    #[error("Error: syscall auditing cannot be put on exclude list")]
    SyscallOnExclude,
    /// `-S` or `b32`/`b64` on a host whose machine libaudit does not know.
    #[error("Error detecting machine type")]
    UnknownMachine,
    /// `-S` with a name unknown for the arch (or a number beyond 2047).
    #[error("Syscall name unknown: {name}")]
    UnknownSyscall {
        /// The name.
        name: String,
    },
    /// `-S` on the io_uring list with a name that is not an audited io_uring
    /// op (auditctl 3.1's table) nor a number below 2048.
    #[error("io_uring op name unknown: {name}")]
    UnknownIoUringOp {
        /// The name.
        name: String,
    },
    /// `-S` for an arch without a syscall table.
    #[error("Elf type unknown: 0x{elf:x}")]
    UnknownElf {
        /// The `AUDIT_ARCH_*` value.
        elf: u32,
    },
    /// `-F` before `-a`/`-A`/`-d`.
    #[error("List must be given before field")]
    ListBeforeField,
    /// A `-F` or `-C` pair refused (libaudit's `EAU_*` errors).
    #[error("{}", kind.message(subject))]
    Field {
        /// Why.
        kind: FieldErrorKind,
        /// The text libaudit names: the field name, or the whole pair when
        /// no operator was found, or the value for unknown users/groups.
        subject: String,
    },
    /// `-m` with other options.
    #[error("The -m option must be only the only option and takes 1 parameter")]
    UserMessageOptions,
    /// `-m` text with a control or non-ASCII byte.
    #[error("Illegal character in audit event")]
    UserMessageCharacter,
    /// `-R` inside a rule file or with other options.
    #[error("Error - nested rule files not supported")]
    NestedRuleFile,
    /// `-w`/`-W` on a rule that already has fields (`-w A -W B`).
    #[error("Rule is not empty")]
    WatchRuleNotEmpty,
    /// `-w` after `-a`/`-A`/`-d`.
    #[error("watch option can't be given with a syscall")]
    WatchWithSyscall,
    /// Watch path of `PATH_MAX` bytes or more.
    #[error("The path passed for the watch is too big ({len} bytes)")]
    WatchPathTooBig {
        /// Its length.
        len: usize,
    },
    /// Watch path not absolute.
    #[error("The path must start with '/' ({path})")]
    WatchPathNotAbsolute {
        /// The path.
        path: String,
    },
    /// Watch path whose last component exceeds `NAME_MAX`.
    #[error("The base name of the path is too big ({len} bytes)")]
    WatchBaseNameTooBig {
        /// Length of the base name.
        len: usize,
    },
    /// `-k` before any watch, syscall, perm, exe or fstype.
    #[error("key option needs a watch or syscall given prior to it")]
    KeyNeedsRule,
    /// Keys longer than 256 bytes in total.
    #[error("key option exceeds size limit ({len} bytes, at most 256)")]
    KeyTooLong {
        /// The total length (keys and separators).
        len: usize,
    },
    /// `-p` before `-w`/`-a`.
    #[error("permission option needs a watch given prior to it")]
    PermNeedsWatch,
    /// `-p` with more than 4 letters.
    #[error("permission {perm} is too long")]
    PermTooLong {
        /// The argument.
        perm: String,
    },
    /// `-p` with a letter other than r, w, x, a.
    #[error("Permission {letter} isn't supported")]
    PermLetter {
        /// The letter.
        letter: char,
    },
    /// `-p` on a rule without fields.
    #[error("Permissions should be preceeded by other fields")]
    PermNeedsFields,
    /// `-p` on a rule with 63 fields.
    #[error("Too many fields when adding permissions")]
    PermTooManyFields,
    /// `-q` after `-S`.
    #[error("Syscall auditing requested for make equivalent")]
    EquivalentWithSyscall,
    /// `-q` argument not `mount,subtree`.
    #[error("Error parsing equivalent parts ({arg})")]
    EquivalentParse {
        /// The argument.
        arg: String,
    },
    /// `--signal` with an unsupported signal.
    #[error("{signal} is an unsupported signal")]
    UnsupportedSignal {
        /// The argument.
        signal: String,
    },
    /// `-S` without `-a`/`-A`/`-d`.
    #[error("Error - no list specified")]
    NoList,

    // ---- wire format ----
    /// Fewer bytes than the header or than `buflen` says.
    #[error("rule data truncated: {len} bytes, need {need}")]
    Truncated {
        /// Bytes given.
        len: usize,
        /// Bytes needed.
        need: usize,
    },
    /// `field_count` above 64.
    #[error("rule data has field_count {count} (at most 64)")]
    BadFieldCount {
        /// The count.
        count: u32,
    },
    /// A string field longer than what is left of `buf`.
    #[error(
        "rule data field {index}: string length {len} exceeds the {remaining} bytes left in buf"
    )]
    BadStringLength {
        /// The field index.
        index: usize,
        /// Its length.
        len: u32,
        /// Bytes left.
        remaining: usize,
    },
    /// Bytes of `buf` no field uses, or bytes after `buf`.
    #[error("rule data has {extra} unused bytes after the strings")]
    TrailingBytes {
        /// How many.
        extra: usize,
    },
    /// Encoding a rule with more than 64 fields.
    #[error("rule has {count} fields (at most 64)")]
    TooManyFields {
        /// The count.
        count: usize,
    },
    /// Encoding a string longer than a `u32` length.
    #[error("string of field {field} too long ({len} bytes)")]
    StringTooLong {
        /// The field number.
        field: u32,
        /// The length.
        len: usize,
    },

    // ---- files ----
    /// An error on a line of a rule file.
    #[error("{file}:{line}: {source}")]
    AtLine {
        /// The file name as given.
        file: String,
        /// The 1-based line number (auditctl's counting).
        line: usize,
        /// The error.
        source: Box<RuleError>,
    },
}

impl RuleError {
    /// The error without its file/line context.
    pub fn root(&self) -> &RuleError {
        match self {
            RuleError::AtLine { source, .. } => source.root(),
            e => e,
        }
    }
}
