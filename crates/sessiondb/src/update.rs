//! Keeping the table current: observations, fork, exec, setsid, setpgid,
//! exit, logins, and on-demand /proc reads.

use crate::borrowed::ViewRef;
use crate::entry::{Entry, Image, Key};
use crate::error::SessionDbError;
use crate::event::{Observation, ProcessChange, ProcessEvent, UNSET_ID};
use crate::leader::{basename, never_has_entry_leader, own_entry_type, EntryType, LeaderCandidate};
use crate::source::{ProcSnapshot, ProcSource};
use crate::table::SessionDb;
use crate::time::Time;
use crate::tty::{TtyDev, TtyKind};
use crate::view::ProcessView;

/// A /proc start time this far after the event means the pid was reused.
const REUSE_SLACK_NANOS: u64 = 1_000_000_000;
/// At most this many remembered failed lookups.
const MAX_FAILED_LOOKUPS: usize = 4096;

impl<S: ProcSource> SessionDb<S> {
    /// Applies one event and returns the view of its process (the observed
    /// pid), after the change: the new image after an exec, `end` and
    /// `exit_code` after an exit. `None` when the event names no process.
    pub fn apply(&mut self, ev: &ProcessEvent) -> Option<ProcessView> {
        self.apply_with(ev, |v| v.map(|v| v.to_view()))
    }

    /// [`SessionDb::apply`] with the view borrowed from the table: `f`
    /// gets it (no copy of the table's data), before the table frees
    /// what it no longer needs.
    pub fn apply_with<R>(
        &mut self,
        ev: &ProcessEvent,
        f: impl FnOnce(Option<ViewRef<'_>>) -> R,
    ) -> R {
        self.now = self.now.max(ev.time);
        let is_exec = matches!(ev.change, Some(ProcessChange::Exec { .. }));
        let observed = ev
            .observed
            .as_ref()
            .map(|o| self.observe(o, ev.time, is_exec));
        if let Some(change) = &ev.change {
            self.change(observed, ev.observed.as_ref(), change, ev.time);
        }
        if let Some((k, _)) = observed {
            self.touch(k);
        }
        let out = f(observed.and_then(|(k, _)| self.view_ref_key(k)));
        self.maintain(ev.time);
        out
    }

    /// Merges what a record says about its process; creates the entry (from
    /// /proc if possible, else from the record) for a pid never seen.
    /// Returns the entry and whether it was created now.
    fn observe(&mut self, o: &Observation, time: Time, is_exec: bool) -> (Key, bool) {
        if let Some(key) = self.current(o.pid) {
            let e = &self.entries[&key];
            let reused = o.ppid.is_some_and(|p| self.cannot_be_reparented_to(key, p));
            if e.is_live() && !reused {
                self.merge(key, o, time, is_exec);
                return (key, false);
            }
            // A dead process: a late event of it, or a new one with its pid.
            let late = !e.is_live()
                && e.dead_since
                    .is_some_and(|d| time <= d.plus_nanos(self.config.grace_nanos))
                && o.ppid.is_none_or(|p| p == e.ppid)
                && !is_exec;
            if late {
                return (key, false);
            }
        }
        (self.create_observed(o, time, is_exec), true)
    }

    /// True when the process of `key` cannot have `ppid` as its parent: a
    /// process is only ever reparented to init or to an ancestor (a
    /// subreaper), so a record naming another parent is from a new process
    /// that reuses the pid (the old one's exit was not seen). Unknown links
    /// in the ancestry are given the benefit of the doubt.
    fn cannot_be_reparented_to(&self, key: Key, ppid: u32) -> bool {
        let Some(e) = self.entries.get(&key) else {
            return false;
        };
        if ppid == e.ppid || ppid <= 1 || e.ppid == 0 {
            return false;
        }
        let mut cur = e.ppid;
        for _ in 0..128 {
            if cur == ppid {
                return false;
            }
            if cur <= 1 {
                return true;
            }
            match self.current(cur).and_then(|k| self.entries.get(&k)) {
                Some(a) if a.ppid != cur => cur = a.ppid,
                _ => return false,
            }
        }
        false
    }

    fn merge(&mut self, key: Key, o: &Observation, time: Time, is_exec: bool) {
        let reparent = {
            let Some(e) = self.entries.get_mut(&key) else {
                return;
            };
            e.last_seen = time;
            e.tentative = false;
            let mut revised = false;
            if let Some(c) = o.creds {
                revised |= e.creds != Some(c);
                e.creds = Some(c);
            }
            if o.auid.is_some() {
                e.auid = o.auid;
            }
            if o.ses.is_some() {
                e.ses = o.ses;
            }
            if let Some(t) = o.tty {
                revised |= e.tty != t;
                e.tty = t;
            }
            let named = o.exe.as_ref().filter(|x| !x.is_empty());
            if let (Some(exe), false) = (named, is_exec) {
                if *exe != e.image.exe {
                    revised = true;
                    // The image changed without an exec record (no exec rule).
                    let image = Image {
                        exe: exe.clone(),
                        argv: None,
                        cwd: e.image.cwd.clone(),
                        comm: o.comm.clone(),
                    };
                    let old = std::mem::replace(&mut e.image, image);
                    // An empty executable is no image; a path read from
                    // /proc may be spelled differently from the record's
                    // (another mount namespace's root): not an exec either.
                    if !old.exe.is_empty() && !e.exe_from_proc {
                        push_previous(&mut e.previous, old, self.config.max_previous);
                    }
                }
                e.exe_from_proc = false;
            }
            if let (Some(c), false) = (&o.comm, is_exec) {
                if e.image.comm.as_ref() != Some(c) {
                    e.image.comm = Some(c.clone());
                    revised = true;
                }
            }
            if revised {
                e.revise();
            }
            o.ppid.filter(|p| *p != e.ppid)
        };
        if let Some(ppid) = reparent {
            if let Some(e) = self.entries.get_mut(&key) {
                e.ppid = ppid;
                e.reparented = e.entry_leader.is_some();
            }
            let parent = self.current(ppid);
            self.set_parent(key, parent);
        }
    }

    /// Creates the entry of a pid never seen: from /proc when the process
    /// is still there (and is the same one), else from the record alone.
    ///
    /// For an exec, whose records give the new image (executable,
    /// arguments, directory) and the ids, only `stat` is read (one open,
    /// one read: ppid, pgid, sid, tty, start time); the supplementary
    /// groups are the parent's when the parent has the same ids, else
    /// `status` is read for them.
    fn create_observed(&mut self, o: &Observation, time: Time, is_exec: bool) -> Key {
        let light = is_exec && o.creds.is_some();
        if let Some(snap) = self.lookup_as(o.pid, time, light) {
            let key = self.import_snapshot(snap, time, 0);
            self.merge(key, o, time, true);
            if light {
                self.fill_groups(key);
            }
            if let Some(c) = &o.comm {
                if let Some(e) = self.entries.get_mut(&key) {
                    if e.image.comm.as_ref() != Some(c) {
                        e.image.comm = Some(c.clone());
                        e.revise();
                    }
                }
            }
            return key;
        }
        let ppid = o.ppid.unwrap_or(0);
        if ppid != 0 && self.current(ppid).is_none() {
            if let Some(snap) = self.lookup(ppid, time) {
                self.import_snapshot(snap, time, 1);
            }
        }
        let parent = self.current(ppid).filter(|_| ppid != 0);
        let p = parent.and_then(|k| self.entries.get(&k));
        let mut e = blank_entry(o.pid, ppid, time);
        e.parent = parent;
        e.sid = p.and_then(|p| p.sid);
        e.pgid = p.and_then(|p| p.pgid);
        e.groups = p.and_then(|p| p.groups.clone());
        e.image = Image {
            exe: o.exe.clone().unwrap_or_default(),
            argv: None,
            cwd: None,
            comm: o.comm.clone(),
        };
        e.creds = o.creds;
        e.auid = o.auid;
        e.ses = o.ses;
        e.tty = o.tty.flatten();
        let key = self.alloc_key();
        self.insert_new(key, e);
        self.evaluate_entry_leader(key);
        self.touch(key);
        key
    }

    /// The supplementary groups of an entry read from `stat` alone (its ids
    /// came from the record): the parent's when it has the same ids (fork
    /// and exec keep the groups; only a change of ids, as at a login,
    /// usually comes with new ones), else from `status`.
    fn fill_groups(&mut self, key: Key) {
        let Some(e) = self.entries.get(&key) else {
            return;
        };
        if e.groups.is_some() {
            return;
        }
        let inherited = e
            .parent
            .and_then(|k| self.entries.get(&k))
            .filter(|p| p.pid == e.ppid && p.creds.is_some() && p.creds == e.creds)
            .and_then(|p| p.groups.clone());
        let pid = e.pid;
        let groups = match inherited {
            Some(g) => Some(g),
            None => self.source.status(pid).ok().map(|s| s.groups),
        };
        if let Some(e) = self.entries.get_mut(&key) {
            if groups.is_some() {
                e.groups = groups;
                e.revise();
            }
        }
    }

    /// Reads `pid` from /proc, unless lookups are off or it failed recently.
    /// Rejects a process that started after `time` (a reused pid).
    fn lookup(&mut self, pid: u32, time: Time) -> Option<ProcSnapshot> {
        self.lookup_as(pid, time, false)
    }

    /// [`Self::lookup`]; `light`: only `stat` (the rest comes from the
    /// event's records, see [`Self::fill_groups`]).
    fn lookup_as(&mut self, pid: u32, time: Time, light: bool) -> Option<ProcSnapshot> {
        if !self.config.proc_lookups || pid == 0 {
            return None;
        }
        let grace = self.config.grace_nanos;
        if let Some(t) = self.failed_lookups.get(&pid) {
            if t.plus_nanos(grace) > time {
                return None;
            }
        }
        self.stats.proc_lookups += 1;
        let result = if light {
            self.source.stat(pid).map(|stat| ProcSnapshot {
                pid,
                stat,
                ..Default::default()
            })
        } else {
            self.source.snapshot(pid)
        };
        let snap = match result {
            Ok(s) => {
                let start = self.start_time(&s);
                (start <= time.plus_nanos(REUSE_SLACK_NANOS)).then_some(s)
            }
            Err(e) => {
                if !matches!(
                    e,
                    SessionDbError::NoSuchProcess { .. } | SessionDbError::Unavailable
                ) {
                    tracing::debug!(pid, error = %e, "cannot read process");
                }
                None
            }
        };
        if snap.is_none() {
            self.stats.proc_lookup_failures += 1;
            if self.failed_lookups.len() >= MAX_FAILED_LOOKUPS {
                self.failed_lookups.clear();
            }
            self.failed_lookups.insert(pid, time);
        }
        snap
    }

    fn start_time(&self, s: &ProcSnapshot) -> Time {
        Time::from_boot_ticks(
            self.host.btime_secs,
            s.stat.starttime,
            self.host.clock_ticks,
        )
    }

    /// Imports a /proc snapshot, first importing its unknown parent,
    /// session leader and group leader (up to the ancestor limit).
    fn import_snapshot(&mut self, snap: ProcSnapshot, time: Time, depth: usize) -> Key {
        if depth < self.config.max_ancestor_lookups {
            for rel in [snap.stat.ppid, snap.stat.session, snap.stat.pgrp] {
                if rel != 0 && rel != snap.pid && self.current(rel).is_none() {
                    if let Some(s) = self.lookup(rel, time) {
                        self.import_snapshot(s, time, depth + 1);
                    }
                }
            }
        }
        self.insert_snapshot(snap, time)
    }

    /// Inserts a process read from /proc as the current entry of its pid.
    pub(crate) fn insert_snapshot(&mut self, s: ProcSnapshot, time: Time) -> Key {
        let key = self.alloc_key();
        let mut e = blank_entry(s.pid, s.stat.ppid, time);
        e.start = self.start_time(&s);
        e.start_exact = true;
        e.start_ticks = Some(s.stat.starttime);
        e.parent = self.current(s.stat.ppid).filter(|_| s.stat.ppid != 0);
        e.sid = Some(s.stat.session);
        e.pgid = Some(s.stat.pgrp);
        e.tty = TtyDev::from_tty_nr(s.stat.tty_nr);
        if let Some(st) = s.status {
            e.creds = Some(st.creds);
            e.groups = Some(st.groups);
        }
        e.auid = s.loginuid;
        e.ses = s.sessionid;
        e.image = Image {
            exe: s.exe.unwrap_or_default(),
            argv: s.argv,
            cwd: s.cwd,
            comm: Some(s.stat.comm),
        };
        e.exe_from_proc = true;
        self.insert_new(key, e);
        self.evaluate_entry_leader(key);
        self.touch(key);
        key
    }

    /// Inserts `e` as the new current entry of its pid, retiring the old one
    /// and keeping start times (hence entity ids) unique per pid.
    fn insert_new(&mut self, key: Key, mut e: Entry) {
        if let Some(old) = self.current(e.pid) {
            let (old_start, live) = {
                let o = &self.entries[&old];
                (o.start, o.is_live())
            };
            if live {
                self.stats.missed_exits += 1;
                self.mark_dead(old, e.start);
            }
            if e.start <= old_start {
                e.start = old_start.plus_nanos(1);
            }
        }
        self.failed_lookups.remove(&e.pid);
        self.insert_entry(key, e);
    }

    fn change(
        &mut self,
        observed: Option<(Key, bool)>,
        o: Option<&Observation>,
        c: &ProcessChange,
        time: Time,
    ) {
        let Some((key, created)) = observed else {
            return;
        };
        match c {
            ProcessChange::Fork { child_pid, thread } => self.fork(key, *child_pid, *thread, time),
            ProcessChange::Exec { argv, cwd } => {
                let exe = o.and_then(|o| o.exe.as_ref());
                let comm = o.and_then(|o| o.comm.as_ref());
                let max = self.config.max_previous;
                if let Some(e) = self.entries.get_mut(&key) {
                    if created {
                        // Made from this very event: its image is no
                        // earlier one, its buffers take the new image.
                        let image = &mut e.image;
                        if let Some(x) = exe {
                            image.exe.clone_from(x);
                        }
                        clone_into(&mut image.argv, Some(argv));
                        if cwd.is_some() {
                            clone_into(&mut image.cwd, cwd.as_ref());
                        }
                        clone_into(&mut image.comm, comm);
                    } else {
                        let image = Image {
                            exe: exe.cloned().unwrap_or_else(|| e.image.exe.clone()),
                            argv: Some(argv.clone()),
                            cwd: cwd.clone().or_else(|| e.image.cwd.clone()),
                            comm: comm.cloned(),
                        };
                        let old = std::mem::replace(&mut e.image, image);
                        push_previous(&mut e.previous, old, max);
                    }
                    e.exe_from_proc = false;
                    e.revise();
                }
                self.evaluate_entry_leader(key);
            }
            ProcessChange::Setsid => {
                let pid = self.entries.get(&key).map(|e| e.pid);
                if let Some(pid) = pid {
                    self.set_ids(key, Some(pid), Some(pid));
                    if let Some(e) = self.entries.get_mut(&key) {
                        // setsid() drops the controlling terminal (proc_clear_tty).
                        e.tty = None;
                        e.revise();
                    }
                }
            }
            ProcessChange::Setpgid { target, pgid } => {
                let caller = self.entries.get(&key).map(|e| e.pid);
                let target_pid = if *target == 0 { caller } else { Some(*target) };
                if let Some(tp) = target_pid {
                    let new_pgid = if *pgid == 0 { tp } else { *pgid };
                    if let Some(tk) = self.current(tp) {
                        let sid = self.entries[&tk].sid;
                        self.set_ids(tk, sid, Some(new_pgid));
                    }
                }
            }
            ProcessChange::Exit { code } => {
                if let Some(e) = self.entries.get_mut(&key) {
                    if e.is_live() {
                        e.end = Some(time);
                        e.exit_code = Some(*code);
                    }
                }
                self.mark_dead(key, time);
            }
            ProcessChange::Login { addr } => self.login(key, o, addr),
        }
    }

    fn fork(&mut self, parent: Key, child_pid: u32, thread: Option<bool>, time: Time) {
        if thread == Some(true) {
            self.stats.threads_ignored += 1;
            return;
        }
        let Some(p) = self.entries.get(&parent) else {
            return;
        };
        if child_pid == 0 || child_pid == p.pid {
            return;
        }
        // The child's own records may precede the parent's clone record
        // (vfork returns in the parent after the child's exec; a short
        // child has even exited by then): that child, live or dead, is
        // the one this record creates.
        if let Some(ck) = self.current(child_pid) {
            let c = &self.entries[&ck];
            if c.ppid == p.pid && !c.fork_seen {
                if let Some(c) = self.entries.get_mut(&ck) {
                    c.fork_seen = true;
                    if !c.start_exact {
                        c.start_exact = true;
                        c.revise();
                    }
                }
                self.set_parent(ck, Some(parent));
                return;
            }
        }
        let mut c = blank_entry(child_pid, p.pid, time);
        c.start_exact = true;
        c.parent = Some(parent);
        c.sid = p.sid;
        c.pgid = p.pgid;
        c.creds = p.creds;
        c.groups = p.groups.clone();
        c.auid = p.auid;
        c.ses = p.ses;
        c.tty = p.tty;
        c.image = p.image.clone();
        c.entry_leader = p.entry_leader;
        c.fork_seen = true;
        c.tentative = thread.is_none();
        let key = self.alloc_key();
        if c.tentative {
            self.tentative_queue.push_back((time, key));
        }
        self.insert_new(key, c);
    }

    fn login(&mut self, key: Key, o: Option<&Observation>, addr: &[u8]) {
        if addr.is_empty() || addr == b"?" {
            return;
        }
        if let Some(ses) = o.and_then(|o| o.ses).filter(|s| *s != UNSET_ID) {
            if self.logins.insert(ses, addr.to_vec()).is_none() {
                self.login_order.push_back(ses);
            }
            while self.logins.len() > self.config.max_logins {
                match self.login_order.pop_front() {
                    Some(old) => {
                        self.logins.remove(&old);
                    }
                    None => break,
                }
            }
        }
        if let Some(e) = self.entries.get_mut(&key) {
            e.login_addr = Some(addr.to_vec());
            if e.entry_type == Some(EntryType::Sshd) && e.source_ip.is_none() {
                e.source_ip = Some(addr.to_vec());
            }
        }
    }

    /// Decides the entry leader of `key` (see [`crate::leader`]).
    pub(crate) fn evaluate_entry_leader(&mut self, key: Key) {
        let Some(e) = self.entries.get(&key) else {
            return;
        };
        if never_has_entry_leader(e.pid, e.ppid) {
            self.set_entry_leader(key, None);
            return;
        }
        // An orphan adopted by init (e.g. `setsid`'s child once setsid(1)
        // has exited) came in the way its entry leader says, not as a
        // service of init: its exec keeps that entry leader.
        if e.reparented
            && e.entry_leader
                .is_some_and(|l| self.entries.contains_key(&l))
        {
            return;
        }
        let is_session_leader = e.sid == Some(e.pid);
        if is_session_leader {
            let parent_name = self
                .current(e.ppid)
                .filter(|_| e.ppid != 0)
                .map(|k| self.entries[&k].image.name());
            let cand = LeaderCandidate {
                tty: e.tty.map_or(TtyKind::Unknown, TtyDev::kind),
                name: basename(&e.image.exe),
                ppid: e.ppid,
                parent_name,
            };
            if let Some(t) = own_entry_type(&cand) {
                self.make_entry_leader(key, t);
                return;
            }
        }
        for rel in [Some(e.ppid), e.sid, e.pgid].into_iter().flatten() {
            if rel == 0 {
                continue;
            }
            let leader = self
                .current(rel)
                .and_then(|k| self.entries[&k].entry_leader)
                .filter(|l| self.entries.contains_key(l));
            if let Some(l) = leader {
                self.set_entry_leader(key, Some(l));
                return;
            }
        }
        // Unknown parent (its fork was not recorded and /proc cannot tell):
        // the audit session id, set at login and inherited by every
        // descendant, names the login whose entry leader this is.
        let parent_unknown = e.ppid != 0 && self.current(e.ppid).is_none();
        let by_ses = e
            .ses
            .filter(|s| parent_unknown && !is_session_leader && *s != UNSET_ID)
            .and_then(|s| self.ses_leaders.get(&s).copied())
            .filter(|l| self.entries.contains_key(l));
        if let Some(l) = by_ses {
            self.set_entry_leader(key, Some(l));
            return;
        }
        if is_session_leader {
            self.make_entry_leader(key, EntryType::Unknown);
        } else {
            self.set_entry_leader(key, None);
        }
    }

    /// Remembers `key` as the entry leader of its audit session.
    fn note_ses_leader(&mut self, key: Key) {
        let Some(ses) = self
            .entries
            .get(&key)
            .and_then(|e| e.ses)
            .filter(|s| *s != UNSET_ID)
        else {
            return;
        };
        self.ses_leaders.insert(ses, key);
        if self.ses_leaders.len() > self.config.max_logins {
            let entries = &self.entries;
            self.ses_leaders.retain(|_, k| entries.contains_key(k));
            // Still over: drop the oldest entries (smallest keys).
            while self.ses_leaders.len() > self.config.max_logins {
                let Some((&s, _)) = self.ses_leaders.iter().min_by_key(|(_, k)| **k) else {
                    break;
                };
                self.ses_leaders.remove(&s);
            }
        }
    }

    fn make_entry_leader(&mut self, key: Key, t: EntryType) {
        self.set_entry_leader(key, Some(key));
        let Some(e) = self.entries.get_mut(&key) else {
            return;
        };
        e.entry_type = Some(t);
        if t != EntryType::Unknown {
            self.note_ses_leader(key);
        }
        let Some(e) = self.entries.get_mut(&key) else {
            return;
        };
        if t != EntryType::Sshd || e.source_ip.is_some() {
            return;
        }
        let from_login = e
            .login_addr
            .clone()
            .or_else(|| e.ses.and_then(|s| self.logins.get(&s).cloned()));
        let (pid, live) = (e.pid, e.is_live());
        let ip = match from_login {
            Some(ip) => Some(ip),
            None if self.config.proc_lookups && live => self
                .source
                .env_var(pid, b"SSH_CONNECTION")
                .ok()
                .flatten()
                .and_then(|v| v.split(|b| *b == b' ').next().map(<[u8]>::to_vec))
                .filter(|ip| !ip.is_empty()),
            None => None,
        };
        if let Some(e) = self.entries.get_mut(&key) {
            e.source_ip = ip;
        }
    }
}

/// Sets `slot` to a copy of `v`, reusing the allocations `slot` has.
fn clone_into<T: Clone>(slot: &mut Option<T>, v: Option<&T>) {
    match (slot.as_mut(), v) {
        (Some(s), Some(v)) => s.clone_from(v),
        (None, Some(v)) => *slot = Some(v.clone()),
        (_, None) => *slot = None,
    }
}

fn push_previous(previous: &mut Vec<Image>, old: Image, max: usize) {
    if max == 0 {
        return;
    }
    if previous.len() >= max {
        previous.remove(0);
    }
    previous.push(old);
}

fn blank_entry(pid: u32, ppid: u32, time: Time) -> Entry {
    Entry {
        pid,
        ppid,
        pgid: None,
        sid: None,
        parent: None,
        start: time,
        start_exact: false,
        start_ticks: None,
        creds: None,
        groups: None,
        auid: None,
        ses: None,
        tty: None,
        image: Image::default(),
        previous: Vec::new(),
        end: None,
        exit_code: None,
        dead_since: None,
        entry_leader: None,
        entry_type: None,
        source_ip: None,
        login_addr: None,
        fork_seen: false,
        tentative: false,
        exe_from_proc: false,
        reparented: false,
        last_seen: time,
        refs: 0,
        accounted: 0,
        revision: 0,
    }
}
