//! Helpers shared by the integration tests: a small driver that turns
//! "this process was started like this" into the audit-like events the
//! table consumes.
#![allow(dead_code)]

use sessiondb::{
    Config, Creds, EntryType, FakeProc, Observation, ProcessChange, ProcessEvent, ProcessView,
    SessionDb, Time, TtyDev,
};

/// Epoch seconds of the fake host's "now" (FakeProc boots at 1_700_000_000).
pub const T0: u64 = 1_700_000_100;

pub const PTS: Option<TtyDev> = Some(TtyDev {
    major: 136,
    minor: 62,
});

pub struct Sim {
    pub db: SessionDb<FakeProc>,
    pub ms: u64,
}

/// How a process is started by [`Sim::spawn`].
#[derive(Clone)]
pub struct Spawn<'a> {
    pub pid: u32,
    pub ppid: u32,
    /// `Some(pid)` makes it call setsid before exec.
    pub sid: Option<u32>,
    /// `Some(g)` makes it call setpgid(0, g) before exec.
    pub pgid: Option<u32>,
    pub exe: &'a [u8],
    pub tty: Option<TtyDev>,
}

impl<'a> Spawn<'a> {
    pub fn new(pid: u32, ppid: u32, exe: &'a [u8]) -> Self {
        Spawn {
            pid,
            ppid,
            sid: None,
            pgid: None,
            exe,
            tty: None,
        }
    }
    pub fn sid(mut self, sid: u32) -> Self {
        self.sid = Some(sid);
        self
    }
    pub fn pgid(mut self, pgid: u32) -> Self {
        self.pgid = Some(pgid);
        self
    }
    pub fn tty(mut self, tty: Option<TtyDev>) -> Self {
        self.tty = tty;
        self
    }
}

pub fn root() -> Creds {
    Creds::default()
}

impl Sim {
    pub fn new(proc: FakeProc) -> Sim {
        Self::with_config(proc, Config::default())
    }

    pub fn with_config(proc: FakeProc, config: Config) -> Sim {
        let mut db = SessionDb::new(proc, config).expect("fake host");
        db.seed_from_proc(Time::from_secs(T0)).expect("seed");
        Sim { db, ms: 0 }
    }

    pub fn now(&self) -> Time {
        Time::from_audit(T0 + self.ms / 1000, (self.ms % 1000) as u32)
    }

    fn tick(&mut self) -> Time {
        self.ms += 1;
        self.now()
    }

    pub fn obs(&self, pid: u32, ppid: u32, exe: &[u8], tty: Option<TtyDev>) -> Observation {
        Observation {
            pid,
            ppid: (ppid != 0).then_some(ppid),
            creds: Some(root()),
            auid: None,
            ses: None,
            tty: Some(tty),
            comm: None,
            exe: (!exe.is_empty()).then(|| exe.to_vec()),
        }
    }

    /// An event from `pid` as the table currently knows it.
    fn obs_known(&self, pid: u32) -> Observation {
        match self.db.view(pid) {
            Some(v) => Observation {
                pid,
                ppid: v.parent.as_ref().map(|p| p.fields.pid),
                creds: None,
                auid: None,
                ses: None,
                tty: None,
                comm: None,
                exe: None,
            },
            None => Observation::pid(pid),
        }
    }

    pub fn event(
        &mut self,
        observed: Observation,
        change: Option<ProcessChange>,
    ) -> Option<ProcessView> {
        let time = self.tick();
        self.db.apply(&ProcessEvent {
            time,
            observed: Some(observed),
            change,
        })
    }

    pub fn fork(&mut self, parent: u32, child: u32) -> Option<ProcessView> {
        let o = self.obs_known(parent);
        self.event(
            o,
            Some(ProcessChange::Fork {
                child_pid: child,
                thread: Some(false),
            }),
        )
    }

    pub fn setsid(&mut self, pid: u32, ppid: u32) -> Option<ProcessView> {
        let o = self.obs(pid, ppid, b"", None);
        self.event(o, Some(ProcessChange::Setsid))
    }

    pub fn setpgid(&mut self, caller: u32, target: u32, pgid: u32) -> Option<ProcessView> {
        let o = self.obs_known(caller);
        self.event(o, Some(ProcessChange::Setpgid { target, pgid }))
    }

    pub fn exec(
        &mut self,
        pid: u32,
        ppid: u32,
        exe: &[u8],
        tty: Option<TtyDev>,
    ) -> Option<ProcessView> {
        let o = self.obs(pid, ppid, exe, tty);
        self.event(
            o,
            Some(ProcessChange::Exec {
                argv: vec![exe.to_vec()],
                cwd: Some(b"/".to_vec()),
            }),
        )
    }

    pub fn exit(&mut self, pid: u32, code: i32) -> Option<ProcessView> {
        let o = self.obs_known(pid);
        self.event(o, Some(ProcessChange::Exit { code }))
    }

    /// Fork (when the parent is known), setsid/setpgid as asked, then exec.
    pub fn spawn(&mut self, s: Spawn<'_>) -> ProcessView {
        if s.ppid != 0 && self.db.view(s.ppid).is_some() {
            self.fork(s.ppid, s.pid);
        }
        if s.sid == Some(s.pid) {
            self.setsid(s.pid, s.ppid);
        }
        if let Some(g) = s.pgid {
            let o = self.obs(s.pid, s.ppid, b"", None);
            self.event(o, Some(ProcessChange::Setpgid { target: 0, pgid: g }));
        }
        self.exec(s.pid, s.ppid, s.exe, s.tty)
            .expect("exec names a process")
    }
}

/// What a process's view must say.
#[derive(Debug, Default, Clone, Copy)]
pub struct Expect {
    pub parent: Option<u32>,
    pub session_leader: Option<u32>,
    pub group_leader: Option<u32>,
    pub entry_leader: Option<(u32, EntryType)>,
}

pub fn check(db: &SessionDb<FakeProc>, pid: u32, exe: &[u8], want: Expect) {
    let v = db
        .view(pid)
        .unwrap_or_else(|| panic!("pid {pid} not in the table"));
    assert_eq!(v.fields.pid, pid);
    assert_eq!(
        v.fields.executable.as_ref().map(|t| t.as_bytes().to_vec()),
        (!exe.is_empty()).then(|| exe.to_vec()),
        "executable of {pid}"
    );
    assert_eq!(
        v.parent.as_ref().map(|p| p.fields.pid),
        want.parent,
        "parent of {pid}"
    );
    let sl = v.session_leader.as_ref();
    assert_eq!(
        sl.map(|s| s.fields.pid),
        want.session_leader,
        "session leader of {pid}"
    );
    if let Some(s) = sl {
        assert_eq!(s.same_as_process, Some(s.fields.pid == pid));
    }
    if let Some(g) = want.group_leader {
        let gl = v.group_leader.as_ref().expect("group leader");
        assert_eq!(gl.fields.pid, g, "group leader of {pid}");
        assert_eq!(gl.same_as_process, Some(g == pid));
    }
    let el = v.entry_leader.as_ref();
    assert_eq!(
        el.map(|e| (e.fields.pid, e.entry_meta.as_ref().map(|m| m.entry_type))),
        want.entry_leader.map(|(p, t)| (p, Some(t))),
        "entry leader of {pid}"
    );
    if let Some(e) = el {
        assert_eq!(e.same_as_process, Some(e.fields.pid == pid));
        assert!(e.fields.entity_id.is_some());
    }
}
