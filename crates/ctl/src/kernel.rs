//! The `Kernel` trait: everything `auditrs ctl` asks of the audit subsystem.
//!
//! The real implementation talks netlink through `audit-client`
//! (`impl Kernel for audit_client::AuditControl` in `live.rs`); tests use
//! [`crate::fake::FakeKernel`].
//! Rules cross this boundary as `struct audit_rule_data` bytes.

use crate::status::{Features, Status, StatusChange};

/// errno values the executor interprets.
pub mod errno {
    /// Operation not permitted (locked config, missing capability).
    pub const EPERM: i32 = 1;
    /// No such file or directory (rule to delete not found).
    pub const ENOENT: i32 = 2;
    /// File exists (duplicate rule).
    pub const EEXIST: i32 = 17;
    /// Invalid argument.
    pub const EINVAL: i32 = 22;
    /// File name too long (AUDIT_MAKE_EQUIV beyond PATH_MAX).
    pub const ENAMETOOLONG: i32 = 36;
    /// Connection refused (audit disabled in the kernel).
    pub const ECONNREFUSED: i32 = 111;
}

/// A failed kernel request: the errno the kernel (or the socket) returned,
/// plus free text when the failure is not an errno (e.g. a malformed reply).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    /// The kernel answered with this errno (positive).
    #[error("{}", strerror(*.0))]
    Errno(i32),
    /// Anything else (transport, malformed reply), already described.
    #[error("{0}")]
    Other(String),
}

impl KernelError {
    /// The errno, if this failure carries one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            KernelError::Errno(e) => Some(*e),
            KernelError::Other(_) => None,
        }
    }
}

/// `strerror(3)` text for an errno, without Rust's " (os error N)" suffix.
pub fn strerror(e: i32) -> String {
    let s = std::io::Error::from_raw_os_error(e).to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// The audit subsystem as `auditrs ctl` uses it. All methods are
/// synchronous request/ack exchanges.
pub trait Kernel {
    /// AUDIT_GET.
    fn get_status(&mut self) -> Result<Status, KernelError>;
    /// AUDIT_SET of one field.
    fn set_status(&mut self, change: StatusChange) -> Result<(), KernelError>;
    /// AUDIT_SET with AUDIT_STATUS_LOST: resets the lost counter and returns
    /// its value before the reset.
    fn reset_lost(&mut self) -> Result<u32, KernelError>;
    /// AUDIT_SET with AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL: resets it and
    /// returns the value before the reset.
    fn reset_backlog_wait_time_actual(&mut self) -> Result<u32, KernelError>;
    /// AUDIT_GET_FEATURE.
    fn get_features(&mut self) -> Result<Features, KernelError>;
    /// AUDIT_SET_FEATURE loginuid_immutable=1 with its lock bit set (as
    /// auditctl `--loginuid-immutable` does): irreversible until reboot.
    fn set_loginuid_immutable(&mut self) -> Result<(), KernelError>;
    /// AUDIT_LIST_RULES: every rule, in the kernel's order.
    fn list_rules(&mut self) -> Result<Vec<Vec<u8>>, KernelError>;
    /// AUDIT_ADD_RULE.
    fn add_rule(&mut self, rule: &[u8]) -> Result<(), KernelError>;
    /// AUDIT_DEL_RULE.
    fn delete_rule(&mut self, rule: &[u8]) -> Result<(), KernelError>;
    /// An AUDIT_USER message with this text (`-m`).
    fn send_user_message(&mut self, text: &[u8]) -> Result<(), KernelError>;
    /// AUDIT_TRIM (`-t`): prune the audit trees of directory watches.
    fn trim_subtrees(&mut self) -> Result<(), KernelError>;
    /// AUDIT_MAKE_EQUIV (`-q MOUNT,SUBTREE`): the mounts under `subtree`
    /// join the audit trees watching `mount`.
    fn make_equivalent(&mut self, mount: &[u8], subtree: &[u8]) -> Result<(), KernelError>;
    /// Sends signal `sig` to process `pid` (`--signal`, to the registered
    /// audit daemon). Not a netlink request: the default uses kill(2).
    fn signal_process(&mut self, pid: u32, sig: i32) -> Result<(), KernelError> {
        let pid = libc::pid_t::try_from(pid).map_err(|_| KernelError::Errno(errno::EINVAL))?;
        // SAFETY: kill has no memory-safety preconditions.
        if unsafe { libc::kill(pid, sig) } == 0 {
            Ok(())
        } else {
            Err(KernelError::Errno(
                std::io::Error::last_os_error()
                    .raw_os_error()
                    .unwrap_or(errno::EINVAL),
            ))
        }
    }
}

/// A borrowed kernel is a kernel (lets callers keep the fake to inspect it).
impl<K: Kernel + ?Sized> Kernel for &mut K {
    fn get_status(&mut self) -> Result<Status, KernelError> {
        (**self).get_status()
    }
    fn set_status(&mut self, change: StatusChange) -> Result<(), KernelError> {
        (**self).set_status(change)
    }
    fn reset_lost(&mut self) -> Result<u32, KernelError> {
        (**self).reset_lost()
    }
    fn reset_backlog_wait_time_actual(&mut self) -> Result<u32, KernelError> {
        (**self).reset_backlog_wait_time_actual()
    }
    fn get_features(&mut self) -> Result<Features, KernelError> {
        (**self).get_features()
    }
    fn set_loginuid_immutable(&mut self) -> Result<(), KernelError> {
        (**self).set_loginuid_immutable()
    }
    fn list_rules(&mut self) -> Result<Vec<Vec<u8>>, KernelError> {
        (**self).list_rules()
    }
    fn add_rule(&mut self, rule: &[u8]) -> Result<(), KernelError> {
        (**self).add_rule(rule)
    }
    fn delete_rule(&mut self, rule: &[u8]) -> Result<(), KernelError> {
        (**self).delete_rule(rule)
    }
    fn send_user_message(&mut self, text: &[u8]) -> Result<(), KernelError> {
        (**self).send_user_message(text)
    }
    fn trim_subtrees(&mut self) -> Result<(), KernelError> {
        (**self).trim_subtrees()
    }
    fn make_equivalent(&mut self, mount: &[u8], subtree: &[u8]) -> Result<(), KernelError> {
        (**self).make_equivalent(mount, subtree)
    }
    fn signal_process(&mut self, pid: u32, sig: i32) -> Result<(), KernelError> {
        (**self).signal_process(pid, sig)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strerror_has_no_suffix() {
        assert_eq!(strerror(errno::ENOENT), "No such file or directory");
        assert_eq!(strerror(errno::EPERM), "Operation not permitted");
        assert_eq!(KernelError::Errno(errno::EEXIST).to_string(), "File exists");
        assert_eq!(KernelError::Errno(22).errno(), Some(22));
    }
}
