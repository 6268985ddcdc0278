//! The process table: storage, references between entries, and bounded
//! memory (grace period, hard cap, eviction).

use crate::entity::EntityIds;
use crate::entry::{Entry, Key};
use crate::error::{Result, SessionDbError};
use crate::source::{HostInfo, ProcSource};
use crate::time::Time;
use std::collections::VecDeque;

use crate::int_hash::IntMap;

/// Tuning of a [`SessionDb`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Hard cap on entries (live and dead). Beyond it the oldest dead entries
    /// are evicted first, then live entries that /proc says are gone, then
    /// the least recently seen.
    pub max_entries: usize,
    /// How long an exited process stays for late events, nanoseconds.
    pub grace_nanos: u64,
    /// Cap on the approximate heap bytes of all entries (arguments can be
    /// long); enforced like `max_entries`.
    pub max_bytes: usize,
    /// How many earlier images (`process.previous`) are kept per process.
    pub max_previous: usize,
    /// How many login addresses (by audit session id) are kept.
    pub max_logins: usize,
    /// Read /proc for pids never seen (the daemon: true; replay from events
    /// alone: false, or use [`crate::NoProc`]).
    pub proc_lookups: bool,
    /// How many ancestors one on-demand lookup may import.
    pub max_ancestor_lookups: usize,
    /// A live entry silent for this long (nanoseconds) is checked against
    /// /proc (one `stat` read of its pid, not a scan): processes that end
    /// without an exit_group record (killed by a signal, exit record lost)
    /// are then marked dead. Only with `proc_lookups`.
    pub liveness_nanos: u64,
    /// At most this many such checks per [`SessionDb::maintain`] call.
    pub max_liveness_checks: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_entries: 32_768,
            max_bytes: 12 << 20,
            grace_nanos: 5_000_000_000,
            max_previous: 8,
            max_logins: 1024,
            proc_lookups: true,
            max_ancestor_lookups: 16,
            liveness_nanos: 30_000_000_000,
            max_liveness_checks: 64,
        }
    }
}

/// Counters of a [`SessionDb`] (see [`SessionDb::stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Stats {
    /// Entries now in the table (live and dead).
    pub entries: usize,
    /// Of which exited (kept for descendants, leaders or late events).
    pub dead: usize,
    /// Approximate heap bytes of the entries.
    pub approx_bytes: usize,
    /// Entries ever created.
    pub inserted: u64,
    /// Entries removed after their grace period, no longer needed.
    pub freed: u64,
    /// Dead entries evicted early because of the cap.
    pub evicted_dead: u64,
    /// Live entries evicted by the cap after /proc said they were gone.
    pub evicted_gone: u64,
    /// Live entries evicted by the cap although possibly alive.
    pub evicted_live: u64,
    /// /proc reads of a pid (stat plus the rest).
    pub proc_lookups: u64,
    /// Of which failed (process gone, no /proc, unreadable).
    pub proc_lookup_failures: u64,
    /// Live entries replaced by a new process with the same pid (exit missed).
    pub missed_exits: u64,
    /// Live entries found gone in /proc by the liveness check (their end
    /// was not recorded: killed by a signal, or its record lost).
    pub ended_unseen: u64,
    /// Clone records of threads, ignored.
    pub threads_ignored: u64,
    /// clone3 children never confirmed, dropped.
    pub tentative_dropped: u64,
    /// Login addresses kept.
    pub logins: usize,
}

/// The process and session database.
///
/// Feed it one [`crate::ProcessEvent`] per audit event with
/// [`SessionDb::apply`]; it returns the [`crate::ProcessView`] of the event's
/// process. See the crate documentation for the whole protocol.
pub struct SessionDb<S: ProcSource> {
    pub(crate) source: S,
    pub(crate) host: HostInfo,
    pub(crate) ids: EntityIds,
    pub(crate) config: Config,
    /// Boxed: a map sized for the cap then costs little when mostly empty.
    pub(crate) entries: IntMap<Key, Box<Entry>>,
    /// The current entry of each pid.
    pub(crate) by_pid: IntMap<u32, Key>,
    /// Entries (other than the leader) whose sid is the key pid.
    pub(crate) sid_refs: IntMap<u32, u32>,
    /// Entries (other than the leader) whose pgid is the key pid.
    pub(crate) pgid_refs: IntMap<u32, u32>,
    /// Dead entries in order of death, awaiting their grace period.
    pub(crate) dead_queue: VecDeque<Key>,
    /// Dead entries past their grace period but still needed.
    pub(crate) pinned_dead: VecDeque<Key>,
    /// Live entries to check against /proc once silent for
    /// [`Config::liveness_nanos`]: (time of the last look, key).
    pub(crate) liveness_queue: VecDeque<(Time, Key)>,
    /// Tentative (clone3) children, in order of creation.
    pub(crate) tentative_queue: VecDeque<(Time, Key)>,
    /// Pids whose /proc lookup failed recently (time of failure).
    pub(crate) failed_lookups: IntMap<u32, Time>,
    /// Login address per audit session id, and insertion order.
    pub(crate) logins: IntMap<u32, Vec<u8>>,
    pub(crate) login_order: VecDeque<u32>,
    /// Entry leader (of a known type) per audit session id: the fallback
    /// for a process whose parent is unknown (no fork record, no /proc).
    pub(crate) ses_leaders: IntMap<u32, Key>,
    pub(crate) next_key: Key,
    /// `try_free`'s work list, kept between calls.
    pub(crate) free_work: Vec<Key>,
    /// Sum of the entries' `accounted` bytes.
    pub(crate) bytes: usize,
    pub(crate) now: Time,
    pub(crate) stats: Stats,
}

impl<S: ProcSource> SessionDb<S> {
    /// A new, empty table; host facts are read from `source`.
    pub fn new(source: S, config: Config) -> Result<Self> {
        let host = source.host()?;
        Ok(Self::with_host(source, host, config))
    }

    /// A new, empty table with the given host facts (replay).
    pub fn with_host(source: S, host: HostInfo, config: Config) -> Self {
        SessionDb {
            source,
            ids: EntityIds::new(&host),
            host,
            config,
            entries: IntMap::default(),
            by_pid: IntMap::default(),
            sid_refs: IntMap::default(),
            pgid_refs: IntMap::default(),
            dead_queue: VecDeque::new(),
            pinned_dead: VecDeque::new(),
            liveness_queue: VecDeque::new(),
            tentative_queue: VecDeque::new(),
            failed_lookups: IntMap::default(),
            logins: IntMap::default(),
            login_order: VecDeque::new(),
            ses_leaders: IntMap::default(),
            next_key: 1,
            free_work: Vec::new(),
            bytes: 0,
            now: Time(0),
            stats: Stats::default(),
        }
    }

    /// Host facts (`host.boot.id`, `host.pid_ns_ino`).
    pub fn host(&self) -> &HostInfo {
        &self.host
    }

    /// The /proc source.
    pub fn source(&self) -> &S {
        &self.source
    }

    /// The /proc source, mutable (tests change a fake /proc over time).
    pub fn source_mut(&mut self) -> &mut S {
        &mut self.source
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Current counters (counts dead entries: O(entries), call it
    /// occasionally, e.g. once a second for metrics).
    pub fn stats(&self) -> Stats {
        let mut s = self.stats;
        s.entries = self.entries.len();
        s.dead = self.entries.values().filter(|e| !e.is_live()).count();
        s.approx_bytes = self.bytes;
        s.logins = self.logins.len();
        s
    }

    /// Number of entries (live and dead).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Pids of the live processes, sorted.
    pub fn live_pids(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .by_pid
            .iter()
            .filter(|(_, k)| self.entries.get(k).is_some_and(|e| e.is_live()))
            .map(|(p, _)| *p)
            .collect();
        v.sort_unstable();
        v
    }

    /// Seeds the table from a full /proc scan (call once, at start).
    /// Returns how many processes were imported.
    pub fn seed_from_proc(&mut self, now: Time) -> Result<usize> {
        self.now = self.now.max(now);
        let pids = self.source.pids()?;
        let mut snaps = Vec::with_capacity(pids.len());
        for pid in pids {
            self.stats.proc_lookups += 1;
            match self.source.snapshot(pid) {
                Ok(s) => snaps.push(s),
                Err(SessionDbError::NoSuchProcess { .. }) => self.stats.proc_lookup_failures += 1,
                Err(e) => {
                    self.stats.proc_lookup_failures += 1;
                    tracing::debug!(pid, error = %e, "cannot read process");
                }
            }
        }
        // Parents, session and group leaders start before their members.
        snaps.sort_by_key(|s| (s.stat.starttime, s.pid));
        let n = snaps.len();
        for s in snaps {
            self.insert_snapshot(s, now);
        }
        self.enforce_cap();
        Ok(n)
    }

    /// Frees what is no longer needed at `now` (end of grace periods,
    /// unconfirmed clone3 children) and enforces the cap. [`SessionDb::apply`]
    /// calls it; call it also when idle, with the current time.
    pub fn maintain(&mut self, now: Time) {
        self.now = self.now.max(now);
        let grace = self.config.grace_nanos;
        while let Some(&(t, key)) = self.tentative_queue.front() {
            if t.plus_nanos(grace) > self.now {
                break;
            }
            self.tentative_queue.pop_front();
            if self
                .entries
                .get(&key)
                .is_some_and(|e| e.tentative && e.is_live())
            {
                self.stats.tentative_dropped += 1;
                self.mark_dead(key, t);
                self.try_free(key);
            }
        }
        while let Some(&key) = self.dead_queue.front() {
            let Some(e) = self.entries.get(&key) else {
                self.dead_queue.pop_front();
                continue;
            };
            if e.dead_since.is_some_and(|d| d.plus_nanos(grace) > self.now) {
                break;
            }
            self.dead_queue.pop_front();
            if !self.try_free(key) {
                self.pinned_dead.push_back(key);
            }
        }
        self.check_liveness();
        if self.pinned_dead.len() > 64 && self.pinned_dead.len() > 2 * self.entries.len() {
            let entries = &self.entries;
            self.pinned_dead.retain(|k| entries.contains_key(k));
        }
        self.shrink();
        self.enforce_cap();
    }

    /// Verifies the table's internal bookkeeping (reference counts, member
    /// counts, pid index, cap). For tests; returns what is inconsistent.
    pub fn check_invariants(&self) -> std::result::Result<(), String> {
        if self.entries.len() > self.config.max_entries.max(1) {
            return Err(format!("{} entries over cap", self.entries.len()));
        }
        for (pid, k) in &self.by_pid {
            match self.entries.get(k) {
                Some(e) if e.pid == *pid => {}
                Some(e) => return Err(format!("by_pid {pid} -> entry of pid {}", e.pid)),
                None => return Err(format!("by_pid {pid} -> missing entry {k}")),
            }
        }
        let mut refs: IntMap<Key, u32> = IntMap::default();
        let mut sid_refs: IntMap<u32, u32> = IntMap::default();
        let mut pgid_refs: IntMap<u32, u32> = IntMap::default();
        for (k, e) in &self.entries {
            for r in [e.parent, e.entry_leader].into_iter().flatten() {
                if r != *k {
                    *refs.entry(r).or_default() += 1;
                }
            }
            if let Some(s) = e.sid.filter(|s| *s != e.pid) {
                *sid_refs.entry(s).or_default() += 1;
            }
            if let Some(g) = e.pgid.filter(|g| *g != e.pid) {
                *pgid_refs.entry(g).or_default() += 1;
            }
        }
        for (k, e) in &self.entries {
            let want = refs.get(k).copied().unwrap_or(0);
            if e.refs != want {
                return Err(format!(
                    "entry {k} (pid {}) refs {} != {want}",
                    e.pid, e.refs
                ));
            }
        }
        let mut bytes = 0;
        for (k, e) in &self.entries {
            if e.accounted != e.heap_bytes() {
                return Err(format!(
                    "entry {k} accounted {} != {}",
                    e.accounted,
                    e.heap_bytes()
                ));
            }
            bytes += e.accounted;
        }
        if bytes != self.bytes {
            return Err(format!("bytes {} != {bytes}", self.bytes));
        }
        if self.bytes > self.config.max_bytes {
            return Err(format!("{} bytes over budget", self.bytes));
        }
        if sid_refs != self.sid_refs {
            return Err(format!("sid_refs {:?} != {sid_refs:?}", self.sid_refs));
        }
        if pgid_refs != self.pgid_refs {
            return Err(format!("pgid_refs {:?} != {pgid_refs:?}", self.pgid_refs));
        }
        Ok(())
    }

    /// Gives memory back after a burst: containers far larger than their
    /// content are shrunk (amortized: only when 4x oversized).
    fn shrink(&mut self) {
        fn oversized(len: usize, cap: usize) -> bool {
            cap > 256 && len * 4 < cap
        }
        if oversized(self.entries.len(), self.entries.capacity()) {
            self.entries.shrink_to(self.entries.len() * 2);
        }
        if oversized(self.by_pid.len(), self.by_pid.capacity()) {
            self.by_pid.shrink_to(self.by_pid.len() * 2);
        }
        if oversized(self.dead_queue.len(), self.dead_queue.capacity()) {
            self.dead_queue.shrink_to(self.dead_queue.len() * 2);
        }
        if oversized(self.pinned_dead.len(), self.pinned_dead.capacity()) {
            self.pinned_dead.shrink_to(self.pinned_dead.len() * 2);
        }
        if oversized(self.liveness_queue.len(), self.liveness_queue.capacity()) {
            self.liveness_queue.shrink_to(self.liveness_queue.len() * 2);
        }
        if oversized(self.tentative_queue.len(), self.tentative_queue.capacity()) {
            self.tentative_queue
                .shrink_to(self.tentative_queue.len() * 2);
        }
        if oversized(self.failed_lookups.len(), self.failed_lookups.capacity()) {
            self.failed_lookups.shrink_to(self.failed_lookups.len() * 2);
        }
    }

    // ----- storage and references -----

    pub(crate) fn alloc_key(&mut self) -> Key {
        let k = self.next_key;
        self.next_key += 1;
        k
    }

    /// The current, live-or-dead entry of `pid`.
    pub(crate) fn current(&self, pid: u32) -> Option<Key> {
        let k = *self.by_pid.get(&pid)?;
        self.entries.contains_key(&k).then_some(k)
    }

    /// Inserts a new entry as the current one of its pid.
    pub(crate) fn insert_entry(&mut self, key: Key, mut entry: Entry) {
        let (pid, parent, leader, sid, pgid) = (
            entry.pid,
            entry.parent,
            entry.entry_leader,
            entry.sid,
            entry.pgid,
        );
        entry.accounted = entry.heap_bytes();
        entry.revise();
        self.bytes += entry.accounted;
        if self.config.proc_lookups {
            self.liveness_queue
                .push_back((self.now.max(entry.last_seen), key));
        }
        self.entries.insert(key, Box::new(entry));
        self.by_pid.insert(pid, key);
        self.stats.inserted += 1;
        for r in [parent, leader].into_iter().flatten() {
            self.add_ref(key, r);
        }
        self.adjust_group_refs(pid, None, sid, None, pgid);
    }

    /// Re-accounts the heap bytes of `key` after changes.
    pub(crate) fn touch(&mut self, key: Key) {
        if let Some(e) = self.entries.get_mut(&key) {
            let now = e.heap_bytes();
            self.bytes = self.bytes.saturating_sub(e.accounted) + now;
            e.accounted = now;
        }
    }

    fn over_budget(&self, cap: usize) -> bool {
        self.entries.len() > cap || self.bytes > self.config.max_bytes
    }

    fn add_ref(&mut self, from: Key, to: Key) {
        if from != to {
            if let Some(e) = self.entries.get_mut(&to) {
                e.refs += 1;
            }
        }
    }

    /// Drops a reference; returns the referent if it may now be freeable.
    fn drop_ref(&mut self, from: Key, to: Key) -> Option<Key> {
        if from == to {
            return None;
        }
        let e = self.entries.get_mut(&to)?;
        e.refs = e.refs.saturating_sub(1);
        Some(to)
    }

    pub(crate) fn set_parent(&mut self, key: Key, parent: Option<Key>) {
        let Some(old) = self.entries.get(&key).map(|e| e.parent) else {
            return;
        };
        if old == parent {
            return;
        }
        if let Some(p) = parent {
            self.add_ref(key, p);
        }
        if let Some(e) = self.entries.get_mut(&key) {
            e.parent = parent;
        }
        if let Some(freeable) = old.and_then(|o| self.drop_ref(key, o)) {
            self.try_free(freeable);
        }
    }

    pub(crate) fn set_entry_leader(&mut self, key: Key, leader: Option<Key>) {
        let Some(old) = self.entries.get(&key).map(|e| e.entry_leader) else {
            return;
        };
        if old == leader {
            return;
        }
        if let Some(l) = leader {
            self.add_ref(key, l);
        }
        if let Some(e) = self.entries.get_mut(&key) {
            e.entry_leader = leader;
        }
        if let Some(freeable) = old.and_then(|o| self.drop_ref(key, o)) {
            self.try_free(freeable);
        }
    }

    /// Changes the session and group of `key`, keeping member counts right.
    pub(crate) fn set_ids(&mut self, key: Key, sid: Option<u32>, pgid: Option<u32>) {
        let Some(e) = self.entries.get_mut(&key) else {
            return;
        };
        let (pid, old_sid, old_pgid) = (e.pid, e.sid, e.pgid);
        e.sid = sid;
        e.pgid = pgid;
        self.adjust_group_refs(pid, old_sid, sid, old_pgid, pgid);
        for leader in [old_sid, old_pgid].into_iter().flatten() {
            if leader != pid && Some(leader) != sid && Some(leader) != pgid {
                if let Some(k) = self.current(leader) {
                    self.try_free(k);
                }
            }
        }
    }

    fn adjust_group_refs(
        &mut self,
        pid: u32,
        old_sid: Option<u32>,
        sid: Option<u32>,
        old_pgid: Option<u32>,
        pgid: Option<u32>,
    ) {
        fn bump(map: &mut IntMap<u32, u32>, pid: u32, old: Option<u32>, new: Option<u32>) {
            if old == new {
                return;
            }
            if let Some(o) = old.filter(|o| *o != pid) {
                if let Some(c) = map.get_mut(&o) {
                    *c -= 1;
                    if *c == 0 {
                        map.remove(&o);
                    }
                }
            }
            if let Some(n) = new.filter(|n| *n != pid) {
                *map.entry(n).or_insert(0) += 1;
            }
        }
        bump(&mut self.sid_refs, pid, old_sid, sid);
        bump(&mut self.pgid_refs, pid, old_pgid, pgid);
    }

    /// Records that the process of `key` is gone (at `time`).
    pub(crate) fn mark_dead(&mut self, key: Key, time: Time) {
        if let Some(e) = self.entries.get_mut(&key) {
            if e.dead_since.is_none() {
                e.dead_since = Some(time);
                self.dead_queue.push_back(key);
            }
        }
    }

    /// Whether a dead entry is still needed by others.
    fn pinned(&self, key: Key, e: &Entry) -> bool {
        e.refs > 0
            || (self.by_pid.get(&e.pid) == Some(&key)
                && (self.sid_refs.contains_key(&e.pid) || self.pgid_refs.contains_key(&e.pid)))
    }

    /// Frees `key` (and, in cascade, what only it needed) if it is dead,
    /// past its grace period and not needed. Returns whether it was freed.
    pub(crate) fn try_free(&mut self, key: Key) -> bool {
        let grace = self.config.grace_nanos;
        // The cascade's work list, reused (a nested call, from `evict`'s
        // cascade, finds it taken and starts an empty one).
        let mut work = std::mem::take(&mut self.free_work);
        work.clear();
        work.push(key);
        let mut freed_first = false;
        while let Some(k) = work.pop() {
            let Some(e) = self.entries.get(&k) else {
                continue;
            };
            let expired = e
                .dead_since
                .is_some_and(|d| d.plus_nanos(grace) <= self.now);
            if !expired || self.pinned(k, e) {
                continue;
            }
            self.remove_entry(k, &mut work);
            self.stats.freed += 1;
            freed_first |= k == key;
        }
        self.free_work = work;
        freed_first
    }

    /// Removes `key` whatever its state; appends to `next` the entries
    /// that may now be freeable.
    fn remove_entry(&mut self, key: Key, next: &mut Vec<Key>) {
        let Some(e) = self.entries.remove(&key) else {
            return;
        };
        self.bytes = self.bytes.saturating_sub(e.accounted);
        if self.by_pid.get(&e.pid) == Some(&key) {
            self.by_pid.remove(&e.pid);
        }
        for r in [e.parent, e.entry_leader].into_iter().flatten() {
            next.extend(self.drop_ref(key, r));
        }
        self.adjust_group_refs(e.pid, e.sid, None, e.pgid, None);
        for leader in [e.sid, e.pgid].into_iter().flatten() {
            if leader != e.pid {
                next.extend(self.current(leader));
            }
        }
    }

    /// Evicts until the table is within its cap.
    pub(crate) fn enforce_cap(&mut self) {
        let cap = self.config.max_entries.max(1);
        while self.over_budget(cap) && !self.entries.is_empty() {
            if let Some(k) = self.dead_queue.pop_front() {
                self.evict(k, Eviction::Dead);
            } else if let Some(k) = self.pinned_dead.pop_front() {
                self.evict(k, Eviction::Dead);
            } else {
                let before = self.entries.len();
                self.evict_live(cap);
                if self.entries.len() == before {
                    break;
                }
            }
        }
    }

    fn evict(&mut self, key: Key, why: Eviction) {
        if !self.entries.contains_key(&key) {
            return;
        }
        let mut next = Vec::new();
        self.remove_entry(key, &mut next);
        match why {
            Eviction::Dead => self.stats.evicted_dead += 1,
            Eviction::Gone => self.stats.evicted_gone += 1,
            Eviction::Live => self.stats.evicted_live += 1,
        }
        for k in next {
            self.try_free(k);
        }
    }

    /// The cap is reached with live entries only. Candidates are the least
    /// recently seen entries that nothing refers to (leaves), then the
    /// others; those /proc says are gone are evicted first, then, if still
    /// needed, the oldest candidates. Goes a little below the cap (1/64) so
    /// that the sort is amortized over many inserts.
    fn evict_live(&mut self, cap: usize) {
        let target = cap - (cap / 64).max(1).min(cap - 1);
        let batch = (cap / 16)
            .max(self.entries.len().saturating_sub(target))
            .max(8);
        let mut candidates: Vec<(bool, Time, Key)> = self
            .entries
            .iter()
            .map(|(k, e)| (self.pinned(*k, e), e.last_seen, *k))
            .collect();
        candidates.sort_unstable();
        candidates.truncate(batch);
        let mut kept = Vec::new();
        for (_, _, key) in candidates {
            if self.config.proc_lookups && self.is_gone(key) {
                self.evict(key, Eviction::Gone);
            } else {
                kept.push(key);
            }
        }
        let byte_target = self.config.max_bytes - self.config.max_bytes / 64;
        for key in kept {
            if self.entries.len() <= target && self.bytes <= byte_target {
                break;
            }
            self.evict(key, Eviction::Live);
        }
    }

    /// Checks live entries silent for [`Config::liveness_nanos`] against
    /// /proc, oldest first, at most [`Config::max_liveness_checks`]; those
    /// gone are marked dead (end unknown) and freed after the grace period.
    fn check_liveness(&mut self) {
        let after = self.config.liveness_nanos;
        let mut checks = 0;
        while let Some(&(t, key)) = self.liveness_queue.front() {
            if t.plus_nanos(after) > self.now || checks >= self.config.max_liveness_checks {
                break;
            }
            self.liveness_queue.pop_front();
            let Some(e) = self.entries.get(&key) else {
                continue;
            };
            if !e.is_live() {
                continue;
            }
            if e.last_seen.plus_nanos(after) > self.now {
                // Seen since: look again once silent long enough.
                let seen = e.last_seen;
                self.liveness_queue.push_back((seen, key));
                continue;
            }
            checks += 1;
            if self.is_gone(key) {
                self.stats.ended_unseen += 1;
                let now = self.now;
                self.mark_dead(key, now);
            } else {
                let now = self.now;
                self.liveness_queue.push_back((now, key));
            }
        }
    }

    /// True when /proc positively says the process of `key` no longer runs.
    fn is_gone(&mut self, key: Key) -> bool {
        let Some(e) = self.entries.get(&key) else {
            return true;
        };
        if !e.is_live() {
            return true;
        }
        let (pid, ticks, last_seen) = (e.pid, e.start_ticks, e.last_seen);
        self.stats.proc_lookups += 1;
        match self.source.stat(pid) {
            Ok(st) => match ticks {
                Some(t) => t != st.starttime,
                // Start unknown (known from records only): the pid is
                // someone else's if that one started after ours was last
                // seen (/proc start times: 1 s of slack for btime's rounding).
                None => {
                    let h = &self.host;
                    Time::from_boot_ticks(h.btime_secs, st.starttime, h.clock_ticks)
                        > last_seen.plus_nanos(1_000_000_000)
                }
            },
            Err(SessionDbError::NoSuchProcess { .. }) => {
                self.stats.proc_lookup_failures += 1;
                true
            }
            Err(_) => {
                self.stats.proc_lookup_failures += 1;
                false
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Eviction {
    Dead,
    Gone,
    Live,
}
