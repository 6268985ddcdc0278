//! Entry leaders: how the user or system got into the box.
//!
//! The rules follow Elastic's processdb (auditbeat `add_session_metadata`),
//! re-implemented here. For a process being inserted (seeded from /proc,
//! created from an event, or after an exec):
//!
//! 1. pid 1 (init) and kernel threads (pid 2 and children of pid 2) have no
//!    entry leader.
//! 2. A session leader (pid == sid) becomes its own entry leader when:
//!    * its terminal is a serial tty (major 4, minor 64..=255): `terminal`;
//!    * its terminal is a console (major 4, minor 0..=63) and it is `login`:
//!      `console`;
//!    * its parent is pid 1: `init`;
//!    * it is not a filtered executable (`runc`, `containerd-shim*`,
//!      `calico-node`, `check-status`, `conmon`, by name prefix) and its parent
//!      is known and is
//!      - `ssm-session-worker`, with a pts terminal: `ssm`;
//!      - `sshd` (or OpenSSH 9.8+'s `sshd-session`, an addition of ours) and
//!        the process itself is not: `sshd`;
//!      - a container runtime (`containerd-shim*`, `runc*`, `conmon*`):
//!        `container`.
//! 3. Otherwise it inherits the entry leader of its parent, else of its
//!    session leader, else of its group leader (looked up by pid).
//! 4. Otherwise a session leader is its own entry leader of type `unknown`;
//!    any other process has none.
//!
//! A fork copies the parent's entry leader to the child.

use crate::tty::TtyKind;
use serde::Serialize;

/// `process.entry_leader.entry_meta.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryType {
    /// Started by init (a service).
    Init,
    /// An ssh login.
    Sshd,
    /// An AWS SSM session.
    Ssm,
    /// Started by a container runtime.
    Container,
    /// A serial terminal.
    Terminal,
    /// `login` on a virtual console.
    Console,
    /// A session leader whose origin is not known.
    Unknown,
}

impl EntryType {
    /// The ECS keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryType::Init => "init",
            EntryType::Sshd => "sshd",
            EntryType::Ssm => "ssm",
            EntryType::Container => "container",
            EntryType::Terminal => "terminal",
            EntryType::Console => "console",
            EntryType::Unknown => "unknown",
        }
    }
}

const FILTERED_EXECUTABLES: &[&[u8]] = &[
    b"runc",
    b"containerd-shim",
    b"calico-node",
    b"check-status",
    b"conmon",
];
const CONTAINER_RUNTIMES: &[&[u8]] = &[b"containerd-shim", b"runc", b"conmon"];

/// The last path component (`""` for an empty path).
pub fn basename(path: &[u8]) -> &[u8] {
    path.rsplit(|b| *b == b'/').next().unwrap_or(path)
}

fn starts_with_any(name: &[u8], list: &[&[u8]]) -> bool {
    list.iter().any(|p| name.starts_with(p))
}

fn is_sshd(name: &[u8]) -> bool {
    name == b"sshd" || name == b"sshd-session"
}

/// What rule 2 needs to know about a session leader.
pub(crate) struct LeaderCandidate<'a> {
    /// Kind of its terminal (`Unknown` when none).
    pub tty: TtyKind,
    /// Basename of its executable.
    pub name: &'a [u8],
    /// Its parent pid.
    pub ppid: u32,
    /// Basename of its parent's executable, if the parent is known.
    pub parent_name: Option<&'a [u8]>,
}

/// Rule 2: the entry type of a session leader that leads its own entry, or
/// `None` when it must inherit (rule 3) or fall back (rule 4).
pub(crate) fn own_entry_type(c: &LeaderCandidate<'_>) -> Option<EntryType> {
    if c.tty == TtyKind::Tty {
        return Some(EntryType::Terminal);
    }
    if c.tty == TtyKind::Console && c.name == b"login" {
        return Some(EntryType::Console);
    }
    if c.ppid == 1 {
        return Some(EntryType::Init);
    }
    if starts_with_any(c.name, FILTERED_EXECUTABLES) {
        return None;
    }
    let parent = c.parent_name?;
    if c.tty == TtyKind::Pts && parent == b"ssm-session-worker" {
        Some(EntryType::Ssm)
    } else if is_sshd(parent) && !is_sshd(c.name) {
        Some(EntryType::Sshd)
    } else if starts_with_any(parent, CONTAINER_RUNTIMES) {
        Some(EntryType::Container)
    } else {
        None
    }
}

/// Rule 1: processes that never have an entry leader.
pub(crate) fn never_has_entry_leader(pid: u32, ppid: u32) -> bool {
    pid == 1 || pid == 2 || ppid == 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand<'a>(
        tty: TtyKind,
        name: &'a [u8],
        ppid: u32,
        parent: Option<&'a [u8]>,
    ) -> LeaderCandidate<'a> {
        LeaderCandidate {
            tty,
            name,
            ppid,
            parent_name: parent,
        }
    }

    #[test]
    fn rule_order() {
        use EntryType::*;
        // A serial terminal wins over everything else.
        assert_eq!(
            own_entry_type(&cand(TtyKind::Tty, b"bash", 1, Some(b"sshd"))),
            Some(Terminal)
        );
        assert_eq!(
            own_entry_type(&cand(TtyKind::Console, b"login", 77, None)),
            Some(Console)
        );
        assert_eq!(
            own_entry_type(&cand(TtyKind::Console, b"bash", 77, None)),
            None
        );
        assert_eq!(
            own_entry_type(&cand(TtyKind::Unknown, b"runc", 1, None)),
            Some(Init)
        );
        assert_eq!(
            own_entry_type(&cand(TtyKind::Pts, b"bash", 9, Some(b"ssm-session-worker"))),
            Some(Ssm)
        );
        assert_eq!(
            own_entry_type(&cand(
                TtyKind::Unknown,
                b"bash",
                9,
                Some(b"ssm-session-worker")
            )),
            None
        );
        assert_eq!(
            own_entry_type(&cand(TtyKind::Unknown, b"bash", 9, Some(b"sshd"))),
            Some(Sshd)
        );
        assert_eq!(
            own_entry_type(&cand(TtyKind::Unknown, b"bash", 9, Some(b"sshd-session"))),
            Some(Sshd)
        );
        assert_eq!(
            own_entry_type(&cand(TtyKind::Unknown, b"sshd", 9, Some(b"sshd"))),
            None
        );
        assert_eq!(
            own_entry_type(&cand(
                TtyKind::Unknown,
                b"bash",
                9,
                Some(b"containerd-shim-runc-v2")
            )),
            Some(Container)
        );
        assert_eq!(
            own_entry_type(&cand(TtyKind::Unknown, b"sh", 9, Some(b"conmon"))),
            Some(Container)
        );
        // Filtered executables never lead under a runtime.
        assert_eq!(
            own_entry_type(&cand(
                TtyKind::Unknown,
                b"runc",
                9,
                Some(b"containerd-shim")
            )),
            None
        );
        assert_eq!(
            own_entry_type(&cand(TtyKind::Unknown, b"bash", 9, None)),
            None
        );
    }

    #[test]
    fn names() {
        assert_eq!(basename(b"/usr/bin/ls"), b"ls");
        assert_eq!(basename(b"ls"), b"ls");
        assert_eq!(basename(b""), b"");
        assert_eq!(EntryType::Sshd.as_str(), "sshd");
        assert_eq!(
            serde_json::to_string(&EntryType::Container).unwrap(),
            "\"container\""
        );
        assert!(never_has_entry_leader(1, 0));
        assert!(never_has_entry_leader(3, 2));
        assert!(!never_has_entry_leader(3, 1));
    }
}
