//! Live (issue 5 acceptance): `auditrs run` with the session rules
//! (`rules.d/`), then an ssh login to 127.0.0.1 that runs a three-stage
//! pipeline, a background job, a `setsid` child and short-lived programs;
//! each reports its own pid, process group and session from
//! /proc/PID/stat (ground truth). In the JSON, every exec inside the login
//! has an sshd entry leader from 127.0.0.1 (one entity id, the login user),
//! `group_leader.pid` is the true pgid and `session_leader.pid` the true
//! sid; the setsid child leads its own session.
//!
//! Needs root, a kernel with audit (else skipped, reason printed; under
//! CI=true a skip fails) and openssh (`ssh`, `/usr/sbin/sshd`; .ci/run
//! installs openssh-server). Everything the test sets up is its own and
//! removed afterwards: a host key and a client key pair in a temporary
//! directory, an sshd on a free port of 127.0.0.1 with a temporary config
//! (killed on drop, even on failure), `/run/sshd` if it was missing.
//! Kernel rules and status are restored by the live-kernel guard.

mod run_support;

use std::collections::{BTreeSet, HashMap};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use run_support::*;
use serde_json::Value;

/// sshd as a child process, killed (and reaped) on drop.
struct Sshd {
    child: Child,
    log: PathBuf,
}

impl Sshd {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `/run/sshd` (sshd's privilege separation directory), removed on drop
/// if this test created it.
struct PrivsepDir(Option<PathBuf>);

impl PrivsepDir {
    fn ensure() -> PrivsepDir {
        let p = Path::new("/run/sshd");
        if p.is_dir() {
            return PrivsepDir(None);
        }
        std::fs::create_dir_all(p).expect("creating /run/sshd");
        PrivsepDir(Some(p.to_path_buf()))
    }
}

impl Drop for PrivsepDir {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            let _ = std::fs::remove_dir(p);
        }
    }
}

fn run_ok(cmd: &mut Command) {
    let o = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        o.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("binding a free port");
    l.local_addr().unwrap().port()
}

fn start_sshd(dir: &TempDir, port: u16) -> Sshd {
    for tool in ["/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen"] {
        assert!(
            Path::new(tool).is_file(),
            "{tool} missing: install openssh-server and openssh-client (.ci/run does)"
        );
    }
    let host_key = dir.path("host_key");
    let id = dir.path("id");
    for key in [&host_key, &id] {
        run_ok(
            Command::new("/usr/bin/ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-f"])
                .arg(key),
        );
    }
    std::fs::copy(dir.path("id.pub"), dir.path("authorized_keys")).unwrap();
    let config = format!(
        "ListenAddress 127.0.0.1\n\
         Port {port}\n\
         HostKey {}\n\
         PidFile {}\n\
         PermitRootLogin prohibit-password\n\
         PubkeyAuthentication yes\n\
         PasswordAuthentication no\n\
         KbdInteractiveAuthentication no\n\
         UsePAM yes\n\
         AuthorizedKeysFile {}\n\
         StrictModes no\n\
         PrintMotd no\n",
        host_key.display(),
        dir.path("sshd.pid").display(),
        dir.path("authorized_keys").display(),
    );
    let config_path = dir.path("sshd_config");
    std::fs::write(&config_path, config).unwrap();
    let log = dir.path("sshd.log");
    let child = Command::new("/usr/sbin/sshd")
        .args(["-D", "-e", "-f"])
        .arg(&config_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("starting /usr/sbin/sshd");
    let mut sshd = Sshd { child, log };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(st) = sshd.child.try_wait().unwrap() {
            panic!("sshd exited ({st}): {}", sshd.log());
        }
        assert!(
            Instant::now() < deadline,
            "sshd not listening after 10 s: {}",
            sshd.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    sshd
}

/// The commands run in the login (by `bash -s`, job control on, as an
/// interactive shell would have it): each reporting process appends
/// `NAME PID PGID SID` from its own /proc/PID/stat to `truth`.
fn login_script(truth: &Path) -> String {
    format!(
        r#"set -m
r='read -r pid comm state ppid pgrp sid rest < /proc/$$/stat; echo "$0 $pid $pgrp $sid" >> {truth}'
sh -c "$r" stage1 | sh -c "$r; cat >/dev/null" stage2 | sh -c "$r" stage3
sh -c "$r" background &
wait
setsid sh -c "$r" setsid_child
sh -c "$r" foreground
/bin/true; /bin/true; /bin/true
"#,
        truth = truth.display()
    )
}

#[derive(Debug)]
struct Truth {
    name: String,
    pid: u64,
    pgid: u64,
    sid: u64,
}

fn read_truth(path: &Path) -> Vec<Truth> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some(Truth {
                name: f.first()?.to_string(),
                pid: f.get(1)?.parse().ok()?,
                pgid: f.get(2)?.parse().ok()?,
                sid: f.get(3)?.parse().ok()?,
            })
        })
        .collect()
}

fn executed(events: &[Value]) -> impl Iterator<Item = &Value> {
    events
        .iter()
        .filter(|e| e["event"]["action"] == "executed" && e["event"]["outcome"] == "success")
}

#[test]
fn ssh_login_pipeline_background_setsid_have_true_leaders_and_sshd_entry() {
    let Some(_kernel) =
        live("ssh_login_pipeline_background_setsid_have_true_leaders_and_sshd_entry")
    else {
        return;
    };
    let t0 = Instant::now();
    let dir = TempDir::new("session-live");
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules.d");
    let out = dir.path("events.json");
    let mut daemon = Daemon::start(
        &dir,
        &[
            "--rules",
            rules.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--backlog-limit",
            "8192",
            "--stats-interval",
            "0",
            "--max-log-file",
            "0",
        ],
    );
    eprintln!("daemon up after {:?}", t0.elapsed());
    let _privsep = PrivsepDir::ensure();
    let port = free_port();
    let sshd = start_sshd(&dir, port);
    let truth_path = dir.path("truth");
    let script = login_script(&truth_path);
    let mut ssh = Command::new("/usr/bin/ssh")
        .args(["-F", "/dev/null", "-i"])
        .arg(dir.path("id"))
        .args([
            "-p",
            &port.to_string(),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "LogLevel=ERROR",
            "root@127.0.0.1",
            "bash -s",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running ssh");
    {
        use std::io::Write;
        let mut stdin = ssh.stdin.take().unwrap();
        stdin.write_all(script.as_bytes()).unwrap();
    }
    let o = ssh.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "ssh failed ({}): {}\nsshd: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr),
        sshd.log()
    );
    eprintln!("ssh login done after {:?}", t0.elapsed());
    let truth = read_truth(&truth_path);
    let names: BTreeSet<&str> = truth.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "background",
            "foreground",
            "setsid_child",
            "stage1",
            "stage2",
            "stage3"
        ]),
        "{truth:?}"
    );
    // Every reporting process's exec is in the output (the writer flushes
    // every 100 ms).
    let all_seen = wait_for(10, || {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        truth
            .iter()
            .all(|t| text.contains(&format!("\"pid\":{},", t.pid)))
    });
    eprintln!("events seen after {:?}", t0.elapsed());
    let (code, _) = daemon.stop();
    assert_eq!(code, Some(0), "{}", daemon.log());
    drop(sshd);
    assert!(all_seen, "not every reporting process is in the output");
    let events = json_lines(&out);

    // The login shell: the session of the processes that did not setsid.
    let login_sid = truth.iter().find(|t| t.name == "stage1").unwrap().sid;
    // Parent links from the records themselves: the forking process (fork,
    // vfork, clone records: the child is the exit value), else the `ppid`
    // of the process's own records (orphans show init there).
    let mut ppid_of: HashMap<u64, u64> = HashMap::new();
    for e in &events {
        let data = &e["auditd"]["data"];
        let forks = matches!(data["syscall"].as_str(), Some("fork" | "vfork" | "clone"));
        if let (true, Some(p), Some(child)) = (
            forks && e["event"]["outcome"] == "success",
            e["process"]["pid"].as_u64(),
            data["exit"].as_str().and_then(|x| x.parse::<u64>().ok()),
        ) {
            ppid_of.insert(child, p);
        }
    }
    for e in &events {
        if let (Some(p), Some(pp)) = (
            e["process"]["pid"].as_u64(),
            e["process"]["parent"]["pid"].as_u64(),
        ) {
            ppid_of.entry(p).or_insert(pp);
        }
    }
    let in_login = |pid: u64| {
        let mut cur = pid;
        for _ in 0..64 {
            if cur == login_sid {
                return true;
            }
            match ppid_of.get(&cur) {
                Some(&pp) if pp > 1 => cur = pp,
                _ => return false,
            }
        }
        false
    };

    // 1. Every exec inside the login: sshd entry leader from 127.0.0.1,
    //    one entity id, the login user (root).
    let mut entry_ids = BTreeSet::new();
    let mut inside = 0;
    for e in executed(&events) {
        let p = &e["process"];
        let pid = p["pid"].as_u64().unwrap();
        if !in_login(pid) {
            continue;
        }
        inside += 1;
        let el = &p["entry_leader"];
        assert_eq!(el["entry_meta"]["type"], "sshd", "pid {pid}: {e}");
        assert_eq!(
            el["entry_meta"]["source"]["ip"], "127.0.0.1",
            "pid {pid}: {e}"
        );
        assert_eq!(el["user"]["id"], "0", "entry leader user, pid {pid}");
        assert_eq!(p["user"]["id"], "0", "pid {pid}");
        assert_eq!(e["user"]["audit"]["id"], "0", "login uid, pid {pid}");
        entry_ids.insert(el["entity_id"].as_str().unwrap_or("").to_string());
    }
    // bash -s, 3 stages + cat, background, setsid, setsid's sh, foreground,
    // 3 x true.
    assert!(inside >= 11, "only {inside} execs inside the login");
    assert_eq!(entry_ids.len(), 1, "one entry leader: {entry_ids:?}");
    assert!(!entry_ids.contains(""), "entry leader without entity_id");

    // Some of them lived less than a millisecond (exec and exit records in
    // the same millisecond), /bin/true at least: fully described anyway.
    let mut exec_ms: HashMap<u64, String> = HashMap::new();
    for e in executed(&events) {
        let pid = e["process"]["pid"].as_u64().unwrap();
        if in_login(pid) {
            exec_ms.insert(pid, e["@timestamp"].as_str().unwrap().to_string());
        }
    }
    let sub_ms: Vec<u64> = events
        .iter()
        .filter(|e| e["event"]["action"] == "end")
        .filter_map(|e| {
            let pid = e["process"]["pid"].as_u64()?;
            (exec_ms.get(&pid)?.as_str() == e["@timestamp"].as_str()?).then_some(pid)
        })
        .collect();
    eprintln!("processes that lived under a millisecond: {sub_ms:?}");
    assert!(
        !sub_ms.is_empty(),
        "no process exited within its exec's millisecond"
    );
    let trues = executed(&events)
        .filter(|e| e["process"]["executable"] == "/usr/bin/true")
        .filter(|e| in_login(e["process"]["pid"].as_u64().unwrap()))
        .count();
    assert_eq!(trues, 3, "the three /bin/true");

    // 2. Group and session leaders equal the ground truth.
    for t in &truth {
        let e = executed(&events)
            .filter(|e| e["process"]["pid"].as_u64() == Some(t.pid))
            .last()
            .unwrap_or_else(|| panic!("no exec event for {t:?}"));
        let p = &e["process"];
        assert_eq!(
            p["group_leader"]["pid"].as_u64(),
            Some(t.pgid),
            "{t:?}: {e}"
        );
        assert_eq!(
            p["session_leader"]["pid"].as_u64(),
            Some(t.sid),
            "{t:?}: {e}"
        );
        assert_eq!(p["entry_leader"]["entry_meta"]["type"], "sshd", "{t:?}");
        if t.name == "setsid_child" {
            assert_eq!(t.sid, t.pid, "setsid's child leads its session");
            assert_eq!(p["session_leader"]["same_as_process"], true, "{e}");
            assert_ne!(t.sid, login_sid);
        } else {
            assert_eq!(t.sid, login_sid, "{t:?}");
        }
    }
    // The pipeline is one process group led by its first stage.
    let stage1 = truth.iter().find(|t| t.name == "stage1").unwrap();
    for t in truth.iter().filter(|t| t.name.starts_with("stage")) {
        assert_eq!(t.pgid, stage1.pid, "{t:?}");
    }
}
