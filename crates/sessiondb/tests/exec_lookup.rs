//! The on-demand /proc read for an exec'd pid the table never saw (exec
//! and exit rules only, no fork records): `stat` alone gives ppid, pgid,
//! sid, tty and start time; the records give image and ids; the groups
//! are the parent's when the ids are the parent's, else read from
//! `status`.

use sessiondb::{
    Config, Creds, FakeProc, FakeProcess, Id, Observation, ProcessChange, ProcessEvent, SessionDb,
    Time,
};

fn creds(id: u32) -> Creds {
    Creds {
        uid: id,
        euid: id,
        suid: id,
        fsuid: id,
        gid: id,
        egid: id,
        sgid: id,
        fsgid: id,
    }
}

fn exec(pid: u32, ppid: u32, ids: u32, ms: u64) -> ProcessEvent {
    ProcessEvent {
        time: Time::from_audit(1_700_000_100, ms as u32),
        observed: Some(Observation {
            pid,
            ppid: Some(ppid),
            creds: Some(creds(ids)),
            exe: Some(b"/usr/bin/true".to_vec()),
            comm: Some(b"true".to_vec()),
            ..Default::default()
        }),
        change: Some(ProcessChange::Exec {
            argv: vec![b"true".to_vec()],
            cwd: Some(b"/".to_vec()),
        }),
    }
}

fn id(n: u32) -> Id {
    Id { id: n.to_string() }
}

fn groups(g: &[u32]) -> Option<Vec<Id>> {
    Some(g.iter().map(|&x| id(x)).collect())
}

#[test]
fn exec_of_an_unseen_pid_reads_stat_and_status_only_when_ids_changed() {
    let mut proc = FakeProc::new();
    proc.insert(1, FakeProcess::new(0, 1, 1).exe(b"/sbin/init"));
    proc.insert(
        500,
        FakeProcess::new(1, 500, 500)
            .exe(b"/usr/bin/bash")
            .ids(1000, 1000)
            .groups(&[4, 27])
            .start_ticks(100),
    );
    let mut db = SessionDb::new(proc, Config::default()).unwrap();
    db.seed_from_proc(Time::from_secs(1_700_000_100)).unwrap();

    // A pipeline stage of 500 in its own group: same ids as its parent.
    db.source_mut().insert(
        600,
        FakeProcess::new(500, 600, 500)
            .ids(1000, 1000)
            .groups(&[4, 27])
            .start_ticks(200),
    );
    let (stat0, status0) = (db.source().stat_reads(), db.source().status_reads());
    let v = db.apply(&exec(600, 500, 1000, 1)).unwrap();
    assert_eq!(db.source().stat_reads(), stat0 + 1);
    assert_eq!(
        db.source().status_reads(),
        status0,
        "ids unchanged: no status read"
    );
    assert_eq!(v.fields.supplemental_groups, groups(&[4, 27]));
    assert_eq!(v.group_leader.as_ref().map(|g| g.fields.pid), Some(600));
    assert_eq!(v.session_leader.as_ref().map(|s| s.fields.pid), Some(500));
    assert_eq!(v.fields.real_user, Some(id(1000)));

    // su-like: other ids (and other groups) than the parent's.
    db.source_mut().insert(
        700,
        FakeProcess::new(500, 700, 500)
            .ids(0, 0)
            .groups(&[0, 10])
            .start_ticks(300),
    );
    let v = db.apply(&exec(700, 500, 0, 2)).unwrap();
    assert_eq!(db.source().stat_reads(), stat0 + 2);
    assert_eq!(db.source().status_reads(), status0 + 1);
    assert_eq!(v.fields.supplemental_groups, groups(&[0, 10]));
    assert_eq!(v.fields.real_user, Some(id(0)));

    // The exit of a pid already in the table reads nothing.
    let exit = ProcessEvent {
        time: Time::from_audit(1_700_000_100, 3),
        observed: Some(Observation {
            pid: 600,
            ppid: Some(500),
            creds: Some(creds(1000)),
            ..Default::default()
        }),
        change: Some(ProcessChange::Exit { code: 0 }),
    };
    db.apply(&exit).unwrap();
    assert_eq!(
        (db.source().stat_reads(), db.source().status_reads()),
        (stat0 + 2, status0 + 1)
    );
}
