//! The table's input: what one audit event says about processes.
//!
//! This is independent of the audit record parser: the wiring translates a
//! reassembled event into a [`ProcessEvent`] (see the crate documentation
//! for the mapping from SYSCALL/EXECVE/CWD/USER_* records).

use crate::time::Time;
use crate::tty::TtyDev;

/// The pid the kernel writes for "unset" loginuid/sessionid (`(u32)-1`).
pub const UNSET_ID: u32 = u32::MAX;

/// User and group ids of a task (real, effective, saved, filesystem).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Creds {
    /// Real uid.
    pub uid: u32,
    /// Effective uid.
    pub euid: u32,
    /// Saved set-uid.
    pub suid: u32,
    /// Filesystem uid.
    pub fsuid: u32,
    /// Real gid.
    pub gid: u32,
    /// Effective gid.
    pub egid: u32,
    /// Saved set-gid.
    pub sgid: u32,
    /// Filesystem gid.
    pub fsgid: u32,
}

/// What a record says about the process that caused the event: the
/// `pid ppid uid... auid ses tty comm exe` fields of a SYSCALL record, or the
/// `pid uid auid ses` of a user-space (USER_*) record.
///
/// Every event carrying a pid is observed first, so that processes that live
/// too short for /proc are known from their own records.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Observation {
    /// `pid` (the thread group id).
    pub pid: u32,
    /// `ppid`, if the record has it.
    pub ppid: Option<u32>,
    /// All eight ids, if the record has them (SYSCALL records do).
    pub creds: Option<Creds>,
    /// `auid` (loginuid).
    pub auid: Option<u32>,
    /// `ses` (audit session id).
    pub ses: Option<u32>,
    /// `tty`: `None` when the record has no tty field or an unknown name;
    /// `Some(None)` for `tty=(none)`. See [`crate::parse_audit_tty`].
    pub tty: Option<Option<TtyDev>>,
    /// `comm`, decoded bytes.
    pub comm: Option<Vec<u8>>,
    /// `exe`, decoded bytes.
    pub exe: Option<Vec<u8>>,
}

impl Observation {
    /// An observation that knows only the pid.
    pub fn pid(pid: u32) -> Self {
        Observation {
            pid,
            ..Default::default()
        }
    }
}

/// A change to the process table carried by a successful syscall or a login
/// record. Failed syscalls (`success=no`) carry no change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProcessChange {
    /// fork, vfork, clone or clone3 returned `child_pid` in the caller.
    Fork {
        /// The syscall's exit value.
        child_pid: u32,
        /// Whether the clone created a thread (`CLONE_THREAD` in clone's
        /// `a0`): `Some(true)` is ignored; `None` (clone3, whose flags are
        /// behind a pointer) creates a tentative child that is dropped after
        /// the grace period unless an event of its own confirms it.
        thread: Option<bool>,
    },
    /// execve or execveat succeeded: the observed `exe`/`comm` are the new image.
    Exec {
        /// Arguments from the EXECVE record, decoded bytes.
        argv: Vec<Vec<u8>>,
        /// From the CWD record.
        cwd: Option<Vec<u8>>,
    },
    /// setsid succeeded: the caller leads a new session and process group.
    Setsid,
    /// setpgid(`target`, `pgid`) succeeded (`a0`, `a1`).
    Setpgid {
        /// `a0`: the process moved; 0 means the caller.
        target: u32,
        /// `a1`: the new group; 0 means the target's pid.
        pgid: u32,
    },
    /// exit_group: the process ends.
    Exit {
        /// `a0`, the exit status.
        code: i32,
    },
    /// A login record (USER_LOGIN or USER_START, `res=success`) with a
    /// remote address: gives `entry_meta.source.ip` to ssh sessions.
    Login {
        /// `addr=` as text bytes (`?` and empty are ignored).
        addr: Vec<u8>,
    },
}

/// One audit event, as the table sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessEvent {
    /// The event's timestamp.
    pub time: Time,
    /// The process fields of the event's SYSCALL (or USER_*) record.
    pub observed: Option<Observation>,
    /// What the event changes, if anything.
    pub change: Option<ProcessChange>,
}
