//! What one auditctl invocation (or one rule-file line) asks for.

use crate::rule::Rule;

/// One action of an auditctl command line or rule-file line, in the order
/// auditctl 3.0.9 performs them. A rule (`AddRule`/`DeleteRule`) always
/// comes last: auditctl sends it after processing every option.
///
/// Exit status (auditctl 3.0.9, for the ctl front end): a parse error or a
/// failed kernel request exits 255 (`main` returns -1) on the command line;
/// `-R FILE` exits 1 when a line fails (or, with `-c` in the file, at the
/// end if any line failed) and 0 otherwise; `-h` exits 255 after the usage
/// text (1 when auditctl has no argument at all); a non-root caller gets 4;
/// a deprecated `possible` action is a warning and exits 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `-a`/`-A`/`-w`: add a rule (`rule.prepend` for `-A`).
    AddRule(Rule),
    /// `-d`/`-W`: delete the rule that matches exactly.
    DeleteRule(Rule),
    /// `-D [-k KEY]`: delete every rule (whose key matches, see
    /// [`Rule::key_matches`]), then request the rule list (auditctl prints
    /// nothing from it).
    DeleteAll {
        /// The key filter (empty: all rules).
        key: Vec<u8>,
    },
    /// `-l [-k KEY] [-i]`: list rules (see [`crate::print`]).
    List {
        /// The key filter (empty: all rules).
        key: Vec<u8>,
        /// `-i`: interpret (`-F arch=x86_64`, `auid=unset`...).
        interpret: bool,
    },
    /// `-s [-i]`: print the status (and the loginuid_immutable feature).
    Status {
        /// `-i`: `enabled`/`failure` as words.
        interpret: bool,
    },
    /// `-e 0|1|2`, then print the status. Never send 2 to a real kernel in
    /// tests: it locks the configuration until reboot.
    SetEnabled(u32),
    /// `-f 0|1|2`, then print the status.
    SetFailure(u32),
    /// `-r RATE`, then print the status.
    SetRateLimit(u32),
    /// `-b BACKLOG`, then print the status.
    SetBacklogLimit(u32),
    /// `--backlog_wait_time N`, then print the status.
    SetBacklogWaitTime(u32),
    /// `--reset-lost`: prints `lost: N` (the old count).
    ResetLost,
    /// `--reset_backlog_wait_time_actual`: prints `backlog_wait_time_actual: N`.
    ResetBacklogWaitTimeActual,
    /// `--loginuid-immutable`: set the feature (and lock it).
    LoginuidImmutable,
    /// `-i`: in a rule file, ignore errors on the following lines.
    IgnoreErrors,
    /// `-c`: in a rule file, continue through errors on the following
    /// lines and exit 1 at the end if any failed.
    ContinueOnError,
    /// `-R FILE`: load a rule file (only as `auditctl -R FILE`).
    LoadFile(Vec<u8>),
    /// `-h`: print the usage text (auditctl then exits 255).
    Help,
    /// `-v`: print `auditctl version 3.0.9`.
    Version,
    /// `-m TEXT`: send an `AUDIT_USER` message `text=TEXT`.
    UserMessage(Vec<u8>),
    /// `-t`: `AUDIT_TRIM`.
    TrimSubtrees,
    /// `-q MOUNT,SUBTREE`: `AUDIT_MAKE_EQUIV`.
    MakeEquivalent {
        /// The mount point.
        mount: Vec<u8>,
        /// The subtree.
        subtree: Vec<u8>,
    },
    /// `--signal SIG`: send SIGTERM/SIGHUP/SIGUSR1/SIGUSR2/SIGCONT to the
    /// audit daemon (its pid from `AUDIT_GET`).
    Signal(i32),
}

/// The result of parsing one command line or rule-file line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The actions, in order (empty for a deprecated `possible` rule).
    pub commands: Vec<Command>,
    /// Warnings auditctl prints but does not fail on (`..` or wildcards in
    /// a watch path, 32/64-bit syscall mismatch without an arch, `possible`
    /// is deprecated, illegal character in a key).
    pub warnings: Vec<String>,
}
