//! Live: `auditrs run` under 20,000 execs, then SIGTERM (issue 4
//! acceptance). Root and a kernel with audit needed; serialized by the
//! live-kernel lock; kernel rules and status restored on drop.

mod run_support;

use std::time::Duration;

use run_support::*;

#[test]
fn execload_20000_each_exec_once_then_clean_sigterm() {
    let Some(_kernel) = live("execload_20000_each_exec_once_then_clean_sigterm") else {
        return;
    };
    let dir = TempDir::new("execload");
    let load = execload(&dir);
    let rules = rules(&dir, EXEC_RULES);
    let out = dir.path("events.json");
    let lost_before = kernel_status().lost;
    let mut d = Daemon::start(
        &dir,
        &[
            "--rules",
            rules.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--stats-interval",
            "0",
            "--max-log-file",
            "0",
        ],
    );
    let n: u32 = std::env::var("AUDITRS_TEST_EXECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    #[allow(non_snake_case)]
    let N = n;
    let ppid = run_execload(&load, N, 0);
    // Wait until every exec and exit is written (flushed every 100 ms).
    let complete = wait_for(60, || child_events(&out, ppid) >= 2 * N as usize);
    // Read before the daemon leaves: afterwards the kernel counts other
    // processes' records as lost once its hold queue is full.
    let lost_after = kernel_status().lost;
    let (code, took) = d.stop();
    assert_eq!(code, Some(0), "exit status; log:\n{}", d.log());
    assert!(
        took < Duration::from_secs(1),
        "SIGTERM to exit took {took:?}"
    );
    assert_eq!(kernel_status().pid, 0, "audit pid not given back");
    let text = std::fs::read(&out).unwrap();
    assert_eq!(
        text.last(),
        Some(&b'\n'),
        "output must end with a complete line"
    );
    let events = json_lines(&out);
    let (exec, end) = exec_and_end_by_pid(&events, ppid);
    if !complete {
        let trues: Vec<String> = events
            .iter()
            .filter(|v| v["process"]["name"] == "true")
            .take(3)
            .map(|v| v.to_string())
            .collect();
        panic!(
            "only {} executed / {} end events of {N} after 60 s; {} lines; sample: {trues:?}; log: {}",
            exec.len(),
            end.len(),
            events.len(),
            d.log()
        );
    }
    assert_eq!(exec.len(), N as usize, "distinct exec'd pids");
    assert!(exec.values().all(|&n| n == 1), "an exec appears twice");
    assert_eq!(end.len(), N as usize, "distinct exited pids");
    assert!(end.values().all(|&n| n == 1), "an exit appears twice");
    assert!(
        exec.keys().all(|p| end.contains_key(p)),
        "an exec without its end event"
    );
    assert_eq!(lost_after, lost_before, "the kernel lost records");
    let stats = metrics(&events, "stats");
    let last = stats.last().expect("final stats metric event");
    assert_eq!(last["auditrs"]["stats"]["drops"], 0, "{last}");
    assert!(last["auditrs"]["stats"]["events"].as_u64().unwrap() >= 2 * u64::from(N));
    assert!(
        metrics(&events, "events-lost").is_empty() && metrics(&events, "kernel-lost").is_empty()
    );
    assert!(
        d.log().contains("drops") || d.log().contains("kernel_lost=0"),
        "stats log line: {}",
        d.log()
    );
}

#[test]
fn json_and_auditd_format_at_once_ausearch_reads_the_raw_file() {
    let Some(_kernel) = live("json_and_auditd_format_at_once_ausearch_reads_the_raw_file") else {
        return;
    };
    let dir = TempDir::new("rawfmt");
    let load = execload(&dir);
    let rules = rules(&dir, EXEC_RULES);
    let (out, raw) = (dir.path("events.json"), dir.path("audit.log"));
    let mut d = Daemon::start(
        &dir,
        &[
            "--rules",
            rules.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--raw-output",
            raw.to_str().unwrap(),
        ],
    );
    let ppid = run_execload(&load, 20, 0);
    assert!(wait_for(10, || child_events(&out, ppid) >= 40));
    let (code, _) = d.stop();
    assert_eq!(code, Some(0), "{}", d.log());
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&raw).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    // ausearch finds every exec of the load by key and parent pid.
    let o = std::process::Command::new("ausearch")
        .args([
            "-if",
            raw.to_str().unwrap(),
            "-k",
            "exec",
            "--ppid",
            &ppid.to_string(),
            "--format",
            "csv",
        ])
        .output()
        .expect("ausearch (Debian's auditd package)");
    let csv = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "ausearch: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        csv.lines()
            .filter(|l| l.contains("/usr/bin/true") || l.contains("true"))
            .count(),
        20,
        "{csv}"
    );
    let o = std::process::Command::new("aureport")
        .args(["-if", raw.to_str().unwrap(), "--summary", "-x"])
        .output()
        .unwrap();
    assert!(
        o.status.success() && String::from_utf8_lossy(&o.stdout).contains("/usr/bin/true"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // The same execs in the JSON output.
    let (exec, _) = exec_and_end_by_pid(&json_lines(&out), ppid);
    assert_eq!(exec.len(), 20);
}
