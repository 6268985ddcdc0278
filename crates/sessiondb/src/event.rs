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

/// `CLONE_THREAD` (include/uapi/linux/sched.h).
const CLONE_THREAD: u64 = 0x0001_0000;

impl ProcessChange {
    /// The change a SYSCALL record describes, from the syscall's name (as
    /// the syscall tables give it for the record's arch), `success`,
    /// `exit`, `a0` and `a1`; `None` for syscalls that change nothing here
    /// and for failures.
    ///
    /// For execve/execveat the result is `Exec` with empty `argv` and no
    /// `cwd`: fill them from the event's EXECVE and CWD records.
    pub fn from_syscall(name: &str, success: bool, exit: i64, a0: u64, a1: u64) -> Option<Self> {
        let child = || u32::try_from(exit).ok().filter(|c| *c > 0);
        match name {
            // exit_group never returns: its record has no success field.
            "exit_group" => Some(ProcessChange::Exit {
                code: a0 as u32 as i32,
            }),
            _ if !success => None,
            "clone" => Some(ProcessChange::Fork {
                child_pid: child()?,
                thread: Some(a0 & CLONE_THREAD != 0),
            }),
            "fork" | "vfork" => Some(ProcessChange::Fork {
                child_pid: child()?,
                thread: Some(false),
            }),
            "clone3" => Some(ProcessChange::Fork {
                child_pid: child()?,
                thread: None,
            }),
            "execve" | "execveat" => Some(ProcessChange::Exec {
                argv: Vec::new(),
                cwd: None,
            }),
            "setsid" => Some(ProcessChange::Setsid),
            "setpgid" => Some(ProcessChange::Setpgid {
                target: a0 as u32,
                pgid: a1 as u32,
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_syscall() {
        let f = ProcessChange::from_syscall;
        assert_eq!(
            f("clone", true, 26568, 0x1200011, 0),
            Some(ProcessChange::Fork {
                child_pid: 26568,
                thread: Some(false)
            })
        );
        assert_eq!(
            f("clone", true, 7, 0x3d0f00, 0),
            Some(ProcessChange::Fork {
                child_pid: 7,
                thread: Some(true)
            })
        );
        // The child's own return (0) and failures are not forks.
        assert_eq!(f("clone", true, 0, 0x11, 0), None);
        assert_eq!(f("fork", false, -11, 0, 0), None);
        assert_eq!(
            f("vfork", true, 9, 0, 0),
            Some(ProcessChange::Fork {
                child_pid: 9,
                thread: Some(false)
            })
        );
        assert_eq!(
            f("clone3", true, 9, 0x7ffd0000, 0),
            Some(ProcessChange::Fork {
                child_pid: 9,
                thread: None
            })
        );
        assert_eq!(
            f("execveat", true, 0, 0, 0),
            Some(ProcessChange::Exec {
                argv: vec![],
                cwd: None
            })
        );
        assert_eq!(f("execve", false, -2, 0, 0), None);
        assert_eq!(f("setsid", true, 42, 0, 0), Some(ProcessChange::Setsid));
        assert_eq!(
            f("setpgid", true, 0, 0, 0x1f4),
            Some(ProcessChange::Setpgid {
                target: 0,
                pgid: 500
            })
        );
        assert_eq!(
            f("exit_group", false, 0, 0xffff_ffff, 0),
            Some(ProcessChange::Exit { code: -1 })
        );
        assert_eq!(f("openat", true, 3, 0, 0), None);
    }
}
