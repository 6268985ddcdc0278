//! Cost of one event through the table (`cargo bench -p sessiondb`): a
//! short-lived process's fork, exec and exit, with the table at steady
//! state, and the view of a process deep in an ssh session.

use sessiondb::{
    Config, Creds, FakeProc, FakeProcess, Observation, ProcessChange, ProcessEvent, SessionDb, Time,
};

fn main() {
    divan::main();
}

fn obs(pid: u32, ppid: u32, exe: &[u8]) -> Observation {
    Observation {
        pid,
        ppid: Some(ppid),
        creds: Some(Creds::default()),
        auid: Some(1000),
        ses: Some(3),
        tty: Some(None),
        comm: None,
        exe: Some(exe.to_vec()),
    }
}

fn table() -> SessionDb<FakeProc> {
    let mut p = FakeProc::new();
    p.insert(
        1,
        FakeProcess::new(0, 1, 1).exe(b"/sbin/init").start_ticks(1),
    );
    p.insert(
        100,
        FakeProcess::new(1, 100, 100)
            .exe(b"/usr/sbin/sshd")
            .start_ticks(2),
    );
    p.insert(
        500,
        FakeProcess::new(100, 500, 500)
            .exe(b"/usr/bin/bash")
            .tty(136, 0)
            .start_ticks(3),
    );
    let mut db = SessionDb::new(p, Config::default()).unwrap();
    db.seed_from_proc(Time::from_secs(1_700_000_100)).unwrap();
    db
}

#[divan::bench]
fn fork_exec_exit(bencher: divan::Bencher) {
    let mut db = table();
    let mut t = Time::from_secs(1_700_000_101);
    let mut pid = 1000u32;
    bencher.bench_local(|| {
        pid = if pid > 4_000_000 { 1000 } else { pid + 1 };
        t = t.plus_nanos(100_000);
        let fork = ProcessChange::Fork {
            child_pid: pid,
            thread: Some(false),
        };
        db.apply(&ProcessEvent {
            time: t,
            observed: Some(obs(500, 100, b"/usr/bin/bash")),
            change: Some(fork),
        });
        let exec = ProcessChange::Exec {
            argv: vec![b"ls".to_vec(), b"-l".to_vec()],
            cwd: None,
        };
        db.apply(&ProcessEvent {
            time: t,
            observed: Some(obs(pid, 500, b"/usr/bin/ls")),
            change: Some(exec),
        });
        let exit = ProcessChange::Exit { code: 0 };
        divan::black_box(db.apply(&ProcessEvent {
            time: t,
            observed: Some(obs(pid, 500, b"/usr/bin/ls")),
            change: Some(exit),
        }));
    });
}

#[divan::bench]
fn view_and_serialize(bencher: divan::Bencher) {
    let db = table();
    bencher.bench_local(|| divan::black_box(serde_json::to_string(&db.view(500)).unwrap()));
}
