//! One row of the process table (internal).

use crate::event::Creds;
use crate::leader::{basename, EntryType};
use crate::time::Time;
use crate::tty::TtyDev;

/// Identifies an entry; never reused, so a stale key finds nothing.
pub(crate) type Key = u64;

/// One program image of a process: what it ran between two execs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Image {
    pub exe: Vec<u8>,
    pub argv: Option<Vec<Vec<u8>>>,
    pub cwd: Option<Vec<u8>>,
    pub comm: Option<Vec<u8>>,
}

impl Image {
    /// `process.name`: the executable's basename, else `comm`.
    pub fn name(&self) -> &[u8] {
        let b = basename(&self.exe);
        if b.is_empty() {
            self.comm.as_deref().unwrap_or_default()
        } else {
            b
        }
    }

    /// Heap bytes of the image, allocator overhead included.
    pub fn heap_bytes(&self) -> usize {
        alloc(self.exe.capacity())
            + self.cwd.as_ref().map_or(0, |v| alloc(v.capacity()))
            + self.comm.as_ref().map_or(0, |v| alloc(v.capacity()))
            + self.argv.as_ref().map_or(0, |a| {
                alloc(a.capacity() * std::mem::size_of::<Vec<u8>>())
                    + a.iter().map(|x| alloc(x.capacity())).sum::<usize>()
            })
    }
}

/// A process (one pid during one lifetime; exec keeps the entry).
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub pid: u32,
    /// 0 when unknown.
    pub ppid: u32,
    pub pgid: Option<u32>,
    pub sid: Option<u32>,
    /// The parent entry, when known (follows reparenting).
    pub parent: Option<Key>,
    pub start: Time,
    /// False when `start` is only the time the process was first seen.
    pub start_exact: bool,
    /// `starttime` from /proc, to tell a live process from a reused pid.
    pub start_ticks: Option<u64>,
    pub creds: Option<Creds>,
    pub groups: Option<Vec<u32>>,
    pub auid: Option<u32>,
    pub ses: Option<u32>,
    pub tty: Option<TtyDev>,
    pub image: Image,
    /// Earlier images, oldest first.
    pub previous: Vec<Image>,
    pub end: Option<Time>,
    pub exit_code: Option<i32>,
    /// When the table learned the process is gone.
    pub dead_since: Option<Time>,
    pub entry_leader: Option<Key>,
    /// Set when this entry is (or was made) an entry leader.
    pub entry_type: Option<EntryType>,
    /// `entry_meta.source.ip` of an sshd entry leader.
    pub source_ip: Option<Vec<u8>>,
    /// `addr` of a login record this process emitted.
    pub login_addr: Option<Vec<u8>>,
    /// A fork record created or confirmed this entry.
    pub fork_seen: bool,
    /// A clone3 child not yet confirmed by an event of its own.
    pub tentative: bool,
    /// The executable was read from /proc and no record has named it yet.
    pub exe_from_proc: bool,
    /// The process was reparented (orphaned to init or a subreaper) after
    /// its entry leader was set: a later exec keeps that entry leader.
    pub reparented: bool,
    pub last_seen: Time,
    /// Entries referring to this one (as parent or entry leader).
    pub refs: u32,
    /// What [`Entry::heap_bytes`] was when the table last accounted it.
    pub accounted: usize,
    /// Stamp of the fields a [`crate::ProcessRef`] shows (pid, start,
    /// image, tty, ids, groups): a new [`next_revision`] whenever one of
    /// them changes, so that a writer can keep their rendering.
    pub revision: u64,
}

/// A revision stamp never handed out before (in this process: unique
/// across entries and tables).
pub(crate) fn next_revision() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Entry {
    /// Marks the shown fields as changed.
    pub fn revise(&mut self) {
        self.revision = next_revision();
    }

    pub fn is_live(&self) -> bool {
        self.dead_since.is_none()
    }

    /// Heap bytes of the entry (boxed), allocator overhead included.
    pub fn heap_bytes(&self) -> usize {
        alloc(std::mem::size_of::<Entry>())
            + self.image.heap_bytes()
            + alloc(self.previous.capacity() * std::mem::size_of::<Image>())
            + self.previous.iter().map(Image::heap_bytes).sum::<usize>()
            + self.groups.as_ref().map_or(0, |g| alloc(g.capacity() * 4))
            + self.source_ip.as_ref().map_or(0, |v| alloc(v.capacity()))
            + self.login_addr.as_ref().map_or(0, |v| alloc(v.capacity()))
    }
}

/// What an allocation of `n` bytes costs with a malloc like glibc's (16-byte
/// granularity, 8 bytes of header, 32 bytes at least); 0 for no allocation.
fn alloc(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        ((n + 8 + 15) & !15).max(32)
    }
}
