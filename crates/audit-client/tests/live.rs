//! Live-kernel tests (root, kernel with audit). Serialized and restored by
//! `audit_client::testkit::LiveKernel`; skipped with a printed reason when
//! not root (a failure under `CI=true`). Never sets enabled=2 / failure=2.

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

use audit_client::testkit::LiveKernel;
use audit_client::{
    AuditStatus, Error, EventBatch, EventConfig, EventItem, EventMode, EventSocket, Feature,
    StatusChange,
};

const AUDITCTL: &str = "/usr/sbin/auditctl";

/// Runs auditctl (the caller holds the live lock: do not wrap in flock).
fn auditctl(args: &[&str]) -> String {
    let out = Command::new(AUDITCTL)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("running {AUDITCTL} {args:?}: {e} (is Debian's auditd installed?)")
        });
    assert!(
        out.status.success(),
        "{AUDITCTL} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn auditctl_status() -> HashMap<String, String> {
    auditctl(&["-s"])
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn num(map: &HashMap<String, String>, key: &str) -> u32 {
    map.get(key)
        .unwrap_or_else(|| panic!("auditctl -s printed no {key}: {map:?}"))
        .parse()
        .unwrap_or_else(|e| panic!("auditctl -s {key}: {e}"))
}

const AUDIT_FILTER_EXIT: u32 = 4;
const AUDIT_ALWAYS: u32 = 2;
const AUDIT_ARCH: u32 = 11;
const AUDIT_FILTERKEY: u32 = 210;
const AUDIT_PPID: u32 = 18;
const AUDIT_EQUAL: u32 = 0x4000_0000;
const AUDIT_ARCH_X86_64: u32 = 0xc000_003e;
const FIXED: usize = 1040;

/// `-a always,exit -F arch=b64 -S <syscall> [-F ppid=<ppid>] -k <key>` as
/// `struct audit_rule_data` bytes, built by hand. The ppid filter keeps
/// the rule from matching the rest of the machine (other builds exec a lot).
fn exit_rule_for(syscall: u32, ppid: Option<u32>, key: &str) -> Vec<u8> {
    let mut words = [0u32; FIXED / 4];
    words[0] = AUDIT_FILTER_EXIT;
    words[1] = AUDIT_ALWAYS;
    let mask = 3;
    words[mask + (syscall / 32) as usize] |= 1 << (syscall % 32);
    let fields = mask + 64;
    let values = fields + 64;
    let fieldflags = values + 64;
    let mut n = 0;
    let mut push = |words: &mut [u32], field: u32, value: u32| {
        words[fields + n] = field;
        words[values + n] = value;
        words[fieldflags + n] = AUDIT_EQUAL;
        n += 1;
    };
    push(&mut words, AUDIT_ARCH, AUDIT_ARCH_X86_64);
    if let Some(ppid) = ppid {
        push(&mut words, AUDIT_PPID, ppid);
    }
    push(&mut words, AUDIT_FILTERKEY, key.len() as u32);
    words[2] = n as u32; // field_count
    words[fieldflags + 64] = key.len() as u32; // buflen
    let mut out: Vec<u8> = words.iter().flat_map(|w| w.to_ne_bytes()).collect();
    out.extend_from_slice(key.as_bytes());
    out
}

fn exit_rule(syscall: u32, key: &str) -> Vec<u8> {
    exit_rule_for(syscall, None, key)
}

/// An execve rule matching only children of this test process.
fn child_exec_rule(key: &str) -> Vec<u8> {
    exit_rule_for(59, Some(std::process::id()), key)
}

fn unique_key(tag: &str) -> String {
    format!("auditrs-{tag}-{}", std::process::id())
}

fn rule_has_key(rule: &[u8], key: &str) -> bool {
    rule.len() >= FIXED && &rule[FIXED..] == key.as_bytes()
}

#[test]
fn status_agrees_with_auditctl() {
    let Some(mut k) = LiveKernel::acquire("status_agrees_with_auditctl").unwrap() else {
        return;
    };
    let ours = k.control().get_status().unwrap();
    let theirs = auditctl_status();
    let after = k.control().get_status().unwrap();
    assert_eq!(ours.enabled, num(&theirs, "enabled"));
    assert_eq!(ours.failure, num(&theirs, "failure"));
    assert_eq!(ours.pid, num(&theirs, "pid"));
    assert_eq!(ours.rate_limit, num(&theirs, "rate_limit"));
    assert_eq!(ours.backlog_limit, num(&theirs, "backlog_limit"));
    assert_eq!(
        ours.backlog_wait_time,
        Some(num(&theirs, "backlog_wait_time"))
    );
    // Counters can move between the reads: bracket them.
    let lost = num(&theirs, "lost");
    assert!(
        ours.lost <= lost && lost <= after.lost,
        "lost {} / {lost} / {}",
        ours.lost,
        after.lost
    );
    let actual = num(&theirs, "backlog_wait_time_actual");
    let (a0, a1) = (
        ours.backlog_wait_time_actual.unwrap(),
        after.backlog_wait_time_actual.unwrap(),
    );
    assert!(a0 <= actual && actual <= a1);
    let _ = num(&theirs, "backlog");
    assert!(
        ours.feature_bitmap.unwrap() & 0x7f == 0x7f,
        "6.x kernels report all 7 feature bits"
    );

    let features = k.control().get_features().unwrap();
    let line = theirs
        .get("loginuid_immutable")
        .expect("loginuid_immutable line");
    let expected = format!(
        "{} {}",
        u32::from(features.is_enabled(Feature::LoginuidImmutable)),
        if features.is_locked(Feature::LoginuidImmutable) {
            "locked"
        } else {
            "unlocked"
        }
    );
    assert_eq!(line, &expected);
}

#[test]
fn backlog_limit_set_and_restored() {
    let original;
    {
        let Some(mut k) = LiveKernel::acquire("backlog_limit_set_and_restored").unwrap() else {
            return;
        };
        original = k.snapshot().backlog_limit;
        let new = original + 17;
        k.control()
            .set_status(&StatusChange {
                backlog_limit: Some(new),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(k.control().get_status().unwrap().backlog_limit, new);
        assert_eq!(num(&auditctl_status(), "backlog_limit"), new);
    }
    let Some(mut k) = LiveKernel::acquire("backlog_limit_set_and_restored (check)").unwrap() else {
        return;
    };
    assert_eq!(
        k.control().get_status().unwrap().backlog_limit,
        original,
        "LiveKernel restored it"
    );
}

#[test]
fn rules_add_duplicate_delete_missing() {
    let Some(mut k) = LiveKernel::acquire("rules_add_duplicate_delete_missing").unwrap() else {
        return;
    };
    let key = unique_key("rules");
    let rule = exit_rule(59, &key);
    k.control().add_rule(&rule).unwrap();
    let listed = k.control().list_rules().unwrap();
    let ours: Vec<_> = listed.iter().filter(|r| rule_has_key(r, &key)).collect();
    assert_eq!(ours.len(), 1, "rule listed once");
    assert_eq!(ours[0], &rule, "kernel lists the bytes we sent");
    let text = auditctl(&["-l"]);
    assert!(
        text.contains(&format!(
            "-a always,exit -F arch=b64 -S execve -F key={key}"
        )),
        "auditctl -l shows our rule: {text}"
    );
    assert!(matches!(
        k.control().add_rule(&rule),
        Err(Error::RuleExists)
    ));
    k.control().delete_rule(&rule).unwrap();
    assert!(matches!(
        k.control().delete_rule(&rule),
        Err(Error::RuleNotFound)
    ));
    assert!(!k
        .control()
        .list_rules()
        .unwrap()
        .iter()
        .any(|r| rule_has_key(r, &key)));
}

#[test]
fn rule_loaded_by_auditctl_round_trips() {
    let Some(mut k) = LiveKernel::acquire("rule_loaded_by_auditctl_round_trips").unwrap() else {
        return;
    };
    let key = unique_key("ctl");
    auditctl(&[
        "-a",
        "always,exit",
        "-F",
        "arch=b64",
        "-S",
        "openat",
        "-F",
        "success=0",
        "-k",
        &key,
    ]);
    let before = auditctl(&["-l"]);
    let rule = k
        .control()
        .list_rules()
        .unwrap()
        .into_iter()
        .find(|r| r.windows(key.len()).any(|w| w == key.as_bytes()))
        .expect("auditctl's rule is listed");
    k.control().delete_rule(&rule).unwrap();
    assert!(!auditctl(&["-l"]).contains(&key));
    k.control().add_rule(&rule).unwrap();
    assert_eq!(
        auditctl(&["-l"]),
        before,
        "re-added rule prints identically"
    );
    // LiveKernel deletes it on drop (not in the snapshot).
}

#[test]
fn another_registration_is_refused_with_the_holder_pid() {
    let Some(mut k) = LiveKernel::acquire("another_registration_is_refused").unwrap() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _enter = rt.enter();
    let mut events = EventSocket::open(&EventConfig::default()).unwrap();
    assert!(events.is_registered());
    let me = std::process::id();
    assert_eq!(k.control().get_status().unwrap().pid, me);
    match k.control().register() {
        Err(Error::AnotherDaemon { pid, .. }) => assert_eq!(pid, me),
        other => panic!("expected AnotherDaemon, got {other:?}"),
    }
    events.unregister().unwrap();
    assert_eq!(k.control().get_status().unwrap().pid, 0);
}

/// Enables auditing, adds an execve rule with a unique key, runs /bin/true
/// and waits for the SYSCALL record carrying that key.
fn see_exec_event(test: &str, mode: EventMode) {
    let Some(mut k) = LiveKernel::acquire(test).unwrap() else {
        return;
    };
    let key = unique_key(test);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        k.control()
            .set_status(&StatusChange {
                enabled: Some(1),
                ..Default::default()
            })
            .unwrap();
        let mut events = EventSocket::open(&EventConfig {
            mode,
            ..Default::default()
        })
        .unwrap();
        let rb = events.receive_buffer();
        assert!(rb.effective >= rb.requested, "receive buffer {rb:?}");
        k.control().add_rule(&child_exec_rule(&key)).unwrap();
        let status = Command::new("/bin/true").status().unwrap();
        assert!(status.success());
        let needle = format!("key=\"{key}\"");
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut batch = EventBatch::new();
        let mut seen = None;
        while seen.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            tokio::time::timeout(left, events.recv_batch(&mut batch))
                .await
                .unwrap_or_else(|_| panic!("no SYSCALL record with {needle} within 10 s"))
                .unwrap();
            for item in batch.items() {
                let EventItem::Record(r) = item else { continue };
                assert!(
                    r.payload.starts_with(b"audit("),
                    "payload starts with the header: {:?}",
                    String::from_utf8_lossy(r.payload)
                );
                assert!(!r.payload.ends_with(b"\0") && !r.payload.ends_with(b"\n"));
                if r.msg_type == 1300
                    && r.payload
                        .windows(needle.len())
                        .any(|w| w == needle.as_bytes())
                {
                    seen = Some(String::from_utf8_lossy(r.payload).into_owned());
                }
            }
        }
        let record = seen.unwrap();
        assert!(record.contains("syscall=59"), "{record}");
        assert!(record.contains("exe=\"/usr/bin/true\""), "{record}");
        let c = events.counters().snapshot();
        assert!(c.records >= 1 && c.bytes > 0 && c.datagrams >= c.records);
        if mode == EventMode::Unicast {
            assert_eq!(k.control().get_status().unwrap().pid, std::process::id());
            events.unregister().unwrap();
            assert_eq!(k.control().get_status().unwrap().pid, 0, "pid back to 0");
        }
    });
}

#[test]
fn registered_socket_receives_exec_event() {
    see_exec_event("registered_socket_receives_exec_event", EventMode::Unicast);
}

#[test]
fn multicast_socket_receives_exec_event() {
    see_exec_event("multicast_socket_receives_exec_event", EventMode::Multicast);
}

#[test]
fn user_message_reaches_the_log() {
    let Some(mut k) = LiveKernel::acquire("user_message_reaches_the_log").unwrap() else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        k.control()
            .set_status(&StatusChange {
                enabled: Some(1),
                ..Default::default()
            })
            .unwrap();
        let mut events = EventSocket::open(&EventConfig {
            mode: EventMode::Multicast,
            ..Default::default()
        })
        .unwrap();
        let text = unique_key("usermsg");
        k.control()
            .send_user_message(audit_client::MessageType::from(1100), text.as_bytes())
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut batch = EventBatch::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            tokio::time::timeout(left, events.recv_batch(&mut batch))
                .await
                .expect("user message within 10 s")
                .unwrap();
            if batch.records().any(|r| {
                r.msg_type == 1100 && r.payload.windows(text.len()).any(|w| w == text.as_bytes())
            }) {
                break;
            }
        }
    });
}

#[test]
fn reset_lost_returns_previous_count() {
    let Some(mut k) = LiveKernel::acquire("reset_lost_returns_previous_count").unwrap() else {
        return;
    };
    let before: AuditStatus = k.control().get_status().unwrap();
    let returned = k.control().reset_lost().unwrap();
    assert!(returned >= before.lost);
    assert_eq!(k.control().get_status().unwrap().lost, 0);
}

#[test]
fn state_restored_after_a_failing_test() {
    let key = unique_key("unwind");
    let original = {
        let Some(k) = LiveKernel::acquire("state_restored_after_a_failing_test").unwrap() else {
            return;
        };
        (*k.snapshot(), k.snapshot_rules().to_vec())
    };
    let key2 = key.clone();
    let result = std::panic::catch_unwind(move || {
        let mut k = LiveKernel::acquire("state_restored_after_a_failing_test (panics)")
            .unwrap()
            .unwrap();
        let s = *k.snapshot();
        k.control()
            .set_status(&StatusChange {
                enabled: Some(1 - s.enabled.min(1)),
                backlog_limit: Some(s.backlog_limit + 3),
                rate_limit: Some(s.rate_limit + 100_000), // high: a low limit loses records
                backlog_wait_time: Some(s.backlog_wait_time.unwrap() / 2),
                failure: Some(if s.failure == 1 { 0 } else { 1 }),
                ..Default::default()
            })
            .unwrap();
        k.control().add_rule(&child_exec_rule(&key2)).unwrap();
        k.control().register().unwrap();
        panic!("simulated test failure");
    });
    assert!(result.is_err());
    let Some(mut k) = LiveKernel::acquire("state_restored_after_a_failing_test (check)").unwrap()
    else {
        return;
    };
    let now = k.control().get_status().unwrap();
    let s = original.0;
    assert_eq!(
        (
            now.enabled,
            now.failure,
            now.rate_limit,
            now.backlog_limit,
            now.backlog_wait_time,
            now.pid
        ),
        (
            s.enabled,
            s.failure,
            s.rate_limit,
            s.backlog_limit,
            s.backlog_wait_time,
            0
        )
    );
    assert_eq!(k.control().list_rules().unwrap(), original.1);
}

#[test]
fn multicast_overrun_is_reported() {
    let Some(mut k) = LiveKernel::acquire("multicast_overrun_is_reported").unwrap() else {
        return;
    };
    let key = unique_key("overrun");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        k.control()
            .set_status(&StatusChange {
                enabled: Some(1),
                ..Default::default()
            })
            .unwrap();
        // A registered reader (so records do not go to printk), and a
        // multicast reader with a tiny buffer that we do not read.
        let mut daemon = EventSocket::open(&EventConfig::default()).unwrap();
        let mut tiny = EventSocket::open(&EventConfig {
            mode: EventMode::Multicast,
            receive_buffer: 4096,
            ..Default::default()
        })
        .unwrap();
        k.control().add_rule(&child_exec_rule(&key)).unwrap();
        let mut batch = EventBatch::new();
        for _ in 0..100 {
            Command::new("/bin/true").status().unwrap();
            while daemon.try_recv_batch(&mut batch).unwrap() > 0 {}
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut overruns = 0;
        let mut records = 0;
        while Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_millis(300), tiny.recv_batch(&mut batch))
                .await
            {
                Ok(r) => r.unwrap(),
                Err(_) => break,
            }
            overruns += batch.overruns();
            records += batch.record_count();
        }
        let c = tiny.counters().snapshot();
        assert!(
            overruns >= 1,
            "ENOBUFS seen as an overrun item (records {records}, counters {c:?})"
        );
        assert_eq!(c.enobufs as usize, overruns);
        assert!(records < 100 * 4, "some records were dropped: {records}");
        daemon.unregister().unwrap();
    });
}

/// Stock auditd, run in the foreground with a private config (log in a
/// temporary directory); killed (SIGTERM) and reaped on drop.
struct StockAuditd {
    child: std::process::Child,
    dir: std::path::PathBuf,
}

impl StockAuditd {
    fn start() -> StockAuditd {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("auditrs-stock-auditd-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("plugins.d")).unwrap();
        let conf = dir.join("auditd.conf");
        std::fs::write(
            &conf,
            format!(
                "local_events = yes\nwrite_logs = yes\nlog_file = {}\nlog_format = RAW\nflush = NONE\n\
                 max_log_file = 8\nnum_logs = 1\nmax_log_file_action = ignore\nspace_left = 2\n\
                 space_left_action = ignore\nadmin_space_left = 1\nadmin_space_left_action = ignore\n\
                 disk_full_action = ignore\ndisk_error_action = ignore\nplugin_dir = {}\nq_depth = 2000\n\
                 overflow_action = ignore\nend_of_event_timeout = 2\n",
                dir.join("audit.log").display(),
                dir.join("plugins.d").display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&conf, std::fs::Permissions::from_mode(0o600)).unwrap();
        let child = Command::new("/usr/sbin/auditd")
            .args(["-f", "-n", "-s", "nochange", "-c"])
            .arg(&dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starting /usr/sbin/auditd (Debian's auditd package)");
        StockAuditd { child, dir }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for StockAuditd {
    fn drop(&mut self) {
        // SAFETY: kill has no memory-safety preconditions; the pid is our
        // own child, not yet reaped.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn wait_for_pid(k: &mut LiveKernel, pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = k.control().get_status().unwrap().pid;
        if now == pid {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "audit pid is {now}, expected {pid}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn stock_auditd_holds_the_pid() {
    let Some(mut k) = LiveKernel::acquire("stock_auditd_holds_the_pid").unwrap() else {
        return;
    };
    let key = unique_key("stock");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let auditd = StockAuditd::start();
        wait_for_pid(&mut k, auditd.pid());
        match EventSocket::open(&EventConfig::default()) {
            Err(Error::AnotherDaemon { pid, comm }) => {
                assert_eq!(pid, auditd.pid());
                assert_eq!(comm.as_deref(), Some("auditd"));
                let msg = Error::AnotherDaemon { pid, comm }.to_string();
                assert!(msg.contains(&format!("pid {pid}, auditd")), "{msg}");
            }
            other => panic!("expected AnotherDaemon, got {other:?}"),
        }
        assert!(matches!(
            k.control().register(),
            Err(Error::AnotherDaemon { .. })
        ));
        // Only the registered process may unregister (EACCES).
        assert!(matches!(
            k.control().unregister(),
            Err(Error::AnotherDaemon { .. })
        ));
        assert_eq!(k.control().get_status().unwrap().pid, auditd.pid());

        // Beside auditd, the read-only multicast group gets the records.
        k.control()
            .set_status(&StatusChange {
                enabled: Some(1),
                ..Default::default()
            })
            .unwrap();
        let mut events = EventSocket::open(&EventConfig {
            mode: EventMode::Multicast,
            ..Default::default()
        })
        .unwrap();
        k.control().add_rule(&child_exec_rule(&key)).unwrap();
        Command::new("/bin/true").status().unwrap();
        let needle = format!("key=\"{key}\"");
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut batch = EventBatch::new();
        'outer: loop {
            let left = deadline.saturating_duration_since(Instant::now());
            tokio::time::timeout(left, events.recv_batch(&mut batch))
                .await
                .expect("multicast record beside auditd within 10 s")
                .unwrap();
            for r in batch.records() {
                if r.msg_type == 1300
                    && r.payload
                        .windows(needle.len())
                        .any(|w| w == needle.as_bytes())
                {
                    break 'outer;
                }
            }
        }
        drop(auditd);
        wait_for_pid(&mut k, 0);
    });
}

/// A fresh directory under the temp dir, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("auditrs-client-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    fn bytes(&self) -> Vec<u8> {
        use std::os::unix::ffi::OsStrExt;
        self.0.as_os_str().as_bytes().to_vec()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn audit_trees_trim_and_make_equivalent() {
    let Some(mut k) = LiveKernel::acquire("audit_trees_trim_and_make_equivalent").unwrap() else {
        return;
    };
    let (a, b) = (TempDir::new("equiv-a"), TempDir::new("equiv-b"));
    // AUDIT_TRIM always succeeds (audit_trim_trees).
    k.control().trim_subtrees().unwrap();
    // No tree watches `a`: the kernel resolves both paths and succeeds.
    k.control().make_equivalent(&a.bytes(), &b.bytes()).unwrap();
    // audit_tag_tree: a path that does not resolve.
    let mut missing = b.bytes();
    missing.extend_from_slice(b"/missing");
    let e = k
        .control()
        .make_equivalent(&a.bytes(), &missing)
        .unwrap_err();
    assert_eq!(e.errno(), Some(libc::ENOENT), "{e}");
    let e = k
        .control()
        .make_equivalent(&missing, &b.bytes())
        .unwrap_err();
    assert_eq!(e.errno(), Some(libc::ENOENT), "{e}");
    // audit_unpack_string: an empty path.
    let e = k.control().make_equivalent(b"", &b.bytes()).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EINVAL), "{e}");
    // Neither request touched the rule list.
    let rules = k.control().list_rules().unwrap();
    assert_eq!(rules, k.snapshot_rules());
}
