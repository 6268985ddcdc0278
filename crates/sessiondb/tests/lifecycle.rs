//! Fork/exec/exit sequences, logins, ordering quirks and the JSON shape.

mod common;

use common::{Sim, Spawn, PTS, T0};
use sessiondb::{
    Config, Creds, EntryType, FakeProc, FakeProcess, Observation, ProcessChange, ProcessEvent,
    SessionDb, Time,
};

fn init_proc() -> FakeProc {
    let mut p = FakeProc::new();
    p.insert(
        1,
        FakeProcess::new(0, 1, 1).exe(b"/sbin/init").start_ticks(1),
    );
    p.insert(
        100,
        FakeProcess::new(1, 100, 100)
            .exe(b"/usr/sbin/sshd")
            .start_ticks(50)
            .groups(&[0])
            .login(u32::MAX, u32::MAX),
    );
    p
}

/// The ssh login of the shared capture, in its real order: sshd forks the
/// session child, which calls setsid, logs the USER_LOGIN record, and
/// executes bash; bash runs a pipeline.
fn ssh_login(s: &mut Sim) {
    let ses = Some(6);
    let sshd = |s: &Sim, pid, ppid| Observation {
        auid: Some(0),
        ses,
        exe: Some(b"/usr/sbin/sshd".to_vec()),
        ..s.obs(pid, ppid, b"", None)
    };
    let o = sshd(s, 100, 1);
    s.event(
        o,
        Some(ProcessChange::Fork {
            child_pid: 26901,
            thread: Some(false),
        }),
    );
    let o = sshd(s, 26901, 100);
    s.event(
        o,
        Some(ProcessChange::Login {
            addr: b"127.0.0.1".to_vec(),
        }),
    );
    let o = sshd(s, 26901, 100);
    s.event(
        o,
        Some(ProcessChange::Fork {
            child_pid: 26907,
            thread: Some(false),
        }),
    );
    let o = sshd(s, 26907, 26901);
    s.event(o, Some(ProcessChange::Setsid));
    let o = Observation {
        tty: Some(PTS),
        ..sshd(s, 26907, 26901)
    };
    s.event(
        o,
        Some(ProcessChange::Login {
            addr: b"127.0.0.1".to_vec(),
        }),
    );
    let o = Observation {
        tty: Some(PTS),
        exe: Some(b"/usr/bin/bash".to_vec()),
        ..sshd(s, 26907, 26901)
    };
    s.event(
        o,
        Some(ProcessChange::Exec {
            argv: vec![b"-bash".to_vec()],
            cwd: Some(b"/root".to_vec()),
        }),
    );
}

#[test]
fn ssh_login_gets_source_ip_and_shares_the_entry_leader() {
    let mut s = Sim::new(init_proc());
    ssh_login(&mut s);
    // A three-stage pipeline in its own group, and a setsid child.
    for (pid, exe) in [
        (27000, b"/usr/bin/cat".as_slice()),
        (27001, b"/usr/bin/tr"),
        (27002, b"/usr/bin/sort"),
    ] {
        s.fork(26907, pid);
        s.setpgid(26907, pid, 27000);
        let o = sessiondb::Observation {
            ses: Some(6),
            auid: Some(0),
            ..s.obs(pid, 26907, exe, PTS)
        };
        s.event(
            o,
            Some(ProcessChange::Exec {
                argv: vec![exe.to_vec()],
                cwd: None,
            }),
        );
    }
    // A background job in its own group.
    s.fork(26907, 27005);
    s.setpgid(26907, 27005, 0);
    s.exec(27005, 26907, b"/usr/bin/sleep", PTS);
    s.fork(26907, 27010);
    s.setsid(27010, 26907);
    s.exec(27010, 26907, b"/usr/bin/sleep", None);

    let bash = s.db.view(26907).unwrap();
    let bash_id = bash.fields.entity_id.clone().unwrap();
    let el = bash.entry_leader.as_ref().unwrap();
    assert_eq!(el.fields.pid, 26907);
    let meta = el.entry_meta.as_ref().unwrap();
    assert_eq!(meta.entry_type, EntryType::Sshd);
    assert_eq!(meta.source.as_ref().unwrap().ip.as_bytes(), b"127.0.0.1");
    assert_eq!(el.parent.as_ref().unwrap().pid, 26901);
    // The image inherited at fork is the first previous one.
    assert_eq!(bash.previous.len(), 1);
    assert_eq!(bash.previous[0].executable.as_bytes(), b"/usr/sbin/sshd");

    let job = s.db.view(27005).unwrap();
    assert_eq!(job.group_leader.as_ref().unwrap().fields.pid, 27005);
    assert_eq!(job.session_leader.as_ref().unwrap().fields.pid, 26907);
    for pid in [27000, 27001, 27002, 27005, 27010] {
        let v = s.db.view(pid).unwrap();
        let el = v.entry_leader.as_ref().unwrap();
        assert_eq!(el.fields.entity_id.as_ref(), Some(&bash_id), "pid {pid}");
        assert_eq!(el.entry_meta.as_ref().unwrap().entry_type, EntryType::Sshd);
        assert_eq!(el.same_as_process, Some(false));
    }
    for pid in [27000, 27001, 27002] {
        let v = s.db.view(pid).unwrap();
        assert_eq!(v.group_leader.as_ref().unwrap().fields.pid, 27000);
        assert_eq!(v.session_leader.as_ref().unwrap().fields.pid, 26907);
        assert_eq!(
            v.parent
                .as_ref()
                .unwrap()
                .group_leader
                .as_ref()
                .unwrap()
                .pid,
            26907
        );
        // session_leader.parent.session_leader: bash's parent, sshd 26901,
        // is in the listening sshd's session (100).
        let slp = v.session_leader.as_ref().unwrap().parent.as_ref().unwrap();
        assert_eq!(slp.pid, 26901);
        assert_eq!(slp.session_leader.as_ref().unwrap().pid, 100);
    }
    let setsid_child = s.db.view(27010).unwrap();
    assert_eq!(
        setsid_child.session_leader.as_ref().unwrap().fields.pid,
        27010
    );
    assert_eq!(
        setsid_child
            .session_leader
            .as_ref()
            .unwrap()
            .same_as_process,
        Some(true)
    );
    assert_eq!(
        setsid_child.group_leader.as_ref().unwrap().fields.pid,
        27010
    );
}

#[test]
fn source_ip_from_ssh_connection_when_no_login_record() {
    let mut s = Sim::new(init_proc());
    s.db.source_mut().insert(
        2000,
        FakeProcess::new(100, 2000, 2000)
            .exe(b"/usr/bin/bash")
            .env(&[
                b"HOME=/root",
                b"SSH_CONNECTION=192.0.2.7 50000 192.0.2.1 22",
            ]),
    );
    s.spawn(Spawn::new(2000, 100, b"/usr/bin/bash").sid(2000).tty(PTS));
    let v = s.db.view(2000).unwrap();
    let meta = v.entry_leader.unwrap().entry_meta.unwrap();
    assert_eq!(meta.entry_type, EntryType::Sshd);
    assert_eq!(meta.source.unwrap().ip.as_bytes(), b"192.0.2.7");
}

#[test]
fn exit_reports_end_and_code_and_late_events_still_resolve() {
    let mut s = Sim::new(init_proc());
    s.spawn(Spawn::new(500, 100, b"/usr/bin/true"));
    let v = s.exit(500, 3).unwrap();
    assert_eq!(v.exit_code, Some(3));
    assert_eq!(v.end, Some(s.now()));
    // A late event of the same process (same parent) is attributed to it.
    let v = s
        .event(s.obs(500, 100, b"/usr/bin/true", None), None)
        .unwrap();
    assert_eq!(v.exit_code, Some(3));
    // After the grace period, the entry is gone.
    let later = s.now().plus_nanos(Config::default().grace_nanos + 1);
    s.db.maintain(later);
    assert!(s.db.view(500).is_none());
    assert_eq!(s.db.stats().freed, 1);
}

#[test]
fn child_records_before_the_parents_clone_record() {
    let mut s = Sim::new(init_proc());
    // The child executes (and its record is emitted) before the parent's
    // clone syscall returns.
    s.exec(600, 100, b"/usr/bin/id", None);
    let before = s.db.view(600).unwrap();
    assert!(
        before.fields.start.is_none(),
        "start unknown: no fork, no /proc"
    );
    s.fork(100, 600);
    let after = s.db.view(600).unwrap();
    assert_eq!(
        after.fields.entity_id, before.fields.entity_id,
        "same process"
    );
    assert_eq!(after.fields.executable.unwrap().as_bytes(), b"/usr/bin/id");
    assert_eq!(s.db.stats().missed_exits, 0);
}

#[test]
fn vfork_child_that_exited_before_the_parents_vfork_record() {
    // vfork returns in the parent only after the child's exec; a child as
    // short as /bin/true has exited by then, so both of its records come
    // first. The late vfork record must not bring it back to life (seen
    // at about 4% of the processes of bench/sessions.sh).
    let mut s = Sim::new(init_proc());
    s.exec(600, 100, b"/usr/bin/true", None);
    let id = s.db.view(600).unwrap().fields.entity_id;
    s.exit(600, 0);
    s.fork(100, 600);
    let v = s.db.view(600).unwrap();
    assert_eq!(v.fields.entity_id, id, "same process");
    assert!(v.end.is_some(), "still exited: {v:?}");
    assert!(!s.db.live_pids().contains(&600));
    // The pid reused later by a new child of the same parent is new.
    s.fork(100, 600);
    let n = s.db.view(600).unwrap();
    assert_ne!(n.fields.entity_id, id);
    assert!(n.end.is_none());
    s.db.check_invariants().unwrap();
    assert_eq!(s.db.stats().missed_exits, 0);
}

#[test]
fn threads_are_ignored_and_clone3_children_are_tentative() {
    let mut s = Sim::new(init_proc());
    let o = s.obs(100, 1, b"/usr/sbin/sshd", None);
    s.event(
        o.clone(),
        Some(ProcessChange::Fork {
            child_pid: 700,
            thread: Some(true),
        }),
    );
    assert!(s.db.view(700).is_none());
    assert_eq!(s.db.stats().threads_ignored, 1);

    s.event(
        o.clone(),
        Some(ProcessChange::Fork {
            child_pid: 701,
            thread: None,
        }),
    );
    s.event(
        o,
        Some(ProcessChange::Fork {
            child_pid: 702,
            thread: None,
        }),
    );
    assert!(s.db.view(701).is_some());
    // 702 shows a life of its own; 701 never does (a thread).
    s.exec(702, 100, b"/usr/bin/env", None);
    s.db.maintain(s.now().plus_nanos(Config::default().grace_nanos + 10));
    assert!(s.db.view(701).is_none());
    assert!(s.db.view(702).is_some());
    assert_eq!(s.db.stats().tentative_dropped, 1);
}

#[test]
fn previous_images_and_non_utf8_argv() {
    let mut s = Sim::new(init_proc());
    s.fork(100, 800);
    let argv = vec![
        b"sh".to_vec(),
        b"-c".to_vec(),
        b"echo \xff\xfe \\x41".to_vec(),
    ];
    let o = s.obs(800, 100, b"/usr/bin/dash", None);
    s.event(
        o,
        Some(ProcessChange::Exec {
            argv,
            cwd: Some(b"/tmp/\xe9t\xe9".to_vec()),
        }),
    );
    s.exec(800, 100, b"/usr/bin/env", None);
    let v = s.db.view(800).unwrap();
    let execs: Vec<&[u8]> = v.previous.iter().map(|p| p.executable.as_bytes()).collect();
    assert_eq!(execs, [b"/usr/sbin/sshd".as_slice(), b"/usr/bin/dash"]);
    assert_eq!(v.previous[1].args_count, Some(3));

    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["previous"][1]["args"][2], "echo \\xff\\xfe \\x5cx41");
    assert_eq!(json["previous"][0]["executable"], "/usr/sbin/sshd");
    assert_eq!(json["executable"], "/usr/bin/env");
    assert_eq!(json["name"], "env");
    let arg = json["previous"][1]["args"][2].as_str().unwrap();
    assert_eq!(
        sessiondb::text::decode(arg).unwrap(),
        b"echo \xff\xfe \\x41"
    );

    // Bounded history.
    for _ in 0..20 {
        s.exec(800, 100, b"/usr/bin/env", None);
    }
    assert_eq!(
        s.db.view(800).unwrap().previous.len(),
        Config::default().max_previous
    );
}

#[test]
fn json_shape_of_a_process() {
    let mut p = init_proc();
    p.insert(
        900,
        FakeProcess::new(100, 900, 900)
            .exe(b"/usr/bin/bash")
            .argv(&[b"-bash"])
            .cwd(b"/root")
            .tty(136, 3)
            .ids(1000, 1000)
            .groups(&[24, 1000])
            .start_ticks(12_345),
    );
    let s = Sim::new(p);
    let v = s.db.view(900).unwrap();
    let j = serde_json::to_value(&v).unwrap();
    assert_eq!(j["pid"], 900);
    assert_eq!(j["args"], serde_json::json!(["-bash"]));
    assert_eq!(j["args_count"], 1);
    assert_eq!(j["working_directory"], "/root");
    assert_eq!(j["interactive"], true);
    assert_eq!(
        j["tty"]["char_device"],
        serde_json::json!({"major": 136, "minor": 3})
    );
    for k in [
        "user",
        "real_user",
        "saved_user",
        "group",
        "real_group",
        "saved_group",
    ] {
        assert_eq!(j[k]["id"], "1000", "{k}");
    }
    assert_eq!(
        j["supplemental_groups"],
        serde_json::json!([{"id": "24"}, {"id": "1000"}])
    );
    // 1_700_000_000 + 123.45 s.
    assert_eq!(j["start"], "2023-11-14T22:15:23.450000000Z");
    assert_eq!(j["parent"]["pid"], 100);
    assert_eq!(j["parent"]["group_leader"]["pid"], 100);
    assert_eq!(j["session_leader"]["same_as_process"], true);
    assert_eq!(j["entry_leader"]["entry_meta"]["type"], "sshd");
    assert_eq!(j["entry_leader"]["parent"]["pid"], 100);
    assert!(j["entry_leader"]["parent"]["entity_id"].is_string());
    assert!(j.get("end").is_none());
    assert!(j.get("previous").is_none());
    let host = serde_json::to_value(s.db.host().fields()).unwrap();
    assert_eq!(host["boot"]["id"], "00000000-0000-4000-8000-000000000001");
    assert_eq!(host["pid_ns_ino"], 4_026_531_836u64);
}

#[test]
fn implicit_exec_without_exec_rules_and_reparenting() {
    let mut s = Sim::new(init_proc());
    s.fork(100, 1100);
    // Only an unrelated syscall record shows the new image and a new parent.
    s.event(s.obs(1100, 1, b"/usr/bin/daemon", None), None);
    let v = s.db.view(1100).unwrap();
    assert_eq!(v.fields.executable.unwrap().as_bytes(), b"/usr/bin/daemon");
    assert_eq!(v.previous.len(), 1);
    assert!(
        v.previous[0].args.is_some(),
        "the fork image keeps its args"
    );
    assert_eq!(v.parent.unwrap().fields.pid, 1);
}

#[test]
fn replay_without_proc_builds_from_events_alone() {
    let host = sessiondb::HostInfo {
        boot_id: "replay".into(),
        ..Default::default()
    };
    let config = Config {
        proc_lookups: false,
        ..Config::default()
    };
    let mut db = SessionDb::with_host(sessiondb::NoProc::default(), host, config);
    let t = Time::from_secs(T0);
    let obs = Observation {
        pid: 42,
        ppid: Some(41),
        creds: Some(Creds {
            uid: 5,
            euid: 6,
            suid: 7,
            fsuid: 6,
            gid: 8,
            egid: 9,
            sgid: 10,
            fsgid: 9,
        }),
        auid: Some(5),
        ses: Some(3),
        tty: Some(None),
        comm: Some(b"x".to_vec()),
        exe: Some(b"/bin/x".to_vec()),
    };
    let v = db
        .apply(&ProcessEvent {
            time: t,
            observed: Some(obs),
            change: None,
        })
        .unwrap();
    let j = serde_json::to_value(&v).unwrap();
    assert_eq!(j["user"]["id"], "6");
    assert_eq!(j["real_user"]["id"], "5");
    assert_eq!(j["saved_user"]["id"], "7");
    assert_eq!(j["group"]["id"], "9");
    assert_eq!(j["real_group"]["id"], "8");
    assert_eq!(j["saved_group"]["id"], "10");
    assert_eq!(j["interactive"], false);
    assert_eq!(db.stats().proc_lookups, 0);
    assert!(db
        .apply(&ProcessEvent {
            time: t,
            observed: None,
            change: None
        })
        .is_none());
}

#[test]
fn exe_spelled_differently_in_proc_is_not_an_exec() {
    let mut p = init_proc();
    // Seen from the host, a container's binary has a longer path.
    p.insert(
        1200,
        FakeProcess::new(100, 1200, 1200)
            .exe(b"/var/lib/c/rootfs/usr/bin/nginx")
            .start_ticks(60),
    );
    let mut s = Sim::new(p);
    s.event(s.obs(1200, 100, b"/usr/bin/nginx", None), None);
    let v = s.db.view(1200).unwrap();
    assert_eq!(v.fields.executable.unwrap().as_bytes(), b"/usr/bin/nginx");
    assert!(v.previous.is_empty());
    // A later change of image is one.
    s.event(s.obs(1200, 100, b"/usr/bin/other", None), None);
    assert_eq!(s.db.view(1200).unwrap().previous.len(), 1);
}

#[test]
fn source_ip_through_the_audit_session_when_only_the_monitor_logged() {
    let mut s = Sim::new(init_proc());
    let sshd = |s: &Sim, pid, ppid| Observation {
        auid: Some(1000),
        ses: Some(9),
        exe: Some(b"/usr/sbin/sshd".to_vec()),
        ..s.obs(pid, ppid, b"", None)
    };
    s.fork(100, 3000);
    let o = sshd(&s, 3000, 100);
    s.event(
        o,
        Some(ProcessChange::Login {
            addr: b"2001:db8::7".to_vec(),
        }),
    );
    let o = sshd(&s, 3000, 100);
    s.event(
        o,
        Some(ProcessChange::Fork {
            child_pid: 3001,
            thread: Some(false),
        }),
    );
    let o = sshd(&s, 3001, 3000);
    s.event(o, Some(ProcessChange::Setsid));
    let o = Observation {
        exe: Some(b"/usr/bin/zsh".to_vec()),
        ..sshd(&s, 3001, 3000)
    };
    s.event(
        o,
        Some(ProcessChange::Exec {
            argv: vec![b"-zsh".to_vec()],
            cwd: None,
        }),
    );
    let j = serde_json::to_value(s.db.view(3001).unwrap()).unwrap();
    assert_eq!(j["entry_leader"]["entry_meta"]["type"], "sshd");
    assert_eq!(
        j["entry_leader"]["entry_meta"]["source"]["ip"],
        "2001:db8::7"
    );
    // Logins without an address, or "?", change nothing.
    let o = sshd(&s, 3000, 100);
    s.event(
        o,
        Some(ProcessChange::Login {
            addr: b"?".to_vec(),
        }),
    );
    assert_eq!(s.db.stats().logins, 1);
}

#[test]
fn pid_reused_within_the_same_millisecond_gets_a_new_entity_id() {
    let mut s = Sim::new(init_proc());
    let t = s.now();
    let ev = |pid, change| ProcessEvent {
        time: t,
        observed: Some(Observation {
            pid,
            ppid: Some(100),
            ..Default::default()
        }),
        change: Some(change),
    };
    let fork = ProcessChange::Fork {
        child_pid: 5000,
        thread: Some(false),
    };
    s.db.apply(&ev(100, fork.clone()));
    let first = s.db.view(5000).unwrap().fields.entity_id.unwrap();
    s.db.apply(&ev(5000, ProcessChange::Exit { code: 0 }));
    s.db.apply(&ev(100, fork));
    let second = s.db.view(5000).unwrap();
    assert_ne!(second.fields.entity_id.unwrap(), first);
    assert_eq!(second.fields.start, Some(t.plus_nanos(1)));
    assert!(second.end.is_none());
}
