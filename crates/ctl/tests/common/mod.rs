//! Helpers shared by the live tests: run auditrs ctl in-process and the
//! reference auditctl, hold the live-kernel guard, locate the data.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use audit_client::testkit::LiveKernel;
use audit_ctl::executor::Console;

pub const AUDITCTL: &str = "/usr/sbin/auditctl";

/// Runs `auditrs ctl ARGS` in-process (the binary's `main` is this call).
pub fn ours(args: &[&str]) -> (i32, String, String) {
    let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = {
        let mut con = Console {
            out: &mut out,
            err: &mut err,
        };
        audit_ctl::cli::run_system(&args, &mut con)
    };
    (
        code,
        String::from_utf8_lossy(&out).into(),
        String::from_utf8_lossy(&err).into(),
    )
}

/// Runs the reference auditctl.
pub fn reference(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(AUDITCTL)
        .args(args)
        .output()
        .expect("running /usr/sbin/auditctl");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

pub fn listing() -> String {
    let (code, out, err) = reference(&["-l"]);
    assert_eq!(code, 0, "auditctl -l failed: {err}");
    out
}

pub fn clear() {
    let (code, _, err) = reference(&["-D"]);
    assert_eq!(code, 0, "auditctl -D failed: {err}");
}

/// Puts back the settings the guard saw at the start (files such as
/// 10-base-config.rules change them), so both tools start from the same
/// state.
pub fn restore_status(k: &mut LiveKernel) {
    let s = *k.snapshot();
    let change = audit_client::StatusChange {
        failure: Some(s.failure),
        rate_limit: Some(s.rate_limit),
        backlog_limit: Some(s.backlog_limit),
        backlog_wait_time: s.backlog_wait_time,
        ..Default::default()
    };
    k.control()
        .set_status(&change)
        .expect("restoring the audit status");
}

pub fn acquire(name: &str) -> Option<LiveKernel> {
    if !Path::new(AUDITCTL).exists() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{AUDITCTL} is missing (install Debian's auditd)");
        }
        eprintln!("SKIP {name}: {AUDITCTL} is missing");
        return None;
    }
    LiveKernel::acquire(name).expect("acquiring the live kernel")
}

pub fn rules_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/auditd-3.0.9-rules");
    assert!(
        d.is_dir(),
        "conformance data missing: {} (../shared beside the checkout)",
        d.display()
    );
    d
}

/// Files never sent to the real kernel, and why.
pub const NOT_LIVE: &[(&str, &str)] = &[(
    "11-loginuid.rules",
    "--loginuid-immutable locks the feature until reboot (fake-kernel test covers it)",
)];

/// The rule lines of a file, split into arguments as auditctl does.
pub fn rule_lines(text: &str) -> Vec<(usize, Vec<String>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| (i + 1, l.split_whitespace().map(String::from).collect()))
        .collect()
}
