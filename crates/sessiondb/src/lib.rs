//! Process and session database (ECS RFC 0030 Linux event model).
//!
//! A process table seeded from /proc at start and kept current from the
//! audit event stream, which answers, for every event, who the process is
//! and where it comes from: parent, process group leader, session leader
//! and entry leader (how the user got in: ssh, console, container, init...).
//!
//! # Use (the wiring)
//!
//! ```
//! use sessiondb::{Config, FakeProc, FakeProcess, Observation, ProcessChange, ProcessEvent, SessionDb, Time};
//!
//! // The daemon passes `ProcFs::new()`; replay without /proc passes
//! // `NoProc` (with `SessionDb::with_host`) and `proc_lookups: false`.
//! let mut proc = FakeProc::new();
//! proc.insert(1, FakeProcess::new(0, 1, 1).exe(b"/sbin/init"));
//! let mut db = SessionDb::new(proc, Config::default()).unwrap();
//! db.seed_from_proc(Time::from_secs(1_700_000_100)).unwrap();
//!
//! // One call per audit event, in stream order:
//! let view = db.apply(&ProcessEvent {
//!     time: Time::from_audit(1_700_000_101, 5),
//!     observed: Some(Observation { pid: 1, ppid: Some(0), ..Default::default() }),
//!     change: Some(ProcessChange::Fork { child_pid: 400, thread: Some(false) }),
//! });
//! let json = serde_json::to_value(view.unwrap()).unwrap(); // the event's "process"
//! assert_eq!(json["pid"], 1);
//! assert!(db.view(400).is_some());
//!
//! // The hot path borrows the view instead (nothing copied): a writer
//! // reads the fields straight from the table's entries.
//! let pid = db.apply_with(
//!     &ProcessEvent { time: Time::from_audit(1_700_000_102, 0), observed: Some(Observation { pid: 400, ppid: Some(1), ..Default::default() }), change: None },
//!     |v| v.map(|v| (v.process.pid(), v.parent.map(|p| p.target.pid))),
//! );
//! assert_eq!(pid, Some((400, Some(1))));
//! ```
//!
//! Translation of a reassembled audit event into a [`ProcessEvent`]:
//!
//! * `time`: the event's `audit(SECS.MILLIS:…)` ([`Time::from_audit`]).
//! * `observed`: from the SYSCALL record: `pid`, `ppid`, the eight ids,
//!   `auid`, `ses`, `tty` ([`parse_audit_tty`]), `comm`, `exe` (decoded
//!   bytes). From a user-space record (USER_*, LOGIN...): `pid`, `uid`
//!   (leave `creds` `None` unless all ids are known), `auid`, `ses`.
//!   Every event with a pid should be observed, even unrelated ones: that is
//!   how short-lived processes are known without fork records.
//! * `change`: [`ProcessChange::from_syscall`] does the mapping below from
//!   the syscall's name, `success`, `exit`, `a0`, `a1` (then fill `argv`
//!   and `cwd` of an exec from the EXECVE records, joined, and the CWD
//!   record). Only successful syscalls change anything:
//!   - fork, vfork, clone (exit > 0): [`ProcessChange::Fork`] with
//!     `child_pid = exit`, `thread = Some(a0 & CLONE_THREAD (0x10000) != 0)`
//!     for clone, `Some(false)` for fork/vfork, `None` for clone3;
//!   - execve, execveat: [`ProcessChange::Exec`] with the EXECVE arguments
//!     and the CWD record's `cwd` (the SYSCALL's `exe`/`comm` are the new image);
//!   - setsid: [`ProcessChange::Setsid`];
//!   - setpgid: [`ProcessChange::Setpgid`] `{ target: a0, pgid: a1 }`;
//!   - exit_group: [`ProcessChange::Exit`] `{ code: a0 as i32 }`;
//!   - USER_LOGIN / USER_START with `res=success` and an `addr` other than
//!     `?`: [`ProcessChange::Login`].
//!
//! [`SessionDb::apply`] returns the event's `process` object (for a fork,
//! the caller's; [`SessionDb::view`] gives the child's); add
//! [`SessionDb::host`] as `host.boot.id` / `host.pid_ns_ino` to every event
//! ([`HostFields`] serializes that shape). Call [`SessionDb::maintain`]
//! when idle (apply calls it too); read [`SessionDb::stats`] for counters.
//!
//! # Memory
//!
//! An exited process stays while needed: while an entry refers to it as
//! parent or entry leader, while processes are in its session or group, and
//! for a grace period for late events ([`Config::grace_nanos`], 5 s). Two
//! hard limits, [`Config::max_entries`] (32,768) and [`Config::max_bytes`]
//! (12 MiB of entries, allocator overhead included), evict the oldest dead
//! entries first (at high exec rates this shortens the grace period), then
//! live entries that /proc says are gone, then the least recently seen.
//! There is no periodic /proc scan: /proc is read once at start, for a pid
//! never seen, for eviction candidates when only live entries remain, and
//! (one `stat` each, [`Config::liveness_nanos`], 30 s) for live entries
//! silent that long, so that a process that ended without an exit_group
//! record (killed by a signal) is marked dead ([`Stats::ended_unseen`]).
//!
//! Measured with `cargo run --release -p sessiondb --example churn --
//! 1000000 10000` (one million fork/exec/exit at 10,000 per second of
//! event time): the table peaked at 12.0 MiB accounted, the example's
//! whole RSS at about 16 MB, and it shrank to the 2 live processes after
//! the grace period. `cargo bench -p sessiondb`: about 3 us per event
//! (apply with its view) and 8 us for a view serialized to JSON.
//!
//! # Bytes
//!
//! Kernel data stays bytes until serialization; see [`text`] for the
//! lossless text convention.

mod borrowed;
mod entity;
mod entry;
mod error;
mod event;
mod fake;
mod int_hash;
mod leader;
mod proc_fs;
mod source;
mod table;
pub mod text;
mod time;
mod tty;
mod update;
mod view;

pub use borrowed::{
    EntryMetaRef, LinkRef, LinkTarget, PreviousRef, ProcessRef, RelatedRef, ViewRef,
};
pub use entity::entity_id;
pub use error::{Result, SessionDbError};
pub use event::{Creds, Observation, ProcessChange, ProcessEvent, UNSET_ID};
pub use fake::{FakeProc, FakeProcess};
pub use leader::EntryType;
pub use proc_fs::ProcFs;
pub use source::{
    find_env_var, split_cmdline, HostInfo, NoProc, ProcSnapshot, ProcSource, ProcStat, ProcStatus,
};
pub use table::{Config, SessionDb, Stats};
pub use time::{Time, RFC3339_LEN};
pub use tty::{parse_audit_tty, TtyDev, TtyKind};
pub use view::{
    EntryMeta, EntrySource, Id, PreviousImage, ProcessFields, ProcessLink, ProcessView,
    RelatedProcess, Tty,
};

/// `host.boot.id` and `host.pid_ns_ino`, serializable as the ECS `host`
/// fields this crate owns: `{"boot": {"id": …}, "pid_ns_ino": …}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HostFields {
    /// `boot`.
    pub boot: HostBoot,
    /// `pid_ns_ino`.
    pub pid_ns_ino: u64,
}

/// `host.boot`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HostBoot {
    /// `id`.
    pub id: String,
}

impl HostInfo {
    /// The ECS `host` fields of this host.
    pub fn fields(&self) -> HostFields {
        HostFields {
            boot: HostBoot {
                id: self.boot_id.clone(),
            },
            pid_ns_ino: self.pid_ns_ino,
        }
    }
}
