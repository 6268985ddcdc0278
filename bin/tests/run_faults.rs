//! Live: `auditrs run` against faults (issue 4 acceptance): another audit
//! daemon, logrotate's move + SIGHUP, a full disk, a kernel backlog
//! overflow. Root and a kernel with audit needed; serialized by the
//! live-kernel lock; kernel rules and status restored on drop; helper
//! processes and mounts are cleaned up even on failure.

mod run_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use run_support::*;

/// Stock auditd in the foreground; SIGTERMed (then SIGKILLed) on drop.
struct Auditd(Child);

impl Auditd {
    fn start(dir: &TempDir) -> Auditd {
        let conf = dir.path("auditd");
        std::fs::create_dir_all(&conf).unwrap();
        std::fs::write(
            conf.join("auditd.conf"),
            format!(
                "log_file = {}\nlog_format = RAW\nflush = NONE\nmax_log_file = 64\nmax_log_file_action = IGNORE\nspace_left = 2\nadmin_space_left = 1\ndisk_full_action = IGNORE\ndisk_error_action = IGNORE\nlocal_events = yes\nwrite_logs = yes\nname_format = NONE\n",
                dir.path("auditd.log").display()
            ),
        )
        .unwrap();
        let child = Command::new("/usr/sbin/auditd")
            .arg("-n")
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting /usr/sbin/auditd (Debian's auditd package)");
        let a = Auditd(child);
        assert!(
            wait_for(10, || kernel_status().pid == a.0.id()),
            "auditd did not register in 10 s"
        );
        a
    }
}

impl Drop for Auditd {
    fn drop(&mut self) {
        // SAFETY: kill has no memory preconditions; the pid is our child.
        unsafe { libc::kill(self.0.id() as i32, libc::SIGTERM) };
        if !wait_for(5, || matches!(self.0.try_wait(), Ok(Some(_)))) {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

#[test]
fn another_daemon_is_named_and_multicast_reads_beside_it() {
    let Some(_kernel) = live("another_daemon_is_named_and_multicast_reads_beside_it") else {
        return;
    };
    let dir = TempDir::new("auditd");
    let load = execload(&dir);
    let auditd = Auditd::start(&dir);
    let out = dir.path("events.json");
    let o = Command::new(env!("CARGO_BIN_EXE_auditrs"))
        .args(["run", "--keep-rules", "--output", out.to_str().unwrap()])
        .stdout(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_ne!(o.status.code(), Some(0), "must fail beside auditd: {err}");
    assert!(
        err.contains(&format!("pid {}", auditd.0.id())),
        "message must name auditd's pid {}: {err}",
        auditd.0.id()
    );
    assert_eq!(
        kernel_status().pid,
        auditd.0.id(),
        "auditd must stay registered"
    );

    // -b 8192: a backlog auditd cannot overflow in a burst (the default 64
    // with a 60 s wait time would stall the load instead).
    let st = Command::new("auditctl")
        .args([
            "-b",
            "8192",
            "-a",
            "always,exit",
            "-F",
            "arch=b64",
            "-S",
            "execve",
            "-k",
            "mc",
        ])
        .status()
        .unwrap();
    assert!(st.success());
    let mut d = Daemon::start(
        &dir,
        &[
            "--multicast",
            "--output",
            out.to_str().unwrap(),
            "--stats-interval",
            "0",
        ],
    );
    let listing =
        String::from_utf8_lossy(&Command::new("auditctl").arg("-l").output().unwrap().stdout)
            .into_owned();
    assert!(
        listing.contains(&format!("pid={}", d.pid())),
        "self-exclusion rule: {listing}"
    );
    let ppid = run_execload(&load, 50, 0);
    assert!(
        wait_for(10, || child_events(&out, ppid) >= 50),
        "multicast events: {}",
        child_events(&out, ppid)
    );
    let (code, _) = d.stop();
    assert_eq!(code, Some(0), "{}", d.log());
    let (exec, _) = exec_and_end_by_pid(&json_lines(&out), ppid);
    assert_eq!(exec.len(), 50);
    assert_eq!(
        kernel_status().pid,
        auditd.0.id(),
        "auditd still registered after we left"
    );
    let listing =
        String::from_utf8_lossy(&Command::new("auditctl").arg("-l").output().unwrap().stdout)
            .into_owned();
    assert!(
        !listing.contains(&format!("pid={}", d.pid())),
        "self-exclusion rule removed: {listing}"
    );
}

#[test]
fn moved_output_and_sighup_lose_nothing() {
    let Some(_kernel) = live("moved_output_and_sighup_lose_nothing") else {
        return;
    };
    let dir = TempDir::new("sighup");
    let load = execload(&dir);
    let rules = rules(&dir, EXEC_RULES);
    let out = dir.path("events.json");
    let moved = dir.path("events.json.moved");
    let mut d = Daemon::start(
        &dir,
        &[
            "--rules",
            rules.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--max-log-file",
            "0",
        ],
    );
    const N: u32 = 3000;
    let runner = {
        let load = load.clone();
        std::thread::spawn(move || run_execload(&load, N, 1000))
    };
    std::thread::sleep(Duration::from_millis(1200));
    std::fs::rename(&out, &moved).unwrap();
    d.signal(libc::SIGHUP);
    let ppid = runner.join().unwrap();
    assert!(
        wait_for(30, || child_events(&out, ppid) + child_events(&moved, ppid)
            >= 2 * N as usize),
        "events after SIGHUP: {} + {}",
        child_events(&moved, ppid),
        child_events(&out, ppid)
    );
    let (code, _) = d.stop();
    assert_eq!(code, Some(0), "{}", d.log());
    let (before, after) = (json_lines(&moved), json_lines(&out));
    let (e1, x1) = exec_and_end_by_pid(&before, ppid);
    let (e2, x2) = exec_and_end_by_pid(&after, ppid);
    assert!(
        !e1.is_empty() && !e2.is_empty(),
        "both files hold events: {} / {}",
        e1.len(),
        e2.len()
    );
    assert!(
        e1.keys().all(|p| !e2.contains_key(p)),
        "an exec in both files"
    );
    assert_eq!(
        e1.len() + e2.len(),
        N as usize,
        "every exec once across the move"
    );
    assert_eq!(
        x1.len() + x2.len(),
        N as usize,
        "every exit once across the move"
    );
    assert!(
        d.log().contains("rules unchanged"),
        "SIGHUP kept unchanged rules: {}",
        d.log()
    );
}

/// A tmpfs mounted for the test; unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(at: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(at).unwrap();
        let st = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status()
            .unwrap();
        assert!(st.success(), "mount tmpfs on {}", at.display());
        Tmpfs(at.to_path_buf())
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the file system holding `path` with a file of zeros.
fn fill(path: &Path) {
    let _ = Command::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", path.display()))
        .args(["bs=4k", "status=none"])
        .stderr(Stdio::null())
        .status();
}

#[test]
fn full_disk_is_counted_reported_and_survived() {
    let Some(_kernel) = live("full_disk_is_counted_reported_and_survived") else {
        return;
    };
    let dir = TempDir::new("enospc");
    let load = execload(&dir);
    let rules = rules(&dir, EXEC_RULES);
    let mnt = Tmpfs::mount(&dir.path("mnt"), "2m");
    let out = mnt.0.join("events.json");
    let filler = mnt.0.join("filler");
    let mut d = Daemon::start(
        &dir,
        &[
            "--rules",
            rules.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--max-log-file",
            "0",
            "--stats-interval",
            "0",
        ],
    );
    fill(&filler);
    let lost_ppid = run_execload(&load, 300, 0);
    assert!(
        wait_for(10, || d.log().contains("write failed")),
        "no write failure reported: {}",
        d.log()
    );
    assert!(
        d.child.try_wait().unwrap().is_none(),
        "the daemon must keep running"
    );
    std::fs::remove_file(&filler).unwrap();
    let ppid = run_execload(&load, 100, 0);
    assert!(
        wait_for(10, || child_events(&out, ppid) >= 200),
        "events after space was freed: {}",
        child_events(&out, ppid)
    );
    let (code, _) = d.stop();
    assert_eq!(code, Some(0), "{}", d.log());
    let events = json_lines(&out);
    let (exec, end) = exec_and_end_by_pid(&events, ppid);
    assert_eq!((exec.len(), end.len()), (100, 100), "writing resumed");
    let dropped = metrics(&events, "output-dropped");
    assert_eq!(dropped.len(), 1, "one report when writing resumed");
    let n = dropped[0]["auditrs"]["output"]["dropped_events"]
        .as_u64()
        .unwrap();
    let (lost_exec, _) = exec_and_end_by_pid(&events, lost_ppid);
    assert!(
        n >= 600 - 2 * lost_exec.len() as u64,
        "dropped {n}, written {} of the 300 execs",
        lost_exec.len()
    );
    let stats = metrics(&events, "stats");
    let s = &stats.last().unwrap()["auditrs"]["stats"];
    assert!(
        s["write_errors"].as_u64().unwrap() > 0 && s["output_dropped"].as_u64().unwrap() >= n,
        "{s}"
    );
    assert!(d.log().contains("output recovered"), "{}", d.log());
}

#[test]
fn backlog_overflow_is_reported_as_the_kernel_counted_it() {
    let Some(_kernel) = live("backlog_overflow_is_reported_as_the_kernel_counted_it") else {
        return;
    };
    let dir = TempDir::new("backlog");
    let load = execload(&dir);
    let rules = rules(
        &dir,
        "-b 64\n--backlog_wait_time 0\n-a always,exit -F arch=b64 -S execve,execveat -k exec\n-a always,exit -F arch=b64 -S exit_group\n",
    );
    let out = dir.path("events.json");
    let lost_before = kernel_status().lost;
    let mut d = Daemon::start(
        &dir,
        &[
            "--rules",
            rules.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--receive-buffer",
            "65536",
            "--stats-interval",
            "0",
            "--max-log-file",
            "0",
        ],
    );
    d.signal(libc::SIGSTOP);
    run_execload(&load, 3000, 0);
    d.signal(libc::SIGCONT);
    assert!(wait_for(20, || kernel_status().backlog == 0));
    // No more records from the busy machine: after the daemon leaves, the
    // kernel would count other processes' records lost (hold queue full).
    assert!(Command::new("auditctl")
        .arg("-D")
        .stdout(Stdio::null())
        .status()
        .unwrap()
        .success());
    // Two status polls (1 s apart) see the final lost count.
    std::thread::sleep(Duration::from_millis(2500));
    let lost_after = kernel_status().lost;
    let (code, _) = d.stop();
    assert_eq!(code, Some(0), "{}", d.log());
    let delta = u64::from(lost_after - lost_before);
    assert!(
        delta > 0,
        "the overflow was not provoked (kernel lost did not move)"
    );
    let events = json_lines(&out);
    let reported: u64 = metrics(&events, "kernel-lost")
        .iter()
        .map(|v| v["auditrs"]["kernel"]["lost_delta"].as_u64().unwrap())
        .sum();
    assert_eq!(
        reported, delta,
        "in-stream kernel-lost reports vs the kernel's lost delta"
    );
    let s = &metrics(&events, "stats").last().unwrap()["auditrs"]["stats"];
    assert_eq!(s["kernel_lost"].as_u64(), Some(delta), "{s}");
    assert!(
        !metrics(&events, "events-lost").is_empty(),
        "serial gaps reported too"
    );
}

#[test]
fn multicast_receive_overrun_is_counted_reported_and_survived() {
    let Some(_kernel) = live("multicast_receive_overrun_is_counted_reported_and_survived") else {
        return;
    };
    let dir = TempDir::new("enobufs");
    let load = execload(&dir);
    let auditd = Auditd::start(&dir);
    // -b 8192: a backlog auditd cannot overflow in a burst (the default 64
    // with a 60 s wait time would stall the load instead).
    let st = Command::new("auditctl")
        .args([
            "-b",
            "8192",
            "-a",
            "always,exit",
            "-F",
            "arch=b64",
            "-S",
            "execve,exit_group",
            "-k",
            "ovr",
        ])
        .status()
        .unwrap();
    assert!(st.success());
    let out = dir.path("events.json");
    let mut d = Daemon::start(
        &dir,
        &[
            "--multicast",
            "--output",
            out.to_str().unwrap(),
            "--receive-buffer",
            "65536",
            "--stats-interval",
            "0",
            "--max-log-file",
            "0",
        ],
    );
    // Stopped reader, small buffer: the kernel drops multicast copies (ENOBUFS).
    d.signal(libc::SIGSTOP);
    run_execload(&load, 2000, 0);
    d.signal(libc::SIGCONT);
    // Let auditd and us catch up (copies sent meanwhile overrun again).
    assert!(wait_for(20, || kernel_status().backlog == 0));
    std::thread::sleep(Duration::from_millis(500));
    // A gentle load the 128 KiB buffer holds between two reads.
    let ppid = run_execload(&load, 20, 200);
    assert!(
        wait_for(10, || child_events(&out, ppid) >= 40),
        "events after the overrun: {} of {ppid}; log: {}",
        child_events(&out, ppid),
        d.log()
            .lines()
            .filter(|l| !l.contains("INFO"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let (code, _) = d.stop();
    assert_eq!(code, Some(0), "{}", d.log());
    let events = json_lines(&out);
    let overruns = metrics(&events, "receive-overrun");
    assert!(!overruns.is_empty(), "receive-overrun reported");
    let total = overruns.last().unwrap()["auditrs"]["receive"]["enobufs"]
        .as_u64()
        .unwrap();
    let s = &metrics(&events, "stats").last().unwrap()["auditrs"]["stats"];
    assert_eq!(s["enobufs"].as_u64(), Some(total), "{s}");
    assert!(s["drops"].as_u64().unwrap() >= total);
    assert_eq!(kernel_status().pid, auditd.0.id());
}
