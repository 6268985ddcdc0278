//! Test support (cargo feature `testkit`): a guard for tests against the
//! live kernel, and fake kernels for everything a live test must not do.
//!
//! ```no_run
//! # #[cfg(feature = "testkit")] {
//! use audit_client::testkit::LiveKernel;
//! let Some(mut kernel) = LiveKernel::acquire("my_test").unwrap() else { return };
//! let status = kernel.control().get_status().unwrap();
//! # let _ = status; }
//! ```

pub mod scripted;
pub mod sim;

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;

use crate::control::AuditControl;
use crate::error::{process_comm, Error};
use crate::status::{AuditStatus, StatusChange};
use crate::transport::NetlinkTransport;

pub use scripted::{Request, ScriptedPeer};
pub use sim::{build_ack, build_event, build_message, SimKernel};

/// The lock file serializing live-kernel tests across test binaries (the
/// same file `flock /run/lock/auditrs-live.lock <cmd>` uses by hand).
pub const LIVE_LOCK_PATH: &str = "/run/lock/auditrs-live.lock";

/// Exclusive use of the live kernel's audit state for one test.
///
/// [`LiveKernel::acquire`] takes the global lock, snapshots the status and
/// the rule list; dropping the guard (also while unwinding from a failed
/// assertion) deletes the rules the test added, re-adds the ones it
/// deleted, restores `enabled`, `failure`, `backlog_limit`, `rate_limit`
/// and `backlog_wait_time`, and unregisters this process if it is the
/// audit daemon. Its control client refuses (panics on) `enabled=2` and
/// `failure=2`.
#[derive(Debug)]
pub struct LiveKernel {
    control: AuditControl<NetlinkTransport>,
    snapshot: AuditStatus,
    rules: Vec<Vec<u8>>,
    test_name: String,
    _lock: File,
}

/// Skips (returns `None`) with `reason`, or panics under `CI=true`.
fn skip(test_name: &str, reason: &str) -> Option<LiveKernel> {
    skip_or_fail(
        test_name,
        reason,
        std::env::var("CI").map(|v| v == "true").unwrap_or(false),
    )
}

fn skip_or_fail(test_name: &str, reason: &str, ci: bool) -> Option<LiveKernel> {
    if ci {
        panic!("live test {test_name} cannot run under CI=true: {reason}");
    }
    eprintln!("SKIP live test {test_name}: {reason}");
    None
}

impl LiveKernel {
    /// Acquires the live kernel for `test_name`.
    ///
    /// - `Ok(None)`: skipped (printed reason): not root, the kernel has no
    ///   audit support, or the kernel refuses us (no `CAP_AUDIT_CONTROL`,
    ///   not in the initial namespaces). Under `CI=true` this panics.
    /// - `Err(Error::AnotherDaemon { pid, comm })`: another process holds
    ///   the audit pid (tests would disturb it).
    /// - Other errors: the lock file or the kernel failed.
    ///
    /// Blocks until other live tests (in any process) release the lock.
    pub fn acquire(test_name: &str) -> Result<Option<LiveKernel>, Error> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Ok(skip(test_name, "not running as root"));
        }
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(LIVE_LOCK_PATH)
            .map_err(|e| Error::io("opening the live-test lock file", e))?;
        loop {
            // SAFETY: the fd is valid while `lock` lives.
            let rc = unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) };
            if rc == 0 {
                break;
            }
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(Error::io("locking the live-test lock file", e));
            }
        }
        let mut control = match AuditControl::open() {
            Ok(c) => c,
            Err(Error::Unsupported { source }) => {
                return Ok(skip(
                    test_name,
                    &format!("kernel has no audit support: {source}"),
                ))
            }
            Err(e) => return Err(e),
        };
        let snapshot = match control.get_status() {
            Ok(s) => s,
            Err(e @ Error::PermissionDenied { .. }) => return Ok(skip(test_name, &e.to_string())),
            Err(e) => return Err(e),
        };
        if snapshot.pid != 0 && snapshot.pid != std::process::id() {
            return Err(Error::AnotherDaemon {
                pid: snapshot.pid,
                comm: process_comm(snapshot.pid),
            });
        }
        let rules = control.list_rules()?;
        control.set_live_guard(true);
        Ok(Some(LiveKernel {
            control,
            snapshot,
            rules,
            test_name: test_name.to_string(),
            _lock: lock,
        }))
    }

    /// The guarded control client.
    pub fn control(&mut self) -> &mut AuditControl<NetlinkTransport> {
        &mut self.control
    }

    /// The status when the guard was acquired.
    pub fn snapshot(&self) -> &AuditStatus {
        &self.snapshot
    }

    /// The rules loaded when the guard was acquired.
    pub fn snapshot_rules(&self) -> &[Vec<u8>] {
        &self.rules
    }

    fn restore(&mut self) -> Vec<String> {
        let mut problems = Vec::new();
        match self.control.list_rules() {
            Ok(now) => {
                for r in now.iter().filter(|r| !self.rules.contains(r)) {
                    if let Err(e) = self.control.delete_rule(r) {
                        problems.push(format!("deleting a rule added by the test: {e}"));
                    }
                }
                for r in self.rules.iter().filter(|r| !now.contains(r)) {
                    if let Err(e) = self.control.add_rule(r) {
                        problems.push(format!("re-adding a rule deleted by the test: {e}"));
                    }
                }
            }
            Err(e) => problems.push(format!("listing rules: {e}")),
        }
        match self.control.get_status() {
            Ok(now) => {
                let s = &self.snapshot;
                let diff = |a: u32, b: u32| (a != b).then_some(a);
                let change = StatusChange {
                    enabled: diff(s.enabled, now.enabled),
                    failure: diff(s.failure, now.failure),
                    rate_limit: diff(s.rate_limit, now.rate_limit),
                    backlog_limit: diff(s.backlog_limit, now.backlog_limit),
                    backlog_wait_time: match (s.backlog_wait_time, now.backlog_wait_time) {
                        (Some(a), Some(b)) if a != b => Some(a),
                        _ => None,
                    },
                    ..Default::default()
                };
                if !change.is_empty() {
                    if let Err(e) = self.control.set_status(&change) {
                        problems.push(format!("restoring status {change:?}: {e}"));
                    }
                }
                if now.pid == std::process::id() {
                    if let Err(e) = self.control.unregister() {
                        problems.push(format!("unregistering: {e}"));
                    }
                }
            }
            Err(e) => problems.push(format!("reading status: {e}")),
        }
        problems
    }
}

impl Drop for LiveKernel {
    fn drop(&mut self) {
        let problems = self.restore();
        if problems.is_empty() {
            return;
        }
        let msg = format!(
            "live test {}: could not restore the kernel's audit state: {}",
            self.test_name,
            problems.join("; ")
        );
        if std::thread::panicking() {
            eprintln!("{msg}");
        } else {
            panic!("{msg}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_outside_ci_returns_none() {
        assert!(skip_or_fail("t", "not root", false).is_none());
    }

    #[test]
    #[should_panic(expected = "cannot run under CI=true: not root")]
    fn skip_under_ci_fails() {
        let _ = skip_or_fail("t", "not root", true);
    }
}
