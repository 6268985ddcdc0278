//! The real /proc: [`ProcFs`].

use crate::error::{Result, SessionDbError};
use crate::event::Creds;
use crate::source::{split_cmdline, HostInfo, ProcSource, ProcStat, ProcStatus};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// Reads the host's /proc (or another procfs mount, for tests).
///
/// `stat` and `status` are parsed with the `procfs` crate; `cmdline`,
/// `environ` and the `exe`/`cwd` links are read as bytes (procfs's
/// `cmdline()` fails on non-UTF-8 arguments).
#[derive(Debug, Clone)]
pub struct ProcFs {
    root: PathBuf,
}

impl Default for ProcFs {
    fn default() -> Self {
        Self::new()
    }
}

impl ProcFs {
    /// The host's `/proc`.
    pub fn new() -> Self {
        ProcFs {
            root: PathBuf::from("/proc"),
        }
    }

    fn path(&self, pid: u32, file: &str) -> PathBuf {
        self.root.join(pid.to_string()).join(file)
    }

    fn process(&self, pid: u32) -> Result<procfs::process::Process> {
        procfs::process::Process::new_with_root(self.root.join(pid.to_string()))
            .map_err(|e| map_proc_err(pid, &self.path(pid, ""), e))
    }

    fn read(&self, pid: u32, file: &str) -> Result<Vec<u8>> {
        let path = self.path(pid, file);
        std::fs::read(&path).map_err(|e| io_err(pid, path, e))
    }

    fn link(&self, pid: u32, file: &str) -> Result<Vec<u8>> {
        let path = self.path(pid, file);
        std::fs::read_link(&path)
            .map(|p| p.as_os_str().as_bytes().to_vec())
            .map_err(|e| io_err(pid, path, e))
    }

    fn read_u32(&self, pid: u32, file: &str) -> Result<u32> {
        let raw = self.read(pid, file)?;
        parse_u32_text(&raw).ok_or_else(|| SessionDbError::Parse {
            path: self.path(pid, file),
            what: format!("not a number: {:?}", String::from_utf8_lossy(&raw)),
        })
    }
}

fn parse_u32_text(raw: &[u8]) -> Option<u32> {
    std::str::from_utf8(raw).ok()?.trim().parse().ok()
}

fn io_err(pid: u32, path: PathBuf, e: std::io::Error) -> SessionDbError {
    if e.kind() == std::io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ESRCH) {
        SessionDbError::NoSuchProcess { pid }
    } else {
        SessionDbError::Io { path, source: e }
    }
}

fn map_proc_err(pid: u32, path: &std::path::Path, e: procfs::ProcError) -> SessionDbError {
    match e {
        procfs::ProcError::NotFound(_) => SessionDbError::NoSuchProcess { pid },
        procfs::ProcError::Io(source, _) => io_err(pid, path.to_path_buf(), source),
        other => SessionDbError::Parse {
            path: path.to_path_buf(),
            what: other.to_string(),
        },
    }
}

/// A pid field of `stat`; negative values (never seen in practice) read as 0.
fn id(v: i32) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

impl ProcSource for ProcFs {
    fn host(&self) -> Result<HostInfo> {
        let boot_path = PathBuf::from("/proc/sys/kernel/random/boot_id");
        let boot_id = std::fs::read_to_string(&boot_path)
            .map_err(|source| SessionDbError::Io {
                path: boot_path,
                source,
            })?
            .trim()
            .to_string();
        let ns_path = self.root.join("self/ns/pid");
        let link = std::fs::read_link(&ns_path).map_err(|source| SessionDbError::Io {
            path: ns_path.clone(),
            source,
        })?;
        let pid_ns_ino =
            parse_ns_link(link.as_os_str().as_bytes()).ok_or_else(|| SessionDbError::Parse {
                path: ns_path,
                what: format!("unexpected link {link:?}"),
            })?;
        let btime_secs = procfs::boot_time_secs().map_err(|e| map_proc_err(0, &self.root, e))?;
        Ok(HostInfo {
            boot_id,
            pid_ns_ino,
            btime_secs,
            clock_ticks: procfs::ticks_per_second(),
        })
    }

    fn pids(&self) -> Result<Vec<u32>> {
        let rd = std::fs::read_dir(&self.root).map_err(|source| SessionDbError::Io {
            path: self.root.clone(),
            source,
        })?;
        let mut pids: Vec<u32> = rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .collect();
        pids.sort_unstable();
        Ok(pids)
    }

    fn stat(&self, pid: u32) -> Result<ProcStat> {
        let s = self
            .process(pid)?
            .stat()
            .map_err(|e| map_proc_err(pid, &self.path(pid, "stat"), e))?;
        Ok(ProcStat {
            ppid: id(s.ppid),
            pgrp: id(s.pgrp),
            session: id(s.session),
            tty_nr: s.tty_nr as u32,
            starttime: s.starttime,
            comm: s.comm.into_bytes(),
        })
    }

    fn status(&self, pid: u32) -> Result<ProcStatus> {
        let s = self
            .process(pid)?
            .status()
            .map_err(|e| map_proc_err(pid, &self.path(pid, "status"), e))?;
        Ok(ProcStatus {
            creds: Creds {
                uid: s.ruid,
                euid: s.euid,
                suid: s.suid,
                fsuid: s.fuid,
                gid: s.rgid,
                egid: s.egid,
                sgid: s.sgid,
                fsgid: s.fgid,
            },
            groups: s
                .groups
                .iter()
                .filter_map(|g| u32::try_from(*g).ok())
                .collect(),
        })
    }

    fn exe(&self, pid: u32) -> Result<Vec<u8>> {
        self.link(pid, "exe")
    }

    fn cmdline(&self, pid: u32) -> Result<Vec<Vec<u8>>> {
        Ok(split_cmdline(&self.read(pid, "cmdline")?))
    }

    fn cwd(&self, pid: u32) -> Result<Vec<u8>> {
        self.link(pid, "cwd")
    }

    fn loginuid(&self, pid: u32) -> Result<u32> {
        self.read_u32(pid, "loginuid")
    }

    fn sessionid(&self, pid: u32) -> Result<u32> {
        self.read_u32(pid, "sessionid")
    }

    fn environ(&self, pid: u32) -> Result<Vec<u8>> {
        self.read(pid, "environ")
    }
}

/// Parses `pid:[4026531836]`.
fn parse_ns_link(link: &[u8]) -> Option<u64> {
    let inner = link.strip_prefix(b"pid:[")?.strip_suffix(b"]")?;
    std::str::from_utf8(inner).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ns_link() {
        assert_eq!(parse_ns_link(b"pid:[4026531836]"), Some(4_026_531_836));
        assert_eq!(parse_ns_link(b"net:[1]"), None);
        assert_eq!(parse_ns_link(b"pid:[x]"), None);
    }

    #[test]
    fn u32_text() {
        assert_eq!(parse_u32_text(b"4294967295\n"), Some(u32::MAX));
        assert_eq!(parse_u32_text(b"12"), Some(12));
        assert_eq!(parse_u32_text(b"-1"), None);
    }

    #[test]
    fn missing_pid_is_no_such_process() {
        // pid_max is at most 2^22, so this pid cannot exist.
        let p = ProcFs::new();
        assert!(matches!(
            p.stat(4_294_000_000),
            Err(SessionDbError::NoSuchProcess { .. })
        ));
        assert!(matches!(
            p.cmdline(4_294_000_000),
            Err(SessionDbError::NoSuchProcess { .. })
        ));
    }
}
