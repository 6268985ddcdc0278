//! Replays the shared kernel capture (an ssh login to 127.0.0.1 among
//! other workload) through the table, from events alone, the way the
//! daemon's wiring will: SYSCALL/EXECVE/CWD/USER_* records -> ProcessEvent.
//!
//! Input: ../shared/conformance/captures/debian12-kernel6.18-raw.log
//! (recorded by ../shared/tools/capture.sh on Debian 12, kernel 6.18).

use sessiondb::{
    parse_audit_tty, Config, Creds, EntryType, HostInfo, NoProc, Observation, ProcessChange,
    ProcessEvent, SessionDb, Time,
};
use std::collections::BTreeMap;

fn capture() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/conformance/captures/debian12-kernel6.18-raw.log"
    );
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!("missing shared test data {path}: {e} (see ../shared/README.md)")
    })
}

struct Record<'a> {
    kind: &'a str,
    fields: BTreeMap<&'a str, &'a str>,
    line: &'a str,
}

fn parse_line(line: &str) -> Option<(u64, u32, u64, Record<'_>)> {
    let kind = line.strip_prefix("type=")?.split(' ').next()?;
    let (_, rest) = line.split_once("msg=audit(")?;
    let (stamp, body) = rest.split_once("): ")?;
    let (time, serial) = stamp.split_once(':')?;
    let (secs, ms) = time.split_once('.')?;
    let fields = body
        .split(' ')
        .filter_map(|kv| kv.split_once('='))
        .collect();
    Some((
        secs.parse().ok()?,
        ms.parse().ok()?,
        serial.parse().ok()?,
        Record { kind, fields, line },
    ))
}

/// Decodes an audit value: `"quoted"` literally, `(null)` as empty, else hex.
fn value(v: &str) -> Vec<u8> {
    if let Some(q) = v.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        return q.as_bytes().to_vec();
    }
    if v == "(null)" {
        return Vec::new();
    }
    (0..v.len() / 2)
        .map(|i| u8::from_str_radix(&v[2 * i..2 * i + 2], 16).unwrap_or(b'?'))
        .collect()
}

fn num(f: &BTreeMap<&str, &str>, k: &str) -> Option<u32> {
    f.get(k)?.parse::<u64>().ok().map(|v| v as u32)
}

fn hex(f: &BTreeMap<&str, &str>, k: &str) -> u64 {
    f.get(k)
        .and_then(|v| u64::from_str_radix(v, 16).ok())
        .unwrap_or(0)
}

fn translate(time: Time, records: &[Record<'_>]) -> ProcessEvent {
    let mut ev = ProcessEvent {
        time,
        observed: None,
        change: None,
    };
    let find = |k: &str| records.iter().find(|r| r.kind == k);
    if let Some(sc) = find("SYSCALL") {
        let f = &sc.fields;
        let creds = (|| {
            Some(Creds {
                uid: num(f, "uid")?,
                euid: num(f, "euid")?,
                suid: num(f, "suid")?,
                fsuid: num(f, "fsuid")?,
                gid: num(f, "gid")?,
                egid: num(f, "egid")?,
                sgid: num(f, "sgid")?,
                fsgid: num(f, "fsgid")?,
            })
        })();
        ev.observed = Some(Observation {
            pid: num(f, "pid").unwrap_or(0),
            ppid: num(f, "ppid"),
            creds,
            auid: num(f, "auid"),
            ses: num(f, "ses"),
            tty: f.get("tty").and_then(|t| parse_audit_tty(t.as_bytes())),
            comm: f.get("comm").map(|v| value(v)),
            exe: f.get("exe").map(|v| value(v)),
        });
        let ok = f.get("success") != Some(&"no");
        let exit: i64 = f.get("exit").and_then(|v| v.parse().ok()).unwrap_or(-1);
        // x86_64 numbers of the syscalls the table follows (ausyscall).
        let name = match f.get("syscall").copied() {
            Some("56") => "clone",
            Some("57") => "fork",
            Some("58") => "vfork",
            Some("59") => "execve",
            Some("322") => "execveat",
            Some("112") => "setsid",
            Some("109") => "setpgid",
            Some("231") => "exit_group",
            Some("435") => "clone3",
            _ => "other",
        };
        ev.change = ProcessChange::from_syscall(name, ok, exit, hex(f, "a0"), hex(f, "a1"));
        if let Some(ProcessChange::Exec { argv, cwd }) = &mut ev.change {
            // Long arguments continue over several EXECVE records.
            let fields: BTreeMap<&str, &str> = records
                .iter()
                .filter(|r| r.kind == "EXECVE")
                .flat_map(|r| r.fields.iter().map(|(k, v)| (*k, *v)))
                .collect();
            let argc = num(&fields, "argc").unwrap_or(0);
            *argv = (0..argc)
                .map(|i| match fields.get(format!("a{i}").as_str()) {
                    Some(v) => value(v),
                    None => (0..)
                        .map_while(|j| fields.get(format!("a{i}[{j}]").as_str()))
                        .flat_map(|v| value(v))
                        .collect(),
                })
                .collect();
            *cwd = find("CWD")
                .and_then(|r| r.fields.get("cwd"))
                .map(|v| value(v));
        }
    } else if let Some(u) = find("USER_LOGIN").or_else(|| find("USER_START")) {
        let f = &u.fields;
        ev.observed = Some(Observation {
            pid: num(f, "pid").unwrap_or(0),
            auid: num(f, "auid"),
            ses: num(f, "ses"),
            ..Default::default()
        });
        let addr = u
            .line
            .split(" addr=")
            .nth(1)
            .and_then(|r| r.split(' ').next());
        if u.line.contains("res=success") {
            if let Some(a) = addr.filter(|a| *a != "?") {
                ev.change = Some(ProcessChange::Login {
                    addr: a.as_bytes().to_vec(),
                });
            }
        }
    }
    ev
}

#[test]
fn ssh_sessions_of_the_capture_are_sshd_entries_from_127_0_0_1() {
    let text = capture();
    let mut events: BTreeMap<u64, (Time, Vec<Record<'_>>)> = BTreeMap::new();
    for line in text.lines() {
        if let Some((secs, ms, serial, rec)) = parse_line(line) {
            events
                .entry(serial)
                .or_insert_with(|| (Time::from_audit(secs, ms), Vec::new()))
                .1
                .push(rec);
        }
    }
    assert!(events.len() > 600, "capture has {} events", events.len());
    let host = HostInfo {
        boot_id: "capture".into(),
        pid_ns_ino: 1,
        btime_secs: 0,
        clock_ticks: 100,
    };
    let config = Config {
        proc_lookups: false,
        ..Config::default()
    };
    let mut db = SessionDb::with_host(NoProc::default(), host, config);

    // The login sessions: sshd's session child (it calls setsid after
    // pam_loginuid set `ses`) and everything it forks. (PAM's motd scripts,
    // run by the sshd monitor before the session starts, are not part of
    // them: they get the monitor's entry leader, as in Elastic's rules.)
    let mut in_session = std::collections::BTreeSet::new();
    let mut checked = 0;
    let mut longest_arg = 0;
    let mut leaders = std::collections::BTreeSet::new();
    for (time, records) in events.values() {
        let ev = translate(*time, records);
        let Some(o) = ev.observed.clone() else {
            db.apply(&ev);
            continue;
        };
        let login_ses = o.ses.filter(|s| *s != u32::MAX);
        if o.ppid.is_some_and(|p| in_session.contains(&p)) {
            in_session.insert(o.pid);
        }
        match &ev.change {
            Some(ProcessChange::Setsid)
                if login_ses.is_some() && o.exe.as_deref() == Some(b"/usr/sbin/sshd") =>
            {
                in_session.insert(o.pid);
            }
            Some(ProcessChange::Fork { child_pid, .. }) if in_session.contains(&o.pid) => {
                in_session.insert(*child_pid);
            }
            _ => {}
        }
        let is_exec = matches!(ev.change, Some(ProcessChange::Exec { .. }));
        let view = db.apply(&ev);
        if let (true, Some(v)) = (is_exec, &view) {
            let args = v.fields.args.iter().flatten();
            longest_arg = longest_arg.max(args.map(|a| a.as_bytes().len()).max().unwrap_or(0));
        }
        if is_exec && in_session.contains(&o.pid) {
            let v = view.expect("exec has a process");
            let el = v
                .entry_leader
                .as_ref()
                .unwrap_or_else(|| panic!("no entry leader: {v:?}"));
            let meta = el.entry_meta.as_ref().expect("entry meta");
            assert_eq!(meta.entry_type, EntryType::Sshd, "pid {}", v.fields.pid);
            assert_eq!(
                meta.source.as_ref().map(|s| s.ip.as_bytes()),
                Some(&b"127.0.0.1"[..])
            );
            assert_eq!(v.fields.user.as_ref().map(|u| u.id.as_str()), Some("0"));
            leaders.insert((login_ses, el.fields.entity_id.clone()));
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} execs in ssh sessions");
    assert_eq!(longest_arg, 12_000, "the split 12,000-byte argument");
    // One entry leader per login session.
    assert_eq!(leaders.len(), 2, "{leaders:?}");
    // After the grace period only live processes and what they need remain.
    let end = events.values().map(|(t, _)| *t).max().unwrap();
    db.maintain(end.plus_nanos(Config::default().grace_nanos + 1));
    let stats = db.stats();
    eprintln!("{stats:?} live={}", db.live_pids().len());
    assert!(stats.freed > 250, "{stats:?}");
    assert!(
        stats.entries <= db.live_pids().len() + stats.dead,
        "{stats:?}"
    );
    assert!(stats.dead < 20, "{stats:?}");
}
