//! The crate's error type.

use std::io;
use std::time::Duration;

use crate::message::MessageType;

/// Everything that can go wrong talking to the kernel's audit socket.
///
/// Kernel error numbers are mapped to specific variants where the meaning is
/// clear from the request that failed; any other errno is kept in
/// [`Error::Kernel`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `AUDIT_ADD_RULE` answered `EEXIST`: an identical rule is loaded.
    #[error("rule already exists (EEXIST on AUDIT_ADD_RULE)")]
    RuleExists,
    /// `AUDIT_DEL_RULE` answered `ENOENT`: no such rule is loaded.
    #[error("no such rule (ENOENT on AUDIT_DEL_RULE)")]
    RuleNotFound,
    /// The audit configuration is locked (`enabled` is 2, set by
    /// `auditctl -e 2`): the kernel answers `EPERM` to every configuration
    /// change until reboot.
    #[error("audit configuration is locked (enabled=2), {op} refused with EPERM until reboot")]
    ConfigLocked {
        /// The request that was refused.
        op: MessageType,
    },
    /// A feature's lock bit is set (`AUDIT_SET_FEATURE` answered `EPERM`).
    #[error("audit feature is locked, {op} refused with EPERM until reboot")]
    FeatureLocked {
        /// The request that was refused.
        op: MessageType,
    },
    /// The kernel refused the request for lack of privilege: `EPERM` (no
    /// `CAP_AUDIT_CONTROL` / `CAP_AUDIT_WRITE` / `CAP_AUDIT_READ`, or not in
    /// the initial pid namespace) or `ECONNREFUSED` (not in the initial user
    /// namespace).
    #[error("permission denied for {op} (errno {errno}): needs root / CAP_AUDIT_CONTROL in the initial namespaces")]
    PermissionDenied {
        /// The request that was refused.
        op: MessageType,
        /// The raw errno.
        errno: i32,
    },
    /// Another process holds the audit pid: registering answered `EEXIST`,
    /// or unregistering answered `EACCES` (only the registered process may
    /// unregister). See `audit_receive_msg`, `AUDIT_SET`/`AUDIT_STATUS_PID`.
    #[error("another audit daemon (pid {pid}{}) is registered with the kernel", comm.as_deref().map(|c| format!(", {c}")).unwrap_or_default())]
    AnotherDaemon {
        /// The pid currently registered (0 if it could not be read).
        pid: u32,
        /// Its `/proc/PID/comm`, when readable.
        comm: Option<String>,
    },
    /// Any other error number returned by the kernel.
    #[error("kernel refused {op}: {} (errno {errno})", errno_name(*errno))]
    Kernel {
        /// The request that failed.
        op: MessageType,
        /// The positive errno.
        errno: i32,
    },
    /// The audit netlink family is not available (`EPROTONOSUPPORT` when
    /// opening the socket: kernel built without `CONFIG_AUDIT`).
    #[error("the kernel has no audit netlink support (NETLINK_AUDIT: {source})")]
    Unsupported {
        /// The socket error.
        source: io::Error,
    },
    /// A system call on the socket failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The underlying error.
        source: io::Error,
    },
    /// The kernel did not answer in time.
    #[error("no reply to {op} within {after:?}")]
    Timeout {
        /// The request that got no reply.
        op: MessageType,
        /// The time waited.
        after: Duration,
    },
    /// A message was shorter than its structure.
    #[error("truncated {msg_type}: {what} needs {needed} bytes, got {got}")]
    Truncated {
        /// Type of the message being decoded.
        msg_type: MessageType,
        /// The structure or field that did not fit.
        what: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        got: usize,
    },
    /// The peer broke the protocol (unexpected message, bad length...).
    #[error("protocol error in {msg_type}: {detail}")]
    Protocol {
        /// Type of the offending message.
        msg_type: MessageType,
        /// What was wrong.
        detail: String,
    },
    /// The caller passed something the kernel would reject (checked before
    /// sending).
    #[error("invalid request {op}: {detail}")]
    InvalidRequest {
        /// The request.
        op: MessageType,
        /// Why it is invalid.
        detail: String,
    },
}

impl Error {
    /// The positive errno carried by this error, if it came from the kernel.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::RuleExists => Some(libc::EEXIST),
            Error::RuleNotFound => Some(libc::ENOENT),
            Error::ConfigLocked { .. } | Error::FeatureLocked { .. } => Some(libc::EPERM),
            Error::PermissionDenied { errno, .. } | Error::Kernel { errno, .. } => Some(*errno),
            Error::Io { source, .. } | Error::Unsupported { source } => source.raw_os_error(),
            _ => None,
        }
    }

    pub(crate) fn io(context: &'static str, source: io::Error) -> Self {
        Error::Io { context, source }
    }
}

/// Symbolic name of the errno values the audit kernel code returns.
pub fn errno_name(errno: i32) -> &'static str {
    match errno {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::ESRCH => "ESRCH",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
        libc::E2BIG => "E2BIG",
        libc::EBADF => "EBADF",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::EEXIST => "EEXIST",
        libc::ENODEV => "ENODEV",
        libc::ENOTDIR => "ENOTDIR",
        libc::EINVAL => "EINVAL",
        libc::ENOSPC => "ENOSPC",
        libc::ERANGE => "ERANGE",
        libc::ENAMETOOLONG => "ENAMETOOLONG",
        libc::EOPNOTSUPP => "EOPNOTSUPP",
        libc::ECONNREFUSED => "ECONNREFUSED",
        libc::ENOBUFS => "ENOBUFS",
        libc::EPROTONOSUPPORT => "EPROTONOSUPPORT",
        _ => "unknown errno",
    }
}

/// `/proc/PID/comm` of a process (lossy UTF-8, for messages), `None` when
/// the pid is 0 or the file cannot be read.
pub fn process_comm(pid: u32) -> Option<String> {
    if pid == 0 {
        return None;
    }
    std::fs::read(format!("/proc/{pid}/comm"))
        .ok()
        .map(|b| String::from_utf8_lossy(&b).trim_end().to_string())
}
