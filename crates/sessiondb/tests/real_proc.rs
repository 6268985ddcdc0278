//! Against the real /proc (no root needed): our own process.

use sessiondb::{Config, ProcFs, ProcSource, SessionDb, Time};
use std::os::unix::ffi::OsStrExt;

fn me() -> u32 {
    std::process::id()
}

#[test]
fn own_process_matches_libc() {
    let p = ProcFs::new();
    let pid = me();
    let snap = p.snapshot(pid).expect("read own /proc entry");
    // SAFETY: plain getters without arguments (getsid(0) is the caller's).
    let (ppid, pgrp, sid) = unsafe { (libc::getppid(), libc::getpgrp(), libc::getsid(0)) };
    assert_eq!(snap.stat.ppid as i32, ppid);
    assert_eq!(snap.stat.pgrp as i32, pgrp);
    assert_eq!(snap.stat.session as i32, sid);
    let exe = std::env::current_exe().unwrap();
    assert_eq!(snap.exe.as_deref(), Some(exe.as_os_str().as_bytes()));
    let args: Vec<Vec<u8>> = std::env::args_os().map(|a| a.as_bytes().to_vec()).collect();
    assert_eq!(snap.argv.as_ref(), Some(&args));
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(snap.cwd.as_deref(), Some(cwd.as_os_str().as_bytes()));
    // SAFETY: plain getters.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    let status = snap.status.expect("status");
    assert_eq!(status.creds.uid, uid);
    assert_eq!(status.creds.gid, gid);
    assert!(snap.loginuid.is_some());
    assert!(snap.sessionid.is_some());
}

#[test]
fn host_facts() {
    let h = ProcFs::new().host().expect("host facts");
    assert_eq!(h.boot_id.len(), 36, "{:?}", h.boot_id);
    assert!(h.pid_ns_ino > 0);
    assert!(h.btime_secs > 1_000_000_000);
    assert!(h.clock_ticks > 0);
}

#[test]
fn seeded_table_knows_own_process_and_its_ancestry() {
    let mut db = SessionDb::new(ProcFs::new(), Config::default()).unwrap();
    let n = db.seed_from_proc(Time::from_secs(now_secs())).unwrap();
    assert!(n > 1);
    let v = db.view(me()).expect("own process seeded");
    // SAFETY: plain getters.
    let (ppid, sid) = unsafe { (libc::getppid(), libc::getsid(0)) };
    assert_eq!(v.parent.as_ref().unwrap().fields.pid as i32, ppid);
    // getsid() is 0 when the leader lives outside our pid namespace (or we
    // were started by the kernel): then there is no session leader to show.
    // Otherwise the leader is shown, in full if alive, else by pid alone (a
    // CI runner may start us from a setsid'd shell that has exited).
    match (&v.session_leader, sid) {
        (None, 0) => {}
        (Some(l), s) if s > 0 => {
            assert_eq!(l.fields.pid as i32, s);
            let alive = std::path::Path::new(&format!("/proc/{s}")).exists();
            assert_eq!(l.fields.start.is_some(), alive, "leader {s} alive: {alive}");
        }
        (got, s) => panic!(
            "getsid() = {s}, session leader in the view: {:?}",
            got.as_ref().map(|l| l.fields.pid)
        ),
    }
    assert!(v.fields.start.is_some());
    let init = db.view(1).expect("pid 1");
    assert!(init.entry_leader.is_none());
    serde_json::to_string(&v).unwrap();
    // A child started now is found on demand.
    let mut child = std::process::Command::new("sleep")
        .arg("5")
        .spawn()
        .unwrap();
    let cpid = child.id();
    let ev = sessiondb::ProcessEvent {
        time: Time::from_secs(now_secs() + 1),
        observed: Some(sessiondb::Observation::pid(cpid)),
        change: None,
    };
    let cv = db.apply(&ev).expect("child view");
    child.kill().ok();
    child.wait().ok();
    assert_eq!(cv.parent.unwrap().fields.pid, me());
    assert_eq!(cv.fields.name.unwrap().as_bytes(), b"sleep");
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
