//! An in-memory /proc for tests: [`FakeProc`].

use crate::error::{Result, SessionDbError};
use crate::event::{Creds, UNSET_ID};
use crate::source::{HostInfo, ProcSource, ProcStat, ProcStatus};
use std::collections::BTreeMap;

/// One process of a [`FakeProc`]. Build with [`FakeProcess::new`] and the
/// builder methods.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FakeProcess {
    /// `stat` fields.
    pub stat: ProcStat,
    /// `status` fields.
    pub status: ProcStatus,
    /// `exe` link; `None` reads as an error (like a kernel thread).
    pub exe: Option<Vec<u8>>,
    /// `cmdline` arguments.
    pub argv: Vec<Vec<u8>>,
    /// `cwd` link.
    pub cwd: Option<Vec<u8>>,
    /// `loginuid`.
    pub loginuid: u32,
    /// `sessionid`.
    pub sessionid: u32,
    /// `environ`, raw.
    pub environ: Vec<u8>,
}

impl FakeProcess {
    /// A process with the given ids, no terminal, start time 0, root creds.
    pub fn new(ppid: u32, pgrp: u32, session: u32) -> Self {
        FakeProcess {
            stat: ProcStat {
                ppid,
                pgrp,
                session,
                ..Default::default()
            },
            loginuid: UNSET_ID,
            sessionid: UNSET_ID,
            ..Default::default()
        }
    }
    /// Sets `exe` (and `comm`, `argv[0]` from it when unset).
    pub fn exe(mut self, exe: &[u8]) -> Self {
        self.exe = Some(exe.to_vec());
        let base = exe.rsplit(|b| *b == b'/').next().unwrap_or(exe);
        if self.stat.comm.is_empty() {
            self.stat.comm = base.iter().take(15).copied().collect();
        }
        if self.argv.is_empty() {
            self.argv = vec![exe.to_vec()];
        }
        self
    }
    /// Sets `cmdline`.
    pub fn argv(mut self, argv: &[&[u8]]) -> Self {
        self.argv = argv.iter().map(|a| a.to_vec()).collect();
        self
    }
    /// Sets the controlling terminal (`tty_nr` = major << 8 | minor, minor < 256).
    pub fn tty(mut self, major: u32, minor: u32) -> Self {
        self.stat.tty_nr = (major << 8) | (minor & 0xff) | ((minor & !0xff) << 12);
        self
    }
    /// Sets the start time in clock ticks since boot.
    pub fn start_ticks(mut self, ticks: u64) -> Self {
        self.stat.starttime = ticks;
        self
    }
    /// Sets all uids to `uid` and all gids to `gid`.
    pub fn ids(mut self, uid: u32, gid: u32) -> Self {
        self.status.creds = Creds {
            uid,
            euid: uid,
            suid: uid,
            fsuid: uid,
            gid,
            egid: gid,
            sgid: gid,
            fsgid: gid,
        };
        self
    }
    /// Sets the supplementary groups.
    pub fn groups(mut self, groups: &[u32]) -> Self {
        self.status.groups = groups.to_vec();
        self
    }
    /// Sets loginuid and sessionid.
    pub fn login(mut self, loginuid: u32, sessionid: u32) -> Self {
        self.loginuid = loginuid;
        self.sessionid = sessionid;
        self
    }
    /// Sets the working directory.
    pub fn cwd(mut self, cwd: &[u8]) -> Self {
        self.cwd = Some(cwd.to_vec());
        self
    }
    /// Sets the environment from `NAME=value` pairs.
    pub fn env(mut self, vars: &[&[u8]]) -> Self {
        self.environ.clear();
        for v in vars {
            self.environ.extend_from_slice(v);
            self.environ.push(0);
        }
        self
    }
}

/// A fake /proc: a map of pids to [`FakeProcess`] and a [`HostInfo`].
/// Counts reads so tests can assert how often /proc was consulted.
#[derive(Debug, Clone, Default)]
pub struct FakeProc {
    /// The host facts returned by [`ProcSource::host`].
    pub host: HostInfo,
    /// The processes.
    pub processes: BTreeMap<u32, FakeProcess>,
    stat_reads: std::cell::Cell<u64>,
    status_reads: std::cell::Cell<u64>,
}

impl FakeProc {
    /// An empty /proc with a fixed, recognisable host.
    pub fn new() -> Self {
        FakeProc {
            host: HostInfo {
                boot_id: "00000000-0000-4000-8000-000000000001".into(),
                pid_ns_ino: 4_026_531_836,
                btime_secs: 1_700_000_000,
                clock_ticks: 100,
            },
            ..Default::default()
        }
    }
    /// Adds (or replaces) a process.
    pub fn insert(&mut self, pid: u32, p: FakeProcess) -> &mut Self {
        self.processes.insert(pid, p);
        self
    }
    /// Removes a process (it exited).
    pub fn remove(&mut self, pid: u32) -> Option<FakeProcess> {
        self.processes.remove(&pid)
    }
    /// How many `stat` reads were made.
    pub fn stat_reads(&self) -> u64 {
        self.stat_reads.get()
    }
    /// How many `status` reads were made.
    pub fn status_reads(&self) -> u64 {
        self.status_reads.get()
    }
    fn get(&self, pid: u32) -> Result<&FakeProcess> {
        self.processes
            .get(&pid)
            .ok_or(SessionDbError::NoSuchProcess { pid })
    }
}

impl ProcSource for FakeProc {
    fn host(&self) -> Result<HostInfo> {
        Ok(self.host.clone())
    }
    fn pids(&self) -> Result<Vec<u32>> {
        Ok(self.processes.keys().copied().collect())
    }
    fn stat(&self, pid: u32) -> Result<ProcStat> {
        self.stat_reads.set(self.stat_reads.get() + 1);
        Ok(self.get(pid)?.stat.clone())
    }
    fn status(&self, pid: u32) -> Result<ProcStatus> {
        self.status_reads.set(self.status_reads.get() + 1);
        Ok(self.get(pid)?.status.clone())
    }
    fn exe(&self, pid: u32) -> Result<Vec<u8>> {
        self.get(pid)?
            .exe
            .clone()
            .ok_or(SessionDbError::NoSuchProcess { pid })
    }
    fn cmdline(&self, pid: u32) -> Result<Vec<Vec<u8>>> {
        Ok(self.get(pid)?.argv.clone())
    }
    fn cwd(&self, pid: u32) -> Result<Vec<u8>> {
        self.get(pid)?
            .cwd
            .clone()
            .ok_or(SessionDbError::NoSuchProcess { pid })
    }
    fn loginuid(&self, pid: u32) -> Result<u32> {
        Ok(self.get(pid)?.loginuid)
    }
    fn sessionid(&self, pid: u32) -> Result<u32> {
        Ok(self.get(pid)?.sessionid)
    }
    fn environ(&self, pid: u32) -> Result<Vec<u8>> {
        Ok(self.get(pid)?.environ.clone())
    }
}
