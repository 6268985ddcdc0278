//! Entry leader scenarios (the table tests of issue 5), in our own words.
//! Each scenario starts processes the way the kernel reports them (fork,
//! setsid, setpgid, exec records) or seeds them from a fake /proc, then
//! checks parent, session leader, group leader and entry leader.

mod common;

use common::{check, Expect, Sim, Spawn, PTS};
use sessiondb::EntryType::{self, *};
use sessiondb::{FakeProc, FakeProcess, Observation, TtyDev};

const SYSTEMD: &[u8] = b"/sbin/systemd";
const SSHD: &[u8] = b"/usr/sbin/sshd";
const BASH: &[u8] = b"/usr/bin/bash";
const LS: &[u8] = b"/usr/bin/ls";
const GREP: &[u8] = b"/usr/bin/grep";
const SHIM: &[u8] = b"/usr/bin/containerd-shim-runc-v2";
const CONTAINERD: &[u8] = b"/usr/bin/containerd";

fn with_init() -> FakeProc {
    let mut p = FakeProc::new();
    p.insert(1, FakeProcess::new(0, 1, 1).exe(SYSTEMD).start_ticks(1));
    p
}

fn leader(pid: u32, t: EntryType) -> Option<(u32, EntryType)> {
    Some((pid, t))
}

#[test]
fn lone_session_leader_on_serial_terminal_is_terminal() {
    let mut s = Sim::new(FakeProc::new());
    let tty = Some(TtyDev {
        major: 4,
        minor: 64,
    });
    s.spawn(Spawn::new(1234, 0, b"/bin/noproc").sid(1234).tty(tty));
    check(
        &s.db,
        1234,
        b"/bin/noproc",
        Expect {
            session_leader: Some(1234),
            entry_leader: leader(1234, Terminal),
            ..Default::default()
        },
    );
}

#[test]
fn login_on_console_is_console() {
    let mut s = Sim::new(FakeProc::new());
    let tty = Some(TtyDev {
        major: 4,
        minor: 62,
    });
    s.spawn(Spawn::new(1234, 0, b"/bin/login").sid(1234).tty(tty));
    check(
        &s.db,
        1234,
        b"/bin/login",
        Expect {
            session_leader: Some(1234),
            entry_leader: leader(1234, Console),
            ..Default::default()
        },
    );
    // Anything else on a console is not a console entry.
    s.spawn(Spawn::new(1300, 0, BASH).sid(1300).tty(tty));
    check(
        &s.db,
        1300,
        BASH,
        Expect {
            session_leader: Some(1300),
            entry_leader: leader(1300, Unknown),
            ..Default::default()
        },
    );
}

#[test]
fn service_under_init_is_init() {
    let mut s = Sim::new(FakeProc::new());
    s.spawn(Spawn::new(100, 1, b"/bin/rsyslogd").sid(100).tty(PTS));
    check(
        &s.db,
        100,
        b"/bin/rsyslogd",
        Expect {
            parent: Some(1),
            session_leader: Some(100),
            entry_leader: leader(100, Init),
            ..Default::default()
        },
    );
}

#[test]
fn bash_under_ssm_session_worker_on_pts_is_ssm() {
    let mut s = Sim::new(FakeProc::new());
    s.spawn(Spawn::new(999, 0, b"/usr/bin/ssm-session-worker"));
    s.spawn(Spawn::new(1000, 999, BASH).sid(1000).tty(PTS));
    check(
        &s.db,
        1000,
        BASH,
        Expect {
            parent: Some(999),
            session_leader: Some(1000),
            entry_leader: leader(1000, Ssm),
            ..Default::default()
        },
    );
    // Without a pts it is not an ssm session.
    s.spawn(Spawn::new(1100, 999, BASH).sid(1100));
    check(
        &s.db,
        1100,
        BASH,
        Expect {
            parent: Some(999),
            session_leader: Some(1100),
            entry_leader: leader(1100, Unknown),
            ..Default::default()
        },
    );
}

#[test]
fn bash_under_sshd_is_sshd() {
    let mut s = Sim::new(FakeProc::new());
    s.spawn(Spawn::new(999, 0, SSHD));
    s.spawn(Spawn::new(1000, 999, BASH).sid(1000).tty(PTS));
    check(
        &s.db,
        1000,
        BASH,
        Expect {
            parent: Some(999),
            session_leader: Some(1000),
            entry_leader: leader(1000, Sshd),
            ..Default::default()
        },
    );
}

#[test]
fn bash_under_container_runtimes_is_container() {
    for runtime in [SHIM, b"/bin/runc".as_slice(), b"/usr/bin/conmon".as_slice()] {
        let mut s = Sim::new(FakeProc::new());
        s.spawn(Spawn::new(999, 0, runtime));
        s.spawn(Spawn::new(1000, 999, BASH).sid(1000).tty(PTS));
        check(
            &s.db,
            1000,
            BASH,
            Expect {
                parent: Some(999),
                session_leader: Some(1000),
                entry_leader: leader(1000, Container),
                ..Default::default()
            },
        );
    }
}

#[test]
fn empty_proc_bash_session_leader_is_unknown() {
    let mut s = Sim::new(FakeProc::new());
    s.spawn(Spawn::new(1000, 0, BASH).sid(1000).tty(PTS));
    let v = s.db.view(1000).unwrap();
    assert!(v.parent.is_none(), "no parent pid at all");
    check(
        &s.db,
        1000,
        BASH,
        Expect {
            session_leader: Some(1000),
            entry_leader: leader(1000, Unknown),
            ..Default::default()
        },
    );
}

#[test]
fn entry_leader_is_overwritten_when_process_starts_its_own_session() {
    let mut s = Sim::new(FakeProc::new());
    let ssm = b"/usr/bin/ssm-session-worker";
    s.spawn(Spawn::new(999, 1, ssm).sid(999));
    s.spawn(Spawn::new(1000, 999, BASH).tty(PTS));
    // Not a session leader: it inherits ssm-session-worker's init entry.
    check(
        &s.db,
        1000,
        BASH,
        Expect {
            parent: Some(999),
            session_leader: Some(999),
            entry_leader: leader(999, Init),
            ..Default::default()
        },
    );
    // It starts its own session and executes again: now it leads an ssm entry.
    s.setsid(1000, 999);
    s.exec(1000, 999, BASH, PTS);
    check(
        &s.db,
        1000,
        BASH,
        Expect {
            parent: Some(999),
            session_leader: Some(1000),
            entry_leader: leader(1000, Ssm),
            ..Default::default()
        },
    );
}

fn sshd_chain(s: &mut Sim, sshds: &[(u32, u32, u32)]) {
    // (pid, ppid, sid) of each sshd.
    for &(pid, ppid, sid) in sshds {
        let mut sp = Spawn::new(pid, ppid, SSHD);
        if sid == pid {
            sp = sp.sid(pid);
        }
        s.spawn(sp);
    }
}

#[test]
fn systemd_sshd_bash_ls() {
    let mut s = Sim::new(with_init());
    sshd_chain(&mut s, &[(100, 1, 100)]);
    s.spawn(Spawn::new(1000, 100, BASH).sid(1000).pgid(1000).tty(PTS));
    s.spawn(Spawn::new(1001, 1000, LS).pgid(1001).tty(PTS));
    check(
        &s.db,
        1,
        SYSTEMD,
        Expect {
            session_leader: Some(1),
            group_leader: Some(1),
            ..Default::default()
        },
    );
    check(
        &s.db,
        100,
        SSHD,
        Expect {
            parent: Some(1),
            session_leader: Some(100),
            entry_leader: leader(100, Init),
            ..Default::default()
        },
    );
    check(
        &s.db,
        1000,
        BASH,
        Expect {
            parent: Some(100),
            session_leader: Some(1000),
            group_leader: Some(1000),
            entry_leader: leader(1000, Sshd),
        },
    );
    check(
        &s.db,
        1001,
        LS,
        Expect {
            parent: Some(1000),
            session_leader: Some(1000),
            group_leader: Some(1001),
            entry_leader: leader(1000, Sshd),
        },
    );
}

#[test]
fn systemd_sshd_sshd_bash_ls() {
    let mut s = Sim::new(with_init());
    sshd_chain(&mut s, &[(100, 1, 100), (101, 100, 101), (102, 101, 101)]);
    s.spawn(Spawn::new(1000, 102, BASH).sid(1000).tty(PTS));
    s.spawn(Spawn::new(1001, 1000, LS).pgid(1001).tty(PTS));
    for (pid, parent, sid) in [(100, 1, 100), (101, 100, 101), (102, 101, 101)] {
        check(
            &s.db,
            pid,
            SSHD,
            Expect {
                parent: Some(parent),
                session_leader: Some(sid),
                entry_leader: leader(100, Init),
                ..Default::default()
            },
        );
    }
    check(
        &s.db,
        1000,
        BASH,
        Expect {
            parent: Some(102),
            session_leader: Some(1000),
            entry_leader: leader(1000, Sshd),
            ..Default::default()
        },
    );
    check(
        &s.db,
        1001,
        LS,
        Expect {
            parent: Some(1000),
            session_leader: Some(1000),
            group_leader: Some(1001),
            entry_leader: leader(1000, Sshd),
        },
    );
}

#[test]
fn same_tree_seeded_from_proc() {
    let mut p = with_init();
    p.insert(100, FakeProcess::new(1, 100, 100).exe(SSHD).start_ticks(10));
    p.insert(
        101,
        FakeProcess::new(100, 101, 101).exe(SSHD).start_ticks(20),
    );
    p.insert(
        1000,
        FakeProcess::new(101, 1000, 1000)
            .exe(BASH)
            .tty(136, 62)
            .start_ticks(30),
    );
    p.insert(
        1001,
        FakeProcess::new(1000, 1001, 1000)
            .exe(LS)
            .tty(136, 62)
            .start_ticks(40),
    );
    let s = Sim::new(p);
    check(
        &s.db,
        101,
        SSHD,
        Expect {
            parent: Some(100),
            session_leader: Some(101),
            entry_leader: leader(100, Init),
            ..Default::default()
        },
    );
    check(
        &s.db,
        1001,
        LS,
        Expect {
            parent: Some(1000),
            session_leader: Some(1000),
            group_leader: Some(1001),
            entry_leader: leader(1000, Sshd),
        },
    );
    assert_eq!(s.db.stats().proc_lookups, 5);
}

#[test]
fn shim_reparented_to_init_then_bash_is_container() {
    let mut s = Sim::new(with_init());
    s.spawn(Spawn::new(100, 1, CONTAINERD).sid(100));
    // containerd forks the shim, which reparents itself to init.
    s.fork(100, 1000);
    s.exec(1000, 1, SHIM, None);
    check(
        &s.db,
        1000,
        SHIM,
        Expect {
            parent: Some(1),
            session_leader: Some(100),
            entry_leader: leader(100, Init),
            ..Default::default()
        },
    );
    s.spawn(Spawn::new(1001, 1000, BASH).sid(1001));
    check(
        &s.db,
        1001,
        BASH,
        Expect {
            parent: Some(1000),
            session_leader: Some(1001),
            entry_leader: leader(1001, Container),
            ..Default::default()
        },
    );
}

#[test]
fn shim_then_pause_is_container() {
    let mut s = Sim::new(with_init());
    s.spawn(Spawn::new(100, 1, CONTAINERD).sid(100));
    s.fork(100, 1000);
    s.exec(1000, 1, SHIM, None);
    s.spawn(Spawn::new(1001, 1000, b"/usr/bin/pause").sid(1001));
    check(
        &s.db,
        1001,
        b"/usr/bin/pause",
        Expect {
            parent: Some(1000),
            session_leader: Some(1001),
            entry_leader: leader(1001, Container),
            ..Default::default()
        },
    );
    // runc itself under the shim is filtered: it does not lead a container entry.
    s.spawn(Spawn::new(1002, 1000, b"/usr/bin/runc").sid(1002));
    check(
        &s.db,
        1002,
        b"/usr/bin/runc",
        Expect {
            parent: Some(1000),
            session_leader: Some(1002),
            entry_leader: leader(100, Init),
            ..Default::default()
        },
    );
}

fn ssh_login_with_ls() -> Sim {
    let mut s = Sim::new(with_init());
    sshd_chain(&mut s, &[(100, 1, 100)]);
    s.spawn(Spawn::new(1000, 100, BASH).sid(1000).tty(PTS));
    s.spawn(Spawn::new(1001, 1000, LS).pgid(1001).tty(PTS));
    s
}

#[test]
fn unknown_parent_resolved_through_group_leader() {
    // From events: grep's records carry no parent the table knows; it joins
    // ls's process group, then executes.
    let mut s = ssh_login_with_ls();
    let o = Observation {
        ppid: None,
        ..s.obs(1002, 0, b"", None)
    };
    s.event(
        o,
        Some(sessiondb::ProcessChange::Setpgid {
            target: 0,
            pgid: 1001,
        }),
    );
    s.exec(1002, 0, GREP, None);
    let v = s.db.view(1002).unwrap();
    assert!(v.parent.is_none());
    check(
        &s.db,
        1002,
        GREP,
        Expect {
            group_leader: Some(1001),
            entry_leader: leader(1000, Sshd),
            ..Default::default()
        },
    );

    // From /proc: a process (ppid 0, session unknown, group 1001) found on demand.
    s.db.source_mut()
        .insert(1003, FakeProcess::new(0, 1001, 4242).exe(GREP));
    s.event(Observation::pid(1003), None);
    check(
        &s.db,
        1003,
        GREP,
        Expect {
            session_leader: Some(4242),
            group_leader: Some(1001),
            entry_leader: leader(1000, Sshd),
            ..Default::default()
        },
    );
}

#[test]
fn unknown_parent_resolved_through_session_leader() {
    let mut s = ssh_login_with_ls();
    s.db.source_mut()
        .insert(1002, FakeProcess::new(0, 0, 1000).exe(GREP));
    let v = s.event(Observation::pid(1002), None).unwrap();
    assert!(v.parent.is_none());
    check(
        &s.db,
        1002,
        GREP,
        Expect {
            session_leader: Some(1000),
            entry_leader: leader(1000, Sshd),
            ..Default::default()
        },
    );
    assert!(s.db.stats().proc_lookups >= 1);
}

#[test]
fn isolated_process_is_unknown() {
    let mut s = Sim::new(FakeProc::new());
    s.spawn(Spawn::new(1001, 1000, GREP).sid(1001));
    let v = s.db.view(1001).unwrap();
    let parent = v.parent.as_ref().unwrap();
    assert_eq!(parent.fields.pid, 1000);
    assert!(
        parent.fields.entity_id.is_none(),
        "parent known only by its pid"
    );
    check(
        &s.db,
        1001,
        GREP,
        Expect {
            parent: Some(1000),
            session_leader: Some(1001),
            entry_leader: leader(1001, Unknown),
            ..Default::default()
        },
    );
}

#[test]
fn kthreadd_and_its_children_have_no_leaders() {
    let mut p = with_init();
    let mut kthreadd = FakeProcess::new(0, 0, 0);
    kthreadd.stat.comm = b"kthreadd".to_vec();
    let mut rcu = FakeProcess::new(2, 0, 0);
    rcu.stat.comm = b"rcu_gp".to_vec();
    p.insert(2, kthreadd);
    p.insert(3, rcu);
    let s = Sim::new(p);
    for pid in [2, 3] {
        let v = s.db.view(pid).unwrap();
        assert!(v.session_leader.is_none());
        assert!(v.group_leader.is_none());
        assert!(v.entry_leader.is_none());
        assert!(v.fields.executable.is_none());
    }
    let v = s.db.view(3).unwrap();
    assert_eq!(v.parent.as_ref().unwrap().fields.pid, 2);
    assert_eq!(v.fields.name.as_ref().unwrap().as_bytes(), b"rcu_gp");
    assert!(s.db.view(2).unwrap().parent.is_none());
    // init has no entry leader either.
    assert!(s.db.view(1).unwrap().entry_leader.is_none());
}

#[test]
fn pid_reuse_in_the_same_session() {
    let mut s = Sim::new(with_init());
    sshd_chain(&mut s, &[(100, 1, 100), (101, 100, 101)]);
    s.spawn(Spawn::new(1000, 101, BASH).sid(1000).pgid(1000).tty(PTS));
    s.spawn(Spawn::new(1001, 1000, LS).pgid(1001).tty(PTS));
    let ls_id = s.db.view(1001).unwrap().fields.entity_id.unwrap();
    s.exit(1001, 0);
    s.spawn(Spawn::new(1001, 1000, GREP).pgid(1001).tty(PTS));
    let v = s.db.view(1001).unwrap();
    assert_ne!(v.fields.entity_id.as_ref().unwrap(), &ls_id);
    assert!(v.end.is_none(), "the new process is alive");
    assert!(v.previous.iter().all(|p| p.executable.as_bytes() != LS));
    check(
        &s.db,
        1001,
        GREP,
        Expect {
            parent: Some(1000),
            session_leader: Some(1000),
            group_leader: Some(1001),
            entry_leader: leader(1000, Sshd),
        },
    );
}

#[test]
fn pid_reuse_across_sessions() {
    let mut s = Sim::new(with_init());
    sshd_chain(&mut s, &[(100, 1, 100), (101, 100, 101)]);
    s.spawn(Spawn::new(1000, 101, BASH).sid(1000).pgid(1000).tty(PTS));
    s.spawn(Spawn::new(1001, 1000, LS).pgid(1001).tty(PTS));
    s.exit(1001, 0);
    s.spawn(Spawn::new(1002, 1000, GREP).pgid(1002).tty(PTS));
    s.spawn(Spawn::new(1003, 1000, GREP).pgid(1002).tty(PTS));
    let first_session: Vec<String> = [100, 101, 1000]
        .iter()
        .map(|p| s.db.view(*p).unwrap().fields.entity_id.unwrap())
        .collect();
    for pid in [1003, 1002, 1000, 101, 100] {
        s.exit(pid, 0);
    }
    // A second login whose processes reuse the first one's pids, in other roles.
    sshd_chain(&mut s, &[(1001, 1, 1001), (1002, 1001, 1002)]);
    s.spawn(Spawn::new(1003, 1002, BASH).sid(1003).pgid(1003).tty(PTS));
    s.spawn(Spawn::new(1000, 1003, b"/usr/bin/w").pgid(1000).tty(PTS));
    s.spawn(Spawn::new(100, 1003, GREP).pgid(1000).tty(PTS));
    check(
        &s.db,
        1001,
        SSHD,
        Expect {
            parent: Some(1),
            session_leader: Some(1001),
            entry_leader: leader(1001, Init),
            ..Default::default()
        },
    );
    check(
        &s.db,
        1002,
        SSHD,
        Expect {
            parent: Some(1001),
            session_leader: Some(1002),
            entry_leader: leader(1001, Init),
            ..Default::default()
        },
    );
    check(
        &s.db,
        1003,
        BASH,
        Expect {
            parent: Some(1002),
            session_leader: Some(1003),
            group_leader: Some(1003),
            entry_leader: leader(1003, Sshd),
        },
    );
    check(
        &s.db,
        1000,
        b"/usr/bin/w",
        Expect {
            parent: Some(1003),
            session_leader: Some(1003),
            group_leader: Some(1000),
            entry_leader: leader(1003, Sshd),
        },
    );
    check(
        &s.db,
        100,
        GREP,
        Expect {
            parent: Some(1003),
            session_leader: Some(1003),
            group_leader: Some(1000),
            entry_leader: leader(1003, Sshd),
        },
    );
    for (pid, old) in [100, 1000]
        .iter()
        .zip([&first_session[0], &first_session[2]])
    {
        assert_ne!(
            s.db.view(*pid).unwrap().fields.entity_id.as_ref(),
            Some(old)
        );
    }
}

#[test]
fn unknown_parent_resolved_through_audit_session() {
    // Replay from exec records alone: a subshell of the login shell forked
    // without a record, then ran ls. ls's parent is unknown, but its
    // records carry the login's audit session id (ses=7, set by
    // pam_loginuid and inherited by every descendant).
    use sessiondb::ProcessChange;
    let mut s = Sim::new(with_init());
    sshd_chain(&mut s, &[(100, 1, 100)]);
    let in_ses = |mut o: Observation| {
        o.auid = Some(0);
        o.ses = Some(7);
        o
    };
    let exec = |argv: &[u8]| {
        Some(ProcessChange::Exec {
            argv: vec![argv.to_vec()],
            cwd: None,
        })
    };
    s.fork(100, 1000);
    let o = in_ses(s.obs(1000, 100, SSHD, PTS));
    s.event(o, Some(ProcessChange::Setsid));
    let o = in_ses(s.obs(1000, 100, BASH, PTS));
    s.event(o, exec(b"-bash"));
    check(
        &s.db,
        1000,
        BASH,
        Expect {
            parent: Some(100),
            session_leader: Some(1000),
            entry_leader: leader(1000, Sshd),
            ..Default::default()
        },
    );
    let o = in_ses(s.obs(1010, 1009, LS, PTS));
    let v = s.event(o, exec(b"ls")).unwrap();
    let el = v.entry_leader.as_ref().expect("entry leader from ses");
    assert_eq!(el.fields.pid, 1000);
    assert_eq!(el.entry_meta.as_ref().unwrap().entry_type, Sshd);
    assert_eq!(el.same_as_process, Some(false));
    // Without an audit session id nothing is guessed.
    let o = s.obs(1020, 1019, LS, PTS);
    let v = s.event(o, exec(b"ls")).unwrap();
    assert!(v.entry_leader.is_none(), "{v:?}");
    // Another audit session gets nothing either.
    let mut o = in_ses(s.obs(1030, 1029, LS, PTS));
    o.ses = Some(8);
    let v = s.event(o, exec(b"ls")).unwrap();
    assert!(v.entry_leader.is_none(), "{v:?}");
    s.db.check_invariants().unwrap();
}

#[test]
fn orphaned_setsid_child_keeps_the_login_entry_leader() {
    // `setsid sh -c ...` in an ssh login: setsid(1), a process group
    // leader, forks; its child calls setsid(2); setsid(1) exits at once,
    // so the child's exec record names init as its parent. The child
    // leads a new session but still came in through the ssh login.
    let mut s = Sim::new(with_init());
    sshd_chain(&mut s, &[(100, 1, 100)]);
    s.spawn(Spawn::new(1000, 100, BASH).sid(1000).pgid(1000).tty(PTS));
    const SETSID: &[u8] = b"/usr/bin/setsid";
    const SH: &[u8] = b"/usr/bin/dash";
    s.spawn(Spawn::new(1001, 1000, SETSID).pgid(1001).tty(PTS));
    s.fork(1001, 1002);
    s.setsid(1002, 1001);
    s.exit(1001, 0);
    s.exec(1002, 1, SH, None);
    check(
        &s.db,
        1002,
        SH,
        Expect {
            parent: Some(1),
            session_leader: Some(1002),
            group_leader: Some(1002),
            entry_leader: leader(1000, Sshd),
        },
    );
    // A service that init itself starts is still an init entry.
    s.spawn(Spawn::new(2000, 1, SSHD).sid(2000).pgid(2000));
    check(
        &s.db,
        2000,
        SSHD,
        Expect {
            parent: Some(1),
            session_leader: Some(2000),
            group_leader: Some(2000),
            entry_leader: leader(2000, Init),
        },
    );
    s.db.check_invariants().unwrap();
}
