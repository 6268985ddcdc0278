//! `auditrs replay` of the shared kernel capture with the session table
//! (issue 5): every exec inside the two ssh logins to 127.0.0.1 carries
//! `process.entry_leader` with `entry_meta.type == "sshd"`,
//! `entry_meta.source.ip == "127.0.0.1"`, one entity id per login, the
//! login user; `host.boot.id` and `host.pid_ns_ino` are on every event.
//!
//! Input: ../shared/conformance/captures/debian12-kernel6.18-raw.log
//! (recorded by ../shared/tools/capture.sh on Debian 12, kernel 6.18, with
//! exec rules only: forks are not in it, so subshells are unknown parents).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn capture() -> std::path::PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/conformance/captures/debian12-kernel6.18-raw.log");
    assert!(
        p.is_file(),
        "missing shared test data {} (see ../shared/README.md)",
        p.display()
    );
    p
}

fn replay(extra: &[&str]) -> Vec<Value> {
    let o = Command::new(env!("CARGO_BIN_EXE_auditrs"))
        .arg("replay")
        .args([
            "--numeric",
            "--boot-id",
            "boot-of-the-capture",
            "--pid-ns-ino",
            "4026531836",
        ])
        .args(extra)
        .arg(capture())
        .output()
        .expect("running auditrs replay");
    assert!(
        o.status.success(),
        "auditrs replay failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout)
        .expect("UTF-8 JSON")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn u64_of(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str()?.parse().ok())
}

#[test]
fn ssh_logins_of_the_capture_have_sshd_entry_leaders_from_127_0_0_1() {
    let events = replay(&[]);
    let (mut evs, mut with_host) = (0, 0);
    for e in &events {
        if e["event"]["kind"] == "event" {
            evs += 1;
            if e["host"]["boot"]["id"] == "boot-of-the-capture"
                && e["host"]["pid_ns_ino"] == 4026531836u64
            {
                with_host += 1;
            }
        }
    }
    assert!(evs > 600, "{evs} events");
    assert_eq!(with_host, evs, "host.boot.id / pid_ns_ino on every event");

    // Ground truth from the records alone (not from the table): the login
    // roots are the sshd processes that call setsid with an audit session
    // set (sshd's session child, which then executes the login shell; the
    // per-connection sshd called setsid before pam_loginuid set `ses`).
    // A process is inside a login when it has the login's audit session id
    // and its chain of parents (as the exec records give them) does not
    // reach an sshd process other than the root first (PAM's motd scripts
    // run by the sshd process before the session are outside).
    let mut roots: BTreeMap<u64, u64> = BTreeMap::new(); // pid -> ses
    let mut exe_of: HashMap<u64, String> = HashMap::new();
    let mut ppid_of: HashMap<u64, u64> = HashMap::new();
    for e in &events {
        let p = &e["process"];
        let (Some(pid), Some(ppid)) = (p["pid"].as_u64(), p["parent"]["pid"].as_u64()) else {
            continue;
        };
        ppid_of.insert(pid, ppid);
        if let Some(x) = p["executable"].as_str() {
            exe_of.insert(pid, x.to_string());
        }
        let ses = u64_of(&e["auditd"]["session"]);
        if let (true, Some(ses)) = (
            e["auditd"]["data"]["syscall"] == "setsid" && p["executable"] == "/usr/sbin/sshd",
            ses,
        ) {
            roots.insert(pid, ses);
        }
    }
    assert_eq!(roots.len(), 2, "two ssh logins in the capture: {roots:?}");
    let inside = |pid: u64, ses: u64| -> bool {
        let mut cur = pid;
        for _ in 0..64 {
            if roots.get(&cur) == Some(&ses) {
                return true;
            }
            let Some(pp) = ppid_of.get(&cur).copied() else {
                // Parent never in a record: the audit session decides.
                return true;
            };
            if exe_of.get(&pp).map(String::as_str) == Some("/usr/sbin/sshd")
                && !roots.contains_key(&pp)
            {
                return false;
            }
            cur = pp;
        }
        false
    };

    let mut checked = 0;
    let mut leaders: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    for e in &events {
        if e["event"]["action"] != "executed" {
            continue;
        }
        let Some(ses) = u64_of(&e["auditd"]["session"]) else {
            continue;
        };
        if !roots.values().any(|s| *s == ses) {
            continue;
        }
        let p = &e["process"];
        let pid = p["pid"].as_u64().unwrap();
        if !inside(pid, ses) {
            continue;
        }
        let el = &p["entry_leader"];
        assert_eq!(el["entry_meta"]["type"], "sshd", "pid {pid}: {p}");
        assert_eq!(el["entry_meta"]["source"]["ip"], "127.0.0.1", "pid {pid}");
        assert_eq!(el["user"]["id"], "0", "login user, pid {pid}");
        assert_eq!(p["user"]["id"], "0", "pid {pid}");
        assert_eq!(e["user"]["audit"]["id"], "0", "pid {pid}");
        let id = el["entity_id"].as_str().expect("entry leader entity_id");
        leaders.entry(ses).or_default().insert(id.to_string());
        checked += 1;
    }
    assert!(checked >= 60, "only {checked} execs inside the logins");
    assert_eq!(leaders.len(), 2, "{leaders:?}");
    for (ses, ids) in &leaders {
        assert_eq!(ids.len(), 1, "one entry leader for session {ses}: {ids:?}");
    }
}

#[test]
fn no_sessions_leaves_the_table_out() {
    let events = replay(&["--no-sessions"]);
    assert!(events.len() > 600);
    for e in &events {
        assert!(e["host"].get("boot").is_none(), "{e}");
        assert!(e["process"].get("entry_leader").is_none(), "{e}");
        assert!(e["process"].get("entity_id").is_none(), "{e}");
    }
}
