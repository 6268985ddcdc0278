//! The real /proc: [`ProcFs`].

use crate::error::{Result, SessionDbError};
use crate::event::Creds;
use crate::source::{split_cmdline, HostInfo, ProcSource, ProcStat, ProcStatus};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

/// Reads the host's /proc (or another procfs mount, for tests).
///
/// `stat` and `status` are read as bytes (one open and one read each) and
/// parsed here; `cmdline`, `environ` and the `exe`/`cwd` links are read as
/// bytes (procfs's `cmdline()` fails on non-UTF-8 arguments); the `procfs`
/// crate gives the boot time and the clock tick rate.
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

    /// A small file of `pid`, parsed by `parse`: one open and (nearly
    /// always) one read into a stack buffer; the whole file when it fills
    /// the buffer.
    fn parsed<T>(
        &self,
        pid: u32,
        file: &str,
        parse: impl Fn(&[u8]) -> Option<T>,
        what: &str,
    ) -> Result<T> {
        let path = self.path(pid, file);
        let mut buf = [0u8; 4096];
        let n = read_small(&path, &mut buf).map_err(|e| io_err(pid, path.clone(), e))?;
        let parsed = if n < buf.len() {
            parse(&buf[..n])
        } else {
            let all = std::fs::read(&path).map_err(|e| io_err(pid, path.clone(), e))?;
            parse(&all)
        };
        parsed.ok_or_else(|| SessionDbError::Parse {
            path,
            what: what.to_string(),
        })
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
        // The on-demand read of every exec'd pid the table never saw.
        self.parsed(pid, "stat", parse_stat, "unexpected stat line")
    }

    fn status(&self, pid: u32) -> Result<ProcStatus> {
        self.parsed(pid, "status", parse_status, "no Uid/Gid lines")
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

/// Reads a small /proc file into `buf`; returns its length (`buf.len()`:
/// maybe more to read). A procfs file made by one `show` (`single_open`)
/// is returned whole by one read when `buf` is large enough
/// (`seq_read_iter` copies up to the record's end), so a short read is
/// the end: no second read for EOF.
fn read_small(path: &std::path::Path, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => {
                n += k;
                if n < buf.len() {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Parses `/proc/PID/stat`: `pid (comm) state ppid pgrp session tty_nr
/// ... starttime(22nd) ...`; `comm` may hold spaces and parentheses, so it
/// ends at the last `)`.
fn parse_stat(raw: &[u8]) -> Option<ProcStat> {
    let open = raw.iter().position(|&b| b == b'(')?;
    let close = raw.iter().rposition(|&b| b == b')')?;
    let comm = raw.get(open + 1..close)?.to_vec();
    let rest = raw.get(close + 1..)?;
    // Fields from `state` (the 3rd) on.
    let mut f = rest
        .split(|&b| b == b' ' || b == b'\n')
        .filter(|t| !t.is_empty());
    let _state = f.next()?;
    let ppid = parse_i64(f.next()?)?;
    let pgrp = parse_i64(f.next()?)?;
    let session = parse_i64(f.next()?)?;
    let tty_nr = parse_i64(f.next()?)?;
    // tpgid (8th) .. itrealvalue (21st), then starttime (22nd).
    let starttime = parse_i64(f.nth(14)?)?;
    Some(ProcStat {
        ppid: id_of(ppid),
        pgrp: id_of(pgrp),
        session: id_of(session),
        tty_nr: tty_nr as u32,
        starttime: u64::try_from(starttime).ok()?,
        comm,
    })
}

/// A pid field of `stat`; negative or oversized values read as 0.
fn id_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

/// A decimal integer, optionally negative.
fn parse_i64(t: &[u8]) -> Option<i64> {
    let (neg, digits) = match t.split_first() {
        Some((b'-', d)) => (true, d),
        _ => (false, t),
    };
    if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits
        .iter()
        .fold(0i64, |n, &b| n * 10 + i64::from(b - b'0'));
    Some(if neg { -n } else { n })
}

/// Parses the `Uid:`, `Gid:` and `Groups:` lines of `/proc/PID/status`
/// (real, effective, saved, filesystem; groups space-separated).
fn parse_status(raw: &[u8]) -> Option<ProcStatus> {
    let mut uids = None;
    let mut gids = None;
    let mut groups = Vec::new();
    for line in raw.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (key, value) = (&line[..colon], &line[colon + 1..]);
        let mut nums = value
            .split(|&b| b == b'\t' || b == b' ')
            .filter(|t| !t.is_empty())
            .map(|t| parse_i64(t).and_then(|v| u32::try_from(v).ok()));
        let mut four = || -> Option<[u32; 4]> {
            Some([nums.next()??, nums.next()??, nums.next()??, nums.next()??])
        };
        match key {
            b"Uid" => uids = four(),
            b"Gid" => gids = four(),
            b"Groups" => groups = nums.collect::<Option<Vec<u32>>>()?,
            _ => {}
        }
        if uids.is_some() && gids.is_some() && key == b"Groups" {
            break;
        }
    }
    let ([uid, euid, suid, fsuid], [gid, egid, sgid, fsgid]) = (uids?, gids?);
    Some(ProcStatus {
        creds: Creds {
            uid,
            euid,
            suid,
            fsuid,
            gid,
            egid,
            sgid,
            fsgid,
        },
        groups,
    })
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
    fn stat_line_with_a_hostile_comm() {
        let line = b"4242 (a) b (c) R 1 4240 4239 34817 4240 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200 18446744073709551615\n";
        let s = parse_stat(line).unwrap();
        assert_eq!(s.comm, b"a) b (c");
        assert_eq!(
            (s.ppid, s.pgrp, s.session, s.tty_nr, s.starttime),
            (1, 4240, 4239, 34817, 987_654)
        );
        assert!(parse_stat(b"4242 (x) R 1 2").is_none());
        assert!(parse_stat(b"4242 x R 1 2 3 4").is_none());
        assert!(parse_stat(b"").is_none());
    }

    #[test]
    fn status_ids_and_groups() {
        let raw = b"Name:\tbash\nUmask:\t0022\nUid:\t1000\t1001\t1002\t1003\nGid:\t10\t11\t12\t13\nFDSize:\t256\nGroups:\t4 24 27 \nNStgid:\t1\n";
        let s = parse_status(raw).unwrap();
        assert_eq!(
            [s.creds.uid, s.creds.euid, s.creds.suid, s.creds.fsuid],
            [1000, 1001, 1002, 1003]
        );
        assert_eq!(
            [s.creds.gid, s.creds.egid, s.creds.sgid, s.creds.fsgid],
            [10, 11, 12, 13]
        );
        assert_eq!(s.groups, vec![4, 24, 27]);
        let none = b"Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\n";
        assert_eq!(parse_status(none).unwrap().groups, Vec::<u32>::new());
        assert!(parse_status(b"Uid:\t0\t0\n").is_none());
        assert!(parse_status(b"Uid:\t0\t0\t0\t0\nGid:\tx\t0\t0\t0\n").is_none());
    }

    /// The raw readers agree with the procfs crate on live processes.
    #[test]
    fn raw_readers_match_procfs() {
        let me = std::process::id();
        let fs = ProcFs::new();
        for pid in [me, 1] {
            let p = procfs::process::Process::new(pid as i32).unwrap();
            let (a, b) = (fs.stat(pid).unwrap(), p.stat().unwrap());
            assert_eq!(
                (a.ppid, a.pgrp, a.session, a.tty_nr, a.starttime, a.comm),
                (
                    id_of(b.ppid.into()),
                    id_of(b.pgrp.into()),
                    id_of(b.session.into()),
                    b.tty_nr as u32,
                    b.starttime,
                    b.comm.into_bytes()
                )
            );
            let (a, b) = (fs.status(pid).unwrap(), p.status().unwrap());
            assert_eq!(
                [a.creds.uid, a.creds.euid, a.creds.suid, a.creds.fsuid],
                [b.ruid, b.euid, b.suid, b.fuid]
            );
            assert_eq!(
                [a.creds.gid, a.creds.egid, a.creds.sgid, a.creds.fsgid],
                [b.rgid, b.egid, b.sgid, b.fgid]
            );
            let groups: Vec<u32> = b.groups.iter().map(|g| *g as u32).collect();
            assert_eq!(a.groups, groups);
        }
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
