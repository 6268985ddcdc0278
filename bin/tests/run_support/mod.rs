//! Helpers for the live `auditrs run` tests: the live-kernel guard, the
//! daemon as a child process (killed on drop, even on failure), the
//! execload generator, JSON output parsing.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use audit_client::testkit::LiveKernel;
use audit_client::AuditControl;

/// Acquires the live kernel, or `None` (skipped, reason printed).
/// Fails clearly when another audit daemon is registered.
pub fn live(test: &str) -> Option<LiveKernel> {
    match LiveKernel::acquire(test) {
        Ok(k) => k,
        Err(e) => {
            panic!("live test {test}: {e} (stop the other audit daemon to run the live tests)")
        }
    }
}

/// A fresh temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("auditrs-run-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `../shared/tools/execload.c` built into `dir`.
pub fn execload(dir: &TempDir) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/tools/execload.c");
    assert!(
        src.is_file(),
        "missing {} (../shared beside the checkout)",
        src.display()
    );
    let out = dir.path("execload");
    let st = Command::new("gcc")
        .args(["-O2", "-o"])
        .arg(&out)
        .arg(&src)
        .status()
        .expect("running gcc");
    assert!(st.success(), "gcc failed on {}", src.display());
    out
}

/// Runs execload `n` times at `rate` (0: as fast as possible); returns its pid.
pub fn run_execload(bin: &Path, n: u32, rate: u32) -> u32 {
    let child = Command::new(bin)
        .arg(n.to_string())
        .arg(rate.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("execload");
    let pid = child.id();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "execload failed");
    eprintln!(
        "execload {pid}: {}",
        String::from_utf8_lossy(&o.stdout).trim()
    );
    pid
}

/// Writes a rules file.
pub fn rules(dir: &TempDir, text: &str) -> PathBuf {
    let p = dir.path("test.rules");
    std::fs::write(&p, text).unwrap();
    p
}

pub const EXEC_RULES: &str = "-b 8192\n--backlog_wait_time 60000\n-a always,exit -F arch=b64 -S execve,execveat -k exec\n-a always,exit -F arch=b64 -S exit_group\n";

/// The daemon as a child process; SIGKILLed on drop if still running.
pub struct Daemon {
    pub child: Child,
    pub stderr: PathBuf,
}

pub fn kernel_status() -> audit_client::AuditStatus {
    AuditControl::open().unwrap().get_status().unwrap()
}

impl Daemon {
    /// Starts `auditrs run ARGS` (stderr to a file in `dir`) and waits until
    /// it is registered (unicast) or has logged its start (multicast).
    pub fn start(dir: &TempDir, args: &[&str]) -> Daemon {
        let stderr = dir.path("daemon.stderr");
        let child = Command::new(env!("CARGO_BIN_EXE_auditrs"))
            .arg("run")
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("starting auditrs run");
        let mut d = Daemon { child, stderr };
        let multicast = args.contains(&"--multicast");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(st) = d.child.try_wait().unwrap() {
                panic!("auditrs run exited early ({st}): {}", d.log());
            }
            let log = d.log();
            let set_up = log.contains("reading events");
            if set_up && (multicast || kernel_status().pid == d.child.id()) {
                return d;
            }
            assert!(
                Instant::now() < deadline,
                "auditrs run did not start in 10 s: {}",
                d.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: kill has no memory preconditions; the pid is our child.
        unsafe { libc::kill(self.child.id() as i32, sig) };
    }

    /// SIGTERM, then waits; returns the exit code and the time it took.
    pub fn stop(&mut self) -> (Option<i32>, Duration) {
        let t0 = Instant::now();
        self.signal(libc::SIGTERM);
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return (st.code(), t0.elapsed());
            }
            if t0.elapsed() > Duration::from_secs(10) {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "auditrs run did not exit within 10 s of SIGTERM: {}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.signal(libc::SIGTERM);
            std::thread::sleep(Duration::from_millis(500));
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Every JSON line of `path` (panics on a line that is not JSON).
pub fn json_lines(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{}:{}: {e}: {l}", path.display(), i + 1))
        })
        .collect()
}

/// Counts of `executed` and `end` events per pid, for processes whose
/// parent is `ppid`.
pub fn exec_and_end_by_pid(
    events: &[serde_json::Value],
    ppid: u32,
) -> (HashMap<u64, u32>, HashMap<u64, u32>) {
    let (mut exec, mut end) = (HashMap::new(), HashMap::new());
    for v in events {
        if v["process"]["parent"]["pid"].as_u64() != Some(u64::from(ppid)) {
            continue;
        }
        let Some(pid) = v["process"]["pid"].as_u64() else {
            continue;
        };
        match v["event"]["action"].as_str() {
            Some("executed") => *exec.entry(pid).or_insert(0) += 1,
            Some("end") => *end.entry(pid).or_insert(0) += 1,
            _ => {}
        }
    }
    (exec, end)
}

/// Metric events with `event.action == action`.
pub fn metrics<'a>(events: &'a [serde_json::Value], action: &str) -> Vec<&'a serde_json::Value> {
    events
        .iter()
        .filter(|v| v["event"]["kind"] == "metric" && v["event"]["action"] == action)
        .collect()
}

/// Waits until `cond` holds (polling), at most `secs` seconds.
pub fn wait_for(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    cond()
}

/// Cheap count of output lines about children of `ppid` (substring
/// match on `"pid":PPID`, which also counts the few events of `ppid`
/// itself: a readiness heuristic; the checks parse the JSON).
pub fn child_events(path: &Path, ppid: u32) -> usize {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let key = format!("\"pid\":{ppid}");
    text.match_indices(&key)
        .filter(|(i, _)| matches!(text.as_bytes().get(i + key.len()), Some(b',' | b'}')))
        .count()
}
