//! The crate's error type. Each variant's text is auditctl 3.0.9's message
//! for the same failure, so the command line can print it unchanged; file
//! loads prefix it with `FILE:LINE: `.

use crate::kernel::{errno, KernelError};
use crate::status::StatusChange;

/// Why an auditctl command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CtlError {
    /// A rule or option did not parse (the rules crate's message).
    #[error("{0}")]
    Parse(String),
    /// AUDIT_ADD_RULE was refused.
    #[error("Error sending add rule data request ({})", rule_reason(.0))]
    AddRule(KernelError),
    /// AUDIT_DEL_RULE was refused.
    #[error("Error sending delete rule data request ({})", rule_reason(.0))]
    DeleteRule(KernelError),
    /// AUDIT_DEL_RULE refused while deleting all rules (`-D`;
    /// `delete_all_rules` in auditctl's delete_all.c).
    #[error("Error deleting rule ({0})")]
    DeleteAll(KernelError),
    /// AUDIT_SET was refused.
    #[error("Error sending {} request ({})", .change.request_name(), .error)]
    SetStatus {
        /// What we tried to set.
        change: StatusChange,
        /// The kernel's answer.
        error: KernelError,
    },
    /// AUDIT_GET failed.
    #[error("Error sending status request ({0})")]
    GetStatus(KernelError),
    /// AUDIT_GET_FEATURE failed.
    #[error("Error getting audit features ({0})")]
    GetFeatures(KernelError),
    /// AUDIT_SET_FEATURE (loginuid_immutable) failed.
    #[error("Error setting loginuid immutable ({0})")]
    SetFeature(KernelError),
    /// AUDIT_LIST_RULES failed.
    #[error("Error sending rule list data request ({0})")]
    ListRules(KernelError),
    /// Resetting a counter failed (`--reset-lost`...).
    #[error("Error resetting {what} ({error})")]
    Reset {
        /// Which counter.
        what: &'static str,
        /// The kernel's answer.
        error: KernelError,
    },
    /// The AUDIT_USER message was refused.
    #[error("Error sending user message ({0})")]
    UserMessage(KernelError),
    /// `-m` text with a control character.
    #[error("Illegal character in audit event")]
    IllegalMessage,
    /// A kernel rule could not be decoded for printing.
    #[error("Error decoding kernel rule {index}: {message}")]
    Decode {
        /// Position in the kernel's list (0-based).
        index: usize,
        /// The decoder's message.
        message: String,
    },
    /// enabled=2: the kernel refuses every change until reboot.
    #[error("The audit system is in immutable mode, no rule changes allowed")]
    Immutable,
    /// ECONNREFUSED from the audit socket.
    #[error("The audit system is disabled")]
    Disabled,
    /// `--signal` with no daemon registered.
    #[error("Auditd is not running")]
    NoDaemon,
    /// `--signal`: kill(2) failed.
    #[error("Failed sending signal to auditd ({0})")]
    Signal(KernelError),
    /// AUDIT_TRIM was refused (`-t`; libaudit's `audit_trim_subtrees`).
    #[error("Error sending trim subtrees command ({0})")]
    Trim(KernelError),
    /// AUDIT_MAKE_EQUIV was refused (`-q`; libaudit's
    /// `audit_make_equivalent`).
    #[error("Error sending make_equivalent command ({0})")]
    MakeEquivalent(KernelError),
    /// Not root / no CAP_AUDIT_CONTROL.
    #[error("You must be root to run this program.")]
    NotRoot,
    /// A rules file does not exist (auditctl's `fileopt` wording).
    #[error("audit rules file {path} doesn't exist")]
    FileMissing {
        /// The file.
        path: String,
    },
    /// A rules file auditctl refuses to read: not owned by root, world
    /// writable, or not a regular file.
    #[error("Error - {path} {reason}")]
    FileUnsafe {
        /// The file.
        path: String,
        /// auditctl's words: "isn't owned by root", "is world writable",
        /// "is not a regular file".
        reason: &'static str,
    },
    /// A rules file could not be read.
    #[error("Error opening {path} ({reason})")]
    File {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// Restoring the kernel after a failed load failed too.
    #[error("rollback failed, kernel rules may be partially changed: {0}")]
    Rollback(String),
}

/// auditctl says "Rule exists" for EEXIST and strerror otherwise.
fn rule_reason(e: &KernelError) -> String {
    if e.errno() == Some(errno::EEXIST) {
        "Rule exists".to_string()
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_auditctl() {
        assert_eq!(
            CtlError::AddRule(KernelError::Errno(errno::EEXIST)).to_string(),
            "Error sending add rule data request (Rule exists)"
        );
        assert_eq!(
            CtlError::DeleteRule(KernelError::Errno(errno::ENOENT)).to_string(),
            "Error sending delete rule data request (No such file or directory)"
        );
        assert_eq!(
            CtlError::SetStatus {
                change: StatusChange::Enabled(1),
                error: KernelError::Errno(errno::EPERM)
            }
            .to_string(),
            "Error sending enable request (Operation not permitted)"
        );
    }
}
