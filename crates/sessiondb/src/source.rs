//! Where process information comes from: the [`ProcSource`] trait.

use crate::error::{Result, SessionDbError};
use crate::event::Creds;

/// Fields of `/proc/PID/stat` the table uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProcStat {
    /// Parent pid.
    pub ppid: u32,
    /// Process group id.
    pub pgrp: u32,
    /// Session id.
    pub session: u32,
    /// Controlling terminal, encoded (`tty_nr`); 0 for none.
    pub tty_nr: u32,
    /// Start time in clock ticks since boot.
    pub starttime: u64,
    /// `comm` (the name between parentheses), as bytes.
    pub comm: Vec<u8>,
}

/// Fields of `/proc/PID/status` the table uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProcStatus {
    /// Uid and Gid lines (real, effective, saved, filesystem).
    pub creds: Creds,
    /// Supplementary groups (`Groups:`).
    pub groups: Vec<u32>,
}

/// Facts about the host (or pid namespace) the processes live in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HostInfo {
    /// `/proc/sys/kernel/random/boot_id`, without the newline.
    pub boot_id: String,
    /// Inode of the pid namespace (`/proc/self/ns/pid`).
    pub pid_ns_ino: u64,
    /// Boot time, seconds since the epoch (`btime` of `/proc/stat`).
    pub btime_secs: u64,
    /// Clock ticks per second (`sysconf(_SC_CLK_TCK)`).
    pub clock_ticks: u64,
}

/// Everything known about one process from /proc at one moment.
///
/// Only `stat` is required; the rest is best effort (a process may exit, or
/// be unreadable, between two reads).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProcSnapshot {
    /// The pid.
    pub pid: u32,
    /// From `stat`.
    pub stat: ProcStat,
    /// From `status`.
    pub status: Option<ProcStatus>,
    /// The `exe` link target, as bytes.
    pub exe: Option<Vec<u8>>,
    /// `cmdline`, split at NUL bytes.
    pub argv: Option<Vec<Vec<u8>>>,
    /// The `cwd` link target.
    pub cwd: Option<Vec<u8>>,
    /// `loginuid` (4294967295 when unset).
    pub loginuid: Option<u32>,
    /// `sessionid` (4294967295 when unset).
    pub sessionid: Option<u32>,
}

/// Read access to /proc (or to a fake of it).
///
/// Every /proc read of the table goes through this trait; tests use
/// [`crate::FakeProc`], replay without /proc uses [`NoProc`], the daemon
/// uses [`crate::ProcFs`]. Methods return [`SessionDbError::NoSuchProcess`]
/// for a pid that does not exist.
pub trait ProcSource {
    /// Boot id, pid namespace inode, boot time and clock ticks.
    fn host(&self) -> Result<HostInfo>;
    /// All pids (thread group ids) present now.
    fn pids(&self) -> Result<Vec<u32>>;
    /// `/proc/PID/stat`.
    fn stat(&self, pid: u32) -> Result<ProcStat>;
    /// `/proc/PID/status`.
    fn status(&self, pid: u32) -> Result<ProcStatus>;
    /// `/proc/PID/exe` link target.
    fn exe(&self, pid: u32) -> Result<Vec<u8>>;
    /// `/proc/PID/cmdline`, split at NUL bytes (bytes, never UTF-8 checked).
    fn cmdline(&self, pid: u32) -> Result<Vec<Vec<u8>>>;
    /// `/proc/PID/cwd` link target.
    fn cwd(&self, pid: u32) -> Result<Vec<u8>>;
    /// `/proc/PID/loginuid`.
    fn loginuid(&self, pid: u32) -> Result<u32>;
    /// `/proc/PID/sessionid`.
    fn sessionid(&self, pid: u32) -> Result<u32>;
    /// `/proc/PID/environ`, raw (NUL-separated `NAME=value`).
    fn environ(&self, pid: u32) -> Result<Vec<u8>>;

    /// Reads everything the table keeps about `pid`. Fails only if `stat`
    /// cannot be read; other parts are `None` when unreadable.
    fn snapshot(&self, pid: u32) -> Result<ProcSnapshot> {
        let stat = self.stat(pid)?;
        Ok(ProcSnapshot {
            pid,
            stat,
            status: self.status(pid).ok(),
            exe: self.exe(pid).ok(),
            argv: self.cmdline(pid).ok(),
            cwd: self.cwd(pid).ok(),
            loginuid: self.loginuid(pid).ok(),
            sessionid: self.sessionid(pid).ok(),
        })
    }

    /// The value of one environment variable of `pid`, if set.
    fn env_var(&self, pid: u32, name: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(find_env_var(&self.environ(pid)?, name))
    }
}

/// Finds `NAME=value` in a NUL-separated environment block.
pub fn find_env_var(environ: &[u8], name: &[u8]) -> Option<Vec<u8>> {
    environ
        .split(|b| *b == 0)
        .filter_map(|kv| kv.strip_prefix(name)?.strip_prefix(b"="))
        .next()
        .map(<[u8]>::to_vec)
}

/// Splits `/proc/PID/cmdline` content into arguments.
///
/// Arguments are NUL-terminated; a missing final NUL (a process that
/// rewrote its argv) still yields the last argument.
pub fn split_cmdline(raw: &[u8]) -> Vec<Vec<u8>> {
    let body = raw.strip_suffix(b"\0").unwrap_or(raw);
    if body.is_empty() {
        return Vec::new();
    }
    body.split(|b| *b == 0).map(<[u8]>::to_vec).collect()
}

/// A source with no /proc at all: every read fails with
/// [`SessionDbError::Unavailable`]. For replay built from events alone.
#[derive(Debug, Clone, Default)]
pub struct NoProc {
    /// What [`ProcSource::host`] returns.
    pub host: HostInfo,
}

impl ProcSource for NoProc {
    fn host(&self) -> Result<HostInfo> {
        Ok(self.host.clone())
    }
    fn pids(&self) -> Result<Vec<u32>> {
        Err(SessionDbError::Unavailable)
    }
    fn stat(&self, _: u32) -> Result<ProcStat> {
        Err(SessionDbError::Unavailable)
    }
    fn status(&self, _: u32) -> Result<ProcStatus> {
        Err(SessionDbError::Unavailable)
    }
    fn exe(&self, _: u32) -> Result<Vec<u8>> {
        Err(SessionDbError::Unavailable)
    }
    fn cmdline(&self, _: u32) -> Result<Vec<Vec<u8>>> {
        Err(SessionDbError::Unavailable)
    }
    fn cwd(&self, _: u32) -> Result<Vec<u8>> {
        Err(SessionDbError::Unavailable)
    }
    fn loginuid(&self, _: u32) -> Result<u32> {
        Err(SessionDbError::Unavailable)
    }
    fn sessionid(&self, _: u32) -> Result<u32> {
        Err(SessionDbError::Unavailable)
    }
    fn environ(&self, _: u32) -> Result<Vec<u8>> {
        Err(SessionDbError::Unavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmdline_split() {
        assert_eq!(split_cmdline(b""), Vec::<Vec<u8>>::new());
        assert_eq!(
            split_cmdline(b"ls\0-l\0"),
            vec![b"ls".to_vec(), b"-l".to_vec()]
        );
        assert_eq!(
            split_cmdline(b"a\0\0b\0"),
            vec![b"a".to_vec(), vec![], b"b".to_vec()]
        );
        assert_eq!(
            split_cmdline(b"sshd: root@pts/0"),
            vec![b"sshd: root@pts/0".to_vec()]
        );
        assert_eq!(split_cmdline(b"\xff\xfe\0"), vec![b"\xff\xfe".to_vec()]);
    }

    #[test]
    fn env_lookup() {
        let env = b"A=1\0SSH_CONNECTION=10.0.0.1 5555 10.0.0.2 22\0SSH=x\0";
        assert_eq!(
            find_env_var(env, b"SSH_CONNECTION"),
            Some(b"10.0.0.1 5555 10.0.0.2 22".to_vec())
        );
        assert_eq!(find_env_var(env, b"SSH"), Some(b"x".to_vec()));
        assert_eq!(find_env_var(env, b"B"), None);
    }

    #[test]
    fn no_proc_is_unavailable() {
        let p = NoProc::default();
        assert!(matches!(p.snapshot(1), Err(SessionDbError::Unavailable)));
        assert!(p.host().is_ok());
    }
}
