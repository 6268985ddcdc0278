//! What one auditctl command line (or one rule-file line) asks the kernel
//! to do, after parsing: the executor's input.

use crate::status::StatusChange;

/// One kernel-facing request. A command line or file line yields one or more
/// of these, executed in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `-a`/`-A`/`-w`: add this `struct audit_rule_data`.
    AddRule(Vec<u8>),
    /// `-d`/`-W`: delete this rule.
    DeleteRule(Vec<u8>),
    /// `-D [-k KEY]`: delete every rule (whose key contains KEY). auditctl
    /// then lists: the parser adds a `List` after it.
    DeleteAll {
        /// Only rules whose key buffer contains these bytes (empty: all).
        key: Vec<u8>,
    },
    /// `-l [-k KEY] [-i]`.
    List {
        /// Only rules whose key buffer contains these bytes (empty: all).
        key: Vec<u8>,
        /// `-i`: interpret (arch names, ...).
        interpret: bool,
    },
    /// `-s [-i]` (with `features`), or the status block auditctl prints
    /// after `-e/-f/-r/-b/--backlog_wait_time` (without).
    Status {
        /// `-i`: words for enabled/failure.
        interpret: bool,
        /// Also print the `loginuid_immutable` line (AUDIT_GET_FEATURE).
        features: bool,
    },
    /// `-e`, `-f`, `-r`, `-b`, `--backlog_wait_time` (prints nothing; the
    /// parser adds a `Status` after it).
    Set(StatusChange),
    /// `--reset-lost`.
    ResetLost,
    /// `--reset_backlog_wait_time_actual`.
    ResetBacklogWaitTimeActual,
    /// `--loginuid-immutable`.
    LoginuidImmutable,
    /// `-m TEXT`.
    UserMessage(Vec<u8>),
    /// `--signal SIG`: send SIG to the registered audit daemon.
    Signal(i32),
    /// `-t`: AUDIT_TRIM (prune the audit trees of directory watches).
    TrimSubtrees,
    /// `-q MOUNT,SUBTREE`: AUDIT_MAKE_EQUIV (the mounts under SUBTREE join
    /// the audit trees watching MOUNT). Not undoable: never rolled back.
    MakeEquivalent {
        /// The watched mount point (may be empty: the kernel says EINVAL).
        mount: Vec<u8>,
        /// The subtree.
        subtree: Vec<u8>,
    },
    /// `-v`.
    Version,
    /// `-h`: usage, then exit as an error (like auditctl).
    Usage,
    /// `-c`: in a rules file, go on after errors, exit 1 at the end.
    ContinueOnError,
    /// `-i` alone: in a rules file, go on after errors, exit 0.
    IgnoreErrors,
}

impl Request {
    /// Whether this request changes kernel rules (needs the immutable check).
    pub fn changes_rules(&self) -> bool {
        matches!(
            self,
            Request::AddRule(_) | Request::DeleteRule(_) | Request::DeleteAll { .. }
        )
    }
}
