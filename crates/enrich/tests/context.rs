//! SessionContext behind the ECS serializer: records in, enriched JSON out.
//! Events are written by hand in audit.log form (field layout as in the
//! Debian 12 / kernel 6.18 capture of ../shared, values changed).

use audit_ecs::{Config, FixedNames, Replay, ReplayOptions};
use audit_enrich::SessionContext;
use serde_json::Value;
use sessiondb::HostInfo;

fn host() -> HostInfo {
    HostInfo {
        boot_id: "b00t".into(),
        pid_ns_ino: 4026531836,
        btime_secs: 0,
        clock_ticks: 100,
    }
}

#[allow(clippy::too_many_arguments)]
fn syscall(
    ms: u32,
    serial: u32,
    nr: u32,
    exit: i64,
    a0: &str,
    ppid: u32,
    pid: u32,
    ses: &str,
    exe: &str,
) -> String {
    format!(
        "type=SYSCALL msg=audit(1795396402.{ms:03}:{serial}): arch=c000003e syscall={nr} success=yes exit={exit} a0={a0} a1=0 a2=0 a3=0 items=0 ppid={ppid} pid={pid} auid={ses} uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses={ses} comm=\"x\" exe={exe} key=(null)\n"
    )
}

fn run(lines: &str, with_sessions: bool) -> Vec<Value> {
    let mut r = Replay::new(
        ReplayOptions {
            serializer: Config::default(),
            ..Default::default()
        },
        FixedNames::new(),
        Vec::new(),
    );
    if with_sessions {
        r.set_process_context(Box::new(SessionContext::from_events(host())));
    }
    let mut warnings = Vec::new();
    r.feed("test", lines.as_bytes(), &mut |w| warnings.push(w))
        .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let (_, out) = r.finish().unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// sshd 100 (seen first through its own event) forks 200; 200 calls setsid,
/// PAM opens the session (ses 3, from 10.1.2.3), 200 executes bash; bash
/// forks 201 which executes a program whose path is not UTF-8.
fn login() -> String {
    let sshd = "\"/usr/sbin/sshd\"";
    let mut s = String::new();
    s += &syscall(1, 1, 56, 200, "1200011", 1, 100, "4294967295", sshd);
    s += "type=EOE msg=audit(1795396402.001:1): \n";
    s += &syscall(2, 2, 112, 200, "0", 100, 200, "3", sshd);
    s += "type=EOE msg=audit(1795396402.002:2): \n";
    s += "type=USER_START msg=audit(1795396402.003:3): pid=100 uid=0 auid=0 ses=3 msg='op=PAM:session_open grantors=pam_unix acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=10.1.2.3 addr=10.1.2.3 terminal=ssh res=success'\n";
    s += &syscall(4, 4, 59, 0, "55", 100, 200, "3", "\"/usr/bin/bash\"");
    s += "type=EXECVE msg=audit(1795396402.004:4): argc=1 a0=\"-bash\"\n";
    s += "type=CWD msg=audit(1795396402.004:4): cwd=\"/root\"\n";
    s += "type=EOE msg=audit(1795396402.004:4): \n";
    s += &syscall(5, 5, 56, 201, "1200011", 100, 200, "3", "\"/usr/bin/bash\"");
    s += "type=EOE msg=audit(1795396402.005:5): \n";
    // exe=/tmp/\xff (hex, as the kernel logs untrusted strings).
    s += &syscall(6, 6, 59, 0, "55", 200, 201, "3", "2F746D702FFF");
    s += "type=EXECVE msg=audit(1795396402.006:6): argc=2 a0=\"x\" a1=\"-v\"\n";
    s += "type=EOE msg=audit(1795396402.006:6): \n";
    // An openat of 201: no EXECVE, the table fills args.
    s += &syscall(7, 7, 257, 3, "ffffff9c", 200, 201, "3", "2F746D702FFF");
    s += "type=EOE msg=audit(1795396402.007:7): \n";
    // 201 executes again: its previous image is the non-UTF-8 one.
    s += &syscall(8, 8, 59, 0, "55", 200, 201, "3", "\"/usr/bin/true\"");
    s += "type=EXECVE msg=audit(1795396402.008:8): argc=1 a0=\"true\"\n";
    s += "type=EOE msg=audit(1795396402.008:8): \n";
    s += &syscall(9, 9, 231, 0, "2", 200, 201, "3", "\"/usr/bin/true\"")
        .replace("success=yes exit=0 ", "");
    s += "type=EOE msg=audit(1795396402.009:9): \n";
    s
}

#[test]
fn login_shell_and_child_carry_the_sshd_entry_leader() {
    let ev = run(&login(), true);
    assert_eq!(ev.len(), 9, "{ev:#?}");
    for e in &ev {
        assert_eq!(e["host"]["boot"]["id"], "b00t", "{e}");
        assert_eq!(e["host"]["pid_ns_ino"], 4026531836u64, "{e}");
        if e["auditd"]["message_type"] == "syscall" {
            assert_eq!(e["host"]["architecture"], "x86_64", "{e}");
        }
    }
    let bash = &ev[3]["process"];
    assert_eq!(bash["pid"], 200);
    assert_eq!(bash["executable"], "/usr/bin/bash");
    assert_eq!(bash["entry_leader"]["entry_meta"]["type"], "sshd", "{bash}");
    assert_eq!(
        bash["entry_leader"]["entry_meta"]["source"]["ip"],
        "10.1.2.3"
    );
    assert_eq!(bash["entry_leader"]["same_as_process"], true);
    assert_eq!(bash["session_leader"]["pid"], 200);
    // The parent is the table's: with its entity id and start.
    assert_eq!(bash["parent"]["pid"], 100);
    assert!(bash["parent"]["entity_id"].is_string(), "{bash}");
    assert_eq!(bash["previous"][0]["executable"], "/usr/sbin/sshd");
    // Members the serializer writes are not repeated (a duplicate key
    // would make serde_json keep the last one; check the raw text).
    let child = &ev[5]["process"];
    assert_eq!(child["pid"], 201);
    assert_eq!(child["entry_leader"]["pid"], 200);
    assert_eq!(
        child["entry_leader"]["entity_id"],
        bash["entry_leader"]["entity_id"]
    );
    assert_eq!(child["session_leader"]["pid"], 200);
    assert_eq!(child["session_leader"]["same_as_process"], false);
    assert_eq!(child["parent"]["pid"], 200);
    assert_eq!(child["parent"]["executable"], "/usr/bin/bash");
    assert_eq!(child["user"]["id"], "0");
    assert_eq!(child["interactive"], true);
    assert_eq!(child["tty"]["char_device"]["major"], 136);
    // Non-UTF-8 bytes: U+FFFD in the string, exact bytes under
    // auditd.non_utf8, keyed by path (the serializer's convention).
    assert_eq!(child["executable"], "/tmp/\u{fffd}");
    assert_eq!(
        ev[5]["auditd"]["non_utf8"]["process.executable"],
        "2f746d702fff"
    );
    // The openat event: args from the table; the table's executable only
    // where the serializer wrote none.
    let open = &ev[6];
    assert_eq!(open["process"]["args"], serde_json::json!(["x", "-v"]));
    assert_eq!(open["process"]["args_count"], 2);
    assert_eq!(open["process"]["executable"], "/tmp/\u{fffd}");
    // Nested non-UTF-8 values follow the same convention.
    let again = &ev[7];
    assert_eq!(
        again["process"]["previous"][1]["executable"],
        "/tmp/\u{fffd}"
    );
    assert_eq!(
        again["auditd"]["non_utf8"]["process.previous.1.executable"], "2f746d702fff",
        "{again}"
    );
    // End: end time and the serializer's exit code.
    let end = &ev[8]["process"];
    assert_eq!(end["exit_code"], 2);
    assert_eq!(end["end"], "2026-11-23T01:13:22.009000000Z");
}

#[test]
fn no_duplicate_keys_in_the_process_object() {
    let mut r = Replay::new(ReplayOptions::default(), FixedNames::new(), Vec::new());
    r.set_process_context(Box::new(SessionContext::from_events(host())));
    r.feed("t", login().as_bytes(), &mut |_| {}).unwrap();
    let (_, out) = r.finish().unwrap();
    for line in String::from_utf8(out).unwrap().lines() {
        // Top-level members of "process": count each key once.
        let v: Value = serde_json::from_str(line).unwrap();
        let obj = v["process"].as_object().unwrap();
        let start = line.find("\"process\":{").unwrap() + "\"process\":".len();
        let text = &line[start..];
        let mut depth = 0;
        let mut keys = Vec::new();
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut in_str = false;
        let mut str_start = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if in_str {
                if c == b'\\' {
                    i += 2;
                    continue;
                }
                if c == b'"' {
                    in_str = false;
                    if depth == 1 && bytes.get(i + 1) == Some(&b':') {
                        keys.push(&text[str_start..i]);
                    }
                }
            } else if c == b'"' {
                in_str = true;
                str_start = i + 1;
            } else if c == b'{' || c == b'[' {
                depth += 1;
            } else if c == b'}' || c == b']' {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            i += 1;
        }
        assert_eq!(keys.len(), obj.len(), "duplicate keys in {line}");
    }
}

#[test]
fn without_the_context_nothing_is_added() {
    let ev = run(&login(), false);
    for e in &ev {
        assert!(e["host"].get("boot").is_none());
        assert!(e["process"].get("entry_leader").is_none());
    }
    assert_eq!(ev[5]["process"]["parent"], serde_json::json!({"pid": 200}));
}

/// More processes than `ProcessMemo` has slots, each seen twice, the
/// second time after its slot was surely taken by others: every entity id
/// (the process's and its parent's) is still the one `sessiondb` makes.
#[test]
fn entity_ids_stay_right_past_the_memo_size() {
    let n = 400u32;
    let mut lines = syscall(
        0,
        1,
        257,
        3,
        "ffffff9c",
        0,
        1,
        "4294967295",
        "\"/sbin/init\"",
    );
    let mut serial = 2;
    let mut first_seen = std::collections::HashMap::new();
    for round in 0..2u32 {
        for i in 0..n {
            let pid = 1000 + i;
            let ms = 1 + round * 500 + i;
            first_seen.entry(pid).or_insert(ms);
            lines += &syscall(
                ms,
                serial,
                257,
                3,
                "ffffff9c",
                1,
                pid,
                "4294967295",
                "\"/usr/bin/cat\"",
            );
            serial += 1;
        }
    }
    let events = run(&lines, true);
    assert_eq!(events.len(), 1 + 2 * n as usize);
    let id = |pid: u32, ms: u32| {
        sessiondb::entity_id(&host(), pid, sessiondb::Time::from_audit(1_795_396_402, ms))
    };
    let init_id = id(1, 0);
    for e in &events[1..] {
        let pid = e["process"]["pid"].as_u64().unwrap() as u32;
        assert_eq!(
            e["process"]["entity_id"].as_str(),
            Some(id(pid, first_seen[&pid]).as_str()),
            "pid {pid}"
        );
        assert_eq!(
            e["process"]["parent"]["entity_id"].as_str(),
            Some(init_id.as_str())
        );
    }
}

/// A relative's own members are rendered once and copied while it does
/// not change (`ProcessRef::revision`): every change of the session leader
/// (ids, terminal, exec, an executable that is not UTF-8) shows in the
/// next event of its child, and its non-UTF-8 bytes are reported under the
/// relative's own path.
#[test]
fn relatives_follow_their_changes() {
    let bash = "\"/usr/bin/bash\"";
    let mut s = String::new();
    let mut serial = 1;
    let mut ev = |s: &mut String, line: String, extra: &str| {
        s.push_str(&line);
        s.push_str(extra);
        s.push_str(&format!(
            "type=EOE msg=audit(1795396402.{serial:03}:{serial}): \n"
        ));
        serial += 1;
    };
    // 200: setsid, exec bash, fork 201.
    ev(
        &mut s,
        syscall(1, 1, 112, 200, "0", 100, 200, "3", bash),
        "",
    );
    ev(
        &mut s,
        syscall(2, 2, 59, 0, "55", 100, 200, "3", bash),
        "type=EXECVE msg=audit(1795396402.002:2): argc=1 a0=\"-bash\"\n",
    );
    ev(&mut s, syscall(3, 3, 57, 201, "0", 100, 200, "3", bash), "");
    let child = |ms: u32| syscall(ms, ms, 257, 3, "ffffff9c", 200, 201, "3", bash);
    ev(&mut s, child(4), "");
    // 200's ids and terminal change.
    ev(
        &mut s,
        syscall(5, 5, 257, 3, "ffffff9c", 100, 200, "3", bash)
            .replace(" uid=0 ", " uid=5 ")
            .replace("tty=pts0", "tty=pts7"),
        "",
    );
    ev(&mut s, child(6), "");
    // 200 executes zsh, then a program whose path is not UTF-8.
    ev(
        &mut s,
        syscall(7, 7, 59, 0, "55", 100, 200, "3", "\"/usr/bin/zsh\""),
        "type=EXECVE msg=audit(1795396402.007:7): argc=1 a0=\"zsh\"\n",
    );
    ev(&mut s, child(8), "");
    ev(
        &mut s,
        syscall(9, 9, 59, 0, "55", 100, 200, "3", "2F746D702FFF"),
        // "z\xff": an argument that is not UTF-8 either.
        "type=EXECVE msg=audit(1795396402.009:9): argc=1 a0=7AFF\n",
    );
    ev(&mut s, child(10), "");
    ev(&mut s, child(11), "");
    let events = run(&s, true);
    assert_eq!(events.len(), 11);
    let leader = |i: usize| &events[i]["process"]["session_leader"];
    let expect = |i: usize, exe: &str, arg: &str, uid: &str, minor: u64| {
        let l = leader(i);
        assert_eq!(l["pid"], 200, "{l}");
        assert_eq!(l["executable"], exe, "event {i}: {l}");
        assert_eq!(l["args"], serde_json::json!([arg]), "event {i}: {l}");
        assert_eq!(l["real_user"]["id"], uid, "event {i}: {l}");
        assert_eq!(l["tty"]["char_device"]["minor"], minor, "event {i}: {l}");
        assert_eq!(l["same_as_process"], false, "event {i}: {l}");
        // The parent is the same process, written the same way.
        let mut p = events[i]["process"]["parent"].clone();
        let mut l = l.clone();
        p.as_object_mut().unwrap().remove("group_leader");
        for k in ["same_as_process", "parent"] {
            l.as_object_mut().unwrap().remove(k);
        }
        assert_eq!(p, l, "event {i}");
    };
    expect(3, "/usr/bin/bash", "-bash", "0", 0);
    expect(5, "/usr/bin/bash", "-bash", "5", 7);
    // The exec records name uid 0 and pts0 again.
    expect(7, "/usr/bin/zsh", "zsh", "0", 0);
    for i in [9, 10] {
        expect(i, "/tmp/\u{fffd}", "z\u{fffd}", "0", 0);
        let n = &events[i]["auditd"]["non_utf8"];
        for rel in ["parent", "group_leader", "session_leader", "entry_leader"] {
            let path = format!("process.{rel}.executable");
            assert_eq!(n[&path], "2f746d702fff", "event {i}, {path}: {n}");
            let path = format!("process.{rel}.args.0");
            assert_eq!(n[&path], "7aff", "event {i}, {path}: {n}");
        }
    }
}

/// A relative with long arguments (its rendering is not kept): written in
/// full on every event.
#[test]
fn relatives_with_long_arguments_are_written_in_full() {
    let bash = "\"/usr/bin/bash\"";
    let long = "a".repeat(6000);
    let mut s = String::new();
    s += &syscall(1, 1, 112, 200, "0", 100, 200, "3", bash);
    s += "type=EOE msg=audit(1795396402.001:1): \n";
    s += &syscall(2, 2, 59, 0, "55", 100, 200, "3", bash);
    s += &format!("type=EXECVE msg=audit(1795396402.002:2): argc=2 a0=\"bash\" a1=\"{long}\"\n");
    s += "type=EOE msg=audit(1795396402.002:2): \n";
    for ms in 3..6u32 {
        s += &syscall(ms, ms, 257, 3, "ffffff9c", 200, 201, "3", bash);
        s += &format!("type=EOE msg=audit(1795396402.{ms:03}:{ms}): \n");
    }
    let events = run(&s, true);
    assert_eq!(events.len(), 5);
    for e in &events[2..] {
        for key in ["parent", "session_leader"] {
            let args = &e["process"][key]["args"];
            assert_eq!(args, &serde_json::json!(["bash", long]), "{key}");
        }
    }
}
