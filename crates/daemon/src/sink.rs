//! One output: a file (or standard output) written in buffered chunks,
//! with size rotation, reopen (logrotate), forced rotation, sync policies
//! and write failures that are counted and survived.
//!
//! The caller appends complete lines to [`Sink::buffer`], tells how many
//! events they hold with [`Sink::commit`], and calls [`Sink::maybe_flush`]
//! with the current time: the buffer goes to the file when it holds
//! [`FLUSH_BYTES`] or when [`FLUSH_INTERVAL_MS`] passed since the last
//! write, never once per event.
//!
//! A failed write (ENOSPC, EIO...) drops the buffered events, counts them,
//! cuts the file back to its last complete line, and the next flush tries
//! again; when a write succeeds after failures, [`Sink::take_resumed`]
//! returns what was lost so the caller reports it in the stream.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::config::{DiskAction, Flush, MaxLogFileAction, OutputSpec};
use crate::error::DaemonError;

/// The buffer is written once it holds this many bytes. Each write may
/// be followed by an `fdatasync` (the incremental policies), whose fixed
/// cost (~0.2 ms on ext4 here) made 256 KiB writes twice as costly in
/// CPU as 1 MiB ones; the 100 ms bound below keeps the latency.
pub const FLUSH_BYTES: usize = 1 << 20;
/// ... or once this many milliseconds passed since the last write.
pub const FLUSH_INTERVAL_MS: u64 = 100;
/// Free space is checked at most this often (ms) when `space_left` is set.
const SPACE_CHECK_MS: u64 = 5_000;

/// Counters of one output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SinkCounters {
    /// Events (lines) written.
    pub events_written: u64,
    /// Bytes written.
    pub bytes_written: u64,
    /// Failed writes (each failed flush counts once).
    pub write_errors: u64,
    /// Events dropped because a write failed or the output was suspended.
    pub dropped_events: u64,
    /// Bytes dropped.
    pub dropped_bytes: u64,
    /// Rotations done.
    pub rotations: u64,
    /// Reopens done (SIGHUP).
    pub reopens: u64,
}

/// What was lost during a run of failures, returned once writing works again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resumed {
    /// Events dropped since the first failure.
    pub dropped_events: u64,
    /// Bytes dropped since the first failure.
    pub dropped_bytes: u64,
    /// Failed writes since the first failure.
    pub write_errors: u64,
    /// The last error seen.
    pub last_error: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Writing,
    /// Writes fail; counts since the first failure.
    Failing(Resumed),
    /// `suspend` action: nothing is written until reopen/rotate.
    Suspended(Resumed),
}

/// One output. See the module documentation.
#[derive(Debug)]
pub struct Sink {
    spec: OutputSpec,
    file: File,
    len: u64,
    buf: Vec<u8>,
    buf_events: u64,
    last_flush_ms: u64,
    last_space_check_ms: Option<u64>,
    space_warned: bool,
    size_warned: bool,
    unsynced_events: u64,
    state: State,
    resumed: Option<Resumed>,
    counters: SinkCounters,
    #[cfg(test)]
    inject: Option<i32>,
}

fn open_file(path: &Path, mode: u32) -> io::Result<File> {
    OpenOptions::new()
        .append(true)
        .create(true)
        .mode(mode)
        .open(path)
}

/// `FILE.N`.
pub fn numbered(path: &Path, n: u32) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(format!(".{n}"));
    PathBuf::from(s)
}

impl Sink {
    /// Opens the output (appending to an existing file, created with the
    /// spec's mode) or standard output.
    pub fn open(spec: OutputSpec) -> Result<Sink, DaemonError> {
        let (file, len) = match &spec.path {
            Some(p) => {
                let f = open_file(p, spec.mode).map_err(|source| DaemonError::Output {
                    what: "opening",
                    path: p.clone(),
                    source,
                })?;
                let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                (f, len)
            }
            None => {
                let fd = io::stdout()
                    .as_fd()
                    .try_clone_to_owned()
                    .map_err(|source| DaemonError::Output {
                        what: "duplicating",
                        path: PathBuf::from("<stdout>"),
                        source,
                    })?;
                (File::from(fd), 0)
            }
        };
        Ok(Sink {
            spec,
            file,
            len,
            buf: Vec::with_capacity(FLUSH_BYTES + (64 << 10)),
            buf_events: 0,
            last_flush_ms: 0,
            last_space_check_ms: None,
            space_warned: false,
            size_warned: false,
            unsynced_events: 0,
            state: State::Writing,
            resumed: None,
            counters: SinkCounters::default(),
            #[cfg(test)]
            inject: None,
        })
    }

    /// The settings.
    pub fn spec(&self) -> &OutputSpec {
        &self.spec
    }

    /// A name for logs and reports: the path or `<stdout>`.
    pub fn name(&self) -> String {
        match &self.spec.path {
            Some(p) => p.display().to_string(),
            None => "<stdout>".into(),
        }
    }

    /// The buffer to append complete lines to.
    pub fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Records that `events` lines were appended to the buffer.
    pub fn commit(&mut self, events: u64) {
        self.buf_events += events;
    }

    /// Bytes waiting in the buffer.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The counters.
    pub fn counters(&self) -> SinkCounters {
        self.counters
    }

    /// True while writes fail or the output is suspended.
    pub fn is_degraded(&self) -> bool {
        !matches!(self.state, State::Writing)
    }

    /// After a run of failures, the first successful write makes this
    /// return what was lost (once).
    pub fn take_resumed(&mut self) -> Option<Resumed> {
        self.resumed.take()
    }

    /// Writes the buffer if it is big enough or old enough.
    pub fn maybe_flush(&mut self, now_ms: u64) {
        if self.buf.len() >= FLUSH_BYTES
            || (!self.buf.is_empty()
                && now_ms.saturating_sub(self.last_flush_ms) >= FLUSH_INTERVAL_MS)
        {
            self.flush(now_ms);
        }
    }

    /// Writes the buffer now (rotating first if it would pass the size
    /// limit). Failures are counted, never returned.
    pub fn flush(&mut self, now_ms: u64) {
        self.last_flush_ms = now_ms;
        if self.buf.is_empty() {
            return;
        }
        self.check_space(now_ms);
        if let State::Suspended(r) = &mut self.state {
            r.dropped_events += self.buf_events;
            r.dropped_bytes += self.buf.len() as u64;
            self.counters.dropped_events += self.buf_events;
            self.counters.dropped_bytes += self.buf.len() as u64;
            self.clear_buf();
            return;
        }
        if self.spec.path.is_some()
            && self.spec.max_bytes > 0
            && self.len + self.buf.len() as u64 > self.spec.max_bytes
            && self.len > 0
        {
            self.at_size_limit();
            if matches!(self.state, State::Suspended(_)) {
                return self.flush(now_ms);
            }
        }
        match self.write_buf() {
            Ok(()) => {
                self.counters.events_written += self.buf_events;
                self.counters.bytes_written += self.buf.len() as u64;
                self.unsynced_events += self.buf_events;
                if let State::Failing(r) = std::mem::replace(&mut self.state, State::Writing) {
                    tracing::info!(output = %self.name(), dropped_events = r.dropped_events, write_errors = r.write_errors, "output writable again");
                    self.resumed = Some(r);
                }
                self.sync();
            }
            Err(e) => self.failed(e),
        }
        self.clear_buf();
    }

    fn clear_buf(&mut self) {
        self.buf.clear();
        self.buf_events = 0;
        if self.buf.capacity() > 4 * FLUSH_BYTES {
            self.buf.shrink_to(FLUSH_BYTES + (64 << 10));
        }
    }

    fn write_buf(&mut self) -> io::Result<()> {
        #[cfg(test)]
        if let Some(errno) = self.inject.take() {
            return Err(io::Error::from_raw_os_error(errno));
        }
        let mut done = 0;
        while done < self.buf.len() {
            match self.file.write(&self.buf[done..]) {
                Ok(0) => {
                    self.undo_partial(done);
                    return Err(io::Error::new(io::ErrorKind::WriteZero, "write returned 0"));
                }
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.undo_partial(done);
                    return Err(e);
                }
            }
        }
        self.len += done as u64;
        Ok(())
    }

    /// Cuts a partial write back so the file ends with a complete line.
    fn undo_partial(&mut self, written: usize) {
        if written == 0 || self.spec.path.is_none() {
            return;
        }
        if let Err(e) = self.file.set_len(self.len) {
            tracing::warn!(output = %self.name(), error = %e, "could not cut a partial write back");
            self.len += written as u64;
        }
    }

    fn failed(&mut self, e: io::Error) {
        self.counters.write_errors += 1;
        self.counters.dropped_events += self.buf_events;
        self.counters.dropped_bytes += self.buf.len() as u64;
        let full = e.raw_os_error() == Some(libc::ENOSPC) || e.raw_os_error() == Some(libc::EDQUOT);
        let action = if full {
            self.spec.disk_full_action
        } else {
            self.spec.disk_error_action
        };
        let first = matches!(self.state, State::Writing);
        if first {
            self.state = State::Failing(Resumed::default());
        }
        let (State::Failing(r) | State::Suspended(r)) = &mut self.state else {
            return;
        };
        r.write_errors += 1;
        r.dropped_events += self.buf_events;
        r.dropped_bytes += self.buf.len() as u64;
        r.last_error = e.to_string();
        if first && action != DiskAction::Ignore {
            tracing::warn!(output = %self.name(), error = %e, dropped_events = self.buf_events, "write failed; events are dropped and counted until the output is writable again");
        } else {
            tracing::debug!(output = %self.name(), error = %e, dropped_events = self.buf_events, "write failed");
        }
        if action == DiskAction::Suspend {
            if let State::Failing(r) = std::mem::replace(&mut self.state, State::Writing) {
                tracing::warn!(output = %self.name(), "output suspended until SIGHUP or SIGUSR1");
                self.state = State::Suspended(r);
            }
        }
    }

    fn sync(&mut self) {
        if self.spec.path.is_none() {
            return;
        }
        let r = match self.spec.flush {
            Flush::None => return,
            Flush::Incremental | Flush::IncrementalAsync => {
                if self.unsynced_events < u64::from(self.spec.freq.max(1)) {
                    return;
                }
                self.file.sync_data()
            }
            Flush::Data => self.file.sync_data(),
            Flush::Sync => self.file.sync_all(),
        };
        self.unsynced_events = 0;
        if let Err(e) = r {
            // vfs_fsync_range() answers EINVAL for files that cannot be synced
            // (/dev/null, pipes): nothing was lost, so it is not a write error.
            if e.raw_os_error() == Some(libc::EINVAL) {
                return;
            }
            self.counters.write_errors += 1;
            tracing::warn!(output = %self.name(), error = %e, "sync failed");
        }
    }

    fn at_size_limit(&mut self) {
        match self.spec.max_action {
            MaxLogFileAction::Ignore => {}
            MaxLogFileAction::Syslog => {
                if !self.size_warned {
                    self.size_warned = true;
                    tracing::warn!(output = %self.name(), max_bytes = self.spec.max_bytes, "log file reached max_log_file (max_log_file_action = syslog: writing on)");
                }
            }
            MaxLogFileAction::Suspend => {
                tracing::warn!(output = %self.name(), "log file reached max_log_file: output suspended until SIGHUP or SIGUSR1");
                self.state = State::Suspended(Resumed {
                    last_error: "max_log_file reached (suspend)".into(),
                    ..Default::default()
                });
            }
            MaxLogFileAction::Rotate | MaxLogFileAction::KeepLogs => {
                if let Err(e) = self.rotate_files() {
                    self.counters.write_errors += 1;
                    tracing::warn!(error = %e, "rotation failed; writing on to the current file");
                }
            }
        }
    }

    /// Renames FILE -> FILE.1 -> FILE.2 ... and opens a new FILE.
    fn rotate_files(&mut self) -> Result<(), DaemonError> {
        let Some(path) = self.spec.path.clone() else {
            return Ok(());
        };
        let last = match self.spec.max_action {
            MaxLogFileAction::KeepLogs => {
                let mut n = 1;
                while numbered(&path, n).exists() {
                    n += 1;
                }
                n
            }
            _ => self.spec.num_logs.max(2) - 1,
        };
        let err = |what, p: &Path, source| DaemonError::Output {
            what,
            path: p.to_path_buf(),
            source,
        };
        if self.spec.max_action != MaxLogFileAction::KeepLogs {
            let oldest = numbered(&path, last);
            match std::fs::remove_file(&oldest) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(err("removing", &oldest, e)),
            }
        }
        for n in (1..last).rev() {
            let from = numbered(&path, n);
            match std::fs::rename(&from, numbered(&path, n + 1)) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(err("rotating", &from, e)),
            }
        }
        std::fs::rename(&path, numbered(&path, 1)).map_err(|e| err("rotating", &path, e))?;
        self.counters.rotations += 1;
        self.reopen_file()?;
        tracing::info!(output = %self.name(), "rotated");
        Ok(())
    }

    fn reopen_file(&mut self) -> Result<(), DaemonError> {
        let Some(path) = &self.spec.path else {
            return Ok(());
        };
        let f = open_file(path, self.spec.mode).map_err(|source| DaemonError::Output {
            what: "reopening",
            path: path.clone(),
            source,
        })?;
        self.len = f.metadata().map(|m| m.len()).unwrap_or(0);
        self.file = f;
        self.size_warned = false;
        self.space_warned = false;
        Ok(())
    }

    fn leave_suspend(&mut self) {
        if let State::Suspended(r) = std::mem::replace(&mut self.state, State::Writing) {
            if r.dropped_events > 0 || r.write_errors > 0 {
                self.resumed = Some(r);
            }
        }
    }

    /// SIGHUP: writes the buffer to the current file, then opens the path
    /// again (a file moved away by logrotate is replaced by a new one).
    /// A suspended output resumes. Nothing buffered is lost.
    pub fn reopen(&mut self, now_ms: u64) -> Result<(), DaemonError> {
        self.flush(now_ms);
        self.counters.reopens += 1;
        self.leave_suspend();
        self.reopen_file()
    }

    /// SIGUSR1: writes the buffer, then rotates now (files only).
    pub fn rotate(&mut self, now_ms: u64) -> Result<(), DaemonError> {
        self.flush(now_ms);
        self.leave_suspend();
        self.rotate_files()
    }

    fn check_space(&mut self, now_ms: u64) {
        if self.spec.space_left_bytes == 0 || self.spec.path.is_none() {
            return;
        }
        if let Some(t) = self.last_space_check_ms {
            if now_ms.saturating_sub(t) < SPACE_CHECK_MS {
                return;
            }
        }
        self.last_space_check_ms = Some(now_ms);
        let Some(free) = free_bytes(&self.file) else {
            return;
        };
        if free < self.spec.space_left_bytes {
            if !self.space_warned {
                self.space_warned = true;
                tracing::warn!(output = %self.name(), free_bytes = free, space_left = self.spec.space_left_bytes, "free space on the log's file system is below space_left");
            }
        } else {
            self.space_warned = false;
        }
    }

    #[cfg(test)]
    fn inject_error(&mut self, errno: i32) {
        self.inject = Some(errno);
    }
}

/// Free bytes (for unprivileged users) on the file system holding `file`.
fn free_bytes(file: &File) -> Option<u64> {
    use std::os::fd::AsRawFd;
    let mut st = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: the fd is valid while `file` lives; st is written by the call.
    let rc = unsafe { libc::fstatvfs(file.as_raw_fd(), st.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: fstatvfs returned 0, so st is initialised.
    let st = unsafe { st.assume_init() };
    Some(st.f_bavail.saturating_mul(st.f_frsize))
}

#[cfg(test)]
#[path = "sink_tests.rs"]
mod tests;
