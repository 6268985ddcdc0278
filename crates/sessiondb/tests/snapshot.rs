//! The JSON of one event's `process` object, as a reviewed snapshot: `ls`
//! run from an ssh login (sshd seeded from the fake /proc; the login, the
//! shell and `ls` from events).

mod common;

use common::{Sim, PTS};
use sessiondb::{FakeProc, FakeProcess, Observation, ProcessChange};

#[test]
fn ls_in_an_ssh_session() {
    let mut p = FakeProc::new();
    p.insert(
        1,
        FakeProcess::new(0, 1, 1)
            .exe(b"/sbin/init")
            .argv(&[b"/sbin/init"])
            .start_ticks(1),
    );
    p.insert(
        100,
        FakeProcess::new(1, 100, 100)
            .exe(b"/usr/sbin/sshd")
            .argv(&[b"sshd: /usr/sbin/sshd -D [listener]"])
            .cwd(b"/")
            .start_ticks(250),
    );
    let mut s = Sim::new(p);
    let o = |s: &Sim, pid, ppid, exe: &[u8], tty| Observation {
        auid: Some(1000),
        ses: Some(4),
        creds: Some(sessiondb::Creds {
            uid: 1000,
            euid: 1000,
            suid: 1000,
            fsuid: 1000,
            gid: 1000,
            egid: 1000,
            sgid: 1000,
            fsgid: 1000,
        }),
        ..s.obs(pid, ppid, exe, tty)
    };
    s.fork(100, 2000);
    let ev = o(&s, 2000, 100, b"/usr/sbin/sshd", None);
    s.event(
        ev,
        Some(ProcessChange::Login {
            addr: b"198.51.100.4".to_vec(),
        }),
    );
    s.event(
        o(&s, 2000, 100, b"/usr/sbin/sshd", None),
        Some(ProcessChange::Fork {
            child_pid: 2001,
            thread: Some(false),
        }),
    );
    s.event(
        o(&s, 2001, 2000, b"/usr/sbin/sshd", None),
        Some(ProcessChange::Setsid),
    );
    s.event(
        o(&s, 2001, 2000, b"/usr/bin/bash", PTS),
        Some(ProcessChange::Exec {
            argv: vec![b"-bash".to_vec()],
            cwd: Some(b"/home/u".to_vec()),
        }),
    );
    s.event(
        o(&s, 2001, 2000, b"/usr/bin/bash", PTS),
        Some(ProcessChange::Fork {
            child_pid: 2002,
            thread: Some(false),
        }),
    );
    s.event(
        o(&s, 2002, 2001, b"/usr/bin/bash", PTS),
        Some(ProcessChange::Setpgid { target: 0, pgid: 0 }),
    );
    let view = s
        .event(
            o(&s, 2002, 2001, b"/usr/bin/ls", PTS),
            Some(ProcessChange::Exec {
                argv: vec![b"ls".to_vec(), b"-l".to_vec(), b"caf\xe9".to_vec()],
                cwd: Some(b"/home/u".to_vec()),
            }),
        )
        .unwrap();
    insta::assert_json_snapshot!(view);
}
